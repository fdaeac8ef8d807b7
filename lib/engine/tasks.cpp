// Tasks (H4, H5, L3), the task block and the activity indicator (D5).
// A task change is one transaction: the task row, its event, and the deal's
// open-task count and nearest due time, recounted from the tasks table.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "engine/impl.hpp"
#include "model/json.hpp"
#include "model/text.hpp"
#include "model/timezone.hpp"

namespace dealcore {

using model::checked_text;
using model::JsonObject;

namespace {

constexpr Millis kDay = 86400000;

// The stored due time: the moment, or the last millisecond of the local day.
Millis due_time(const Due &due) {
  const auto &z = model::Zone::get(due.time_zone);  // validated for both kinds
  model::checked_time("due time", due.at);
  if (!due.all_day) return due.at;
  return z.day_start_after(due.at, 1) - 1;
}

}  // namespace

Task Database::Impl::load_task(Id id) {
  auto t = store_.load_task(id);
  if (!t) throw Error(Errc::not_found, fmt::format("task {} does not exist", id));
  return std::move(*t);
}

void Database::Impl::refresh_task_state(Id deal, Pending &pending) {
  auto [count, next] = store_.open_task_state(deal);
  store_.set_deal_task_state(deal, count, next);
  std::erase_if(pending.deals, [&](const store::DealRecord &d) { return d.id == deal; });
  pending.deals.push_back(load_deal(deal));
}

Id Database::create_task_type(Actor actor, const std::string &name) {
  auto n = checked_text("task type name", name, true, 200);
  return impl_->write(actor, [&](Impl::Pending &pending) {
    auto key = model::fold_key(n);
    for (const auto &t : impl_->task_types_)
      if (model::fold_key(t.name) == key)
        throw Error(Errc::exists, fmt::format("task type '{}' exists (id {})", t.name, t.id));
    Id id = impl_->store_.insert_task_type(n, key);
    impl_->store_.append_event(impl_->now(), actor.user_id, 0, "task_type.created",
                               JsonObject().num("task_type", id).str("name", n).done());
    pending.catalog = true;
    return id;
  });
}

std::vector<TaskType> Database::task_types() const {
  std::shared_lock lock(impl_->mu_);
  return impl_->task_types_;
}

Id Database::create_task(Actor actor, const TaskSpec &spec) {
  Task t;
  t.text = checked_text("task text", spec.text, true, model::kMaxTextBytes);
  t.due_at = due_time(spec.due);
  return impl_->write(actor, [&](Impl::Pending &pending) {
    auto deal = impl_->load_deal(spec.deal_id);
    if (std::none_of(impl_->task_types_.begin(), impl_->task_types_.end(),
                     [&](const TaskType &x) { return x.id == spec.type_id; }))
      throw Error(Errc::not_found, fmt::format("task type {} does not exist", spec.type_id));
    t.assignee_id = spec.assignee_id ? spec.assignee_id : deal.owner_id;
    if (t.assignee_id && !impl_->user(t.assignee_id).active)
      throw Error(Errc::conflict, fmt::format("user {} is inactive", t.assignee_id));
    Millis now = impl_->now();
    t.deal_id = deal.id;
    t.type_id = spec.type_id;
    t.creator_id = actor.user_id;
    t.all_day = spec.due.all_day;
    t.created_at = t.updated_at = now;
    t.id = impl_->store_.insert_task(t);
    impl_->store_.append_event(now, actor.user_id, deal.id, "task.created",
                               JsonObject()
                                   .num("task", t.id)
                                   .num("type", t.type_id)
                                   .str("text", t.text)
                                   .num("assignee", t.assignee_id)
                                   .num("due_at", t.due_at)
                                   .boolean("all_day", t.all_day)
                                   .done());
    impl_->refresh_task_state(deal.id, pending);
    pending.tasks.push_back(t);
    return t.id;
  });
}

namespace {

// Loads a task, lets fn change it and describe the change as an event, then
// writes the task, the event and the deal's recounted task state.
template <class F>
void change_task(Database::Impl &impl, Actor actor, Id task_id, Database::Impl::Pending &pending, F &&fn) {
  Task t = impl.load_task(task_id);
  Millis now = impl.now();
  JsonObject ev;
  // Every task event names the task's text and type, so the history reads
  // on its own even after the task is deleted.
  ev.num("task", t.id).str("text", t.text).num("type", t.type_id);
  const char *kind = fn(t, ev, now);
  if (!kind) return;  // nothing changed
  t.updated_at = now;
  impl.store_.update_task(t);
  impl.store_.append_event(now, actor.user_id, t.deal_id, kind, ev.done());
  impl.refresh_task_state(t.deal_id, pending);
  pending.tasks.push_back(t);
}

}  // namespace

void Database::complete_task(Actor actor, Id task_id, const std::string &result) {
  auto r = checked_text("task result", result, false, model::kMaxTextBytes);
  impl_->write(actor, [&](Impl::Pending &pending) {
    change_task(*impl_, actor, task_id, pending, [&](Task &t, JsonObject &ev, Millis now) -> const char * {
      if (t.completed_at) throw Error(Errc::conflict, fmt::format("task {} is already completed", t.id));
      t.completed_at = now;
      t.result = r;
      ev.str("result", r).boolean("late", now > t.due_at).num("due_at", t.due_at);
      return "task.completed";
    });
  });
}

void Database::reopen_task(Actor actor, Id task_id) {
  impl_->write(actor, [&](Impl::Pending &pending) {
    change_task(*impl_, actor, task_id, pending, [&](Task &t, JsonObject &ev, Millis) -> const char * {
      if (!t.completed_at) throw Error(Errc::conflict, fmt::format("task {} is not completed", t.id));
      ev.str("result", t.result);
      t.completed_at = 0;
      t.result.clear();
      return "task.reopened";
    });
  });
}

void Database::reschedule_task(Actor actor, Id task_id, const Due &due) {
  Millis at = due_time(due);
  impl_->write(actor, [&](Impl::Pending &pending) {
    change_task(*impl_, actor, task_id, pending, [&](Task &t, JsonObject &ev, Millis) -> const char * {
      if (t.completed_at) throw Error(Errc::conflict, fmt::format("task {} is completed; reopen it first", t.id));
      if (t.due_at == at && t.all_day == due.all_day) return nullptr;
      ev.num("from", t.due_at).boolean("from_all_day", t.all_day).num("to", at).boolean("to_all_day", due.all_day);
      t.due_at = at;
      t.all_day = due.all_day;
      return "task.rescheduled";
    });
  });
}

void Database::reassign_task(Actor actor, Id task_id, Id assignee_id) {
  impl_->write(actor, [&](Impl::Pending &pending) {
    if (assignee_id && !impl_->user(assignee_id).active)
      throw Error(Errc::conflict, fmt::format("user {} is inactive", assignee_id));
    change_task(*impl_, actor, task_id, pending, [&](Task &t, JsonObject &ev, Millis) -> const char * {
      if (t.assignee_id == assignee_id) return nullptr;
      ev.num("from", t.assignee_id).num("to", assignee_id);
      t.assignee_id = assignee_id;
      return "task.reassigned";
    });
  });
}

void Database::update_task(Actor actor, Id task_id, const TaskPatch &patch) {
  std::optional<std::string> text;
  if (patch.text) text = checked_text("task text", *patch.text, true, model::kMaxTextBytes);
  impl_->write(actor, [&](Impl::Pending &pending) {
    if (patch.type_id && std::none_of(impl_->task_types_.begin(), impl_->task_types_.end(),
                                      [&](const TaskType &x) { return x.id == *patch.type_id; }))
      throw Error(Errc::not_found, fmt::format("task type {} does not exist", *patch.type_id));
    change_task(*impl_, actor, task_id, pending, [&](Task &t, JsonObject &ev, Millis) -> const char * {
      bool changed = false;
      if (text && *text != t.text) {
        ev.str("from_text", t.text).str("to_text", *text);
        t.text = *text;
        changed = true;
      }
      if (patch.type_id && *patch.type_id != t.type_id) {
        ev.num("from_type", t.type_id).num("to_type", *patch.type_id);
        t.type_id = *patch.type_id;
        changed = true;
      }
      return changed ? "task.edited" : nullptr;
    });
  });
}

void Database::delete_task(Actor actor, Id task_id) {
  impl_->write(actor, [&](Impl::Pending &pending) {
    Task t = impl_->load_task(task_id);
    impl_->store_.delete_task(task_id);
    impl_->store_.append_event(impl_->now(), actor.user_id, t.deal_id, "task.deleted",
                               JsonObject().num("task", t.id).str("text", t.text).num("due_at", t.due_at).done());
    impl_->refresh_task_state(t.deal_id, pending);
    pending.deleted_tasks.push_back(task_id);
  });
}

Task Database::get_task(Id task_id) const {
  std::lock_guard lock(impl_->store_mu_);
  return impl_->load_task(task_id);
}

std::vector<Task> Database::deal_tasks(Id deal_id, bool include_completed) const {
  std::lock_guard lock(impl_->store_mu_);
  impl_->load_deal(deal_id);
  return impl_->store_.deal_tasks(deal_id, include_completed);
}

// ---- the task block -------------------------------------------------------------

TaskBlock Database::task_block(const TaskBlockQuery &q) const {
  if ((q.user_id == 0) == (q.department_id == 0))
    throw Error(Errc::invalid_argument, "name either a user or a department");
  if (q.per_group_limit < 0 || q.per_group_limit > 1000)
    throw Error(Errc::invalid_argument, "per_group_limit must be 0..1000");
  const auto &zone = model::Zone::get(q.time_zone);
  Millis now = q.now ? model::checked_time("now", *q.now) : impl_->now();
  const Millis tomorrow = zone.day_start_after(now, 1), after = zone.day_start_after(now, 2),
               next_week = zone.next_week_start(now);
  auto group_of = [&](Millis due) {
    if (due < now) return TaskGroup::overdue;
    if (due < tomorrow) return TaskGroup::today;
    if (due < after) return TaskGroup::tomorrow;
    if (due < next_week) return TaskGroup::this_week;
    return TaskGroup::later;
  };

  std::shared_lock lock(impl_->mu_);
  std::vector<Id> assignees;
  if (q.user_id) {
    impl_->user(q.user_id);
    assignees.push_back(q.user_id);
  } else {
    impl_->check_department(q.department_id);
    for (const auto &[id, u] : impl_->users_)
      if (u.department_id == q.department_id) assignees.push_back(id);
  }
  const auto &views = impl_->views();
  std::vector<const views::OpenTask *> open;
  for (Id a : assignees)
    views.tasks().for_assignee(a, [&](const views::OpenTask &t) {
      open.push_back(&t);
      return true;
    });
  if (assignees.size() > 1)
    std::sort(open.begin(), open.end(),
              [](const auto *a, const auto *b) { return a->due != b->due ? a->due < b->due : a->id < b->id; });

  TaskBlock block;
  for (int g = 0; g < 5; ++g) block.groups.push_back({static_cast<TaskGroup>(g), 0, {}});
  for (const auto *t : open) {
    auto &group = block.groups[static_cast<int>(group_of(t->due))];
    ++group.count;
    if (group.items.size() >= static_cast<std::size_t>(q.per_group_limit)) continue;
    TaskBlockItem item;
    item.task = views::TaskIndex::to_task(*t);
    if (const auto *row = views.find(t->deal)) {
      item.deal_name = std::string(row->name());
      item.pipeline_id = row->pipeline;
      item.stage_id = row->stage;
      auto st = impl_->stages_.find(row->stage);
      if (st != impl_->stages_.end()) item.stage_name = st->second.name;
    }
    group.items.push_back(std::move(item));
  }
  return block;
}

// ---- the activity indicator -------------------------------------------------------

Activity Database::Impl::compute_activity(Id deal_id, int window_days, Millis now) const {
  auto &store = store_;
  auto d = store.load_deal(deal_id);
  if (!d) throw Error(Errc::not_found, fmt::format("deal {} does not exist", deal_id));
  Activity a;
  a.deal_id = deal_id;
  a.window_days = window_days;
  Millis since = now - window_days * kDay;
  auto st = store.task_stats(deal_id, since, now);
  a.tasks_created = st.created;
  a.tasks_completed = st.completed;
  a.completed_late = st.late;
  a.overdue_now = st.overdue;
  a.open_tasks = st.open;
  // A `now` before the recorded history reads as "just now", not negative.
  if (auto touch = store.last_touch(deal_id))
    a.days_since_touch = static_cast<double>(std::max<Millis>(0, now - *touch)) / kDay;
  a.days_in_stage = static_cast<double>(std::max<Millis>(0, now - d->stage_changed_at)) / kDay;
  auto stage = stages_.find(d->stage_id);
  if (stage != stages_.end() && d->stage_kind == StageKind::open) a.rotting_days = stage->second.rotting_days;
  a.rotting = a.rotting_days && a.days_in_stage > *a.rotting_days;

  // The formula, explained in docs/activity.md.
  int touch_penalty = !a.days_since_touch ? 3 : *a.days_since_touch > 14 ? 2 : *a.days_since_touch > 7 ? 1 : 0;
  a.score = static_cast<int>(2 * (a.tasks_completed - a.completed_late) + a.completed_late +
                             std::min<std::int64_t>(a.tasks_created, 3) - 3 * a.overdue_now) -
            touch_penalty - (a.rotting ? 2 : 0) - (a.open_tasks == 0 && d->stage_kind == StageKind::open ? 2 : 0);
  bool touched = a.days_since_touch && *a.days_since_touch <= window_days;
  if (a.tasks_created == 0 && a.tasks_completed == 0 && !touched)
    a.level = ActivityLevel::none;
  else if (a.score >= 6)
    a.level = ActivityLevel::high;
  else if (a.score >= 2)
    a.level = ActivityLevel::normal;
  else
    a.level = ActivityLevel::low;
  return a;
}

Activity Database::activity(Id deal_id, const ActivityOptions &options) const {
  if (options.window_days < 1 || options.window_days > 3650)
    throw Error(Errc::invalid_argument, "window_days must be 1..3650");
  Millis now = options.now ? model::checked_time("now", *options.now) : impl_->now();
  std::shared_lock lock(impl_->mu_);
  std::lock_guard store_lock(impl_->store_mu_);
  return impl_->compute_activity(deal_id, options.window_days, now);
}

}  // namespace dealcore

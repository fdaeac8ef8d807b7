// capi/tasks.cpp — task types, tasks, the task block and the activity indicator.
#include <memory>

#include "internal.hpp"

using namespace dealcore::capi;

namespace {

dealcore::Due due(int64_t at, int32_t all_day, const char *tz) {
  dealcore::Due out;
  out.at = at;
  out.all_day = flag(all_day);
  out.time_zone = time_zone(tz);
  return out;
}

dealcore::TaskBlockQuery task_block_query(const dealcore_task_block_query *q) {
  need(q, "query");
  check_version(q->version, DEALCORE_TASK_BLOCK_QUERY_VERSION, "dealcore_task_block_query");
  dealcore::TaskBlockQuery out;
  out.user_id = q->user_id;
  out.department_id = q->department_id;
  out.time_zone = time_zone(q->time_zone);
  if (flag(q->set_now)) out.now = q->now;
  out.per_group_limit = q->per_group_limit;
  return out;
}

dealcore::ActivityOptions activity_options(const dealcore_activity_options *o) {
  dealcore::ActivityOptions out;
  if (o == nullptr) return out;
  check_version(o->version, DEALCORE_ACTIVITY_OPTIONS_VERSION, "dealcore_activity_options");
  out.window_days = o->window_days;
  if (flag(o->set_now)) out.now = o->now;
  return out;
}

}  // namespace

extern "C" {

int dealcore_task_spec_init(dealcore_task_spec *spec, uint32_t version) noexcept {
  static const dealcore_task_spec defaults = DEALCORE_TASK_SPEC_INIT;
  return init_struct("dealcore_task_spec_init", "dealcore_task_spec", spec, version,
                     DEALCORE_TASK_SPEC_VERSION, defaults);
}

int dealcore_task_patch_init(dealcore_task_patch *patch, uint32_t version) noexcept {
  static const dealcore_task_patch defaults = DEALCORE_TASK_PATCH_INIT;
  return init_struct("dealcore_task_patch_init", "dealcore_task_patch", patch, version,
                     DEALCORE_TASK_PATCH_VERSION, defaults);
}

int dealcore_task_block_query_init(dealcore_task_block_query *query, uint32_t version) noexcept {
  static const dealcore_task_block_query defaults = DEALCORE_TASK_BLOCK_QUERY_INIT;
  return init_struct("dealcore_task_block_query_init", "dealcore_task_block_query", query,
                     version, DEALCORE_TASK_BLOCK_QUERY_VERSION, defaults);
}

int dealcore_activity_options_init(dealcore_activity_options *options, uint32_t version) noexcept {
  static const dealcore_activity_options defaults = DEALCORE_ACTIVITY_OPTIONS_INIT;
  return init_struct("dealcore_activity_options_init", "dealcore_activity_options", options,
                     version, DEALCORE_ACTIVITY_OPTIONS_VERSION, defaults);
}

// ---- task types ----------------------------------------------------------------------

int dealcore_task_type_create(int64_t *out, dealcore_db *db, int64_t actor_id,
                              const char *name) noexcept {
  return guard("dealcore_task_type_create", [&] {
    need_out(out);
    auto &d = db_of(db);
    *out = d.create_task_type(actor(actor_id), text(name, "name"));
  });
}

int dealcore_task_type_list(dealcore_task_types **out, const dealcore_db *db) noexcept {
  return guard("dealcore_task_type_list", [&] {
    need_out(out);
    auto types = db_of(db).task_types();
    auto list = std::make_unique<dealcore_task_types>();
    list->items.reserve(types.size());
    for (auto &t : types) list->items.push_back(dealcore_task_type{std::move(t)});
    *out = list.release();
  });
}

size_t dealcore_task_types_count(const dealcore_task_types *list) noexcept {
  return list == nullptr ? 0 : list->items.size();
}
const dealcore_task_type *dealcore_task_types_at(const dealcore_task_types *list,
                                                 size_t i) noexcept {
  return list == nullptr || i >= list->items.size() ? nullptr : &list->items[i];
}
void dealcore_task_types_free(dealcore_task_types *list) noexcept { delete list; }
int64_t dealcore_task_type_id(const dealcore_task_type *t) noexcept { return t ? t->v.id : 0; }
const char *dealcore_task_type_name(const dealcore_task_type *t) noexcept {
  return t ? t->v.name.c_str() : "";
}
int32_t dealcore_task_type_builtin(const dealcore_task_type *t) noexcept {
  return t && t->v.builtin ? 1 : 0;
}

// ---- tasks -------------------------------------------------------------------------------

int dealcore_task_create(int64_t *out, dealcore_db *db, int64_t actor_id,
                         const dealcore_task_spec *spec) noexcept {
  return guard("dealcore_task_create", [&] {
    need_out(out);
    auto &d = db_of(db);
    need(spec, "spec");
    check_version(spec->version, DEALCORE_TASK_SPEC_VERSION, "dealcore_task_spec");
    dealcore::TaskSpec s;
    s.deal_id = spec->deal_id;
    s.type_id = spec->type_id;
    s.text = text(spec->text, "spec->text");
    s.assignee_id = spec->assignee_id;
    s.due = due(spec->due_at, spec->due_all_day, spec->due_time_zone);
    *out = d.create_task(actor(actor_id), s);
  });
}

int dealcore_task_complete(dealcore_db *db, int64_t actor_id, int64_t task_id,
                           const char *result) noexcept {
  return guard("dealcore_task_complete", [&] {
    auto &d = db_of(db);
    d.complete_task(actor(actor_id), task_id, opt_text(result));
  });
}

int dealcore_task_reopen(dealcore_db *db, int64_t actor_id, int64_t task_id) noexcept {
  return guard("dealcore_task_reopen", [&] { db_of(db).reopen_task(actor(actor_id), task_id); });
}

int dealcore_task_reschedule(dealcore_db *db, int64_t actor_id, int64_t task_id, int64_t due_at,
                             int32_t all_day, const char *tz) noexcept {
  return guard("dealcore_task_reschedule", [&] {
    auto &d = db_of(db);
    d.reschedule_task(actor(actor_id), task_id, due(due_at, all_day, tz));
  });
}

int dealcore_task_reassign(dealcore_db *db, int64_t actor_id, int64_t task_id,
                           int64_t assignee_id) noexcept {
  return guard("dealcore_task_reassign", [&] {
    db_of(db).reassign_task(actor(actor_id), task_id, assignee_id);
  });
}

int dealcore_task_update(dealcore_db *db, int64_t actor_id, int64_t task_id,
                         const dealcore_task_patch *patch) noexcept {
  return guard("dealcore_task_update", [&] {
    auto &d = db_of(db);
    need(patch, "patch");
    check_version(patch->version, DEALCORE_TASK_PATCH_VERSION, "dealcore_task_patch");
    dealcore::TaskPatch p;
    if (flag(patch->set_text)) p.text = text(patch->text, "patch->text");
    if (flag(patch->set_type_id)) p.type_id = patch->type_id;
    d.update_task(actor(actor_id), task_id, p);
  });
}

int dealcore_task_delete(dealcore_db *db, int64_t actor_id, int64_t task_id) noexcept {
  return guard("dealcore_task_delete", [&] { db_of(db).delete_task(actor(actor_id), task_id); });
}

int dealcore_task_get(dealcore_task **out, const dealcore_db *db, int64_t task_id) noexcept {
  return guard("dealcore_task_get", [&] {
    need_out(out);
    auto task = std::make_unique<dealcore_task>();
    task->v = db_of(db).get_task(task_id);
    *out = task.release();
  });
}

void dealcore_task_free(dealcore_task *task) noexcept { delete task; }

int dealcore_task_list(dealcore_tasks **out, const dealcore_db *db, int64_t deal_id,
                       int32_t include_completed) noexcept {
  return guard("dealcore_task_list", [&] {
    need_out(out);
    auto tasks = db_of(db).deal_tasks(deal_id, flag(include_completed));
    auto list = std::make_unique<dealcore_tasks>();
    list->items.reserve(tasks.size());
    for (auto &t : tasks) list->items.push_back(dealcore_task{std::move(t)});
    *out = list.release();
  });
}

size_t dealcore_tasks_count(const dealcore_tasks *list) noexcept {
  return list == nullptr ? 0 : list->items.size();
}
const dealcore_task *dealcore_tasks_at(const dealcore_tasks *list, size_t i) noexcept {
  return list == nullptr || i >= list->items.size() ? nullptr : &list->items[i];
}
void dealcore_tasks_free(dealcore_tasks *list) noexcept { delete list; }

int64_t dealcore_task_id(const dealcore_task *t) noexcept { return t ? t->v.id : 0; }
int64_t dealcore_task_deal_id(const dealcore_task *t) noexcept { return t ? t->v.deal_id : 0; }
int64_t dealcore_task_type_of(const dealcore_task *t) noexcept { return t ? t->v.type_id : 0; }
const char *dealcore_task_text(const dealcore_task *t) noexcept {
  return t ? t->v.text.c_str() : "";
}
int64_t dealcore_task_assignee_id(const dealcore_task *t) noexcept {
  return t ? t->v.assignee_id : 0;
}
int64_t dealcore_task_creator_id(const dealcore_task *t) noexcept {
  return t ? t->v.creator_id : 0;
}
int64_t dealcore_task_due_at(const dealcore_task *t) noexcept { return t ? t->v.due_at : 0; }
int32_t dealcore_task_all_day(const dealcore_task *t) noexcept {
  return t && t->v.all_day ? 1 : 0;
}
int64_t dealcore_task_created_at(const dealcore_task *t) noexcept {
  return t ? t->v.created_at : 0;
}
int64_t dealcore_task_updated_at(const dealcore_task *t) noexcept {
  return t ? t->v.updated_at : 0;
}
int64_t dealcore_task_completed_at(const dealcore_task *t) noexcept {
  return t ? t->v.completed_at : 0;
}
const char *dealcore_task_result(const dealcore_task *t) noexcept {
  return t ? t->v.result.c_str() : "";
}

// ---- the task block ------------------------------------------------------------------------

int dealcore_task_block_get(dealcore_task_block **out, const dealcore_db *db,
                            const dealcore_task_block_query *query) noexcept {
  return guard("dealcore_task_block_get", [&] {
    need_out(out);
    auto &d = db_of(db);
    auto result = d.task_block(task_block_query(query));
    auto block = std::make_unique<dealcore_task_block>();
    block->groups.reserve(result.groups.size());
    for (auto &g : result.groups) {
      dealcore_task_group group;
      group.kind = static_cast<int32_t>(g.group);
      group.total = g.count;
      group.items.reserve(g.items.size());
      for (auto &item : g.items) {
        dealcore_task_block_item i;
        i.task = dealcore_task{std::move(item.task)};
        i.deal_name = std::move(item.deal_name);
        i.pipeline_id = item.pipeline_id;
        i.stage_id = item.stage_id;
        i.stage_name = std::move(item.stage_name);
        group.items.push_back(std::move(i));
      }
      block->groups.push_back(std::move(group));
    }
    *out = block.release();
  });
}

void dealcore_task_block_free(dealcore_task_block *block) noexcept { delete block; }

size_t dealcore_task_block_group_count(const dealcore_task_block *block) noexcept {
  return block == nullptr ? 0 : block->groups.size();
}
const dealcore_task_group *dealcore_task_block_group_at(const dealcore_task_block *block,
                                                        size_t i) noexcept {
  return block == nullptr || i >= block->groups.size() ? nullptr : &block->groups[i];
}
int32_t dealcore_task_group_kind(const dealcore_task_group *g) noexcept {
  return g ? g->kind : DEALCORE_TASK_GROUP_OVERDUE;
}
int64_t dealcore_task_group_total(const dealcore_task_group *g) noexcept {
  return g ? g->total : 0;
}
size_t dealcore_task_group_item_count(const dealcore_task_group *g) noexcept {
  return g ? g->items.size() : 0;
}
const dealcore_task_block_item *dealcore_task_group_item_at(const dealcore_task_group *g,
                                                            size_t i) noexcept {
  return g == nullptr || i >= g->items.size() ? nullptr : &g->items[i];
}
const dealcore_task *dealcore_task_block_item_task(const dealcore_task_block_item *item) noexcept {
  return item ? &item->task : nullptr;
}
const char *dealcore_task_block_item_deal_name(const dealcore_task_block_item *item) noexcept {
  return item ? item->deal_name.c_str() : "";
}
int64_t dealcore_task_block_item_pipeline_id(const dealcore_task_block_item *item) noexcept {
  return item ? item->pipeline_id : 0;
}
int64_t dealcore_task_block_item_stage_id(const dealcore_task_block_item *item) noexcept {
  return item ? item->stage_id : 0;
}
const char *dealcore_task_block_item_stage_name(const dealcore_task_block_item *item) noexcept {
  return item ? item->stage_name.c_str() : "";
}

// ---- the activity indicator -----------------------------------------------------------------

int dealcore_activity_get(dealcore_activity **out, const dealcore_db *db, int64_t deal_id,
                          const dealcore_activity_options *options) noexcept {
  return guard("dealcore_activity_get", [&] {
    need_out(out);
    auto &d = db_of(db);
    auto a = std::make_unique<dealcore_activity>();
    a->v = d.activity(deal_id, activity_options(options));
    *out = a.release();
  });
}

void dealcore_activity_free(dealcore_activity *a) noexcept { delete a; }
int64_t dealcore_activity_deal_id(const dealcore_activity *a) noexcept {
  return a ? a->v.deal_id : 0;
}
int32_t dealcore_activity_window_days(const dealcore_activity *a) noexcept {
  return a ? a->v.window_days : 0;
}
int64_t dealcore_activity_tasks_created(const dealcore_activity *a) noexcept {
  return a ? a->v.tasks_created : 0;
}
int64_t dealcore_activity_tasks_completed(const dealcore_activity *a) noexcept {
  return a ? a->v.tasks_completed : 0;
}
int64_t dealcore_activity_completed_late(const dealcore_activity *a) noexcept {
  return a ? a->v.completed_late : 0;
}
int64_t dealcore_activity_overdue_now(const dealcore_activity *a) noexcept {
  return a ? a->v.overdue_now : 0;
}
int64_t dealcore_activity_open_tasks(const dealcore_activity *a) noexcept {
  return a ? a->v.open_tasks : 0;
}
double dealcore_activity_days_since_touch(const dealcore_activity *a) noexcept {
  return a && a->v.days_since_touch ? *a->v.days_since_touch : -1.0;
}
double dealcore_activity_days_in_stage(const dealcore_activity *a) noexcept {
  return a ? a->v.days_in_stage : 0.0;
}
int32_t dealcore_activity_rotting_days(const dealcore_activity *a) noexcept {
  return a && a->v.rotting_days ? *a->v.rotting_days : DEALCORE_NONE;
}
int32_t dealcore_activity_rotting(const dealcore_activity *a) noexcept {
  return a && a->v.rotting ? 1 : 0;
}
int32_t dealcore_activity_score(const dealcore_activity *a) noexcept {
  return a ? a->v.score : 0;
}
int32_t dealcore_activity_level(const dealcore_activity *a) noexcept {
  return a ? static_cast<int32_t>(a->v.level) : DEALCORE_ACTIVITY_NONE;
}

}  // extern "C"

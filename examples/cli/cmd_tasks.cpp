// The task commands (H4, H5, L3): `task add|done|reopen|move|assign|edit|
// delete|list` on one deal's tasks, and `tasks`, the block of open tasks in
// front of a user or a department, grouped overdue / today / tomorrow / this
// week / later in the --tz time zone.
#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "catalog.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "render.hpp"
#include "text.hpp"

namespace cli {

using dealcore::Id;

namespace {

std::string_view group_name(dealcore::TaskGroup g) {
  switch (g) {
    case dealcore::TaskGroup::overdue: return "overdue";
    case dealcore::TaskGroup::today: return "today";
    case dealcore::TaskGroup::tomorrow: return "tomorrow";
    case dealcore::TaskGroup::this_week: return "this week";
    default: return "later";
  }
}

// "open", "overdue", "done", "done late".
std::string status_of(const dealcore::Task &t, dealcore::Millis now) {
  if (t.completed_at) return t.completed_at > t.due_at ? "done late" : "done";
  return t.due_at < now ? "overdue" : "open";
}

// "2025-05-01 14:00", or "2025-05-01 (all day)" for a whole-day task.
std::string due_text(const dealcore::Task &t, const Zone &zone) {
  return t.all_day ? zone.format_date(t.due_at) + " (all day)" : zone.format_time(t.due_at);
}

void task_json(Json &j, const dealcore::Task &t, const Catalog &cat, const Zone &zone,
               dealcore::Millis now, bool close = true) {
  j.begin_object()
      .field("id", t.id)
      .field("deal_id", t.deal_id)
      .field("type_id", t.type_id)
      .field("type", cat.task_type_name(t.type_id))
      .field("text", t.text)
      .field("assignee_id", t.assignee_id)
      .field("assignee", t.assignee_id ? cat.user_name(t.assignee_id) : "")
      .field("creator_id", t.creator_id)
      .field("creator", cat.actor_name(t.creator_id))
      .field("due_at", t.due_at)
      .field("all_day", t.all_day)
      .field("due", due_text(t, zone))
      .field("created_at", t.created_at)
      .field("updated_at", t.updated_at)
      .field("completed_at", t.completed_at)
      .field("result", t.result)
      .field("status", status_of(t, now));
  if (close) j.end_object();
}

// --due 'YYYY-MM-DD HH:MM' or --due-day YYYY-MM-DD, in the --tz zone.
std::optional<dealcore::Due> due_from(const Args &args, const Zone &zone) {
  const auto at = args.get("due"), day = args.get("due-day");
  if (at && day) throw UsageError("--due and --due-day exclude each other");
  if (!at && !day) return std::nullopt;
  dealcore::Due due;
  due.time_zone = zone.name();
  if (at) due.at = zone.parse_time(*at, "--due");
  else {
    due.at = zone.parse_day(*day, "--due-day");
    due.all_day = true;
  }
  return due;
}

// The flags each subcommand takes; any other task flag is a usage error.
void only_flags(const Args &args, std::string_view sub, std::initializer_list<std::string_view> allowed) {
  static constexpr std::string_view all[] = {"text", "type", "assignee", "due", "due-day", "result", "to", "all"};
  for (auto f : all)
    if (args.has(f) && std::find(allowed.begin(), allowed.end(), f) == allowed.end())
      throw UsageError(fmt::format("task {}: --{} does not apply", sub, f));
}

Id one_id(const Args &args, std::string_view sub, std::string_view what) {
  if (args.positional.size() != 2)
    throw UsageError(fmt::format("task {}: give one {}", sub, what));
  return parse_id(args.positional[1], what);
}

// After a change: the task as JSON, or one line.
int report_task(const Context &ctx, const dealcore::Database &db, Id task_id, const std::string &headline) {
  Catalog cat(db);
  const auto t = db.get_task(task_id);
  const auto now = now_ms();
  if (ctx.json) {
    Json j(std::cout);
    task_json(j, t, cat, *ctx.zone, now);
    return 0;
  }
  const auto d = db.get_deal(t.deal_id);
  std::cout << headline << '\n'
            << fmt::format("  #{} {}: {} — due {}, {}, {}\n", t.id, cat.task_type_name(t.type_id),
                           truncate_to_width(t.text, 60), due_text(t, *ctx.zone),
                           t.assignee_id ? cat.user_name(t.assignee_id) : "no assignee", status_of(t, now))
            << fmt::format("  deal #{} {} — {}, open tasks: {}\n", d.id, truncate_to_width(d.name, 60),
                           cat.stage_name(d.stage_id), d.open_task_count);
  return 0;
}

int run_task(const Context &ctx, const Args &args) {
  if (args.positional.empty())
    throw UsageError("task: give a subcommand: add, done, reopen, move, assign, edit, delete or list");
  const std::string sub = args.positional[0];
  auto db = ctx.open();
  Catalog cat(db);
  if (sub == "add") {
    only_flags(args, sub, {"text", "type", "assignee", "due", "due-day"});
    const Id deal = one_id(args, sub, "deal id");
    dealcore::TaskSpec spec;
    spec.deal_id = deal;
    const auto text = args.get("text");
    if (!text) throw UsageError("task add: --text is required");
    spec.text = *text;
    const auto due = due_from(args, *ctx.zone);
    if (!due) throw UsageError("task add: give --due 'YYYY-MM-DD HH:MM' or --due-day YYYY-MM-DD");
    spec.due = *due;
    if (auto t = args.get("type")) spec.type_id = cat.find_task_type(*t);
    if (auto u = args.get("assignee")) spec.assignee_id = cat.find_user(*u);
    const Id id = db.create_task(ctx.actor, spec);
    return report_task(ctx, db, id, fmt::format("Created task #{} on deal #{}", id, deal));
  }
  if (sub == "done") {
    only_flags(args, sub, {"result"});
    const Id id = one_id(args, sub, "task id");
    db.complete_task(ctx.actor, id, args.get("result").value_or(""));
    return report_task(ctx, db, id, fmt::format("Completed task #{}", id));
  }
  if (sub == "reopen") {
    only_flags(args, sub, {});
    const Id id = one_id(args, sub, "task id");
    db.reopen_task(ctx.actor, id);
    return report_task(ctx, db, id, fmt::format("Reopened task #{}", id));
  }
  if (sub == "move") {
    only_flags(args, sub, {"due", "due-day"});
    const Id id = one_id(args, sub, "task id");
    const auto due = due_from(args, *ctx.zone);
    if (!due) throw UsageError("task move: give --due 'YYYY-MM-DD HH:MM' or --due-day YYYY-MM-DD");
    const auto before = db.get_task(id);
    db.reschedule_task(ctx.actor, id, *due);
    return report_task(ctx, db, id,
                       fmt::format("Rescheduled task #{} (was due {})", id, due_text(before, *ctx.zone)));
  }
  if (sub == "assign") {
    only_flags(args, sub, {"to"});
    const Id id = one_id(args, sub, "task id");
    const auto to = args.get("to");
    if (!to) throw UsageError("task assign: --to is required (a user, or 'none')");
    const Id user = (*to == "none" || *to == "0") ? 0 : cat.find_user(*to);
    db.reassign_task(ctx.actor, id, user);
    return report_task(ctx, db, id,
                       user ? fmt::format("Assigned task #{} to {}", id, cat.user_name(user))
                            : fmt::format("Task #{} has no assignee now", id));
  }
  if (sub == "edit") {
    only_flags(args, sub, {"text", "type"});
    const Id id = one_id(args, sub, "task id");
    dealcore::TaskPatch patch;
    if (auto t = args.get("text")) patch.text = *t;
    if (auto t = args.get("type")) patch.type_id = cat.find_task_type(*t);
    if (!patch.text && !patch.type_id) throw UsageError("task edit: give --text and/or --type");
    db.update_task(ctx.actor, id, patch);
    return report_task(ctx, db, id, fmt::format("Edited task #{}", id));
  }
  if (sub == "delete") {
    only_flags(args, sub, {});
    const Id id = one_id(args, sub, "task id");
    const auto t = db.get_task(id);
    db.delete_task(ctx.actor, id);
    const auto d = db.get_deal(t.deal_id);
    if (ctx.json) {
      Json j(std::cout);
      j.begin_object().field("deleted", id).field("deal_id", d.id)
          .field("open_task_count", d.open_task_count).end_object();
    } else {
      std::cout << fmt::format("Deleted task #{} «{}» of deal #{}; open tasks: {}\n", id,
                               truncate_to_width(t.text, 60), d.id, d.open_task_count);
    }
    return 0;
  }
  if (sub == "list") {
    only_flags(args, sub, {"all"});
    const Id deal = one_id(args, sub, "deal id");
    auto tasks = db.deal_tasks(deal, args.has("all"));
    const auto now = now_ms();
    // Open tasks by due time, then the completed ones, the latest first.
    std::stable_sort(tasks.begin(), tasks.end(), [](const dealcore::Task &a, const dealcore::Task &b) {
      if ((a.completed_at == 0) != (b.completed_at == 0)) return a.completed_at == 0;
      return a.completed_at == 0 ? a.due_at < b.due_at : a.completed_at > b.completed_at;
    });
    if (ctx.json) {
      Json j(std::cout);
      j.begin_array();
      for (const auto &t : tasks) task_json(j, t, cat, *ctx.zone, now);
      j.end_array();
      return 0;
    }
    const auto d = db.get_deal(deal);
    std::cout << fmt::format("Deal #{} {}: {} open task{}\n", d.id, d.name, d.open_task_count,
                             d.open_task_count == 1 ? "" : "s");
    if (tasks.empty()) {
      std::cout << (args.has("all") ? "No tasks.\n" : "No open tasks (--all shows completed ones).\n");
      return 0;
    }
    Table t({{"ID", Align::right}, {"Type"}, {"Task", Align::left, 50, 16, 2},
             {fmt::format("Due ({})", ctx.zone->name())}, {"Assignee", Align::left, 22, 8},
             {"Status"}, {"Result", Align::left, 40, 10}});
    for (const auto &task : tasks)
      t.add({std::to_string(task.id), cat.task_type_name(task.type_id), task.text, due_text(task, *ctx.zone),
             task.assignee_id ? cat.user_name(task.assignee_id) : "—", status_of(task, now),
             task.result.empty() ? "" : task.result});
    t.print(std::cout, terminal_width(160));
    return 0;
  }
  throw UsageError(fmt::format("task: unknown subcommand '{}' (add, done, reopen, move, assign, edit, delete, list)", sub));
}

// ---- tasks: the task block ---------------------------------------------------------

int run_tasks(const Context &ctx, const Args &args) {
  if (!args.positional.empty()) throw UsageError("tasks: unexpected argument '" + args.positional[0] + "'");
  const int given = args.has("mine") + args.has("user") + args.has("department");
  if (given != 1) throw UsageError("tasks: give one of --mine, --user U or --department D");
  auto db = ctx.open();
  Catalog cat(db);
  dealcore::TaskBlockQuery q;
  std::string whose;
  if (args.has("mine")) {
    if (ctx.actor.user_id == 0) throw UsageError("tasks --mine: say who you are with --actor USER_ID");
    q.user_id = ctx.actor.user_id;
    whose = cat.user_name(q.user_id);
  } else if (auto u = args.get("user")) {
    q.user_id = cat.find_user(*u);
    whose = cat.user_name(q.user_id);
  } else {
    q.department_id = cat.find_department(*args.get("department"));
    whose = cat.department_name(q.department_id);
  }
  q.time_zone = ctx.zone->name();
  const auto now = now_ms();
  q.now = now;
  q.per_group_limit = 20;
  if (auto v = args.get("limit")) {
    q.per_group_limit = static_cast<int>(parse_int(*v, "--limit"));
    if (q.per_group_limit < 0 || q.per_group_limit > 1000) throw UsageError("--limit: 0..1000");
  }
  const auto block = db.task_block(q);
  std::int64_t total = 0;
  for (const auto &g : block.groups) total += g.count;
  if (ctx.json) {
    Json j(std::cout);
    j.begin_object().field("user_id", q.user_id).field("department_id", q.department_id)
        .field("name", whose).field("time_zone", q.time_zone).field("now", now).field("total", total);
    j.key("groups").begin_array();
    for (const auto &g : block.groups) {
      j.begin_object().field("group", group_name(g.group)).field("count", g.count);
      j.key("items").begin_array();
      for (const auto &item : g.items) {
        task_json(j, item.task, cat, *ctx.zone, now, false);
        j.field("deal", item.deal_name).field("pipeline_id", item.pipeline_id)
            .field("stage_id", item.stage_id).field("stage", item.stage_name).end_object();
      }
      j.end_array().end_object();
    }
    j.end_array().end_object();
    return 0;
  }
  std::cout << fmt::format("Open tasks of {}: {}  (now {} {})\n", whose, total, ctx.zone->format_time(now),
                           ctx.zone->name());
  std::string counts;
  for (const auto &g : block.groups)
    counts += fmt::format("{}{} {}", counts.empty() ? "" : " · ", group_name(g.group), g.count);
  std::cout << counts << '\n';
  const int width = terminal_width(160);
  for (const auto &g : block.groups) {
    if (g.count == 0) continue;
    std::string title = fmt::format("{} ({})", group_name(g.group), g.count);
    title[0] = static_cast<char>(title[0] - 'a' + 'A');
    std::cout << '\n' << title << '\n';
    std::vector<Column> cols = {{"Task", Align::right}, {"Due"}, {"Type"}, {"What", Align::left, 50, 14, 2},
                                {"Deal", Align::left, 50, 14, 2}, {"Stage", Align::left, 24, 10}};
    if (q.department_id) cols.push_back({"Assignee", Align::left, 22, 8});
    Table t(cols);
    for (const auto &item : g.items) {
      const auto &task = item.task;
      // Today and tomorrow show the time; a whole-day task shows "all day".
      std::string due = due_text(task, *ctx.zone);
      if (g.group == dealcore::TaskGroup::today || g.group == dealcore::TaskGroup::tomorrow)
        due = task.all_day ? "all day" : ctx.zone->format_time(task.due_at).substr(11);
      std::vector<std::string> row = {std::to_string(task.id), due, cat.task_type_name(task.type_id), task.text,
                                      fmt::format("#{} {}", task.deal_id, item.deal_name), item.stage_name};
      if (q.department_id) row.push_back(task.assignee_id ? cat.user_name(task.assignee_id) : "—");
      t.add(std::move(row));
    }
    t.print(std::cout, width);
    if (g.count > static_cast<std::int64_t>(g.items.size()))
      std::cout << fmt::format("… {} more (--limit)\n", g.count - static_cast<std::int64_t>(g.items.size()));
  }
  if (total == 0) std::cout << "No open tasks.\n";
  return 0;
}

}  // namespace

std::vector<Command> task_commands() {
  return {
      {"task",
       "add <deal> --text T [--type TYPE] [--assignee U] (--due 'YYYY-MM-DD HH:MM' | --due-day YYYY-MM-DD)\n"
       "     | done <task> [--result R] | reopen <task> | move <task> (--due ... | --due-day ...)\n"
       "     | assign <task> --to U | edit <task> [--text T] [--type TYPE] | delete <task> | list <deal> [--all]",
       "tasks of a deal: create, complete, reopen, reschedule, reassign, edit, delete, list",
       {{"text", "TEXT", false, "what to do (add, edit)"},
        {"type", "TYPE", false, "call, meeting, email, follow-up (default), or a company type's id or name"},
        {"assignee", "ID|NAME", false, "who does it (add; default: the deal's owner)"},
        {"due", "'YYYY-MM-DD HH:MM'", false, "due at this moment in --tz (add, move)"},
        {"due-day", "YYYY-MM-DD", false, "due during this whole day in --tz (add, move)"},
        {"result", "TEXT", false, "the outcome (done)"},
        {"to", "ID|NAME", false, "the new assignee, or 'none' (assign)"},
        {"all", "", false, "also completed tasks (list)"}},
       run_task},
      {"tasks", "--mine | --user U | --department D [--limit N]",
       "the task block: open tasks grouped overdue / today / tomorrow / this week / later",
       {{"mine", "", false, "the tasks of the --actor user"},
        {"user", "ID|NAME", false, "the tasks of this user"},
        {"department", "ID|NAME", false, "the tasks of every user of this department"},
        {"limit", "N", false, "tasks listed per group, 0..1000 (default 20; counts are exact)"}},
       run_tasks},
  };
}

}  // namespace cli

// The store's statements for tasks, comments, pins, the timeline and stage
// intervals (schema v2).
#include <fmt/format.h>

#include "dealcore/error.hpp"
#include "store/store.hpp"

namespace dealcore::store {

namespace {

const char *const kTaskColumns =
    "SELECT id, deal_id, type_id, text, IFNULL(assignee_id, 0), creator_id, due_at, all_day, created_at, "
    "updated_at, completed_at, result FROM tasks ";

Task read_task(const Stmt &s) {
  Task t;
  t.id = s.i64(0);
  t.deal_id = s.i64(1);
  t.type_id = s.i64(2);
  t.text = s.text(3);
  t.assignee_id = s.i64(4);
  t.creator_id = s.i64(5);
  t.due_at = s.i64(6);
  t.all_day = s.i32(7) != 0;
  t.created_at = s.i64(8);
  t.updated_at = s.i64(9);
  t.completed_at = s.i64(10);
  t.result = s.text(11);
  return t;
}

Event read_event(const Stmt &s) { return {s.i64(0), s.i64(1), s.i64(2), s.i64(3), s.text(4), s.text(5)}; }

}  // namespace

void Store::migrate_intervals_v2() {
  // Replay v1's stage changes in order onto the intervals opened at creation.
  Stmt ev(conn_.raw(),
          "SELECT deal_id, at, json_extract(payload, '$.to_pipeline'), json_extract(payload, '$.to_stage') "
          "FROM events WHERE kind = 'deal.stage_changed' ORDER BY seq");
  while (ev.step()) {
    close_interval(ev.i64(0), ev.i64(1));
    open_interval(ev.i64(0), ev.i64(2), ev.i64(3), ev.i64(1));
  }
}

std::vector<TaskType> Store::load_task_types() {
  auto &s = conn_.prepare("SELECT id, name, builtin FROM task_types ORDER BY id");
  std::vector<TaskType> out;
  while (s.step()) out.push_back({s.i64(0), s.text(1), s.i32(2) != 0});
  s.reset();
  return out;
}

Id Store::insert_task_type(const std::string &name, const std::string &name_key) {
  conn_.prepare("INSERT INTO task_types(name, name_key) VALUES (?1, ?2)").bind(1, name).bind(2, name_key).run();
  return conn_.last_insert_id();
}

Id Store::insert_task(const Task &t) {
  conn_.prepare(
           "INSERT INTO tasks(deal_id, type_id, text, assignee_id, creator_id, due_at, all_day, created_at, "
           "updated_at, completed_at, result) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
      .bind(1, t.deal_id)
      .bind(2, t.type_id)
      .bind(3, t.text)
      .bind_id(4, t.assignee_id)
      .bind(5, t.creator_id)
      .bind(6, t.due_at)
      .bind(7, t.all_day ? 1 : 0)
      .bind(8, t.created_at)
      .bind(9, t.updated_at)
      .bind(10, t.completed_at)
      .bind(11, t.result)
      .run();
  return conn_.last_insert_id();
}

void Store::update_task(const Task &t) {
  conn_.prepare(
           "UPDATE tasks SET type_id = ?2, text = ?3, assignee_id = ?4, due_at = ?5, all_day = ?6, "
           "updated_at = ?7, completed_at = ?8, result = ?9 WHERE id = ?1")
      .bind(1, t.id)
      .bind(2, t.type_id)
      .bind(3, t.text)
      .bind_id(4, t.assignee_id)
      .bind(5, t.due_at)
      .bind(6, t.all_day ? 1 : 0)
      .bind(7, t.updated_at)
      .bind(8, t.completed_at)
      .bind(9, t.result)
      .run();
}

std::optional<Task> Store::load_task(Id id) {
  static const std::string sql = std::string(kTaskColumns) + "WHERE id = ?1 AND deleted = 0";
  auto &s = conn_.prepare(sql.c_str()).bind(1, id);
  std::optional<Task> out;
  if (s.step()) out = read_task(s);
  s.reset();
  return out;
}

std::vector<Task> Store::deal_tasks(Id deal, bool include_completed) {
  static const std::string all = std::string(kTaskColumns) + "WHERE deal_id = ?1 AND deleted = 0 ORDER BY due_at, id";
  static const std::string open =
      std::string(kTaskColumns) + "WHERE deal_id = ?1 AND deleted = 0 AND completed_at = 0 ORDER BY due_at, id";
  auto &s = conn_.prepare(include_completed ? all.c_str() : open.c_str()).bind(1, deal);
  std::vector<Task> out;
  while (s.step()) out.push_back(read_task(s));
  s.reset();
  return out;
}

std::pair<int, Millis> Store::open_task_state(Id deal) {
  auto &s = conn_.prepare(
      "SELECT COUNT(*), IFNULL(MIN(due_at), 0) FROM tasks WHERE deal_id = ?1 AND completed_at = 0 AND deleted = 0");
  s.bind(1, deal);
  s.step();
  std::pair<int, Millis> out{s.i32(0), s.i64(1)};
  s.reset();
  return out;
}

void Store::set_deal_task_state(Id deal, int count, Millis next_due) {
  conn_.prepare("UPDATE deals SET open_task_count = ?2, next_task_due = ?3 WHERE id = ?1")
      .bind(1, deal)
      .bind(2, count)
      .bind(3, next_due)
      .run();
}

void Store::delete_task(Id id) { conn_.prepare("UPDATE tasks SET deleted = 1 WHERE id = ?1").bind(1, id).run(); }

void Store::scan_open_tasks(const std::function<void(Task &&)> &fn) {
  Stmt s(conn_.raw(), std::string(kTaskColumns) + "WHERE completed_at = 0 AND deleted = 0 ORDER BY id");
  while (s.step()) fn(read_task(s));
}

Store::TaskStats Store::task_stats(Id deal, Millis since, Millis now) {
  auto &s = conn_.prepare(
      "SELECT "
      "  SUM(created_at >= ?2), "
      "  SUM(completed_at != 0 AND completed_at >= ?2), "
      "  SUM(completed_at != 0 AND completed_at >= ?2 AND completed_at > due_at), "
      "  SUM(completed_at = 0 AND due_at < ?3), "
      "  SUM(completed_at = 0) "
      "FROM tasks WHERE deal_id = ?1 AND deleted = 0");
  s.bind(1, deal).bind(2, since).bind(3, now);
  s.step();
  TaskStats t{s.i64(0), s.i64(1), s.i64(2), s.i64(3), s.i64(4)};
  s.reset();
  return t;
}

bool Store::deal_exists(Id deal) {
  auto &s = conn_.prepare("SELECT 1 FROM deals WHERE id = ?1").bind(1, deal);
  bool out = s.step();
  s.reset();
  return out;
}

std::optional<Millis> Store::last_touch(Id deal) {
  auto &s = conn_.prepare("SELECT MAX(at) FROM events WHERE deal_id = ?1 AND actor_id != 0").bind(1, deal);
  s.step();
  std::optional<Millis> out;
  if (!s.is_null(0)) out = s.i64(0);
  s.reset();
  return out;
}

Id Store::insert_comment(Id deal, Id author, const std::string &text, const std::string &mentions_json, Millis at) {
  conn_.prepare(
           "INSERT INTO comments(deal_id, author_id, text, mentions, created_at, updated_at) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?5)")
      .bind(1, deal)
      .bind(2, author)
      .bind(3, text)
      .bind(4, mentions_json)
      .bind(5, at)
      .run();
  return conn_.last_insert_id();
}

std::optional<Store::CommentRow> Store::load_comment(Id id) {
  auto &s = conn_.prepare("SELECT id, deal_id, author_id, text, deleted FROM comments WHERE id = ?1").bind(1, id);
  std::optional<CommentRow> out;
  if (s.step()) out = CommentRow{s.i64(0), s.i64(1), s.i64(2), s.text(3), s.i32(4) != 0};
  s.reset();
  return out;
}

void Store::update_comment(Id id, const std::string &text, bool deleted, Millis at) {
  conn_.prepare("UPDATE comments SET text = ?2, deleted = ?3, updated_at = ?4 WHERE id = ?1")
      .bind(1, id)
      .bind(2, text)
      .bind(3, deleted ? 1 : 0)
      .bind(4, at)
      .run();
}

std::optional<Event> Store::load_event(std::int64_t seq) {
  auto &s = conn_.prepare("SELECT seq, at, actor_id, deal_id, kind, payload FROM events WHERE seq = ?1").bind(1, seq);
  std::optional<Event> out;
  if (s.step()) out = read_event(s);
  s.reset();
  return out;
}

std::vector<Store::PinRow> Store::pins_of(Id deal) {
  auto &s = conn_.prepare("SELECT seq, pinned_at, pinned_by FROM pins WHERE deal_id = ?1 ORDER BY pin_order")
                .bind(1, deal);
  std::vector<PinRow> out;
  while (s.step()) out.push_back({s.i64(0), s.i64(1), s.i64(2)});
  s.reset();
  return out;
}

bool Store::is_pinned(std::int64_t seq) {
  auto &s = conn_.prepare("SELECT 1 FROM pins WHERE seq = ?1").bind(1, seq);
  bool out = s.step();
  s.reset();
  return out;
}

void Store::pin(std::int64_t seq, Id deal, Millis at, Id by) {
  conn_.prepare(
           "INSERT INTO pins(seq, deal_id, pinned_at, pinned_by, pin_order) "
           "VALUES (?1, ?2, ?3, ?4, (SELECT IFNULL(MAX(pin_order), 0) + 1 FROM pins))")
      .bind(1, seq)
      .bind(2, deal)
      .bind(3, at)
      .bind(4, by)
      .run();
}

void Store::unpin(std::int64_t seq) { conn_.prepare("DELETE FROM pins WHERE seq = ?1").bind(1, seq).run(); }

std::vector<Event> Store::timeline(Id deal, std::int64_t before, const std::vector<std::string> &kinds,
                                   const std::vector<Id> &actors, int limit) {
  if (kinds.empty() && actors.empty()) {
    // The common case, a cached statement: preparing costs more than running.
    auto &s = conn_.prepare(
        "SELECT seq, at, actor_id, deal_id, kind, payload FROM events e WHERE deal_id = ?1 AND seq < ?2 "
        "AND NOT EXISTS (SELECT 1 FROM pins p WHERE p.seq = e.seq) ORDER BY seq DESC LIMIT ?3");
    s.bind(1, deal).bind(2, before > 0 ? before : INT64_MAX).bind(3, limit);
    std::vector<Event> out;
    while (s.step()) out.push_back(read_event(s));
    s.reset();
    return out;
  }
  // The filters vary per call, so this statement is built and prepared
  // here; every value is still bound, never spliced into the SQL.
  std::string sql =
      "SELECT seq, at, actor_id, deal_id, kind, payload FROM events e WHERE deal_id = ?1 AND seq < ?2 "
      "AND NOT EXISTS (SELECT 1 FROM pins p WHERE p.seq = e.seq)";
  int n = 3;
  if (!kinds.empty()) {
    sql += " AND (";
    for (std::size_t i = 0; i < kinds.size(); ++i) {
      if (i) sql += " OR ";
      sql += kinds[i].ends_with('.') ? fmt::format("substr(kind, 1, length(?{0})) = ?{0}", n++)
                                     : fmt::format("kind = ?{}", n++);
    }
    sql += ")";
  }
  if (!actors.empty()) {
    sql += " AND actor_id IN (";
    for (std::size_t i = 0; i < actors.size(); ++i) sql += fmt::format("{}?{}", i ? ", " : "", n++);
    sql += ")";
  }
  sql += fmt::format(" ORDER BY seq DESC LIMIT ?{}", n);
  Stmt s(conn_.raw(), sql);
  s.bind(1, deal).bind(2, before > 0 ? before : INT64_MAX);
  int i = 3;
  for (const auto &k : kinds) s.bind(i++, k);
  for (Id a : actors) s.bind(i++, a);
  s.bind(i, limit);
  std::vector<Event> out;
  while (s.step()) out.push_back(read_event(s));
  return out;
}

void Store::open_interval(Id deal, Id pipeline, Id stage, Millis at) {
  conn_.prepare("INSERT INTO stage_intervals(deal_id, pipeline_id, stage_id, entered_at) VALUES (?1, ?2, ?3, ?4)")
      .bind(1, deal)
      .bind(2, pipeline)
      .bind(3, stage)
      .bind(4, at)
      .run();
}

void Store::close_interval(Id deal, Millis at) {
  conn_.prepare("UPDATE stage_intervals SET left_at = ?2 WHERE deal_id = ?1 AND left_at IS NULL")
      .bind(1, deal)
      .bind(2, at)
      .run();
}

std::vector<Store::IntervalRow> Store::intervals(Id deal) {
  auto &s = conn_.prepare(
                     "SELECT pipeline_id, stage_id, entered_at, left_at FROM stage_intervals WHERE deal_id = ?1 "
                     "ORDER BY entered_at, id")
                .bind(1, deal);
  std::vector<IntervalRow> out;
  while (s.step()) {
    IntervalRow r{s.i64(0), s.i64(1), s.i64(2), std::nullopt};
    if (!s.is_null(3)) r.left = s.i64(3);
    out.push_back(r);
  }
  s.reset();
  return out;
}

}  // namespace dealcore::store

#include "tasks.hpp"

#include <cstdio>
#include <stdexcept>

#include "sqlite_db.hpp"
#include "util.hpp"

namespace bench {

TaskSet generate_tasks(const DataSet &ds) {
  TaskSet ts;
  Rng r(kSeed ^ 0x7a5cULL);
  auto n = static_cast<std::int64_t>(ds.deals.size());
  std::int64_t task_deals = std::min(n, kMaxTaskDeals);
  for (std::int64_t i = 0; i < task_deals; ++i) {
    const GenDeal &d = ds.deals[static_cast<std::size_t>(i)];
    for (int k = 0; k < d.planned_open_tasks; ++k) {
      GenTask t;
      t.deal = static_cast<int>(i);
      // Due from 20 days ago to 40 days ahead: about a third overdue.
      t.at = kTaskNow - 20 * kDay + static_cast<std::int64_t>(r.below(static_cast<std::uint64_t>(60 * kDay)));
      t.all_day = r.chance(0.2);
      ts.tasks.push_back(t);
    }
    if (r.chance(0.25)) {  // a done task, on deals with and without open ones
      GenTask t;
      t.deal = static_cast<int>(i);
      t.at = kTaskNow - static_cast<std::int64_t>(r.below(static_cast<std::uint64_t>(60 * kDay)));
      t.completed = true;
      ts.tasks.push_back(t);
    }
  }
  // The heavy user's tasks, on live deals spread over the task deals.
  for (int j = 0; j < kHeavyUserTasks; ++j) {
    auto i = static_cast<std::size_t>((static_cast<std::int64_t>(j) * 7919 + 13) % task_deals);
    while (ds.deals[i].archived) i = (i + 1) % static_cast<std::size_t>(task_deals);
    GenTask t;
    t.deal = static_cast<int>(i);
    t.heavy = true;
    t.at = kTaskNow - 10 * kDay + static_cast<std::int64_t>(r.below(static_cast<std::uint64_t>(60 * kDay)));
    t.all_day = r.chance(0.2);
    ts.tasks.push_back(t);
  }
  auto i = static_cast<std::size_t>(n / 2);
  while (ds.deals[i].archived) ++i;
  ts.timeline_deal = static_cast<int>(i);
  return ts;
}

TaskIds load_tasks_dealcore(dealcore::Database &db, const DataSet &ds, const std::vector<dealcore::Id> &deal_ids,
                            const std::vector<dealcore::Id> &department_ids, const TaskSet &ts,
                            void (*set_clock)(std::int64_t)) {
  using namespace dealcore;
  const Actor sys = Actor::system();
  TaskIds out;
  set_clock(kEpochEnd - kDay);
  out.heavy_user = db.create_user(sys, "Нагрузкина Анна (1000 задач)", department_ids.at(0));
  auto t0 = Clock::now();
  out.tasks.reserve(ts.tasks.size());
  static const Id types[] = {kTaskCall, kTaskMeeting, kTaskEmail, kTaskFollowUp};
  for (std::size_t k = 0; k < ts.tasks.size(); ++k) {
    const GenTask &g = ts.tasks[k];
    TaskSpec spec;
    spec.deal_id = deal_ids[static_cast<std::size_t>(g.deal)];
    spec.type_id = types[k % 4];
    spec.text = "Перезвонить по сделке «" + ds.deals[static_cast<std::size_t>(g.deal)].name + "»";
    spec.assignee_id = g.heavy ? out.heavy_user : 0;
    spec.due.at = g.at;
    spec.due.all_day = g.all_day;
    spec.due.time_zone = "UTC";
    out.tasks.push_back(db.create_task(sys, spec));
    if (g.completed) db.complete_task(sys, out.tasks.back(), "Сделано");
    if ((k + 1) % 100000 == 0)
      std::fprintf(stderr, "  tasks: %zu/%zu (%.1f s)\n", k + 1, ts.tasks.size(), micros_since(t0) / 1e6);
  }
  out.tasks_s = micros_since(t0) / 1e6;

  out.timeline_deal = deal_ids[static_cast<std::size_t>(ts.timeline_deal)];
  t0 = Clock::now();
  for (int j = 0; j < kTimelineEvents; ++j) {
    set_clock(kEpochEnd - kDay + static_cast<std::int64_t>(j) * 1000);
    db.add_comment(sys, out.timeline_deal, "Комментарий №" + std::to_string(j + 1) + ": клиент просит перезвонить");
  }
  out.comments_s = micros_since(t0) / 1e6;

  // Read back: every 97th task.
  for (std::size_t k = 0; k < ts.tasks.size(); k += 97) {
    const GenTask &g = ts.tasks[k];
    Task t = db.get_task(out.tasks[k]);
    if (t.due_at != g.due_at() || (t.completed_at != 0) != g.completed ||
        t.deal_id != deal_ids[static_cast<std::size_t>(g.deal)])
      throw std::runtime_error("task " + std::to_string(t.id) + " read back with due_at " + std::to_string(t.due_at) +
                               ", written " + std::to_string(g.due_at()));
  }
  return out;
}

void load_reference_tasks(const DataSet &ds, const std::vector<dealcore::Id> &deal_ids, const TaskSet &ts,
                          const TaskIds &tids, const std::string &dc_path, const std::string &ref_path) {
  Db db(ref_path, false);
  db.exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000");
  db.exec(R"SQL(
CREATE TABLE tasks(id INTEGER PRIMARY KEY, deal_id INTEGER NOT NULL, assignee_id INTEGER NOT NULL,
                   due_at INTEGER NOT NULL, completed INTEGER NOT NULL);
CREATE TABLE events(seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor_id INTEGER NOT NULL,
                    deal_id INTEGER NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL);
ALTER TABLE deals ADD COLUMN next_task_due INTEGER NOT NULL DEFAULT 9223372036854775807;
UPDATE deals SET open_task_count = 0;
)SQL");
  db.exec("BEGIN");
  {
    std::vector<std::int64_t> count(ds.deals.size(), 0), next(ds.deals.size(), kNoDue);
    Stmt ins(db.raw(), "INSERT INTO tasks VALUES (?, ?, ?, ?, ?)");
    for (std::size_t k = 0; k < ts.tasks.size(); ++k) {
      const GenTask &g = ts.tasks[k];
      auto di = static_cast<std::size_t>(g.deal);
      const GenDeal &d = ds.deals[di];
      dealcore::Id assignee = g.heavy ? tids.heavy_user : 0;
      if (!g.heavy && d.owner >= 0) assignee = -1;  // filled below: the owner's id is not in the data set here
      ins.bind(1, tids.tasks[k]).bind(2, deal_ids[di]).bind(3, assignee).bind(4, g.due_at()).bind(5, std::int64_t{g.completed});
      ins.run();
      ins.reset();
      if (!g.completed) {
        ++count[di];
        next[di] = std::min(next[di], g.due_at());
      }
    }
    // The owner as assignee, from the reference's own deals table.
    db.exec("UPDATE tasks SET assignee_id = (SELECT owner_id FROM deals WHERE deals.id = tasks.deal_id) "
            "WHERE assignee_id = -1");
    Stmt up(db.raw(), "UPDATE deals SET open_task_count = ?, next_task_due = ? WHERE id = ?");
    for (std::size_t i = 0; i < ds.deals.size(); ++i) {
      if (!count[i]) continue;
      up.bind(1, count[i]).bind(2, next[i]).bind(3, deal_ids[i]).run();
      up.reset();
    }
    // The event log, as dealcore's change feed gives it.
    auto dc = dealcore::Database::open(dc_path, bench_open_options());
    Stmt ev(db.raw(), "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)");
    std::int64_t after = 0;
    for (;;) {
      auto page = dc.events_after(after, 10000);
      if (page.empty()) break;
      for (const auto &e : page) {
        ev.bind(1, e.seq).bind(2, e.at).bind(3, e.actor_id).bind(4, e.deal_id).bind(5, e.kind).bind(6, e.payload);
        ev.run();
        ev.reset();
      }
      after = page.back().seq;
    }
  }
  db.exec("COMMIT");
  // What a DBA adds for these questions: open tasks by assignee in due
  // order, tasks by deal, the events of a deal by seq, and the deal
  // composites for "no open task" / "overdue" next to the owner filters.
  db.exec(R"SQL(
CREATE INDEX tasks_assignee_open_due ON tasks(assignee_id, completed, due_at);
CREATE INDEX tasks_deal_open_due ON tasks(deal_id, completed, due_at);
CREATE INDEX events_deal_seq ON events(deal_id, seq);
CREATE INDEX deals_owner_open_tasks_updated ON deals(owner_id, open_task_count, updated_at);
CREATE INDEX deals_pipeline_owner_open_tasks_updated ON deals(pipeline_id, owner_id, open_task_count, updated_at);
CREATE INDEX deals_owner_next_due ON deals(owner_id, next_task_due);
ANALYZE;
)SQL");
  Stmt m(db.raw(), "INSERT INTO meta VALUES (?, ?)");
  auto put = [&](const char *k, std::int64_t v) {
    m.bind(1, std::string(k)).bind(2, v).run();
    m.reset();
  };
  put("task_user", tids.heavy_user);
  put("timeline_deal", tids.timeline_deal);
  put("n_tasks", static_cast<std::int64_t>(ts.tasks.size()));
  put("dealcore_tasks_ms", static_cast<std::int64_t>(tids.tasks_s * 1000));
  put("dealcore_comments_ms", static_cast<std::int64_t>(tids.comments_s * 1000));
}

dealcore::Options bench_open_options() {
  dealcore::Options o;
  o.clock = [] { return kTaskNow; };
  return o;
}

}  // namespace bench

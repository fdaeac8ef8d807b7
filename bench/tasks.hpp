// bench/tasks.hpp — the tasks, the heavy task user and the long timeline of
// the benchmark (issue 3): generated deterministically next to the data set,
// loaded into dealcore through create_task / complete_task / add_comment, and
// mirrored into the reference file (a tasks table, open_task_count and
// next_task_due on deals, and a copy of the event log).
#pragma once

#include <dealcore/dealcore.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "dataset.hpp"

namespace bench {

// The bench's "now" for every task question: 2025-01-01 10:00 UTC (a
// Wednesday), after every generated time. The dealcore file is opened with
// a clock fixed here, so "overdue" means the same on both sides.
inline constexpr std::int64_t kTaskNow = kEpochEnd + 10 * 3600 * 1000LL;
// Tasks are given to the first deals only: create_task is one transaction a
// task, so the load time grows with them (see docs/performance-tasks.md).
inline constexpr std::int64_t kMaxTaskDeals = 200000;
inline constexpr int kHeavyUserTasks = 1000;
inline constexpr int kTimelineEvents = 10000;
// "No next task" in the reference's next_task_due column.
inline constexpr std::int64_t kNoDue = INT64_MAX;

struct GenTask {
  int deal = 0;           // deal index
  bool heavy = false;     // assigned to the heavy user (else: the deal's owner)
  std::int64_t at = 0;    // Due::at
  bool all_day = false;   // a whole UTC day
  bool completed = false;
  std::int64_t due_at() const { return all_day ? (at / kDay) * kDay + kDay - 1 : at; }
};

struct TaskSet {
  std::vector<GenTask> tasks;
  int timeline_deal = 0;  // deal index that gets kTimelineEvents comments
};

TaskSet generate_tasks(const DataSet &ds);

struct TaskIds {
  dealcore::Id heavy_user = 0;
  dealcore::Id timeline_deal = 0;
  std::vector<dealcore::Id> tasks;  // by TaskSet index
  double tasks_s = 0, comments_s = 0;
};

// Loads the tasks (and completes the completed ones) and the comments.
// clock_now is the loader's clock, set here before each call.
TaskIds load_tasks_dealcore(dealcore::Database &db, const DataSet &ds, const std::vector<dealcore::Id> &deal_ids,
                            const std::vector<dealcore::Id> &department_ids, const TaskSet &ts,
                            void (*set_clock)(std::int64_t));

// Mirrors tasks, deal task state and the event log into the reference file
// (dealcore's file is read through the public API for the events).
void load_reference_tasks(const DataSet &ds, const std::vector<dealcore::Id> &deal_ids, const TaskSet &ts,
                          const TaskIds &tids, const std::string &dc_path, const std::string &ref_path);

// Opening options for the measured dealcore file: the clock fixed at kTaskNow.
dealcore::Options bench_open_options();

}  // namespace bench

// dealcore/task.hpp — tasks on deals (seed H4, H5, L3), the task block in
// front of the responsible person, and the activity indicator (D5).
//
// A task is due at a moment, or on a whole day. A whole-day task is stored
// with due_at = the last millisecond of that day in the time zone it was
// given in, so "overdue" means due_at < now for both kinds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dealcore/types.hpp"

namespace dealcore {

// Built-in task types have these ids; companies add their own.
inline constexpr Id kTaskCall = 1;
inline constexpr Id kTaskMeeting = 2;
inline constexpr Id kTaskEmail = 3;
inline constexpr Id kTaskFollowUp = 4;

struct TaskType {
  Id id = 0;
  std::string name;
  bool builtin = false;
};

// When a task is due: a moment, or a whole calendar day.
struct Due {
  Millis at = 0;  // the moment (years 1..9999); for all_day, any moment within the day
  bool all_day = false;
  std::string time_zone = "UTC";  // IANA name ("Europe/Moscow"); fixes the day of an all-day task
};

struct TaskSpec {
  Id deal_id = 0;
  Id type_id = kTaskFollowUp;
  std::string text;  // required, up to 4000 bytes
  Id assignee_id = 0;  // 0: the deal's owner
  Due due;
};

struct Task {
  Id id = 0;
  Id deal_id = 0;
  Id type_id = 0;
  std::string text;
  Id assignee_id = 0;
  Id creator_id = 0;
  Millis due_at = 0;  // for all-day tasks: the last millisecond of the day
  bool all_day = false;
  Millis created_at = 0;
  Millis updated_at = 0;
  Millis completed_at = 0;  // 0 while open
  std::string result;
};

struct TaskPatch {
  std::optional<std::string> text;
  std::optional<Id> type_id;
};

enum class TaskGroup : int { overdue = 0, today = 1, tomorrow = 2, this_week = 3, later = 4 };

struct TaskBlockQuery {
  Id user_id = 0;        // the assignee, or
  Id department_id = 0;  // every assignee of this department
  std::string time_zone = "UTC";
  std::optional<Millis> now;  // default: the clock
  int per_group_limit = 50;   // 0..1000 tasks listed per group (counts are exact)
};

struct TaskBlockItem {
  Task task;
  std::string deal_name;
  Id pipeline_id = 0;
  Id stage_id = 0;
  std::string stage_name;
};

struct TaskBlockGroup {
  TaskGroup group = TaskGroup::overdue;
  std::int64_t count = 0;
  std::vector<TaskBlockItem> items;  // by due time
};

struct TaskBlock {
  std::vector<TaskBlockGroup> groups;  // the five groups, in TaskGroup order
};

enum class ActivityLevel : int { none = 0, low = 1, normal = 2, high = 3 };

struct ActivityOptions {
  int window_days = 30;
  std::optional<Millis> now;
};

// The components of the activity indicator; docs/activity.md has the formula.
struct Activity {
  Id deal_id = 0;
  int window_days = 30;
  std::int64_t tasks_created = 0;    // in the window (deleted tasks not counted)
  std::int64_t tasks_completed = 0;  // in the window
  std::int64_t completed_late = 0;   // of those, completed after their due time
  std::int64_t overdue_now = 0;      // open tasks past due
  std::int64_t open_tasks = 0;
  std::optional<double> days_since_touch;  // last event by a person; none: never
  double days_in_stage = 0;
  std::optional<int> rotting_days;  // the stage's; none: the stage does not rot
  bool rotting = false;
  int score = 0;
  ActivityLevel level = ActivityLevel::none;
};

}  // namespace dealcore

// views/task_index.hpp — the open tasks in memory (no I/O): the task block
// of a user reads them by (assignee, due), and the "task due between" list
// filter by due time. Completed and deleted tasks live only in SQLite.
#pragma once

#include <boost/multi_index/composite_key.hpp>
#include <boost/multi_index/hashed_index.hpp>
#include <boost/multi_index/member.hpp>
#include <boost/multi_index/ordered_index.hpp>
#include <boost/multi_index_container.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "dealcore/task.hpp"
#include "views/bitmap.hpp"
#include "views/compact.hpp"
#include "views/ordered_ids.hpp"

namespace dealcore::views {

struct OpenTask {
  std::uint32_t id = 0, deal = 0, assignee = 0, type = 0;
  Id creator = 0;
  Millis due = 0, created = 0, updated = 0;
  bool all_day = false;
  CompactString text;
};

class TaskIndex {
 public:
  // Inserts, replaces or (for a completed task) removes it.
  void put(const Task &t);
  void erase(Id task_id);

  // Calls fn(task) for the assignee's open tasks in due order until it
  // returns false.
  template <class F>
  void for_assignee(Id assignee, F &&fn) const {
    const auto &idx = tasks_.get<by_assignee>();
    auto a = static_cast<std::uint32_t>(assignee);
    for (auto it = idx.lower_bound(a); it != idx.end() && it->assignee == a; ++it)
      if (!fn(*it)) break;
  }
  // Deals with an open task due in [from, to): a sequential read of the
  // (due, deal) order, not a walk of the tree's nodes.
  Bitmap deals_due_between(Millis from, Millis to) const;
  std::size_t size() const { return tasks_.size(); }
  static Task to_task(const OpenTask &o);

  std::vector<std::string> diff(const TaskIndex &other) const;

  // The views cache (see views/cache.cpp). load() fills an empty index.
  void save(CacheWriter &w) const;
  void load(CacheReader &r);

 private:
  struct by_id {};
  struct by_assignee {};
  using Set = boost::multi_index_container<
      OpenTask,
      boost::multi_index::indexed_by<
          boost::multi_index::hashed_unique<boost::multi_index::tag<by_id>,
                                            boost::multi_index::member<OpenTask, std::uint32_t, &OpenTask::id>>,
          boost::multi_index::ordered_unique<
              boost::multi_index::tag<by_assignee>,
              boost::multi_index::composite_key<OpenTask,
                                                boost::multi_index::member<OpenTask, std::uint32_t, &OpenTask::assignee>,
                                                boost::multi_index::member<OpenTask, Millis, &OpenTask::due>,
                                                boost::multi_index::member<OpenTask, std::uint32_t, &OpenTask::id>>>>>;
  Set tasks_;
  // (due, deal) of every open task, in order; a deal appears once a task.
  OrderedIds due_deals_;
};

}  // namespace dealcore::views

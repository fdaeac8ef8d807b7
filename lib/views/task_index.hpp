// views/task_index.hpp — the open tasks in memory (no I/O): the task block
// of a user reads them by (assignee, due), and the "task due between" list
// filter by due time. Completed and deleted tasks live only in SQLite.
#pragma once

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

// The open tasks in a table of slots (a free slot's task id is 0), found by
// task id through a dense table of slot numbers, and in (assignee, due, id)
// order as slot numbers in sorted blocks: ~4 bytes a task for each, where a
// Boost.MultiIndex node with a hashed and an ordered index cost ~50 bytes
// of links and malloc headers beside its 64-byte value.
class TaskIndex {
 public:
  // Inserts, replaces or (for a completed task) removes it.
  void put(const Task &t);
  void erase(Id task_id);

  // Calls fn(task) for the assignee's open tasks in due order until it
  // returns false.
  template <class F>
  void for_assignee(Id assignee, F &&fn) const {
    if (assignee < 0 || assignee > static_cast<Id>(UINT32_MAX)) return;
    const auto a = static_cast<std::uint32_t>(assignee);
    const auto from = by_assignee_.partition_point([&](std::uint32_t s) { return slots_[s].assignee < a; });
    for (BySlot::Cursor c(by_assignee_, from, false); c.get() && slots_[*c.get()].assignee == a; c.next())
      if (!fn(slots_[*c.get()])) break;
  }
  // Deals with an open task due in [from, to): a sequential read of the
  // (due, deal) order, not a walk of the tree's nodes.
  Bitmap deals_due_between(Millis from, Millis to) const;
  std::size_t size() const { return by_assignee_.size(); }
  static Task to_task(const OpenTask &o);

  std::vector<std::string> diff(const TaskIndex &other) const;

  // The views cache (see views/cache.cpp). load() fills an empty index.
  // load() refuses a task id above max_task.
  void save(CacheWriter &w) const;
  void load(CacheReader &r, std::uint32_t max_task);
  // Calls fn(task) for every open task, in no order.
  template <class F>
  void for_each(F &&fn) const {
    for (const auto &t : slots_)
      if (t.id != 0) fn(t);
  }

 private:
  // Slots in (assignee, due, task id) order.
  struct AssigneeLess {
    const std::vector<OpenTask> *slots;
    bool operator()(std::uint32_t a, std::uint32_t b) const {
      const OpenTask &x = (*slots)[a], &y = (*slots)[b];
      if (x.assignee != y.assignee) return x.assignee < y.assignee;
      return x.due != y.due ? x.due < y.due : x.id < y.id;
    }
  };
  using BySlot = SortedBlocks<std::uint32_t, AssigneeLess>;
  AssigneeLess less() const { return {&slots_}; }
  // The slot of a task id, or nullptr.
  const std::uint32_t *slot_of(Id task_id) const;
  // A free slot holding o, its id entered.
  std::uint32_t place(OpenTask &&o);

  std::vector<OpenTask> slots_;
  std::vector<std::uint32_t> free_;          // slots whose task was removed
  std::vector<std::uint32_t> slot_by_id_;    // task id -> slot + 1; 0: not open
  BySlot by_assignee_;
  // (due, deal) of every open task, in order; a deal appears once a task.
  OrderedIds due_deals_;
};

}  // namespace dealcore::views

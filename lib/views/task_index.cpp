#include "views/task_index.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "dealcore/error.hpp"

namespace dealcore::views {

const std::uint32_t *TaskIndex::slot_of(Id task_id) const {
  if (task_id <= 0 || static_cast<std::uint64_t>(task_id) >= slot_by_id_.size()) return nullptr;
  const std::uint32_t &s = slot_by_id_[static_cast<std::size_t>(task_id)];
  return s == 0 ? nullptr : &s;
}

std::uint32_t TaskIndex::place(OpenTask &&o) {
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
    slots_[slot] = std::move(o);
  } else {
    if (slots_.size() >= UINT32_MAX - 1) throw Error(Errc::internal, "task index: too many open tasks");
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.push_back(std::move(o));
  }
  const std::size_t id = slots_[slot].id;
  if (id >= slot_by_id_.size()) slot_by_id_.resize(std::max(id + 1, slot_by_id_.size() * 3 / 2));
  slot_by_id_[id] = slot + 1;
  return slot;
}

void TaskIndex::put(const Task &t) {
  erase(t.id);
  if (t.completed_at != 0) return;
  if (t.id <= 0 || t.id > static_cast<Id>(UINT32_MAX) - 1 || t.deal_id > static_cast<Id>(UINT32_MAX))
    throw Error(Errc::internal, "task id outside the 32-bit range of the views");
  OpenTask o;
  o.id = static_cast<std::uint32_t>(t.id);
  o.deal = static_cast<std::uint32_t>(t.deal_id);
  o.assignee = static_cast<std::uint32_t>(t.assignee_id);
  o.type = static_cast<std::uint32_t>(t.type_id);
  o.creator = t.creator_id;
  o.due = t.due_at;
  o.created = t.created_at;
  o.updated = t.updated_at;
  o.all_day = t.all_day;
  o.text = CompactString(t.text);
  const KeyedId due{o.due, o.deal};
  by_assignee_.insert(place(std::move(o)), less());
  due_deals_.insert(due);
}

void TaskIndex::erase(Id task_id) {
  const std::uint32_t *found = slot_of(task_id);
  if (!found) return;
  const std::uint32_t slot = *found - 1;
  const OpenTask &o = slots_[slot];
  // Out of the order while the slot still holds the task's keys.
  if (!by_assignee_.erase(slot, less())) throw Error(Errc::internal, "task index: task not in its order");
  due_deals_.erase({o.due, o.deal});
  slot_by_id_[static_cast<std::size_t>(task_id)] = 0;
  slots_[slot] = OpenTask{};
  free_.push_back(slot);
}

Bitmap TaskIndex::deals_due_between(Millis from, Millis to) const {
  std::vector<std::uint32_t> deals;
  if (from < to)
    for (OrderedIds::Cursor c(due_deals_, due_deals_.seek({from, 0}, false), false); c.get() && c.get()->key < to;
         c.next())
      deals.push_back(c.get()->id);
  std::sort(deals.begin(), deals.end());
  deals.erase(std::unique(deals.begin(), deals.end()), deals.end());
  Bitmap out;
  out.add_many(deals.data(), deals.size());
  return out;
}

Task TaskIndex::to_task(const OpenTask &o) {
  Task t;
  t.id = o.id;
  t.deal_id = o.deal;
  t.type_id = o.type;
  t.text = std::string(o.text.view());
  t.assignee_id = o.assignee;
  t.creator_id = o.creator;
  t.due_at = o.due;
  t.all_day = o.all_day;
  t.created_at = o.created;
  t.updated_at = o.updated;
  return t;
}

std::vector<std::string> TaskIndex::diff(const TaskIndex &other) const {
  std::vector<std::string> out;
  if (size() != other.size()) out.push_back(fmt::format("open task count {} != {}", size(), other.size()));
  by_assignee_.for_each([&](std::uint32_t slot) {
    const OpenTask &t = slots_[slot];
    const std::uint32_t *s = other.slot_of(t.id);
    const OpenTask *it = s ? &other.slots_[*s - 1] : nullptr;
    if (!it || it->deal != t.deal || it->assignee != t.assignee || it->type != t.type || it->creator != t.creator ||
        it->due != t.due || it->created != t.created || it->updated != t.updated || it->all_day != t.all_day ||
        !(it->text == t.text))
      out.push_back(fmt::format("open task {} differs between memory and disk", t.id));
    return out.size() <= 50;
  });
  std::vector<std::uint32_t> mine, theirs;  // the orders, by task id
  by_assignee_.for_each([&](std::uint32_t s) { return mine.push_back(slots_[s].id), true; });
  other.by_assignee_.for_each([&](std::uint32_t s) { return theirs.push_back(other.slots_[s].id), true; });
  if (mine != theirs) out.push_back("the (assignee, due) order of open tasks differs");
  if (!(due_deals_ == other.due_deals_)) out.push_back("the due order of open tasks differs");
  return out;
}

}  // namespace dealcore::views

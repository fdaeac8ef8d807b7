#include "views/task_index.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "dealcore/error.hpp"

namespace dealcore::views {

void TaskIndex::put(const Task &t) {
  erase(t.id);
  if (t.completed_at != 0) return;
  if (t.id <= 0 || t.id > static_cast<Id>(UINT32_MAX) || t.deal_id > static_cast<Id>(UINT32_MAX))
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
  if (!tasks_.insert(std::move(o)).second) throw Error(Errc::internal, "task index: duplicate task");
  due_deals_.insert(due);
}

void TaskIndex::erase(Id task_id) {
  if (task_id <= 0 || task_id > static_cast<Id>(UINT32_MAX)) return;
  auto &ids = tasks_.get<by_id>();
  auto it = ids.find(static_cast<std::uint32_t>(task_id));
  if (it == ids.end()) return;
  due_deals_.erase({it->due, it->deal});
  ids.erase(it);
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
  if (tasks_.size() != other.tasks_.size())
    out.push_back(fmt::format("open task count {} != {}", tasks_.size(), other.tasks_.size()));
  const auto &o = other.tasks_.get<by_id>();
  for (const auto &t : tasks_) {
    auto it = o.find(t.id);
    if (it == o.end() || it->deal != t.deal || it->assignee != t.assignee || it->type != t.type ||
        it->creator != t.creator || it->due != t.due || it->created != t.created || it->updated != t.updated ||
        it->all_day != t.all_day || !(it->text == t.text))
      out.push_back(fmt::format("open task {} differs between memory and disk", t.id));
    if (out.size() > 50) break;
  }
  if (!(due_deals_ == other.due_deals_)) out.push_back("the due order of open tasks differs");
  return out;
}

}  // namespace dealcore::views

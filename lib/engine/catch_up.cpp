// Bringing the views up to date from the event log, instead of rebuilding
// them from the tables, after writes they did not see: another process's
// (refresh(), or the next write), or those that followed the views cache
// before a process ended without closing.
//
// Every dealcore write appends events naming what it changed, in the same
// transaction. The events after the views' sync point name the deals (every
// deal.*, task.*, comment.* and event.* event carries its deal), the tasks
// and contacts (by the id their payload starts with) and catalog changes;
// those are read again, in one snapshot, and put into the views. Writes by
// other programs leave no events; they change the views stamp's `outside`
// value, and then, as for an event kind this code does not know, the views
// are rebuilt from the tables.
#include <charconv>
#include <set>

#include "engine/impl.hpp"
#include "engine/views_cache.hpp"

namespace dealcore {

namespace {

// More events than this: a rebuild is about as fast.
constexpr int kMaxEvents = 100000;

// The id that a payload written by JsonObject starts with: {"task":12,...
std::optional<Id> leading_id(const std::string &payload, std::string_view key) {
  const std::string prefix = "{\"" + std::string(key) + "\":";
  if (payload.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  Id v = 0;
  auto [end, ec] = std::from_chars(payload.data() + prefix.size(), payload.data() + payload.size(), v);
  if (ec != std::errc() || v <= 0) return std::nullopt;
  return v;
}

bool starts_with(const std::string &s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }

struct Touched {
  std::set<Id> deals, tasks, contacts;
  bool catalog = false;

  // False for an event whose changes this code cannot tell.
  bool add(const Event &e) {
    if (e.deal_id > 0) deals.insert(e.deal_id);
    if (starts_with(e.kind, "task.")) {
      auto id = leading_id(e.payload, "task");
      if (!id || e.deal_id <= 0) return false;
      tasks.insert(*id);
      return true;
    }
    if (e.kind == "contact.created" || e.kind == "contact.updated") {
      auto id = leading_id(e.payload, "contact");
      if (!id) return false;
      contacts.insert(*id);
      return true;
    }
    for (std::string_view p : {"pipeline.", "department.", "user.", "tag.", "task_type."})
      if (starts_with(e.kind, p)) {
        catalog = true;
        return true;
      }
    for (std::string_view p : {"deal.", "comment.", "event."})
      if (starts_with(e.kind, p)) return e.deal_id > 0;
    return false;
  }
};

}  // namespace

bool Database::Impl::catch_up_from_events() {
  Touched touched;
  SyncPoint last = synced_;
  std::size_t events_read = 0;
  std::vector<Contact> contacts;
  std::vector<store::DealRecord> deals;
  std::vector<std::pair<Id, std::optional<Task>>> tasks;  // nullopt: deleted
  {
    store::ReadTxn snapshot(store_.conn());
    auto stamp = store_.views_stamp();
    if (!stamp || stamp->outside != synced_.outside) return false;
    // A log without the views' last event, or with another one under its
    // seq, is not the one they were made from (a backup restored under us,
    // perhaps written to since).
    if (event_fingerprint_at(synced_.seq) != synced_.event) return false;
    auto events = store_.events_after(synced_.seq, kMaxEvents + 1);
    if (events.size() > static_cast<std::size_t>(kMaxEvents)) return false;
    for (const auto &e : events)
      if (!touched.add(e)) return false;
    if (!events.empty()) last = {events.back().seq, synced_.outside, event_fingerprint(events.back())};
    events_read = events.size();
    for (Id id : touched.contacts) {
      auto c = store_.load_contact(id);
      if (!c) return false;  // contacts are never deleted
      contacts.push_back(std::move(*c));
    }
    for (Id id : touched.deals) {
      auto d = store_.load_deal(id);
      if (!d) return false;  // nor are deals
      deals.push_back(std::move(*d));
    }
    for (Id id : touched.tasks) tasks.emplace_back(id, store_.load_task(id));
    // Last: from here on the catalog in memory is the file's, and nothing
    // returns false.
    if (touched.catalog) load_catalog();
  }
  if (touched.catalog) views_->set_stage_positions(stage_positions());
  views_->contacts().replace(contacts);
  for (const auto &d : deals) views_->put(d);
  for (const auto &[id, t] : tasks) {
    if (t)
      views_->tasks().put(*t);
    else
      views_->tasks().erase(id);
  }
  synced_ = last;
  caught_up_events_ = static_cast<std::size_t>(events_read);
  return true;
}

}  // namespace dealcore

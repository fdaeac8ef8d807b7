// engine/impl.hpp — Database::Impl: commands and queries over the store and
// the views. Internal; the public face is dealcore/database.hpp.
//
// The write path, for every mutation:
//   1. take the writer lock (views) and the store lock (the connection);
//   2. validate the input against the tables;
//   3. in one SQLite transaction, write the rows and append their events;
//   4. commit; only then apply the changed rows to the views.
// If anything before the commit throws, the transaction rolls back and the
// views were never touched.
#pragma once

#include <memory>
#include <optional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "dealcore/database.hpp"
#include "engine/fair_mutex.hpp"
#include "model/contact_norm.hpp"
#include "store/store.hpp"
#include "views/deal_views.hpp"

namespace dealcore {

class Database::Impl {
 public:
  Impl(const std::string &path, const Options &options);
  ~Impl();  // writes the views cache when Options say so (errors ignored)

  // What a committed transaction leaves for the views.
  struct Pending {
    std::vector<store::DealRecord> deals;
    std::vector<std::pair<std::optional<Contact>, Contact>> contacts;  // (old, new)
    std::vector<Task> tasks;        // open ones are indexed, completed ones leave
    std::vector<Id> deleted_tasks;
    bool catalog = false;
  };

  // Runs fn(pending) inside a write transaction under the writer locks, then
  // commits and applies `pending` to the views. Returns fn's result.
  template <class F>
  auto write(Actor actor, F &&fn);

  Millis now() const { return clock_(); }
  void check_actor(Actor a) const;

  // Catalog lookups (callers hold a lock). Each throws not_found.
  const Pipeline &pipeline(Id id) const;
  const Stage &stage(Id id) const;
  const User &user(Id id) const;
  const Tag &tag(Id id) const;
  void check_department(Id id) const;
  const Stage &first_open_stage(const Pipeline &p) const;

  // Writes a deal's row, its tag and contact differences and the events
  // describing them. before == nullptr: a new deal (after.id is set).
  // Returns false when nothing changed (and nothing was written).
  bool save_deal(Actor actor, const store::DealRecord *before, store::DealRecord &after, Pending &pending,
                 const char *stage_reason = nullptr);
  store::DealRecord load_deal(Id id);  // throws not_found
  Task load_task(Id id);               // throws not_found
  // Recounts a deal's open tasks after a task change and queues the row.
  void refresh_task_state(Id deal, Pending &pending);
  // The activity indicator, from SQLite (caller holds store_mu_).
  Activity compute_activity(Id deal, int window_days, Millis now) const;
  std::vector<Id> unique_ids(const std::vector<Id> &ids) const;
  void move_record(store::DealRecord &d, const Stage &target, const std::string &lost_reason);
  void assign_record(store::DealRecord &d, Id owner);

  // Brings catalog and views up to date if another connection wrote since
  // we looked: from the event log when it describes every change, else by
  // a rebuild from the tables.
  void catch_up();
  // Where the views stand: every event up to seq is reflected in them, the
  // file's views stamp had this `outside` value (see store.cpp, v4), and
  // the event at seq had this fingerprint (0 when seq is 0). Events are
  // never changed or deleted, so a file whose event at seq differs (a
  // backup restored under us, perhaps written to since) is not the one the
  // views were made from.
  struct SyncPoint {
    std::int64_t seq = 0;
    std::int64_t outside = 0;
    std::uint64_t event = 0;
  };
  // event_fingerprint of the file's event at seq; 0 for seq 0; nullopt
  // when the file has no event there.
  std::optional<std::uint64_t> event_fingerprint_at(std::int64_t seq);
  // Re-reads what the events after synced_.seq touched (deals, their tasks,
  // contacts, the catalog) in one snapshot and applies it to views_
  // (engine/catch_up.cpp). Returns false, having changed nothing in the
  // views, when the log cannot describe the changes: another program wrote
  // (`outside` moved), too many events, or an event it does not know. If it
  // throws, the views may be half-changed and must be rebuilt.
  bool catch_up_from_events();
  // Applies a committed transaction's rows to the views.
  void apply(const Pending &pending) noexcept;
  void load_catalog();
  // The views from the tables, in one snapshot; *at (when given) gets the
  // snapshot's sync point.
  std::unique_ptr<views::DealViews> build_views(SyncPoint *at = nullptr);
  // The catalog and the views again from the tables (not the cache).
  void rebuild_views();
  // At open, into views_: the views from the cache if it is current, or
  // behind the file by dealcore's own writes only (then brought up to date
  // from the event log); else build_views().
  void open_views();
  // Writes the views cache if the views hold at least min_deals deals and
  // are in step with the file; unless forced, not when the cache already
  // holds them. Returns whether the cache now holds the views.
  bool save_views_cache(std::int64_t min_deals, bool force);
  std::unordered_map<Id, int> stage_positions() const;
  std::vector<Id> deals_for_phone(const std::string &phone) const;  // under a read lock
  std::vector<Id> deals_for_email(const std::string &email) const;
  const views::DealViews &views() const;  // throws if stale_

  std::string path_;
  Options options_;
  Clock clock_;
  model::PhoneNormalizer phones_;

  mutable FairSharedMutex mu_;  // catalog and views: many readers, one writer
  mutable std::mutex store_mu_;   // the SQLite connection
  mutable store::Store store_;  // guarded by store_mu_
  std::unique_ptr<views::DealViews> views_;
  std::int64_t data_version_ = 0;
  SyncPoint synced_;  // guarded like views_
  std::size_t caught_up_events_ = 0;  // by the last catch_up_from_events()
  // An open that caught up from more events than this rewrites the cache.
  static constexpr std::size_t kRecacheEvents = 10000;
  bool stale_ = false;  // a failed apply left the views behind; refresh() mends
  std::string cache_path_;  // the views cache; "" for an in-memory database
  // The stamp of the views the cache file was last seen holding (loaded or
  // written by us); guarded by store_mu_.
  std::optional<store::ViewsStamp> cached_;
  bool from_cache_ = false;  // views_ came from the cache

  std::vector<Pipeline> pipelines_;  // by position, archived included
  std::unordered_map<Id, std::size_t> pipeline_at_;  // id -> index in pipelines_
  std::unordered_map<Id, Stage> stages_;
  std::unordered_map<Id, User> users_;
  std::vector<Department> departments_;
  std::vector<Tag> tags_;
  std::vector<TaskType> task_types_;
};

template <class F>
auto Database::Impl::write(Actor actor, F &&fn) {
  std::unique_lock lock(mu_);
  std::lock_guard store_lock(store_mu_);
  catch_up();
  check_actor(actor);
  Pending pending;
  store::Txn tx(store_.conn());
  store_.begin_views_write();
  // Another connection may have committed between catch_up() and BEGIN
  // IMMEDIATE. Then the sync point stays where it is, and the next
  // catch_up() applies their events and ours again (rereading is harmless).
  const bool others_wrote = store_.data_version() != data_version_;
  auto finish = [&] {
    store_.end_views_write(pending.catalog || !pending.deals.empty() || !pending.contacts.empty() ||
                           !pending.tasks.empty() || !pending.deleted_tasks.empty());
    auto seq = store_.last_event_seq();
    std::optional<std::uint64_t> event;
    if (!others_wrote) event = seq == synced_.seq ? synced_.event : event_fingerprint_at(seq).value_or(0);
    tx.commit();
    if (event) synced_ = {seq, synced_.outside, *event};  // our events are in the views once applied
    apply(pending);
  };
  if constexpr (std::is_void_v<decltype(fn(pending))>) {
    fn(pending);
    finish();
  } else {
    auto result = fn(pending);
    finish();
    return result;
  }
}

}  // namespace dealcore

// dealcore/database.hpp — an open dealcore database: the entry point.
//
//   auto db = dealcore::Database::open("crm.db");
//   auto sales = db.create_pipeline(dealcore::Actor::system(), "Продажи",
//       {{.name = "Новая"}, {.name = "Успех", .kind = dealcore::StageKind::won},
//        {.name = "Отказ", .kind = dealcore::StageKind::lost}});
//   auto id = db.create_deal(dealcore::Actor::system(),
//       {.name = "Поставка", .pipeline_id = sales, .amount = 1500000});
//   auto page = db.list_deals({.pipelines = {sales}}, {});
//
// SQLite is the truth; the lists, boards and lookups are answered from views
// kept in memory and derived from the tables. Every mutation is one SQLite
// transaction that also appends its events; the views change only after it
// commits. A call that throws dealcore::Error has changed nothing.
//
// Thread safety: one Database may be shared by threads. Reads run in
// parallel; writes are serialized. Several processes may open one file; a
// process sees the others' changes after refresh().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dealcore/catalog.hpp"
#include "dealcore/deal.hpp"
#include "dealcore/error.hpp"
#include "dealcore/export.h"
#include "dealcore/query.hpp"
#include "dealcore/task.hpp"
#include "dealcore/timeline.hpp"
#include "dealcore/types.hpp"

namespace dealcore {

struct Options {
  bool create_if_missing = true;
  std::string default_region = "RU";  // for phone numbers written without "+"
  Clock clock;                        // default: the system clock
  int busy_timeout_ms = 5000;
  // Upper bound of the file's size (0: none). A write that would pass it
  // fails with Errc::io like a full disk, and changes nothing.
  std::int64_t max_size_bytes = 0;
  // The views cache, a file beside the database ("<path>-views"): open()
  // loads the views from it when it was written from exactly the rows the
  // file holds now, or when only dealcore changed them since (then the
  // event log brings the views up to date); a change by any other SQLite
  // client makes it unusable, and the views are built from the tables.
  // The views are written to it, if they hold at least
  // views_cache_min_deals deals and the cache does not hold them already,
  // when the database is closed, and also by an open that built them from
  // the tables or caught up over more than 10,000 events.
  // A missing, stale or damaged cache is never an error. false: the cache
  // is neither read nor written on its own (save_views_cache() still is).
  bool views_cache = true;
  std::int64_t views_cache_min_deals = 10000;
};

// One entry of the event log. seq is global and increasing.
struct Event {
  std::int64_t seq = 0;
  Millis at = 0;
  Id actor_id = 0;
  Id deal_id = 0;      // 0 for events that concern no deal
  std::string kind;    // "deal.created", "deal.stage_changed", ...
  std::string payload; // a JSON object; its fields depend on kind
};

struct VerifyReport {
  bool ok = true;
  std::vector<std::string> differences;  // human-readable, empty when ok
};

class DEALCORE_EXPORT Database {
 public:
  // Opens (or creates) the file, migrates its schema, builds the views.
  // Throws Errc::io, Errc::busy, or Errc::version for a newer schema.
  static Database open(const std::string &path, const Options &options = {});

  Database(Database &&) noexcept;
  Database &operator=(Database &&) noexcept;
  Database(const Database &) = delete;
  Database &operator=(const Database &) = delete;
  ~Database();

  // ---- pipelines and stages -------------------------------------------
  // A pipeline needs at least one open stage; won/lost stages are optional.
  Id create_pipeline(Actor actor, const std::string &name, const std::vector<StageSpec> &stages);
  void rename_pipeline(Actor actor, Id pipeline_id, const std::string &name);
  // order must list every pipeline exactly once.
  void reorder_pipelines(Actor actor, const std::vector<Id> &order);
  void archive_pipeline(Actor actor, Id pipeline_id, bool archived = true);
  // Replaces the pipeline's stage list: specs with an id keep (and may rename,
  // recolour or reorder) that stage, id 0 adds one, a stage left out is
  // deleted. A deleted stage that still holds deals needs a (from, to) pair in
  // move_deals, to being a kept stage of the same pipeline; otherwise
  // Errc::constraint and nothing changes (a `to` of another pipeline:
  // Errc::conflict).
  void update_stages(Actor actor, Id pipeline_id, const std::vector<StageSpec> &stages,
                     const std::vector<std::pair<Id, Id>> &move_deals = {});
  std::vector<Pipeline> pipelines(bool include_archived = false) const;
  Pipeline pipeline(Id pipeline_id) const;

  // ---- departments, users, tags ---------------------------------------
  Id create_department(Actor actor, const std::string &name);
  void rename_department(Actor actor, Id department_id, const std::string &name);
  std::vector<Department> departments() const;

  Id create_user(Actor actor, const std::string &name, Id department_id = 0,
                 const std::string &external_ref = {});
  // Moving a user to another department moves the deals that follow them.
  void update_user(Actor actor, Id user_id, const std::optional<std::string> &name,
                   const std::optional<Id> &department_id, const std::optional<bool> &active = {});
  std::vector<User> users() const;

  Id create_tag(Actor actor, const std::string &name, const std::string &color = {});
  void rename_tag(Actor actor, Id tag_id, const std::string &name);
  void delete_tag(Actor actor, Id tag_id);  // removes it from every deal
  std::vector<Tag> tags() const;

  // ---- contacts ---------------------------------------------------------
  Id create_contact(Actor actor, const ContactSpec &spec);
  // Many contacts in one transaction (an import), all or none; at most
  // 100,000 a call. Returns their ids in order.
  std::vector<Id> create_contacts(Actor actor, const std::vector<ContactSpec> &specs);
  void update_contact(Actor actor, Id contact_id, const ContactSpec &spec);  // replaces all fields
  Contact contact(Id contact_id) const;
  void link_contact(Actor actor, Id deal_id, Id contact_id);
  void unlink_contact(Actor actor, Id deal_id, Id contact_id);
  std::vector<Id> find_contacts_by_phone(const std::string &phone) const;
  std::vector<Id> find_contacts_by_email(const std::string &email) const;
  // The deals (archived included) linked to a contact with this phone /
  // e-mail. A phone may also be given as its last 5 or more digits.
  std::vector<Id> find_deals_by_phone(const std::string &phone) const;
  std::vector<Id> find_deals_by_email(const std::string &email) const;
  // "+79123456789" for "8 (912) 345-67-89"; Errc::invalid_argument otherwise.
  std::string normalize_phone(const std::string &phone) const;

  // ---- deals --------------------------------------------------------------
  Id create_deal(Actor actor, const DealSpec &spec);
  // Many new deals in one transaction (an import): all are created or, if
  // any is refused, none; the error names the deal's index in the batch.
  // At most 100,000 a call. Returns their ids in order.
  std::vector<Id> create_deals(Actor actor, const std::vector<DealSpec> &specs);
  // Creates the deal named by spec.external_ref, or updates the one that has
  // it: every field of the spec replaces the deal's (so empty tags, contacts,
  // client or segment clear them; a different stage moves it). Returns its id.
  Id upsert_deal(Actor actor, const DealSpec &spec);
  void update_deal(Actor actor, Id deal_id, const DealPatch &patch);
  Deal get_deal(Id deal_id) const;
  std::optional<Deal> find_deal_by_ref(const std::string &external_ref) const;

  // Bulk operations: every id must exist; all change in one transaction or
  // none does. Duplicated ids are treated once.
  void move_deals(Actor actor, const std::vector<Id> &deal_ids, const MoveTarget &target);
  void assign_deals(Actor actor, const std::vector<Id> &deal_ids, Id owner_id);
  void tag_deals(Actor actor, const std::vector<Id> &deal_ids, const std::vector<Id> &add,
                 const std::vector<Id> &remove);
  void archive_deals(Actor actor, const std::vector<Id> &deal_ids, bool archived = true);

  // ---- reads from the views ----------------------------------------------
  DealPage list_deals(const DealFilter &filter, const ListOptions &options = {}) const;
  // The same page with its items as views into one buffer (see DealView):
  // for hosts that show or copy a page and want to skip the allocations of
  // its Deals' strings. ListOptions::ids_only is honoured as in list_deals.
  DealViewPage list_deal_views(const DealFilter &filter, const ListOptions &options = {}) const;
  Board board(Id pipeline_id, const BoardFilter &filter = {}) const;
  // The same board's counts and sums without stage names or cards (the
  // filter's owners, departments and tags apply; cards_per_stage and
  // time_zone are not read).
  BoardTotals board_totals(Id pipeline_id, const BoardFilter &filter = {}) const;
  std::int64_t deal_count(ArchivedMode mode = ArchivedMode::exclude) const;

  // ---- tasks (H4, H5, L3) -------------------------------------------------
  Id create_task_type(Actor actor, const std::string &name);
  std::vector<TaskType> task_types() const;
  // The assignee defaults to the deal's owner. Due: a moment, or a whole day
  // in the given time zone.
  Id create_task(Actor actor, const TaskSpec &spec);
  void complete_task(Actor actor, Id task_id, const std::string &result = {});
  void reopen_task(Actor actor, Id task_id);  // a completed task only
  void reschedule_task(Actor actor, Id task_id, const Due &due);
  void reassign_task(Actor actor, Id task_id, Id assignee_id);
  void update_task(Actor actor, Id task_id, const TaskPatch &patch);
  void delete_task(Actor actor, Id task_id);
  Task get_task(Id task_id) const;
  std::vector<Task> deal_tasks(Id deal_id, bool include_completed = false) const;
  // Open tasks of a user or a department, grouped overdue / today / tomorrow
  // / this week / later in the caller's time zone (H5).
  TaskBlock task_block(const TaskBlockQuery &query) const;
  // The activity indicator of a deal (D5); see docs/activity.md.
  Activity activity(Id deal_id, const ActivityOptions &options = {}) const;

  // ---- comments, timeline, pins, stage history (H1, H3, H4, H7) -----------
  // mentions: user ids named in the comment.
  Id add_comment(Actor actor, Id deal_id, const std::string &text, const std::vector<Id> &mentions = {});
  void edit_comment(Actor actor, Id comment_id, const std::string &text);  // the old text stays in history
  void delete_comment(Actor actor, Id comment_id);
  TimelinePage timeline(Id deal_id, const TimelineQuery &query = {}) const;
  // Marks an event of a deal as important; pinning is itself recorded.
  // Pinning a pinned event, or unpinning one that is not, changes and
  // records nothing. An event of no deal: Errc::conflict.
  void pin_event(Actor actor, std::int64_t seq);
  void unpin_event(Actor actor, std::int64_t seq);
  std::vector<StageInterval> stage_history(Id deal_id) const;

  // ---- the event log -------------------------------------------------------
  // The change feed: events with seq > after_seq, oldest first, at most
  // limit (1..10000). Resume with the last seq you processed.
  std::vector<Event> events_after(std::int64_t after_seq, int limit = 1000) const;
  std::int64_t last_event_seq() const;

  // ---- consistency and other processes -----------------------------------
  // Rebuilds the views aside from the tables and compares them with the live
  // ones. Differences are bugs; tests and crash tests rely on this.
  VerifyReport verify() const;
  // If another connection changed the file, brings the views up to date:
  // from the event log when only dealcore wrote since (rereading the deals,
  // tasks, contacts and catalog its events name), else by a rebuild from
  // the tables. Returns true when the file had changed.
  bool refresh();

  // Writes the views cache now, whatever the number of deals. Returns false,
  // writing nothing, when the views are behind the file (another connection
  // wrote since the last refresh()) or another program deleted the file's
  // views stamp row (then no cache is read or written). Throws Errc::io
  // when it cannot be written (a full disk included: the previous cache is
  // then intact), and Errc::invalid_argument for an in-memory database.
  bool save_views_cache();
  // True when the views in memory were loaded from the views cache (and,
  // if it was stale by dealcore's writes only, brought up to date from the
  // event log), false when they were built from the tables (at open, or by
  // a later catch-up that had to rebuild).
  bool views_from_cache() const;

  const std::string &path() const;

  class Impl;

 private:
  explicit Database(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dealcore

// store/store.hpp — the schema and every SQL statement of dealcore.
//
// The store knows tables, not rules: it reads and writes rows as told. The
// engine validates, calls the store inside one Txn, and applies the result
// to the views only after the commit.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dealcore/catalog.hpp"
#include "dealcore/database.hpp"
#include "dealcore/deal.hpp"
#include "dealcore/task.hpp"
#include "store/sqlite.hpp"

namespace dealcore::store {

// The schema version this library writes (PRAGMA user_version).
inline constexpr int kSchemaVersion = 4;

// A deal row as stored: the public Deal plus what only the engine needs.
struct DealRecord : Deal {
  bool department_explicit = false;  // false: the department follows the owner
};

// What the views were built from: the database's id and the random stamp
// that every change to a table the views read replaces (schema v3), and
// `outside`, which only changes made by other programs replace (v4).
struct ViewsStamp {
  std::string db_id;
  std::int64_t stamp = 0;
  std::int64_t outside = 0;
  friend bool operator==(const ViewsStamp &, const ViewsStamp &) = default;
};

struct ContactRecord : Contact {};

class Store {
 public:
  Store(const std::string &path, bool create, int busy_timeout_ms);

  Connection &conn() { return conn_; }
  // Changes whenever another connection commits (PRAGMA data_version).
  std::int64_t data_version();
  void set_max_size(std::int64_t bytes);
  // nullopt when the row is gone (deleted by another program): then no
  // views cache can be trusted or written.
  std::optional<ViewsStamp> views_stamp();
  // Inside every dealcore write transaction: begin_views_write() first (the
  // stamp's triggers then stay quiet), end_views_write() last, replacing
  // the stamp when the write changed what the views read.
  void begin_views_write();
  void end_views_write(bool views_changed);

  // ---- catalog ------------------------------------------------------------
  std::vector<Department> load_departments();
  std::vector<User> load_users();
  std::vector<Pipeline> load_pipelines();  // all, archived included, with stages
  std::vector<Tag> load_tags();

  Id insert_department(const std::string &name);
  void rename_department(Id id, const std::string &name);
  Id insert_user(const User &u);
  void update_user(const User &u);
  Id insert_pipeline(const std::string &name, int position);
  void update_pipeline(const Pipeline &p);  // name, position, archived
  Id insert_stage(const Stage &s);
  void update_stage(const Stage &s);
  void delete_stage(Id stage_id);
  std::vector<Id> deal_ids_in_stage(Id stage_id);
  std::vector<Id> deal_ids_following_owner(Id owner_id);
  Id insert_tag(const std::string &name, const std::string &name_key, const std::string &color);
  void rename_tag(Id id, const std::string &name, const std::string &name_key);
  std::vector<Id> delete_tag(Id id);  // returns the deals that had it

  // ---- deals ------------------------------------------------------------------
  Id insert_deal(const DealRecord &d);  // also writes tags and contacts
  void update_deal(const DealRecord &d);  // the row only
  std::optional<DealRecord> load_deal(Id id);  // with tags and contacts
  Id max_deal_id();  // 0: no deals
  std::optional<Id> deal_id_by_ref(const std::string &external_ref);
  void add_deal_tag(Id deal, Id tag);
  void remove_deal_tag(Id deal, Id tag);
  void link_contact(Id deal, Id contact);
  void unlink_contact(Id deal, Id contact);
  // Every deal with tags and contacts, in id order.
  void scan_deals(const std::function<void(DealRecord &&)> &fn);

  // ---- contacts ----------------------------------------------------------------
  Id insert_contact(const Contact &c);
  void update_contact(const Contact &c);  // replaces phones and e-mails
  std::optional<Contact> load_contact(Id id);
  std::optional<Id> contact_id_by_ref(const std::string &external_ref);
  std::vector<Id> deals_of_contact(Id contact_id);
  void scan_contacts(const std::function<void(Contact &&)> &fn);

  // ---- tasks (history_store.cpp) -------------------------------------------
  std::vector<TaskType> load_task_types();
  Id insert_task_type(const std::string &name, const std::string &name_key);
  Id insert_task(const Task &t);
  void update_task(const Task &t);  // every column but id and deal
  std::optional<Task> load_task(Id id);  // deleted tasks are not found
  std::vector<Task> deal_tasks(Id deal, bool include_completed);
  // Open-task count and earliest due time of a deal, from the tasks table.
  std::pair<int, Millis> open_task_state(Id deal);
  void set_deal_task_state(Id deal, int count, Millis next_due);
  void delete_task(Id id);
  void scan_open_tasks(const std::function<void(Task &&)> &fn);
  struct TaskStats {
    std::int64_t created = 0, completed = 0, late = 0, overdue = 0, open = 0;
  };
  TaskStats task_stats(Id deal, Millis since, Millis now);
  std::optional<Millis> last_touch(Id deal);  // latest event by a person
  bool deal_exists(Id deal);

  // ---- comments, pins, timeline, stage intervals -----------------------------
  Id insert_comment(Id deal, Id author, const std::string &text, const std::string &mentions_json, Millis at);
  struct CommentRow {
    Id id = 0, deal = 0, author = 0;
    std::string text;
    bool deleted = false;
  };
  std::optional<CommentRow> load_comment(Id id);
  void update_comment(Id id, const std::string &text, bool deleted, Millis at);
  std::optional<Event> load_event(std::int64_t seq);
  struct PinRow {
    std::int64_t seq = 0;
    Millis pinned_at = 0;
    Id pinned_by = 0;
  };
  std::vector<PinRow> pins_of(Id deal);  // in pin order
  bool is_pinned(std::int64_t seq);
  void pin(std::int64_t seq, Id deal, Millis at, Id by);
  void unpin(std::int64_t seq);
  // Events of a deal with seq < before (0: no bound), newest first, not
  // pinned, optionally only these kinds (a kind ending in '.' is a prefix)
  // and actors.
  std::vector<Event> timeline(Id deal, std::int64_t before, const std::vector<std::string> &kinds,
                              const std::vector<Id> &actors, int limit);
  void open_interval(Id deal, Id pipeline, Id stage, Millis at);
  void close_interval(Id deal, Millis at);
  struct IntervalRow {
    Id pipeline = 0, stage = 0;
    Millis entered = 0;
    std::optional<Millis> left;
  };
  std::vector<IntervalRow> intervals(Id deal);

  // ---- events ------------------------------------------------------------------
  std::int64_t append_event(Millis at, Id actor, Id deal, const char *kind, const std::string &payload);
  std::vector<Event> events_after(std::int64_t seq, int limit);
  std::optional<Event> event_at(std::int64_t seq);
  std::int64_t last_event_seq();
  // The largest contact and task ids (0: none), for the views cache's checks.
  std::int64_t max_contact_id();
  std::int64_t max_task_id();

 private:
  std::int64_t scalar(const char *sql);
  void migrate();
  void migrate_intervals_v2();
  Connection conn_;
};

}  // namespace dealcore::store

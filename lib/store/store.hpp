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
#include "store/sqlite.hpp"

namespace dealcore::store {

// The schema version this library writes (PRAGMA user_version).
inline constexpr int kSchemaVersion = 1;

// A deal row as stored: the public Deal plus what only the engine needs.
struct DealRecord : Deal {
  bool department_explicit = false;  // false: the department follows the owner
};

struct ContactRecord : Contact {};

class Store {
 public:
  Store(const std::string &path, bool create, int busy_timeout_ms);

  Connection &conn() { return conn_; }
  // Changes whenever another connection commits (PRAGMA data_version).
  std::int64_t data_version();
  void set_max_size(std::int64_t bytes);

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

  // ---- events ------------------------------------------------------------------
  std::int64_t append_event(Millis at, Id actor, Id deal, const char *kind, const std::string &payload);
  std::vector<Event> events_after(std::int64_t seq, int limit);
  std::int64_t last_event_seq();

 private:
  void migrate();
  Connection conn_;
};

}  // namespace dealcore::store

#include "store/store.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "dealcore/error.hpp"

namespace dealcore::store {

namespace {

const char *const kSchemaV1 = R"SQL(
CREATE TABLE departments(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL);
CREATE TABLE users(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  department_id INTEGER REFERENCES departments(id),
  active INTEGER NOT NULL DEFAULT 1,
  external_ref TEXT UNIQUE);
CREATE TABLE pipelines(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  archived INTEGER NOT NULL DEFAULT 0);
CREATE TABLE stages(
  id INTEGER PRIMARY KEY,
  pipeline_id INTEGER NOT NULL REFERENCES pipelines(id),
  name TEXT NOT NULL,
  kind INTEGER NOT NULL CHECK (kind IN (0, 1, 2)),
  position INTEGER NOT NULL,
  color TEXT NOT NULL DEFAULT '',
  probability INTEGER,
  rotting_days INTEGER);
CREATE INDEX stages_pipeline ON stages(pipeline_id, position);
CREATE TABLE tags(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL UNIQUE,
  color TEXT NOT NULL DEFAULT '');
CREATE TABLE deals(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  pipeline_id INTEGER NOT NULL REFERENCES pipelines(id),
  stage_id INTEGER NOT NULL REFERENCES stages(id),
  amount INTEGER NOT NULL DEFAULT 0,
  currency TEXT NOT NULL,
  owner_id INTEGER REFERENCES users(id),
  department_id INTEGER REFERENCES departments(id),
  department_explicit INTEGER NOT NULL DEFAULT 0,
  client_ref TEXT NOT NULL DEFAULT '',
  client_name TEXT NOT NULL DEFAULT '',
  segment TEXT NOT NULL DEFAULT '',
  external_ref TEXT UNIQUE,
  lost_reason TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  closed_at INTEGER NOT NULL DEFAULT 0,
  stage_changed_at INTEGER NOT NULL,
  archived INTEGER NOT NULL DEFAULT 0,
  open_task_count INTEGER NOT NULL DEFAULT 0,
  next_task_due INTEGER NOT NULL DEFAULT 0);
CREATE INDEX deals_stage ON deals(stage_id);
CREATE INDEX deals_owner ON deals(owner_id);
CREATE TABLE deal_tags(
  deal_id INTEGER NOT NULL REFERENCES deals(id),
  tag_id INTEGER NOT NULL REFERENCES tags(id),
  PRIMARY KEY(deal_id, tag_id)) WITHOUT ROWID;
CREATE INDEX deal_tags_tag ON deal_tags(tag_id);
CREATE TABLE contacts(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  client_ref TEXT NOT NULL DEFAULT '',
  external_ref TEXT UNIQUE);
CREATE TABLE contact_phones(
  contact_id INTEGER NOT NULL REFERENCES contacts(id),
  e164 TEXT NOT NULL,
  PRIMARY KEY(contact_id, e164)) WITHOUT ROWID;
CREATE INDEX contact_phones_e164 ON contact_phones(e164);
CREATE TABLE contact_emails(
  contact_id INTEGER NOT NULL REFERENCES contacts(id),
  email TEXT NOT NULL,
  PRIMARY KEY(contact_id, email)) WITHOUT ROWID;
CREATE INDEX contact_emails_email ON contact_emails(email);
CREATE TABLE deal_contacts(
  deal_id INTEGER NOT NULL REFERENCES deals(id),
  contact_id INTEGER NOT NULL REFERENCES contacts(id),
  PRIMARY KEY(deal_id, contact_id)) WITHOUT ROWID;
CREATE INDEX deal_contacts_contact ON deal_contacts(contact_id);
CREATE TABLE events(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor_id INTEGER NOT NULL,
  deal_id INTEGER NOT NULL DEFAULT 0,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL);
CREATE INDEX events_deal ON events(deal_id, seq);
)SQL";

// v2: tasks, comments, pinned events and exact stage intervals. Intervals of
// deals written by v1 are rebuilt from their events.
const char *const kSchemaV2 = R"SQL(
CREATE TABLE task_types(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL UNIQUE,
  builtin INTEGER NOT NULL DEFAULT 0);
INSERT INTO task_types(id, name, name_key, builtin) VALUES
  (1, 'call', 'call', 1), (2, 'meeting', 'meeting', 1), (3, 'e-mail', 'e-mail', 1),
  (4, 'follow-up', 'follow-up', 1);
CREATE TABLE tasks(
  id INTEGER PRIMARY KEY,
  deal_id INTEGER NOT NULL REFERENCES deals(id),
  type_id INTEGER NOT NULL REFERENCES task_types(id),
  text TEXT NOT NULL,
  assignee_id INTEGER REFERENCES users(id),
  creator_id INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  all_day INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  completed_at INTEGER NOT NULL DEFAULT 0,
  result TEXT NOT NULL DEFAULT '',
  deleted INTEGER NOT NULL DEFAULT 0);
CREATE INDEX tasks_deal ON tasks(deal_id, created_at);
CREATE INDEX tasks_open ON tasks(assignee_id, due_at) WHERE completed_at = 0 AND deleted = 0;
CREATE TABLE comments(
  id INTEGER PRIMARY KEY,
  deal_id INTEGER NOT NULL REFERENCES deals(id),
  author_id INTEGER NOT NULL,
  text TEXT NOT NULL,
  mentions TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0);
CREATE INDEX comments_deal ON comments(deal_id);
CREATE TABLE pins(
  seq INTEGER PRIMARY KEY REFERENCES events(seq),
  deal_id INTEGER NOT NULL,
  pinned_at INTEGER NOT NULL,
  pinned_by INTEGER NOT NULL,
  pin_order INTEGER NOT NULL);
CREATE INDEX pins_deal ON pins(deal_id, pin_order);
CREATE TABLE stage_intervals(
  id INTEGER PRIMARY KEY,
  deal_id INTEGER NOT NULL REFERENCES deals(id),
  pipeline_id INTEGER NOT NULL,
  stage_id INTEGER NOT NULL,
  entered_at INTEGER NOT NULL,
  left_at INTEGER);
CREATE INDEX stage_intervals_deal ON stage_intervals(deal_id, entered_at, id);
CREATE INDEX stage_intervals_stage ON stage_intervals(stage_id, entered_at);
INSERT INTO stage_intervals(deal_id, pipeline_id, stage_id, entered_at, left_at)
  SELECT deal_id, json_extract(payload, '$.pipeline'), json_extract(payload, '$.stage'), at, NULL
  FROM events WHERE kind = 'deal.created' ORDER BY seq;
)SQL";

// v3: the views stamp. Every change to a table the views are built from
// (by dealcore or by any other SQLite client) sets `stamp` to a new random
// value through these triggers, so a views cache stamped with the current
// value was built from exactly the rows the file holds now. db_id tells
// databases apart: a cache beside a copied or replaced file does not match.
const char *const kSchemaV3 = R"SQL(
CREATE TABLE views_stamp(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  db_id TEXT NOT NULL,
  stamp INTEGER NOT NULL);
INSERT INTO views_stamp(id, db_id, stamp) VALUES (1, lower(hex(randomblob(16))), random());
)SQL";

// v4: changes made by dealcore itself no longer fire the stamp's triggers.
// A dealcore write sets `writer` to 1 first and back to 0 last, in its own
// transaction, so no other connection ever sees the 1; it then replaces
// the stamp once. Any other SQLite client's change fires the triggers,
// which also replace `outside`. While `outside` holds still, every change
// since a known event seq is described by the event log, and views (or a
// views cache) can be brought up to date from it instead of rebuilt.
const char *const kSchemaV4 = R"SQL(
ALTER TABLE views_stamp ADD COLUMN writer INTEGER NOT NULL DEFAULT 0;
ALTER TABLE views_stamp ADD COLUMN outside INTEGER NOT NULL DEFAULT 0;
UPDATE views_stamp SET outside = random();
)SQL";

// The tables the views (and the catalog they use) are derived from.
const char *const kStampedTables[] = {"pipelines",      "stages",         "deals",         "deal_tags", "contacts",
                                      "contact_phones", "contact_emails", "deal_contacts", "tasks"};

std::string stamp_triggers(bool drop_v3) {
  std::string sql;
  for (const char *t : kStampedTables)
    for (const char *op : {"INSERT", "UPDATE", "DELETE"}) {
      if (drop_v3) sql += fmt::format("DROP TRIGGER IF EXISTS views_stamp_{0}_{1};\n", t, op);
      sql += fmt::format(
          "CREATE TRIGGER views_stamp_{0}_{1} AFTER {1} ON {0} "
          "WHEN (SELECT writer FROM views_stamp WHERE id = 1) IS NOT 1 BEGIN "
          "UPDATE views_stamp SET stamp = random(), outside = random() WHERE id = 1; END;\n",
          t, op);
    }
  return sql;
}

const char *const kDealColumns =
    "SELECT d.id, d.name, d.pipeline_id, d.stage_id, s.kind, d.amount, d.currency, "
    "IFNULL(d.owner_id, 0), IFNULL(d.department_id, 0), d.department_explicit, d.client_ref, "
    "d.client_name, d.segment, IFNULL(d.external_ref, ''), d.lost_reason, d.created_at, d.updated_at, "
    "d.closed_at, d.stage_changed_at, d.archived, d.open_task_count, d.next_task_due "
    "FROM deals d JOIN stages s ON s.id = d.stage_id ";

DealRecord read_deal(const Stmt &s) {
  DealRecord d;
  d.id = s.i64(0);
  d.name = s.text(1);
  d.pipeline_id = s.i64(2);
  d.stage_id = s.i64(3);
  d.stage_kind = static_cast<StageKind>(s.i32(4));
  d.amount.minor = s.i64(5);
  d.amount.currency = s.text(6);
  d.owner_id = s.i64(7);
  d.department_id = s.i64(8);
  d.department_explicit = s.i32(9) != 0;
  d.client_ref = s.text(10);
  d.client_name = s.text(11);
  d.segment = s.text(12);
  d.external_ref = s.text(13);
  d.lost_reason = s.text(14);
  d.created_at = s.i64(15);
  d.updated_at = s.i64(16);
  d.closed_at = s.i64(17);
  d.stage_changed_at = s.i64(18);
  d.archived = s.i32(19) != 0;
  d.open_task_count = s.i32(20);
  d.next_task_due = s.i64(21);
  return d;
}

// Binds the row's columns from ?1 (name) to ?19 (next_task_due).
void bind_deal(Stmt &s, const DealRecord &d) {
  s.bind(1, d.name)
      .bind(2, d.pipeline_id)
      .bind(3, d.stage_id)
      .bind(4, d.amount.minor)
      .bind(5, d.amount.currency)
      .bind_id(6, d.owner_id)
      .bind_id(7, d.department_id)
      .bind(8, d.department_explicit ? 1 : 0)
      .bind(9, d.client_ref)
      .bind(10, d.client_name)
      .bind(11, d.segment)
      .bind_ref(12, d.external_ref)
      .bind(13, d.lost_reason)
      .bind(14, d.created_at)
      .bind(15, d.updated_at)
      .bind(16, d.closed_at)
      .bind(17, d.stage_changed_at)
      .bind(18, d.archived ? 1 : 0)
      .bind(19, static_cast<std::int64_t>(d.open_task_count))
      .bind(20, d.next_task_due);
}

std::vector<Id> ids(Stmt &s) {
  std::vector<Id> out;
  while (s.step()) out.push_back(s.i64(0));
  s.reset();
  return out;
}

}  // namespace

Store::Store(const std::string &path, bool create, int busy_timeout_ms) : conn_(path, create, busy_timeout_ms) {
  conn_.exec("PRAGMA foreign_keys = ON");
  // journal_mode cannot change inside a transaction and returns a row.
  {
    Stmt jm(conn_.raw(), "PRAGMA journal_mode = WAL");
    jm.step();
  }
  conn_.exec("PRAGMA synchronous = NORMAL");
  migrate();
}

void Store::migrate() {
  Stmt v(conn_.raw(), "PRAGMA user_version");
  v.step();
  int version = v.i32(0);
  v.reset();
  if (version > kSchemaVersion)
    throw Error(Errc::version, "the database has schema version " + std::to_string(version) +
                                   "; this library knows up to " + std::to_string(kSchemaVersion));
  if (version == kSchemaVersion) return;
  Txn tx(conn_);
  if (version < 1) conn_.exec(kSchemaV1);
  if (version < 2) {
    conn_.exec(kSchemaV2);
    migrate_intervals_v2();
  }
  if (version < 3) conn_.exec(kSchemaV3);
  if (version < 4) {
    conn_.exec(kSchemaV4);
    conn_.exec(stamp_triggers(version == 3));
  }
  conn_.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
  tx.commit();
}

std::optional<ViewsStamp> Store::views_stamp() {
  auto &s = conn_.prepare("SELECT db_id, stamp, outside FROM views_stamp WHERE id = 1");
  std::optional<ViewsStamp> v;
  if (s.step()) v = ViewsStamp{s.text(0), s.i64(1), s.i64(2)};
  s.reset();
  return v;
}

void Store::begin_views_write() {
  auto &s = conn_.prepare("UPDATE views_stamp SET writer = 1 WHERE id = 1");
  s.step();
  s.reset();
}

void Store::end_views_write(bool views_changed) {
  auto &s = conn_.prepare(views_changed ? "UPDATE views_stamp SET writer = 0, stamp = random() WHERE id = 1"
                                        : "UPDATE views_stamp SET writer = 0 WHERE id = 1");
  s.step();
  s.reset();
}

// The one integer a statement's first row holds.
std::int64_t Store::scalar(const char *sql) {
  auto &s = conn_.prepare(sql);
  s.step();
  const auto v = s.i64(0);
  s.reset();
  return v;
}

std::int64_t Store::data_version() { return scalar("PRAGMA data_version"); }

void Store::set_max_size(std::int64_t bytes) {
  if (bytes <= 0) return;
  Stmt ps(conn_.raw(), "PRAGMA page_size");
  ps.step();
  std::int64_t pages = std::max<std::int64_t>(1, bytes / std::max<std::int64_t>(512, ps.i64(0)));
  ps.reset();
  Stmt mp(conn_.raw(), "PRAGMA max_page_count = " + std::to_string(pages));
  mp.step();
}

// ---- catalog ------------------------------------------------------------

std::vector<Department> Store::load_departments() {
  auto &s = conn_.prepare("SELECT id, name FROM departments ORDER BY id");
  std::vector<Department> out;
  while (s.step()) out.push_back({s.i64(0), s.text(1)});
  s.reset();
  return out;
}

std::vector<User> Store::load_users() {
  auto &s = conn_.prepare(
      "SELECT id, name, IFNULL(department_id, 0), active, IFNULL(external_ref, '') FROM users ORDER BY id");
  std::vector<User> out;
  while (s.step()) out.push_back({s.i64(0), s.text(1), s.i64(2), s.i32(3) != 0, s.text(4)});
  s.reset();
  return out;
}

std::vector<Pipeline> Store::load_pipelines() {
  std::vector<Pipeline> out;
  auto &p = conn_.prepare("SELECT id, name, position, archived FROM pipelines ORDER BY position, id");
  while (p.step()) {
    Pipeline pl;
    pl.id = p.i64(0);
    pl.name = p.text(1);
    pl.position = p.i32(2);
    pl.archived = p.i32(3) != 0;
    out.push_back(std::move(pl));
  }
  p.reset();
  auto &s = conn_.prepare(
      "SELECT id, pipeline_id, name, kind, position, color, probability, rotting_days FROM stages "
      "ORDER BY pipeline_id, position, id");
  while (s.step()) {
    Stage st;
    st.id = s.i64(0);
    st.pipeline_id = s.i64(1);
    st.name = s.text(2);
    st.kind = static_cast<StageKind>(s.i32(3));
    st.position = s.i32(4);
    st.color = s.text(5);
    st.probability = s.opt_int(6);
    st.rotting_days = s.opt_int(7);
    for (auto &pl : out)
      if (pl.id == st.pipeline_id) pl.stages.push_back(st);
  }
  s.reset();
  return out;
}

std::vector<Tag> Store::load_tags() {
  auto &s = conn_.prepare("SELECT id, name, color FROM tags ORDER BY id");
  std::vector<Tag> out;
  while (s.step()) out.push_back({s.i64(0), s.text(1), s.text(2)});
  s.reset();
  return out;
}

Id Store::insert_department(const std::string &name) {
  conn_.prepare("INSERT INTO departments(name) VALUES (?1)").bind(1, name).run();
  return conn_.last_insert_id();
}

void Store::rename_department(Id id, const std::string &name) {
  conn_.prepare("UPDATE departments SET name = ?2 WHERE id = ?1").bind(1, id).bind(2, name).run();
}

Id Store::insert_user(const User &u) {
  conn_.prepare("INSERT INTO users(name, department_id, active, external_ref) VALUES (?1, ?2, ?3, ?4)")
      .bind(1, u.name)
      .bind_id(2, u.department_id)
      .bind(3, u.active ? 1 : 0)
      .bind_ref(4, u.external_ref)
      .run();
  return conn_.last_insert_id();
}

void Store::update_user(const User &u) {
  conn_.prepare("UPDATE users SET name = ?2, department_id = ?3, active = ?4 WHERE id = ?1")
      .bind(1, u.id)
      .bind(2, u.name)
      .bind_id(3, u.department_id)
      .bind(4, u.active ? 1 : 0)
      .run();
}

Id Store::insert_pipeline(const std::string &name, int position) {
  conn_.prepare("INSERT INTO pipelines(name, position) VALUES (?1, ?2)").bind(1, name).bind(2, position).run();
  return conn_.last_insert_id();
}

void Store::update_pipeline(const Pipeline &p) {
  conn_.prepare("UPDATE pipelines SET name = ?2, position = ?3, archived = ?4 WHERE id = ?1")
      .bind(1, p.id)
      .bind(2, p.name)
      .bind(3, p.position)
      .bind(4, p.archived ? 1 : 0)
      .run();
}

Id Store::insert_stage(const Stage &st) {
  conn_.prepare(
           "INSERT INTO stages(pipeline_id, name, kind, position, color, probability, rotting_days) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
      .bind(1, st.pipeline_id)
      .bind(2, st.name)
      .bind(3, static_cast<int>(st.kind))
      .bind(4, st.position)
      .bind(5, st.color)
      .bind_opt(6, st.probability)
      .bind_opt(7, st.rotting_days)
      .run();
  return conn_.last_insert_id();
}

void Store::update_stage(const Stage &st) {
  conn_.prepare(
           "UPDATE stages SET name = ?2, position = ?3, color = ?4, probability = ?5, rotting_days = ?6 "
           "WHERE id = ?1")
      .bind(1, st.id)
      .bind(2, st.name)
      .bind(3, st.position)
      .bind(4, st.color)
      .bind_opt(5, st.probability)
      .bind_opt(6, st.rotting_days)
      .run();
}

void Store::delete_stage(Id stage_id) {
  conn_.prepare("DELETE FROM stages WHERE id = ?1").bind(1, stage_id).run();
}

std::vector<Id> Store::deal_ids_in_stage(Id stage_id) {
  return ids(conn_.prepare("SELECT id FROM deals WHERE stage_id = ?1 ORDER BY id").bind(1, stage_id));
}

std::vector<Id> Store::deal_ids_following_owner(Id owner_id) {
  return ids(conn_.prepare("SELECT id FROM deals WHERE owner_id = ?1 AND department_explicit = 0 ORDER BY id")
                 .bind(1, owner_id));
}

Id Store::insert_tag(const std::string &name, const std::string &name_key, const std::string &color) {
  conn_.prepare("INSERT INTO tags(name, name_key, color) VALUES (?1, ?2, ?3)")
      .bind(1, name)
      .bind(2, name_key)
      .bind(3, color)
      .run();
  return conn_.last_insert_id();
}

void Store::rename_tag(Id id, const std::string &name, const std::string &name_key) {
  conn_.prepare("UPDATE tags SET name = ?2, name_key = ?3 WHERE id = ?1")
      .bind(1, id)
      .bind(2, name)
      .bind(3, name_key)
      .run();
}

std::vector<Id> Store::delete_tag(Id id) {
  auto deals = ids(conn_.prepare("SELECT deal_id FROM deal_tags WHERE tag_id = ?1 ORDER BY deal_id").bind(1, id));
  conn_.prepare("DELETE FROM deal_tags WHERE tag_id = ?1").bind(1, id).run();
  conn_.prepare("DELETE FROM tags WHERE id = ?1").bind(1, id).run();
  return deals;
}

// ---- deals --------------------------------------------------------------

Id Store::insert_deal(const DealRecord &d) {
  auto &s = conn_.prepare(
      "INSERT INTO deals(name, pipeline_id, stage_id, amount, currency, owner_id, department_id, "
      "department_explicit, client_ref, client_name, segment, external_ref, lost_reason, created_at, "
      "updated_at, closed_at, stage_changed_at, archived, open_task_count, next_task_due) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)");
  bind_deal(s, d);
  s.run();
  Id id = conn_.last_insert_id();
  for (Id t : d.tags) add_deal_tag(id, t);
  for (Id c : d.contacts) link_contact(id, c);
  return id;
}

void Store::update_deal(const DealRecord &d) {
  auto &s = conn_.prepare(
      "UPDATE deals SET name = ?1, pipeline_id = ?2, stage_id = ?3, amount = ?4, currency = ?5, "
      "owner_id = ?6, department_id = ?7, department_explicit = ?8, client_ref = ?9, client_name = ?10, "
      "segment = ?11, external_ref = ?12, lost_reason = ?13, created_at = ?14, updated_at = ?15, "
      "closed_at = ?16, stage_changed_at = ?17, archived = ?18, open_task_count = ?19, "
      "next_task_due = ?20 WHERE id = ?21");
  bind_deal(s, d);
  s.bind(21, d.id);
  s.run();
}

std::optional<DealRecord> Store::load_deal(Id id) {
  static const std::string sql = std::string(kDealColumns) + "WHERE d.id = ?1";
  auto &s = conn_.prepare(sql.c_str());
  s.bind(1, id);
  if (!s.step()) {
    s.reset();
    return std::nullopt;
  }
  DealRecord d = read_deal(s);
  s.reset();
  d.tags = ids(conn_.prepare("SELECT tag_id FROM deal_tags WHERE deal_id = ?1 ORDER BY tag_id").bind(1, id));
  d.contacts =
      ids(conn_.prepare("SELECT contact_id FROM deal_contacts WHERE deal_id = ?1 ORDER BY contact_id").bind(1, id));
  return d;
}

Id Store::max_deal_id() { return scalar("SELECT IFNULL(MAX(id), 0) FROM deals"); }

std::optional<Id> Store::deal_id_by_ref(const std::string &external_ref) {
  auto &s = conn_.prepare("SELECT id FROM deals WHERE external_ref = ?1").bind(1, external_ref);
  std::optional<Id> out;
  if (s.step()) out = s.i64(0);
  s.reset();
  return out;
}

void Store::add_deal_tag(Id deal, Id tag) {
  conn_.prepare("INSERT OR IGNORE INTO deal_tags(deal_id, tag_id) VALUES (?1, ?2)").bind(1, deal).bind(2, tag).run();
}

void Store::remove_deal_tag(Id deal, Id tag) {
  conn_.prepare("DELETE FROM deal_tags WHERE deal_id = ?1 AND tag_id = ?2").bind(1, deal).bind(2, tag).run();
}

void Store::link_contact(Id deal, Id contact) {
  conn_.prepare("INSERT OR IGNORE INTO deal_contacts(deal_id, contact_id) VALUES (?1, ?2)")
      .bind(1, deal)
      .bind(2, contact)
      .run();
}

void Store::unlink_contact(Id deal, Id contact) {
  conn_.prepare("DELETE FROM deal_contacts WHERE deal_id = ?1 AND contact_id = ?2")
      .bind(1, deal)
      .bind(2, contact)
      .run();
}

void Store::scan_deals(const std::function<void(DealRecord &&)> &fn) {
  // Three ordered scans merged by deal id: one pass over each table.
  auto pairs = [this](const char *sql) {
    std::vector<std::pair<Id, Id>> v;
    Stmt s(conn_.raw(), sql);
    while (s.step()) v.emplace_back(s.i64(0), s.i64(1));
    return v;
  };
  auto tags = pairs("SELECT deal_id, tag_id FROM deal_tags ORDER BY deal_id, tag_id");
  auto contacts = pairs("SELECT deal_id, contact_id FROM deal_contacts ORDER BY deal_id, contact_id");
  std::size_t ti = 0, ci = 0;
  Stmt s(conn_.raw(), std::string(kDealColumns) + "ORDER BY d.id");
  while (s.step()) {
    DealRecord d = read_deal(s);
    while (ti < tags.size() && tags[ti].first < d.id) ++ti;
    while (ti < tags.size() && tags[ti].first == d.id) d.tags.push_back(tags[ti++].second);
    while (ci < contacts.size() && contacts[ci].first < d.id) ++ci;
    while (ci < contacts.size() && contacts[ci].first == d.id) d.contacts.push_back(contacts[ci++].second);
    fn(std::move(d));
  }
}

// ---- contacts -------------------------------------------------------------

namespace {
void write_contact_channels(Connection &conn, const Contact &c) {
  conn.prepare("DELETE FROM contact_phones WHERE contact_id = ?1").bind(1, c.id).run();
  conn.prepare("DELETE FROM contact_emails WHERE contact_id = ?1").bind(1, c.id).run();
  for (const auto &p : c.phones)
    conn.prepare("INSERT OR IGNORE INTO contact_phones(contact_id, e164) VALUES (?1, ?2)")
        .bind(1, c.id)
        .bind(2, p)
        .run();
  for (const auto &e : c.emails)
    conn.prepare("INSERT OR IGNORE INTO contact_emails(contact_id, email) VALUES (?1, ?2)")
        .bind(1, c.id)
        .bind(2, e)
        .run();
}
}  // namespace

Id Store::insert_contact(const Contact &c) {
  conn_.prepare("INSERT INTO contacts(name, client_ref, external_ref) VALUES (?1, ?2, ?3)")
      .bind(1, c.name)
      .bind(2, c.client_ref)
      .bind_ref(3, c.external_ref)
      .run();
  Contact copy = c;
  copy.id = conn_.last_insert_id();
  write_contact_channels(conn_, copy);
  return copy.id;
}

void Store::update_contact(const Contact &c) {
  conn_.prepare("UPDATE contacts SET name = ?2, client_ref = ?3, external_ref = ?4 WHERE id = ?1")
      .bind(1, c.id)
      .bind(2, c.name)
      .bind(3, c.client_ref)
      .bind_ref(4, c.external_ref)
      .run();
  write_contact_channels(conn_, c);
}

std::optional<Contact> Store::load_contact(Id id) {
  auto &s = conn_.prepare("SELECT id, name, client_ref, IFNULL(external_ref, '') FROM contacts WHERE id = ?1");
  s.bind(1, id);
  if (!s.step()) {
    s.reset();
    return std::nullopt;
  }
  Contact c;
  c.id = s.i64(0);
  c.name = s.text(1);
  c.client_ref = s.text(2);
  c.external_ref = s.text(3);
  s.reset();
  auto &p = conn_.prepare("SELECT e164 FROM contact_phones WHERE contact_id = ?1 ORDER BY e164").bind(1, id);
  while (p.step()) c.phones.push_back(p.text(0));
  p.reset();
  auto &e = conn_.prepare("SELECT email FROM contact_emails WHERE contact_id = ?1 ORDER BY email").bind(1, id);
  while (e.step()) c.emails.push_back(e.text(0));
  e.reset();
  return c;
}

std::optional<Id> Store::contact_id_by_ref(const std::string &external_ref) {
  auto &s = conn_.prepare("SELECT id FROM contacts WHERE external_ref = ?1").bind(1, external_ref);
  std::optional<Id> out;
  if (s.step()) out = s.i64(0);
  s.reset();
  return out;
}

std::vector<Id> Store::deals_of_contact(Id contact_id) {
  return ids(
      conn_.prepare("SELECT deal_id FROM deal_contacts WHERE contact_id = ?1 ORDER BY deal_id").bind(1, contact_id));
}

void Store::scan_contacts(const std::function<void(Contact &&)> &fn) {
  auto strings = [this](const char *sql) {
    std::vector<std::pair<Id, std::string>> v;
    Stmt s(conn_.raw(), sql);
    while (s.step()) v.emplace_back(s.i64(0), s.text(1));
    return v;
  };
  auto phones = strings("SELECT contact_id, e164 FROM contact_phones ORDER BY contact_id, e164");
  auto emails = strings("SELECT contact_id, email FROM contact_emails ORDER BY contact_id, email");
  std::size_t pi = 0, ei = 0;
  Stmt s(conn_.raw(), "SELECT id, name, client_ref, IFNULL(external_ref, '') FROM contacts ORDER BY id");
  while (s.step()) {
    Contact c;
    c.id = s.i64(0);
    c.name = s.text(1);
    c.client_ref = s.text(2);
    c.external_ref = s.text(3);
    while (pi < phones.size() && phones[pi].first < c.id) ++pi;
    while (pi < phones.size() && phones[pi].first == c.id) c.phones.push_back(std::move(phones[pi++].second));
    while (ei < emails.size() && emails[ei].first < c.id) ++ei;
    while (ei < emails.size() && emails[ei].first == c.id) c.emails.push_back(std::move(emails[ei++].second));
    fn(std::move(c));
  }
}

// ---- events -----------------------------------------------------------------

std::int64_t Store::append_event(Millis at, Id actor, Id deal, const char *kind, const std::string &payload) {
  conn_.prepare("INSERT INTO events(at, actor_id, deal_id, kind, payload) VALUES (?1, ?2, ?3, ?4, ?5)")
      .bind(1, at)
      .bind(2, actor)
      .bind(3, deal)
      .bind(4, kind)
      .bind(5, payload)
      .run();
  return conn_.last_insert_id();
}

std::vector<Event> Store::events_after(std::int64_t seq, int limit) {
  auto &s = conn_.prepare(
      "SELECT seq, at, actor_id, deal_id, kind, payload FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2");
  s.bind(1, seq).bind(2, limit);
  std::vector<Event> out;
  while (s.step()) out.push_back({s.i64(0), s.i64(1), s.i64(2), s.i64(3), s.text(4), s.text(5)});
  s.reset();
  return out;
}

std::optional<Event> Store::event_at(std::int64_t seq) {
  auto &s = conn_.prepare("SELECT seq, at, actor_id, deal_id, kind, payload FROM events WHERE seq = ?1");
  s.bind(1, seq);
  std::optional<Event> out;
  if (s.step()) out = Event{s.i64(0), s.i64(1), s.i64(2), s.i64(3), s.text(4), s.text(5)};
  s.reset();
  return out;
}

std::int64_t Store::max_contact_id() { return scalar("SELECT IFNULL(MAX(id), 0) FROM contacts"); }

std::int64_t Store::max_task_id() { return scalar("SELECT IFNULL(MAX(id), 0) FROM tasks"); }

std::int64_t Store::last_event_seq() { return scalar("SELECT IFNULL(MAX(seq), 0) FROM events"); }

}  // namespace dealcore::store

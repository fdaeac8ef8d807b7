#include "load.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <stdexcept>

#include "util.hpp"

namespace bench {

namespace {

// The loader's clock: deals get both times from DealSpec (an import); the
// clock stamps the archives, tasks and comments.
std::atomic<std::int64_t> g_now{kEpochStart - kDay};

void progress(const char *what, std::size_t done, std::size_t total, Clock::time_point t0) {
  double s = micros_since(t0) / 1e6;
  std::fprintf(stderr, "  %s: %zu/%zu (%.1f s, %.0f per s)\n", what, done, total, s,
               s > 0 ? static_cast<double>(done) / s : 0.0);
}

[[noreturn]] void fail_sample(const GenDeal &g, dealcore::Id id, const std::string &field, const std::string &want,
                              const std::string &got) {
  throw std::runtime_error("deal " + std::to_string(id) + " (\"" + g.name + "\") read back with " + field + " = " +
                           got + ", written " + want);
}

template <class T>
std::string str(const T &v) {
  if constexpr (std::is_same_v<T, std::string>)
    return "\"" + v + "\"";
  else if constexpr (std::is_same_v<T, std::vector<dealcore::Id>>) {
    std::string s = "[";
    for (auto x : v) s += (s.size() > 1 ? "," : "") + std::to_string(x);
    return s + "]";
  } else
    return std::to_string(v);
}

// Reads back a deterministic sample of deals and contacts through the API and
// compares every field the loader wrote. A difference means the library
// stored something else than it was given.
void check_sample(const dealcore::Database &db, const DataSet &ds, const IdMap &ids) {
  std::size_t n = ds.deals.size();
  std::size_t samples = std::min<std::size_t>(n, 2000);
  for (std::size_t k = 0; k < samples; ++k) {
    std::size_t i = static_cast<std::size_t>(mix(k, 77) % n);
    const GenDeal &g = ds.deals[i];
    dealcore::Id id = ids.deals[i];
    dealcore::Deal d = db.get_deal(id);
    auto expect = [&](const char *field, const auto &want, const auto &got) {
      if (!(want == got)) fail_sample(g, id, field, str(want), str(got));
    };
    expect("name", g.name, d.name);
    expect("pipeline_id", ids.pipelines[static_cast<std::size_t>(g.pipeline)], d.pipeline_id);
    expect("stage_id", ids.stages[static_cast<std::size_t>(g.pipeline)][static_cast<std::size_t>(g.stage)], d.stage_id);
    int kind = g.stage < kOpenStages ? 0 : g.stage == kOpenStages ? 1 : 2;
    expect("stage_kind", kind, static_cast<int>(d.stage_kind));
    expect("amount", g.amount, d.amount.minor);
    expect("currency", g.currency, d.amount.currency);
    expect("owner_id", g.owner >= 0 ? ids.users[static_cast<std::size_t>(g.owner)] : 0, d.owner_id);
    int dep = ds.department_of(g);
    expect("department_id", dep >= 0 ? ids.departments[static_cast<std::size_t>(dep)] : 0, d.department_id);
    const GenClient &cl = ds.clients[static_cast<std::size_t>(g.client)];
    expect("client_ref", cl.ref, d.client_ref);
    expect("client_name", cl.name, d.client_name);
    expect("segment", cl.segment, d.segment);
    expect("external_ref", g.external_ref, d.external_ref);
    expect("created_at", g.created_at, d.created_at);
    expect("updated_at", g.updated_at, d.updated_at);
    expect("archived", static_cast<int>(g.archived), static_cast<int>(d.archived));
    std::vector<dealcore::Id> tags, contacts;
    for (int t : g.tags) tags.push_back(ids.tags[static_cast<std::size_t>(t)]);
    for (int c : g.contacts) contacts.push_back(ids.contacts[static_cast<std::size_t>(c)]);
    std::sort(tags.begin(), tags.end());
    std::sort(contacts.begin(), contacts.end());
    expect("tags", tags, d.tags);
    expect("contacts", contacts, d.contacts);
  }
  for (std::size_t k = 0; k < std::min<std::size_t>(ds.contacts.size(), 500); ++k) {
    std::size_t i = static_cast<std::size_t>(mix(k, 78) % ds.contacts.size());
    auto c = db.contact(ids.contacts[i]);
    const auto &g = ds.contacts[i];
    if (c.phones != std::vector<std::string>{g.phone_e164})
      throw std::runtime_error("contact " + std::to_string(c.id) + ": phone \"" + g.phone_input + "\" stored as \"" +
                               (c.phones.empty() ? std::string() : c.phones[0]) + "\", expected \"" + g.phone_e164 +
                               "\"");
    if (c.emails != std::vector<std::string>{g.email})
      throw std::runtime_error("contact " + std::to_string(c.id) + ": e-mail \"" + g.email_input + "\" stored as \"" +
                               (c.emails.empty() ? std::string() : c.emails[0]) + "\", expected \"" + g.email +
                               "\"");
  }
}

}  // namespace

void ensure_reference_indexes(Db &db) {
  // IF NOT EXISTS: files made by an earlier bench gain what was added since.
  db.exec(R"SQL(
CREATE INDEX IF NOT EXISTS deal_tags_deal ON deal_tags(deal_id, tag_id);
CREATE INDEX IF NOT EXISTS deal_contacts_deal ON deal_contacts(deal_id);
CREATE INDEX IF NOT EXISTS contact_phones_rev ON contact_phones(rev_digits);
CREATE INDEX IF NOT EXISTS contact_phones_contact ON contact_phones(contact_id);
CREATE INDEX IF NOT EXISTS contact_emails_contact ON contact_emails(contact_id);
)SQL");
  // Substring search on names: an FTS5 trigram index over the folded name
  // (contentless: the deals table has the text).
  if (db.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'deals_name_fts'") == 0) {
    db.exec("CREATE VIRTUAL TABLE deals_name_fts USING fts5(name_key, content='', tokenize='trigram');"
            "INSERT INTO deals_name_fts(rowid, name_key) SELECT id, name_key FROM deals;");
  }
  bool analyzed = db.scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'") == 1 &&
                  db.scalar("SELECT COUNT(*) FROM sqlite_stat1 WHERE idx IN "
                            "('contact_phones_contact', 'contact_emails_contact')") == 2;
  if (!analyzed) db.exec("ANALYZE");
}

IdMap load_dealcore(const DataSet &ds, const TaskSet &ts, const std::string &path, LoadTimes &times) {
  using namespace dealcore;
  Options opt;
  opt.clock = [] { return g_now.load(std::memory_order_relaxed); };
  auto db = Database::open(path, opt);
  const Actor sys = Actor::system();
  IdMap ids;

  auto t0 = Clock::now();
  for (const auto &name : ds.department_names) ids.departments.push_back(db.create_department(sys, name));
  for (std::size_t u = 0; u < ds.user_names.size(); ++u)
    ids.users.push_back(db.create_user(sys, ds.user_names[u],
                                       ids.departments[static_cast<std::size_t>(ds.user_department[u])]));
  for (const auto &name : ds.tag_names) ids.tags.push_back(db.create_tag(sys, name));
  for (const auto &name : ds.pipeline_names) {
    std::vector<StageSpec> specs;
    for (int s = 0; s < kStagesPerPipeline; ++s) {
      StageSpec spec;
      spec.name = ds.stage_names[static_cast<std::size_t>(s)];
      spec.kind = s < kOpenStages ? StageKind::open : s == kOpenStages ? StageKind::won : StageKind::lost;
      specs.push_back(spec);
    }
    Id pid = db.create_pipeline(sys, name, specs);
    ids.pipelines.push_back(pid);
    auto p = db.pipeline(pid);
    if (p.stages.size() != static_cast<std::size_t>(kStagesPerPipeline))
      throw std::runtime_error("pipeline " + std::to_string(pid) + " came back with " +
                               std::to_string(p.stages.size()) + " stages");
    std::array<Id, kStagesPerPipeline> st{};
    for (int s = 0; s < kStagesPerPipeline; ++s) st[static_cast<std::size_t>(s)] = p.stages[static_cast<std::size_t>(s)].id;
    ids.stages.push_back(st);
  }
  times.catalog_s = micros_since(t0) / 1e6;

  t0 = Clock::now();
  ids.contacts.reserve(ds.contacts.size());
  for (std::size_t b = 0; b < ds.contacts.size(); b += kBatch) {
    std::vector<ContactSpec> batch;
    for (std::size_t i = b; i < std::min(ds.contacts.size(), b + kBatch); ++i) {
      const auto &c = ds.contacts[i];
      ContactSpec spec;
      spec.name = c.name;
      spec.phones = {c.phone_input};
      spec.emails = {c.email_input};
      spec.client_ref = ds.clients[static_cast<std::size_t>(c.client)].ref;
      batch.push_back(std::move(spec));
    }
    auto got = db.create_contacts(sys, batch);
    if (got.size() != batch.size()) throw std::runtime_error("create_contacts returned a short id list");
    ids.contacts.insert(ids.contacts.end(), got.begin(), got.end());
    if ((b + kBatch) % 100000 == 0) progress("contacts", ids.contacts.size(), ds.contacts.size(), t0);
  }
  times.contacts_s = micros_since(t0) / 1e6;

  t0 = Clock::now();
  ids.deals.reserve(ds.deals.size());
  g_now.store(kEpochEnd - kDay, std::memory_order_relaxed);  // unused by the import: it gives both times
  for (std::size_t b = 0; b < ds.deals.size(); b += kBatch) {
    std::vector<DealSpec> batch;
    for (std::size_t i = b; i < std::min(ds.deals.size(), b + kBatch); ++i) {
      const GenDeal &g = ds.deals[i];
      const GenClient &cl = ds.clients[static_cast<std::size_t>(g.client)];
      DealSpec spec;
      spec.name = g.name;
      spec.pipeline_id = ids.pipelines[static_cast<std::size_t>(g.pipeline)];
      spec.stage_id = ids.stages[static_cast<std::size_t>(g.pipeline)][static_cast<std::size_t>(g.stage)];
      spec.amount = g.amount;
      spec.currency = g.currency;
      spec.owner_id = g.owner >= 0 ? ids.users[static_cast<std::size_t>(g.owner)] : 0;
      spec.department_id = g.department >= 0 ? ids.departments[static_cast<std::size_t>(g.department)] : 0;
      spec.client_ref = cl.ref;
      spec.client_name = cl.name;
      spec.segment = cl.segment;
      spec.external_ref = g.external_ref;
      for (int t : g.tags) spec.tags.push_back(ids.tags[static_cast<std::size_t>(t)]);
      for (int c : g.contacts) spec.contacts.push_back(ids.contacts[static_cast<std::size_t>(c)]);
      spec.created_at = g.created_at;
      spec.updated_at = g.updated_at;
      batch.push_back(std::move(spec));
    }
    auto got = db.create_deals(sys, batch);
    if (got.size() != batch.size()) throw std::runtime_error("create_deals returned a short id list");
    ids.deals.insert(ids.deals.end(), got.begin(), got.end());
    if ((b + kBatch) % 100000 == 0) progress("deals", ids.deals.size(), ds.deals.size(), t0);
  }
  times.deals_s = micros_since(t0) / 1e6;

  // Archived "when last updated": archiving stamps updated_at with the
  // clock, so each archived deal is archived at its own updated_at and the
  // archived deals spread over time like the others.
  t0 = Clock::now();
  for (std::size_t i = 0; i < ds.deals.size(); ++i) {
    if (!ds.deals[i].archived) continue;
    g_now.store(ds.deals[i].updated_at, std::memory_order_relaxed);
    db.archive_deals(sys, {ids.deals[i]}, true);
  }
  times.archive_s = micros_since(t0) / 1e6;

  ids.task = load_tasks_dealcore(db, ds, ids.deals, ids.departments, ts,
                                 [](std::int64_t t) { g_now.store(t, std::memory_order_relaxed); });

  std::size_t archived = 0;
  for (const auto &g : ds.deals) archived += g.archived ? 1 : 0;

  check_sample(db, ds, ids);
  auto live = static_cast<std::int64_t>(ds.deals.size() - archived);
  if (db.deal_count() != live)
    throw std::runtime_error("deal_count() = " + std::to_string(db.deal_count()) + ", expected " + std::to_string(live));
  return ids;
}

void load_reference(const DataSet &ds, const IdMap &ids, const std::string &path, LoadTimes &times) {
  auto t0 = Clock::now();
  Db db(path, true);
  db.exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000");
  db.exec(R"SQL(
CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE pipelines(id INTEGER PRIMARY KEY, name TEXT NOT NULL, position INTEGER NOT NULL);
CREATE TABLE stages(id INTEGER PRIMARY KEY, pipeline_id INTEGER NOT NULL, position INTEGER NOT NULL,
                    kind INTEGER NOT NULL, name TEXT NOT NULL);
CREATE TABLE departments(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL, department_id INTEGER NOT NULL);
CREATE TABLE tags(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE deals(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,        -- folded name: case-insensitive search and name sort
  pipeline_id INTEGER NOT NULL,
  stage_id INTEGER NOT NULL,
  stage_pos INTEGER NOT NULL,    -- pipeline position * 8 + stage position
  kind INTEGER NOT NULL,         -- the stage's kind, denormalized
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  owner_id INTEGER NOT NULL,     -- 0: nobody
  department_id INTEGER NOT NULL,
  client_ref TEXT NOT NULL,
  client_name TEXT NOT NULL,
  segment TEXT NOT NULL,
  external_ref TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  archived INTEGER NOT NULL,
  open_task_count INTEGER NOT NULL);  -- planned value; the tasks issue will load it into dealcore
CREATE TABLE deal_tags(tag_id INTEGER NOT NULL, deal_id INTEGER NOT NULL, PRIMARY KEY(tag_id, deal_id)) WITHOUT ROWID;
CREATE TABLE contact_phones(e164 TEXT NOT NULL, contact_id INTEGER NOT NULL, rev_digits TEXT NOT NULL,
                            PRIMARY KEY(e164, contact_id)) WITHOUT ROWID;
CREATE TABLE contact_emails(email TEXT NOT NULL, contact_id INTEGER NOT NULL,
                            PRIMARY KEY(email, contact_id)) WITHOUT ROWID;
CREATE TABLE deal_contacts(contact_id INTEGER NOT NULL, deal_id INTEGER NOT NULL,
                           PRIMARY KEY(contact_id, deal_id)) WITHOUT ROWID;
)SQL");
  db.exec("BEGIN");
  {
    Stmt s(db.raw(), "INSERT INTO pipelines VALUES (?, ?, ?)");
    for (std::size_t p = 0; p < ids.pipelines.size(); ++p) {
      s.bind(1, ids.pipelines[p]).bind(2, ds.pipeline_names[p]).bind(3, static_cast<std::int64_t>(p)).run();
      s.reset();
    }
    Stmt st(db.raw(), "INSERT INTO stages VALUES (?, ?, ?, ?, ?)");
    for (std::size_t p = 0; p < ids.pipelines.size(); ++p)
      for (int k = 0; k < kStagesPerPipeline; ++k) {
        st.bind(1, ids.stages[p][static_cast<std::size_t>(k)])
            .bind(2, ids.pipelines[p])
            .bind(3, std::int64_t{k})
            .bind(4, std::int64_t{k < kOpenStages ? 0 : k == kOpenStages ? 1 : 2})
            .bind(5, ds.stage_names[static_cast<std::size_t>(k)])
            .run();
        st.reset();
      }
    Stmt dep(db.raw(), "INSERT INTO departments VALUES (?, ?)");
    for (std::size_t d = 0; d < ids.departments.size(); ++d) {
      dep.bind(1, ids.departments[d]).bind(2, ds.department_names[d]).run();
      dep.reset();
    }
    Stmt us(db.raw(), "INSERT INTO users VALUES (?, ?, ?)");
    for (std::size_t u = 0; u < ids.users.size(); ++u) {
      us.bind(1, ids.users[u])
          .bind(2, ds.user_names[u])
          .bind(3, ids.departments[static_cast<std::size_t>(ds.user_department[u])])
          .run();
      us.reset();
    }
    Stmt tg(db.raw(), "INSERT INTO tags VALUES (?, ?)");
    for (std::size_t t = 0; t < ids.tags.size(); ++t) {
      tg.bind(1, ids.tags[t]).bind(2, ds.tag_names[t]).run();
      tg.reset();
    }
    Stmt ph(db.raw(), "INSERT INTO contact_phones VALUES (?, ?, ?)");
    Stmt em(db.raw(), "INSERT INTO contact_emails VALUES (?, ?)");
    for (std::size_t c = 0; c < ds.contacts.size(); ++c) {
      const auto &g = ds.contacts[c];
      std::string rev;
      for (char ch : g.phone_e164)
        if (ch >= '0' && ch <= '9') rev.insert(rev.begin(), ch);
      ph.bind(1, g.phone_e164).bind(2, ids.contacts[c]).bind(3, rev).run();
      ph.reset();
      em.bind(1, g.email).bind(2, ids.contacts[c]).run();
      em.reset();
    }
    Stmt dl(db.raw(), "INSERT INTO deals VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
                      "?16, ?17, ?18, ?19)");
    Stmt dt(db.raw(), "INSERT INTO deal_tags VALUES (?, ?)");
    Stmt dc(db.raw(), "INSERT INTO deal_contacts VALUES (?, ?)");
    for (std::size_t i = 0; i < ds.deals.size(); ++i) {
      const GenDeal &g = ds.deals[i];
      const GenClient &cl = ds.clients[static_cast<std::size_t>(g.client)];
      auto p = static_cast<std::size_t>(g.pipeline);
      int dep_index = ds.department_of(g);
      dl.bind(1, ids.deals[i])
          .bind(2, g.name)
          .bind(3, fold_key(g.name))
          .bind(4, ids.pipelines[p])
          .bind(5, ids.stages[p][static_cast<std::size_t>(g.stage)])
          .bind(6, static_cast<std::int64_t>(g.pipeline * kStagesPerPipeline + g.stage))
          .bind(7, std::int64_t{g.stage < kOpenStages ? 0 : g.stage == kOpenStages ? 1 : 2})
          .bind(8, g.amount)
          .bind(9, g.currency)
          .bind(10, g.owner >= 0 ? ids.users[static_cast<std::size_t>(g.owner)] : 0)
          .bind(11, dep_index >= 0 ? ids.departments[static_cast<std::size_t>(dep_index)] : 0)
          .bind(12, cl.ref)
          .bind(13, cl.name)
          .bind(14, cl.segment)
          .bind(15, g.external_ref)
          .bind(16, g.created_at)
          .bind(17, g.updated_at)
          .bind(18, std::int64_t{g.archived ? 1 : 0})
          .bind(19, std::int64_t{g.planned_open_tasks})
          .run();
      dl.reset();
      for (int t : g.tags) {
        dt.bind(1, ids.tags[static_cast<std::size_t>(t)]).bind(2, ids.deals[i]).run();
        dt.reset();
      }
      for (int c : g.contacts) {
        dc.bind(1, ids.contacts[static_cast<std::size_t>(c)]).bind(2, ids.deals[i]).run();
        dc.reset();
      }
    }
  }
  db.exec("COMMIT");
  // One index per filter column, plus the composites a DBA adds for the
  // questions the product asks most: a filter column followed by the sort
  // column (the rowid ends every index, so ties by id come for free), and
  // covering indexes for the board's GROUP BY.
  db.exec(R"SQL(
CREATE INDEX deals_pipeline_updated ON deals(pipeline_id, updated_at);
CREATE INDEX deals_pipeline_owner_updated ON deals(pipeline_id, owner_id, updated_at);
CREATE INDEX deals_stage_updated ON deals(stage_id, updated_at);
CREATE INDEX deals_stage_amount ON deals(stage_id, amount);
CREATE INDEX deals_owner_updated ON deals(owner_id, updated_at);
CREATE INDEX deals_department_updated ON deals(department_id, updated_at);
CREATE INDEX deals_kind_created ON deals(kind, created_at);
CREATE INDEX deals_kind_amount ON deals(kind, amount);
CREATE INDEX deals_created ON deals(created_at);
CREATE INDEX deals_updated ON deals(updated_at);
CREATE INDEX deals_amount ON deals(amount);
CREATE INDEX deals_currency_amount ON deals(currency, amount);
CREATE INDEX deals_client_updated ON deals(client_ref, updated_at);
CREATE INDEX deals_segment_name ON deals(segment, name_key);
CREATE INDEX deals_name ON deals(name_key);
CREATE INDEX deals_pipeline_stage_owner_amount ON deals(pipeline_id, stage_id, owner_id, amount);
CREATE INDEX deals_board ON deals(pipeline_id, archived, stage_id, currency, amount);
CREATE INDEX deals_board_owner ON deals(pipeline_id, owner_id, archived, stage_id, currency, amount);
CREATE INDEX deals_board_department ON deals(pipeline_id, department_id, archived, stage_id, currency, amount);
)SQL");
  ensure_reference_indexes(db);
  times.reference_s = micros_since(t0) / 1e6;
}

}  // namespace bench

// Catching up from the event log: another connection's writes, and a views
// cache left behind by a process that wrote on and ended without closing,
// are applied from the events instead of rebuilding the views — and must
// give exactly what a rebuild from the tables gives. A change by another
// SQLite client (no events) must still force the rebuild.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "reference.hpp"

using namespace dealcore;
using testutil::code_of;

namespace {

// Everything the views answer that the random writes below can change.
struct Answers {
  std::vector<std::vector<Id>> lists;
  std::vector<std::tuple<Id, std::int64_t, std::vector<Money>>> columns;
  std::vector<std::vector<Id>> lookups;
  std::vector<Id> task_block;
  std::vector<std::string> deals;
  friend bool operator==(const Answers &, const Answers &) = default;
};

Answers answers(Database &db, const testutil::Catalog &c, const std::vector<Id> &deal_ids) {
  Answers a;
  std::vector<DealFilter> filters{{},
                                  {.pipelines = {c.sales}},
                                  {.owners = {c.anna}},
                                  {.departments = {c.dept_b}},
                                  {.tags_any = {c.tags[0]}},
                                  {.kinds = {StageKind::won, StageKind::lost}},
                                  {.text = "сделка 1"},
                                  {.phone = "+79120000001"},
                                  {.email = "k3@example.ru"},
                                  {.archived = ArchivedMode::include}};
  for (const auto &f : filters)
    for (int sort = 0; sort < 5; ++sort)
      a.lists.push_back(testutil::page_all(db, f, {.sort = static_cast<SortField>(sort), .limit = 41}));
  for (const auto &p : db.pipelines(true))
    for (const BoardFilter &f : {BoardFilter{}, BoardFilter{.owners = {c.boris}}, BoardFilter{.departments = {c.dept_a}}})
      for (const auto &col : db.board(p.id, f).columns) a.columns.emplace_back(col.stage.id, col.count, col.sums);
  for (int i = 0; i < 10; ++i) a.lookups.push_back(db.find_deals_by_phone("+7912000000" + std::to_string(i)));
  for (int i = 0; i < 5; ++i) a.lookups.push_back(db.find_deals_by_email("k" + std::to_string(i) + "@example.ru"));
  for (Id u : {c.anna, c.boris, c.vera})
    for (const auto &g : db.task_block({.user_id = u, .now = 1700050000000}).groups) {
      a.task_block.push_back(g.count);
      for (const auto &item : g.items) a.task_block.push_back(item.task.id);
    }
  for (Id d : deal_ids) {
    if (code_of([&] { db.get_deal(d); }) != Errc::ok) continue;
    Deal x = db.get_deal(d);
    std::string s = x.name + "|" + x.client_name + "|" + x.lost_reason + "|" + x.amount.currency;
    for (auto v : {x.pipeline_id, x.stage_id, x.amount.minor, x.owner_id, x.department_id, x.updated_at,
                   x.stage_changed_at, x.next_task_due, static_cast<Id>(x.open_task_count), static_cast<Id>(x.archived),
                   static_cast<Id>(x.stage_kind)})
      s += "|" + std::to_string(v);
    for (auto v : x.tags) s += "|t" + std::to_string(v);
    for (auto v : x.contacts) s += "|c" + std::to_string(v);
    a.deals.push_back(s);
  }
  return a;
}

// Random writes of every kind that leaves events, some refused.
struct Writer {
  Database &db;
  testutil::Catalog &c;
  std::mt19937 rng{7};
  std::vector<Id> deals, contacts, tasks, comments;
  Id service = 0;  // a pipeline whose stages change
  int step = 0;

  Writer(Database &d, testutil::Catalog &cat) : db(d), c(cat) {
    auto sys = Actor::system();
    for (int i = 0; i < 10; ++i)
      contacts.push_back(db.create_contact(sys, {.name = "К" + std::to_string(i),
                                                 .phones = {"+7912000000" + std::to_string(i)},
                                                 .emails = {"K" + std::to_string(i % 5) + "@Example.ru"}}));
    service = db.create_pipeline(sys, "Сервис", {{.name = "Заявка"}, {.name = "В работе"},
                                                  {.name = "Сделано", .kind = StageKind::won},
                                                  {.name = "Отменено", .kind = StageKind::lost}});
  }

  Id any(const std::vector<Id> &v) { return v.empty() || rng() % 25 == 0 ? 987654 : v[rng() % v.size()]; }

  void one() {
    auto sys = Actor::system();
    ++step;
    std::vector<Id> owners{0, c.anna, c.boris, c.vera};
    auto pipelines = std::vector<Id>{c.sales, c.tenders, service};
    auto op = [&] {
      switch (rng() % 16) {
        case 0:
        case 1: {
          DealSpec s{.name = "Сделка " + std::to_string(step), .pipeline_id = pipelines[rng() % 3],
                     .amount = static_cast<std::int64_t>(rng() % 100000), .currency = rng() % 4 ? "RUB" : "USD",
                     .owner_id = owners[rng() % owners.size()]};
          if (rng() % 2) s.contacts = {contacts[rng() % contacts.size()]};
          if (rng() % 2) s.tags = {c.tags[rng() % c.tags.size()]};
          deals.push_back(db.create_deal(sys, s));
          break;
        }
        case 2: {
          auto p = db.pipeline(pipelines[rng() % 3]);
          db.move_deals(sys, {any(deals), any(deals)}, {.stage_id = p.stages[rng() % p.stages.size()].id});
          break;
        }
        case 3: db.assign_deals(sys, {any(deals)}, owners[rng() % owners.size()]); break;
        case 4: db.tag_deals(sys, {any(deals), any(deals)}, {c.tags[rng() % c.tags.size()]}, {c.tags[0]}); break;
        case 5: db.archive_deals(sys, {any(deals)}, rng() % 3 != 0); break;
        case 6: db.update_deal(sys, any(deals), {.amount = static_cast<std::int64_t>(rng() % 9000)}); break;
        case 7:
          if (rng() % 2)
            db.link_contact(sys, any(deals), any(contacts));
          else
            db.unlink_contact(sys, any(deals), any(contacts));
          break;
        case 8:
          if (rng() % 3 == 0)
            contacts.push_back(db.create_contact(sys, {.name = "Новый", .phones = {"+7912000000" + std::to_string(rng() % 10)}}));
          else
            db.update_contact(sys, any(contacts), {.name = "К", .phones = {"+7912000000" + std::to_string(rng() % 10)},
                                                   .emails = {"k" + std::to_string(rng() % 5) + "@example.ru"}});
          break;
        case 9:
          tasks.push_back(db.create_task(sys, {.deal_id = any(deals), .text = "Позвонить",
                                               .assignee_id = owners[1 + rng() % 3],
                                               .due = {.at = static_cast<Millis>(1700000000000 + rng() % 100000000)}}));
          break;
        case 10:
          switch (rng() % 4) {
            case 0: db.complete_task(sys, any(tasks)); break;
            case 1: db.reopen_task(sys, any(tasks)); break;
            case 2: db.reassign_task(sys, any(tasks), owners[1 + rng() % 3]); break;
            default: db.delete_task(sys, any(tasks)); break;
          }
          break;
        case 11:
          if (rng() % 2)
            comments.push_back(db.add_comment(sys, any(deals), "Комментарий"));
          else
            db.pin_event(sys, static_cast<std::int64_t>(1 + rng() % static_cast<unsigned>(db.last_event_seq())));
          break;
        case 12: db.update_user(sys, c.boris, std::nullopt, rng() % 2 ? c.dept_a : c.dept_b); break;
        case 13: {
          // Reorder the open stages, or delete one (its deals moved) and add one.
          auto p = db.pipeline(service);
          std::vector<StageSpec> specs;
          for (const auto &s : p.stages) specs.push_back({.id = s.id, .name = s.name, .kind = s.kind});
          std::vector<std::pair<Id, Id>> moves;
          if (rng() % 2) {
            std::swap(specs[0], specs[1]);
          } else {
            moves.emplace_back(specs[0].id, specs[1].id);
            specs.erase(specs.begin());
            specs.push_back({.name = "Новая " + std::to_string(step)});
          }
          db.update_stages(sys, service, specs, moves);
          break;
        }
        case 14:
          if (rng() % 3 == 0) {
            db.delete_tag(sys, c.tags.back());
            c.tags.back() = db.create_tag(sys, "Тег " + std::to_string(step));
          } else {
            db.rename_pipeline(sys, c.tenders, "Тендеры " + std::to_string(step));
          }
          break;
        default:
          db.update_deal(sys, any(deals), {.name = "Сделка " + std::to_string(rng() % 100)});
          break;
      }
    };
    (void)code_of(op);
  }
};

void raw_sql(const std::string &path, const char *sql) {
  sqlite3 *raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  char *err = nullptr;
  int rc = sqlite3_exec(raw, sql, nullptr, nullptr, &err);
  CAPTURE(err ? err : "");
  REQUIRE(rc == SQLITE_OK);
  sqlite3_free(err);
  sqlite3_close(raw);
}

}  // namespace

TEST_CASE("another connection catches up from the event log, not by a rebuild") {
  std::string path = testutil::temp_db("catchup_conn");
  auto a = Database::open(path, {.views_cache_min_deals = 0});
  testutil::Catalog c(a);
  Writer w(a, c);
  for (int i = 0; i < 200; ++i) w.one();
  REQUIRE(a.save_views_cache());
  // b loads the cache; a rebuild would turn views_from_cache() false.
  auto b = Database::open(path, {.views_cache_min_deals = 0});
  REQUIRE(b.views_from_cache());
  for (int i = 0; i < 1200; ++i) {
    w.one();
    if (i % 40 == 39 || i % 300 == 299) {
      CAPTURE(i);
      b.refresh();
      REQUIRE(b.views_from_cache());
    }
    if (i % 300 == 299) {
      CAPTURE(i);
      auto v = b.verify();
      CHECK(v.ok);
      for (auto &d : v.differences) MESSAGE(d);
      CHECK(answers(b, c, w.deals) == answers(a, c, w.deals));
    }
  }
  // b writes too: its write first catches up with a's.
  Id mine = b.create_deal(Actor::system(), {.name = "Из b", .pipeline_id = c.sales});
  CHECK(b.views_from_cache());
  CHECK(b.verify().ok);
  a.refresh();
  CHECK(a.get_deal(mine).name == "Из b");
  CHECK(answers(b, c, w.deals) == answers(a, c, w.deals));

  // Another program's change leaves no event: b must rebuild.
  raw_sql(path, "UPDATE deals SET amount = amount + 1 WHERE id = (SELECT MIN(id) FROM deals)");
  CHECK(b.refresh());
  CHECK_FALSE(b.views_from_cache());
  CHECK(b.verify().ok);
}

TEST_CASE("a cache left behind by a process that wrote on is brought up to date on open") {
  std::string path = testutil::temp_db("catchup_open");
  std::optional<testutil::Catalog> cat;
  std::vector<Id> deals;
  {
    auto db = Database::open(path, {.views_cache_min_deals = 0});
    cat.emplace(db);
    Writer w(db, *cat);
    for (int i = 0; i < 300; ++i) w.one();
    REQUIRE(db.save_views_cache());
    // Writes the cache does not hold; this process then "ends" without
    // writing the cache again (as after a crash: the cache is off here).
    auto later = Database::open(path, {.views_cache = false});
    Writer w2(later, *cat);
    w2.rng.seed(99);
    w2.deals = w.deals;
    w2.tasks = w.tasks;
    for (int i = 0; i < 600; ++i) w2.one();
    deals = w2.deals;
  }
  auto built = Database::open(path, {.views_cache = false});
  auto loaded = Database::open(path, {.views_cache_min_deals = 0});
  CHECK(loaded.views_from_cache());
  auto v = loaded.verify();
  CHECK(v.ok);
  for (auto &d : v.differences) MESSAGE(d);
  CHECK(answers(loaded, *cat, deals) == answers(built, *cat, deals));
}

TEST_CASE("a stale cache is not used after another program changed the tables") {
  std::string path = testutil::temp_db("catchup_raw");
  std::optional<testutil::Catalog> cat;
  {
    auto db = Database::open(path, {.views_cache_min_deals = 0});
    cat.emplace(db);
    Writer w(db, *cat);
    for (int i = 0; i < 100; ++i) w.one();
  }  // closing writes the cache
  {
    auto later = Database::open(path, {.views_cache = false});
    later.create_deal(Actor::system(), {.name = "Ещё", .pipeline_id = cat->sales});
  }
  raw_sql(path, "UPDATE deals SET name = 'Снаружи' WHERE id = (SELECT MIN(id) FROM deals)");
  auto db = Database::open(path, {.views_cache_min_deals = 0});
  CHECK_FALSE(db.views_from_cache());
  CHECK(db.verify().ok);
  CHECK(db.list_deals({.text = "снаружи"}).ids.size() == 1);
}

TEST_CASE("an open that built the views from the tables caches them at once, not only at close") {
  std::string path = testutil::temp_db("catchup_first_open");
  std::optional<testutil::Catalog> cat;
  {
    auto db = Database::open(path, {.views_cache = false});
    cat.emplace(db);
    Writer w(db, *cat);
    for (int i = 0; i < 60; ++i) w.one();
  }
  REQUIRE_FALSE(std::filesystem::exists(path + "-views"));
  {
    auto small = Database::open(path, {.views_cache_min_deals = 1000000});
    CHECK_FALSE(std::filesystem::exists(path + "-views"));  // below the minimum
  }
  auto first = Database::open(path, {.views_cache_min_deals = 0});
  CHECK_FALSE(first.views_from_cache());
  CHECK(std::filesystem::exists(path + "-views"));  // written by the open; `first` is still open
  auto second = Database::open(path, {.views_cache_min_deals = 0});
  CHECK(second.views_from_cache());
  CHECK(second.verify().ok);
}

TEST_CASE("a schema v3 file migrates to v4: its triggers then let dealcore's writes be caught up") {
  std::string path = testutil::temp_db("catchup_v3");
  std::optional<testutil::Catalog> cat;
  {
    auto db = Database::open(path, {.views_cache = false});
    cat.emplace(db);
    db.create_deal(Actor::system(), {.name = "До миграции", .pipeline_id = cat->sales});
  }
  // Make it what version 3 wrote: no writer or outside columns, and
  // triggers that fire for every writer.
  std::string drop, create;
  for (const char *t : {"pipelines", "stages", "deals", "deal_tags", "contacts", "contact_phones", "contact_emails",
                        "deal_contacts", "tasks"})
    for (const char *op : {"INSERT", "UPDATE", "DELETE"}) {
      std::string name = std::string("views_stamp_") + t + "_" + op;
      drop += "DROP TRIGGER " + name + ";";
      create += "CREATE TRIGGER " + name + " AFTER " + op + " ON " + t +
                " BEGIN UPDATE views_stamp SET stamp = random() WHERE id = 1; END;";
    }
  std::string v3 = drop + "ALTER TABLE views_stamp DROP COLUMN writer; ALTER TABLE views_stamp DROP COLUMN outside;" +
                   create + "PRAGMA user_version = 3;";
  raw_sql(path, v3.c_str());
  {
    auto db = Database::open(path, {.views_cache_min_deals = 0});  // migrates, builds, writes the cache
    CHECK_FALSE(db.views_from_cache());
    CHECK(db.deal_count() == 1);
  }
  {
    // A dealcore write after the cache: the next open catches up from it.
    auto later = Database::open(path, {.views_cache = false});
    later.create_deal(Actor::system(), {.name = "После миграции", .pipeline_id = cat->sales});
  }
  {
    auto db = Database::open(path, {.views_cache_min_deals = 0});
    CHECK(db.views_from_cache());
    CHECK(db.deal_count() == 2);
    CHECK(db.verify().ok);
  }
  // The migrated triggers still see other programs' changes.
  raw_sql(path, "UPDATE deals SET amount = 5 WHERE name = 'До миграции'");
  auto db = Database::open(path, {.views_cache_min_deals = 0});
  CHECK_FALSE(db.views_from_cache());
  CHECK(db.verify().ok);
}

TEST_CASE("a write that waited for another connection's commit leaves that commit to the next catch-up") {
  // a's clock, read inside its write transaction, can hold that transaction
  // open: b's write then passes its catch-up, waits for the write lock, and
  // gets it only after a committed. b must not take a's events as seen.
  std::string path = testutil::temp_db("catchup_race");
  std::atomic<bool> hold{false}, holding{false}, release{false};
  Clock slow = [&]() -> Millis {
    if (hold.exchange(false)) {
      holding = true;
      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return 1767225600000LL;
  };
  auto a = Database::open(path, {.clock = slow, .views_cache_min_deals = 0});
  testutil::Catalog c(a);
  a.create_deal(Actor::system(), {.name = "Первая", .pipeline_id = c.sales});
  REQUIRE(a.save_views_cache());
  auto b = Database::open(path, {.views_cache_min_deals = 0});
  REQUIRE(b.views_from_cache());

  hold = true;
  Id from_a = 0;
  std::thread writer([&] { from_a = a.create_deal(Actor::system(), {.name = "Из a", .pipeline_id = c.sales}); });
  while (!holding) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // b is waiting for the lock by then
    release = true;
  });
  Id from_b = b.create_deal(Actor::system(), {.name = "Из b", .pipeline_id = c.sales});
  writer.join();
  releaser.join();
  REQUIRE(from_a > 0);
  CHECK(from_b > from_a);
  b.refresh();
  CHECK(b.views_from_cache());  // caught up, not rebuilt
  auto v = b.verify();
  CHECK(v.ok);
  for (auto &d : v.differences) MESSAGE(d);
  CHECK(b.list_deals({.text = "из a"}).ids == std::vector<Id>{from_a});
  CHECK(b.deal_count() == 3);
}

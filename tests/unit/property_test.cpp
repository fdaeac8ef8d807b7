// Thousands of random operations, some of which must fail; then the views
// must equal a fresh rebuild from SQLite, and a reopened file must answer
// the same.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <thread>

#include "reference.hpp"
#include "views/client_deals.hpp"

using namespace dealcore;
using testutil::code_of;

namespace {

struct Snapshot {
  std::vector<std::vector<Id>> lists;
  std::vector<std::pair<std::int64_t, std::vector<Money>>> columns;
  friend bool operator==(const Snapshot &, const Snapshot &) = default;
};

Snapshot snapshot(Database &db, const testutil::Catalog &c) {
  Snapshot s;
  std::vector<DealFilter> filters{{},
                                  {.pipelines = {c.sales}},
                                  {.owners = {c.anna}},
                                  {.tags_any = {c.tags[0]}},
                                  {.kinds = {StageKind::won, StageKind::lost}},
                                  {.text = "сделка 1"},
                                  {.phone = "+79120000001"},
                                  {.client_refs = {"guid-1"}},
                                  {.client_refs = {"guid-2", "guid-5", "guid-6"}},
                                  {.archived = ArchivedMode::include}};
  for (const auto &f : filters)
    for (int sort = 0; sort < 5; ++sort)
      s.lists.push_back(testutil::page_all(db, f, {.sort = static_cast<SortField>(sort), .limit = 37}));
  for (const auto &p : db.pipelines(true))
    for (const auto &col : db.board(p.id, {.cards_per_stage = 0}).columns) s.columns.emplace_back(col.count, col.sums);
  for (const auto &p : db.pipelines(true)) {
    auto t = db.board_totals(p.id, {.owners = {c.anna}});
    for (const auto &col : t.columns) {
      auto sums = t.sums_of(col);
      s.columns.emplace_back(col.count, std::vector<Money>(sums.begin(), sums.end()));
    }
  }
  return s;
}

}  // namespace

TEST_CASE("random operations keep memory and disk identical, and survive reopening") {
  // Clients' deals past 12 become bitmaps: deals move between clients kept
  // as bitmaps and clients kept as small sets (ClientDeals).
  testutil::ScopedValue<std::size_t> big_at(views::ClientDeals::big_at, 12);
  std::string path = testutil::temp_db("property");
  testutil::ManualClock clk;
  std::mt19937 rng(2024);
  Snapshot before;
  std::optional<testutil::Catalog> cat;
  {
    // Closing writes the views cache (whatever the size), which the
    // reopening below loads.
    auto db = Database::open(path, {.clock = clk.clock(), .views_cache_min_deals = 0});
    testutil::Catalog c(db);
    auto sys = Actor::system();
    std::vector<Id> contacts;
    for (int i = 0; i < 20; ++i)
      contacts.push_back(db.create_contact(
          sys, {.name = "К" + std::to_string(i), .phones = {"+7912000000" + std::to_string(i % 10)}}));
    std::vector<Id> deals;
    std::vector<Id> users{0, c.anna, c.boris, c.vera, 999};
    int failures = 0, ops = 3000;
    for (int i = 0; i < ops; ++i) {
      clk.advance(static_cast<Millis>(rng() % 5000));
      auto any_deal = [&]() -> Id {
        if (deals.empty() || rng() % 20 == 0) return 100000 + static_cast<Id>(rng() % 10);  // unknown
        return deals[rng() % deals.size()];
      };
      auto any_stage = [&]() -> Id {
        auto all = c.sales_stages;
        all.insert(all.end(), c.tender_stages.begin(), c.tender_stages.end());
        return rng() % 30 ? all[rng() % all.size()] : 4242;
      };
      auto any_tag = [&]() -> Id { return rng() % 25 ? c.tags[rng() % c.tags.size()] : 777; };
      auto any_client = [&]() -> std::string {  // three big clients, thirty small ones, or none
        if (rng() % 5 == 0) return "";
        return "guid-" + std::to_string(rng() % 3 ? 1 + rng() % 3 : 4 + rng() % 30);
      };
      auto op = [&] {
        switch (rng() % 10) {
          case 0:
          case 1: {
            DealSpec s{.name = "Сделка " + std::to_string(i), .pipeline_id = rng() % 2 ? c.sales : c.tenders,
                       .amount = static_cast<std::int64_t>(rng() % 100000), .owner_id = users[rng() % users.size()]};
            if (rng() % 10 == 0) s.stage_id = any_stage();  // maybe of the other pipeline
            if (rng() % 3 == 0) s.contacts = {contacts[rng() % contacts.size()]};
            if (rng() % 2) s.tags = {any_tag()};
            s.client_ref = any_client();
            if (rng() % 15 == 0) s.name = "\xd0\x28";  // invalid UTF-8
            deals.push_back(db.create_deal(sys, s));
            break;
          }
          case 2: {
            MoveTarget t{.stage_id = any_stage()};
            if (rng() % 4 == 0) t.pipeline_id = rng() % 2 ? c.sales : c.tenders;
            db.move_deals(sys, {any_deal(), any_deal()}, t);
            break;
          }
          case 3: db.assign_deals(Actor::user(users[rng() % 4]), {any_deal()}, users[rng() % users.size()]); break;
          case 4: db.tag_deals(sys, {any_deal(), any_deal(), any_deal()}, {any_tag()}, {any_tag()}); break;
          case 5: db.archive_deals(sys, {any_deal()}, rng() % 3 != 0); break;
          case 6:
            if (rng() % 3 == 0)
              db.update_deal(sys, any_deal(), {.client_ref = any_client()});
            else
              db.update_deal(sys, any_deal(), {.amount = static_cast<std::int64_t>(rng() % 100000),
                                               .currency = rng() % 4 ? "RUB" : "EUR"});
            break;
          case 7:
            if (rng() % 2)
              db.link_contact(sys, any_deal(), contacts[rng() % contacts.size()]);
            else
              db.unlink_contact(sys, any_deal(), contacts[rng() % contacts.size()]);
            break;
          case 8:
            db.update_contact(sys, contacts[rng() % contacts.size()],
                              {.name = "К", .phones = {"+7912000000" + std::to_string(rng() % 10)}});
            break;
          case 9:
            if (rng() % 10 == 0)
              db.update_user(sys, c.boris, std::nullopt, rng() % 2 ? c.dept_a : c.dept_b);
            else
              db.update_deal(sys, any_deal(), {.name = "Сделка " + std::to_string(rng() % 100)});
            break;
        }
      };
      std::int64_t seq = db.last_event_seq();
      if (code_of(op) != Errc::ok) {
        ++failures;
        CHECK(db.last_event_seq() == seq);  // a refused call wrote nothing
      }
      if (i % 500 == 499) {
        auto v = db.verify();
        CAPTURE(i);
        CHECK(v.ok);
        for (auto &diff : v.differences) MESSAGE(diff);
      }
    }
    CHECK(failures > ops / 20);  // the mix really contained refused calls
    CHECK(deals.size() > 200);
    auto v = db.verify();
    CHECK(v.ok);
    before = snapshot(db, c);
    cat = c;
  }
  auto db = Database::open(path);
  CHECK(db.views_from_cache());
  CHECK(db.verify().ok);
  CHECK(snapshot(db, *cat) == before);
  auto built = Database::open(path, {.views_cache = false});
  CHECK_FALSE(built.views_from_cache());
  CHECK(snapshot(built, *cat) == before);
}

TEST_CASE("a second connection catches up after refresh") {
  std::string path = testutil::temp_db("twoconn");
  auto a = Database::open(path);
  testutil::Catalog c(a);
  auto b = Database::open(path);
  auto sys = Actor::system();
  CHECK(b.pipelines().size() == 2);
  Id d = a.create_deal(sys, {.name = "Из процесса A", .pipeline_id = c.sales, .amount = 100});
  CHECK(b.list_deals({}).items.empty());  // b has not looked yet
  CHECK(b.refresh());
  CHECK_FALSE(b.refresh());
  REQUIRE(b.list_deals({}).items.size() == 1);
  CHECK(b.board(c.sales).columns[0].count == 1);
  // A write through b first catches up with a's changes, then applies its own.
  a.update_deal(sys, d, {.amount = 200});
  b.move_deals(sys, {d}, {.stage_id = c.sales_stages[1]});
  CHECK(b.board(c.sales).columns[1].sums.at(0).minor == 200);
  CHECK(a.refresh());
  CHECK(a.get_deal(d).stage_id == c.sales_stages[1]);
  CHECK(a.verify().ok);
  CHECK(b.verify().ok);
}

TEST_CASE("a busy database is reported and changes nothing") {
  std::string path = testutil::temp_db("busy");
  auto db = Database::open(path, {.busy_timeout_ms = 50});
  testutil::Catalog c(db);
  auto sys = Actor::system();
  sqlite3 *raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  REQUIRE(sqlite3_exec(raw, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  CHECK(code_of([&] { db.create_deal(sys, {.name = "X", .pipeline_id = c.sales}); }) == Errc::busy);
  CHECK(db.deal_count() == 0);
  sqlite3_exec(raw, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  db.create_deal(sys, {.name = "X", .pipeline_id = c.sales});
  CHECK(db.deal_count() == 1);
  CHECK(db.verify().ok);
}

TEST_CASE("a full disk fails the write cleanly") {
  std::string path = testutil::temp_db("full");
  auto db = Database::open(path, {.max_size_bytes = 400 * 1024});
  testutil::Catalog c(db);
  auto sys = Actor::system();
  Errc last = Errc::ok;
  int made = 0;
  for (int i = 0; i < 100000 && last == Errc::ok; ++i) {
    last = code_of([&] {
      db.create_deal(sys, {.name = std::string(900, 'x') + std::to_string(i), .pipeline_id = c.sales,
                           .tags = {c.tags[0], c.tags[1]}});
    });
    if (last == Errc::ok) ++made;
  }
  CHECK(last == Errc::io);
  CHECK(made > 10);
  CHECK(db.deal_count() == made);
  CHECK(db.verify().ok);
  // Reading still works, and so does a change that needs no new page.
  CHECK(db.list_deals({}, {.limit = 5}).items.size() == 5);
}

TEST_CASE("readers run in parallel with a writer") {
  auto db = Database::open(testutil::temp_db("threads"));
  testutil::Catalog c(db);
  auto sys = Actor::system();
  std::atomic<bool> stop{false};
  std::atomic<long> reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t)
    readers.emplace_back([&] {
      while (!stop) {
        auto page = db.list_deals({.pipelines = {c.sales}}, {.limit = 20});
        auto board = db.board(c.sales);
        std::int64_t n = 0;
        for (const auto &col : board.columns) n += col.count;
        CHECK(n >= static_cast<std::int64_t>(page.items.size()));
        ++reads;
      }
    });
  std::vector<Id> ids;
  for (int i = 0; i < 300; ++i) {
    ids.push_back(db.create_deal(sys, {.name = "Поток " + std::to_string(i), .pipeline_id = c.sales,
                                       .amount = i, .owner_id = i % 2 ? c.anna : c.boris}));
    if (i % 3 == 0) db.move_deals(sys, {ids[ids.size() / 2]}, {.stage_id = c.sales_stages[i % 5]});
  }
  stop = true;
  for (auto &t : readers) t.join();
  CHECK(reads > 0);
  CHECK(db.verify().ok);
}

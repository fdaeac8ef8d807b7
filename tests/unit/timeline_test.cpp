#include <doctest/doctest.h>

#include <sqlite3.h>

#include <set>

#include "helpers.hpp"

using namespace dealcore;
using testutil::code_of;

TEST_CASE("the timeline: newest first, pinned first in pin order, filtered, paged without gaps") {
  testutil::ManualClock clk;
  auto db = Database::open(testutil::temp_db("timeline"), {.clock = clk.clock()});
  testutil::Catalog c(db);
  auto sys = Actor::system();
  auto anna = Actor::user(c.anna);
  Id d = db.create_deal(sys, {.name = "Сделка", .pipeline_id = c.sales, .owner_id = c.anna});
  Id other = db.create_deal(sys, {.name = "Другая", .pipeline_id = c.sales});
  for (int i = 0; i < 30; ++i) {
    clk.advance(1000);
    db.add_comment(i % 3 ? anna : sys, d, "Комментарий " + std::to_string(i));
    db.add_comment(sys, other, "Чужой");
  }
  Id t = db.create_task(anna, {.deal_id = d, .text = "Позвонить", .due = {.at = *clk.t + 1000}});
  db.complete_task(anna, t, "Готово");

  auto first = db.timeline(d, {.limit = 10});
  REQUIRE(first.items.size() == 10);
  CHECK(first.pinned.empty());
  CHECK(first.items[0].kind == "task.completed");
  for (std::size_t i = 1; i < first.items.size(); ++i) CHECK(first.items[i - 1].seq > first.items[i].seq);

  // Pin two events; they come first, in the order they were pinned.
  std::int64_t a = first.items[5].seq, b = first.items[2].seq;
  db.pin_event(anna, a);
  db.pin_event(sys, b);
  db.pin_event(sys, a);  // pinning twice changes nothing
  auto page = db.timeline(d, {.limit = 10});
  REQUIRE(page.pinned.size() == 2);
  CHECK(page.pinned[0].seq == a);
  CHECK(page.pinned[0].pinned_by == c.anna);
  CHECK(page.pinned[1].seq == b);
  CHECK(page.items[0].kind == "event.pinned");  // pinning is recorded
  for (const auto &e : page.items) CHECK((e.seq != a && e.seq != b));
  CHECK(code_of([&] { db.pin_event(sys, 999999); }) == Errc::not_found);

  // Page through everything while new events keep arriving: no gaps, no repeats.
  std::set<std::int64_t> seen;
  for (const auto &p : page.pinned) seen.insert(p.seq);
  std::vector<std::int64_t> order;
  TimelineQuery q{.limit = 7};
  std::int64_t newest_at_start = page.items[0].seq;
  for (int guard = 0; guard < 100; ++guard) {
    auto p = db.timeline(d, q);
    for (const auto &e : p.items) {
      CHECK(seen.insert(e.seq).second);
      order.push_back(e.seq);
    }
    db.add_comment(anna, d, "Пока листаем");  // a newer event arrives between pages
    if (p.next_cursor.empty()) break;
    q.cursor = p.next_cursor;
  }
  for (std::size_t i = 1; i < order.size(); ++i) CHECK(order[i - 1] > order[i]);
  // Every event of the deal up to the first page's newest was seen.
  for (const auto &e : db.events_after(0, 10000))
    if (e.deal_id == d && e.seq <= newest_at_start) CHECK(seen.count(e.seq) == 1);

  // Filters: by kind prefix, exact kind and actor.
  auto tasks = db.timeline(d, {.kinds = {"task."}});
  REQUIRE(tasks.items.size() == 2);
  CHECK(tasks.items[1].kind == "task.created");
  auto by_anna = db.timeline(d, {.kinds = {"comment.added"}, .actors = {c.anna}, .limit = 100});
  for (const auto &e : by_anna.items) CHECK(e.actor_id == c.anna);
  CHECK(by_anna.items.size() >= 20);
  CHECK(code_of([&] { db.timeline(d, {.cursor = "x1"}); }) == Errc::invalid_argument);
  CHECK(code_of([&] { db.timeline(d, {.limit = 0}); }) == Errc::invalid_argument);
  CHECK(code_of([&] { db.timeline(12345); }) == Errc::not_found);

  db.unpin_event(sys, a);
  auto after = db.timeline(d);
  REQUIRE(after.pinned.size() == 1);
  CHECK(after.pinned[0].seq == b);
}

TEST_CASE("comments: edits and deletes keep the earlier text in history") {
  auto db = Database::open(testutil::temp_db("comments"));
  testutil::Catalog c(db);
  auto sys = Actor::system();
  Id d = db.create_deal(sys, {.name = "Сделка", .pipeline_id = c.sales});
  Id cm = db.add_comment(Actor::user(c.anna), d, "Клиент просит скидку @Борис", {c.boris});
  db.edit_comment(Actor::user(c.anna), cm, "Клиент просит скидку 5%");
  db.delete_comment(sys, cm);
  auto tl = db.timeline(d, {.kinds = {"comment."}});
  REQUIRE(tl.items.size() == 3);
  CHECK(tl.items[2].payload.find("\"mentions\":[" + std::to_string(c.boris) + "]") != std::string::npos);
  CHECK(tl.items[1].payload.find("просит скидку @Борис") != std::string::npos);  // the old text
  CHECK(tl.items[0].kind == "comment.deleted");
  CHECK(code_of([&] { db.edit_comment(sys, cm, "снова"); }) == Errc::not_found);
  CHECK(code_of([&] { db.add_comment(sys, d, ""); }) == Errc::invalid_argument);
  CHECK(code_of([&] { db.add_comment(sys, d, "x", {999}); }) == Errc::not_found);
  CHECK(code_of([&] { db.add_comment(sys, 999, "x"); }) == Errc::not_found);
}

TEST_CASE("stage history is exact across moves back and forth") {
  testutil::ManualClock clk;
  auto db = Database::open(testutil::temp_db("stagehist"), {.clock = clk.clock()});
  testutil::Catalog c(db);
  auto sys = Actor::system();
  Millis t0 = *clk.t;
  Id d = db.create_deal(sys, {.name = "Сделка", .pipeline_id = c.sales});
  clk.advance(1000);
  db.move_deals(sys, {d}, {.stage_id = c.sales_stages[1]});
  clk.advance(2000);
  db.move_deals(sys, {d}, {.stage_id = c.sales_stages[0]});
  clk.advance(4000);
  db.move_deals(sys, {d}, {.pipeline_id = c.tenders});
  clk.advance(500);
  auto h = db.stage_history(d);
  REQUIRE(h.size() == 4);
  CHECK(h[0].stage_id == c.sales_stages[0]);
  CHECK(h[0].entered_at == t0);
  CHECK(h[0].duration == 1000);
  CHECK(h[1].stage_id == c.sales_stages[1]);
  CHECK(h[1].duration == 2000);
  CHECK(h[2].stage_id == c.sales_stages[0]);
  CHECK(h[2].duration == 4000);
  CHECK(h[3].pipeline_id == c.tenders);
  CHECK_FALSE(h[3].left_at);
  CHECK(h[3].duration == 500);
  CHECK(code_of([&] { db.stage_history(999); }) == Errc::not_found);
}

TEST_CASE("the change feed resumes exactly after reopening the file") {
  std::string path = testutil::temp_db("feed");
  std::int64_t mark = 0;
  std::vector<std::int64_t> before;
  {
    auto db = Database::open(path);
    testutil::Catalog c(db);
    for (int i = 0; i < 25; ++i) db.create_deal(Actor::system(), {.name = "Д", .pipeline_id = c.sales});
    auto page = db.events_after(0, 10);
    REQUIRE(page.size() == 10);
    mark = page.back().seq;
    for (const auto &e : db.events_after(mark, 10000)) before.push_back(e.seq);
  }
  auto db = Database::open(path);
  std::vector<std::int64_t> after;
  std::int64_t cursor = mark;
  for (;;) {
    auto page = db.events_after(cursor, 7);
    if (page.empty()) break;
    for (const auto &e : page) after.push_back(e.seq);
    cursor = page.back().seq;
  }
  CHECK(after == before);
  CHECK(after.front() == mark + 1);
  CHECK(code_of([&] { db.events_after(0, 0); }) == Errc::invalid_argument);
  CHECK(code_of([&] { db.events_after(-1); }) == Errc::invalid_argument);
}

TEST_CASE("a version 1 file is migrated, its stage history rebuilt from events") {
  testutil::ManualClock clk;
  std::string path = testutil::temp_db("migrate");
  Id d = 0;
  testutil::Catalog *cat = nullptr;
  {
    auto db = Database::open(path, {.clock = clk.clock()});
    static std::optional<testutil::Catalog> c;
    c.emplace(db);
    cat = &*c;
    d = db.create_deal(Actor::system(), {.name = "Старая", .pipeline_id = c->sales});
    clk.advance(5000);
    db.move_deals(Actor::system(), {d}, {.stage_id = c->sales_stages[2]});
  }
  // Make it what version 1 wrote: no v2 or v3 tables or triggers, user_version 1.
  sqlite3 *raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  std::string downgrade =
      "DROP TABLE stage_intervals; DROP TABLE pins; DROP TABLE comments; DROP TABLE tasks; "
      "DROP TABLE task_types; DROP TABLE views_stamp; PRAGMA user_version = 1;";
  auto add_drop = [](void *out, int, char **values, char **) {
    *static_cast<std::string *>(out) += std::string("DROP TRIGGER IF EXISTS ") + values[0] + ";";
    return 0;
  };
  REQUIRE(sqlite3_exec(raw, "SELECT name FROM sqlite_master WHERE type = 'trigger'", add_drop, &downgrade,
                       nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_exec(raw, downgrade.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(raw);
  clk.advance(1000);
  auto db = Database::open(path, {.clock = clk.clock()});
  auto h = db.stage_history(d);
  REQUIRE(h.size() == 2);
  CHECK(h[0].stage_id == cat->sales_stages[0]);
  CHECK(h[0].duration == 5000);
  CHECK(h[1].stage_id == cat->sales_stages[2]);
  CHECK(h[1].duration == 1000);
  CHECK(db.task_types().size() == 4);
  CHECK(db.verify().ok);
}

#include <doctest/doctest.h>

#include "helpers.hpp"

using namespace dealcore;
using testutil::code_of;

TEST_CASE("pipelines need an open stage and at most one won and one lost stage") {
  auto db = Database::open(testutil::temp_db("pipelines"));
  auto sys = Actor::system();
  CHECK(code_of([&] { db.create_pipeline(sys, "P", {}); }) == Errc::invalid_argument);
  CHECK(code_of([&] { db.create_pipeline(sys, "P", {{.name = "Won", .kind = StageKind::won}}); }) ==
        Errc::invalid_argument);
  CHECK(code_of([&] {
          db.create_pipeline(sys, "P",
                             {{.name = "A"}, {.name = "W1", .kind = StageKind::won}, {.name = "W2", .kind = StageKind::won}});
        }) == Errc::invalid_argument);
  CHECK(code_of([&] { db.create_pipeline(sys, "", {{.name = "A"}}); }) == Errc::invalid_argument);
  CHECK(code_of([&] { db.create_pipeline(sys, "\xff", {{.name = "A"}}); }) == Errc::invalid_argument);
  CHECK(code_of([&] { db.create_pipeline(sys, "P", {{.name = "A", .probability = 101}}); }) == Errc::invalid_argument);
  CHECK(db.pipelines().empty());
  CHECK(db.last_event_seq() == 0);  // nothing was written by the refused calls

  Id p = db.create_pipeline(sys, "Продажи", {{.name = "Новая", .color = "#fff"}, {.name = "Успех", .kind = StageKind::won}});
  auto pl = db.pipeline(p);
  CHECK(pl.name == "Продажи");
  REQUIRE(pl.stages.size() == 2);
  CHECK(pl.stages[0].name == "Новая");
  CHECK(pl.stages[0].color == "#fff");
  CHECK(pl.stages[1].kind == StageKind::won);
  CHECK(code_of([&] { db.pipeline(p + 100); }) == Errc::not_found);
}

TEST_CASE("rename, reorder and archive pipelines") {
  auto db = Database::open(testutil::temp_db("pipelines2"));
  testutil::Catalog c(db);
  auto sys = Actor::system();
  db.rename_pipeline(sys, c.sales, "Продажи B2B");
  CHECK(db.pipeline(c.sales).name == "Продажи B2B");
  db.reorder_pipelines(sys, {c.tenders, c.sales});
  auto ps = db.pipelines();
  REQUIRE(ps.size() == 2);
  CHECK(ps[0].id == c.tenders);
  CHECK(code_of([&] { db.reorder_pipelines(sys, {c.tenders}); }) == Errc::invalid_argument);
  db.archive_pipeline(sys, c.tenders);
  CHECK(db.pipelines().size() == 1);
  CHECK(db.pipelines(true).size() == 2);
  // An archived pipeline takes no new deals.
  CHECK(code_of([&] { db.create_deal(sys, {.name = "X", .pipeline_id = c.tenders}); }) == Errc::conflict);
}

TEST_CASE("update_stages renames, reorders, adds, and deletes only with a destination for deals") {
  auto db = Database::open(testutil::temp_db("stages"));
  testutil::Catalog c(db);
  auto sys = Actor::system();
  auto p = db.pipeline(c.sales);
  Id neg = p.stages[1].id, bill = p.stages[2].id;
  Id d = db.create_deal(sys, {.name = "Сделка", .pipeline_id = c.sales, .stage_id = neg, .amount = 500});

  std::vector<StageSpec> specs;
  for (const auto &s : p.stages)
    if (s.id != neg) specs.push_back({.id = s.id, .name = s.name, .kind = s.kind});
  specs.insert(specs.begin() + 1, StageSpec{.name = "Встреча"});
  CHECK(code_of([&] { db.update_stages(sys, c.sales, specs); }) == Errc::constraint);
  CHECK(db.pipeline(c.sales).stages.size() == 5);  // unchanged
  CHECK(code_of([&] { db.update_stages(sys, c.sales, specs, {{neg, c.tender_stages[0]}}); }) == Errc::conflict);
  CHECK(code_of([&] { db.update_stages(sys, c.sales, specs, {{bill, neg}}); }) == Errc::invalid_argument);

  db.update_stages(sys, c.sales, specs, {{neg, bill}});
  auto after = db.pipeline(c.sales);
  REQUIRE(after.stages.size() == 5);
  CHECK(after.stages[1].name == "Встреча");
  CHECK(after.stages[2].id == bill);
  CHECK(after.stages[2].position == 2);
  CHECK(db.get_deal(d).stage_id == bill);
  auto board = db.board(c.sales);
  CHECK(board.columns[2].count == 1);
  CHECK(db.verify().ok);

  // A stage of another pipeline cannot be listed, nor can a kind change.
  auto bad = specs;
  bad.push_back({.id = c.tender_stages[0], .name = "Чужой"});
  CHECK(code_of([&] { db.update_stages(sys, c.sales, bad); }) == Errc::conflict);
  auto kind = db.pipeline(c.sales).stages;
  std::vector<StageSpec> k2;
  for (const auto &s : kind) k2.push_back({.id = s.id, .name = s.name, .kind = s.kind});
  k2[0].kind = StageKind::lost;
  k2.pop_back();  // drop the old lost stage so the count rule passes
  CHECK(code_of([&] { db.update_stages(sys, c.sales, k2); }) == Errc::conflict);
}

TEST_CASE("users, departments and tags") {
  auto db = Database::open(testutil::temp_db("users"));
  testutil::Catalog c(db);
  auto sys = Actor::system();
  CHECK(db.users().size() == 3);
  CHECK(db.departments().size() == 2);
  CHECK(code_of([&] { db.create_user(sys, "X", 999); }) == Errc::not_found);
  CHECK(code_of([&] { db.create_tag(sys, "vip"); }) == Errc::exists);  // case-insensitive
  CHECK(code_of([&] { db.create_tag(sys, "ОПТ"); }) == Errc::exists);
  db.rename_tag(sys, c.tags[0], "Важный");
  CHECK(db.tags()[0].name == "Важный");
  CHECK(code_of([&] { db.rename_tag(sys, c.tags[0], "опт"); }) == Errc::exists);
  // An unknown actor is refused before anything is written.
  auto seq = db.last_event_seq();
  CHECK(code_of([&] { db.create_tag(Actor::user(424242), "Новый"); }) == Errc::not_found);
  CHECK(db.last_event_seq() == seq);
  db.create_tag(Actor::user(c.anna), "Новый");
  auto ev = db.events_after(seq);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].actor_id == c.anna);
  CHECK(ev[0].kind == "tag.created");
}

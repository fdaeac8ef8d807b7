#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>

#include "helpers.hpp"

using namespace dealcore;
using testutil::code_of;

namespace {
std::vector<std::string> kinds_since(Database &db, std::int64_t seq) {
  std::vector<std::string> out;
  for (auto &e : db.events_after(seq)) out.push_back(e.kind);
  return out;
}
}  // namespace

TEST_CASE("create and read a deal; the department follows the owner") {
  testutil::ManualClock clk;
  auto db = Database::open(testutil::temp_db("deals"), {.clock = clk.clock()});
  testutil::Catalog c(db);
  auto sys = Actor::system();
  Id d = db.create_deal(Actor::user(c.anna), {.name = "Поставка оборудования",
                                              .pipeline_id = c.sales,
                                              .amount = 150000000,
                                              .owner_id = c.vera,
                                              .client_ref = "a1b2-guid",
                                              .client_name = "ООО «Ромашка»",
                                              .segment = "Опт",
                                              .tags = {c.tags[1], c.tags[0], c.tags[1]}});
  Deal x = db.get_deal(d);
  CHECK(x.name == "Поставка оборудования");
  CHECK(x.stage_id == c.sales_stages[0]);  // first open stage
  CHECK(x.stage_kind == StageKind::open);
  CHECK(x.amount == Money{150000000, "RUB"});
  CHECK(x.owner_id == c.vera);
  CHECK(x.department_id == c.dept_b);
  CHECK(x.created_at == *clk.t);
  CHECK(x.closed_at == 0);
  CHECK(x.tags == std::vector<Id>{std::min(c.tags[0], c.tags[1]), std::max(c.tags[0], c.tags[1])});
  auto ev = db.events_after(db.last_event_seq() - 1);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].kind == "deal.created");
  CHECK(ev[0].actor_id == c.anna);
  CHECK(ev[0].deal_id == d);

  clk.advance(1000);
  db.assign_deals(sys, {d}, c.boris);
  x = db.get_deal(d);
  CHECK(x.owner_id == c.boris);
  CHECK(x.department_id == c.dept_a);
  CHECK(x.updated_at == *clk.t);

  // An explicit department sticks through reassignment.
  db.update_deal(sys, d, {.department_id = c.dept_b});
  db.assign_deals(sys, {d}, c.anna);
  CHECK(db.get_deal(d).department_id == c.dept_b);
  db.update_deal(sys, d, {.department_id = Id{0}});
  CHECK(db.get_deal(d).department_id == c.dept_a);

  // Moving a user to another department moves the deals that follow them.
  db.update_user(sys, c.anna, std::nullopt, c.dept_b);
  CHECK(db.get_deal(d).department_id == c.dept_b);
  CHECK(db.verify().ok);
}

TEST_CASE("bad input is refused with a clear code and changes nothing") {
  auto db = Database::open(testutil::temp_db("bad"));
  testutil::Catalog c(db);
  auto sys = Actor::system();
  auto seq = db.last_event_seq();
  CHECK(code_of([&] { db.create_deal(sys, {.name = "", .pipeline_id = c.sales}); }) == Errc::invalid_argument);
  CHECK(code_of([&] { db.create_deal(sys, {.name = "\xd0", .pipeline_id = c.sales}); }) == Errc::invalid_argument);
  CHECK(code_of([&] { db.create_deal(sys, {.name = std::string(2000, 'a'), .pipeline_id = c.sales}); }) ==
        Errc::invalid_argument);
  CHECK(code_of([&] { db.create_deal(sys, {.name = "X", .pipeline_id = 999}); }) == Errc::not_found);
  CHECK(code_of([&] { db.create_deal(sys, {.name = "X"}); }) == Errc::invalid_argument);
  CHECK(code_of([&] {
          db.create_deal(sys, {.name = "X", .pipeline_id = c.sales, .stage_id = c.tender_stages[0]});
        }) == Errc::conflict);
  CHECK(code_of([&] { db.create_deal(sys, {.name = "X", .pipeline_id = c.sales, .amount = -1}); }) ==
        Errc::invalid_argument);
  CHECK(code_of([&] { db.create_deal(sys, {.name = "X", .pipeline_id = c.sales, .currency = "rub"}); }) ==
        Errc::invalid_argument);
  CHECK(code_of([&] { db.create_deal(sys, {.name = "X", .pipeline_id = c.sales, .owner_id = 77}); }) ==
        Errc::not_found);
  CHECK(code_of([&] { db.create_deal(sys, {.name = "X", .pipeline_id = c.sales, .tags = {999}}); }) ==
        Errc::not_found);
  CHECK(code_of([&] { db.create_deal(sys, {.name = "X", .pipeline_id = c.sales, .contacts = {5}}); }) ==
        Errc::not_found);
  CHECK(db.last_event_seq() == seq);
  CHECK(db.deal_count() == 0);

  Id a = db.create_deal(sys, {.name = "A", .pipeline_id = c.sales, .external_ref = "ext-1"});
  Id b = db.create_deal(sys, {.name = "B", .pipeline_id = c.sales});
  CHECK(code_of([&] { db.create_deal(sys, {.name = "C", .pipeline_id = c.sales, .external_ref = "ext-1"}); }) ==
        Errc::exists);
  // A bulk call with one unknown id changes none of the others.
  seq = db.last_event_seq();
  CHECK(code_of([&] { db.move_deals(sys, {a, b, 12345}, {.stage_id = c.sales_stages[1]}); }) == Errc::not_found);
  CHECK(db.get_deal(a).stage_id == c.sales_stages[0]);
  CHECK(db.get_deal(b).stage_id == c.sales_stages[0]);
  CHECK(db.board(c.sales).columns[0].count == 2);
  CHECK(code_of([&] { db.tag_deals(sys, {a, b}, {c.tags[0]}, {c.tags[0]}); }) == Errc::invalid_argument);
  CHECK(code_of([&] { db.tag_deals(sys, {a, b}, {c.tags[0], 999}, {}); }) == Errc::not_found);
  CHECK(db.get_deal(a).tags.empty());
  CHECK(code_of([&] { db.move_deals(sys, {}, {.stage_id = c.sales_stages[1]}); }) == Errc::invalid_argument);
  CHECK(code_of([&] { db.move_deals(sys, {a}, {.pipeline_id = c.sales, .stage_id = c.tender_stages[0]}); }) ==
        Errc::conflict);
  CHECK(code_of([&] { db.move_deals(sys, {a}, {.stage_id = c.sales_stages[1], .lost_reason = "дорого"}); }) ==
        Errc::invalid_argument);
  CHECK(db.last_event_seq() == seq);
  CHECK(db.verify().ok);
}

TEST_CASE("moving through stages and pipelines records history and closing times") {
  testutil::ManualClock clk;
  auto db = Database::open(testutil::temp_db("move"), {.clock = clk.clock()});
  testutil::Catalog c(db);
  auto sys = Actor::system();
  Id d = db.create_deal(sys, {.name = "Тендер на поставку", .pipeline_id = c.sales, .amount = 1000});
  auto seq = db.last_event_seq();
  clk.advance(60000);
  db.move_deals(sys, {d}, {.stage_id = c.sales_stages[4], .lost_reason = "Выбрали конкурента"});
  Deal x = db.get_deal(d);
  CHECK(x.stage_kind == StageKind::lost);
  CHECK(x.closed_at == *clk.t);
  CHECK(x.lost_reason == "Выбрали конкурента");
  auto ev = db.events_after(seq);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].kind == "deal.stage_changed");
  CHECK(ev[0].payload.find("\"ms_in_previous_stage\":60000") != std::string::npos);
  CHECK(ev[0].payload.find("Выбрали конкурента") != std::string::npos);

  // Into another pipeline by naming only the pipeline: its first open stage.
  db.move_deals(sys, {d}, {.pipeline_id = c.tenders});
  x = db.get_deal(d);
  CHECK(x.pipeline_id == c.tenders);
  CHECK(x.stage_id == c.tender_stages[0]);
  CHECK(x.closed_at == 0);
  CHECK(x.lost_reason.empty());
  // Moving to the stage it is already in writes nothing.
  seq = db.last_event_seq();
  db.move_deals(sys, {d}, {.stage_id = c.tender_stages[0]});
  CHECK(db.last_event_seq() == seq);
}

TEST_CASE("create_deals imports a batch in one transaction, all or nothing") {
  auto db = Database::open(testutil::temp_db("batch"));
  testutil::Catalog c(db);
  auto sys = Actor::system();
  std::vector<DealSpec> specs;
  for (int i = 0; i < 50; ++i)
    specs.push_back({.name = "Импорт " + std::to_string(i), .pipeline_id = c.sales, .amount = i,
                     .external_ref = "imp-" + std::to_string(i)});
  specs[30].external_ref = "imp-3";  // a duplicate inside the batch
  auto seq = db.last_event_seq();
  try {
    db.create_deals(sys, specs);
    FAIL("a duplicate external_ref was accepted");
  } catch (const Error &e) {
    CHECK(e.code() == Errc::exists);
    CHECK(std::string(e.what()).find("#30") != std::string::npos);
  }
  CHECK(db.deal_count() == 0);
  CHECK(db.last_event_seq() == seq);
  specs[30].external_ref = "imp-30";
  auto ids = db.create_deals(sys, specs);
  REQUIRE(ids.size() == 50);
  CHECK(db.get_deal(ids[7]).name == "Импорт 7");
  CHECK(db.board(c.sales).columns[0].count == 50);
  CHECK(code_of([&] { db.create_deals(sys, {}); }) == Errc::invalid_argument);
  auto contacts = db.create_contacts(sys, {{.name = "Анна", .phones = {"+7 900 000-00-01"}}, {.name = "Олег"}});
  REQUIRE(contacts.size() == 2);
  CHECK(db.find_contacts_by_phone("89000000001") == std::vector<Id>{contacts[0]});
  try {
    db.create_contacts(sys, {{.name = "X"}, {.name = ""}});
    FAIL("a contact without a name was accepted");
  } catch (const Error &e) {
    CHECK(e.code() == Errc::invalid_argument);
    CHECK(std::string(e.what()).find("contact #1 of the batch") != std::string::npos);
  }
  CHECK(code_of([&] { db.contact(contacts[1] + 1); }) == Errc::not_found);
  CHECK(db.verify().ok);
}

TEST_CASE("upsert by external_ref is idempotent") {
  auto db = Database::open(testutil::temp_db("upsert"));
  testutil::Catalog c(db);
  auto sys = Actor::system();
  DealSpec s{.name = "Заказ 1С №15", .pipeline_id = c.sales, .amount = 100, .owner_id = c.anna,
             .external_ref = "1c-guid-15", .tags = {c.tags[2]}};
  Id a = db.upsert_deal(sys, s);
  auto seq = db.last_event_seq();
  CHECK(db.upsert_deal(sys, s) == a);
  CHECK(db.last_event_seq() == seq);  // nothing changed, nothing recorded
  s.amount = 250;
  s.stage_id = c.sales_stages[2];
  s.tags = {c.tags[3]};
  CHECK(db.upsert_deal(sys, s) == a);
  Deal x = db.get_deal(a);
  CHECK(x.amount.minor == 250);
  CHECK(x.stage_id == c.sales_stages[2]);
  CHECK(x.tags == std::vector<Id>{c.tags[3]});
  CHECK(db.deal_count() == 1);
  CHECK(db.find_deal_by_ref("1c-guid-15")->id == a);
  CHECK_FALSE(db.find_deal_by_ref("nope"));
  CHECK(code_of([&] { db.upsert_deal(sys, {.name = "X", .pipeline_id = c.sales}); }) == Errc::invalid_argument);
  auto kinds = kinds_since(db, seq);
  CHECK(std::count(kinds.begin(), kinds.end(), "deal.amount_changed") == 1);
  CHECK(std::count(kinds.begin(), kinds.end(), "deal.stage_changed") == 1);
  CHECK(std::count(kinds.begin(), kinds.end(), "deal.tags_changed") == 1);
}

TEST_CASE("external refs that are UUIDs come back exactly, from the views, a page and the views cache") {
  // The views keep a UUID-shaped ref, a deal's or a client's, in 16 bytes
  // (see RowData, ClientTable); every way out must give the text the host
  // wrote, case included, and a client filter must find it by that text.
  const std::string path = testutil::temp_db("uuid-refs");
  const std::vector<std::string> refs = {"5f0c3a2e-9b1d-11ef-80d5-005056b63c12", "5F0C3A2E-9B1D-11EF-80D5-005056B63C13",
                                         "5f0c3a2e-9B1D-11ef-80d5-005056b63c14", "12345678-1234-1234-1234-123456789012",
                                         "{5f0c3a2e-9b1d-11ef-80d5-005056b63c15}", "1c-guid-15", ""};
  std::vector<Id> ids;
  auto check = [&](Database &db) {
    for (std::size_t i = 0; i < refs.size(); ++i) {
      CAPTURE(refs[i]);
      CHECK(db.get_deal(ids[i]).external_ref == refs[i]);
      CHECK(db.get_deal(ids[i]).client_ref == refs[i]);
      if (refs[i].empty()) continue;
      CHECK(db.find_deal_by_ref(refs[i])->id == ids[i]);
      CHECK(db.list_deals({.client_refs = {refs[i]}}).ids == std::vector<Id>{ids[i]});
      std::string other_case = refs[i];
      for (auto &ch : other_case) ch = static_cast<char>(std::islower(static_cast<unsigned char>(ch)) ? std::toupper(ch) : std::tolower(ch));
      if (other_case != refs[i]) CHECK(db.list_deals({.client_refs = {other_case}}).ids.empty());
    }
    auto page = db.list_deals({}, {.sort = SortField::created, .descending = false});
    auto views = db.list_deal_views({}, {.sort = SortField::created, .descending = false});
    REQUIRE(page.items.size() == refs.size());
    REQUIRE(views.items.size() == refs.size());
    for (std::size_t i = 0; i < refs.size(); ++i) {
      CHECK(page.items[i].external_ref == refs[i]);
      CHECK(views.items[i].external_ref == refs[i]);
      CHECK(page.items[i].client_ref == refs[i]);
      CHECK(views.items[i].client_ref == refs[i]);
      CHECK(views.items[i].client_name == (refs[i].empty() ? "" : "Клиент " + std::to_string(i)));
      CHECK(views.items[i].name == "Заказ " + std::to_string(i));  // the string after the ref
    }
    CHECK(db.verify().ok);
  };
  {
    testutil::ManualClock clk;
    auto db = Database::open(path, {.clock = clk.clock(), .views_cache_min_deals = 0});
    testutil::Catalog c(db);
    for (std::size_t i = 0; i < refs.size(); ++i) {
      *clk.t += 1000;
      ids.push_back(db.create_deal(Actor::system(), {.name = "Заказ " + std::to_string(i), .pipeline_id = c.sales,
                                                     .client_ref = refs[i],
                                                     .client_name = refs[i].empty() ? "" : "Клиент " + std::to_string(i),
                                                     .external_ref = refs[i]}));
    }
    check(db);
    // Renames make new blocks, which keep the packed refs.
    for (std::size_t i = 0; i < 2; ++i) {
      db.update_deal(Actor::system(), ids[i], {.name = "Заказ"});
      CHECK(db.get_deal(ids[i]).external_ref == refs[i]);
      db.update_deal(Actor::system(), ids[i], {.name = "Заказ " + std::to_string(i)});
    }
    check(db);
  }
  {
    auto db = Database::open(path, {.views_cache_min_deals = 0});  // from the views cache written on close
    check(db);
  }
  {
    auto db = Database::open(path, {.views_cache = false});  // built from the tables
    check(db);
  }
}

TEST_CASE("contacts: phones in any notation find the same deals") {
  auto db = Database::open(testutil::temp_db("contacts"));
  testutil::Catalog c(db);
  auto sys = Actor::system();
  Id ivan = db.create_contact(sys, {.name = "Иван Петров", .phones = {"8 (912) 345-67-89", "+7 495 123-45-67"},
                                    .emails = {" Ivan@Romashka.RU"}});
  Id olga = db.create_contact(sys, {.name = "Ольга", .phones = {"+7 903 000-11-22"}});
  CHECK(code_of([&] { db.create_contact(sys, {.name = "X", .phones = {"12"}}); }) == Errc::invalid_argument);
  CHECK(code_of([&] { db.create_contact(sys, {.name = "X", .emails = {"nope"}}); }) == Errc::invalid_argument);
  Id d1 = db.create_deal(sys, {.name = "Первая", .pipeline_id = c.sales, .contacts = {ivan}});
  Id d2 = db.create_deal(sys, {.name = "Вторая", .pipeline_id = c.sales});
  db.link_contact(sys, d2, ivan);
  db.link_contact(sys, d2, olga);
  CHECK(db.contact(ivan).phones == std::vector<std::string>{"+74951234567", "+79123456789"});
  CHECK(db.contact(ivan).emails == std::vector<std::string>{"ivan@romashka.ru"});

  std::vector<Id> both{d1, d2};
  CHECK(db.find_deals_by_phone("8 (912) 345-67-89") == both);
  CHECK(db.find_deals_by_phone("+7 912 3456789") == both);
  CHECK(db.find_deals_by_phone("79123456789") == both);
  CHECK(db.find_deals_by_phone("45-67-89") == both);  // last digits
  CHECK(code_of([&] { db.find_deals_by_phone("4567"); }) == Errc::invalid_argument);  // too short
  CHECK(db.find_deals_by_phone("000-11-22") == std::vector<Id>{d2});
  CHECK(db.find_deals_by_email("IVAN@romashka.ru") == both);
  CHECK(db.find_deals_by_email("other@romashka.ru").empty());
  CHECK(db.find_contacts_by_phone("+79030001122") == std::vector<Id>{olga});
  CHECK(code_of([&] { db.find_deals_by_phone("12"); }) == Errc::invalid_argument);
  CHECK(code_of([&] { db.find_deals_by_email("@@"); }) == Errc::invalid_argument);

  // The list filter by phone agrees with the lookup.
  auto page = db.list_deals({.phone = "8-912-345-67-89"}, {.sort = SortField::created, .descending = false});
  REQUIRE(page.items.size() == 2);
  CHECK(page.items[0].id == d1);

  CHECK(code_of([&] { db.unlink_contact(sys, d1, 4242); }) == Errc::not_found);
  db.unlink_contact(sys, d1, ivan);
  CHECK(db.find_deals_by_phone("+79123456789") == std::vector<Id>{d2});
  db.update_contact(sys, ivan, {.name = "Иван Петров", .phones = {"+7 999 111-22-33"}});
  CHECK(db.find_deals_by_phone("+79123456789").empty());
  CHECK(db.find_deals_by_phone("+79991112233") == std::vector<Id>{d2});
  CHECK(db.find_deals_by_email("ivan@romashka.ru").empty());
  CHECK(db.verify().ok);
}

TEST_CASE("tags: bulk tagging, delete everywhere") {
  auto db = Database::open(testutil::temp_db("tags"));
  testutil::Catalog c(db);
  auto sys = Actor::system();
  Id a = db.create_deal(sys, {.name = "A", .pipeline_id = c.sales});
  Id b = db.create_deal(sys, {.name = "B", .pipeline_id = c.sales, .tags = {c.tags[0]}});
  db.tag_deals(sys, {a, b}, {c.tags[1], c.tags[2]}, {c.tags[0]});
  CHECK(db.get_deal(a).tags == std::vector<Id>{c.tags[1], c.tags[2]});
  CHECK(db.get_deal(b).tags == std::vector<Id>{c.tags[1], c.tags[2]});
  CHECK(db.list_deals({.tags_all = {c.tags[1], c.tags[2]}}).items.size() == 2);
  db.delete_tag(sys, c.tags[1]);
  CHECK(db.get_deal(a).tags == std::vector<Id>{c.tags[2]});
  CHECK(db.list_deals({.tags_any = {c.tags[1]}}).items.empty());
  CHECK(db.tags().size() == 4);
  CHECK(code_of([&] { db.delete_tag(sys, c.tags[1]); }) == Errc::not_found);
  CHECK(db.verify().ok);
}

TEST_CASE("archive hides deals from lists and boards by default") {
  auto db = Database::open(testutil::temp_db("archive"));
  testutil::Catalog c(db);
  auto sys = Actor::system();
  Id a = db.create_deal(sys, {.name = "A", .pipeline_id = c.sales, .amount = 10});
  db.create_deal(sys, {.name = "B", .pipeline_id = c.sales, .amount = 20});
  db.archive_deals(sys, {a});
  CHECK(db.list_deals({}).items.size() == 1);
  CHECK(db.list_deals({.archived = ArchivedMode::only}).items.at(0).id == a);
  CHECK(db.list_deals({.archived = ArchivedMode::include}).items.size() == 2);
  CHECK(db.board(c.sales).columns[0].sums.at(0).minor == 20);
  CHECK(db.deal_count(ArchivedMode::include) == 2);
  db.archive_deals(sys, {a}, false);
  CHECK(db.board(c.sales).columns[0].sums.at(0).minor == 30);
}

TEST_CASE("the kanban sums move with every change") {
  auto db = Database::open(testutil::temp_db("board"));
  testutil::Catalog c(db);
  auto sys = Actor::system();
  Id a = db.create_deal(sys, {.name = "A", .pipeline_id = c.sales, .amount = 1000, .owner_id = c.anna});
  Id b = db.create_deal(sys, {.name = "B", .pipeline_id = c.sales, .amount = 500, .owner_id = c.boris});
  db.create_deal(sys, {.name = "C", .pipeline_id = c.sales, .amount = 700, .currency = "USD", .owner_id = c.vera,
                       .tags = {c.tags[0]}});
  auto col0 = [&](const BoardFilter &f = {}) { return db.board(c.sales, f).columns[0]; };
  CHECK(col0().count == 3);
  REQUIRE(col0().sums.size() == 2);
  CHECK(col0().sums[0] == Money{1500, "RUB"});
  CHECK(col0().sums[1] == Money{700, "USD"});
  CHECK(col0().cards.size() == 3);

  db.move_deals(sys, {a}, {.stage_id = c.sales_stages[1]});
  CHECK(col0().count == 2);
  CHECK(col0().sums[0] == Money{500, "RUB"});
  CHECK(db.board(c.sales).columns[1].sums.at(0) == Money{1000, "RUB"});

  db.update_deal(sys, b, {.amount = 800});
  CHECK(col0().sums[0] == Money{800, "RUB"});
  CHECK(col0({.owners = {c.boris}}).count == 1);
  CHECK(col0({.owners = {c.anna}}).count == 0);
  CHECK(col0({.departments = {c.dept_b}}).sums.at(0) == Money{700, "USD"});
  CHECK(col0({.departments = {c.dept_b, c.dept_b}}).sums.at(0) == Money{700, "USD"});  // listed twice, counted once
  CHECK(col0({.owners = {c.boris, c.boris}}).count == 1);
  CHECK(col0({.tags_any = {c.tags[0]}}).count == 1);
  CHECK(col0({.tags_any = {c.tags[0]}, .cards_per_stage = 0}).cards.empty());
  db.assign_deals(sys, {b}, c.anna);
  CHECK(col0({.owners = {c.anna}}).sums.at(0) == Money{800, "RUB"});
  CHECK(col0({.owners = {c.boris}}).count == 0);
  CHECK(code_of([&] { db.board(999); }) == Errc::not_found);
  CHECK(code_of([&] { db.board_totals(999); }) == Errc::not_found);
  CHECK(code_of([&] { db.board(c.sales, {.cards_per_stage = -1}); }) == Errc::invalid_argument);
}

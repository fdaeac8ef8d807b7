// Every filter and sort, alone and combined, against a brute-force
// evaluation over the same deals — through both access paths of the planner.
#include <doctest/doctest.h>

#include <set>

#include "reference.hpp"
#include "views/deal_views.hpp"

using namespace dealcore;

namespace {

struct Data {
  std::string path = testutil::temp_db("list");
  testutil::ManualClock clk;
  Database db = Database::open(path, {.clock = clk.clock()});
  testutil::Catalog c{db};
  std::vector<Id> stages;
  std::vector<std::string> phones{"+7 912 345-67-89", "8 903 111 22 33", "+7 (495) 765-43-21", "+1 650 253 0000"};
  std::vector<std::string> emails{"Ivan@Romashka.ru", "olga@lютик.рф", "sales@acme.com"};
  Id max_deal = 0, max_contact = 0;

  Data() {
    auto sys = Actor::system();
    std::mt19937 rng(12345);
    auto pick = [&](auto &v) { return v[rng() % std::size(v)]; };
    for (auto s : c.sales_stages) stages.push_back(s);
    for (auto s : c.tender_stages) stages.push_back(s);
    c.tags.push_back(db.create_tag(sys, "Ёлки"));
    for (std::size_t i = 0; i < phones.size(); ++i)
      max_contact = db.create_contact(sys, {.name = "Контакт " + std::to_string(i), .phones = {phones[i]},
                                            .emails = {emails[i % emails.size()]}});
    const char *words[] = {"Поставка", "поставка", "ПОСТАВКА", "Ремонт", "Ёлки", "елки", "Аудит", "Zebra", "alpha"};
    const char *clients[] = {"guid-1", "guid-2", "guid-3", ""};
    const char *segs[] = {"Опт", "Розница", ""};
    std::vector<Id> owners{0, c.anna, c.boris, c.vera};
    for (int i = 0; i < 400; ++i) {
      clk.advance(static_cast<Millis>(rng() % 3) * 1000);  // ties in time happen
      DealSpec s;
      s.name = std::string(pick(words)) + " " + pick(words) + " №" + std::to_string(rng() % 50);
      s.pipeline_id = rng() % 3 ? c.sales : c.tenders;
      s.amount = static_cast<std::int64_t>(rng() % 20) * 1000;  // ties in amount too
      s.currency = rng() % 5 ? "RUB" : "USD";
      s.owner_id = pick(owners);
      if (rng() % 7 == 0) s.department_id = c.dept_b;
      s.client_ref = pick(clients);
      if (!s.client_ref.empty()) s.client_name = "Клиент " + s.client_ref;
      s.segment = pick(segs);
      for (int t = static_cast<int>(rng() % 4); t > 0; --t) s.tags.push_back(pick(c.tags));
      if (rng() % 3 == 0) s.contacts.push_back(1 + static_cast<Id>(rng() % max_contact));
      max_deal = db.create_deal(sys, s);
    }
    // Move, archive, re-tag and rename some, so updated differs from
    // created, and the name orders and the pipelines' own ones are kept
    // through changes.
    for (int i = 0; i < 150; ++i) {
      clk.advance(static_cast<Millis>(rng() % 2) * 500);
      Id d = 1 + static_cast<Id>(rng() % max_deal);
      switch (rng() % 6) {
        case 0: {
          auto p = db.get_deal(d).pipeline_id;
          auto st = db.pipeline(p).stages;
          auto target = st[rng() % st.size()];
          db.move_deals(sys, {d}, {.stage_id = target.id,
                                   .lost_reason = target.kind == StageKind::lost ? "дорого" : ""});
          break;
        }
        case 1: db.archive_deals(sys, {d}, rng() % 2); break;
        case 2: db.tag_deals(sys, {d}, {pick(c.tags)}, {}); break;
        case 3: db.update_deal(sys, d, {.amount = static_cast<std::int64_t>(rng() % 20) * 1000}); break;
        case 4: db.update_deal(sys, d, {.name = std::string(pick(words)) + " " + pick(words)}); break;
        case 5: {
          const Id other = db.get_deal(d).pipeline_id == c.sales ? c.tenders : c.sales;
          db.move_deals(sys, {d}, {.pipeline_id = other});
          break;
        }
      }
    }
  }
};

DealFilter random_filter(std::mt19937 &rng, const Data &d) {
  DealFilter f;
  auto some = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)) == 0; };
  auto pick = [&](const auto &v) { return v[rng() % v.size()]; };
  if (some(3)) f.pipelines = {rng() % 2 ? d.c.sales : d.c.tenders};
  if (some(5)) f.stages = {pick(d.stages), pick(d.stages)};
  if (some(5)) f.kinds = {static_cast<StageKind>(rng() % 3)};
  if (some(4)) f.owners = {pick(std::vector<Id>{0, d.c.anna, d.c.boris, d.c.vera})};
  if (some(6)) f.departments = {rng() % 2 ? d.c.dept_a : d.c.dept_b};
  if (some(4)) f.tags_any = {pick(d.c.tags), pick(d.c.tags)};
  if (some(6)) f.tags_all = {pick(d.c.tags)};
  if (some(6)) f.tags_none = {pick(d.c.tags)};
  if (some(7)) f.client_refs = {pick(std::vector<std::string>{"guid-1", "guid-3", "unknown"})};
  if (some(7)) f.segments = {pick(std::vector<std::string>{"Опт", "Розница"})};
  if (some(5)) f.amount_min = static_cast<std::int64_t>(rng() % 10) * 1000;
  if (some(5)) f.amount_max = static_cast<std::int64_t>(rng() % 20) * 1000;
  if (some(8)) f.currency = rng() % 2 ? "RUB" : "USD";
  Millis t0 = 1767225600000LL;
  if (some(6)) f.created_from = t0 + static_cast<Millis>(rng() % 400000);
  if (some(6)) f.created_to = t0 + static_cast<Millis>(rng() % 600000);
  if (some(8)) f.updated_from = t0 + static_cast<Millis>(rng() % 600000);
  if (some(8)) f.updated_to = t0 + static_cast<Millis>(rng() % 800000);
  if (some(5)) f.text = pick(std::vector<std::string>{"поставка", "ЕЛКИ", "ёлки", "zeb", "№1", "нет такого"});
  if (some(10)) f.phone = pick(std::vector<std::string>{"89123456789", "1-22-33", "+16502530000", "76543"});
  if (some(10)) f.email = pick(std::vector<std::string>{"ivan@romashka.RU", "SALES@acme.com"});
  if (some(6)) f.archived = static_cast<ArchivedMode>(rng() % 3);
  if (some(12)) f.has_open_tasks = false;
  return f;
}

}  // namespace

TEST_CASE("client filters agree with brute force when some clients' deals are bitmaps") {
  // Each of the three clients has ~100 deals: at a threshold of 95 some
  // are kept as bitmaps and some as small sets (ClientDeals).
  testutil::ScopedValue<std::size_t> big_at(views::ClientDeals::big_at, 95);
  // Path 0 lists a filter of small clients only from their deals alone.
  testutil::ScopedValue<std::size_t> tiny(views::g_tiny_list_max, 200);
  Data d;
  testutil::Reference ref(d.db, d.max_deal, d.max_contact);
  std::mt19937 rng(778);
  const std::vector<std::vector<std::string>> refs{{"guid-1"}, {"guid-2"}, {"guid-3"}, {"guid-1", "guid-2"},
                                                   {"guid-3", "guid-2", "unknown"}};
  std::set<std::size_t> sizes;
  for (const auto &r : refs) sizes.insert(ref.list({.client_refs = r}, SortField::updated, true).size());
  CHECK(*sizes.begin() < 95);  // a small set
  CHECK(*sizes.rbegin() > 95);  // and a bitmap
  for (int i = 0; i < 120; ++i) {
    DealFilter f = random_filter(rng, d);
    f.client_refs = refs[rng() % refs.size()];
    auto sort = static_cast<SortField>(rng() % 5);
    bool desc = rng() % 2;
    auto expected = ref.list(f, sort, desc);
    for (int path : {0, 2}) {
      views::g_force_access_path = path;
      auto got = testutil::page_all(d.db, f, {.sort = sort, .descending = desc, .limit = 7});
      CAPTURE(i);
      CAPTURE(path);
      CHECK(got == expected);
    }
  }
  views::g_force_access_path = 0;
  CHECK(d.db.verify().ok);
}

TEST_CASE("every filter and sort agrees with brute force, through every access path") {
  Data d;
  testutil::Reference ref(d.db, d.max_deal, d.max_contact);
  std::mt19937 rng(777);
  int nonempty = 0;
  for (int i = 0; i < 400; ++i) {
    DealFilter f = random_filter(rng, d);
    auto sort = static_cast<SortField>(rng() % 5);
    bool desc = rng() % 2;
    int limit = 1 + static_cast<int>(rng() % 60);
    auto expected = ref.list(f, sort, desc);
    nonempty += !expected.empty();
    for (int path : {0, 1, 2, 3, 4}) {
      views::g_force_access_path = path;
      std::int64_t total = -1;
      auto got = testutil::page_all(d.db, f, {.sort = sort, .descending = desc, .limit = limit, .ids_only = i % 2 == 0},
                                    &total);
      CAPTURE(i);
      CAPTURE(path);
      CHECK(got == expected);
      CHECK(total == static_cast<std::int64_t>(expected.size()));
    }
  }
  views::g_force_access_path = 0;
  CHECK(nonempty > 100);  // the filters are not all trivially empty
}

TEST_CASE("a cursor stays correct while deals change between pages") {
  Data d;
  auto sys = Actor::system();
  ListOptions o{.sort = SortField::amount, .descending = true, .limit = 25};
  auto first = d.db.list_deals({}, o);
  REQUIRE(first.items.size() == 25);
  // Change a deal already shown and one not yet shown.
  CHECK(testutil::code_of([&] { d.db.update_deal(sys, first.items[0].id, {.amount = -5}); }) == Errc::invalid_argument);
  d.db.update_deal(sys, first.items[0].id, {.amount = 0});
  o.cursor = first.next_cursor;
  auto second = d.db.list_deals({}, o);
  for (const auto &x : second.items) {
    bool after = x.amount.minor < first.items.back().amount.minor ||
                 (x.amount.minor == first.items.back().amount.minor && x.id < first.items.back().id);
    CHECK(after);
  }
  // A cursor from another sort is refused, as is garbage.
  CHECK(testutil::code_of([&] { d.db.list_deals({}, {.sort = SortField::name, .cursor = first.next_cursor}); }) ==
        Errc::invalid_argument);
  CHECK(testutil::code_of([&] { d.db.list_deals({}, {.cursor = "garbage"}); }) == Errc::invalid_argument);
  CHECK(testutil::code_of([&] { d.db.list_deals({}, {.cursor = "0d.1.zz.5"}); }) == Errc::invalid_argument);
  CHECK(testutil::code_of([&] { d.db.list_deals({}, {.limit = 0}); }) == Errc::invalid_argument);
  CHECK(testutil::code_of([&] { d.db.list_deals({.text = "\xff"}); }) == Errc::invalid_argument);
  CHECK(testutil::code_of([&] { d.db.list_deals({.currency = "rubles"}); }) == Errc::invalid_argument);
}

TEST_CASE("board columns agree with brute force under every filter") {
  Data d;
  testutil::Reference ref(d.db, d.max_deal, d.max_contact);
  std::vector<BoardFilter> filters{{},
                                   {.cards_per_stage = 3},
                                   {.owners = {d.c.anna}},
                                   {.owners = {d.c.anna, 0}},
                                   {.departments = {d.c.dept_b}},
                                   {.departments = {d.c.dept_b, d.c.dept_a}},
                                   {.owners = {d.c.boris}, .departments = {d.c.dept_a}},
                                   {.tags_any = {d.c.tags[0], d.c.tags[2]}},
                                   {.owners = {d.c.vera}, .tags_any = {d.c.tags[1]}},
                                   {.owners = {d.c.vera, d.c.anna, d.c.vera}},  // each counts once
                                   {.tags_any = {999999}}};                     // no deal has it
  for (Id p : {d.c.sales, d.c.tenders})
    for (const auto &f : filters) {
      auto board = d.db.board(p, f);
      // The totals are the board's counts and sums, column by column.
      auto totals = d.db.board_totals(p, f);
      CHECK(totals.pipeline_id == p);
      REQUIRE(totals.columns.size() == board.columns.size());
      for (std::size_t i = 0; i < totals.columns.size(); ++i) {
        const auto &t = totals.columns[i];
        CHECK(t.stage_id == board.columns[i].stage.id);
        CHECK(t.count == board.columns[i].count);
        std::vector<std::pair<std::string, std::int64_t>> a, b;
        for (const auto &m : totals.sums_of(t)) a.emplace_back(m.currency, m.minor);
        for (const auto &m : board.columns[i].sums) b.emplace_back(m.currency, m.minor);
        CHECK(a == b);
      }
      for (const auto &col : board.columns) {
        auto [count, sums] = ref.column(col.stage.id, f);
        CHECK(col.count == count);
        std::map<std::string, std::int64_t> got;
        for (const auto &m : col.sums) got[m.currency] = m.minor;
        CHECK(got == sums);
        CHECK(col.cards.size() == static_cast<std::size_t>(std::min<std::int64_t>(count, f.cards_per_stage)));
        for (const auto &card : col.cards) CHECK(card.stage_id == col.stage.id);
        // The cards are the first page of the list of that stage under the
        // same filter, and the column's cursor continues it.
        DealFilter lf{.stages = {col.stage.id}, .owners = f.owners, .departments = f.departments,
                      .tags_any = f.tags_any};
        auto page = d.db.list_deals(lf, {.limit = f.cards_per_stage});
        std::vector<Id> cards;
        for (const auto &card : col.cards) cards.push_back(card.id);
        CHECK(cards == page.ids);
        CHECK(col.next_cursor == page.next_cursor);
        for (std::size_t i = 0; i < col.cards.size() && i < page.items.size(); ++i)
          CHECK(col.cards[i].name == page.items[i].name);
      }
    }
}

namespace {

// Every field a list item carries, as text: Deal has no operator==.
std::string fields(const Deal &x) {
  std::string s = x.name + "|" + x.amount.currency + "|" + x.client_ref + "|" + x.client_name + "|" + x.segment + "|" +
                  x.external_ref + "|" + x.lost_reason;
  for (auto v : {x.id, x.pipeline_id, x.stage_id, x.amount.minor, x.owner_id, x.department_id, x.created_at,
                 x.updated_at, x.closed_at, x.stage_changed_at, x.next_task_due, static_cast<Id>(x.open_task_count),
                 static_cast<Id>(x.archived), static_cast<Id>(x.stage_kind), static_cast<Id>(x.task_state),
                 static_cast<Id>(x.tags.size()), static_cast<Id>(x.contacts.size())})
    s += "|" + std::to_string(v);
  return s;
}

}  // namespace

TEST_CASE("list_deal_views gives list_deals' pages, its items as views into one buffer") {
  Data d;
  auto sys = Actor::system();
  // Lost reasons, task states and an archived deal, so every field varies.
  d.db.move_deals(sys, {1, 2}, {.stage_id = d.c.sales_stages[4], .lost_reason = "Дорого"});
  d.db.create_task(sys, {.deal_id = 3, .text = "Позвонить", .due = {.at = d.clk.t->load() - 1000}});
  d.db.archive_deals(sys, {4});
  std::mt19937 rng(4242);
  int items = 0;
  for (int i = 0; i < 200; ++i) {
    DealFilter f = random_filter(rng, d);
    if (i % 7 == 0) f.archived = ArchivedMode::include;
    ListOptions o{.sort = static_cast<SortField>(rng() % 5), .descending = rng() % 2 == 0,
                  .limit = 1 + static_cast<int>(rng() % 40), .with_total = i % 3 == 0, .ids_only = i % 10 == 0};
    for (int page = 0; page < 3; ++page) {
      CAPTURE(i);
      CAPTURE(page);
      auto want = d.db.list_deals(f, o);
      auto got = d.db.list_deal_views(f, o);
      CHECK(got.ids == want.ids);
      CHECK(got.next_cursor == want.next_cursor);
      CHECK(got.total == want.total);
      REQUIRE(got.items.size() == want.items.size());
      DealViewPage moved = std::move(got);  // the views follow the buffer
      for (std::size_t k = 0; k < moved.items.size(); ++k) {
        const DealView &v = moved.items[k];
        CHECK(fields(to_deal(v)) == fields(want.items[k]));
        for (auto s : {v.name, v.currency, v.client_ref, v.client_name, v.segment, v.external_ref, v.lost_reason})
          CHECK(s.data()[s.size()] == '\0');
        ++items;
      }
      if (want.next_cursor.empty()) break;
      o.cursor = want.next_cursor;
    }
  }
  CHECK(items > 1000);
  CHECK(testutil::code_of([&] { d.db.list_deal_views({.text = "\xd0\x28"}); }) == Errc::invalid_argument);
}

TEST_CASE("amount filters reach the largest amount, through every access path") {
  // amount_max = INT64_MAX has no exclusive bound above it: a range scan
  // must still include a deal of exactly that amount.
  Data d;
  auto sys = Actor::system();
  const auto top = std::numeric_limits<std::int64_t>::max();
  Id rich = d.db.create_deal(sys, {.name = "Крупная", .pipeline_id = d.c.sales, .amount = top, .currency = "RUB"});
  // Put back even when a REQUIRE below ends the test early.
  testutil::ScopedValue<int> path_hook(views::g_force_access_path, 0);
  for (int path : {0, 1, 2, 3, 4}) {
    views::g_force_access_path = path;
    for (auto sort : {SortField::amount, SortField::updated, SortField::stage}) {
      CAPTURE(path);
      CAPTURE(static_cast<int>(sort));
      auto page = d.db.list_deals({.pipelines = {d.c.sales}, .amount_min = top - 1, .amount_max = top},
                                  {.sort = sort, .with_total = true});
      REQUIRE(page.items.size() == 1);
      CHECK(page.items[0].id == rich);
      CHECK(page.total == 1);
      auto all = d.db.list_deals({.amount_max = top}, {.sort = sort, .with_total = true});
      CHECK(all.total == d.db.deal_count());
    }
  }
  views::g_force_access_path = 0;
  // Its board column's sum passes INT64_MAX: it wraps (no overflow, which
  // UBSan reports), the same way in the kept sums and in a rebuild.
  (void)d.db.board(d.c.sales);
  CHECK(d.db.verify().ok);
}

TEST_CASE("a pipeline's deals by name, page by page in both directions, through every access path") {
  // The pipelines' own name orders (keyed by the name ranks): a page must
  // go on exactly after its cursor, which the planner turns into a rank of
  // the whole name order, whichever pipeline holds the next deal. The
  // deals were renamed and moved between pipelines (Data), so the orders
  // were kept through changes too.
  Data d;
  testutil::Reference ref(d.db, d.max_deal, d.max_contact);
  testutil::ScopedValue<int> path_hook(views::g_force_access_path, 0);
  int pages = 0;
  for (Id p : {d.c.sales, d.c.tenders})
    for (bool with_segment : {false, true})
      for (bool desc : {false, true})
        for (int limit : {1, 2, 7}) {
          DealFilter f{.pipelines = {p}};
          if (with_segment) f.segments = {"Опт"};
          auto expected = ref.list(f, SortField::name, desc);
          REQUIRE(expected.size() > 20);
          for (int path : {0, 1, 2, 3, 4}) {
            views::g_force_access_path = path;
            CAPTURE(p);
            CAPTURE(with_segment);
            CAPTURE(desc);
            CAPTURE(limit);
            CAPTURE(path);
            std::int64_t total = -1;
            auto got = testutil::page_all(d.db, f, {.sort = SortField::name, .descending = desc, .limit = limit},
                                          &total);
            CHECK(got == expected);
            CHECK(total == static_cast<std::int64_t>(expected.size()));
            pages += static_cast<int>(got.size()) / limit;
          }
        }
  CHECK(pages > 1000);
  CHECK(d.db.verify().ok);
}

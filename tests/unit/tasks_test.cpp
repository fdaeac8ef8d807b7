#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <random>

#include "helpers.hpp"
#include "model/timezone.hpp"
#include "reference.hpp"
#include "views/deal_views.hpp"

using namespace dealcore;
using testutil::code_of;

namespace {
constexpr Millis kHour = 3600000, kDay = 24 * kHour;
// 2026-01-01T00:00:00Z, the manual clock's start: 03:00 in Moscow.
constexpr Millis kT0 = 1767225600000LL;
}  // namespace

TEST_CASE("tasks keep the deal's open-task count and nearest due time") {
  testutil::ManualClock clk;
  auto db = Database::open(testutil::temp_db("tasks"), {.clock = clk.clock()});
  testutil::Catalog c(db);
  auto sys = Actor::system();
  Id d = db.create_deal(sys, {.name = "Сделка", .pipeline_id = c.sales, .owner_id = c.anna});
  Id other = db.create_deal(sys, {.name = "Другая", .pipeline_id = c.sales});
  CHECK(db.list_deals({.has_open_tasks = false}).ids.size() == 2);

  Id t1 = db.create_task(Actor::user(c.boris), {.deal_id = d, .type_id = kTaskCall, .text = "Позвонить",
                                                .due = {.at = kT0 + 5 * kHour}});
  Id t2 = db.create_task(sys, {.deal_id = d, .text = "Отправить КП", .assignee_id = c.vera,
                               .due = {.at = kT0 + 2 * kDay}});
  Task x = db.get_task(t1);
  CHECK(x.assignee_id == c.anna);  // the deal's owner
  CHECK(x.creator_id == c.boris);
  CHECK(x.type_id == kTaskCall);
  CHECK(db.get_task(t2).assignee_id == c.vera);
  Deal deal = db.get_deal(d);
  CHECK(deal.open_task_count == 2);
  CHECK(deal.next_task_due == kT0 + 5 * kHour);
  CHECK(db.list_deals({.has_open_tasks = false}).ids == std::vector<Id>{other});
  CHECK(db.list_deals({.has_open_tasks = true}).ids == std::vector<Id>{d});
  // A list item's count and nearest due time come from the views (whose
  // key for "no open task" is the largest int64): 0 there, as stored.
  auto items_due = [&] {
    std::vector<std::pair<int, Millis>> out;
    for (const auto &x : db.list_deals({}, {.sort = SortField::created, .descending = false}).items)
      out.emplace_back(x.open_task_count, x.next_task_due);
    for (const auto &x : db.list_deal_views({}, {.sort = SortField::created, .descending = false}).items)
      out.emplace_back(x.open_task_count, x.next_task_due);
    return out;
  };
  CHECK(items_due() == std::vector<std::pair<int, Millis>>{{2, kT0 + 5 * kHour}, {0, 0}, {2, kT0 + 5 * kHour}, {0, 0}});

  clk.advance(6 * kHour);  // t1 is now overdue
  CHECK(db.list_deals({.has_overdue_task = true}).ids == std::vector<Id>{d});
  CHECK(db.list_deals({.has_open_tasks = true}).items.at(0).task_state == TaskState::overdue);
  db.complete_task(Actor::user(c.anna), t1, "Договорились о встрече");
  CHECK(db.get_task(t1).completed_at == *clk.t);
  CHECK(db.get_deal(d).open_task_count == 1);
  CHECK(db.get_deal(d).next_task_due == kT0 + 2 * kDay);
  CHECK(db.list_deals({.has_overdue_task = true}).ids.empty());
  CHECK(code_of([&] { db.complete_task(sys, t1); }) == Errc::conflict);
  CHECK(code_of([&] { db.reopen_task(sys, t2); }) == Errc::conflict);
  db.reopen_task(sys, t1);
  CHECK(db.get_deal(d).open_task_count == 2);
  CHECK(db.get_task(t1).result.empty());

  db.reschedule_task(sys, t1, {.at = kT0 + 3 * kDay});
  CHECK(db.get_deal(d).next_task_due == kT0 + 2 * kDay);
  auto ev = db.events_after(db.last_event_seq() - 1);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].kind == "task.rescheduled");
  CHECK(ev[0].payload.find(std::to_string(kT0 + 5 * kHour)) != std::string::npos);  // the old due time
  CHECK(ev[0].payload.find(std::to_string(kT0 + 3 * kDay)) != std::string::npos);   // the new one

  db.reassign_task(sys, t1, c.boris);
  CHECK(db.get_task(t1).assignee_id == c.boris);
  db.update_task(sys, t1, {.text = "Перезвонить", .type_id = kTaskMeeting});
  CHECK(db.get_task(t1).text == "Перезвонить");
  db.delete_task(sys, t2);
  CHECK(code_of([&] { db.get_task(t2); }) == Errc::not_found);
  CHECK(db.get_deal(d).open_task_count == 1);
  CHECK(db.deal_tasks(d).size() == 1);
  db.complete_task(sys, t1);  // the last open task: back to none
  CHECK(items_due() == std::vector<std::pair<int, Millis>>{{0, 0}, {0, 0}, {0, 0}, {0, 0}});
  CHECK(db.list_deals({}, {.sort = SortField::next_task_due, .descending = false}).ids == std::vector<Id>{d, other});
  db.reopen_task(sys, t1);
  CHECK(items_due() == std::vector<std::pair<int, Millis>>{{1, kT0 + 3 * kDay}, {0, 0}, {1, kT0 + 3 * kDay}, {0, 0}});

  auto seq = db.last_event_seq();
  CHECK(code_of([&] { db.create_task(sys, {.deal_id = 999, .text = "x", .due = {.at = kT0}}); }) == Errc::not_found);
  CHECK(code_of([&] { db.create_task(sys, {.deal_id = d, .type_id = 77, .text = "x"}); }) == Errc::not_found);
  CHECK(code_of([&] { db.create_task(sys, {.deal_id = d, .text = " "}); }) == Errc::invalid_argument);
  CHECK(code_of([&] { db.create_task(sys, {.deal_id = d, .text = "x", .assignee_id = 55}); }) == Errc::not_found);
  CHECK(code_of([&] {
          db.create_task(sys, {.deal_id = d, .text = "x", .due = {.all_day = true, .time_zone = "Mars/Base"}});
        }) == Errc::invalid_argument);
  CHECK(code_of([&] { db.reschedule_task(sys, 999, {}); }) == Errc::not_found);
  CHECK(code_of([&] { db.create_task(sys, {.deal_id = d, .text = "x", .due = {.time_zone = "Mars/Base"}}); }) ==
        Errc::invalid_argument);
  CHECK(db.last_event_seq() == seq);
  Id custom = db.create_task_type(sys, "Демонстрация");
  CHECK(code_of([&] { db.create_task_type(sys, "демонстрация"); }) == Errc::exists);
  CHECK(db.task_types().size() == 5);
  db.create_task(sys, {.deal_id = d, .type_id = custom, .text = "Показать продукт", .due = {.at = kT0 + kDay}});
  CHECK(db.verify().ok);
}

TEST_CASE("whole-day tasks, today and overdue follow the caller's time zone") {
  testutil::ManualClock clk;  // 2026-01-01 00:00 UTC = 03:00 Moscow
  auto db = Database::open(testutil::temp_db("tz"), {.clock = clk.clock()});
  testutil::Catalog c(db);
  auto sys = Actor::system();
  Id d = db.create_deal(sys, {.name = "Сделка", .pipeline_id = c.sales, .owner_id = c.anna});
  // "Today" in Moscow is January 1st; a whole-day task for it ends at 21:00 UTC.
  Id t = db.create_task(sys, {.deal_id = d, .text = "В течение дня",
                              .due = {.at = kT0, .all_day = true, .time_zone = "Europe/Moscow"}});
  CHECK(db.get_task(t).due_at == kT0 + 21 * kHour - 1);
  CHECK(db.get_task(t).all_day);
  auto state = [&](const char *tz) { return db.list_deals({}, {.time_zone = tz}).items.at(0).task_state; };
  CHECK(state("Europe/Moscow") == TaskState::today);
  // In New York it is still December 31st: the task is due on a later day.
  CHECK(state("America/New_York") == TaskState::planned);
  auto block = [&](const char *tz) { return db.task_block({.user_id = c.anna, .time_zone = tz}); };
  CHECK(block("Europe/Moscow").groups[1].count == 1);  // today
  CHECK(block("America/New_York").groups[2].count == 1);  // tomorrow
  clk.advance(21 * kHour - 1);  // 23:59:59.999 Moscow
  CHECK(state("Europe/Moscow") == TaskState::today);
  CHECK(db.list_deals({.has_overdue_task = true}).ids.empty());
  clk.advance(1);  // midnight in Moscow
  CHECK(state("Europe/Moscow") == TaskState::overdue);
  CHECK(db.list_deals({.has_overdue_task = true}).ids == std::vector<Id>{d});
  CHECK(block("Europe/Moscow").groups[0].count == 1);  // overdue
  CHECK(code_of([&] { db.list_deals({}, {.time_zone = "Nowhere/City"}); }) == Errc::invalid_argument);
}

TEST_CASE("UTC days and weeks by arithmetic agree with ICU") {
  model::Zone fast("UTC"), icu("Etc/GMT");  // Etc/GMT goes through ICU
  for (Millis t : {kT0, kT0 - 1, kT0 + 5 * kHour, Millis{0}, Millis{-1}, Millis{-kDay - 5}, kT0 + 200 * kDay + 7}) {
    CAPTURE(t);
    CHECK(fast.day_start(t) == icu.day_start(t));
    CHECK(fast.day_start_after(t, 3) == icu.day_start_after(t, 3));
    CHECK(fast.next_week_start(t) == icu.next_week_start(t));
  }
  CHECK(&model::Zone::get("Europe/Moscow") == &model::Zone::get("Europe/Moscow"));
  CHECK(code_of([] { model::Zone::get("Nowhere/City"); }) == Errc::invalid_argument);
}

TEST_CASE("the task block groups a user's and a department's open tasks") {
  testutil::ManualClock clk;
  *clk.t = kT0 + 10 * kHour;  // Thursday 2026-01-01 10:00 UTC
  auto db = Database::open(testutil::temp_db("block"), {.clock = clk.clock()});
  testutil::Catalog c(db);
  auto sys = Actor::system();
  Id d = db.create_deal(sys, {.name = "Сделка А", .pipeline_id = c.sales, .owner_id = c.anna});
  Id e = db.create_deal(sys, {.name = "Сделка Б", .pipeline_id = c.tenders, .owner_id = c.boris});
  Millis now = *clk.t;
  struct Case {
    Millis due;
    TaskGroup group;
  };
  std::vector<Case> cases{{now - kHour, TaskGroup::overdue},         {now + kHour, TaskGroup::today},
                          {now + kDay, TaskGroup::tomorrow},          {now + 2 * kDay, TaskGroup::this_week},
                          {now + 4 * kDay, TaskGroup::later},  // next Monday
                          {now - 3 * kDay, TaskGroup::overdue}};
  for (const auto &x : cases) db.create_task(sys, {.deal_id = d, .text = "Задача", .due = {.at = x.due}});
  db.create_task(sys, {.deal_id = e, .text = "Чужая", .due = {.at = now + kHour}});
  auto b = db.task_block({.user_id = c.anna});
  REQUIRE(b.groups.size() == 5);
  CHECK(b.groups[0].count == 2);
  CHECK(b.groups[1].count == 1);
  CHECK(b.groups[2].count == 1);
  CHECK(b.groups[3].count == 1);
  CHECK(b.groups[4].count == 1);
  CHECK(b.groups[0].items[0].task.due_at == now - 3 * kDay);  // sorted by due
  CHECK(b.groups[1].items[0].deal_name == "Сделка А");
  CHECK(b.groups[1].items[0].stage_name == "Новая");
  auto dept = db.task_block({.department_id = c.dept_a});
  CHECK(dept.groups[1].count == 2);  // anna's and boris's "today"
  CHECK(db.task_block({.user_id = c.anna, .per_group_limit = 1}).groups[0].items.size() == 1);
  CHECK(db.task_block({.user_id = c.anna, .per_group_limit = 1}).groups[0].count == 2);
  CHECK(code_of([&] { db.task_block({}); }) == Errc::invalid_argument);
  CHECK(code_of([&] { db.task_block({.user_id = 99}); }) == Errc::not_found);
}

TEST_CASE("random task operations keep counters equal to a recount from SQLite") {
  testutil::ManualClock clk;
  auto db = Database::open(testutil::temp_db("taskprop"), {.clock = clk.clock()});
  testutil::Catalog c(db);
  auto sys = Actor::system();
  std::mt19937 rng(99);
  std::vector<Id> deals, tasks;
  for (int i = 0; i < 40; ++i)
    deals.push_back(db.create_deal(sys, {.name = "Д" + std::to_string(i), .pipeline_id = c.sales,
                                         .owner_id = i % 2 ? c.anna : c.boris}));
  int failed = 0;
  for (int i = 0; i < 1500; ++i) {
    clk.advance(static_cast<Millis>(rng() % kHour));
    Id task = tasks.empty() || rng() % 15 == 0 ? 424242 : tasks[rng() % tasks.size()];
    Millis due = *clk.t + static_cast<Millis>(rng() % (10 * kDay)) - 3 * kDay;
    auto op = [&] {
      switch (rng() % 7) {
        case 0:
        case 1:
          tasks.push_back(db.create_task(sys, {.deal_id = deals[rng() % deals.size()], .text = "Т",
                                               .due = {.at = due, .all_day = rng() % 3 == 0,
                                                       .time_zone = "Europe/Moscow"}}));
          break;
        case 2: db.complete_task(sys, task, "ок"); break;
        case 3: db.reopen_task(sys, task); break;
        case 4: db.reschedule_task(sys, task, {.at = due}); break;
        case 5: db.reassign_task(sys, task, rng() % 2 ? c.vera : c.anna); break;
        case 6: db.delete_task(sys, task); break;
      }
    };
    if (code_of(op) != Errc::ok) ++failed;
  }
  CHECK(failed > 50);
  for (Id d : deals) {
    auto open = db.deal_tasks(d);
    Millis next = 0;
    for (const auto &t : open) next = next ? std::min(next, t.due_at) : t.due_at;
    Deal x = db.get_deal(d);
    CAPTURE(d);
    CHECK(x.open_task_count == static_cast<int>(open.size()));
    CHECK(x.next_task_due == next);
    auto listed = db.list_deals({.has_open_tasks = !open.empty()}, {.limit = 100}).ids;
    CHECK(std::find(listed.begin(), listed.end(), d) != listed.end());
  }
  // Deals "with a task due in the next 2 days" against a brute-force scan.
  Millis from = *clk.t, to = *clk.t + 2 * kDay;
  std::vector<Id> expected;
  for (Id d : deals)
    for (const auto &t : db.deal_tasks(d))
      if (t.due_at >= from && t.due_at < to) {
        expected.push_back(d);
        break;
      }
  auto got = db.list_deals({.task_due_from = from, .task_due_to = to},
                           {.sort = SortField::created, .descending = false, .limit = 100})
                 .ids;
  CHECK(got == expected);
  // The nearest-due sort puts deals without open tasks last, both ways.
  for (bool desc : {false, true}) {
    auto page = db.list_deals({}, {.sort = SortField::next_task_due, .descending = desc, .limit = 100}).items;
    bool seen_none = false;
    for (std::size_t i = 0; i < page.size(); ++i) {
      if (page[i].open_task_count == 0) seen_none = true;
      else CHECK_FALSE(seen_none);
      if (i && page[i].open_task_count && page[i - 1].open_task_count)
        CHECK((desc ? page[i - 1].next_task_due >= page[i].next_task_due
                    : page[i - 1].next_task_due <= page[i].next_task_due));
    }
  }
  // The exact order, ties by id, paged through the cursor, against the
  // deals' own fields, through every access path (the intersection ranks by
  // the dense due table, or by the rows when a condition needs them: an
  // amount bound every deal meets). Some deals have no open task.
  for (int i = 0; i < 3; ++i)
    deals.push_back(db.create_deal(sys, {.name = "Без задач " + std::to_string(i), .pipeline_id = c.sales,
                                         .owner_id = c.anna}));
  for (bool desc : {false, true})
    for (int variant : {0, 1, 2}) {
      bool by_owner = variant == 1;
      std::vector<std::pair<Millis, Id>> keyed;
      for (Id d : deals) {
        Deal x = db.get_deal(d);
        if (by_owner && x.owner_id != c.anna) continue;
        Millis none = desc ? std::numeric_limits<Millis>::min() : std::numeric_limits<Millis>::max();
        keyed.emplace_back(x.open_task_count ? x.next_task_due : none, d);
      }
      std::sort(keyed.begin(), keyed.end());
      if (desc) std::reverse(keyed.begin(), keyed.end());
      std::vector<Id> expected;
      for (const auto &k : keyed) expected.push_back(k.second);
      DealFilter f;
      if (by_owner) f.owners = {c.anna};
      if (variant == 2) f.amount_min = 0;
      for (int path : {0, 1, 2, 3}) {
        views::g_force_access_path = path;
        CAPTURE(desc);
        CAPTURE(variant);
        CAPTURE(path);
        CHECK(testutil::page_all(db, f, {.sort = SortField::next_task_due, .descending = desc, .limit = 7}) ==
              expected);
      }
      views::g_force_access_path = 0;
    }
  // Overdue or not, alone and with an owner, against the deals' own fields,
  // through every access path (the dense tables decide before the row).
  int overdue_seen = 0;
  for (bool want : {true, false})
    for (bool by_owner : {false, true}) {
      std::vector<std::pair<Millis, Id>> keyed;
      for (Id d : deals) {
        Deal x = db.get_deal(d);
        if (by_owner && x.owner_id != c.anna) continue;
        bool overdue = x.open_task_count > 0 && x.next_task_due < *clk.t;
        overdue_seen += overdue && want && !by_owner;
        if (overdue == want) keyed.emplace_back(x.created_at, d);
      }
      std::sort(keyed.begin(), keyed.end());
      std::vector<Id> expected;
      for (const auto &k : keyed) expected.push_back(k.second);
      DealFilter f;
      f.has_overdue_task = want;
      if (by_owner) f.owners = {c.anna};
      for (int path : {0, 1, 2, 3}) {
        views::g_force_access_path = path;
        CAPTURE(want);
        CAPTURE(by_owner);
        CAPTURE(path);
        CHECK(testutil::page_all(db, f, {.sort = SortField::created, .descending = false, .limit = 9}) == expected);
      }
      views::g_force_access_path = 0;
    }
  CHECK(overdue_seen > 0);  // the random operations leave some deals overdue
  CHECK(db.verify().ok);
}

TEST_CASE("times outside the years 1 to 9999 are refused and change nothing") {
  testutil::ManualClock clk;
  auto db = Database::open(testutil::temp_db("times"), {.clock = clk.clock()});
  testutil::Catalog c(db);
  auto sys = Actor::system();
  Id deal = db.create_deal(sys, {.name = "Сделка", .pipeline_id = c.sales, .owner_id = c.anna});
  Id task = db.create_task(sys, {.deal_id = deal, .text = "Звонок", .due = {.at = *clk.t + kDay}});
  db.create_deal(sys, {.name = "Из 1С", .pipeline_id = c.sales, .external_ref = "1c-1"});
  const auto seq = db.last_event_seq();
  const Millis lo = std::numeric_limits<Millis>::min(), hi = std::numeric_limits<Millis>::max();
  for (Millis bad : {lo, hi, model::kMinTime - 1, model::kMaxTime + 1}) {
    CAPTURE(bad);
    for (bool all_day : {false, true}) {
      CHECK(code_of([&] {
              db.create_task(sys, {.deal_id = deal, .text = "x", .due = {.at = bad, .all_day = all_day}});
            }) == Errc::invalid_argument);
      CHECK(code_of([&] { db.reschedule_task(sys, task, {.at = bad, .all_day = all_day}); }) ==
            Errc::invalid_argument);
    }
    CHECK(code_of([&] { db.task_block({.user_id = c.anna, .now = bad}); }) == Errc::invalid_argument);
    CHECK(code_of([&] { db.activity(deal, {.now = bad}); }) == Errc::invalid_argument);
    CHECK(code_of([&] { db.create_deal(sys, {.name = "Импорт", .pipeline_id = c.sales, .created_at = bad}); }) ==
          Errc::invalid_argument);
    CHECK(code_of([&] { db.create_deal(sys, {.name = "Импорт", .pipeline_id = c.sales, .updated_at = bad}); }) ==
          Errc::invalid_argument);
    // An upsert of an existing deal too, where the times would change nothing.
    CHECK(code_of([&] {
            db.upsert_deal(sys, {.name = "Из 1С", .pipeline_id = c.sales, .external_ref = "1c-1", .created_at = bad});
          }) == Errc::invalid_argument);
  }
  CHECK(db.last_event_seq() == seq);
  CHECK(db.deal_count() == 2);
  CHECK(db.get_task(task).due_at == *clk.t + kDay);
  // The edges themselves are times like any other.
  for (Millis edge : {model::kMinTime, model::kMaxTime}) {
    CAPTURE(edge);
    for (bool all_day : {false, true}) {
      Id t = db.create_task(sys, {.deal_id = deal, .text = "x", .due = {.at = edge, .all_day = all_day}});
      CHECK(db.get_task(t).due_at >= model::kMinTime);
      CHECK(db.get_task(t).due_at <= model::kMaxTime);
    }
    CHECK(db.task_block({.user_id = c.anna, .now = edge}).groups.size() == 5);
    CHECK(db.activity(deal, {.now = edge}).deal_id == deal);
    Id d = db.create_deal(sys, {.name = "Импорт", .pipeline_id = c.sales, .created_at = edge, .updated_at = edge});
    CHECK(db.get_deal(d).created_at == edge);
    db.move_deals(sys, {d}, {.stage_id = c.sales_stages[1]});
    CHECK(db.stage_history(d).size() == 2);
  }
  CHECK(db.verify().ok);
}

TEST_CASE("the activity indicator explains itself") {
  testutil::ManualClock clk;
  auto db = Database::open(testutil::temp_db("activity"), {.clock = clk.clock()});
  testutil::Catalog c(db);
  auto sys = Actor::system();
  Id quiet = db.create_deal(sys, {.name = "Тихая", .pipeline_id = c.sales});
  Activity a = db.activity(quiet);
  CHECK(a.level == ActivityLevel::none);
  CHECK_FALSE(a.days_since_touch);
  CHECK(a.open_tasks == 0);

  Id busy = db.create_deal(Actor::user(c.anna), {.name = "Живая", .pipeline_id = c.sales,
                                                 .stage_id = c.sales_stages[2], .owner_id = c.anna});
  auto anna = Actor::user(c.anna);
  for (int i = 0; i < 4; ++i) {
    Id t = db.create_task(anna, {.deal_id = busy, .text = "Звонок", .due = {.at = *clk.t + kDay}});
    clk.advance(kHour);
    db.complete_task(anna, t, "ок");
  }
  db.create_task(anna, {.deal_id = busy, .text = "Следующий шаг", .due = {.at = *clk.t + 2 * kDay}});
  a = db.activity(busy);
  CHECK(a.tasks_created == 5);
  CHECK(a.tasks_completed == 4);
  CHECK(a.completed_late == 0);
  CHECK(a.open_tasks == 1);
  CHECK(a.days_since_touch.value() < 0.01);
  CHECK(a.score >= 6);
  CHECK(a.level == ActivityLevel::high);
  CHECK(db.list_deals({.activity = {ActivityLevel::high}}).ids == std::vector<Id>{busy});
  CHECK(db.list_deals({.activity = {ActivityLevel::none}}).ids == std::vector<Id>{quiet});

  // Ten days later the open task is overdue and the stage (7 rotting days) rots.
  clk.advance(10 * kDay);
  a = db.activity(busy);
  CHECK(a.overdue_now == 1);
  CHECK(a.rotting_days == 7);
  CHECK(a.rotting);
  CHECK(a.days_in_stage > 10);
  CHECK(a.level != ActivityLevel::high);
  CHECK(db.list_deals({.rotting = true}).ids == std::vector<Id>{busy});
  CHECK(db.list_deals({.rotting = false}).ids == std::vector<Id>{quiet});
  // Outside the 30-day window, the old work no longer counts.
  clk.advance(40 * kDay);
  a = db.activity(busy, {.window_days = 30});
  CHECK(a.tasks_created == 0);
  CHECK(a.tasks_completed == 0);
  CHECK(code_of([&] { db.activity(busy, {.window_days = 0}); }) == Errc::invalid_argument);
  CHECK(code_of([&] { db.activity(999); }) == Errc::not_found);
}

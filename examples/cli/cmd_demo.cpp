// dealcore demo — builds a realistic Russian CRM database: two pipelines,
// three departments of managers, tags, clients with contacts, and a year of
// deals that were created, moved, won, lost, reassigned and archived. The
// history is replayed in time order through an injected clock, so the event
// log reads like a real year. A fixed seed gives the same data every time.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "catalog.hpp"
#include "commands.hpp"
#include "demo_data.hpp"
#include "output.hpp"
#include "render.hpp"
#include "text.hpp"

namespace cli {

using dealcore::Id;
using dealcore::Millis;

namespace {

constexpr Millis kMinute = 60'000, kHour = 60 * kMinute, kDay = 24 * kHour;

struct Action {
  enum Kind { create, move, assign, archive, task_add, task_done, comment } kind;
  Millis at;
  std::size_t deal;    // index into the plans
  Id stage = 0;        // move
  Id owner = 0;        // assign; comment: a mentioned user
  std::string reason;  // move to a lost stage; comment text
  std::size_t task = 0;  // task_add, task_done: index into the task plans
  bool pin = false;      // pin the event this action writes
};

struct Plan {
  dealcore::DealSpec spec;
  Id id = 0;
  Millis end = 0;  // closed or archived (0: still open today)
};

Millis working_time(demo::Rng &rng, Millis day_start);

struct TaskPlan {
  dealcore::TaskSpec spec;  // deal_id set at replay
  std::string result;
  Id id = 0;
};

// The tasks and comments of one deal from `from` to `end` (a closed or
// archived deal) or today: a chain of tasks, each set when the previous one
// is done; most done on time, some late; ~30% of deals still open today have
// no open task, and the open ones are overdue, due today or later.
void plan_activity(demo::Rng &rng, std::size_t deal, Millis from, Millis end, Millis today,
                   const std::vector<Id> &mention_pool, std::vector<Action> &actions,
                   std::vector<TaskPlan> &tasks) {
  const bool open_today = end == 0;
  const Millis stop = open_today ? today : end;
  if (stop <= from) return;
  // Older history matters less: start at most a few weeks before the end,
  // and deals closed long ago get only a couple of tasks.
  Millis t = std::max(from + static_cast<Millis>(rng.between(20, 240)) * kMinute,
                      stop - static_cast<Millis>(rng.between(5, 60)) * kDay);
  const int most = stop < today - 90 * kDay ? 2 : static_cast<int>(rng.between(1, 5));
  auto make = [&](Millis created) {
    TaskPlan tp;
    const int type = static_cast<int>(rng.below(10) < 4 ? 0 : rng.below(4));
    tp.spec.type_id = type + 1;  // the built-in ids: call, meeting, e-mail, follow-up
    tp.spec.text = rng.pick(demo::task_texts(type));
    tp.spec.due.all_day = type == 3 && rng.chance(0.5);
    tp.spec.due.time_zone = "Europe/Moscow";
    tp.result = rng.pick(demo::task_results(type));
    actions.push_back({Action::task_add, created, deal, 0, 0, "", tasks.size()});
    return tp;
  };
  auto due_on = [&](TaskPlan &tp, Millis day, Millis after) {
    tp.spec.due.at = tp.spec.due.all_day ? day + 12 * kHour : working_time(rng, day);
    if (tp.spec.due.at <= after) tp.spec.due.at = after + 2 * kHour;
  };
  // Done tasks, each set when the previous one was done; most on time.
  for (int n = 0; n < most && t < stop; ++n) {
    TaskPlan tp = make(t);
    due_on(tp, (t / kDay + rng.between(0, 4)) * kDay, t);
    Millis done = rng.chance(0.75) ? t + static_cast<Millis>(static_cast<double>(tp.spec.due.at - t) * rng.unit())
                                   : tp.spec.due.at + static_cast<Millis>(rng.between(2, 72)) * kHour;  // late
    if (done >= stop) done = t + (stop - t) / 2;
    actions.push_back({Action::task_done, done, deal, 0, 0, "", tasks.size()});
    tasks.push_back(std::move(tp));
    t = done + static_cast<Millis>(rng.between(60, 5 * 24 * 60)) * kMinute;
  }
  // ~70% of the deals still open today have an open task: overdue, due
  // today, tomorrow or later; the rest are "deals without tasks".
  if (open_today && rng.chance(0.7)) {
    const Millis created = std::max(from + kMinute, std::min(t, today - static_cast<Millis>(rng.between(1, 72)) * kHour));
    if (created < today) {
      TaskPlan tp = make(created);
      const auto roll = rng.below(100);
      const Millis day = roll < 25 ? today - static_cast<Millis>(rng.between(1, 6)) * kDay  // overdue
                         : roll < 45 ? today                                               // today
                         : roll < 60 ? today + kDay                                        // tomorrow
                                     : today + static_cast<Millis>(rng.between(2, 14)) * kDay;
      due_on(tp, day, created);
      tasks.push_back(std::move(tp));
    }
  }
  if (rng.chance(0.35)) {
    const int count = static_cast<int>(rng.between(1, 2));
    for (int k = 0; k < count; ++k) {
      const Millis at = from + static_cast<Millis>(rng.unit() * static_cast<double>(stop - from));
      Action a{Action::comment, at, deal};
      a.reason = rng.pick(demo::comments());
      if (rng.chance(0.3)) a.owner = rng.pick(mention_pool);
      a.pin = k == 0 && rng.chance(0.12);
      actions.push_back(std::move(a));
    }
  }
}

// A moment during a working day (09:00-19:00 Moscow time) of the given day.
Millis working_time(demo::Rng &rng, Millis day_start) {
  return day_start + 6 * kHour + static_cast<Millis>(rng.below(10 * 60)) * kMinute +
         static_cast<Millis>(rng.below(60'000));
}

std::int64_t log_uniform(demo::Rng &rng, double lo, double hi) {
  return static_cast<std::int64_t>(std::exp(std::log(lo) + rng.unit() * (std::log(hi) - std::log(lo))));
}

// Amount in minor units; mostly RUB, some USD and EUR for sales.
dealcore::Money demo_amount(demo::Rng &rng, bool tender) {
  if (rng.chance(0.03)) return {0, "RUB"};  // a fresh lead with no amount yet
  std::int64_t rub = tender ? log_uniform(rng, 200'000, 80'000'000) : log_uniform(rng, 30'000, 25'000'000);
  if (!tender && rng.chance(0.12)) {
    const bool usd = rng.chance(0.65);
    std::int64_t v = rub / (usd ? 90 : 100);
    v = std::max<std::int64_t>(10, v / 10 * 10);
    return {v * 100, usd ? "USD" : "EUR"};
  }
  const auto r = rng.below(10);
  if (r < 7) return {std::max<std::int64_t>(1000, rub / 1000 * 1000) * 100, "RUB"};
  if (r < 9) return {rub * 100, "RUB"};
  return {rub * 100 + static_cast<std::int64_t>(rng.below(100)), "RUB"};
}

void remove_database(const std::string &path) {
  std::error_code ec;
  for (const char *suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + suffix, ec);
}

int build_demo(const Context &ctx, int n, std::uint64_t seed, Millis today, Millis real_now);

int run_demo(const Context &ctx, const Args &args) {
  if (!args.positional.empty()) throw UsageError("demo: unexpected argument '" + args.positional[0] + "'");
  int n = 3000;
  if (auto v = args.get("deals")) {
    n = static_cast<int>(parse_int(*v, "--deals"));
    if (n < 1 || n > 2'000'000) throw UsageError("--deals: 1..2000000");
  }
  std::uint64_t seed = 20240917;
  if (auto v = args.get("seed")) seed = static_cast<std::uint64_t>(parse_int(*v, "--seed"));
  const Millis real_now = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  Millis today = real_now / kDay * kDay;
  if (auto v = args.get("date")) today = parse_date(*v, "--date");

  if (std::filesystem::exists(ctx.db_path)) {
    if (!args.has("force") && std::filesystem::file_size(ctx.db_path) > 0)
      throw Failure(fmt::format("{} already exists; pass --force to replace it", ctx.db_path));
    remove_database(ctx.db_path);
  }
  try {
    return build_demo(ctx, n, seed, today, real_now);
  } catch (...) {
    remove_database(ctx.db_path);  // a half-built demo is worth nothing
    throw;
  }
}

int build_demo(const Context &ctx, int n, std::uint64_t seed, Millis today, Millis real_now) {
  const auto started = std::chrono::steady_clock::now();
  Millis sim = today - 400 * kDay;
  dealcore::Options options;
  options.clock = [&sim] { return sim; };
  auto db = dealcore::Database::open(ctx.db_path, options);
  const auto sys = dealcore::Actor::system();
  demo::Rng rng(seed);

  // The company's dictionaries.
  std::vector<dealcore::Pipeline> pipes;
  for (const auto &p : demo::pipelines())
    pipes.push_back(db.pipeline(db.create_pipeline(sys, p.name, p.stages)));
  std::vector<Id> departments;
  for (const auto &d : demo::departments()) departments.push_back(db.create_department(sys, d));
  std::vector<Id> users;
  std::vector<std::vector<Id>> users_of(departments.size());
  for (const auto &u : demo::users()) {
    users.push_back(db.create_user(sys, u.name, departments[u.department], demo::make_guid(rng)));
    users_of[u.department].push_back(users.back());
  }
  std::vector<Id> tags;
  for (const auto &t : demo::tags()) tags.push_back(db.create_tag(sys, t.name, t.color));
  auto tag = [&](std::string_view name) {
    for (std::size_t i = 0; i < demo::tags().size(); ++i)
      if (demo::tags()[i].name == name) return tags[i];
    return Id{0};
  };
  // Sales deals take the general tags; tender tags are set by the tender rules.
  std::vector<Id> sales_tags;
  for (std::size_t i = 0; i < tags.size(); ++i) {
    const auto &name = demo::tags()[i].name;
    if (name != "Госзаказ" && name != "44-ФЗ" && name != "223-ФЗ") sales_tags.push_back(tags[i]);
  }

  // Clients and their contacts.
  const auto clients = demo::make_clients(rng, std::max(20, n / 6));
  std::vector<std::vector<Id>> contacts_of(clients.size());
  std::size_t contact_count = 0;
  for (std::size_t i = 0; i < clients.size(); ++i)
    for (const auto &spec : clients[i].contacts) {
      contacts_of[i].push_back(db.create_contact(sys, spec));
      ++contact_count;
    }
  std::vector<std::size_t> public_clients, business_clients;
  for (std::size_t i = 0; i < clients.size(); ++i)
    (clients[i].public_sector ? public_clients : business_clients).push_back(i);

  // Plan a year of deals, then replay every action in time order.
  std::vector<Plan> plans(static_cast<std::size_t>(n));
  std::vector<Action> actions;
  std::vector<Id> sales_owners = users_of[0];
  sales_owners.insert(sales_owners.end(), users_of[1].begin(), users_of[1].end());
  for (std::size_t i = 0; i < plans.size(); ++i) {
    const bool tender = rng.chance(0.25);
    const auto &pipe = pipes[tender ? 1 : 0];
    std::vector<Id> open;
    Id won = 0, lost = 0;
    for (const auto &s : pipe.stages) {
      if (s.kind == dealcore::StageKind::open) open.push_back(s.id);
      if (s.kind == dealcore::StageKind::won) won = s.id;
      if (s.kind == dealcore::StageKind::lost) lost = s.id;
    }
    const bool from_public = tender ? rng.chance(0.8) : rng.chance(0.05);
    const auto &pool = from_public && !public_clients.empty() ? public_clients : business_clients;
    const std::size_t ci = pool[rng.below(pool.size())];
    const auto &client = clients[ci];

    auto &spec = plans[i].spec;
    spec.name = demo::make_deal_name(rng, client, tender);
    spec.pipeline_id = pipe.id;
    const auto amount = demo_amount(rng, tender);
    spec.amount = amount.minor;
    spec.currency = amount.currency;
    spec.owner_id = rng.chance(0.03) ? 0 : rng.pick(tender ? users_of[2] : sales_owners);
    spec.client_ref = client.ref;
    spec.client_name = client.name;
    spec.segment = client.segment;
    if (rng.chance(0.7)) spec.external_ref = demo::make_guid(rng);
    if (tender) {
      spec.tags = {tag("Госзаказ"), rng.chance(0.7) ? tag("44-ФЗ") : tag("223-ФЗ")};
      if (rng.chance(0.1)) spec.tags.push_back(tag("Срочно"));
      if (amount.minor > 2'000'000'000) spec.tags.push_back(tag("Крупный проект"));
    } else {
      const auto k = rng.below(10);
      const int count = k < 3 ? 0 : k < 7 ? 1 : k < 9 ? 2 : 3;
      for (int t = 0; t < count; ++t) spec.tags.push_back(rng.pick(sales_tags));
      if (client.segment == "Крупный бизнес" && rng.chance(0.3)) spec.tags.push_back(tag("VIP"));
    }
    std::sort(spec.tags.begin(), spec.tags.end());
    spec.tags.erase(std::unique(spec.tags.begin(), spec.tags.end()), spec.tags.end());
    spec.contacts.push_back(contacts_of[ci][0]);
    for (std::size_t k = 1; k < contacts_of[ci].size(); ++k)
      if (rng.chance(0.3)) spec.contacts.push_back(contacts_of[ci][k]);

    // Recent deals are more frequent; older ones have had time to close.
    const auto age_days = static_cast<Millis>(365 * std::pow(rng.unit(), 1.3));
    Millis t = working_time(rng, today - age_days * kDay);
    spec.created_at = t;
    actions.push_back({Action::create, t, i});
    const double r = rng.unit();
    const int outcome = age_days > 45   ? (r < 0.42 ? 1 : r < 0.80 ? 2 : 0)
                        : age_days > 10 ? (r < 0.15 ? 1 : r < 0.35 ? 2 : 0)
                                        : (r < 0.03 ? 1 : r < 0.08 ? 2 : 0);  // 1 won, 2 lost
    const auto k = open.size();
    std::size_t last_open = outcome == 1   ? k - 1
                            : outcome == 2 ? static_cast<std::size_t>(static_cast<double>(k) * std::pow(rng.unit(), 1.3))
                                           : static_cast<std::size_t>(static_cast<double>(k) * std::pow(rng.unit(), 1.6));
    last_open = std::min(last_open, k - 1);
    std::vector<std::pair<Id, std::string>> path;
    for (std::size_t s = 1; s <= last_open; ++s)
      if (s == last_open || !rng.chance(0.2)) path.emplace_back(open[s], "");
    if (outcome == 1) path.emplace_back(won, "");
    if (outcome == 2) path.emplace_back(lost, rng.pick(demo::lost_reasons(tender)));
    Millis closed = 0;
    for (const auto &[stage, reason] : path) {
      // Same day a little later, or a working moment of a later day.
      const auto days = rng.between(0, 12);
      t = days == 0 ? t + static_cast<Millis>(rng.between(10, 180)) * kMinute
                    : working_time(rng, (t / kDay + days) * kDay);
      if (t >= today) break;
      actions.push_back({Action::move, t, i, stage, 0, reason});
      if (stage == won && rng.chance(0.1)) actions.back().pin = true;  // an important event
      if (stage == won || stage == lost) closed = t;
    }
    if (spec.owner_id != 0 && rng.chance(0.04)) {
      const auto &team = tender ? users_of[2] : sales_owners;
      const Id other = rng.pick(team);
      const Millis at = spec.created_at.value() + static_cast<Millis>(rng.between(1, 180)) * kMinute;
      if (other != spec.owner_id && at < today) actions.push_back({Action::assign, at, i, 0, other});
    }
    const Millis archive_at = closed ? closed + static_cast<Millis>(rng.between(30, 60)) * kDay
                                     : spec.created_at.value() + 150 * kDay;
    if (archive_at < today && rng.chance(closed ? 0.25 : 0.08)) {
      actions.push_back({Action::archive, archive_at, i});
      plans[i].end = archive_at;
    }
    if (closed) plans[i].end = plans[i].end ? std::min(plans[i].end, closed) : closed;
  }
  // Tasks and comments come from their own generator, so the deals stay the
  // same as in demos made before there were tasks.
  demo::Rng task_rng(seed ^ 0x7a5cULL);
  std::vector<TaskPlan> task_plans;
  for (std::size_t i = 0; i < plans.size(); ++i)
    plan_activity(task_rng, i, plans[i].spec.created_at.value(), plans[i].end, today, users, actions, task_plans);
  std::stable_sort(actions.begin(), actions.end(),
                   [](const Action &a, const Action &b) { return a.at < b.at; });
  std::int64_t archived = 0, task_count = 0, comment_count = 0, pins = 0;
  for (const auto &a : actions) {
    sim = a.at;
    auto &plan = plans[a.deal];
    const auto actor = plan.spec.owner_id ? dealcore::Actor::user(plan.spec.owner_id) : sys;
    switch (a.kind) {
      case Action::create: plan.id = db.create_deal(actor, plan.spec); break;
      case Action::move: db.move_deals(actor, {plan.id}, {.stage_id = a.stage, .lost_reason = a.reason}); break;
      case Action::assign: db.assign_deals(sys, {plan.id}, a.owner); break;
      case Action::archive:
        db.archive_deals(actor, {plan.id});
        ++archived;
        break;
      case Action::task_add: {
        auto &tp = task_plans[a.task];
        tp.spec.deal_id = plan.id;
        tp.id = db.create_task(actor, tp.spec);
        ++task_count;
        break;
      }
      case Action::task_done: db.complete_task(actor, task_plans[a.task].id, task_plans[a.task].result); break;
      case Action::comment:
        db.add_comment(actor, plan.id, a.reason, a.owner ? std::vector<Id>{a.owner} : std::vector<Id>{});
        ++comment_count;
        break;
    }
    if (a.pin) {
      db.pin_event(actor, db.last_event_seq());
      ++pins;
    }
  }
  // Reads after the build see the demo's "now": the real time on the real
  // today, else noon of the --date.
  sim = real_now >= today && real_now < today + kDay ? real_now : today + 12 * kHour;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  Catalog cat(db);
  if (ctx.json) {
    Json j(std::cout);
    j.begin_object().field("path", ctx.db_path).field("seed", static_cast<std::int64_t>(seed))
        .field("pipelines", static_cast<std::int64_t>(pipes.size()))
        .field("departments", static_cast<std::int64_t>(departments.size()))
        .field("users", static_cast<std::int64_t>(users.size()))
        .field("tags", static_cast<std::int64_t>(tags.size()))
        .field("clients", static_cast<std::int64_t>(clients.size()))
        .field("contacts", static_cast<std::int64_t>(contact_count))
        .field("deals", static_cast<std::int64_t>(n)).field("archived", archived)
        .field("tasks", task_count).field("comments", comment_count).field("pinned", pins)
        .field("events", db.last_event_seq()).field("seconds", static_cast<std::int64_t>(seconds))
        .end_object();
    return 0;
  }
  std::cout << fmt::format(
      "Demo database {}: {} pipelines, {} departments, {} users, {} tags,\n"
      "{} clients with {} contacts, {} deals ({} archived), {} tasks, {} comments, {} pinned events,\n"
      "{} events; built in {:.1f} s.\n\n",
      ctx.db_path, pipes.size(), departments.size(), users.size(), tags.size(), clients.size(),
      contact_count, n, archived, task_count, comment_count, pins, db.last_event_seq(), seconds);
  dealcore::BoardFilter bf;
  bf.cards_per_stage = 2;
  bf.time_zone = ctx.zone->name();
  print_board(std::cout, db.board(pipes[0].id, bf), cat, terminal_width(120), real_now, *ctx.zone);
  std::cout << "\nTry: dealcore board --pipeline Тендеры · dealcore list --owner 'Анна Смирнова' "
               "--kind open --total · dealcore show 1\n"
               "     dealcore tasks --user 'Анна Смирнова' · dealcore list --no-tasks --kind open · "
               "dealcore history 1 · dealcore activity 1\n";
  return 0;
}

}  // namespace

Command demo_command() {
  return {"demo", "[--deals N] [--seed N] [--date YYYY-MM-DD] [--force]",
          "create a realistic Russian demo database (a year of deals)",
          {{"deals", "N", false, "number of deals (default 3000)"},
           {"seed", "N", false, "random seed (default 20240917): the same seed gives the same data"},
           {"date", "YYYY-MM-DD", false, "the demo's 'today' (default: the real today, UTC)"},
           {"force", "", false, "replace the database file if it exists"}},
          run_demo};
}

}  // namespace cli

// The read commands: board, list, find, show, pipelines, users, tags, verify.
#include <chrono>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "catalog.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "render.hpp"
#include "text.hpp"

namespace cli {

using dealcore::Id;

dealcore::Database Context::open() const {
  if (!std::filesystem::exists(db_path))
    throw Failure(fmt::format("no database at {} (create one with 'dealcore demo', or pass --db PATH)",
                              db_path));
  dealcore::Options options;
  options.create_if_missing = false;
  return dealcore::Database::open(db_path, options);
}

dealcore::Millis now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

void no_positional(const Args &args, std::string_view command) {
  if (!args.positional.empty())
    throw UsageError(fmt::format("{}: unexpected argument '{}'", command, args.positional[0]));
}

template <class F>
std::vector<Id> resolve_all(const Args &args, std::string_view flag, F &&find) {
  std::vector<Id> ids;
  for (const auto &v : args.all(flag)) ids.push_back(find(v));
  return ids;
}

// ---- board ------------------------------------------------------------------

int run_board(const Context &ctx, const Args &args) {
  no_positional(args, "board");
  auto db = ctx.open();
  Catalog cat(db);
  const dealcore::Pipeline *p = nullptr;
  if (auto name = args.get("pipeline")) p = &cat.find_pipeline(*name);
  else {
    for (const auto &candidate : cat.pipelines())
      if (!candidate.archived) {
        p = &candidate;
        break;
      }
    if (!p) throw Failure("the database has no pipeline yet");
  }
  dealcore::BoardFilter filter;
  filter.owners = resolve_all(args, "owner", [&](auto &v) { return cat.find_user(v); });
  filter.departments = resolve_all(args, "department", [&](auto &v) { return cat.find_department(v); });
  filter.tags_any = resolve_all(args, "tag", [&](auto &v) { return cat.find_tag(v); });
  filter.cards_per_stage = 5;
  if (auto n = args.get("cards")) {
    filter.cards_per_stage = static_cast<int>(parse_int(*n, "--cards"));
    if (filter.cards_per_stage < 0 || filter.cards_per_stage > 1000)
      throw UsageError("--cards: 0..1000");
  }
  int width = terminal_width(120);
  if (auto w = args.get("width")) width = std::max(30, static_cast<int>(parse_int(*w, "--width")));
  filter.time_zone = ctx.zone->name();
  const auto board = db.board(p->id, filter);
  if (ctx.json) {
    Json j(std::cout);
    board_json(j, board, cat);
  } else {
    print_board(std::cout, board, cat, width, now_ms(), *ctx.zone);
  }
  return 0;
}

// ---- list -------------------------------------------------------------------

dealcore::DealFilter filter_from(const Args &args, const Catalog &cat, const Zone &zone) {
  dealcore::DealFilter f;
  for (const auto &v : args.all("pipeline")) f.pipelines.push_back(cat.find_pipeline(v).id);
  for (const auto &v : args.all("stage"))
    for (Id id : cat.find_stages(v, f.pipelines)) f.stages.push_back(id);
  for (const auto &v : args.all("kind")) {
    if (v == "open") f.kinds.push_back(dealcore::StageKind::open);
    else if (v == "won") f.kinds.push_back(dealcore::StageKind::won);
    else if (v == "lost") f.kinds.push_back(dealcore::StageKind::lost);
    else throw UsageError("--kind: open, won or lost");
  }
  f.owners = resolve_all(args, "owner", [&](auto &v) { return cat.find_user(v); });
  f.departments = resolve_all(args, "department", [&](auto &v) { return cat.find_department(v); });
  auto tag = [&](auto &v) { return cat.find_tag(v); };
  f.tags_any = resolve_all(args, "tag-any", tag);
  for (Id id : resolve_all(args, "tag", tag)) f.tags_any.push_back(id);
  f.tags_all = resolve_all(args, "tag-all", tag);
  f.tags_none = resolve_all(args, "tag-none", tag);
  f.client_refs = args.all("client");
  f.segments = args.all("segment");
  if (auto c = args.get("currency")) f.currency = parse_currency(*c);
  const std::string scale = f.currency.empty() ? "RUB" : f.currency;
  if (auto v = args.get("amount-min")) f.amount_min = parse_money(*v, scale, "--amount-min");
  if (auto v = args.get("amount-max")) f.amount_max = parse_money(*v, scale, "--amount-max");
  constexpr dealcore::Millis day = 86'400'000;
  if (auto v = args.get("created-from")) f.created_from = parse_date(*v, "--created-from");
  if (auto v = args.get("created-to")) f.created_to = parse_date(*v, "--created-to") + day;
  if (auto v = args.get("updated-from")) f.updated_from = parse_date(*v, "--updated-from");
  if (auto v = args.get("updated-to")) f.updated_to = parse_date(*v, "--updated-to") + day;
  if (auto v = args.get("text")) f.text = *v;
  if (auto v = args.get("phone")) f.phone = *v;
  if (auto v = args.get("email")) f.email = *v;
  if (args.has("no-tasks") && args.has("has-tasks"))
    throw UsageError("--no-tasks and --has-tasks exclude each other");
  if (args.has("no-tasks")) f.has_open_tasks = false;
  if (args.has("has-tasks")) f.has_open_tasks = true;
  if (args.has("overdue")) f.has_overdue_task = true;
  if (args.has("task-due-today") && args.has("task-due-within"))
    throw UsageError("--task-due-today and --task-due-within exclude each other");
  if (args.has("task-due-today")) {
    // Due later today: overdue tasks are --overdue's.
    f.task_due_from = now_ms();
    f.task_due_to = zone.day_start_after(now_ms(), 1);
  }
  if (auto v = args.get("task-due-within")) {
    const auto days = parse_int(*v, "--task-due-within");
    if (days < 1 || days > 3650) throw UsageError("--task-due-within: 1..3650 days");
    // From now to the end of the local day DAYS-1 days ahead (1 = today).
    f.task_due_from = now_ms();
    f.task_due_to = zone.day_start_after(now_ms(), static_cast<int>(days));
  }
  for (const auto &v : args.all("activity")) {
    if (v == "none") f.activity.push_back(dealcore::ActivityLevel::none);
    else if (v == "low") f.activity.push_back(dealcore::ActivityLevel::low);
    else if (v == "normal") f.activity.push_back(dealcore::ActivityLevel::normal);
    else if (v == "high") f.activity.push_back(dealcore::ActivityLevel::high);
    else throw UsageError("--activity: none, low, normal or high");
  }
  if (args.has("rotting") && args.has("not-rotting"))
    throw UsageError("--rotting and --not-rotting exclude each other");
  if (args.has("rotting")) f.rotting = true;
  if (args.has("not-rotting")) f.rotting = false;
  if (auto v = args.get("archived")) {
    if (*v == "exclude") f.archived = dealcore::ArchivedMode::exclude;
    else if (*v == "only") f.archived = dealcore::ArchivedMode::only;
    else if (*v == "include") f.archived = dealcore::ArchivedMode::include;
    else throw UsageError("--archived: exclude, only or include");
  }
  return f;
}

dealcore::ListOptions options_from(const Args &args, const Zone &zone) {
  dealcore::ListOptions o;
  const std::string sort = args.get("sort").value_or("updated");
  if (sort == "updated") o.sort = dealcore::SortField::updated;
  else if (sort == "created") o.sort = dealcore::SortField::created;
  else if (sort == "amount") o.sort = dealcore::SortField::amount;
  else if (sort == "name") o.sort = dealcore::SortField::name;
  else if (sort == "stage") o.sort = dealcore::SortField::stage;
  else if (sort == "next-task") o.sort = dealcore::SortField::next_task_due;
  else throw UsageError("--sort: updated, created, amount, name, stage or next-task");
  // Names and stages read naturally A to Z, the nearest task first;
  // times and amounts newest/largest first.
  o.descending = !(sort == "name" || sort == "stage" || sort == "next-task");
  o.time_zone = zone.name();
  if (args.has("asc") && args.has("desc")) throw UsageError("--asc and --desc exclude each other");
  if (args.has("asc")) o.descending = false;
  if (args.has("desc")) o.descending = true;
  if (auto v = args.get("limit")) {
    o.limit = static_cast<int>(parse_int(*v, "--limit"));
    if (o.limit < 1 || o.limit > 1000) throw UsageError("--limit: 1..1000");
  }
  if (auto v = args.get("cursor")) o.cursor = *v;
  o.with_total = args.has("total");
  return o;
}

int run_list(const Context &ctx, const Args &args) {
  no_positional(args, "list");
  auto db = ctx.open();
  Catalog cat(db);
  const auto filter = filter_from(args, cat, *ctx.zone);
  const auto options = options_from(args, *ctx.zone);
  const auto page = db.list_deals(filter, options);
  if (ctx.json) {
    Json j(std::cout);
    j.begin_object().key("items").begin_array();
    for (const auto &d : page.items) deal_json(j, d, cat, nullptr, false);
    j.end_array();
    j.field("next_cursor", page.next_cursor);
    j.key("total");
    page.total ? j.value(*page.total) : j.null();
    j.end_object();
    return 0;
  }
  if (page.items.empty()) std::cout << "No deals match.\n";
  else print_deal_table(std::cout, page.items, cat, terminal_width(160), *ctx.zone);
  std::string footer = fmt::format("{} deal{} shown", page.items.size(), page.items.size() == 1 ? "" : "s");
  if (page.total) footer += fmt::format(", {} in total", *page.total);
  std::cout << footer << '\n';
  if (!page.next_cursor.empty()) std::cout << "Next page: --cursor " << page.next_cursor << '\n';
  return 0;
}

// ---- find, show -------------------------------------------------------------

std::vector<dealcore::Contact> contacts_of(const dealcore::Database &db, const dealcore::Deal &d) {
  std::vector<dealcore::Contact> out;
  for (Id id : d.contacts) out.push_back(db.contact(id));
  return out;
}

void contact_json(Json &j, const dealcore::Contact &c) {
  j.begin_object().field("id", c.id).field("name", c.name);
  j.key("phones").begin_array();
  for (const auto &p : c.phones) j.value(p);
  j.end_array().key("emails").begin_array();
  for (const auto &e : c.emails) j.value(e);
  j.end_array().field("client_ref", c.client_ref).end_object();
}

int run_find(const Context &ctx, const Args &args) {
  if (args.positional.size() != 1) throw UsageError("find: give one phone number or e-mail");
  const std::string &query = args.positional[0];
  auto db = ctx.open();
  Catalog cat(db);
  const bool email = query.find('@') != std::string::npos;
  std::string normalized;
  std::vector<Id> contact_ids, deal_ids_found;
  if (email) {
    normalized = query;
    contact_ids = db.find_contacts_by_email(query);
    deal_ids_found = db.find_deals_by_email(query);
  } else {
    try {
      normalized = db.normalize_phone(query);
    } catch (const dealcore::Error &) {
      normalized = "";  // not a full number: the library matches its last digits
    }
    contact_ids = db.find_contacts_by_phone(query);
    deal_ids_found = db.find_deals_by_phone(query);
  }
  std::vector<dealcore::Contact> contacts;
  for (Id id : contact_ids) contacts.push_back(db.contact(id));
  std::vector<dealcore::Deal> deals;
  for (Id id : deal_ids_found) {
    deals.push_back(db.get_deal(id));
    fill_task_state(deals.back(), *ctx.zone, now_ms());
  }
  if (ctx.json) {
    Json j(std::cout);
    j.begin_object().field("query", query).field("kind", email ? "email" : "phone");
    j.field("normalized", normalized);
    j.key("contacts").begin_array();
    for (const auto &c : contacts) contact_json(j, c);
    j.end_array().key("deals").begin_array();
    for (const auto &d : deals) deal_json(j, d, cat);
    j.end_array().end_object();
    return 0;
  }
  std::string what = email ? "E-mail " + query
                           : "Phone " + query + (normalized.empty() ? " (last digits)" : " = " + normalized);
  std::cout << fmt::format("{}: {} contact{}, {} deal{}\n", what, contacts.size(),
                           contacts.size() == 1 ? "" : "s", deals.size(), deals.size() == 1 ? "" : "s");
  if (!contacts.empty()) {
    Table t({{"ID", Align::right}, {"Contact", Align::left, 36}, {"Phones"}, {"E-mails"}});
    for (const auto &c : contacts) {
      std::string phones, emails;
      for (const auto &p : c.phones) phones += (phones.empty() ? "" : ", ") + p;
      for (const auto &e : c.emails) emails += (emails.empty() ? "" : ", ") + e;
      t.add({std::to_string(c.id), c.name, phones.empty() ? "—" : phones, emails.empty() ? "—" : emails});
    }
    std::cout << '\n';
    t.print(std::cout);
  }
  if (!deals.empty()) {
    std::cout << '\n';
    print_deal_table(std::cout, deals, cat, terminal_width(160), *ctx.zone);
  }
  return 0;
}

int run_show(const Context &ctx, const Args &args) {
  const auto ids = deal_ids(args);
  auto db = ctx.open();
  Catalog cat(db);
  if (ctx.json && ids.size() > 1) {
    Json j(std::cout);
    j.begin_array();
    for (Id id : ids) {
      auto d = db.get_deal(id);
      fill_task_state(d, *ctx.zone, now_ms());
      const auto contacts = contacts_of(db, d);
      deal_json(j, d, cat, &contacts);
    }
    j.end_array();
    return 0;
  }
  bool first = true;
  for (Id id : ids) {
    auto d = db.get_deal(id);
    fill_task_state(d, *ctx.zone, now_ms());
    const auto contacts = contacts_of(db, d);
    if (ctx.json) {
      Json j(std::cout);
      deal_json(j, d, cat, &contacts);
    } else {
      if (!first) std::cout << '\n';
      print_card(std::cout, d, cat, contacts, now_ms(), *ctx.zone);
    }
    first = false;
  }
  return 0;
}

// ---- dictionaries -----------------------------------------------------------

std::int64_t count_deals(const dealcore::Database &db, dealcore::DealFilter f) {
  dealcore::ListOptions o;
  o.limit = 1;
  o.with_total = true;
  return db.list_deals(f, o).total.value_or(0);
}

int run_pipelines(const Context &ctx, const Args &args) {
  no_positional(args, "pipelines");
  auto db = ctx.open();
  Catalog cat(db);
  std::unique_ptr<Json> j;
  if (ctx.json) (j = std::make_unique<Json>(std::cout))->begin_array();
  bool first = true;
  for (const auto &p : cat.pipelines()) {
    dealcore::BoardFilter bf;
    bf.cards_per_stage = 0;
    const auto board = db.board(p.id, bf);
    if (j) {
      j->begin_object().field("id", p.id).field("name", p.name).field("position", p.position)
          .field("archived", p.archived);
      j->key("stages").begin_array();
      for (const auto &col : board.columns) {
        j->begin_object();
        j->key("stage");
        stage_json(*j, col.stage);
        j->field("deals", col.count).end_object();
      }
      j->end_array().end_object();
      continue;
    }
    if (!first) std::cout << '\n';
    first = false;
    std::cout << fmt::format("#{} {}{}\n", p.id, p.name, p.archived ? " (archived)" : "");
    Table t({{"ID", Align::right}, {"Stage", Align::left, 40}, {"Kind"}, {"Colour"},
             {"Prob.", Align::right}, {"Rotting", Align::right}, {"Deals", Align::right}});
    for (const auto &col : board.columns) {
      const auto &s = col.stage;
      t.add({std::to_string(s.id), s.name, std::string(kind_name(s.kind)), s.color.empty() ? "—" : s.color,
             s.probability ? fmt::format("{}%", *s.probability) : "—",
             s.rotting_days ? fmt::format("{} d", *s.rotting_days) : "—", std::to_string(col.count)});
    }
    t.print(std::cout);
  }
  if (j) j->end_array();
  return 0;
}

int run_users(const Context &ctx, const Args &args) {
  no_positional(args, "users");
  auto db = ctx.open();
  Catalog cat(db);
  auto open_deals = [&](Id user) {
    dealcore::DealFilter f;
    f.owners = {user};
    f.kinds = {dealcore::StageKind::open};
    return count_deals(db, f);
  };
  if (ctx.json) {
    Json j(std::cout);
    j.begin_object().key("departments").begin_array();
    for (const auto &d : cat.departments())
      j.begin_object().field("id", d.id).field("name", d.name).end_object();
    j.end_array().key("users").begin_array();
    for (const auto &u : cat.users())
      j.begin_object().field("id", u.id).field("name", u.name).field("department_id", u.department_id)
          .field("department", u.department_id ? cat.department_name(u.department_id) : "")
          .field("active", u.active).field("external_ref", u.external_ref)
          .field("open_deals", open_deals(u.id)).end_object();
    j.end_array().end_object();
    return 0;
  }
  Table t({{"ID", Align::right}, {"User", Align::left, 32}, {"Department", Align::left, 32},
           {"Active"}, {"Open deals", Align::right}, {"External ref"}});
  for (const auto &u : cat.users())
    t.add({std::to_string(u.id), u.name, cat.department_name(u.department_id), u.active ? "yes" : "no",
           std::to_string(open_deals(u.id)), u.external_ref.empty() ? "—" : u.external_ref});
  t.print(std::cout);
  return 0;
}

int run_tags(const Context &ctx, const Args &args) {
  no_positional(args, "tags");
  auto db = ctx.open();
  Catalog cat(db);
  auto deals_with = [&](Id tag) {
    dealcore::DealFilter f;
    f.tags_any = {tag};
    return count_deals(db, f);
  };
  if (ctx.json) {
    Json j(std::cout);
    j.begin_array();
    for (const auto &t : cat.tags())
      j.begin_object().field("id", t.id).field("name", t.name).field("color", t.color)
          .field("deals", deals_with(t.id)).end_object();
    j.end_array();
    return 0;
  }
  Table t({{"ID", Align::right}, {"Tag", Align::left, 32}, {"Colour"}, {"Deals", Align::right}});
  for (const auto &tag : cat.tags())
    t.add({std::to_string(tag.id), tag.name, tag.color.empty() ? "—" : tag.color,
           std::to_string(deals_with(tag.id))});
  t.print(std::cout);
  return 0;
}

int run_verify(const Context &ctx, const Args &args) {
  no_positional(args, "verify");
  auto db = ctx.open();
  const auto report = db.verify();
  const auto deals = db.deal_count(dealcore::ArchivedMode::include);
  if (ctx.json) {
    Json j(std::cout);
    j.begin_object().field("ok", report.ok).field("deals", deals)
        .field("last_event_seq", db.last_event_seq());
    j.key("differences").begin_array();
    for (const auto &d : report.differences) j.value(d);
    j.end_array().end_object();
  } else if (report.ok) {
    std::cout << fmt::format("ok: the views match the tables ({} deals, last event #{})\n", deals,
                             db.last_event_seq());
  } else {
    std::cout << fmt::format("MISMATCH: {} difference(s) between the views and the tables\n",
                             report.differences.size());
    for (const auto &d : report.differences) std::cout << "  " << d << '\n';
  }
  return report.ok ? 0 : 1;
}

}  // namespace

std::vector<Command> read_commands() {
  return {
      {"board", "[--pipeline ID|NAME] [--owner U]... [--department D]... [--tag T]... [--cards N]",
       "the kanban of a pipeline: stages with deal counts, sums and first cards",
       {{"pipeline", "ID|NAME", false, "pipeline to show (default: the first one)"},
        {"owner", "ID|NAME", true, "only deals of this owner"},
        {"department", "ID|NAME", true, "only deals of this department"},
        {"tag", "ID|NAME", true, "only deals with any of these tags"},
        {"cards", "N", false, "cards per stage, 0..1000 (default 5)"},
        {"width", "COLS", false, "layout width (default: the terminal's, or 120)"}},
       run_board},
      {"list", "[filters] [--sort FIELD] [--asc|--desc] [--limit N] [--cursor TOKEN] [--total]",
       "the deal list with any combination of filters, sorted and paged",
       {{"pipeline", "ID|NAME", true, "in this pipeline"},
        {"stage", "ID|NAME", true, "in this stage (a name matches it in every pipeline given)"},
        {"kind", "open|won|lost", true, "in a stage of this kind"},
        {"owner", "ID|NAME", true, "owned by this user"},
        {"department", "ID|NAME", true, "of this department"},
        {"tag-any", "ID|NAME", true, "has at least one of these tags"},
        {"tag", "ID|NAME", true, "same as --tag-any"},
        {"tag-all", "ID|NAME", true, "has every one of these tags"},
        {"tag-none", "ID|NAME", true, "has none of these tags"},
        {"client", "REF", true, "of this client (the host's client_ref)"},
        {"segment", "NAME", true, "of this client segment"},
        {"amount-min", "AMOUNT", false, "amount at least this, in major units (1500.50)"},
        {"amount-max", "AMOUNT", false, "amount at most this, in major units"},
        {"currency", "CODE", false, "with an amount bound: only this currency (default scale RUB)"},
        {"created-from", "YYYY-MM-DD", false, "created on or after this day (UTC)"},
        {"created-to", "YYYY-MM-DD", false, "created on or before this day (UTC)"},
        {"updated-from", "YYYY-MM-DD", false, "updated on or after this day (UTC)"},
        {"updated-to", "YYYY-MM-DD", false, "updated on or before this day (UTC)"},
        {"text", "TEXT", false, "name contains this, case-insensitive (ё = е)"},
        {"phone", "PHONE", false, "a contact has this phone (any notation, or last 5+ digits)"},
        {"email", "EMAIL", false, "a contact has this e-mail"},
        {"no-tasks", "", false, "deals without open tasks"},
        {"has-tasks", "", false, "deals with open tasks"},
        {"overdue", "", false, "deals with an overdue open task"},
        {"task-due-today", "", false, "deals with an open task due later today (--tz)"},
        {"task-due-within", "DAYS", false, "an open task due from now to the end of day DAYS (1 = today)"},
        {"activity", "LEVEL", true, "activity level none, low, normal or high (30-day window)"},
        {"rotting", "", false, "longer in the stage than its rotting days"},
        {"not-rotting", "", false, "not rotting"},
        {"archived", "MODE", false, "exclude (default), only or include archived deals"},
        {"sort", "FIELD", false, "updated (default), created, amount, name, stage or next-task"},
        {"asc", "", false, "ascending (default for name, stage and next-task)"},
        {"desc", "", false, "descending (default for updated, created, amount)"},
        {"limit", "N", false, "page size, 1..1000 (default 50)"},
        {"cursor", "TOKEN", false, "continue after the page that printed this token"},
        {"total", "", false, "also count every matching deal"}},
       run_list},
      {"find", "<phone|email>", "the contacts and deals that have this phone number or e-mail", {},
       run_find},
      {"show", "<deal id>...", "the deal card: every field, tags and contacts", {}, run_show},
      {"pipelines", "", "pipelines and their stages, with deal counts", {}, run_pipelines},
      {"users", "", "users (deal owners) and departments, with open deal counts", {}, run_users},
      {"tags", "", "the tag dictionary, with deal counts", {}, run_tags},
      {"verify", "", "rebuild the in-memory views aside and compare them with the tables", {},
       run_verify},
  };
}

}  // namespace cli

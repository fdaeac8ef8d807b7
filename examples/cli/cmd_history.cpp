// A deal's history (H1, H3, H4, H7): comments, pins, the timeline with the
// pinned events first, the stage intervals, and the activity indicator (D5).
#include <cmath>
#include <iostream>
#include <map>

#include <fmt/format.h>

#include "catalog.hpp"
#include "commands.hpp"
#include "describe.hpp"
#include "output.hpp"
#include "render.hpp"
#include "text.hpp"

namespace cli {

using dealcore::Id;

namespace {

// The event with this sequence number, from the change feed.
dealcore::Event event_at(const dealcore::Database &db, std::int64_t seq) {
  auto ev = db.events_after(seq - 1, 1);
  if (ev.empty() || ev[0].seq != seq) throw Failure(fmt::format("event {} does not exist", seq));
  return ev[0];
}

std::string deal_line(const dealcore::Database &db, Id deal) {
  const auto d = db.get_deal(deal);
  return fmt::format("#{} {}", d.id, truncate_to_width(d.name, 70));
}

// ---- comment ----------------------------------------------------------------------

int run_comment(const Context &ctx, const Args &args) {
  const auto &p = args.positional;
  if (p.empty()) throw UsageError("comment: give a deal id and the text, or 'edit <id> TEXT' / 'delete <id>'");
  auto db = ctx.open();
  Catalog cat(db);
  if (p[0] == "edit" || p[0] == "delete") {
    const bool edit = p[0] == "edit";
    if (p.size() != (edit ? 3u : 2u))
      throw UsageError(edit ? "comment edit: give the comment id and the new text" : "comment delete: give the comment id");
    if (!args.all("mention").empty()) throw UsageError(fmt::format("comment {}: --mention does not apply", p[0]));
    const Id id = parse_id(p[1], "comment id");
    if (edit) db.edit_comment(ctx.actor, id, p[2]);
    else db.delete_comment(ctx.actor, id);
    if (ctx.json) {
      Json j(std::cout);
      j.begin_object().field("id", id).field("status", edit ? "edited" : "deleted");
      if (edit) j.field("text", p[2]);
      j.end_object();
    } else {
      std::cout << fmt::format("{} comment #{} (the earlier text stays in the history)\n",
                               edit ? "Edited" : "Deleted", id);
    }
    return 0;
  }
  if (p.size() != 2) throw UsageError("comment: give a deal id and the text (quote it)");
  const Id deal = parse_id(p[0], "deal id");
  std::vector<Id> mentions;
  for (const auto &m : args.all("mention")) mentions.push_back(cat.find_user(m));
  const Id id = db.add_comment(ctx.actor, deal, p[1], mentions);
  if (ctx.json) {
    Json j(std::cout);
    j.begin_object().field("id", id).field("deal_id", deal).field("text", p[1]);
    j.key("mentions").begin_array();
    for (Id m : mentions) j.begin_object().field("id", m).field("name", cat.user_name(m)).end_object();
    j.end_array().end_object();
    return 0;
  }
  std::string who;
  for (Id m : mentions) {
    // Appended piece by piece: GCC 12 warns, wrongly, on "@" + std::string&& (-Wrestrict).
    who += who.empty() ? ", mentions @" : ", @";
    who += cat.user_name(m);
  }
  std::cout << fmt::format("Comment #{} added to deal {}{}\n", id, deal_line(db, deal), who);
  return 0;
}

// ---- pin, unpin ---------------------------------------------------------------------

int run_pin_or_unpin(const Context &ctx, const Args &args, bool pin) {
  const char *name = pin ? "pin" : "unpin";
  if (args.positional.size() != 1) throw UsageError(fmt::format("{}: give one event sequence number (see history)", name));
  const auto seq = parse_id(args.positional[0], "event");
  auto db = ctx.open();
  Catalog cat(db);
  const auto e = event_at(db, seq);
  if (pin) db.pin_event(ctx.actor, seq);
  else db.unpin_event(ctx.actor, seq);
  if (ctx.json) {
    Json j(std::cout);
    j.begin_object().field("seq", seq).field("deal_id", e.deal_id).field("kind", e.kind)
        .field("pinned", pin).end_object();
    return 0;
  }
  std::cout << fmt::format("{} event #{} of deal {}: {} — {}\n", pin ? "Pinned" : "Unpinned", seq,
                           deal_line(db, e.deal_id), e.kind,
                           describe_event(e.kind, e.payload, cat, *ctx.zone));
  return 0;
}

int run_pin(const Context &ctx, const Args &args) { return run_pin_or_unpin(ctx, args, true); }
int run_unpin(const Context &ctx, const Args &args) { return run_pin_or_unpin(ctx, args, false); }

// ---- history ------------------------------------------------------------------------

int run_history(const Context &ctx, const Args &args) {
  if (args.positional.size() != 1) throw UsageError("history: give one deal id");
  const Id deal = parse_id(args.positional[0], "deal id");
  auto db = ctx.open();
  Catalog cat(db);
  dealcore::TimelineQuery q;
  // "task" means every task event ("task."); a full kind matches exactly.
  for (const auto &k : args.all("kind")) q.kinds.push_back(k.find('.') == std::string::npos ? k + "." : k);
  for (const auto &a : args.all("actor"))
    q.actors.push_back(a == "system" || a == "0" ? 0 : cat.find_user(a));
  if (auto v = args.get("limit")) {
    q.limit = static_cast<int>(parse_int(*v, "--limit"));
    if (q.limit < 1 || q.limit > 1000) throw UsageError("--limit: 1..1000");
  }
  if (auto c = args.get("cursor")) q.cursor = *c;
  const auto page = db.timeline(deal, q);
  std::map<Id, std::string> texts;
  const TaskTextLookup task_text = [&](Id id) {
    auto it = texts.find(id);
    if (it != texts.end()) return it->second;
    std::string text;
    try {
      text = db.get_task(id).text;
    } catch (const dealcore::Error &) {
      // deleted: its text is in the task.deleted event
    }
    return texts[id] = text;
  };
  auto describe = [&](const dealcore::TimelineEntry &e) {
    return describe_event(e.kind, e.payload, cat, *ctx.zone, task_text);
  };
  if (ctx.json) {
    Json j(std::cout);
    j.begin_object().field("deal_id", deal).field("time_zone", ctx.zone->name());
    auto entries = [&](const char *key, const std::vector<dealcore::TimelineEntry> &list) {
      j.key(key).begin_array();
      for (const auto &e : list) {
        j.begin_object().field("seq", e.seq).field("at", e.at).field("time", ctx.zone->format_time(e.at))
            .field("actor_id", e.actor_id).field("actor", cat.actor_name(e.actor_id)).field("kind", e.kind)
            .field("payload", e.payload).field("text", describe(e)).field("pinned", e.pinned);
        if (e.pinned)
          j.field("pinned_at", e.pinned_at).field("pinned_by", e.pinned_by)
              .field("pinned_by_name", cat.actor_name(e.pinned_by));
        j.end_object();
      }
      j.end_array();
    };
    entries("pinned", page.pinned);
    entries("items", page.items);
    j.field("next_cursor", page.next_cursor).end_object();
    return 0;
  }
  std::cout << fmt::format("History of deal {}\n", deal_line(db, deal));
  if (page.pinned.empty() && page.items.empty()) {
    std::cout << "No events match.\n";
    return 0;
  }
  // The pin column only when there are pinned events on the page.
  const bool pins = !page.pinned.empty();
  std::vector<Column> cols = {{"Seq", Align::right}, {fmt::format("Time ({})", ctx.zone->name())},
                              {"Actor", Align::left, 20, 8}, {"Event"}, {"Details", Align::left, 90, 24}};
  if (pins) cols.insert(cols.begin(), Column{""});
  Table t(cols);
  auto row = [&](const dealcore::TimelineEntry &e) {
    std::vector<std::string> r = {std::to_string(e.seq), ctx.zone->format_time(e.at), cat.actor_name(e.actor_id),
                                  e.kind, describe(e)};
    if (pins) r.insert(r.begin(), e.pinned ? "📌" : "");
    t.add(std::move(r));
  };
  for (const auto &e : page.pinned) row(e);
  for (const auto &e : page.items) row(e);
  t.print(std::cout, terminal_width(160));
  if (!page.pinned.empty())
    std::cout << fmt::format("📌 {} pinned event{} first, then the rest newest first\n", page.pinned.size(),
                             page.pinned.size() == 1 ? "" : "s");
  if (!page.next_cursor.empty()) std::cout << "Next page: --cursor " << page.next_cursor << '\n';
  return 0;
}

// ---- stages -------------------------------------------------------------------------

int run_stages(const Context &ctx, const Args &args) {
  if (args.positional.size() != 1) throw UsageError("stages: give one deal id");
  const Id deal = parse_id(args.positional[0], "deal id");
  auto db = ctx.open();
  Catalog cat(db);
  const auto intervals = db.stage_history(deal);
  if (ctx.json) {
    Json j(std::cout);
    j.begin_array();
    for (const auto &s : intervals) {
      j.begin_object().field("pipeline_id", s.pipeline_id).field("pipeline", cat.pipeline_name(s.pipeline_id))
          .field("stage_id", s.stage_id).field("stage", cat.stage_name(s.stage_id))
          .field("entered_at", s.entered_at);
      j.key("left_at");
      s.left_at ? j.value(*s.left_at) : j.null();
      j.field("duration_ms", s.duration).field("duration", format_duration(s.duration))
          .field("current", !s.left_at).end_object();
    }
    j.end_array();
    return 0;
  }
  std::cout << fmt::format("Stages of deal {}\n", deal_line(db, deal));
  Table t({{"Pipeline", Align::left, 20}, {"Stage", Align::left, 32}, {fmt::format("Entered ({})", ctx.zone->name())},
           {"Left"}, {"Time in stage", Align::right}});
  std::map<Id, dealcore::Millis> per_stage;
  for (const auto &s : intervals) {
    std::string stage = cat.stage_name(s.stage_id);
    if (const auto *st = cat.stage(s.stage_id); st && st->kind != dealcore::StageKind::open)
      stage = (st->kind == dealcore::StageKind::won ? "✓ " : "✗ ") + stage;
    t.add({cat.pipeline_name(s.pipeline_id), stage, ctx.zone->format_time(s.entered_at),
           s.left_at ? ctx.zone->format_time(*s.left_at) : "now", format_duration(s.duration)});
    per_stage[s.stage_id] += s.duration;
  }
  t.print(std::cout);
  if (per_stage.size() < intervals.size()) {
    std::cout << "\nIn total (stages visited more than once):\n";
    for (const auto &[stage, ms] : per_stage) {
      std::int64_t visits = 0;
      for (const auto &s : intervals) visits += s.stage_id == stage;
      if (visits > 1)
        std::cout << fmt::format("  {}: {} in {} stays\n", cat.stage_name(stage), format_duration(ms), visits);
    }
  }
  return 0;
}

// ---- activity -----------------------------------------------------------------------

std::string_view level_name(dealcore::ActivityLevel l) {
  switch (l) {
    case dealcore::ActivityLevel::low: return "low";
    case dealcore::ActivityLevel::normal: return "normal";
    case dealcore::ActivityLevel::high: return "high";
    default: return "none";
  }
}

int run_activity(const Context &ctx, const Args &args) {
  if (args.positional.size() != 1) throw UsageError("activity: give one deal id");
  const Id deal = parse_id(args.positional[0], "deal id");
  dealcore::ActivityOptions o;
  if (auto v = args.get("window")) {
    o.window_days = static_cast<int>(parse_int(*v, "--window"));
    if (o.window_days < 1 || o.window_days > 3650) throw UsageError("--window: 1..3650 days");
  }
  auto db = ctx.open();
  const auto a = db.activity(deal, o);
  auto one_decimal = [](double v) { return std::round(v * 10) / 10; };
  if (ctx.json) {
    Json j(std::cout);
    j.begin_object().field("deal_id", a.deal_id).field("window_days", a.window_days);
    j.key("components").begin_object()
        .field("tasks_created", a.tasks_created).field("tasks_completed", a.tasks_completed)
        .field("completed_late", a.completed_late).field("overdue_now", a.overdue_now)
        .field("open_tasks", a.open_tasks);
    // Days are fractional: numbers rounded to 0.1.
    j.key("days_since_touch");
    a.days_since_touch ? j.raw(fmt::format("{:.1f}", one_decimal(*a.days_since_touch))) : j.null();
    j.key("days_in_stage").raw(fmt::format("{:.1f}", one_decimal(a.days_in_stage)));
    j.key("rotting_days");
    a.rotting_days ? j.value(*a.rotting_days) : j.null();
    j.field("rotting", a.rotting).end_object();
    j.field("score", a.score).field("level", level_name(a.level)).end_object();
    return 0;
  }
  Catalog cat(db);
  std::cout << fmt::format("Activity of deal {}\n", deal_line(db, deal));
  std::cout << fmt::format("Level: {}  (score {}; window {} days; formula in docs/activity.md)\n\n",
                           level_name(a.level), a.score, a.window_days);
  const int touch_penalty = !a.days_since_touch ? 3 : *a.days_since_touch > 14 ? 2 : *a.days_since_touch > 7 ? 1 : 0;
  const bool no_task = a.open_tasks == 0 && db.get_deal(deal).stage_kind == dealcore::StageKind::open;
  Table t({{"Component"}, {"Value", Align::right}, {"Points", Align::right}});
  auto pts = [](std::int64_t v) { return v == 0 ? std::string("0") : fmt::format("{:+}", v); };
  t.add({"tasks completed on time", std::to_string(a.tasks_completed - a.completed_late),
         pts(2 * (a.tasks_completed - a.completed_late))});
  t.add({"tasks completed late", std::to_string(a.completed_late), pts(a.completed_late)});
  t.add({"tasks created", std::to_string(a.tasks_created), pts(std::min<std::int64_t>(a.tasks_created, 3))});
  t.add({"overdue now", std::to_string(a.overdue_now), pts(-3 * a.overdue_now)});
  t.add({"open tasks", std::to_string(a.open_tasks), ""});
  t.add({"days since a person touched it",
         a.days_since_touch ? fmt::format("{:.1f}", *a.days_since_touch) : "never", pts(-touch_penalty)});
  t.add({"days in the stage", fmt::format("{:.1f}", a.days_in_stage), ""});
  t.add({"rotting", a.rotting_days ? fmt::format("{} (after {} d)", a.rotting ? "yes" : "no", *a.rotting_days) : "—",
         pts(a.rotting ? -2 : 0)});
  t.add({"open stage without an open task", no_task ? "yes" : "no", pts(no_task ? -2 : 0)});
  t.print(std::cout);
  return 0;
}

}  // namespace

std::vector<Command> history_commands() {
  return {
      {"comment", "<deal> TEXT [--mention U]... | edit <comment> TEXT | delete <comment>",
       "comment on a deal, mentioning users; edit and delete keep the earlier text in history",
       {{"mention", "ID|NAME", true, "a user the comment mentions"}},
       run_comment},
      {"pin", "<event seq>", "mark an event of a deal as important: history shows it first", {}, run_pin},
      {"unpin", "<event seq>", "take the mark off a pinned event", {}, run_unpin},
      {"history", "<deal> [--kind K]... [--actor U]... [--limit N] [--cursor C]",
       "the deal's timeline: pinned events first, then every event newest first",
       {{"kind", "KIND", true, "only this kind (deal.stage_changed), or family (task, comment, deal)"},
        {"actor", "ID|NAME", true, "only events by this user ('system' for the system)"},
        {"limit", "N", false, "page size, 1..1000 (default 50)"},
        {"cursor", "TOKEN", false, "continue after the page that printed this token"}},
       run_history},
      {"stages", "<deal>", "the deal's stays in each stage: entered, left, time in stage", {}, run_stages},
      {"activity", "<deal> [--window DAYS]",
       "the activity indicator: its components, score and level (none/low/normal/high)",
       {{"window", "DAYS", false, "the window in days, 1..3650 (default 30)"}},
       run_activity},
  };
}

}  // namespace cli

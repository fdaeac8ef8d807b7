// dealcore events — the event log (H1): every change with its actor, oldest
// first, for the whole database or one deal. It is also the change feed a
// host follows with "events after N".
#include <iostream>
#include <map>
#include <variant>

#include <fmt/format.h>

#include "catalog.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "text.hpp"

namespace cli {

using dealcore::Id;

namespace {

// The payloads are flat JSON objects of numbers, strings, booleans and arrays
// of numbers; this reads exactly that much, and gives up on anything else.
using Value = std::variant<std::int64_t, std::string, std::vector<std::int64_t>, bool>;

bool parse_flat_object(std::string_view s, std::map<std::string, Value> &out) {
  std::size_t i = 0;
  auto ws = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r')) ++i;
  };
  auto string = [&](std::string &v) {
    if (i >= s.size() || s[i] != '"') return false;
    for (++i; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\') {
        if (++i >= s.size()) return false;
        const char e = s[i];
        if (e == 'u') return false;  // not needed for our payloads' keys and names
        v += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      } else {
        v += s[i];
      }
    }
    return i++ < s.size();
  };
  auto number = [&](std::int64_t &v) {
    const std::size_t start = i;
    if (i < s.size() && s[i] == '-') ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
    v = std::stoll(std::string(s.substr(start, i - start)));
    return true;
  };
  ws();
  if (i >= s.size() || s[i++] != '{') return false;
  ws();
  if (i < s.size() && s[i] == '}') return true;
  while (true) {
    std::string key;
    ws();
    if (!string(key)) return false;
    ws();
    if (i >= s.size() || s[i++] != ':') return false;
    ws();
    if (i >= s.size()) return false;
    if (s[i] == '"') {
      std::string v;
      if (!string(v)) return false;
      out[key] = v;
    } else if (s[i] == '[') {
      std::vector<std::int64_t> v;
      ++i;
      ws();
      while (i < s.size() && s[i] != ']') {
        std::int64_t n;
        if (!number(n)) return false;
        v.push_back(n);
        ws();
        if (i < s.size() && s[i] == ',') ++i;
        ws();
      }
      ++i;
      out[key] = v;
    } else if (s.substr(i, 4) == "true" || s.substr(i, 5) == "false") {
      out[key] = s[i] == 't';
      i += s[i] == 't' ? 4 : 5;
    } else {
      std::int64_t n;
      if (!number(n)) return false;
      out[key] = n;
    }
    ws();
    if (i < s.size() && s[i] == ',') {
      ++i;
      continue;
    }
    return i < s.size() && s[i] == '}';
  }
}

// A line a person can read, for the kinds of event we know.
std::string describe(const dealcore::Event &e, const Catalog &cat) {
  std::map<std::string, Value> f;
  if (!parse_flat_object(e.payload, f)) return e.payload;
  auto num = [&](const char *k) {
    auto it = f.find(k);
    return it != f.end() && std::holds_alternative<std::int64_t>(it->second)
               ? std::get<std::int64_t>(it->second)
               : std::int64_t{0};
  };
  auto str = [&](const char *k) {
    auto it = f.find(k);
    return it != f.end() && std::holds_alternative<std::string>(it->second)
               ? std::get<std::string>(it->second)
               : std::string();
  };
  auto ids = [&](const char *k, const char *sign) {
    std::string out;
    auto it = f.find(k);
    if (it != f.end() && std::holds_alternative<std::vector<std::int64_t>>(it->second))
      for (auto id : std::get<std::vector<std::int64_t>>(it->second)) out += fmt::format(" {}{}", sign, cat.tag_name(id));
    return out;
  };
  if (e.kind == "deal.created")
    return fmt::format("«{}» in {} → {}, {}", str("name"), cat.pipeline_name(num("pipeline")),
                       cat.stage_name(num("stage")),
                       format_money({num("amount"), str("currency").empty() ? "RUB" : str("currency")}));
  if (e.kind == "deal.stage_changed") {
    std::string s = fmt::format("{} → {}", cat.stage_name(num("from_stage")), cat.stage_name(num("to_stage")));
    if (num("from_pipeline") != num("to_pipeline"))
      s += fmt::format(" ({} → {})", cat.pipeline_name(num("from_pipeline")), cat.pipeline_name(num("to_pipeline")));
    if (!str("lost_reason").empty()) s += ": " + str("lost_reason");
    return s;
  }
  if (e.kind == "deal.owner_changed")
    return fmt::format("{} → {}", cat.user_name(num("from")), cat.user_name(num("to")));
  if (e.kind == "deal.department_changed")
    return fmt::format("{} → {}", cat.department_name(num("from")), cat.department_name(num("to")));
  if (e.kind == "deal.archived") {
    auto it = f.find("archived");
    const bool on = it == f.end() || !std::holds_alternative<bool>(it->second) || std::get<bool>(it->second);
    return on ? "archived" : "restored from the archive";
  }
  if (e.kind == "deal.tags_changed") return (ids("added", "+") + ids("removed", "−")).substr(1);
  return e.payload;
}

int run_events(const Context &ctx, const Args &args) {
  if (!args.positional.empty()) throw UsageError("events: unexpected argument '" + args.positional[0] + "'");
  auto db = ctx.open();
  Catalog cat(db);
  int limit = 20;
  if (auto v = args.get("limit")) {
    limit = static_cast<int>(parse_int(*v, "--limit"));
    if (limit < 1 || limit > 10000) throw UsageError("--limit: 1..10000");
  }
  Id deal = 0;  // 0: every deal
  if (auto v = args.get("deal")) {
    deal = parse_id(*v, "--deal");
    db.get_deal(deal);  // an unknown deal is an error, not an empty history
  }
  std::vector<dealcore::Event> events;
  if (auto after = args.get("after")) {
    // The feed: the first `limit` events after a sequence number.
    std::int64_t seq = parse_int(*after, "--after");
    while (static_cast<int>(events.size()) < limit) {
      const auto chunk = db.events_after(seq, 10000);
      if (chunk.empty()) break;
      for (const auto &e : chunk)
        if ((deal == 0 || e.deal_id == deal) && static_cast<int>(events.size()) < limit) events.push_back(e);
      seq = chunk.back().seq;
    }
  } else if (deal == 0) {
    events = db.events_after(std::max<std::int64_t>(0, db.last_event_seq() - limit), limit);
  } else {
    // One deal's history: the log has no per-deal index in the API, so walk it.
    for (std::int64_t seq = 0;;) {
      const auto chunk = db.events_after(seq, 10000);
      if (chunk.empty()) break;
      for (const auto &e : chunk)
        if (e.deal_id == deal) events.push_back(e);
      seq = chunk.back().seq;
    }
    if (static_cast<int>(events.size()) > limit) events.erase(events.begin(), events.end() - limit);
  }
  auto actor = [&](Id id) { return id == 0 ? std::string("system") : cat.user_name(id); };
  if (ctx.json) {
    Json j(std::cout);
    j.begin_array();
    for (const auto &e : events) {
      j.begin_object().field("seq", e.seq).field("at", e.at).field("actor_id", e.actor_id)
          .field("actor", actor(e.actor_id)).field("deal_id", e.deal_id).field("kind", e.kind)
          .field("payload", e.payload).field("text", describe(e, cat)).end_object();
    }
    j.end_array();
    return 0;
  }
  if (events.empty()) {
    std::cout << "No events.\n";
    return 0;
  }
  Table t({{"Seq", Align::right}, {"Time (UTC)"}, {"Actor", Align::left, 20}, {"Deal", Align::right},
           {"Event"}, {"Details", Align::left, 70}});
  for (const auto &e : events)
    t.add({std::to_string(e.seq), format_time(e.at), actor(e.actor_id),
           e.deal_id ? std::to_string(e.deal_id) : "", e.kind, describe(e, cat)});
  t.print(std::cout);
  return 0;
}

}  // namespace

Command events_command() {
  return {"events", "[--deal ID] [--after SEQ] [--limit N]",
          "the event log: who changed what and when (the latest events by default)",
          {{"deal", "ID", false, "only this deal's history"},
           {"after", "SEQ", false, "the events after this sequence number, oldest first"},
           {"limit", "N", false, "at most this many events, 1..10000 (default 20)"}},
          run_events};
}

}  // namespace cli

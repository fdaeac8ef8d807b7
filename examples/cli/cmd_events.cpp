// dealcore events — the event log (H1): every change with its actor, oldest
// first, for the whole database or one deal. It is also the change feed a
// host follows with "events after N".
#include <iostream>

#include <fmt/format.h>

#include "catalog.hpp"
#include "describe.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "text.hpp"

namespace cli {

using dealcore::Id;

namespace {

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
  auto actor = [&](Id id) { return cat.actor_name(id); };
  const Zone utc("UTC");
  if (ctx.json) {
    Json j(std::cout);
    j.begin_array();
    for (const auto &e : events) {
      j.begin_object().field("seq", e.seq).field("at", e.at).field("actor_id", e.actor_id)
          .field("actor", actor(e.actor_id)).field("deal_id", e.deal_id).field("kind", e.kind)
          .field("payload", e.payload).field("text", describe_event(e.kind, e.payload, cat, utc)).end_object();
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
           e.deal_id ? std::to_string(e.deal_id) : "", e.kind, describe_event(e.kind, e.payload, cat, utc)});
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

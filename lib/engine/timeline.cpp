// The deal's history: comments, the timeline with pinned events first, and
// the exact intervals spent in each stage.
#include <algorithm>

#include <fmt/format.h>

#include "engine/impl.hpp"
#include "model/json.hpp"
#include "model/text.hpp"

namespace dealcore {

using model::checked_text;
using model::JsonObject;

Id Database::add_comment(Actor actor, Id deal_id, const std::string &text, const std::vector<Id> &mentions) {
  auto t = checked_text("comment", text, true, model::kMaxTextBytes);
  std::vector<Id> m(mentions.begin(), mentions.end());
  std::sort(m.begin(), m.end());
  m.erase(std::unique(m.begin(), m.end()), m.end());
  return impl_->write(actor, [&](Impl::Pending &) {
    impl_->load_deal(deal_id);
    for (Id u : m) impl_->user(u);
    std::string mentions_json = model::json_ids(m);
    Millis now = impl_->now();
    Id id = impl_->store_.insert_comment(deal_id, actor.user_id, t, mentions_json, now);
    impl_->store_.append_event(now, actor.user_id, deal_id, "comment.added",
                               JsonObject().num("comment", id).str("text", t).ids("mentions", m).done());
    return id;
  });
}

void Database::edit_comment(Actor actor, Id comment_id, const std::string &text) {
  auto t = checked_text("comment", text, true, model::kMaxTextBytes);
  impl_->write(actor, [&](Impl::Pending &) {
    auto c = impl_->store_.load_comment(comment_id);
    if (!c || c->deleted) throw Error(Errc::not_found, fmt::format("comment {} does not exist", comment_id));
    if (c->text == t) return;
    Millis now = impl_->now();
    impl_->store_.update_comment(comment_id, t, false, now);
    impl_->store_.append_event(now, actor.user_id, c->deal, "comment.edited",
                               JsonObject().num("comment", comment_id).str("from", c->text).str("to", t).done());
  });
}

void Database::delete_comment(Actor actor, Id comment_id) {
  impl_->write(actor, [&](Impl::Pending &) {
    auto c = impl_->store_.load_comment(comment_id);
    if (!c || c->deleted) throw Error(Errc::not_found, fmt::format("comment {} does not exist", comment_id));
    Millis now = impl_->now();
    impl_->store_.update_comment(comment_id, c->text, true, now);
    impl_->store_.append_event(now, actor.user_id, c->deal, "comment.deleted",
                               JsonObject().num("comment", comment_id).str("text", c->text).done());
  });
}

namespace {

TimelineEntry entry_of(const Event &e) {
  TimelineEntry t;
  t.seq = e.seq;
  t.at = e.at;
  t.actor_id = e.actor_id;
  t.kind = e.kind;
  t.payload = e.payload;
  return t;
}

bool kind_matches(const std::vector<std::string> &kinds, const std::string &kind) {
  if (kinds.empty()) return true;
  for (const auto &k : kinds)
    if (k.ends_with('.') ? kind.starts_with(k) : kind == k) return true;
  return false;
}

}  // namespace

TimelinePage Database::timeline(Id deal_id, const TimelineQuery &q) const {
  if (q.limit < 1 || q.limit > 1000) throw Error(Errc::invalid_argument, "limit must be 1..1000");
  if (q.kinds.size() > 50 || q.actors.size() > 50) throw Error(Errc::invalid_argument, "at most 50 kinds and actors");
  for (const auto &k : q.kinds) checked_text("event kind", k, true, 100);
  std::int64_t before = 0;
  if (!q.cursor.empty()) {
    // The cursor is "t<seq>": the page continues below that sequence number.
    std::size_t used = 0;
    try {
      if (q.cursor[0] != 't') throw std::invalid_argument("cursor");
      before = std::stoll(q.cursor.substr(1), &used);
    } catch (const std::exception &) {
      throw Error(Errc::invalid_argument, "malformed timeline cursor");
    }
    if (used + 1 != q.cursor.size() || before <= 0) throw Error(Errc::invalid_argument, "malformed timeline cursor");
  }
  std::lock_guard lock(impl_->store_mu_);
  if (!impl_->store_.deal_exists(deal_id)) throw Error(Errc::not_found, fmt::format("deal {} does not exist", deal_id));
  TimelinePage page;
  if (!before) {
    for (const auto &p : impl_->store_.pins_of(deal_id)) {
      auto e = impl_->store_.load_event(p.seq);
      if (!e || !kind_matches(q.kinds, e->kind)) continue;
      if (!q.actors.empty() && std::find(q.actors.begin(), q.actors.end(), e->actor_id) == q.actors.end()) continue;
      auto t = entry_of(*e);
      t.pinned = true;
      t.pinned_at = p.pinned_at;
      t.pinned_by = p.pinned_by;
      page.pinned.push_back(std::move(t));
    }
  }
  auto events = impl_->store_.timeline(deal_id, before, q.kinds, q.actors, q.limit + 1);
  bool more = events.size() > static_cast<std::size_t>(q.limit);
  if (more) events.resize(static_cast<std::size_t>(q.limit));
  for (const auto &e : events) page.items.push_back(entry_of(e));
  if (more) page.next_cursor = fmt::format("t{}", events.back().seq);
  return page;
}

void Database::pin_event(Actor actor, std::int64_t seq) {
  impl_->write(actor, [&](Impl::Pending &) {
    auto e = impl_->store_.load_event(seq);
    if (!e) throw Error(Errc::not_found, fmt::format("event {} does not exist", seq));
    if (!e->deal_id) throw Error(Errc::conflict, fmt::format("event {} belongs to no deal", seq));
    if (impl_->store_.is_pinned(seq)) return;
    Millis now = impl_->now();
    impl_->store_.pin(seq, e->deal_id, now, actor.user_id);
    impl_->store_.append_event(now, actor.user_id, e->deal_id, "event.pinned",
                               JsonObject().num("event", seq).str("kind", e->kind).done());
  });
}

void Database::unpin_event(Actor actor, std::int64_t seq) {
  impl_->write(actor, [&](Impl::Pending &) {
    auto e = impl_->store_.load_event(seq);
    if (!e) throw Error(Errc::not_found, fmt::format("event {} does not exist", seq));
    if (!impl_->store_.is_pinned(seq)) return;
    Millis now = impl_->now();
    impl_->store_.unpin(seq);
    impl_->store_.append_event(now, actor.user_id, e->deal_id, "event.unpinned",
                               JsonObject().num("event", seq).str("kind", e->kind).done());
  });
}

std::vector<StageInterval> Database::stage_history(Id deal_id) const {
  std::lock_guard lock(impl_->store_mu_);
  impl_->load_deal(deal_id);
  Millis now = impl_->now();
  std::vector<StageInterval> out;
  for (const auto &r : impl_->store_.intervals(deal_id)) {
    StageInterval s;
    s.pipeline_id = r.pipeline;
    s.stage_id = r.stage;
    s.entered_at = r.entered;
    s.left_at = r.left;
    s.duration = std::max<Millis>(0, (r.left ? *r.left : now) - r.entered);
    out.push_back(s);
  }
  return out;
}

}  // namespace dealcore

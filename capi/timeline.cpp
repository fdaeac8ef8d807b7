// capi/timeline.cpp — comments, the timeline with its pins, and stage history.
#include <memory>

#include "internal.hpp"

using namespace dealcore::capi;

namespace {

dealcore::TimelineQuery timeline_query(const dealcore_timeline_query *q) {
  dealcore::TimelineQuery out;
  if (q == nullptr) return out;
  check_version(q->version, DEALCORE_TIMELINE_QUERY_VERSION, "dealcore_timeline_query");
  out.kinds = texts(q->kinds, q->kind_count, "query->kinds");
  out.actors = ids(q->actors, q->actor_count, "query->actors");
  out.limit = q->limit;
  out.cursor = opt_text(q->cursor);
  return out;
}

std::vector<dealcore_timeline_entry> wrap(std::vector<dealcore::TimelineEntry> &&entries) {
  std::vector<dealcore_timeline_entry> out;
  out.reserve(entries.size());
  for (auto &e : entries) out.push_back(dealcore_timeline_entry{std::move(e)});
  return out;
}

}  // namespace

extern "C" {

int dealcore_timeline_query_init(dealcore_timeline_query *query, uint32_t version) noexcept {
  static const dealcore_timeline_query defaults = DEALCORE_TIMELINE_QUERY_INIT;
  return init_struct("dealcore_timeline_query_init", "dealcore_timeline_query", query, version,
                     DEALCORE_TIMELINE_QUERY_VERSION, defaults);
}

// ---- comments -----------------------------------------------------------------------------

int dealcore_comment_add(int64_t *out, dealcore_db *db, int64_t actor_id, int64_t deal_id,
                         const char *text_, const int64_t *mentions,
                         size_t mention_count) noexcept {
  return guard("dealcore_comment_add", [&] {
    need_out(out);
    auto &d = db_of(db);
    auto body = text(text_, "text");
    auto named = ids(mentions, mention_count, "mentions");
    *out = d.add_comment(actor(actor_id), deal_id, body, named);
  });
}

int dealcore_comment_edit(dealcore_db *db, int64_t actor_id, int64_t comment_id,
                          const char *text_) noexcept {
  return guard("dealcore_comment_edit", [&] {
    auto &d = db_of(db);
    d.edit_comment(actor(actor_id), comment_id, text(text_, "text"));
  });
}

int dealcore_comment_delete(dealcore_db *db, int64_t actor_id, int64_t comment_id) noexcept {
  return guard("dealcore_comment_delete",
               [&] { db_of(db).delete_comment(actor(actor_id), comment_id); });
}

// ---- the timeline ---------------------------------------------------------------------------

int dealcore_timeline_get(dealcore_timeline_page **out, const dealcore_db *db, int64_t deal_id,
                          const dealcore_timeline_query *query) noexcept {
  return guard("dealcore_timeline_get", [&] {
    need_out(out);
    auto &d = db_of(db);
    auto result = d.timeline(deal_id, timeline_query(query));
    auto page = std::make_unique<dealcore_timeline_page>();
    page->pinned = wrap(std::move(result.pinned));
    page->items = wrap(std::move(result.items));
    page->next_cursor = std::move(result.next_cursor);
    *out = page.release();
  });
}

void dealcore_timeline_page_free(dealcore_timeline_page *page) noexcept { delete page; }

size_t dealcore_timeline_page_pinned_count(const dealcore_timeline_page *page) noexcept {
  return page == nullptr ? 0 : page->pinned.size();
}
const dealcore_timeline_entry *dealcore_timeline_page_pinned_at(const dealcore_timeline_page *page,
                                                                size_t i) noexcept {
  return page == nullptr || i >= page->pinned.size() ? nullptr : &page->pinned[i];
}
size_t dealcore_timeline_page_count(const dealcore_timeline_page *page) noexcept {
  return page == nullptr ? 0 : page->items.size();
}
const dealcore_timeline_entry *dealcore_timeline_page_at(const dealcore_timeline_page *page,
                                                         size_t i) noexcept {
  return page == nullptr || i >= page->items.size() ? nullptr : &page->items[i];
}
const char *dealcore_timeline_page_next_cursor(const dealcore_timeline_page *page) noexcept {
  return page == nullptr ? "" : page->next_cursor.c_str();
}

int64_t dealcore_timeline_entry_seq(const dealcore_timeline_entry *e) noexcept {
  return e ? e->v.seq : 0;
}
int64_t dealcore_timeline_entry_at(const dealcore_timeline_entry *e) noexcept {
  return e ? e->v.at : 0;
}
int64_t dealcore_timeline_entry_actor_id(const dealcore_timeline_entry *e) noexcept {
  return e ? e->v.actor_id : 0;
}
const char *dealcore_timeline_entry_kind(const dealcore_timeline_entry *e) noexcept {
  return e ? e->v.kind.c_str() : "";
}
const char *dealcore_timeline_entry_payload(const dealcore_timeline_entry *e) noexcept {
  return e ? e->v.payload.c_str() : "";
}
int32_t dealcore_timeline_entry_pinned(const dealcore_timeline_entry *e) noexcept {
  return e && e->v.pinned ? 1 : 0;
}
int64_t dealcore_timeline_entry_pinned_at(const dealcore_timeline_entry *e) noexcept {
  return e ? e->v.pinned_at : 0;
}
int64_t dealcore_timeline_entry_pinned_by(const dealcore_timeline_entry *e) noexcept {
  return e ? e->v.pinned_by : 0;
}

int dealcore_event_pin(dealcore_db *db, int64_t actor_id, int64_t seq) noexcept {
  return guard("dealcore_event_pin", [&] { db_of(db).pin_event(actor(actor_id), seq); });
}

int dealcore_event_unpin(dealcore_db *db, int64_t actor_id, int64_t seq) noexcept {
  return guard("dealcore_event_unpin", [&] { db_of(db).unpin_event(actor(actor_id), seq); });
}

// ---- stage history --------------------------------------------------------------------------

int dealcore_stage_history_get(dealcore_stage_history **out, const dealcore_db *db,
                               int64_t deal_id) noexcept {
  return guard("dealcore_stage_history_get", [&] {
    need_out(out);
    auto intervals = db_of(db).stage_history(deal_id);
    auto history = std::make_unique<dealcore_stage_history>();
    history->items.reserve(intervals.size());
    for (auto &s : intervals) history->items.push_back(dealcore_stage_interval{s});
    *out = history.release();
  });
}

void dealcore_stage_history_free(dealcore_stage_history *history) noexcept { delete history; }
size_t dealcore_stage_history_count(const dealcore_stage_history *history) noexcept {
  return history == nullptr ? 0 : history->items.size();
}
const dealcore_stage_interval *dealcore_stage_history_at(const dealcore_stage_history *history,
                                                         size_t i) noexcept {
  return history == nullptr || i >= history->items.size() ? nullptr : &history->items[i];
}
int64_t dealcore_stage_interval_pipeline_id(const dealcore_stage_interval *s) noexcept {
  return s ? s->v.pipeline_id : 0;
}
int64_t dealcore_stage_interval_stage_id(const dealcore_stage_interval *s) noexcept {
  return s ? s->v.stage_id : 0;
}
int64_t dealcore_stage_interval_entered_at(const dealcore_stage_interval *s) noexcept {
  return s ? s->v.entered_at : 0;
}
int64_t dealcore_stage_interval_left_at(const dealcore_stage_interval *s) noexcept {
  return s && s->v.left_at ? *s->v.left_at : 0;
}
int64_t dealcore_stage_interval_duration(const dealcore_stage_interval *s) noexcept {
  return s ? s->v.duration : 0;
}

}  // extern "C"

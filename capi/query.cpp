// capi/query.cpp — the deal list (filter, options, pages) and the kanban board.
#include <cstddef>
#include <memory>

#include "internal.hpp"

using namespace dealcore::capi;

namespace {

const dealcore::BoardTotals::Column *totals_column(const dealcore_board_totals *t, size_t column) {
  return t == nullptr || column >= t->v.columns.size() ? nullptr : &t->v.columns[column];
}

dealcore::DealFilter deal_filter(const dealcore_deal_filter *f) {
  dealcore::DealFilter out;
  if (f == nullptr) return out;
  check_version(f->version, 1, DEALCORE_DEAL_FILTER_VERSION, "dealcore_deal_filter");
  out.pipelines = ids(f->pipelines, f->pipeline_count, "filter->pipelines");
  out.stages = ids(f->stages, f->stage_count, "filter->stages");
  if (f->kind_count != 0) {
    need(f->kinds, "filter->kinds");
    for (size_t i = 0; i < f->kind_count; ++i)
      out.kinds.push_back(stage_kind(f->kinds[i], "filter->kinds"));
  }
  out.owners = ids(f->owners, f->owner_count, "filter->owners");
  out.departments = ids(f->departments, f->department_count, "filter->departments");
  out.tags_any = ids(f->tags_any, f->tags_any_count, "filter->tags_any");
  out.tags_all = ids(f->tags_all, f->tags_all_count, "filter->tags_all");
  out.tags_none = ids(f->tags_none, f->tags_none_count, "filter->tags_none");
  out.client_refs = texts(f->client_refs, f->client_ref_count, "filter->client_refs");
  out.segments = texts(f->segments, f->segment_count, "filter->segments");
  if (flag(f->set_amount_min)) out.amount_min = f->amount_min;
  if (flag(f->set_amount_max)) out.amount_max = f->amount_max;
  out.currency = opt_text(f->currency);
  if (flag(f->set_created_from)) out.created_from = f->created_from;
  if (flag(f->set_created_to)) out.created_to = f->created_to;
  if (flag(f->set_updated_from)) out.updated_from = f->updated_from;
  if (flag(f->set_updated_to)) out.updated_to = f->updated_to;
  out.text = opt_text(f->text);
  out.phone = opt_text(f->phone);
  out.email = opt_text(f->email);
  out.has_open_tasks = opt_bool(f->has_open_tasks, "filter->has_open_tasks");
  out.archived = archived_mode(f->archived, "filter->archived");
  if (f->version < 2) return out;  // a version 1 struct ends here
  out.has_overdue_task = opt_bool(f->has_overdue_task, "filter->has_overdue_task");
  if (flag(f->set_task_due_from)) out.task_due_from = f->task_due_from;
  if (flag(f->set_task_due_to)) out.task_due_to = f->task_due_to;
  if (f->activity_count != 0) {
    need(f->activity, "filter->activity");
    for (size_t i = 0; i < f->activity_count; ++i)
      out.activity.push_back(activity_level(f->activity[i], "filter->activity"));
  }
  out.rotting = opt_bool(f->rotting, "filter->rotting");
  return out;
}

dealcore::ListOptions list_options(const dealcore_list_options *o) {
  dealcore::ListOptions out;
  if (o == nullptr) return out;
  check_version(o->version, 1, DEALCORE_LIST_OPTIONS_VERSION, "dealcore_list_options");
  out.sort = sort_field(o->sort, "options->sort");
  out.descending = flag(o->descending);
  out.limit = o->limit;
  out.cursor = opt_text(o->cursor);
  out.with_total = flag(o->with_total);
  out.ids_only = flag(o->ids_only);
  if (o->version < 2) return out;
  out.time_zone = time_zone(o->time_zone);
  return out;
}

dealcore::BoardFilter board_filter(const dealcore_board_filter *f) {
  dealcore::BoardFilter out;
  if (f == nullptr) return out;
  check_version(f->version, 1, DEALCORE_BOARD_FILTER_VERSION, "dealcore_board_filter");
  out.owners = ids(f->owners, f->owner_count, "filter->owners");
  out.departments = ids(f->departments, f->department_count, "filter->departments");
  out.tags_any = ids(f->tags_any, f->tags_any_count, "filter->tags_any");
  out.cards_per_stage = f->cards_per_stage;
  if (f->version < 2) return out;
  out.time_zone = time_zone(f->time_zone);
  return out;
}

std::vector<dealcore_deal> wrap(std::vector<dealcore::Deal> &&deals) {
  std::vector<dealcore_deal> out;
  out.reserve(deals.size());
  for (auto &d : deals) out.push_back(dealcore_deal{std::move(d)});
  return out;
}

}  // namespace

extern "C" {

int dealcore_deal_filter_init(dealcore_deal_filter *filter, uint32_t version) noexcept {
  static const dealcore_deal_filter defaults = DEALCORE_DEAL_FILTER_INIT;
  return init_struct("dealcore_deal_filter_init", "dealcore_deal_filter", filter, version, 1,
                     DEALCORE_DEAL_FILTER_VERSION, defaults, [](uint32_t v) {
                       return v == 1 ? offsetof(dealcore_deal_filter, has_overdue_task)
                                     : sizeof(dealcore_deal_filter);
                     });
}

int dealcore_list_options_init(dealcore_list_options *options, uint32_t version) noexcept {
  static const dealcore_list_options defaults = DEALCORE_LIST_OPTIONS_INIT;
  return init_struct("dealcore_list_options_init", "dealcore_list_options", options, version, 1,
                     DEALCORE_LIST_OPTIONS_VERSION, defaults, [](uint32_t v) {
                       return v == 1 ? offsetof(dealcore_list_options, time_zone)
                                     : sizeof(dealcore_list_options);
                     });
}

int dealcore_board_filter_init(dealcore_board_filter *filter, uint32_t version) noexcept {
  static const dealcore_board_filter defaults = DEALCORE_BOARD_FILTER_INIT;
  return init_struct("dealcore_board_filter_init", "dealcore_board_filter", filter, version, 1,
                     DEALCORE_BOARD_FILTER_VERSION, defaults, [](uint32_t v) {
                       return v == 1 ? offsetof(dealcore_board_filter, time_zone)
                                     : sizeof(dealcore_board_filter);
                     });
}

// ---- the list -----------------------------------------------------------------------

int dealcore_deal_list(dealcore_deal_page **out, const dealcore_db *db,
                       const dealcore_deal_filter *filter,
                       const dealcore_list_options *options) noexcept {
  return guard("dealcore_deal_list", [&] {
    need_out(out);
    auto &d = db_of(db);
    const auto f = deal_filter(filter);
    const auto o = list_options(options);
    auto page = std::make_unique<dealcore_deal_page>();
    page->views = d.list_deal_views(f, o);
    page->items.resize(page->views.items.size());
    for (std::size_t k = 0; k < page->items.size(); ++k) page->items[k].view = &page->views.items[k];
    page->ids = std::move(page->views.ids);
    page->next_cursor = std::move(page->views.next_cursor);
    page->total = page->views.total.value_or(-1);
    *out = page.release();
  });
}

size_t dealcore_deal_page_count(const dealcore_deal_page *page) noexcept {
  return page == nullptr ? 0 : page->ids.size();
}
const dealcore_deal *dealcore_deal_page_at(const dealcore_deal_page *page, size_t i) noexcept {
  return page == nullptr || i >= page->items.size() ? nullptr : &page->items[i];
}
const int64_t *dealcore_deal_page_ids(const dealcore_deal_page *page) noexcept {
  return page == nullptr || page->ids.empty() ? nullptr : page->ids.data();
}
const char *dealcore_deal_page_next_cursor(const dealcore_deal_page *page) noexcept {
  return page == nullptr ? "" : page->next_cursor.c_str();
}
int64_t dealcore_deal_page_total(const dealcore_deal_page *page) noexcept {
  return page == nullptr ? -1 : page->total;
}
void dealcore_deal_page_free(dealcore_deal_page *page) noexcept { delete page; }

// ---- the board ---------------------------------------------------------------------

int dealcore_board_get(dealcore_board **out, const dealcore_db *db, int64_t pipeline_id,
                       const dealcore_board_filter *filter) noexcept {
  return guard("dealcore_board_get", [&] {
    need_out(out);
    auto &d = db_of(db);
    auto result = d.board(pipeline_id, board_filter(filter));
    auto board = std::make_unique<dealcore_board>();
    board->pipeline.emplace(std::move(result.pipeline));
    board->columns.reserve(result.columns.size());
    for (auto &c : result.columns) {
      dealcore_board_column column;
      column.stage = dealcore_stage{std::move(c.stage)};
      column.count = c.count;
      column.sums = std::move(c.sums);
      column.cards = wrap(std::move(c.cards));
      column.next_cursor = std::move(c.next_cursor);
      board->columns.push_back(std::move(column));
    }
    *out = board.release();
  });
}

void dealcore_board_free(dealcore_board *board) noexcept { delete board; }

const dealcore_pipeline *dealcore_board_pipeline(const dealcore_board *board) noexcept {
  return board == nullptr ? nullptr : &*board->pipeline;
}
size_t dealcore_board_column_count(const dealcore_board *board) noexcept {
  return board == nullptr ? 0 : board->columns.size();
}
const dealcore_board_column *dealcore_board_column_at(const dealcore_board *board,
                                                      size_t i) noexcept {
  return board == nullptr || i >= board->columns.size() ? nullptr : &board->columns[i];
}

const dealcore_stage *dealcore_board_column_stage(const dealcore_board_column *c) noexcept {
  return c == nullptr ? nullptr : &c->stage;
}
int64_t dealcore_board_column_deal_count(const dealcore_board_column *c) noexcept {
  return c == nullptr ? 0 : c->count;
}
size_t dealcore_board_column_sum_count(const dealcore_board_column *c) noexcept {
  return c == nullptr ? 0 : c->sums.size();
}
int64_t dealcore_board_column_sum_amount(const dealcore_board_column *c, size_t i) noexcept {
  return c == nullptr || i >= c->sums.size() ? 0 : c->sums[i].minor;
}
const char *dealcore_board_column_sum_currency(const dealcore_board_column *c, size_t i) noexcept {
  return c == nullptr || i >= c->sums.size() ? "" : c->sums[i].currency.c_str();
}
size_t dealcore_board_column_card_count(const dealcore_board_column *c) noexcept {
  return c == nullptr ? 0 : c->cards.size();
}
const dealcore_deal *dealcore_board_column_card_at(const dealcore_board_column *c,
                                                   size_t i) noexcept {
  return c == nullptr || i >= c->cards.size() ? nullptr : &c->cards[i];
}
const char *dealcore_board_column_next_cursor(const dealcore_board_column *c) noexcept {
  return c == nullptr ? "" : c->next_cursor.c_str();
}

// ---- the board's totals --------------------------------------------------------------

int dealcore_board_totals_get(dealcore_board_totals **out, const dealcore_db *db, int64_t pipeline_id,
                              const dealcore_board_filter *filter) noexcept {
  return guard("dealcore_board_totals_get", [&] {
    need_out(out);
    auto &d = db_of(db);
    auto totals = std::make_unique<dealcore_board_totals>();
    totals->v = d.board_totals(pipeline_id, board_filter(filter));
    *out = totals.release();
  });
}

void dealcore_board_totals_free(dealcore_board_totals *totals) noexcept { delete totals; }

size_t dealcore_board_totals_column_count(const dealcore_board_totals *totals) noexcept {
  return totals == nullptr ? 0 : totals->v.columns.size();
}
int64_t dealcore_board_totals_stage_id(const dealcore_board_totals *totals, size_t column) noexcept {
  const auto *c = totals_column(totals, column);
  return c == nullptr ? 0 : c->stage_id;
}
int64_t dealcore_board_totals_deal_count(const dealcore_board_totals *totals, size_t column) noexcept {
  const auto *c = totals_column(totals, column);
  return c == nullptr ? 0 : c->count;
}
size_t dealcore_board_totals_sum_count(const dealcore_board_totals *totals, size_t column) noexcept {
  const auto *c = totals_column(totals, column);
  return c == nullptr ? 0 : c->sum_count;
}
int64_t dealcore_board_totals_sum_amount(const dealcore_board_totals *totals, size_t column,
                                         size_t i) noexcept {
  const auto *c = totals_column(totals, column);
  return c == nullptr || i >= c->sum_count ? 0 : totals->v.sums[c->first_sum + i].minor;
}
const char *dealcore_board_totals_sum_currency(const dealcore_board_totals *totals, size_t column,
                                               size_t i) noexcept {
  const auto *c = totals_column(totals, column);
  return c == nullptr || i >= c->sum_count ? "" : totals->v.sums[c->first_sum + i].currency.c_str();
}

}  // extern "C"

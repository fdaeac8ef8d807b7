// The kanban (K1–K4): per-stage counts and sums come from the aggregates
// kept on every change (per stage, and per (pipeline, owner) and (pipeline,
// department) in cells by stage); only a tag filter, which no aggregate
// covers, falls back to intersecting posting lists.
#include <algorithm>
#include <optional>

#include "dealcore/error.hpp"
#include "views/deal_views.hpp"

namespace dealcore::views {

namespace {

bool sorted_unique(const std::vector<Id> &v) {
  return std::adjacent_find(v.begin(), v.end(), [](Id a, Id b) { return a >= b; }) == v.end();
}

}  // namespace

void DealViews::board_sums(const Pipeline &p, const BoardFilter &filter, BoardSums &out) const {
  out.clear();
  out.resize(p.stages.size());
  if (p.stages.empty()) return;
  // Each owner or department counts once, however often it is listed:
  // sorted and unique (as a host usually passes them already).
  std::optional<BoardFilter> copy;
  if (!sorted_unique(filter.owners) || !sorted_unique(filter.departments) || !sorted_unique(filter.tags_any)) {
    copy = filter;
    for (auto *v : {&copy->owners, &copy->departments, &copy->tags_any}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
  }
  const BoardFilter &f = copy ? *copy : filter;
  std::vector<const Bitmap *> tag_sets;
  if (!f.tags_any.empty()) {
    for (Id t : f.tags_any) {
      auto it = t > 0 && t <= static_cast<Id>(UINT32_MAX) ? by_tag_.find(static_cast<std::uint32_t>(t)) : by_tag_.end();
      if (it != by_tag_.end()) tag_sets.push_back(&it->second);
    }
    if (tag_sets.empty()) return;  // no deal has any of the tags
  }
  auto in_list = [](const std::vector<Id> &v, std::uint32_t x) {
    return v.empty() || std::binary_search(v.begin(), v.end(), static_cast<Id>(x));
  };
  // A stage's column: consecutive lookups mostly ask for the same stage.
  std::size_t col = 0;
  auto column_of = [&](std::uint32_t stage) {
    if (static_cast<std::uint32_t>(p.stages[col].id) != stage) {
      col = 0;
      while (col < p.stages.size() && static_cast<std::uint32_t>(p.stages[col].id) != stage) ++col;
      if (col == p.stages.size()) throw Error(Errc::internal, "a stage of the board is not in its pipeline");
    }
    return col;
  };
  const auto pipeline = static_cast<std::uint32_t>(p.id);
  if (!tag_sets.empty()) {
    // The pipeline's tagged deals, each added to its stage's column.
    auto in_pipeline = by_pipeline_.find(pipeline);
    if (in_pipeline == by_pipeline_.end()) return;
    Bitmap tagged;
    for (const auto *t : tag_sets) tagged.or_with(*t);
    tagged.and_with(in_pipeline->second);
    tagged.andnot_with(archived_);
    tagged.for_each([&](std::uint32_t id) {
      const Row &r = *row(id);
      if (in_list(f.owners, r.owner) && in_list(f.departments, r.dept))
        out[column_of(r.stage)].add(r.currency, r.amount, +1);
    });
    return;
  }
  if (f.owners.empty() && f.departments.empty()) {
    for (std::size_t i = 0; i < p.stages.size(); ++i) {
      auto t = stage_total_.find(static_cast<std::uint32_t>(p.stages[i].id));
      if (t != stage_total_.end()) out[i].merge(t->second);
    }
    return;
  }
  // The cells of one owner or department in this pipeline, sorted by stage.
  auto merge_cells = [&](const BoardCells &cells, bool check_dept) {
    for (const auto &c : cells)
      if (!check_dept || in_list(f.departments, c.dept)) out[column_of(c.stage)].merge(c.agg);
  };
  const bool by_owner = !f.owners.empty();
  for (Id x : by_owner ? f.owners : f.departments) {
    if (x < 0 || x > static_cast<Id>(UINT32_MAX)) continue;
    const auto &m = by_owner ? board_owner_ : board_dept_;
    auto cells = m.find(cell_key(pipeline, static_cast<std::uint32_t>(x)));
    if (cells != m.end()) merge_cells(cells->second, by_owner);
  }
}

std::vector<StageColumn> DealViews::board(const Pipeline &p, const BoardFilter &f, Millis now,
                                          Millis today_end) const {
  if (f.cards_per_stage < 0 || f.cards_per_stage > 1000)
    throw Error(Errc::invalid_argument, "cards_per_stage must be 0..1000");
  std::vector<StageColumn> out;
  out.reserve(p.stages.size());
  BoardSums sums;  // on the stack for up to 16 stages
  board_sums(p, f, sums);
  for (std::size_t i = 0; i < p.stages.size(); ++i) {
    const Stage &s = p.stages[i];
    StageColumn &col = out.emplace_back();
    col.stage = s;
    const Aggregate &a = sums[i];
    col.count = a.count;
    append_sums(a, col.sums);
    if (f.cards_per_stage > 0 && a.count > 0) {
      // Unfiltered: the stage's newest deals are the end of its order by
      // last change; no plan to make.
      if (f.owners.empty() && f.departments.empty() && f.tags_any.empty()) {
        if (auto page = stage_cards(static_cast<std::uint32_t>(s.id), f.cards_per_stage, now, today_end)) {
          col.cards = std::move(page->items);
          col.next_cursor = std::move(page->next_cursor);
          continue;
        }
      }
      DealFilter df;
      df.stages = {s.id};
      df.owners = f.owners;
      df.departments = f.departments;
      df.tags_any = f.tags_any;
      PreparedFilter pf;
      pf.filter = &df;
      pf.now = now;
      pf.today_end = today_end;
      ListOptions lo;
      lo.limit = f.cards_per_stage;
      DealPage page = list(pf, lo);
      col.cards = std::move(page.items);
      col.next_cursor = std::move(page.next_cursor);
    }
  }
  return out;
}

BoardTotals DealViews::board_totals(const Pipeline &p, const BoardFilter &filter) const {
  BoardSums sums;
  board_sums(p, filter, sums);
  BoardTotals t;
  t.pipeline_id = p.id;
  t.columns.reserve(p.stages.size());
  std::size_t n = 0;
  for (const auto &a : sums) n += a.sums.size();
  t.sums.reserve(n);
  for (std::size_t i = 0; i < p.stages.size(); ++i) {
    const std::size_t first = t.sums.size();
    append_sums(sums[i], t.sums);
    t.columns.push_back({p.stages[i].id, sums[i].count, first, t.sums.size() - first});
  }
  return t;
}

void DealViews::append_sums(const Aggregate &a, std::vector<Money> &out) const {
  const auto first = out.size();
  for (const auto &x : a.sums) out.push_back({x.sum, currencies_[x.currency]});
  // By code (the aggregate keeps them by interned number, which depends on history).
  if (a.sums.size() > 1)
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
              [](const Money &x, const Money &y) { return x.currency < y.currency; });
}

}  // namespace dealcore::views

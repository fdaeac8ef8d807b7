#include "views/deal_views.hpp"

#include <algorithm>
#include <cassert>
#include <future>
#include <system_error>

#include <fmt/format.h>

#include "dealcore/error.hpp"
#include "model/text.hpp"

namespace dealcore::views {

namespace {

std::uint32_t id32(Id id, const char *what) {
  if (id < 0 || id > static_cast<Id>(UINT32_MAX))
    throw Error(Errc::internal, fmt::format("{} id {} is outside the 32-bit range of the views", what, id));
  return static_cast<std::uint32_t>(id);
}

std::vector<std::uint32_t> ids32(const std::vector<Id> &v, const char *what) {
  std::vector<std::uint32_t> out;
  out.reserve(v.size());
  for (Id x : v) out.push_back(id32(x, what));
  return out;
}

}  // namespace

std::vector<std::uint32_t> trigrams_of(std::string_view s) {
  // Code points of valid UTF-8 (folded names are).
  std::vector<std::uint32_t> cps;
  cps.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    std::uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1Fu : len == 3 ? c & 0x0Fu : c & 0x07u;
    for (int k = 1; k < len && i + static_cast<std::size_t>(k) < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3Fu);
    cps.push_back(cp);
    i += static_cast<std::size_t>(len);
  }
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i + 2 < cps.size(); ++i) {
    std::uint64_t k = (std::uint64_t{cps[i]} << 42) | (std::uint64_t{cps[i + 1]} << 21) | cps[i + 2];
    out.push_back(static_cast<std::uint32_t>((k * 0x9E3779B97F4A7C15ull) >> 40));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

// A column's sum of amounts wraps modulo 2^64 past INT64_MAX minor units
// (92 quadrillion roubles) instead of overflowing, which is undefined: a
// removal then still undoes its addition, and a rebuild gives the same
// (wrapped) sum.
std::int64_t wrapping_add(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

}  // namespace

void Aggregate::add(std::uint16_t currency, std::int64_t amount, int sign) {
  count += sign;
  auto it = std::lower_bound(sums.begin(), sums.end(), currency,
                             [](const Sum &p, std::uint16_t c) { return p.currency < c; });
  if (it == sums.end() || it->currency != currency) it = sums.insert(it, {currency, 0, 0});
  it->count += sign;
  it->sum = wrapping_add(it->sum, sign > 0 ? amount : static_cast<std::int64_t>(0 - static_cast<std::uint64_t>(amount)));
  if (it->count == 0) sums.erase(it);
}

void Aggregate::merge(const Aggregate &o) {
  count += o.count;
  for (const auto &x : o.sums) {
    auto it = std::lower_bound(sums.begin(), sums.end(), x.currency,
                               [](const Sum &p, std::uint16_t c) { return p.currency < c; });
    if (it == sums.end() || it->currency != x.currency) it = sums.insert(it, {x.currency, 0, 0});
    it->count += x.count;
    it->sum = wrapping_add(it->sum, x.sum);
  }
}

// All deals by each numeric sort key, and the orders a CRM's lists use
// most: every board dimension by last change (the default "newest first" of
// a list and of a kanban column), a column's, an owner's and a currency's
// deals by amount ("RUB deals between 100k and 500k, smallest first"),
// an owner's deals by their nearest open task ("my deals, what is due
// next"), won/lost/open deals by creation, a pipeline's deals by name (keyed
// by the name rank, which relabelling changes without reordering).
DealViews::DealViews() {
  for (auto [dim, sort] : {std::pair{Dim::all, SortField::updated}, {Dim::all, SortField::created},
                           {Dim::all, SortField::amount}, {Dim::pipeline, SortField::updated},
                           {Dim::stage, SortField::updated}, {Dim::owner, SortField::updated},
                           {Dim::dept, SortField::updated},
                           {Dim::stage, SortField::amount}, {Dim::owner, SortField::amount},
                           {Dim::currency, SortField::amount}, {Dim::owner, SortField::next_task_due},
                           {Dim::pipeline_owner, SortField::updated},
                           {Dim::kind, SortField::created}, {Dim::pipeline, SortField::name}})
    orders_.push_back({dim, sort, {}});
}

const DimOrder *DealViews::order(Dim d, SortField f) const {
  for (const auto &o : orders_)
    if (o.dim == d && o.sort == f) return &o;
  return nullptr;
}

const DimOrder &DealViews::all_order(SortField f) const {
  if (const DimOrder *o = order(Dim::all, f)) return *o;
  throw Error(Errc::internal, "views: no order of all deals by that key");
}

ByKey DealViews::by_key(SortField f) const {
  switch (f) {
    case SortField::updated: return {updated_by_id_.data()};
    case SortField::created: return {created_by_id_.data()};
    case SortField::amount: return {amount_by_id_.data()};
    case SortField::next_task_due: return {next_due_by_id_.data()};
    case SortField::name: return {name_rank_by_id_.data()};
    default: throw Error(Errc::internal, "views: no order by that key");
  }
}

void DealViews::set_stage_positions(const std::unordered_map<Id, int> &positions) {
  std::size_t n = 0;
  for (const auto &[stage, pos] : positions)
    if (stage > 0 && stage <= static_cast<Id>(UINT32_MAX)) n = std::max(n, static_cast<std::size_t>(stage) + 1);
  std::vector<std::int32_t> table(n, 0);
  std::vector<std::uint8_t> known(n, 0);
  for (const auto &[stage, pos] : positions)
    if (stage > 0 && stage <= static_cast<Id>(UINT32_MAX)) {
      table[static_cast<std::size_t>(stage)] = pos;
      known[static_cast<std::size_t>(stage)] = 1;
    }
  stage_pos_ = std::move(table);
  stage_known_ = std::move(known);
}

std::uint32_t DealViews::intern_segment(const std::string &s) {
  if (s.empty()) return 0;
  auto it = segment_ids_.find(s);
  if (it != segment_ids_.end()) return it->second;
  auto id = static_cast<std::uint32_t>(segments_.size());
  segments_.push_back(s);
  segment_ids_.emplace(s, id);
  return id;
}

std::uint16_t DealViews::intern_currency(const std::string &c) {
  auto it = currency_ids_.find(c);
  if (it != currency_ids_.end()) return it->second;
  if (currencies_.size() >= UINT16_MAX) throw Error(Errc::internal, "too many currencies");
  auto id = static_cast<std::uint16_t>(currencies_.size());
  currencies_.push_back(c);
  currency_ids_.emplace(c, id);
  return id;
}

void DealViews::add_to_cells(BoardCells &cells, const Row &r, int sign) {
  auto c = std::lower_bound(cells.begin(), cells.end(), std::pair{r.stage, r.dept}, [](const BoardCell &x, auto k) {
    return std::pair{x.stage, x.dept} < k;
  });
  if (c == cells.end() || c->stage != r.stage || c->dept != r.dept) {
    c = cells.emplace(c);  // built in place: GCC 12 warns, wrongly, on moving inline sums
    c->stage = r.stage;
    c->dept = r.dept;
  }
  c->agg.add(r.currency, r.amount, sign);
  if (c->agg.count == 0) cells.erase(c);
}

void DealViews::aggregate(const Row &r, int sign) {
  if (r.archived) return;
  for (auto *m : {&board_owner_, &board_dept_}) {
    auto key = cell_key(r.pipeline, m == &board_owner_ ? r.owner : r.dept);
    auto &cells = (*m)[key];
    add_to_cells(cells, r, sign);
    if (cells.empty()) m->erase(key);
  }
  auto &total = stage_total_[r.stage];
  total.add(r.currency, r.amount, sign);
  if (total.count == 0) stage_total_.erase(r.stage);
}

void DealViews::index(const Row &r, int sign, bool with_trigrams, bool with_client) {
  auto apply = [&](std::unordered_map<std::uint32_t, Bitmap> &m, std::uint32_t key) {
    if (sign > 0) {
      m[key].add(r.id);
    } else {
      auto it = m.find(key);
      if (it == m.end()) return;
      it->second.remove(r.id);
      if (it->second.empty()) m.erase(it);
    }
  };
  auto flag = [&](Bitmap &b, bool on) {
    if (!on) return;
    if (sign > 0)
      b.add(r.id);
    else
      b.remove(r.id);
  };
  apply(by_pipeline_, r.pipeline);
  apply(by_stage_, r.stage);
  apply(by_owner_, r.owner);
  apply(by_dept_, r.dept);
  if (with_client) {
    if (sign > 0)
      by_client_.add(r.client, r.id);
    else
      by_client_.remove(r.client, r.id);
  }
  apply(by_segment_, r.segment);
  apply(by_currency_, r.currency);
  for (auto t : r.tags()) apply(by_tag_, t);
  if (with_trigrams)
    for (auto g : trigrams_of(folded_name(r, fold_buf_))) apply(by_trigram_, g);
  for (auto c : r.contacts()) {
    if (sign > 0)
      contacts_.link(r.id, c);
    else
      contacts_.unlink(r.id, c);
  }
  // The dense key tables hold r's keys here: put() erases a deal before
  // they change and inserts it after.
  for (auto &o : orders_) {
    if (bulk_) break;
    auto v = dim_value(r, o.dim);
    if (sign > 0) {
      o.by_value[v].insert(r.id, by_key(o.sort));
    } else {
      auto it = o.by_value.find(v);
      if (it == o.by_value.end()) continue;
      it->second.erase(r.id, by_key(o.sort));
      if (it->second.empty()) o.by_value.erase(it);
    }
  }
  flag(all_, true);
  flag(archived_, r.archived);
  flag(by_kind_[r.kind], true);
  flag(with_tasks_, r.open_tasks > 0);
  if (r.archived) archived_bits_.set(r.id, sign > 0);
  if (r.open_tasks > 0) with_tasks_bits_.set(r.id, sign > 0);
  aggregate(r, sign);
}

void DealViews::put(const store::DealRecord &d) {
  Row r;
  r.id = id32(d.id, "deal");
  r.pipeline = id32(d.pipeline_id, "pipeline");
  r.stage = id32(d.stage_id, "stage");
  r.owner = id32(d.owner_id, "user");
  r.dept = id32(d.department_id, "department");
  r.client = clients_.intern(d.client_ref, d.client_name);
  r.segment = intern_segment(d.segment);
  r.open_tasks = d.open_task_count;
  r.currency = intern_currency(d.amount.currency);
  r.kind = static_cast<std::uint8_t>(d.stage_kind);
  if (r.kind > 2) throw Error(Errc::internal, "bad stage kind");
  r.archived = d.archived;
  r.dept_explicit = d.department_explicit;
  r.amount = d.amount.minor;
  r.created = d.created_at;
  r.updated = d.updated_at;
  r.closed = d.closed_at;
  r.stage_changed = d.stage_changed_at;
  r.next_due = d.next_task_due;
  r.data = RowData(ids32(d.tags, "tag"), ids32(d.contacts, "contact"), {d.name, d.external_ref, d.lost_reason});

  Row *old = rows_.find(r.id);
  const bool staged = bulk_ && !old;
  if (staged && !staged_.empty() && staged_.back().id >= r.id)
    throw Error(Errc::internal, "views: a bulk build takes new deals in increasing id order");
  const std::size_t ids = updated_by_id_.size();
  if (r.id >= ids) grow_id_tables(std::max<std::size_t>(r.id + 1, ids * 3 / 2 + 16));
  // Most updates keep the name: its ~40 trigram postings and its place in
  // the name order (and rank) stay as they are. (A change of case only is a
  // rename here: it re-adds the same trigrams.)
  const bool renamed = old && old->name() != r.name();
  // And the client: a big client's deals are a bitmap, but a small one's
  // are a sorted array, in which a remove and an add are moves.
  const bool new_client = !old || old->client != r.client;
  if (old) {
    index(*old, -1, renamed, new_client);
    if (renamed && !names_.erase(r.id, name_less())) throw Error(Errc::internal, "views: deal not in the name order");
  }
  updated_by_id_[r.id] = r.updated;
  created_by_id_[r.id] = r.created;
  amount_by_id_[r.id] = r.amount;
  next_due_by_id_[r.id] = numeric_key(r, SortField::next_task_due);
  if (staged) {
    staged_keys_.append(model::fold_key(r.name(), fold_buf_));
    staged_key_end_.push_back(staged_keys_.size());
    for (auto c : r.contacts()) contacts_.link(r.id, c);
    staged_.push_back(std::move(r));
    return;
  }
  if (old) {
    *old = std::move(r);
    if (renamed) name_insert(old->id, model::fold_key(old->name(), fold_buf_));
    index(*old, +1, renamed, new_client);
  } else {
    Row &placed = rows_.place(std::move(r));
    name_insert(placed.id, model::fold_key(placed.name(), fold_buf_));
    index(placed, +1);
  }
}

int DealViews::compare_name(std::uint32_t e, std::string_view folded, std::uint32_t id) const {
  thread_local std::string buf;
  const int c = folded_name(*row(e), buf).compare(folded);
  return c != 0 ? c : e < id ? -1 : e > id ? 1 : 0;
}

void DealViews::name_insert(std::uint32_t id, std::string_view folded) {
  for (int attempt = 0;; ++attempt) {
    const auto pos = names_.partition_point([&](std::uint32_t e) { return compare_name(e, folded, id) < 0; });
    const std::uint32_t *next = NameOrder::Cursor(names_, pos, false).get();
    const std::uint32_t *prev = NameOrder::Cursor(names_, pos, true).get();
    const std::int64_t lo = prev ? name_rank_by_id_[*prev] : std::numeric_limits<std::int64_t>::min();
    const std::int64_t hi = next ? name_rank_by_id_[*next] : std::numeric_limits<std::int64_t>::max();
    const std::uint64_t gap = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);  // hi > lo
    if (gap >= 2) {
      name_rank_by_id_[id] = static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + gap / 2);
      names_.insert(id, name_less());
      return;
    }
    if (attempt > 0) throw Error(Errc::internal, "views: no name rank left");
    relabel_around(pos);
  }
}

void DealViews::relabel_around(NameOrder::Pos pos) {
  constexpr std::uint64_t kMinGap = std::uint64_t{1} << 16;
  std::vector<std::uint32_t> window, below;
  for (std::size_t k = 8;; k *= 2) {
    if (2 * k >= names_.size()) {
      relabel_names();
      return;
    }
    // k deals each side of pos (fewer at an end), and the ranks just
    // outside them.
    NameOrder::Cursor down(names_, pos, true), up(names_, pos, false);
    below.clear();
    for (std::size_t i = 0; i < k && down.get(); ++i, down.next()) below.push_back(*down.get());
    window.assign(below.rbegin(), below.rend());
    for (std::size_t i = 0; i < k && up.get(); ++i, up.next()) window.push_back(*up.get());
    const std::int64_t lo = down.get() ? name_rank_by_id_[*down.get()] : std::numeric_limits<std::int64_t>::min();
    const std::int64_t hi = up.get() ? name_rank_by_id_[*up.get()] : std::numeric_limits<std::int64_t>::max();
    const std::uint64_t step = (static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo)) / (window.size() + 2);
    if (step < kMinGap) continue;
    // In the same order, so the blocks (sorted by rank) stay sorted.
    auto r = static_cast<std::uint64_t>(lo);
    for (auto id : window) {
      r += step;
      name_rank_by_id_[id] = static_cast<std::int64_t>(r);
    }
    ++name_relabels_;
    name_ranks_rewritten_ += window.size();
    return;
  }
}

void DealViews::relabel_names() {
  // INT64_MIN + k * step for k = 1..n, computed modulo 2^64: strictly
  // increasing, the first above INT64_MIN and the last below INT64_MAX by
  // at least step (>= 2 below 2^62 deals).
  const std::uint64_t step = std::numeric_limits<std::uint64_t>::max() / (names_.size() + 2);
  auto r = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::min());
  ++name_relabels_;
  name_ranks_rewritten_ += names_.size();
  names_.for_each([&](std::uint32_t id) {
    r += step;
    name_rank_by_id_[id] = static_cast<std::int64_t>(r);
    return true;
  });
}

std::int64_t DealViews::name_rank_bound(std::string_view folded, std::uint32_t id, bool desc) const {
  auto cmp = [&](std::uint32_t e) { return compare_name(e, folded, id); };
  // Ascending: the first deal after the cursor; descending: the first not
  // before it (the page takes the deals before that one).
  const auto pos = desc ? names_.partition_point([&](std::uint32_t e) { return cmp(e) < 0; })
                        : names_.partition_point([&](std::uint32_t e) { return cmp(e) <= 0; });
  const std::uint32_t *e = NameOrder::Cursor(names_, pos, false).get();
  return e ? name_rank_by_id_[*e] : std::numeric_limits<std::int64_t>::max();
}

void DealViews::begin_bulk(Id max_id) {
  bulk_ = true;
  staged_.clear();
  staged_keys_.clear();
  staged_key_end_.clear();
  if (max_id <= 0 || max_id > static_cast<Id>(UINT32_MAX)) return;
  auto n = static_cast<std::size_t>(max_id) + 1;
  if (n > updated_by_id_.size()) grow_id_tables(n);
  if (rows_.size() < n) {
    staged_.reserve(n - rows_.size());
    staged_key_end_.reserve(n - rows_.size());
  }
}

void DealViews::grow_id_tables(std::size_t n) {
  for (auto *v : {&updated_by_id_, &created_by_id_, &amount_by_id_, &next_due_by_id_}) v->resize(n, 0);
  name_rank_by_id_.resize(n, 0);
}

namespace {

// A staged row in the name sort: 16 bytes of its folded name from the
// current offset, where the name is, and its index in the staged rows
// (which are in id order, so the index breaks ties as the id does).
struct NameKey {
  std::uint64_t hi, lo;  // 16 bytes of the folded name from the current offset
  const char *name;      // the folded name, to read the next 16 bytes without the row
  std::uint32_t size, index;
  friend bool operator<(const NameKey &a, const NameKey &b) {
    if (a.hi != b.hi) return a.hi < b.hi;
    if (a.lo != b.lo) return a.lo < b.lo;
    return a.index < b.index;
  }
};

// Sorts keys[lo, hi), whose names agree on their first `offset` bytes, by
// (name, id): 16 bytes at a time, reading a name only while it ties with
// another. Names that start with a product tie for dozens of bytes; a
// comparison sort would chase two heap pointers per comparison instead.
void sort_by_name(std::vector<NameKey> &keys, std::size_t lo, std::size_t hi, std::size_t offset) {
  std::size_t longest = 0;
  for (std::size_t i = lo; i < hi; ++i) {
    auto &k = keys[i];
    std::string_view rest = k.size > offset ? std::string_view(k.name + offset, k.size - offset) : std::string_view();
    k.hi = name_prefix(rest);
    k.lo = rest.size() > 8 ? name_prefix(rest.substr(8)) : 0;
    longest = std::max<std::size_t>(longest, k.size);
  }
  auto first = keys.begin() + static_cast<std::ptrdiff_t>(lo), last = keys.begin() + static_cast<std::ptrdiff_t>(hi);
  if (longest <= offset) {
    // Equal names, or names that differ only in trailing NUL bytes (which
    // only a raw SQL edit could store): the shorter first, then by id.
    std::sort(first, last, [](const NameKey &a, const NameKey &b) {
      return a.size != b.size ? a.size < b.size : a.index < b.index;
    });
    return;
  }
  std::sort(first, last);
  for (std::size_t a = lo; a < hi;) {
    std::size_t b = a + 1;
    while (b < hi && keys[b].hi == keys[a].hi && keys[b].lo == keys[a].lo) ++b;
    if (b - a > 1) sort_by_name(keys, a, b, offset + 16);
    a = b;
  }
}

}  // namespace

// The staged rows in name order, as indexes into staged_.
std::vector<std::uint32_t> DealViews::bulk_name_order() const {
  std::vector<NameKey> keys(staged_.size());
  for (std::uint32_t i = 0; i < keys.size(); ++i) {
    auto name = staged_key(i);
    keys[i] = {0, 0, name.data(), static_cast<std::uint32_t>(name.size()), i};
  }
  if (!keys.empty()) sort_by_name(keys, 0, keys.size(), 0);
  std::vector<std::uint32_t> order(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) order[i] = keys[i].index;
  return order;
}

// The staged rows into the row table, and into the name order: all at
// once from the sort when it held nothing, else one by one.
void DealViews::bulk_rows(const std::vector<std::uint32_t> &order) {
  std::vector<std::uint32_t> ids(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) ids[i] = staged_[order[i]].id;
  for (Row &r : staged_) rows_.place(std::move(r));
  if (names_.empty()) {
    names_.assign(ids);
    relabel_names();
  } else {
    for (std::size_t i = 0; i < order.size(); ++i) name_insert(ids[i], staged_key(order[i]));
  }
  staged_.clear();
  staged_.shrink_to_fit();
  std::string().swap(staged_keys_);
  std::vector<std::size_t>().swap(staged_key_end_);
}

namespace {

// Per-key vectors for a bulk build: a flat table for the small, dense ids
// the dimensions have (pipelines, stages, users, tags, interned clients),
// a hash map beyond that.
template <class T>
class Buckets {
 public:
  std::vector<T> &operator[](std::uint64_t k) {
    if (k >= kFlat) return sparse_[k];
    if (k >= flat_.size()) flat_.resize(std::max<std::size_t>(k + 1, flat_.size() * 2));
    return flat_[k];
  }
  // Calls fn(key, values) for every key given a value.
  template <class F>
  void for_each(F &&fn) {
    for (std::size_t k = 0; k < flat_.size(); ++k)
      if (!flat_[k].empty()) fn(std::uint64_t{k}, flat_[k]);
    for (auto &[k, v] : sparse_) fn(k, v);
  }

 private:
  static constexpr std::uint32_t kFlat = 1u << 22;
  std::vector<std::vector<T>> flat_;
  std::unordered_map<std::uint64_t, std::vector<T>> sparse_;  // keys past kFlat (a pipeline_owner pair)
};

}  // namespace

// Posting lists (but the trigrams) and aggregates of the staged rows: ids
// come in increasing order, so each list is collected as a sorted vector
// and handed to its bitmap at once.
void DealViews::bulk_postings() {
  using Acc = Buckets<std::uint32_t>;
  Acc pipeline, stage, owner, dept, client, segment, currency, tag;
  std::vector<std::uint32_t> all, archived, kind[3], with_tasks;
  all.reserve(staged_.size());
  for (const Row &r : staged_) {
    pipeline[r.pipeline].push_back(r.id);
    stage[r.stage].push_back(r.id);
    owner[r.owner].push_back(r.id);
    dept[r.dept].push_back(r.id);
    client[r.client].push_back(r.id);
    segment[r.segment].push_back(r.id);
    currency[r.currency].push_back(r.id);
    for (auto t : r.tags()) tag[t].push_back(r.id);
    all.push_back(r.id);
    if (r.archived) archived.push_back(r.id);
    kind[r.kind].push_back(r.id);
    if (r.open_tasks > 0) with_tasks.push_back(r.id);
    aggregate(r, +1);
  }
  auto flush = [](Acc &acc, std::unordered_map<std::uint32_t, Bitmap> &m) {
    acc.for_each([&](std::uint64_t k, std::vector<std::uint32_t> &ids) {
      m[static_cast<std::uint32_t>(k)].add_many(ids.data(), ids.size());
    });
  };
  flush(pipeline, by_pipeline_);
  flush(stage, by_stage_);
  flush(owner, by_owner_);
  flush(dept, by_dept_);
  client.for_each([&](std::uint64_t k, std::vector<std::uint32_t> &ids) {
    by_client_.add_sorted(static_cast<std::uint32_t>(k), ids);
  });
  flush(segment, by_segment_);
  flush(currency, by_currency_);
  flush(tag, by_tag_);
  all_.add_many(all.data(), all.size());
  archived_.add_many(archived.data(), archived.size());
  for (int k = 0; k < 3; ++k) by_kind_[k].add_many(kind[k].data(), kind[k].size());
  with_tasks_.add_many(with_tasks.data(), with_tasks.size());
  for (auto *m : {&by_pipeline_, &by_stage_, &by_owner_, &by_dept_, &by_tag_, &by_segment_, &by_currency_})
    for (auto &[k, b] : *m) b.optimize();
  for (auto &[k, b] : by_client_.big_sets()) b.optimize();
  by_client_.shrink();
  for (auto &b : by_kind_) b.optimize();
  all_.optimize();
  archived_.optimize();
  with_tasks_.optimize();
  archived_bits_.assign(archived_);
  with_tasks_bits_.assign(with_tasks_);
}

// The name trigram postings of the staged rows, 65,536 ids (one roaring
// container) at a time: the chunk's (trigram, id) pairs are radix-sorted
// by trigram, which keeps ids in order, and each trigram's run is appended
// to its bitmap with one hash probe instead of one a pair.
void DealViews::bulk_trigrams() {
  std::vector<std::uint64_t> pairs, sorted;
  std::vector<std::uint32_t> ids;
  std::vector<std::uint32_t> count(1u << 12);
  for (std::size_t i = 0; i < staged_.size();) {
    const std::uint32_t hi = staged_[i].id >> 16;
    pairs.clear();
    for (; i < staged_.size() && staged_[i].id >> 16 == hi; ++i)
      for (auto g : trigrams_of(staged_key(i)))
        pairs.push_back(std::uint64_t{g} << 16 | (staged_[i].id & 0xFFFFu));
    sorted.resize(pairs.size());
    for (int shift : {16, 28}) {  // two stable passes over the 24-bit trigram
      std::fill(count.begin(), count.end(), 0u);
      for (auto p : pairs) ++count[(p >> shift) & 0xFFFu];
      std::uint32_t sum = 0;
      for (auto &c : count) sum += std::exchange(c, sum);
      for (auto p : pairs) sorted[count[(p >> shift) & 0xFFFu]++] = p;
      pairs.swap(sorted);
    }
    for (std::size_t j = 0; j < pairs.size();) {
      const auto g = static_cast<std::uint32_t>(pairs[j] >> 16);
      ids.clear();
      for (; j < pairs.size() && pairs[j] >> 16 == g; ++j)
        ids.push_back(hi << 16 | static_cast<std::uint32_t>(pairs[j] & 0xFFFFu));
      by_trigram_[g].add_many(ids.data(), ids.size());
    }
  }
  for (auto &[g, b] : by_trigram_) b.optimize();
}

// Every order of a numeric key (names: false) or by name (true) from all
// rows (those already indexed and the staged ones), one sort each. The
// name orders need the ranks, which bulk_rows() gives.
void DealViews::bulk_orders(bool names) {
  std::vector<std::uint32_t> ids;
  for (auto &o : orders_) {
    if ((o.sort == SortField::name) != names) continue;
    Buckets<KeyedId> parts;
    auto add = [&](const Row &r) {
      parts[dim_value(r, o.dim)].push_back({names ? name_rank_by_id_[r.id] : numeric_key(r, o.sort), r.id});
    };
    rows_.for_each(add);
    for (const Row &r : staged_) add(r);
    o.by_value.clear();
    parts.for_each([&](std::uint64_t v, std::vector<KeyedId> &entries) {
      std::sort(entries.begin(), entries.end());
      ids.resize(entries.size());
      for (std::size_t i = 0; i < entries.size(); ++i) ids[i] = entries[i].id;
      o.by_value[v].assign(ids);
    });
  }
}

void DealViews::end_bulk() {
  if (!bulk_) return;
  // The staged rows are read, in id order, by every part; the trigrams and
  // the name sort take about as long as the rest, so a second core does
  // them. Each part writes only its own members.
  std::vector<std::uint32_t> name_order;
  auto second = [&] {
    bulk_trigrams();
    name_order = bulk_name_order();
  };
  std::future<void> done;
  try {
    done = std::async(std::launch::async, second);
  } catch (const std::system_error &) {
    second();  // no thread to be had: do it here
  }
  try {
    bulk_postings();
    bulk_orders(false);
  } catch (...) {
    if (done.valid()) done.wait();
    throw;
  }
  if (done.valid()) done.get();
  bulk_rows(name_order);  // moves the staged rows: after every reader is done
  bulk_orders(true);
  clients_.shrink();
  bulk_ = false;
}

bool DealViews::has(Id id) const { return id > 0 && id <= static_cast<Id>(UINT32_MAX) && row(static_cast<std::uint32_t>(id)); }

DealView DealViews::view_of(const Row &r, Millis now, Millis today_end, RefTexts &texts) const {
  // Every field named: built in place, with no zeroing of the whole
  // struct first (which the default member initializers would cost a
  // declared-then-assigned DealView: a third of a warm page's time).
  return DealView{.id = r.id,
                  .name = r.name(),
                  .pipeline_id = r.pipeline,
                  .stage_id = r.stage,
                  .stage_kind = static_cast<StageKind>(r.kind),
                  .amount = r.amount,
                  .currency = currencies_[r.currency],
                  .owner_id = r.owner,
                  .department_id = r.dept,
                  .client_ref = clients_.ref(r.client, texts.client),
                  .client_name = clients_.name(r.client),
                  .segment = segments_[r.segment],
                  .external_ref = r.external_ref(texts.deal),
                  .lost_reason = r.lost_reason(),
                  .created_at = r.created,
                  .updated_at = r.updated,
                  .closed_at = r.closed,
                  .stage_changed_at = r.stage_changed,
                  .archived = r.archived,
                  .open_task_count = r.open_tasks,
                  .next_task_due = r.next_due,
                  .task_state = task_state_of(r, now, today_end)};
}

Deal DealViews::to_deal(const Row &r, bool with_lists, Millis now, Millis today_end) const {
  RefTexts texts;
  Deal d = dealcore::to_deal(view_of(r, now, today_end, texts));
  if (with_lists) {
    for (auto t : r.tags()) d.tags.push_back(t);
    for (auto c : r.contacts()) d.contacts.push_back(c);
  }
  return d;
}

std::optional<Deal> DealViews::get(Id id, bool with_lists) const {
  if (!has(id)) return std::nullopt;
  return to_deal(*row(static_cast<std::uint32_t>(id)), with_lists);
}

std::int64_t DealViews::count(ArchivedMode mode) const {
  auto all = static_cast<std::int64_t>(all_.size()), arch = static_cast<std::int64_t>(archived_.size());
  switch (mode) {
    case ArchivedMode::exclude: return all - arch;
    case ArchivedMode::only: return arch;
    case ArchivedMode::include: return all;
  }
  return all;
}

std::vector<std::string> DealViews::diff(const DealViews &o) const {
  std::vector<std::string> out;
  auto note = [&](std::string s) {
    if (out.size() < 100) out.push_back(std::move(s));
  };
  if (rows_.size() != o.rows_.size()) note(fmt::format("deal count {} != {}", rows_.size(), o.rows_.size()));
  rows_.for_each([&](const Row &r) {
    const Row *x = o.row(r.id);
    if (!x) {
      note(fmt::format("deal {} is in memory but not on disk", r.id));
      return;
    }
    Deal a = to_deal(r, true), b = o.to_deal(*x, true);
    bool same = a.name == b.name && a.pipeline_id == b.pipeline_id && a.stage_id == b.stage_id &&
                a.stage_kind == b.stage_kind && a.amount == b.amount && a.owner_id == b.owner_id &&
                a.department_id == b.department_id && a.client_ref == b.client_ref &&
                a.client_name == b.client_name && a.segment == b.segment && a.external_ref == b.external_ref &&
                a.lost_reason == b.lost_reason && a.created_at == b.created_at && a.updated_at == b.updated_at &&
                a.closed_at == b.closed_at && a.stage_changed_at == b.stage_changed_at &&
                a.archived == b.archived && a.open_task_count == b.open_task_count &&
                a.next_task_due == b.next_task_due && a.tags == b.tags && a.contacts == b.contacts &&
                r.dept_explicit == x->dept_explicit;
    if (!same) note(fmt::format("deal {} differs between memory and disk", r.id));
    if (updated_by_id_[r.id] != r.updated || created_by_id_[r.id] != r.created || amount_by_id_[r.id] != r.amount ||
        next_due_by_id_[r.id] != numeric_key(r, SortField::next_task_due))
      note(fmt::format("the dense sort keys of deal {} differ from its row", r.id));
  });
  if (!(names_ == o.names_)) note("the name order differs");
  // Ranks are history's; that they follow the order is what must hold.
  std::optional<std::int64_t> last;
  names_.for_each([&](std::uint32_t id) {
    if (last && *last >= name_rank_by_id_[id]) {
      note(fmt::format("the name rank of deal {} does not follow the name order", id));
      return false;
    }
    last = name_rank_by_id_[id];
    return true;
  });
  auto cmp_maps = [&](const char *what, const auto &m1, const auto &m2) {
    for (const auto &[k, b] : m1) {
      auto it = m2.find(k);
      if (it == m2.end() ? !b.empty() : !(it->second == b)) note(fmt::format("posting list {} {} differs", what, k));
    }
    for (const auto &[k, b] : m2)
      if (!m1.count(k) && !b.empty()) note(fmt::format("posting list {} {} differs", what, k));
  };
  cmp_maps("pipeline", by_pipeline_, o.by_pipeline_);
  cmp_maps("stage", by_stage_, o.by_stage_);
  cmp_maps("owner", by_owner_, o.by_owner_);
  cmp_maps("department", by_dept_, o.by_dept_);
  cmp_maps("tag", by_tag_, o.by_tag_);
  cmp_maps("name trigram", by_trigram_, o.by_trigram_);
  // Client and segment posting lists are keyed by interned numbers that
  // depend on history; compare them through the values they stand for.
  auto cmp_interned = [&](const char *what, const auto &m1, const auto &m2, auto name1, auto name2) {
    std::map<std::string, std::vector<std::uint32_t>> a, b;
    for (const auto &[k, bm] : m1) a[name1(k)] = bm.to_vector();
    for (const auto &[k, bm] : m2) b[name2(k)] = bm.to_vector();
    if (a != b) note(fmt::format("{} posting lists differ", what));
  };
  {
    auto deals_by_client = [](const DealViews &v) {
      std::map<std::string, std::vector<std::uint32_t>> m;
      v.by_client_.for_each_client([&](std::uint32_t c) {
        char ref[kUuidChars];
        m[fmt::format("{}\x1f{}", v.clients_.ref(c, ref), v.clients_.name(c))] = v.by_client_.deals(c);
      });
      return m;
    };
    if (deals_by_client(*this) != deals_by_client(o)) note("the clients' deals differ");
  }
  cmp_interned(
      "segment", by_segment_, o.by_segment_, [&](std::uint32_t k) { return segments_[k]; },
      [&](std::uint32_t k) { return o.segments_[k]; });
  cmp_interned(
      "currency", by_currency_, o.by_currency_, [&](std::uint32_t k) { return currencies_[k]; },
      [&](std::uint32_t k) { return o.currencies_[k]; });
  for (std::size_t i = 0; i < orders_.size() && i < o.orders_.size(); ++i) {
    if (orders_[i].dim != Dim::currency) {
      cmp_maps("sort order", orders_[i].by_value, o.orders_[i].by_value);
      continue;
    }
    // Keyed by interned currency numbers, which depend on history.
    std::map<std::string, const KeyOrder *> a, b;
    for (const auto &[k, ids] : orders_[i].by_value) a[currencies_.at(k)] = &ids;
    for (const auto &[k, ids] : o.orders_[i].by_value) b[o.currencies_.at(k)] = &ids;
    bool same = a.size() == b.size();
    for (auto x = a.begin(), y = b.begin(); same && x != a.end(); ++x, ++y)
      same = x->first == y->first && *x->second == *y->second;
    if (!same) note("the currency sort orders differ");
  }
  if (!(all_ == o.all_)) note("the set of all deals differs");
  if (!(archived_ == o.archived_)) note("the set of archived deals differs");
  for (int k = 0; k < 3; ++k)
    if (!(by_kind_[k] == o.by_kind_[k])) note(fmt::format("posting list kind {} differs", k));
  if (!(with_tasks_ == o.with_tasks_)) note("the set of deals with open tasks differs");
  // The bits are derived from the posting lists in this very object.
  if (!archived_bits_.same_as(archived_)) note("the archived deals' bits differ from their posting list");
  if (!with_tasks_bits_.same_as(with_tasks_)) note("the bits of deals with open tasks differ from their posting list");
  // Aggregates, with currencies by code.
  auto named = [](const DealViews &v, const Aggregate &a) {
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> m;
    for (const auto &x : a.sums) m[v.currencies_[x.currency]] = {x.count, x.sum};
    return std::make_pair(a.count, m);
  };
  auto cmp_board = [&](const DealViews &x, const DealViews &y, bool both_ways) {
    for (const auto *m : {&x.board_owner_, &x.board_dept_}) {
      const auto &other_map = m == &x.board_owner_ ? y.board_owner_ : y.board_dept_;
      const char *what = m == &x.board_owner_ ? "owner" : "department";
      for (const auto &[key, cells] : *m) {
        auto st = other_map.find(key);
        for (const auto &cell : cells) {
          const Aggregate *other = nullptr;
          if (st != other_map.end())
            for (const auto &c : st->second)
              if (c.stage == cell.stage && c.dept == cell.dept) other = &c.agg;
          if (!other || (both_ways && named(x, cell.agg) != named(y, *other)))
            note(fmt::format("kanban sums of pipeline {} {} {} stage {} department {} differ", key >> 32, what,
                             key & 0xFFFFFFFFu, cell.stage, cell.dept));
        }
      }
    }
    for (const auto &[stage, agg] : x.stage_total_) {
      auto t = y.stage_total_.find(stage);
      if (t == y.stage_total_.end() || (both_ways && named(x, agg) != named(y, t->second)))
        note(fmt::format("kanban total of stage {} differs", stage));
    }
  };
  cmp_board(*this, o, true);
  cmp_board(o, *this, false);
  for (auto &s : contacts_.diff(o.contacts_)) note(std::move(s));
  for (auto &s : tasks_.diff(o.tasks_)) note(std::move(s));
  return out;
}

}  // namespace dealcore::views

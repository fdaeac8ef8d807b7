// The list (L1–L6): a filter compiled once into posting-list drivers and a
// row predicate, then answered by whichever access path is cheaper — the
// intersection of posting lists followed by a top-K selection, or a walk of
// the ordered index of the requested sort that stops after one page.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

#include "dealcore/error.hpp"
#include "views/deal_views.hpp"

namespace dealcore::views {

namespace {

struct SortKey {
  std::int64_t num = 0;
  std::string_view str;
  std::uint32_t id = 0;
};

// A deal's key in the sort. The name sort's is its name rank (see
// DealViews::NameLess), which orders as (folded name, id) does.
SortKey key_of(const Row &r, SortField f, bool desc, const DealViews &v) {
  switch (f) {
    case SortField::next_task_due: {
      // Deals without an open task go last in either direction.
      Millis none = desc ? std::numeric_limits<Millis>::min() : std::numeric_limits<Millis>::max();
      return {r.open_tasks > 0 ? r.next_due : none, {}, r.id};
    }
    case SortField::updated: return {r.updated, {}, r.id};
    case SortField::created: return {r.created, {}, r.id};
    case SortField::amount: return {r.amount, {}, r.id};
    case SortField::name: return {v.name_rank(r.id), {}, r.id};
    case SortField::stage: return {v.stage_sort_key(r), {}, r.id};
  }
  return {};
}

// The key a cursor records: for the name sort the folded name itself
// (ranks are not stable across writes or processes), viewing *folded.
SortKey cursor_key_of(const Row &r, SortField f, bool desc, const DealViews &v, std::string &folded) {
  if (f == SortField::name) return {0, folded_name(r, folded), r.id};
  return key_of(r, f, desc, v);
}

int compare(const SortKey &a, const SortKey &b) {
  if (a.num != b.num) return a.num < b.num ? -1 : 1;
  if (a.str != b.str) return a.str < b.str ? -1 : 1;
  if (a.id != b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

// Cursor: "<sort><a|d>.<num>.<hex of string key>.<id>". Written by hand:
// every page with more after it makes one, and fmt's formatting of it was
// ~10% of the ids of a page of 50 (~0.3 us).
std::string encode_cursor(SortField f, bool desc, const SortKey &k) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(48 + 2 * k.str.size());
  char buf[24];
  auto number = [&](auto v) { out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr); };
  number(static_cast<int>(f));
  out += desc ? 'd' : 'a';
  out += '.';
  number(k.num);
  out += '.';
  for (unsigned char c : k.str) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  out += '.';
  number(k.id);
  return out;
}

struct Cursor {
  SortKey key;
  std::string str;  // owns key.str
};

std::optional<Cursor> decode_cursor(const std::string &c, SortField f, bool desc) {
  if (c.empty()) return std::nullopt;
  auto bad = [] { return Error(Errc::invalid_argument, "malformed list cursor"); };
  auto p1 = c.find('.');
  if (p1 != 2) throw bad();
  if (c[0] != '0' + static_cast<int>(f) || c[1] != (desc ? 'd' : 'a'))
    throw Error(Errc::invalid_argument, "the cursor belongs to another sort order");
  auto p2 = c.find('.', p1 + 1);
  if (p2 == std::string::npos) throw bad();
  auto p3 = c.find('.', p2 + 1);
  if (p3 == std::string::npos) throw bad();
  Cursor out;
  try {
    std::size_t used = 0;
    std::string num = c.substr(p1 + 1, p2 - p1 - 1);
    out.key.num = std::stoll(num, &used);
    if (used != num.size()) throw bad();
    std::string id = c.substr(p3 + 1);
    auto v = std::stoull(id, &used);
    if (used != id.size() || id.empty() || id[0] == '-' || v > UINT32_MAX) throw bad();
    out.key.id = static_cast<std::uint32_t>(v);
  } catch (const Error &) {
    throw;
  } catch (const std::exception &) {
    throw bad();
  }
  std::string h = c.substr(p2 + 1, p3 - p2 - 1);
  if (h.size() % 2) throw bad();
  for (std::size_t i = 0; i < h.size(); i += 2) {
    auto digit = [&](char x) -> int {
      if (x >= '0' && x <= '9') return x - '0';
      if (x >= 'a' && x <= 'f') return x - 'a' + 10;
      throw bad();
    };
    out.str.push_back(static_cast<char>(digit(h[i]) * 16 + digit(h[i + 1])));
  }
  return out;
}

template <class T>
bool in(const std::vector<T> &sorted, T v) {
  return sorted.empty() || std::binary_search(sorted.begin(), sorted.end(), v);
}

// The position just past every entry with a key up to top.
KeyOrder::Pos seek_past(const KeyOrder &o, ByKey k, std::int64_t top) {
  return seek(o, k, {top, std::numeric_limits<std::uint32_t>::max()}, true);
}

// Asks for every cache line of [p, p + n) but the first.
void prefetch_rest(const void *p, std::size_t n) {
  auto a = (reinterpret_cast<std::uintptr_t>(p) & ~std::uintptr_t{63}) + 64;
  const auto end = reinterpret_cast<std::uintptr_t>(p) + n;
  for (; a < end; a += 64) __builtin_prefetch(reinterpret_cast<const void *>(a));
}

// Asks for both cache lines of a row (96 bytes, aligned to 32).
void prefetch_row(const Row *r) {
  __builtin_prefetch(r);
  prefetch_rest(r, sizeof(Row));
}

// memcpy for the short strings of a page (a currency code, a GUID, a
// name), inline: fixed-size moves over the head and the tail, which may
// overlap, and 16-byte ones between; nothing read or written outside the
// n bytes. glibc's call and size dispatch cost more than the copy here.
inline void copy_short(char *to, const char *from, std::size_t n) {
  if (n >= 16) {
    for (std::size_t i = 0; i + 16 < n; i += 16) std::memcpy(to + i, from + i, 16);
    std::memcpy(to + n - 16, from + n - 16, 16);
  } else if (n >= 8) {
    std::memcpy(to, from, 8);
    std::memcpy(to + n - 8, from + n - 8, 8);
  } else if (n >= 4) {
    std::memcpy(to, from, 4);
    std::memcpy(to + n - 4, from + n - 4, 4);
  } else {
    for (std::size_t i = 0; i < n; ++i) to[i] = from[i];
  }
}

}  // namespace

int g_force_access_path = 0;
std::size_t g_tiny_list_max = 64;

// A compiled filter. Dimensions with posting lists become drivers (sets to
// intersect) or exclusions; the rest is a predicate over the row.
class ListPlan {
 public:
  using BitmapList = boost::container::small_vector<const Bitmap *, 4>;
  using Values = boost::container::small_vector<std::uint64_t, 2>;
  // Posting lists a walk already guarantees: accept() does not test them.
  struct Known {
    const Bitmap *a = nullptr, *b = nullptr;
    bool has(const Bitmap *s) const { return s == a || s == b; }
  };
  // A range filter on an ordered key: [lo, top], and its estimated size.
  // (Inclusive: an amount up to INT64_MAX has no exclusive bound.)
  struct Range {
    SortField field;
    std::int64_t lo, top;
    double est;                         // in all deals
    const DimOrder *scope = nullptr;    // the narrowest order that holds it: all deals, or a filtered dimension
    double scoped_est = 0;              // its size within scope
    double driver_size() const { return scoped_est; }
  };
  const Range *range_on(SortField f) const {
    for (const auto &r : ranges_)
      if (r.field == f) return &r;
    return nullptr;
  }

  ListPlan(const DealViews &v, const PreparedFilter &pf)
      : v_(v), pf_(pf), f_(*pf.filter), text_(pf.text_key) {
    // Id 0 is meaningful for owners and departments: "nobody".
    auto ids = [](const std::vector<Id> &in, std::vector<std::uint32_t> &out, bool zero_ok = false) {
      for (Id x : in) {
        if (x < (zero_ok ? 0 : 1) || x > static_cast<Id>(UINT32_MAX)) continue;  // matches nothing
        out.push_back(static_cast<std::uint32_t>(x));
      }
      std::sort(out.begin(), out.end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
    };
    // An empty filter list means "any"; a list of only impossible ids means none.
    // implied: another driver holds only deals that meet this condition
    // (the stages' lists and their pipelines); the row check keeps it.
    auto dim = [&](Dim which, const std::vector<Id> &in, std::vector<std::uint32_t> &out,
                   const std::unordered_map<std::uint32_t, Bitmap> &postings, bool zero_ok, bool implied = false) {
      if (in.empty()) return;
      ids(in, out, zero_ok);
      if (out.empty()) {
        impossible_ = true;
        return;
      }
      if (implied) return;
      auto before = drivers_.size();
      add_union(out, postings);
      if (drivers_.size() > before) dim_driver_[static_cast<int>(which)] = drivers_.back();
    };
    // A stage's posting list lies within its pipeline's (and its kind's):
    // when the engine vouches for that, the walks test one list, not three.
    const bool by_stages = !f_.stages.empty();
    dim(Dim::pipeline, f_.pipelines, pipelines_, v.by_pipeline_, false, by_stages && pf.stages_imply_pipelines);
    dim(Dim::stage, f_.stages, stages_, v.by_stage_, false);
    dim(Dim::owner, f_.owners, owners_, v.by_owner_, true);
    dim(Dim::dept, f_.departments, depts_, v.by_dept_, true);
    if (!f_.kinds.empty()) {
      BitmapList parts;
      for (auto k : f_.kinds) {
        auto i = static_cast<int>(k);
        if (i < 0 || i > 2) throw Error(Errc::invalid_argument, "unknown stage kind in filter");
        kind_mask_ |= 1u << i;
      }
      for (int i = 0; i < 3; ++i)
        if (kind_mask_ & (1u << i)) {
          parts.push_back(&v.by_kind_[i]);
          kinds_.push_back(static_cast<std::uint32_t>(i));
        }
      if (!(by_stages && pf.stages_imply_kinds)) {
        auto before = drivers_.size();
        add_union_of(parts);
        if (drivers_.size() > before) dim_driver_[static_cast<int>(Dim::kind)] = drivers_.back();
      }
    }
    if (!f_.tags_any.empty()) {
      ids(f_.tags_any, tags_any_);
      if (tags_any_.empty()) impossible_ = true;
      add_union(tags_any_, v.by_tag_);
    }
    if (!f_.tags_all.empty()) {
      ids(f_.tags_all, tags_all_);
      for (Id t : f_.tags_all)
        if (t <= 0 || t > static_cast<Id>(UINT32_MAX)) impossible_ = true;
      if (!postings_of_all(tags_all_, v.by_tag_, drivers_)) impossible_ = true;
    }
    ids(f_.tags_none, tags_none_);
    for (auto t : tags_none_) {
      auto it = v.by_tag_.find(t);
      if (it != v.by_tag_.end()) excluded_.push_back(&it->second);
    }
    if (!f_.client_refs.empty()) {
      for (const auto &ref : f_.client_refs) {
        v.clients_.for_each_with_ref(ref, [&](std::uint32_t c) { clients_.push_back(c); });
      }
      std::sort(clients_.begin(), clients_.end());
      if (clients_.empty()) impossible_ = true;
      // A big client's deals are a bitmap; a small one's, a few ids: the
      // candidates themselves when every client is small (tiny()), else a
      // bitmap of this plan's own.
      BitmapList parts;
      std::vector<std::uint32_t> few;
      for (auto c : clients_) {
        if (const Bitmap *b = v.by_client_.big(c))
          parts.push_back(b);
        else
          for (auto id : v.by_client_.small(c)) few.push_back(id);
      }
      std::sort(few.begin(), few.end());
      if (parts.empty() && !few.empty() && tiny_enough(few.size())) {
        tiny_ = std::move(few);
        has_tiny_ = true;
      } else {
        if (!few.empty()) {  // kept with the unions: a part, not a condition (owned_ are conditions)
          unions_.push_back(std::make_unique<Bitmap>());
          unions_.back()->add_many(few.data(), few.size());
          parts.push_back(unions_.back().get());
        }
        add_union_of(parts);
      }
    }
    if (!f_.segments.empty()) {
      for (const auto &s : f_.segments) {
        auto it = v.segment_ids_.find(s);
        if (it != v.segment_ids_.end()) segments_.push_back(it->second);
      }
      std::sort(segments_.begin(), segments_.end());
      if (segments_.empty()) impossible_ = true;
      add_union(segments_, v.by_segment_);
    }
    if (const auto &c = pf.contact_deals) {
      // A phone's or an address's few deals are the candidates as a
      // small client's are (both: the deals of both).
      if (c->empty()) impossible_ = true;
      if (has_tiny_) {
        std::vector<std::uint32_t> both;
        std::set_intersection(tiny_.begin(), tiny_.end(), c->begin(), c->end(), std::back_inserter(both));
        tiny_ = std::move(both);
      } else if (tiny_enough(c->size())) {
        tiny_ = *c;
        has_tiny_ = true;
      } else {
        owned_.push_back(std::make_unique<Bitmap>());
        owned_.back()->add_many(c->data(), c->size());
        drivers_.push_back(owned_.back().get());
      }
    }
    if (pf.task_due_deals) {
      owned_.push_back(std::make_unique<Bitmap>(*pf.task_due_deals));
      drivers_.push_back(owned_.back().get());
      if (pf.task_due_deals->empty()) impossible_ = true;
    }
    // Text of three code points or more: the trigram postings narrow it
    // down (the smallest drives; the others are tested before the row is
    // read, see tests_in_); the name check stays in the predicate.
    if (!text_.empty()) {
      if (!postings_of_all(trigrams_of(text_), v.by_trigram_, text_sets_)) impossible_ = true;
      std::sort(text_sets_.begin(), text_sets_.end(),
                [](const Bitmap *a, const Bitmap *b) { return a->size() < b->size(); });
      if (!text_sets_.empty()) drivers_.push_back(text_sets_.front());
    }
    if (f_.has_overdue_task && *f_.has_overdue_task) drivers_.push_back(&v.with_tasks_);
    for (auto a : f_.activity) {
      auto i = static_cast<int>(a);
      if (i < 0 || i > 3) throw Error(Errc::invalid_argument, "unknown activity level in filter");
      activity_mask_ |= 1u << i;
    }
    if (f_.has_open_tasks) {
      if (*f_.has_open_tasks)
        drivers_.push_back(&v.with_tasks_);
      else
        excluded_.push_back(&v.with_tasks_);
    }
    switch (f_.archived) {
      case ArchivedMode::exclude: excluded_.push_back(&v.archived_); break;
      case ArchivedMode::only: drivers_.push_back(&v.archived_); break;
      case ArchivedMode::include: break;
    }
    if (!f_.currency.empty()) {
      auto it = v.currency_ids_.find(f_.currency);
      auto set = it == v.currency_ids_.end() ? v.by_currency_.end() : v.by_currency_.find(it->second);
      if (set == v.by_currency_.end()) {
        impossible_ = true;
      } else {
        currency_ = it->second;
        currencies_.push_back(it->second);
        drivers_.push_back(&set->second);
        dim_driver_[static_cast<int>(Dim::currency)] = drivers_.back();
      }
    }
    if (f_.amount_min && f_.amount_max && *f_.amount_min > *f_.amount_max) impossible_ = true;
    // Residual: what the row check must decide. The ranges among it can be
    // a scan's own bounds (see candidates_exact); the rest never is.
    beyond_ranges_ = !text_.empty() || f_.has_overdue_task || f_.rotting || activity_mask_;
    residual_ = beyond_ranges_ || f_.amount_min || f_.amount_max || f_.created_from || f_.created_to ||
                f_.updated_from || f_.updated_to;
    std::sort(drivers_.begin(), drivers_.end(), [](const Bitmap *a, const Bitmap *b) { return a->size() < b->size(); });
    for (const auto *d : drivers_) tests_in_.push_back({d, v.dense_of(d)});
    // The text's other trigram postings after the drivers: a walk tests them
    // before it reads the row for the name (a test is ~25 ns, a row and its
    // name ~300 when cold); candidates() intersects them.
    for (std::size_t i = 1; i < text_sets_.size(); ++i) tests_in_.push_back({text_sets_[i], nullptr});
    for (const auto *e : excluded_) tests_out_.push_back({e, v.dense_of(e)});
    // Each dimension's allowed values as its orders key them.
    for (auto [d, values] : {std::pair{Dim::pipeline, &pipelines_}, {Dim::stage, &stages_}, {Dim::owner, &owners_},
                             {Dim::dept, &depts_}, {Dim::kind, &kinds_}, {Dim::currency, &currencies_}})
      dim_values_[static_cast<int>(d)].assign(values->begin(), values->end());
    dim_values_[static_cast<int>(Dim::all)] = {0};
    // Pipelines x owners, while the pairs stay few: a walk merges a part a
    // pair. It guarantees both; the owner's list is left to test (shorter).
    if (!pipelines_.empty() && !owners_.empty() && pipelines_.size() * owners_.size() <= 64) {
      for (auto p : pipelines_)
        for (auto o : owners_) dim_values_[static_cast<int>(Dim::pipeline_owner)].push_back(pipeline_owner_value(p, o));
      dim_driver_[static_cast<int>(Dim::pipeline_owner)] = dim_driver_[static_cast<int>(Dim::pipeline)];
    }
    // Times are filtered [from, to): up to to - 1.
    auto before = [this](std::optional<std::int64_t> to) -> std::optional<std::int64_t> {
      if (!to) return std::nullopt;
      if (*to == std::numeric_limits<std::int64_t>::min()) {
        impossible_ = true;
        return to;
      }
      return *to - 1;
    };
    add_range(SortField::created, f_.created_from, before(f_.created_to));
    add_range(SortField::updated, f_.updated_from, before(f_.updated_to));
    add_range(SortField::amount, f_.amount_min, f_.amount_max);
    // A range on a key some dimension of the filter keeps an order by is
    // counted exactly within that dimension ("pipeline 3, this week").
    for (auto &r : ranges_) {
      if (r.lo > r.top) continue;
      for (const auto &o : v.orders_) {
        if (o.sort != r.field || o.dim == Dim::all || values_of(o.dim).empty()) continue;
        std::size_t n = 0;
        for (auto x : values_of(o.dim))
          if (const auto *ids = o.find(x)) n += count_keys(*ids, v.by_key(o.sort), r.lo, r.top);
        if (static_cast<double>(n) < r.scoped_est) {
          r.scope = &o;
          r.scoped_est = static_cast<double>(n);
        }
      }
    }
    // The narrowest range becomes a driver when it is smaller than every
    // posting list: a scan of that stretch of its ordered index.
    for (std::size_t i = 0; i < ranges_.size(); ++i) {
      double smallest = drivers_.empty() ? static_cast<double>(v.all_.size())
                                         : static_cast<double>(drivers_.front()->size());
      if (ranges_[i].driver_size() < smallest / 2 &&
          (!range_driver_ || ranges_[i].driver_size() < ranges_[*range_driver_].driver_size()))
        range_driver_ = i;
    }
  }

  // The values the filter allows for a dimension; empty: any.
  const Values &values_of(Dim d) const { return dim_values_[static_cast<int>(d)]; }

  // A walk over the per-dimension orders of the sort key: one stretch of
  // KeyOrder per allowed value, merged; span is how many entries they
  // hold (within the seek range, when there is one).
  struct DimWalk {
    const DimOrder *order = nullptr;
    boost::container::small_vector<const KeyOrder *, 4> parts;
    double span = 0;
    Known skip;  // the walked dimension's own drivers
  };
  std::optional<DimWalk> dim_walk(SortField sort, const Range *seek, bool only_all) const {
    std::optional<DimWalk> best;
    for (const auto &o : v_.orders_) {
      if (o.sort != sort || values_of(o.dim).empty() || (only_all && o.dim != Dim::all)) continue;
      DimWalk w;
      w.order = &o;
      for (auto x : values_of(o.dim))
        if (const auto *ids = o.find(x)) {
          w.parts.push_back(ids);
          w.span += static_cast<double>(seek ? count_keys(*ids, v_.by_key(sort), seek->lo, seek->top) : ids->size());
        }
      w.skip = {dim_driver_[static_cast<int>(o.dim)]};
      // A (pipeline, owner) part holds only deals of both: neither list
      // needs a test.
      if (o.dim == Dim::pipeline_owner) w.skip.b = dim_driver_[static_cast<int>(Dim::owner)];
      if (!best || w.span < best->span) best = std::move(w);
    }
    return best;
  }

  // Whether deal id matches, testing posting lists before touching the row
  // (skip: drivers the caller already knows hold id).
  // rows: false when the walk's own bounds decide every residual condition.
  bool accept(std::uint32_t id, Known skip, bool rows = true) const {
    for (const auto &d : tests_in_)
      if (!skip.has(d.set) && !d.contains(id)) return false;
    for (const auto &e : tests_out_)
      if (e.contains(id)) return false;
    return !residual_ || !rows || (precheck(id) && match(*v_.row(id)));
  }

  // The stage sort, stage by stage: each allowed stage's part of a (stage,
  // key) order holds only deals of that stage (and so of its pipeline). On
  // the key of the filter's one range, the range is the part's bounds and
  // no row is read; otherwise the (stage, updated) order, whole, with the
  // row check where the filter has residual conditions.
  struct StageWalk {
    const DimOrder *order = nullptr;
    const Range *range = nullptr;
    Known skip;
    bool rows = false;  // accept() still reads the row
  };
  std::optional<StageWalk> stage_walk() const {
    StageWalk w;
    if (ranges_.size() == 1 && (ranges_[0].field == SortField::updated || ranges_[0].field == SortField::amount)) {
      w.range = &ranges_[0];
      w.order = v_.order(Dim::stage, ranges_[0].field);
      w.rows = beyond_ranges_;
    } else {
      w.order = v_.order(Dim::stage, SortField::updated);
      w.rows = residual_;
    }
    if (!w.order) return std::nullopt;
    w.skip = {dim_driver_[static_cast<int>(Dim::stage)], dim_driver_[static_cast<int>(Dim::pipeline)]};
    return w;
  }
  // Whether the filter allows a stage of its pipelines (the stage sort's
  // stage list holds the filter's pipelines' stages, or every stage).
  bool allows_stage(std::uint32_t stage) const { return in(stages_, stage); }
  // The residual conditions the dense tables can decide without the row
  // (an overdue task: has one, nearest due before now); false: no match.
  bool precheck(std::uint32_t id) const {
    if (f_.has_overdue_task) {
      bool overdue = v_.with_tasks_.contains(id) && v_.next_due_by_id_[id] < pf_.now;
      if (overdue != *f_.has_overdue_task) return false;
    }
    return true;
  }
  std::size_t bitmap_tests(Known skip = Known{nullptr, nullptr}) const {
    return excluded_.size() + static_cast<std::size_t>(std::count_if(drivers_.begin(), drivers_.end(),
                                                                     [&](const Bitmap *d) { return !skip.has(d); }));
  }
  // The smallest posting list the filter requires; nullptr when none.
  const Bitmap *first_driver() const { return drivers_.empty() ? nullptr : drivers_.front(); }

  bool impossible() const { return impossible_; }
  // When the filter's clients are small ones only, or its phone or e-mail
  // is on few deals: those deals, which hold every match (the rest of the
  // filter still to test with accept()); nullptr otherwise. Never under a
  // test hook's forced path.
  const std::vector<std::uint32_t> *tiny() const { return has_tiny_ ? &tiny_ : nullptr; }
  bool residual() const { return residual_; }
  // Whether candidates() yields the matches exactly, so that no row needs
  // checking: nothing residual, or only the one range that drives its scan
  // (whose stretch of the key's order holds that range and nothing else).
  bool candidates_exact() const {
    return !residual_ || (!beyond_ranges_ && range_driver_ && ranges_.size() == 1);
  }
  bool has_drivers() const { return !drivers_.empty(); }
  // Whether a walk whose positions keep it within `bound` (the range on its
  // sort key, or nullptr) must still read each row that passes the bit
  // tests: for a condition other than that range. A walk of "won, created
  // this month" along the (kind, created) order, or of "EUR, 1,000 to
  // 5,000" along (currency, amount), reads no row: the range is its bounds.
  bool rows_beyond(const Range *bound) const {
    return residual_ && (beyond_ranges_ || ranges_.size() != 1 || bound != &ranges_[0]);
  }

  bool match(const Row &r) const {
    if (!in(pipelines_, r.pipeline) || !in(stages_, r.stage) || !in(owners_, r.owner) || !in(depts_, r.dept) ||
        !in(clients_, r.client) || !in(segments_, r.segment))
      return false;
    if (kind_mask_ && !(kind_mask_ & (1u << r.kind))) return false;
    switch (f_.archived) {
      case ArchivedMode::exclude:
        if (r.archived) return false;
        break;
      case ArchivedMode::only:
        if (!r.archived) return false;
        break;
      case ArchivedMode::include: break;
    }
    if (f_.has_open_tasks && *f_.has_open_tasks != (r.open_tasks > 0)) return false;
    if (!tags_any_.empty()) {
      bool any = false;
      for (auto t : r.tags())
        if (std::binary_search(tags_any_.begin(), tags_any_.end(), t)) {
          any = true;
          break;
        }
      if (!any) return false;
    }
    for (auto t : tags_all_)
      if (!r.data.has_tag(t)) return false;
    for (auto t : tags_none_)
      if (r.data.has_tag(t)) return false;
    if (currency_ && r.currency != *currency_) return false;
    if (f_.amount_min && r.amount < *f_.amount_min) return false;
    if (f_.amount_max && r.amount > *f_.amount_max) return false;
    if (f_.created_from && r.created < *f_.created_from) return false;
    if (f_.created_to && r.created >= *f_.created_to) return false;
    if (f_.updated_from && r.updated < *f_.updated_from) return false;
    if (f_.updated_to && r.updated >= *f_.updated_to) return false;
    if (!text_.empty()) {
      // The trigram postings are tested before (accept) or intersected
      // (candidates); the name decides.
      thread_local std::string folded;
      if (folded_name(r, folded).find(text_) == std::string_view::npos) return false;
    }
    for (const auto &set : owned_)
      if (!set->contains(r.id)) return false;
    if (f_.has_overdue_task) {
      bool overdue = r.open_tasks > 0 && r.next_due < pf_.now;
      if (overdue != *f_.has_overdue_task) return false;
    }
    if (f_.rotting) {
      auto it = pf_.rotting_ms.find(r.stage);
      bool rotting = r.kind == 0 && it != pf_.rotting_ms.end() && pf_.now - r.stage_changed > it->second;
      if (rotting != *f_.rotting) return false;
    }
    // Last: the activity level is the one condition that reads SQLite.
    if (activity_mask_ && !(activity_mask_ & (1u << static_cast<int>(pf_.activity_of(r.id))))) return false;
    return true;
  }

  // Expected number of hits, assuming independent dimensions.
  double estimate() const {
    double n = std::max<double>(1.0, static_cast<double>(v_.all_.size()));
    double hits = estimate_bitmaps();
    if (!text_.empty() && text_sets_.empty()) hits *= 0.02;  // shorter than a trigram
    for (const auto &r : ranges_) hits *= r.est / n;
    if (f_.has_overdue_task) hits *= 0.5;
    if (f_.rotting) hits *= 0.3;
    if (activity_mask_) hits *= 0.3;
    return hits;
  }

  // Expected number of deals in every driver and no exclusion.
  double estimate_bitmaps() const {
    double n = std::max<double>(1.0, static_cast<double>(v_.all_.size()));
    double hits = n;
    // A stage implies its pipeline and its kind: those filters add nothing
    // to a stage filter's selectivity (independence would square it).
    auto implied = [&](const Bitmap *d) {
      return !stages_.empty() && (d == dim_driver_[static_cast<int>(Dim::pipeline)] ||
                                  d == dim_driver_[static_cast<int>(Dim::kind)]);
    };
    for (const auto *d : drivers_)
      if (!implied(d)) hits *= static_cast<double>(d->size()) / n;
    for (const auto *e : excluded_) hits *= 1.0 - static_cast<double>(e->size()) / n;
    return hits;
  }

  // Ids that satisfy every driver and exclusion; the predicate still applies.
  Bitmap candidates() const {
    std::optional<Bitmap> ranged;
    const Bitmap *scanned = nullptr;  // the driver a ranged scan of its dimension already holds to
    if (range_driver_) {
      // A stretch of the range key's order: of all deals, or of the
      // filtered values of a dimension when that is narrower.
      const Range &r = ranges_[*range_driver_];
      const ByKey k = v_.by_key(r.scope->sort);
      std::vector<std::uint32_t> ids;
      for (auto x : values_of(r.scope->dim)) {
        const auto *part = r.scope->find(x);
        if (!part) continue;
        const auto from = seek(*part, k, {r.lo, 0}, false), to = seek_past(*part, k, r.top);
        for (KeyOrder::Cursor c(*part, from, false, to); c.get(); c.next()) ids.push_back(*c.get());
      }
      std::sort(ids.begin(), ids.end());
      ranged.emplace();
      ranged->add_many(ids.data(), ids.size());
      scanned = dim_driver_[static_cast<int>(r.scope->dim)];
    }
    Bitmap out = ranged ? std::move(*ranged) : drivers_.empty() ? v_.all_ : *drivers_.front();
    // Roaring merges whole containers (a pipeline's thousands of ids against
    // an owner's hundred, the archived deals against a client's five); a few
    // candidates are cheaper to test one by one, and so are a few hundred
    // against a set the views keep as bits.
    auto narrow = [&](const Bitmap &b, bool keep_members) {
      const auto n = out.size();
      const DenseBits *bits = v_.dense_of(&b);
      if ((n <= 256 && n * 32 <= b.size()) || (bits && n * 4 <= b.size())) {
        std::vector<std::uint32_t> kept;
        out.for_each([&](std::uint32_t id) {
          if ((bits ? bits->contains(id) : b.contains(id)) == keep_members) kept.push_back(id);
        });
        Bitmap k;
        k.add_many(kept.data(), kept.size());
        out = std::move(k);
      } else if (keep_members) {
        out.and_with(b);
      } else {
        out.andnot_with(b);
      }
    };
    for (std::size_t i = ranged ? 0 : 1; i < drivers_.size() && !out.empty(); ++i)
      if (drivers_[i] != scanned) narrow(*drivers_[i], true);
    for (std::size_t i = 1; i < text_sets_.size() && !out.empty(); ++i) narrow(*text_sets_[i], true);
    for (const auto *e : excluded_) narrow(*e, false);
    return out;
  }

  // Estimated cost of candidates() in ns, and the number it yields before
  // the predicate.
  double driver_cost() const {
    // Copy the first set, then each other set costs about the smaller of the
    // two sizes (roaring intersects containers, not every member).
    const double first = first_candidates();
    double c = 0.5 * first;
    auto step = [&](const Bitmap *b) { c += std::min(first, static_cast<double>(b->size())); };
    for (std::size_t i = range_driver_ ? 0 : 1; i < drivers_.size(); ++i) step(drivers_[i]);
    for (std::size_t i = 1; i < text_sets_.size(); ++i) step(text_sets_[i]);
    for (const auto *e : excluded_) step(e);
    if (range_driver_) {
      const Range &r = ranges_[*range_driver_];
      c += 5.0 * r.scoped_est;
    }
    return c;
  }
  double first_candidates() const {
    double c = static_cast<double>(v_.all_.size());
    if (!drivers_.empty()) c = static_cast<double>(drivers_.front()->size());
    if (range_driver_) c = std::min(c, ranges_[*range_driver_].driver_size());
    return c;
  }

 private:
  // [lo, top]; a missing end is unbounded.
  void add_range(SortField field, std::optional<std::int64_t> lo, std::optional<std::int64_t> top) {
    if (!lo && !top) return;
    Range r{field, lo.value_or(std::numeric_limits<std::int64_t>::min()),
            top.value_or(std::numeric_limits<std::int64_t>::max()), 0.0};
    if (r.lo > r.top) {
      impossible_ = true;
      ranges_.push_back(r);
      return;
    }
    // Counted in the order of all deals by that key (estimated from the
    // blocks' fill when it spans many of them).
    r.scope = &v_.all_order(field);
    if (const auto *ids = r.scope->find(0))
      r.est = std::max(1.0, static_cast<double>(count_keys(*ids, v_.by_key(field), r.lo, r.top)));
    r.scoped_est = r.est;
    ranges_.push_back(r);
  }
  // Whether n known deals are few enough to be the candidates themselves,
  // tested and ranked one by one (never under a forced path).
  static bool tiny_enough(std::size_t n) { return n <= g_tiny_list_max && g_force_access_path == 0; }
  // The posting list of every key, appended to out; false when a key has
  // none (then no deal can hold every key).
  template <class Out>
  static bool postings_of_all(const std::vector<std::uint32_t> &keys,
                              const std::unordered_map<std::uint32_t, Bitmap> &postings, Out &out) {
    for (auto k : keys) {
      auto it = postings.find(k);
      if (it == postings.end()) return false;
      out.push_back(&it->second);
    }
    return true;
  }
  void add_union(const std::vector<std::uint32_t> &keys, const std::unordered_map<std::uint32_t, Bitmap> &postings) {
    BitmapList parts;
    for (auto k : keys) {
      auto it = postings.find(k);
      if (it != postings.end()) parts.push_back(&it->second);
    }
    add_union_of(parts);
  }
  void add_union_of(const BitmapList &parts) {
    if (parts.empty()) {
      impossible_ = true;
      return;
    }
    if (parts.size() == 1) {
      drivers_.push_back(parts.front());
      return;
    }
    Bitmap u;
    for (const auto *p : parts) u.or_with(*p);
    unions_.push_back(std::make_unique<Bitmap>(std::move(u)));
    drivers_.push_back(unions_.back().get());
  }

  const DealViews &v_;
  const PreparedFilter &pf_;
  const DealFilter &f_;
  std::string text_;
  std::vector<std::uint32_t> pipelines_, stages_, owners_, depts_, kinds_, clients_, segments_, tags_any_, tags_all_,
      tags_none_, currencies_;
  const Bitmap *dim_driver_[kDims] = {};
  Values dim_values_[kDims];                       // see values_of()
  std::vector<std::uint32_t> tiny_;                // see tiny()
  bool has_tiny_ = false;
  unsigned kind_mask_ = 0, activity_mask_ = 0;
  std::optional<std::uint16_t> currency_;
  bool impossible_ = false, residual_ = false;
  bool beyond_ranges_ = false;  // a residual condition other than the ranges
  // Stable addresses for drivers_ (a std::deque would allocate even empty).
  // Bitmaps of this plan's own: unions_ stand for one condition each (or
  // a part of one); each of owned_ is a condition every match is in.
  std::vector<std::unique_ptr<Bitmap>> unions_, owned_;
  BitmapList drivers_, excluded_;
  // The same sets for accept(), with their bits where the views keep them.
  struct Test {
    const Bitmap *set;
    const DenseBits *bits;
    bool contains(std::uint32_t id) const { return bits ? bits->contains(id) : set->contains(id); }
  };
  boost::container::small_vector<Test, 8> tests_in_;  // the drivers, then the other trigram postings
  boost::container::small_vector<Test, 4> tests_out_;
  std::vector<const Bitmap *> text_sets_;  // the text's trigram postings, smallest first
  std::vector<Range> ranges_;
  std::optional<std::size_t> range_driver_;
};

// A posting list as a flat bitset for the length of a walk: a step's test
// is one bit read (the set is 128 KB at 1M deals, in cache once set)
// instead of a roaring lookup (~30-50 ns), for the cost of setting and
// clearing the list's bits (~140 µs for a 50,000-deal list when the words
// are out of cache). The members are decoded in bulk (roaring's own loop,
// not its iterator), and a dense list is cleared by zeroing the words
// between its first and last member rather than member by member. The
// words are thread-local and all zero between uses.
class FlatFilter {
 public:
  FlatFilter(const Bitmap &b, std::size_t ids) : b_(b) {
    auto &w = words();
    if (w.size() < (ids + 63) / 64) w.resize((ids + 63) / 64);
    auto &v = members();
    b.decode_into(v);
    if (v.empty()) return;
    for (auto id : v) w[id >> 6] |= std::uint64_t{1} << (id & 63);
    lo_ = v.front() >> 6;
    hi_ = v.back() >> 6;
    if (v.capacity() > kKeptMembers) std::vector<std::uint32_t>().swap(v);  // a thread keeps 256 KB at most
  }
  FlatFilter(const FlatFilter &) = delete;
  FlatFilter &operator=(const FlatFilter &) = delete;
  ~FlatFilter() {
    if (b_.empty()) return;
    auto &w = words();
    // Zeroing a word costs far less than visiting a member again.
    if (hi_ - lo_ + 1 <= 16 * b_.size())
      std::fill(w.begin() + static_cast<std::ptrdiff_t>(lo_), w.begin() + static_cast<std::ptrdiff_t>(hi_) + 1, 0);
    else
      b_.for_each([&](std::uint32_t id) { w[id >> 6] = 0; });
  }
  bool contains(std::uint32_t id) const {
    const auto &w = words();
    return (id >> 6) < w.size() && (w[id >> 6] >> (id & 63) & 1);
  }

 private:
  static std::vector<std::uint64_t> &words() {
    thread_local std::vector<std::uint64_t> w;
    return w;
  }
  static constexpr std::size_t kKeptMembers = 1 << 16;
  static std::vector<std::uint32_t> &members() {
    thread_local std::vector<std::uint32_t> v;
    return v;
  }
  const Bitmap &b_;
  std::size_t lo_ = 0, hi_ = 0;
};

DealPage DealViews::list(const PreparedFilter &pf, const ListOptions &o) const {
  if (o.limit < 1 || o.limit > 1000) throw Error(Errc::invalid_argument, "limit must be 1..1000");
  auto sf = static_cast<int>(o.sort);
  if (sf < 0 || sf > 5) throw Error(Errc::invalid_argument, "unknown sort field");
  const bool desc = o.descending;
  // 4 is 1 with the name walk's flat bitset forced off (1 forces it on).
  const int force = g_force_access_path == 4 ? 1 : g_force_access_path;
  auto cursor = decode_cursor(o.cursor, o.sort, desc);
  if (cursor) cursor->key.str = cursor->str;
  // A name cursor becomes a rank bound, which key_of's ranks compare with
  // as a cursor of their own would: id 0 makes "after" mean rank >= bound
  // ascending, and "before" rank < bound descending.
  if (cursor && o.sort == SortField::name)
    cursor->key = {name_rank_bound(cursor->str, static_cast<std::uint32_t>(cursor->key.id), desc), {}, 0};

  DealPage page;
  ListPlan plan(*this, pf);
  if (plan.impossible()) {
    if (o.with_total) page.total = 0;
    return page;
  }
  const auto want = static_cast<std::size_t>(o.limit) + 1;
  auto after_cursor = [&](const SortKey &k) {
    if (!cursor) return true;
    int c = compare(k, cursor->key);
    return desc ? c < 0 : c > 0;
  };

  // A small client's or a phone's few deals need no plan (see the first
  // branch below).
  const std::vector<std::uint32_t> *few = plan.tiny();
  // Cost model in nanoseconds, measured roughly on the bench machine: a
  // candidate fetch plus predicate ~25, a dense key read ~15, a step of an
  // order ~5 plus ~10 a bit test, and the bitmap work proportional to the
  // sizes of the sets involved.
  const double n = static_cast<double>(all_.size());
  const double hits = plan.estimate();
  // A walk on the key of a range filter only visits that stretch.
  const auto *seek = plan.range_on(o.sort);
  // Candidates left after the intersection: each is ranked by its dense key
  // (~15, a random read of the key table) or, when a condition or the sort
  // key needs the row, fetched and checked (~25).
  const bool dense_key = plan.candidates_exact() && o.sort != SortField::stage;
  const double cands = std::min(plan.first_candidates(), std::max(plan.estimate_bitmaps(), hits));
  const double mat_cost = plan.driver_cost() + (dense_key ? 15.0 : 25.0) * cands + 10.0 * hits;
  bool walk = false, dim = false, flat = false;
  std::optional<ListPlan::DimWalk> dw;
  // The walk of a filtered dimension's own order of the sort key, merged
  // over the filter's values of it (see ListPlan::dim_walk), and its cost.
  auto consider_dim = [&](const ListPlan::Range *range) {
    dw = plan.dim_walk(o.sort, range, force == 1);
    if (!dw) return std::numeric_limits<double>::infinity();
    const double visits = std::min(dw->span, static_cast<double>(want) * dw->span / std::max(hits, 0.5));
    // Bit tests on every entry; the row only for those that pass them.
    const double pass = std::min(1.0, plan.estimate_bitmaps() / std::max(dw->span, 1.0));
    const double per_visit =
        5.0 + 10.0 * static_cast<double>(plan.bitmap_tests(dw->skip)) + (plan.rows_beyond(range) ? 40.0 * pass : 0.0);
    return per_visit * visits + 200.0 * static_cast<double>(dw->parts.size());
  };
  if (!few && o.sort == SortField::name) {
    // Walk the name order, testing each step in the posting lists, and
    // reading the rows of those that pass when a condition needs the row
    // (a random read, ~100). The smallest posting list, when it is small
    // against the walk, is made a flat bitset first (FlatFilter: ~2 a deal
    // in it, twice), so that most steps cost one bit read. Ranking
    // candidates by name reads their dense name ranks, as the numeric
    // sorts do.
    const double visits = std::min(n, static_cast<double>(want) * n / std::max(hits, 0.5));
    const double pass = std::min(1.0, plan.estimate_bitmaps() / std::max(n, 1.0));
    const double first = plan.first_driver() ? static_cast<double>(plan.first_driver()->size()) : n;
    const double tests = 25.0 * static_cast<double>(plan.bitmap_tests());
    const double plain_cost = (5.0 + tests) * visits;
    const double flat_cost = 4.0 * first + (2.0 + tests * std::min(1.0, first / std::max(n, 1.0))) * visits;
    flat = plan.first_driver() && (force == 1 ? g_force_access_path == 1 : flat_cost < plain_cost);
    const double walk_cost = std::min(plain_cost, flat_cost) + (plan.residual() ? 100.0 * pass * visits : 0.0);
    // Or, with a pipeline filter, the pipelines' own name orders: only
    // their deals are visited, and no bitset is made.
    const double dim_cost = consider_dim(nullptr);
    walk = walk_cost < mat_cost && walk_cost <= dim_cost;
    dim = !walk && dim_cost < mat_cost;
    if (force) {
      walk = force == 1;
      dim = force == 3 && dw;
    }
  } else if (!few && (o.sort == SortField::updated || o.sort == SortField::created || o.sort == SortField::amount ||
             (o.sort == SortField::next_task_due && !desc))) {
    // Walk the order of the sort key: of all deals, or merged over the
    // filtered values of a dimension kept in that order (fewer entries),
    // testing the rest of the filter in the posting lists.
    const double dim_cost = consider_dim(seek);
    if (dw) {
      dim = dim_cost < mat_cost;
      if (force) dim = force != 2;
    }
  }
  // The stage sort, stage by stage in the page's direction (see
  // ListPlan::stage_walk): every entry of a visited stage's part (within
  // the range) is tested, then the stage's matches sorted by id. It wins
  // when the stages the page needs hold few entries: "this pipeline,
  // changed this week, by stage".
  struct StagePart {
    const KeyOrder *ids;
    std::int64_t key;          // the stage's sort key
    KeyOrder::Pos from, to;    // the stretch to walk: the range's, or all of it
    double span;
  };
  std::optional<ListPlan::StageWalk> sw;
  std::vector<StagePart> stage_parts;
  bool staged = false;
  if (!few && o.sort == SortField::stage && !pf.stage_order.empty() && pf.stage_order.size() <= 64 && force != 2 &&
      (sw = plan.stage_walk())) {
    const ByKey k = by_key(sw->order->sort);
    // Each stage's stretch found once, for the estimate and for the walk.
    auto consider = [&](std::uint32_t stage, std::int64_t key) {
      if (!plan.allows_stage(stage)) return;
      if (cursor && (desc ? key > cursor->key.num : key < cursor->key.num)) return;  // wholly before the cursor
      const KeyOrder *ids = sw->order->find(stage);
      if (!ids) return;
      if (!sw->range) {
        stage_parts.push_back({ids, key, ids->begin(), KeyOrder::Pos{SIZE_MAX, 0}, static_cast<double>(ids->size())});
        return;
      }
      const auto from = views::seek(*ids, k, {sw->range->lo, 0}, false), to = seek_past(*ids, k, sw->range->top);
      stage_parts.push_back({ids, key, from, to, static_cast<double>(ids->count_between(from, to))});
    };
    if (desc)
      for (auto s = pf.stage_order.rbegin(); s != pf.stage_order.rend(); ++s) consider(s->first, s->second);
    else
      for (const auto &s : pf.stage_order) consider(s.first, s.second);
    double span = 0;
    for (const auto &part : stage_parts) span += part.span;
    // Whole stages until the expected matches fill the page.
    const double pass = std::min(1.0, hits / std::max(span, 1.0));
    const double per_visit =
        8.0 + 10.0 * static_cast<double>(plan.bitmap_tests(sw->skip)) + (sw->rows ? 40.0 * pass : 0.0);
    // The seeks are done (above); what is left is the entries and a sort
    // of each stage's matches.
    double cost = 0, expected = 0;
    for (const auto &part : stage_parts) {
      cost += 50.0 + per_visit * part.span;
      expected += part.span * pass;
      if (expected >= static_cast<double>(want)) break;
    }
    staged = cost < mat_cost;
    if (force) staged = force == 1 || force == 3;
  }
  // The nearest-due sort descending always intersects and ranks, and so
  // does the stage sort when the walk above is not cheaper: no order keeps
  // them (pipelines cluster in the stage order; deals without a task go
  // last in both directions, so the owner's nearest-due order serves
  // ascending walks only).

  std::vector<std::uint32_t> got;  // ids: an ids_only page never reads a row
  got.reserve(want);
  std::optional<std::int64_t> total;
  auto count_total = [&] {
    Bitmap c = plan.candidates();
    if (plan.candidates_exact()) {
      total = static_cast<std::int64_t>(c.size());
    } else {
      std::int64_t t = 0;
      c.for_each([&](std::uint32_t id) { t += plan.match(*row(id)) ? 1 : 0; });
      total = t;
    }
  };
  // The first `want` of keyed, in the page's order, into got.
  auto take_top = [&](std::vector<std::pair<SortKey, const Row *>> &keyed) {
    auto less = [&](const auto &a, const auto &b) {
      int x = compare(a.first, b.first);
      return desc ? x > 0 : x < 0;
    };
    auto top = std::min(want, keyed.size());
    std::partial_sort(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(top), keyed.end(), less);
    for (std::size_t i = 0; i < top; ++i) got.push_back(keyed[i].first.id);
  };
  if (few) {
    // A few known deals (a small client's, a phone's): each tested, its row
    // read for its key, and ranked.
    std::vector<std::pair<SortKey, const Row *>> keyed;
    std::int64_t t = 0;
    // Their rows asked for at once: the loop's tests and ranking between
    // one row and the next kept those misses from overlapping.
    for (auto id : *few) prefetch_row(rows_.slot(id));
    for (auto id : *few) {
      if (!plan.accept(id, {})) continue;
      ++t;
      const Row &r = *row(id);
      SortKey k = key_of(r, o.sort, desc, *this);
      if (after_cursor(k)) keyed.emplace_back(k, &r);
    }
    take_top(keyed);
    if (o.with_total) total = t;
  } else if (staged) {
    std::vector<std::uint32_t> ids;
    for (const auto &part : stage_parts) {
      ids.clear();
      for (KeyOrder::Cursor c(*part.ids, part.from, false, part.to); c.get(); c.next())
        if (plan.accept(*c.get(), sw->skip, sw->rows)) ids.push_back(*c.get());
      std::sort(ids.begin(), ids.end());
      if (desc) std::reverse(ids.begin(), ids.end());
      for (auto id : ids) {
        if (!after_cursor(SortKey{part.key, {}, id})) continue;
        got.push_back(id);
        if (got.size() >= want) break;
      }
      if (got.size() >= want) break;
    }
    if (o.with_total) count_total();
  } else if (dim) {
    // One head per allowed value, merged in sort order (ids are unique
    // across the values: a deal has one owner, one stage...). A head stops
    // at the seek range's end by position, so a single head reads no key;
    // with several, each entry's key is read once, when its head gets to it.
    const ByKey k = by_key(o.sort);
    const bool rows = plan.rows_beyond(seek);  // each head keeps within seek
    struct Head {
      KeyOrder::Cursor c;
      KeyedId e;
    };
    std::vector<Head> heads;
    heads.reserve(dw->parts.size());
    const bool merge = dw->parts.size() > 1;
    auto load = [&](Head &h) {
      if (merge && h.c.get()) h.e = k.at(*h.c.get());
    };
    for (const auto *ids : dw->parts) {
      KeyOrder::Pos p, limit;
      if (!desc) {
        if (cursor && (!seek || cursor->key.num >= seek->lo))
          p = views::seek(*ids, k, {cursor->key.num, cursor->key.id}, true);
        else if (seek)
          p = views::seek(*ids, k, {seek->lo, 0}, false);
        else
          p = ids->begin();
        limit = seek ? seek_past(*ids, k, seek->top) : KeyOrder::Pos{SIZE_MAX, 0};
      } else {
        if (cursor && (!seek || cursor->key.num <= seek->top))
          p = views::seek(*ids, k, {cursor->key.num, cursor->key.id}, false);
        else if (seek)
          p = seek_past(*ids, k, seek->top);
        else
          p = ids->end();
        limit = seek ? views::seek(*ids, k, {seek->lo, 0}, false) : KeyOrder::Pos{};
      }
      Head &h = heads.emplace_back(Head{KeyOrder::Cursor(*ids, p, desc, limit), {}});
      load(h);
    }
    while (got.size() < want) {
      Head *best = nullptr;
      for (auto &h : heads) {
        if (!h.c.get()) continue;
        if (!best || (desc ? best->e < h.e : h.e < best->e)) best = &h;
      }
      if (!best) break;
      const std::uint32_t id = *best->c.get();
      best->c.next();
      load(*best);
      if (plan.accept(id, dw->skip, rows)) got.push_back(id);
    }
    if (o.with_total) {
      // The walked parts hold every match: when they are few ("owner X in
      // pipeline P", ~100 deals), testing each is cheaper than intersecting
      // the posting lists again (the pipeline's tens of thousands of ids).
      const bool by_parts = force ? force == 3 : dw->span * 30.0 < plan.driver_cost();
      if (by_parts) {
        std::int64_t t = 0;
        for (const auto *ids : dw->parts) {
          const auto from = seek ? views::seek(*ids, k, {seek->lo, 0}, false) : ids->begin();
          const auto to = seek ? seek_past(*ids, k, seek->top) : KeyOrder::Pos{SIZE_MAX, 0};
          for (KeyOrder::Cursor c(*ids, from, false, to); c.get(); c.next()) t += plan.accept(*c.get(), dw->skip, rows) ? 1 : 0;
        }
        total = t;
      } else {
        count_total();
      }
    }
  } else if (walk) {
    // The name order (ids by folded name and id), from the cursor's rank
    // bound: upwards from the first rank at or above it, or downwards from
    // below it.
    NameOrder::Pos from = desc ? names_.end() : names_.begin();
    if (cursor) {
      const std::int64_t bound = cursor->key.num;
      from = names_.partition_point([&](std::uint32_t id) { return name_rank_by_id_[id] < bound; });
    }
    // The posting lists test each step; the row (a random read: the order
    // is by name, the rows by id) only where a condition needs it.
    std::optional<FlatFilter> first;
    if (flat) first.emplace(*plan.first_driver(), name_rank_by_id_.size());
    const ListPlan::Known tested{first ? plan.first_driver() : nullptr};
    for (NameOrder::Cursor c(names_, from, desc); c.get(); c.next()) {
      const std::uint32_t id = *c.get();
      if (first && !first->contains(id)) continue;
      if (plan.accept(id, tested)) got.push_back(id);
      if (got.size() >= want) break;
    }
    if (o.with_total) count_total();
  } else {
    Bitmap c = plan.candidates();
    // The stage sort over exact candidates: each stage's candidates (their
    // intersection with its posting list, ids in order) in the stages'
    // order, until the page is full. No row is read; a stage costs an
    // intersection (~1 µs), where ranking reads each candidate's row
    // (~0.3 µs when cold).
    const bool by_stage = o.sort == SortField::stage && plan.candidates_exact() && !pf.stage_order.empty() &&
                          static_cast<double>(pf.stage_order.size()) * 1000.0 < 300.0 * static_cast<double>(c.size());
    if (by_stage) {
      std::uint64_t covered = 0;
      bool full = false;
      auto visit = [&](std::uint32_t stage, std::int64_t key) {
        if (cursor && (desc ? key > cursor->key.num : key < cursor->key.num)) return;  // wholly before the cursor
        auto in_stage = by_stage_.find(stage);
        if (in_stage == by_stage_.end()) return;
        const Bitmap x = c.intersection(in_stage->second);
        covered += x.size();
        auto ids = x.to_vector();
        if (desc) std::reverse(ids.begin(), ids.end());
        for (auto id : ids) {
          if (!after_cursor(SortKey{key, {}, id})) continue;
          got.push_back(id);
          if (got.size() >= want) {
            full = true;
            return;
          }
        }
      };
      if (desc) {
        for (auto s = pf.stage_order.rbegin(); s != pf.stage_order.rend() && !full; ++s) visit(s->first, s->second);
      } else {
        for (auto s = pf.stage_order.begin(); s != pf.stage_order.end() && !full; ++s) visit(s->first, s->second);
      }
      // Stages skipped for the cursor were not counted: only a full pass
      // from the start can be checked against the candidates.
      if (!full && !cursor && covered != c.size())
        throw Error(Errc::internal, "views: a matching deal's stage is not among the filter's stages");
      if (o.with_total) total = static_cast<std::int64_t>(c.size());
    } else {
      std::int64_t t = 0;
      std::vector<std::pair<SortKey, const Row *>> keyed;
      // When the posting lists decide alone and the sort key is a number kept
      // in a dense key table (the orders' keys, or the name rank), the rows
      // themselves are not touched until the page is chosen: candidates cost
      // a few nanoseconds instead of a cache miss each. (The stage sort's key
      // is not kept by deal: it comes from the row's stage.)
      if (plan.candidates_exact() && o.sort != SortField::stage) {
        const std::int64_t *keys = o.sort == SortField::name ? name_rank_by_id_.data() : by_key(o.sort).keys;
        // A deal without an open task has the largest nearest-due key, and
        // goes last in a descending sort too, as key_of says.
        const bool none_last = o.sort == SortField::next_task_due && desc;
        keyed.reserve(static_cast<std::size_t>(c.size()));
        c.for_each([&](std::uint32_t id) {
          const bool none = none_last && !with_tasks_bits_.contains(id);
          SortKey k{none ? std::numeric_limits<Millis>::min() : keys[id], {}, id};
          if (after_cursor(k)) keyed.emplace_back(k, nullptr);
        });
        t = static_cast<std::int64_t>(c.size());
      } else {
        c.for_each([&](std::uint32_t id) {
          if (!plan.precheck(id)) return;
          const Row &r = *row(id);
          if (!plan.match(r)) return;
          ++t;
          SortKey k = key_of(r, o.sort, desc, *this);
          if (after_cursor(k)) keyed.emplace_back(k, &r);
        });
      }
      take_top(keyed);
      if (o.with_total) total = t;
    }
  }

  bool more = got.size() > static_cast<std::size_t>(o.limit);
  if (more) got.resize(static_cast<std::size_t>(o.limit));
  page.ids.assign(got.begin(), got.end());
  if (!o.ids_only) page.items = page_items(got, pf.now, pf.today_end);
  if (more) {
    std::string folded;
    page.next_cursor =
        encode_cursor(o.sort, desc, cursor_key_of(*row(got.back()), o.sort, desc, *this, folded));
  }
  page.total = total;
  return page;
}

template <class IdVector>
std::vector<const Row *> DealViews::page_rows(const IdVector &ids) const {
  // A page's rows and strings are scattered over the heap: touching them
  // one deal at a time costs a cache miss after a cache miss. Asking for
  // them all first lets the misses overlap, in rounds, each reading only
  // what the round before asked for: the rows (whose slots follow from the
  // ids, with no read: checking each row's id there held the next requests
  // back behind its miss, ~8% of an owner's page of 50); every line of
  // each client (its size comes from the client table's offsets) and the
  // first line of each string block; the rest of the blocks, whose sizes
  // those first lines hold. (Asking for three lines of each block blind
  // was slower: the wasted requests compete with the useful ones. Keeping
  // each block's size in its row, to ask for all of it in the second
  // round, measured within the noise, and was not kept.)
  std::vector<const Row *> rows;
  rows.reserve(ids.size());
  for (auto id : ids) {
    const Row *r = rows_.slot(static_cast<std::uint32_t>(id));  // ids of the views' own pages
    prefetch_row(r);
    rows.push_back(r);
  }
  for (const Row *r : rows) {
    __builtin_prefetch(r->data.address());
    if (r->client) {
      __builtin_prefetch(clients_.address(r->client));
      prefetch_rest(clients_.address(r->client), clients_.bytes(r->client));
    }
  }
  for (const Row *r : rows)
    if (r->data.address()) prefetch_rest(r->data.address(), r->data.bytes());
  return rows;
}

std::vector<Deal> DealViews::page_items(const std::vector<std::uint32_t> &ids, Millis now, Millis today_end) const {
  std::vector<Deal> items;
  items.reserve(ids.size());
  for (const Row *r : page_rows(ids)) items.push_back(to_deal(*r, false, now, today_end));
  return items;
}

void DealViews::page_views(const std::vector<Id> &ids, Millis now, Millis today_end, DealViewPage &out) const {
  // Views into the views' own strings first, then their bytes copied into
  // one buffer of the page and the views moved onto it.
  const auto rows = page_rows(ids);
  out.items.clear();
  out.items.reserve(rows.size());
  // The external refs kept as UUIDs are written out here until the copy.
  thread_local std::vector<RefTexts> refs;
  if (refs.size() < rows.size()) refs.resize(rows.size());
  std::size_t bytes = 0, i = 0;
  for (const Row *r : rows) {
    const DealView &d = out.items.emplace_back(view_of(*r, now, today_end, refs[i++]));
    bytes += d.name.size() + d.currency.size() + d.client_ref.size() + d.client_name.size() + d.segment.size() +
             d.external_ref.size() + d.lost_reason.size() + 7;
  }
  out.text.reset(new char[std::max<std::size_t>(bytes, 1)]);  // not zeroed: every byte is written below
  char *at = out.text.get();
  auto put = [&at](std::string_view &s) {
    copy_short(at, s.data(), s.size());
    at[s.size()] = '\0';
    s = std::string_view(at, s.size());
    at += s.size() + 1;
  };
  for (DealView &d : out.items) {
    put(d.name);
    put(d.currency);
    put(d.client_ref);
    put(d.client_name);
    put(d.segment);
    put(d.external_ref);
    put(d.lost_reason);
  }
}

std::optional<DealPage> DealViews::stage_cards(std::uint32_t stage, int limit, Millis now, Millis today_end) const {
  const DimOrder *by_updated = order(Dim::stage, SortField::updated);
  if (!by_updated) return std::nullopt;
  DealPage page;
  const KeyOrder *ids = by_updated->find(stage);
  if (!ids) return page;
  // Newest first: the (stage, updated) order from its end, archived deals
  // skipped, one more than asked for to know whether a next page exists.
  std::vector<std::uint32_t> got;
  const auto want = static_cast<std::size_t>(limit) + 1;
  got.reserve(want);
  for (KeyOrder::Cursor c(*ids, ids->end(), true); c.get() && got.size() < want; c.next())
    if (!archived_bits_.contains(*c.get())) got.push_back(*c.get());
  const bool more = got.size() > static_cast<std::size_t>(limit);
  if (more) got.resize(static_cast<std::size_t>(limit));
  page.ids.assign(got.begin(), got.end());
  page.items = page_items(got, now, today_end);
  if (more) page.next_cursor = encode_cursor(SortField::updated, true, key_of(*row(got.back()), SortField::updated, true, *this));
  return page;
}

}  // namespace dealcore::views

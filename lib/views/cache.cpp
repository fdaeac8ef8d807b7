// The views as a byte stream, for the views cache (engine/views_cache.cpp
// owns the file, its stamp and when it is used). The stream holds what is
// slow to build from the tables: the rows already in name order, every
// sort order, every posting list (the name trigrams above all), the
// kanban sums, the dense id tables, the contact and task indexes. Only the
// interned values' hash maps are rebuilt on load.
//
// Every count and value read is checked against what is left of the stream
// and against the tables it indexes; a damaged stream throws
// CacheFormatError and the caller drops the half-built views.
#include <algorithm>
#include <atomic>
#include <exception>
#include <future>
#include <span>
#include <system_error>
#include <type_traits>
#include <utility>

#include "views/deal_views.hpp"

namespace dealcore::views {

namespace {

// A row's fixed fields, as they go to the stream.
struct RowFixed {
  std::uint32_t id, pipeline, stage, owner, dept, client, segment;
  std::int32_t open_tasks, pad;
  std::uint16_t currency;
  std::uint8_t kind, flags;  // flags: 1 archived, 2 department set explicitly
  std::int64_t amount, created, updated, closed, stage_changed, next_due;
};
static_assert(sizeof(RowFixed) == 88 && std::is_trivially_copyable_v<RowFixed>);

struct TaskFixed {
  std::uint32_t id, deal, assignee, type;
  std::int64_t creator, due, created, updated;
  std::uint32_t all_day, pad;
};
static_assert(sizeof(TaskFixed) == 56 && std::is_trivially_copyable_v<TaskFixed>);

using BitmapMap = std::unordered_map<std::uint32_t, Bitmap>;

void save_map(CacheWriter &w, const BitmapMap &m) {
  w.u64(m.size());
  for (const auto &[k, b] : m) {
    w.u32(k);
    b.save(w);
  }
}

void load_map(CacheReader &r, BitmapMap &m) {
  auto n = r.count(12);
  m.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto k = r.u32();
    cache_check(m.emplace(k, Bitmap::load(r)).second, "posting list key");
  }
}

// A bucket's entries: a vector's, or a contact's deals (SmallIdSet).
template <class E>
std::span<const E> entries_of(const std::vector<E> &b) {
  return b;
}
std::span<const std::uint32_t> entries_of(const SmallIdSet &b) { return b.view(); }

// fixed: the bucket count is part of the index's layout; else the count
// written is one past the last bucket used.
template <class Bucket>
void save_buckets(CacheWriter &w, const std::vector<Bucket> &b, bool fixed) {
  std::uint64_t used = 0, last = 0;
  for (std::size_t i = 0; i < b.size(); ++i)
    if (!b[i].empty()) ++used, last = i + 1;
  w.u64(fixed ? b.size() : last);
  w.u64(used);
  for (std::size_t i = 0; i < b.size(); ++i)
    if (!b[i].empty()) {
      w.u32(static_cast<std::uint32_t>(i));
      w.array(entries_of(b[i]));
    }
}

// Into buckets of the expected count, or (expected 0) of any count up to
// `most`: buckets keyed by an id, whose wild count must not be allocated
// (they grow by half again, so callers allow twice the ids, and 16). Those
// of unfixed count grow as the stream's buckets vouch for them, never to a
// size only the count claims.
template <class Bucket>
void load_buckets(CacheReader &r, std::vector<Bucket> &b, std::size_t expected, std::uint64_t most = 0) {
  using Entry = std::remove_const_t<typename decltype(entries_of(std::declval<const Bucket &>()))::element_type>;
  const auto size = r.u64();
  cache_check(expected == 0 ? size <= most : size == expected, "bucket count");
  const auto used = r.count(12);
  b.clear();
  b.resize(expected);
  for (std::size_t i = 0; i < used; ++i) {
    const auto at = r.u32();
    auto entries = r.array<Entry>();
    cache_check(at < size && (at >= b.size() || b[at].empty()) && !entries.empty() &&
                    std::is_sorted(entries.begin(), entries.end()),
                "bucket");
    if (at >= b.size()) b.resize(at + std::size_t{1});
    if constexpr (std::is_same_v<Bucket, std::vector<Entry>>)
      b[at] = std::move(entries);
    else
      b[at] = Bucket(entries);
  }
  if (expected == 0) {
    cache_check(size == b.size(), "bucket count");
    b.shrink_to_fit();
  }
}

void save_strings(CacheWriter &w, const std::vector<std::string> &v) {
  w.u64(v.size());
  for (const auto &s : v) w.str(s);
}

std::vector<std::string> load_strings(CacheReader &r) {
  std::vector<std::string> v(r.count(8));
  for (auto &s : v) s = r.str();
  return v;
}

void save_aggregate(CacheWriter &w, const Aggregate &a) {
  w.i64(a.count);
  w.u64(a.sums.size());
  for (const auto &x : a.sums) {
    w.u32(x.currency);
    w.i64(x.count);
    w.i64(x.sum);
  }
}

// Into a (not returned: GCC 12 warns, wrongly, on moving inline sums).
void load_aggregate(CacheReader &r, std::size_t currencies, Aggregate &a) {
  a.count = r.i64();
  a.sums.resize(r.count(20));
  for (auto &x : a.sums) {
    auto c = r.u32();
    cache_check(c < currencies && (&x == a.sums.data() || (&x)[-1].currency < c), "kanban sum");
    x.currency = static_cast<std::uint16_t>(c);
    x.count = r.i64();
    x.sum = r.i64();
  }
  cache_check(a.count > 0, "kanban count");
}

}  // namespace

void ContactIndex::save(CacheWriter &w) const {
  save_buckets(w, phones_, true);
  save_buckets(w, emails_, true);
  save_buckets(w, deals_, false);
}

void ContactIndex::load(CacheReader &r, std::uint32_t max_contact) {
  load_buckets(r, phones_, kPhoneBuckets);
  load_buckets(r, emails_, kEmailBuckets);
  load_buckets(r, deals_, 0, 2 * (std::uint64_t{max_contact} + 1) + 16);
  for (const auto *b : {&phones_, &emails_})
    for (const auto &bucket : *b)
      for (const auto &e : bucket) cache_check(e.contact <= max_contact, "contact id");
}

void TaskIndex::save(CacheWriter &w) const {
  w.u64(size());
  by_assignee_.for_each([&](std::uint32_t slot) {
    const OpenTask &t = slots_[slot];
    w.pod(TaskFixed{t.id, t.deal, t.assignee, t.type, t.creator, t.due, t.created, t.updated, t.all_day ? 1u : 0u, 0});
    w.str(t.text.view());
    return true;
  });
  due_deals_.save(w);
}

void TaskIndex::load(CacheReader &r, std::uint32_t max_task) {
  cache_check(slots_.empty(), "task index (not empty)");
  auto n = r.count(sizeof(TaskFixed) + 8);
  slots_.reserve(n);
  std::vector<std::uint32_t> order;
  order.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto f = r.pod<TaskFixed>();
    OpenTask o;
    o.id = f.id;
    o.deal = f.deal;
    o.assignee = f.assignee;
    o.type = f.type;
    o.creator = f.creator;
    o.due = f.due;
    o.created = f.created;
    o.updated = f.updated;
    o.all_day = f.all_day != 0;
    o.text = CompactString(r.str());
    cache_check(f.id != 0 && f.id <= max_task && f.id < UINT32_MAX && f.all_day <= 1 && !slot_of(f.id), "task");
    order.push_back(place(std::move(o)));
    // Saved in the index's order: each after the one before.
    cache_check(i == 0 || less()(order[i - 1], order[i]), "task order");
  }
  by_assignee_.assign(order);
  due_deals_ = OrderedIds::load(r);
  cache_check(due_deals_.size() == size(), "task due order");
}

// The stream's sections; each but the first loads on either of two
// threads, writing only its own members:
//   0  the orders' shapes and the interned values (first, on its own)
//   1  the rows in name order, and the dense id tables
//   2  the kanban sums and the sort orders
//   3  the posting lists, name trigrams included
//   4  the contact and task indexes
// (and, in memory only, the hash maps of the interned values).
void DealViews::save(CacheWriter &w) const {
  // Sections 2..4 are serialized on a second thread, into memory, while
  // this one writes sections 0 and 1 (the rows: about half the bytes) to
  // the file; then they follow in the file.
  CacheWriter rest;
  std::future<void> helper;
  try {
    helper = std::async(std::launch::async, [&] { save_orders_postings_indexes(rest); });
  } catch (const std::system_error &) {
    // No second thread: all on this one, in order.
  }
  try {
    save_interned_and_rows(w);
  } catch (...) {
    if (helper.valid()) helper.wait();
    throw;
  }
  if (helper.valid()) {
    helper.get();
    w.append(rest);
  } else {
    save_orders_postings_indexes(w);
  }
}

void DealViews::save_interned_and_rows(CacheWriter &w) const {
  w.section();
  w.u32(kDims);
  w.u64(orders_.size());
  for (const auto &o : orders_) {
    w.u32(static_cast<std::uint32_t>(o.dim));
    w.u32(static_cast<std::uint32_t>(o.sort));
  }
  w.u64(clients_.size());
  for (std::uint32_t c = 0; c < clients_.size(); ++c) {
    char ref[kUuidChars];
    w.str(clients_.ref(c, ref));
    w.str(clients_.name(c));
  }
  save_strings(w, segments_);
  save_strings(w, currencies_);

  w.section();
  w.u64(updated_by_id_.size());
  w.u64(rows_.size());
  rows_.for_each([&](const Row &r) {
    w.pod(RowFixed{r.id, r.pipeline, r.stage, r.owner, r.dept, r.client, r.segment, r.open_tasks, 0,
                   r.currency, r.kind,
                   static_cast<std::uint8_t>((r.archived ? 1 : 0) | (r.dept_explicit ? 2 : 0)), r.amount,
                   r.created, r.updated, r.closed, r.stage_changed, r.next_due});
    w.array(r.data.words());
  });
  for (const auto *v : {&updated_by_id_, &created_by_id_, &amount_by_id_, &next_due_by_id_}) w.array(*v);
  w.array(name_rank_by_id_);
  std::vector<std::uint32_t> names;
  names.reserve(names_.size());
  names_.for_each([&](std::uint32_t id) { return names.push_back(id), true; });
  w.array(names);
}

void DealViews::save_orders_postings_indexes(CacheWriter &w) const {
  w.section();
  for (const auto *m : {&board_owner_, &board_dept_}) {
    w.u64(m->size());
    for (const auto &[key, cells] : *m) {
      w.u64(key);
      w.u64(cells.size());
      for (const auto &c : cells) {
        w.u32(c.stage);
        w.u32(c.dept);
        save_aggregate(w, c.agg);
      }
    }
  }
  w.u64(stage_total_.size());
  for (const auto &[stage, agg] : stage_total_) {
    w.u32(stage);
    save_aggregate(w, agg);
  }
  for (const auto &o : orders_) {
    w.u64(o.by_value.size());
    for (const auto &[v, ids] : o.by_value) {
      w.u64(v);
      ids.save(w);
    }
  }

  w.section();
  all_.save(w);
  archived_.save(w);
  for (const auto &b : by_kind_) b.save(w);
  with_tasks_.save(w);
  for (const auto *m : {&by_pipeline_, &by_stage_, &by_owner_, &by_dept_, &by_tag_, &by_segment_, &by_currency_,
                        &by_trigram_})
    save_map(w, *m);
  save_buckets(w, by_client_.small_sets(), false);
  save_map(w, by_client_.big_sets());

  w.section();
  contacts_.save(w);
  tasks_.save(w);
}

void DealViews::load(CacheSections &sections) {
  cache_check(rows_.empty() && !bulk_, "views (not empty)");
  constexpr std::size_t kSections = 5;
  cache_check(sections.count() == kSections, "section count");
  {
    CacheReader head = sections.open(0);
    load_interned(head);
    cache_check(head.left() == 0, "interned values");
  }
  sections.done(0);
  // Sections 1..4 and the interned values' maps, on two threads.
  constexpr std::size_t kTasks = kSections;
  std::exception_ptr failed[kTasks];
  auto run = [&](std::size_t i) {
    try {
      if (i == 0) {
        index_interned();
        return;
      }
      CacheReader r = sections.open(i);
      switch (i) {
        case 1: load_rows(r); break;
        case 2: load_sums_and_orders(r); break;
        case 3: load_postings(r); break;
        case 4:
          contacts_.load(r, id_limits_.contact);
          tasks_.load(r, id_limits_.task);
          break;
      }
      cache_check(r.left() == 0, "section (trailing bytes)");
      sections.done(i);
    } catch (...) {
      failed[i] = std::current_exception();
    }
  };
  // The rows first (the longest), the maps last (the shortest).
  constexpr std::size_t kOrder[kTasks] = {1, 2, 3, 4, 0};
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i; (i = next++) < kTasks;) run(kOrder[i]);
  };
  std::future<void> helper;
  try {
    helper = std::async(std::launch::async, worker);
  } catch (const std::system_error &) {
    // No second thread: this one does every part.
  }
  worker();
  if (helper.valid()) helper.get();
  for (auto &e : failed)
    if (e) std::rethrow_exception(e);
  std::size_t total = 0;
  for (const auto &o : orders_)
    for (const auto &[v, ids] : o.by_value) total += ids.size();
  cache_check(total == rows_.size() * orders_.size() && all_.size() == rows_.size(), "views (sizes)");
  // Both read only, beside each other (check_orders takes two threads).
  DenseBits present;
  present.assign(all_);
  std::future<void> ids;
  try {
    ids = std::async(std::launch::async, [&] { check_loaded_ids(present); });
  } catch (const std::system_error &) {
  }
  check_orders(present);  // if it throws, ids' destructor waits for the other
  if (ids.valid())
    ids.get();
  else
    check_loaded_ids(present);
}

// Every deal id the posting lists, the clients' and contacts' deals and the
// open tasks name has a row (all_ holds exactly the rows' ids). ~40 million
// ids at 1M deals, most of them in the name trigrams' lists: a subset test
// of whole containers, not a probe per id; the ids listed one by one are
// tested in a bit a deal. ~80 ms of CPU at 1M.
void DealViews::check_loaded_ids(const DenseBits &present) const {
  all_.for_each([&](std::uint32_t id) { cache_check(rows_.find(id) != nullptr, "deal set"); });
  auto within = [&](const Bitmap &b) { cache_check(b.is_subset_of(all_), "posting list (deal id)"); };
  for (const auto *b : {&archived_, &by_kind_[0], &by_kind_[1], &by_kind_[2], &with_tasks_}) within(*b);
  for (const auto *m : {&by_pipeline_, &by_stage_, &by_owner_, &by_dept_, &by_tag_, &by_segment_, &by_currency_,
                        &by_trigram_})
    for (const auto &[k, b] : *m) within(b);
  for (const auto &[c, b] : by_client_.big_sets()) within(b);
  auto known = [&](std::uint32_t id) { cache_check(present.contains(id), "deal id"); };
  for (const auto &s : by_client_.small_sets())
    for (auto id : s.view()) known(id);
  contacts_.for_each_linked_deal(known);
  tasks_.for_each([&](const OpenTask &t) { known(t.deal); });
}

// Every entry of an order is a deal of all_ (so a row: check_loaded_ids),
// and each order is sorted by its keys. (An id the key tables merely hold,
// without a row, passed until a fuzz test forged one: a list then asked
// for a row that is not there.) The keys are read at random (14 million of
// them at 1M deals), so each is asked for a few entries ahead, and a second
// thread takes every other order.
void DealViews::check_orders(const DenseBits &present) const {
  std::future<void> helper;
  try {
    helper = std::async(std::launch::async, [&] { check_orders(present, 1); });
  } catch (const std::system_error &) {
    check_orders(present, 1);  // no second thread: this one does both halves
  }
  std::exception_ptr failed;
  try {
    check_orders(present, 0);
  } catch (...) {
    failed = std::current_exception();
  }
  if (helper.valid()) helper.get();
  if (failed) std::rethrow_exception(failed);
}

void DealViews::check_orders(const DenseBits &present, std::size_t half) const {
  const std::size_t ids = updated_by_id_.size();
  constexpr std::size_t kAhead = 16;
  for (std::size_t i = half; i < orders_.size(); i += 2) {
    const auto &o = orders_[i];
    const ByKey k = by_key(o.sort);
    for (const auto &[v, order] : o.by_value) {
      std::uint32_t prev = 0;
      order.for_each_block([&](const std::uint32_t *e, std::size_t n) {
        for (std::size_t j = 0; j < n; ++j) {
          if (j + kAhead < n && e[j + kAhead] < ids) __builtin_prefetch(k.keys + e[j + kAhead]);
          const std::uint32_t id = e[j];
          cache_check(id < ids && present.contains(id), "sort order (id)");
          cache_check(prev == 0 || k(prev, id), "sort order");
          prev = id;
        }
      });
    }
  }
}

void DealViews::load_interned(CacheReader &r) {
  cache_check(r.u32() == static_cast<std::uint32_t>(kDims), "dimension count");
  cache_check(r.u64() == orders_.size(), "order count");
  for (const auto &o : orders_) {
    auto dim = r.u32(), sort = r.u32();
    cache_check(dim == static_cast<std::uint32_t>(o.dim) && sort == static_cast<std::uint32_t>(o.sort), "order");
  }
  // Index 0 of clients and segments is "none".
  // Index 0 is implied; the rest must be distinct, as intern() made them.
  auto n_clients = r.count(16);
  cache_check(n_clients >= 1, "client table");
  cache_check(r.str().empty() && r.str().empty(), "client table");
  clients_.clear();
  for (std::size_t i = 1; i < n_clients; ++i) {
    auto ref = r.str();
    auto name = r.str();
    cache_check(clients_.add_unique(ref, name), "client");
  }
  clients_.shrink();
  segments_ = load_strings(r);
  cache_check(!segments_.empty() && segments_[0].empty(), "segment table");
  currencies_ = load_strings(r);
  cache_check(currencies_.size() <= UINT16_MAX, "currency table");
}

// The interned values' hash maps, from their tables.
void DealViews::index_interned() {
  for (std::size_t i = 1; i < segments_.size(); ++i)
    cache_check(segment_ids_.emplace(segments_[i], static_cast<std::uint32_t>(i)).second, "segment");
  for (std::size_t i = 0; i < currencies_.size(); ++i)
    cache_check(currency_ids_.emplace(currencies_[i], static_cast<std::uint16_t>(i)).second, "currency");
}

// The rows by id, the dense tables, then the name order as bare ids.
void DealViews::load_rows(CacheReader &r) {
  auto ids = r.u64();
  cache_check(ids <= std::uint64_t{UINT32_MAX} + 1, "id table size");
  const auto n = r.count(sizeof(RowFixed) + 8);
  for (std::size_t i = 0; i < n; ++i) {
    auto f = r.pod<RowFixed>();
    const auto words = r.count(4);
    auto data = RowData::from_words(r.take(words * 4), words);
    cache_check(data.has_value(), "row block");
    cache_check(f.id != 0 && f.id < ids && !rows_.find(f.id), "row id");
    cache_check(f.client < clients_.size() && f.segment < segments_.size() && f.currency < currencies_.size() &&
                    f.kind <= 2 && f.flags <= 3 && stage_known(f.stage),
                "row");
    Row row;
    row.id = f.id;
    row.pipeline = f.pipeline;
    row.stage = f.stage;
    row.owner = f.owner;
    row.dept = f.dept;
    row.client = f.client;
    row.segment = f.segment;
    row.open_tasks = f.open_tasks;
    row.currency = f.currency;
    row.kind = f.kind;
    row.archived = f.flags & 1;
    row.dept_explicit = f.flags & 2;
    row.amount = f.amount;
    row.created = f.created;
    row.updated = f.updated;
    row.closed = f.closed;
    row.stage_changed = f.stage_changed;
    row.next_due = f.next_due;
    row.data = std::move(*data);
    rows_.place(std::move(row));
  }
  updated_by_id_ = r.array<std::int64_t>();
  created_by_id_ = r.array<std::int64_t>();
  amount_by_id_ = r.array<std::int64_t>();
  next_due_by_id_ = r.array<std::int64_t>();
  name_rank_by_id_ = r.array<std::int64_t>();
  for (const auto *v : {&updated_by_id_, &created_by_id_, &amount_by_id_, &next_due_by_id_})
    cache_check(v->size() == ids, "id table");
  cache_check(name_rank_by_id_.size() == ids, "id table");
  // Every row once, in the order of their name ranks. That the ranks
  // follow the names is the checksum's to vouch for: checking it would fold
  // a million names (~2 s), and a wrong order could misplace deals in a
  // name sort (which verify() reports) but not crash anything.
  auto names = r.array<std::uint32_t>();
  cache_check(names.size() == rows_.size(), "name order (size)");
  std::vector<bool> seen(ids);
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto id = names[i];
    cache_check(row(id) != nullptr && !seen[id], "name order (id)");
    seen[id] = true;
    cache_check(i == 0 || name_rank_by_id_[names[i - 1]] < name_rank_by_id_[id], "name order");
  }
  names_.assign(names);
}

void DealViews::load_sums_and_orders(CacheReader &r) {
  // Stored, not added up again from the rows: that would cost a hash probe
  // into a table of stage x owner cells a row.
  const auto cur = currencies_.size();
  for (auto *m : {&board_owner_, &board_dept_}) {
    auto keys = r.count(16);
    m->reserve(keys);
    for (std::size_t i = 0; i < keys; ++i) {
      auto key = r.u64();
      auto &v = (*m)[key];
      cache_check(v.empty(), "kanban cell key");
      v.resize(r.count(24));
      cache_check(!v.empty(), "kanban cells");
      for (auto &c : v) {
        c.stage = r.u32();
        c.dept = r.u32();
        cache_check(stage_known(c.stage), "kanban cell stage");
        cache_check(&c == v.data() || std::pair{(&c)[-1].stage, (&c)[-1].dept} < std::pair{c.stage, c.dept},
                    "kanban cell order");
        cache_check(m == &board_owner_ || c.dept == (key & 0xFFFFFFFFu), "kanban department cell");
        load_aggregate(r, cur, c.agg);
      }
    }
  }
  auto stages = r.count(20);
  stage_total_.reserve(stages);
  for (std::size_t i = 0; i < stages; ++i) {
    auto stage = r.u32();
    cache_check(stage_known(stage), "kanban stage");
    auto [t, added] = stage_total_.try_emplace(stage);
    cache_check(added, "kanban stage");
    load_aggregate(r, cur, t->second);
  }
  for (auto &o : orders_) {
    auto values = r.count(16);
    o.by_value.reserve(values);
    for (std::size_t i = 0; i < values; ++i) {
      auto v = r.u64();
      // Checked in check_orders(), once the key tables are in.
      auto [it, fresh] = o.by_value.emplace(v, KeyOrder::load_unchecked(r));
      cache_check(fresh && !it->second.empty(), "order value");
    }
  }
}

void DealViews::load_postings(CacheReader &r) {
  all_ = Bitmap::load(r);
  archived_ = Bitmap::load(r);
  for (auto &b : by_kind_) b = Bitmap::load(r);
  with_tasks_ = Bitmap::load(r);
  archived_bits_.assign(archived_);
  with_tasks_bits_.assign(with_tasks_);
  for (auto *m : {&by_pipeline_, &by_stage_, &by_owner_, &by_dept_, &by_tag_, &by_segment_, &by_currency_,
                  &by_trigram_})
    load_map(r, *m);
  // A client's deals are kept one way: a small set of up to big_at, or a
  // bitmap.
  auto &small = by_client_.small_sets();
  auto &big = by_client_.big_sets();
  load_buckets(r, small, 0, 2 * std::uint64_t{clients_.size()} + 16);
  load_map(r, big);
  for (const auto &[c, b] : big) cache_check(c >= small.size() || small[c].empty(), "client deals");
}

}  // namespace dealcore::views

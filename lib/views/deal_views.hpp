// views/deal_views.hpp — the in-memory views over deals (no I/O).
//
// Three structures, all derived from the tables and rebuildable:
//  * rows in a table by deal id (RowTable), the deals in name order with
//    a dense name rank each (NameOrder); all deals, and the deals of each
//    value of the board dimensions, in the order of a numeric sort key
//    (DimOrder: all deals by updated, created and amount;
//    pipeline/stage/owner/department and (pipeline, owner) by updated;
//    stage/owner/currency by amount; owner by nearest open task; stage kind
//    by created; pipeline by name rank). Every key ends in the id, so order
//    is total and keyset pages are stable;
//  * posting lists (roaring bitmaps of deal ids) per pipeline, stage, stage
//    kind, owner, department, tag, segment, currency, name trigram and for
//    archived deals; each client's deals (ClientDeals: small sorted sets);
//  * kanban aggregates (count and per-currency sums) per (stage, owner,
//    department), kept on every change, so a board costs O(stages).
// A list question picks its access path by estimated cost: walk a filtered
// dimension's order, intersect the posting lists smallest first and take
// the top of the hits, walk the ordered index of the requested sort and
// stop after a page, or (the stage sort) walk each stage's part of a
// (stage, key) order; a small client's or a phone's few deals are simply
// tested and ranked.
//
// Thread safety: none inside; the engine guards a DealViews with a
// shared_mutex (many readers or one writer).
#pragma once

#include <boost/container/small_vector.hpp>
#include <cassert>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dealcore/query.hpp"
#include "model/text.hpp"
#include "store/store.hpp"
#include "views/bitmap.hpp"
#include "views/client_deals.hpp"
#include "views/client_table.hpp"
#include "views/compact.hpp"
#include "views/contact_index.hpp"
#include "views/ordered_ids.hpp"
#include "views/task_index.hpp"

namespace dealcore::views {

// One deal, as small as we can keep it. Ids are 32-bit here: dealcore
// refuses to create the 4,294,967,296th deal, user, stage, tag or contact.
// 96 bytes at a multiple of 32: every row lies in exactly two cache lines,
// the least a page's item can read (at 104 bytes, half of them took three).
struct alignas(32) Row {
  std::uint32_t id = 0;
  std::uint32_t pipeline = 0, stage = 0, owner = 0, dept = 0;
  std::uint32_t client = 0, segment = 0;  // interned; 0: none
  std::int32_t open_tasks = 0;
  std::uint16_t currency = 0;  // interned
  std::uint8_t kind = 0;
  bool archived = false;
  bool dept_explicit = false;
  std::int64_t amount = 0;
  Millis created = 0, updated = 0, closed = 0, stage_changed = 0, next_due = 0;
  RowData data;  // tags, contacts and the strings, in one block

  std::string_view name() const { return data.str(RowData::name); }
  // Its text in the block, or written into buf (a UUID kept as 16 bytes).
  std::string_view external_ref(char (&buf)[kUuidChars]) const { return data.external_ref_text(buf); }
  std::string_view lost_reason() const { return data.str(RowData::lost_reason); }
  std::span<const std::uint32_t> tags() const { return data.tags(); }
  std::span<const std::uint32_t> contacts() const { return data.contacts(); }
};

// The folded name (model::fold_key), which the views do not keep: folded
// into buf, whose view it returns. ~70 ns for a Cyrillic name.
inline std::string_view folded_name(const Row &r, std::string &buf) { return model::fold_key(r.name(), buf); }

static_assert(sizeof(Row) == 96);

// The rows by deal id, in pages of 4,096 allocated as ids reach them: a
// row costs its own bytes (no tree links, no allocation header, no pointer
// in a separate id table), and a row never moves once placed. Deals are
// never removed from the views (archiving is a field), so a slot is either
// empty (id 0) or holds the deal of its id for good.
class RowTable {
 public:
  static constexpr unsigned kPageBits = 12;
  static constexpr std::uint32_t kPage = 1u << kPageBits;

  const Row *find(std::uint32_t id) const {
    const auto p = id >> kPageBits;
    if (p >= pages_.size() || !pages_[p]) return nullptr;
    const Row &r = pages_[p][id & (kPage - 1)];
    return r.id == id && id != 0 ? &r : nullptr;
  }
  Row *find(std::uint32_t id) { return const_cast<Row *>(std::as_const(*this).find(id)); }
  // The slot of a deal the views hold (id from their own orders or
  // posting lists), found without reading it: a page can then ask for its
  // rows' cache lines before the first of them arrives. nullptr past the
  // allocated pages.
  const Row *slot(std::uint32_t id) const {
    assert(find(id));
    const auto p = id >> kPageBits;
    return p < pages_.size() && pages_[p] ? &pages_[p][id & (kPage - 1)] : nullptr;
  }
  // Moves r into its empty slot.
  Row &place(Row &&r) {
    const auto p = r.id >> kPageBits;
    if (r.id == 0 || find(r.id)) throw std::logic_error("views: duplicate deal row");
    if (p >= pages_.size()) pages_.resize(p + 1);
    if (!pages_[p]) pages_[p] = std::make_unique<Row[]>(kPage);
    Row &slot = pages_[p][r.id & (kPage - 1)];
    slot = std::move(r);
    ++size_;
    return slot;
  }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Calls fn(row) for every row, by id.
  template <class Fn>
  void for_each(Fn &&fn) const {
    for (const auto &page : pages_)
      if (page)
        for (std::uint32_t i = 0; i < kPage; ++i)
          if (page[i].id != 0) fn(page[i]);
  }

 private:
  std::vector<std::unique_ptr<Row[]>> pages_;
  std::size_t size_ = 0;
};

// A dimension a list filters on by equality and a DimOrder can split by;
// `all` has one value (0) that every deal has; a currency is its interned
// number; `pipeline_owner` is the pair (pipeline << 32 | owner), for the
// list a manager lives in: their deals in one funnel.
enum class Dim : std::uint8_t { pipeline, stage, owner, dept, kind, all, currency, pipeline_owner };
inline constexpr int kDims = 8;

inline std::uint64_t pipeline_owner_value(std::uint32_t pipeline, std::uint32_t owner) {
  return std::uint64_t{pipeline} << 32 | owner;
}

inline std::uint64_t dim_value(const Row &r, Dim d) {
  switch (d) {
    case Dim::pipeline: return r.pipeline;
    case Dim::stage: return r.stage;
    case Dim::owner: return r.owner;
    case Dim::dept: return r.dept;
    case Dim::kind: return r.kind;
    case Dim::all: return 0;
    case Dim::currency: return r.currency;
    case Dim::pipeline_owner: return pipeline_owner_value(r.pipeline, r.owner);
  }
  return 0;
}

// The first 8 bytes of a folded name, big-endian, padded with zeros: if
// two prefixes differ, the names compare the same way bytewise.
inline std::uint64_t name_prefix(std::string_view s) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | (i < s.size() ? static_cast<unsigned char>(s[i]) : 0u);
  return v;
}

// The numeric sort keys (updated, created, amount, and the nearest open
// task's due time for an ascending walk); 0 for the others.
inline std::int64_t numeric_key(const Row &r, SortField f) {
  switch (f) {
    case SortField::updated: return r.updated;
    case SortField::created: return r.created;
    case SortField::amount: return r.amount;
    // Ascending only: deals without an open task go last.
    case SortField::next_task_due: return r.open_tasks > 0 ? r.next_due : std::numeric_limits<std::int64_t>::max();
    default: return 0;
  }
}

// The deals of each value of a dimension, in the order of a numeric sort
// key: what SQLite's composite index (owner_id, updated_at) is to a table.
// "Owner 7's newest 50" reads 51 entries; "pipeline 3, updated this week"
// reads that week's entries of pipeline 3 only. The entries are ids; the
// keys are the dense table's of the sort (DealViews::by_key).
struct DimOrder {
  Dim dim;
  SortField sort;
  std::unordered_map<std::uint64_t, KeyOrder> by_value;
  const KeyOrder *find(std::uint64_t v) const {
    auto it = by_value.find(v);
    return it == by_value.end() ? nullptr : &it->second;
  }
};

// A deal's task state at now (none when now is 0: not asked for).
inline TaskState task_state_of(const Row &r, Millis now, Millis today_end) {
  if (!now) return TaskState::none;
  return r.open_tasks == 0          ? TaskState::none
         : r.next_due < now         ? TaskState::overdue
         : r.next_due < today_end   ? TaskState::today
                                    : TaskState::planned;
}

// The trigrams of a folded name: every run of three code points, each
// hashed to 24 bits, sorted and unique. A name containing a text contains
// every trigram of the text, so the intersection of the text's trigram
// postings holds every match (and a few others, which the row check drops).
std::vector<std::uint32_t> trigrams_of(std::string_view folded);

// Count and sums per currency of a set of deals.
struct Aggregate {
  struct Sum {
    std::uint16_t currency;
    std::int64_t count;
    std::int64_t sum;
    friend bool operator==(const Sum &, const Sum &) = default;
  };
  std::int64_t count = 0;
  // By currency; a currency leaves with its last deal. Three inline: a
  // board cell reads its sums without another cache miss.
  boost::container::small_vector<Sum, 3> sums;
  void add(std::uint16_t currency, std::int64_t amount, int sign);
  void merge(const Aggregate &o);
  bool empty() const { return count == 0; }
  friend bool operator==(const Aggregate &, const Aggregate &) = default;
};

// A board's sums, one per stage.
using BoardSums = boost::container::small_vector<Aggregate, 16>;

// A list filter with its text parts already normalized, and what depends on
// the clock and the caller's time zone worked out, by the engine.
struct PreparedFilter {
  const DealFilter *filter = nullptr;
  std::string text_key;                    // folded name fragment
  std::optional<std::vector<std::uint32_t>> contact_deals;  // deals matched by phone / e-mail, sorted
  std::optional<Bitmap> task_due_deals;    // deals with an open task due in the range
  Millis now = 0;
  Millis today_end = 0;                    // the next local midnight, for Deal::task_state
  std::unordered_map<std::uint32_t, Millis> rotting_ms;  // stage -> rotting period
  std::function<ActivityLevel(std::uint32_t deal)> activity_of;  // with DealFilter::activity
  // Whether every stage of the filter is known to lie in one of its
  // pipelines (and to be of one of its kinds): the stages' posting lists
  // then imply those conditions, which need no test of their own. Set by
  // the engine, which knows the catalog; false when in doubt.
  bool stages_imply_pipelines = false;
  bool stages_imply_kinds = false;
  // For the stage sort: the stages a match can be in (of the filter's
  // pipelines, or all), with their sort keys (DealViews::stage_sort_key),
  // ascending.
  std::vector<std::pair<std::uint32_t, std::int64_t>> stage_order;
};

// Test hook: 0 lets the planner choose; 1 forces the ordered-index walk
// (where the sort allows it; a name walk with its smallest posting list
// made a flat bitset); 2 forces the posting-list intersection; 3 the walk
// of a dimension's order (where the filter and sort allow it); 4 is 1 with
// no flat bitset. 1, 3 and 4 also force the stage sort's walk stage by
// stage (of at most 64 stages).
extern int g_force_access_path;
// A list whose client filter names only small clients, with at most this
// many deals between them, or whose phone or e-mail is on at most this many
// deals, tests and ranks those deals alone (no posting list copied or
// intersected). A tunable for tests, like ClientDeals::big_at.
extern std::size_t g_tiny_list_max;

class DealViews {
 public:
  DealViews();
  DealViews(const DealViews &) = delete;
  DealViews &operator=(const DealViews &) = delete;

  // The catalog facts the stage sort needs: each stage's position in its
  // pipeline.
  void set_stage_positions(const std::unordered_map<Id, int> &positions);
  // The stage sort key: pipeline, then the stage's position on the board.
  std::int64_t stage_sort_key(const Row &r) const {
    const std::int32_t pos = r.stage < stage_pos_.size() ? stage_pos_[r.stage] : 0;
    return (static_cast<std::int64_t>(r.pipeline) << 32) | static_cast<std::uint32_t>(pos);
  }
  std::int64_t name_rank(std::uint32_t id) const { return name_rank_by_id_[id]; }

  // Inserts or replaces a deal (with its tags and contacts).
  void put(const store::DealRecord &d);
  // A bulk build: between begin_bulk() and end_bulk(), put() of a new deal
  // only stages its row (new deals must come in increasing id order, as a
  // scan of the table gives them); end_bulk() then builds the posting
  // lists, the orders and the aggregates in passes over the rows, the
  // trigram postings and the name sort on a second thread, and last the
  // name index. A put() of a deal the views already hold is applied at
  // once, as outside a bulk build.
  // max_id, when known, sizes the tables by id and the staging once.
  void begin_bulk(Id max_id = 0);
  void end_bulk();

  bool has(Id id) const;
  std::optional<Deal> get(Id id, bool with_lists = true) const;
  std::int64_t count(ArchivedMode mode) const;

  DealPage list(const PreparedFilter &f, const ListOptions &o) const;
  // Columns of the board for the pipeline's stages, in the given order.
  // now and today_end as in PreparedFilter, for the cards' task state.
  std::vector<StageColumn> board(const Pipeline &p, const BoardFilter &f, Millis now, Millis today_end) const;
  // Its counts and sums only (no cards).
  BoardTotals board_totals(const Pipeline &p, const BoardFilter &f) const;

  // The order of a dimension's deals by a numeric sort key; nullptr when
  // the views keep none.
  const DimOrder *order(Dim d, SortField f) const;
  // The order of all deals by a numeric sort key (always kept).
  const DimOrder &all_order(SortField f) const;

  TaskIndex &tasks() { return tasks_; }
  const TaskIndex &tasks() const { return tasks_; }
  const Row *find(Id id) const { return has(id) ? row(static_cast<std::uint32_t>(id)) : nullptr; }
  ContactIndex &contacts() { return contacts_; }
  const ContactIndex &contacts() const { return contacts_; }

  // The views cache (views/cache.cpp; the engine owns the file): the rows
  // in name order, the orders, the posting lists, the contact and task
  // indexes, the kanban sums, the dense id tables, in checksummed sections
  // that save() writes and load() reads on two threads. load() fills views
  // that hold nothing yet, after set_stage_positions() and set_id_limits().
  // It throws CacheFormatError for a damaged stream; the views are then to
  // be dropped. Besides the checksums, load() checks that every id it reads
  // is one the views hold (a row for each deal id in a posting list, a
  // client's or contact's deals, an open task), that rows and kanban sums
  // are in stages the catalog lists, and that contact and task ids stay
  // within the tables' largest: a stream that is well formed but
  // wrong must not crash a read or make a loader allocate by a wild id.
  void save(CacheWriter &w) const;
  void load(CacheSections &sections);
  struct IdLimits {
    std::uint32_t contact = UINT32_MAX - 1, task = UINT32_MAX - 1;  // the largest ids in the tables
  };
  void set_id_limits(IdLimits l) { id_limits_ = l; }

  // How many times name ranks were spread out again, and how many ranks
  // that rewrote in all (for tests).
  std::uint64_t name_relabels() const { return name_relabels_; }
  std::uint64_t name_ranks_rewritten() const { return name_ranks_rewritten_; }

  // Differences between two views of the same data, in words; empty: equal.
  std::vector<std::string> diff(const DealViews &other) const;

 private:
  friend class ListPlan;
  const Row *row(std::uint32_t id) const { return rows_.find(id); }
  // The dense per-id tables to n entries.
  void grow_id_tables(std::size_t n);
  std::uint32_t intern_segment(const std::string &s);
  std::uint16_t intern_currency(const std::string &c);
  // Posting lists, orders and aggregates; the name's trigram postings only
  // when with_trigrams (a replaced row with the same name keeps them), its
  // client's deals only when with_client (the same for the same client).
  void index(const Row &r, int sign, bool with_trigrams = true, bool with_client = true);
  // A deal's fields, the strings viewing the views' own storage (valid
  // under the lock) or, for the refs kept as a UUID's 16 bytes, texts;
  // to_deal() copies them, page_views() moves them into the page's buffer.
  struct RefTexts {
    char deal[kUuidChars];
    char client[kUuidChars];
  };
  DealView view_of(const Row &r, Millis now, Millis today_end, RefTexts &texts) const;
  Deal to_deal(const Row &r, bool with_lists, Millis now = 0, Millis today_end = 0) const;
  // The deals of a page, their rows fetched together (list.cpp).
  std::vector<Deal> page_items(const std::vector<std::uint32_t> &ids, Millis now, Millis today_end) const;
  // The rows of a page's ids (uint32_t or Id), prefetched (list.cpp).
  template <class IdVector>
  std::vector<const Row *> page_rows(const IdVector &ids) const;

 public:
  // The deals of a page as views into one buffer of out (list.cpp).
  void page_views(const std::vector<Id> &ids, Millis now, Millis today_end, DealViewPage &out) const;

 private:
  // The first page of a stage's non-archived deals, newest first, as list()
  // gives it for a filter on that stage alone; nullopt when the views keep
  // no (stage, updated) order (list.cpp).
  std::optional<DealPage> stage_cards(std::uint32_t stage, int limit, Millis now, Millis today_end) const;
  void aggregate(const Row &r, int sign);
  // Parts of end_bulk(): all but the last read the staged rows and write
  // only their own members (or return); bulk_rows() then moves the rows in
  // and ranks the names, and bulk_orders(true) builds the orders by name.
  void bulk_postings();
  void bulk_trigrams();
  void bulk_orders(bool names);
  std::vector<std::uint32_t> bulk_name_order() const;
  void bulk_rows(const std::vector<std::uint32_t> &order);
  // Parts of save() (views/cache.cpp), run side by side: sections 0 and 1,
  // and sections 2 to 4.
  void save_interned_and_rows(CacheWriter &w) const;
  void save_orders_postings_indexes(CacheWriter &w) const;
  // Parts of load() (views/cache.cpp): the interned values first, then the
  // others, two at a time.
  void load_interned(CacheReader &r);
  void index_interned();
  void load_rows(CacheReader &r);
  void load_sums_and_orders(CacheReader &r);
  void load_postings(CacheReader &r);
  // The count and sums of each of the pipeline's stages under the filter,
  // into out, by the stages' order (all empty when no deal has any of the
  // filter's tags).
  void board_sums(const Pipeline &p, const BoardFilter &f, BoardSums &out) const;
  // a's sums appended to out as Money, sorted by currency code.
  void append_sums(const Aggregate &a, std::vector<Money> &out) const;

  RowTable rows_;
  // Deal ids by (folded name, id), and each deal's rank in that order: a
  // number that orders deals as their (folded name, id) do, so that the
  // name sort ranks candidates by a dense 8-byte key as the numeric sorts
  // do, and never folds a name to compare two deals. Ranks are spread over
  // the int64 range; a new or renamed deal takes the middle of its
  // neighbours' ranks, found by folding ~20 names on the way down the
  // order; when two neighbours have no number left between them (~40
  // inserts into one gap, which is what "Deal 1001", "Deal 1002"... do),
  // the ranks around them are spread out again, over twice as many deals
  // each time until there is room (relabel_around()). Ranks depend on
  // history; the order does not, and is what verify() compares.
  struct NameLess {
    const DealViews *v = nullptr;
    bool operator()(std::uint32_t a, std::uint32_t b) const { return v->name_rank_by_id_[a] < v->name_rank_by_id_[b]; }
  };
  using NameOrder = SortedBlocks<std::uint32_t, NameLess>;
  NameLess name_less() const { return {this}; }
  // Deal e's (folded name, id) against (folded, id): <0, 0 or >0.
  int compare_name(std::uint32_t e, std::string_view folded, std::uint32_t id) const;
  // Places deal id, whose folded name is folded, in the name order with a
  // rank between its neighbours'.
  void name_insert(std::uint32_t id, std::string_view folded);
  // Spreads the ranks evenly over the order.
  void relabel_names();
  // Spreads the ranks of the deals around pos evenly between the ranks
  // just outside them, at least 2^16 apart; all ranks when it must.
  void relabel_around(NameOrder::Pos pos);
  // Where a name-sort page after the cursor (folded name, id) continues,
  // as a rank: ascending pages take ranks >= it, descending ones ranks
  // below it (list.cpp).
  std::int64_t name_rank_bound(std::string_view folded, std::uint32_t id, bool desc) const;
  NameOrder names_;
  // Dense copies of the numeric sort keys (numeric_key()), by deal id: the
  // keys of the orders, and for ranking candidates without touching their
  // rows (40 bytes a deal). next_due_by_id_ is the max of int64 for a deal
  // without an open task.
  std::vector<std::int64_t> updated_by_id_, created_by_id_, amount_by_id_, next_due_by_id_;
  // The comparison of an order by f (a numeric sort): valid until the
  // tables grow.
  ByKey by_key(SortField f) const;
  // Throws CacheFormatError unless every order holds deals of all_ (whose
  // bits are `present`) in the order of their keys (a loaded cache's
  // orders).
  void check_orders(const DenseBits &present) const;
  void check_orders(const DenseBits &present, std::size_t half) const;  // orders half, half + 2...: see cache.cpp
  void check_loaded_ids(const DenseBits &present) const;
  IdLimits id_limits_;
  std::vector<std::int64_t> name_rank_by_id_;  // see NameLess
  std::uint64_t name_relabels_ = 0, name_ranks_rewritten_ = 0;
  std::vector<std::int32_t> stage_pos_;  // by stage id; 0 for a stage the catalog does not list
  std::vector<std::uint8_t> stage_known_;  // by stage id: 1 for a stage the catalog lists
  bool stage_known(std::uint32_t s) const { return s < stage_known_.size() && stage_known_[s]; }
  // The (dimension, sort key) pairs kept in order; see DimOrder.
  std::vector<DimOrder> orders_;
  bool bulk_ = false;
  std::vector<Row> staged_;  // new rows of a bulk build, by id
  // Their folded names, end to end (the rows do not keep them): the bulk
  // build's trigrams and name sort read them; freed when it ends.
  std::string staged_keys_;
  std::vector<std::size_t> staged_key_end_;
  std::string_view staged_key(std::size_t i) const {
    const std::size_t from = i == 0 ? 0 : staged_key_end_[i - 1];
    return std::string_view(staged_keys_).substr(from, staged_key_end_[i] - from);
  }
  std::string fold_buf_;  // index()'s scratch (writers only)

  Bitmap all_, archived_;
  std::unordered_map<std::uint32_t, Bitmap> by_pipeline_, by_stage_, by_owner_, by_dept_, by_tag_, by_segment_;
  ClientDeals by_client_;
  std::unordered_map<std::uint32_t, Bitmap> by_trigram_;   // of the folded name
  std::unordered_map<std::uint32_t, Bitmap> by_currency_;  // interned currency
  Bitmap by_kind_[3];
  Bitmap with_tasks_;
  // archived_ and with_tasks_ again, a bit a deal: the walks' point tests
  // (see dense_of).
  DenseBits archived_bits_, with_tasks_bits_;
  // The bits of one of those two sets, nullptr for any other.
  const DenseBits *dense_of(const Bitmap *b) const {
    return b == &archived_ ? &archived_bits_ : b == &with_tasks_ ? &with_tasks_bits_ : nullptr;
  }

  // Kanban aggregates of non-archived deals. The cells of one (pipeline,
  // owner) and of one (pipeline, department) lie in one vector, sorted by
  // (stage, department), sums inline: a filtered board costs one hash probe
  // per owner or department and a short contiguous read, not three cache
  // misses a column.
  struct BoardCell {
    std::uint32_t stage;
    std::uint32_t dept;  // in board_dept_: the key's department
    Aggregate agg;
  };
  using BoardCells = std::vector<BoardCell>;
  static std::uint64_t cell_key(std::uint32_t pipeline, std::uint32_t x) { return std::uint64_t{pipeline} << 32 | x; }
  static void add_to_cells(BoardCells &cells, const Row &r, int sign);
  std::unordered_map<std::uint64_t, BoardCells> board_owner_;  // (pipeline, owner)
  std::unordered_map<std::uint64_t, BoardCells> board_dept_;   // (pipeline, department)
  std::unordered_map<std::uint32_t, Aggregate> stage_total_;

  // Interned strings: index 0 is "none".
  ClientTable clients_;
  std::vector<std::string> segments_{""};
  std::unordered_map<std::string, std::uint32_t> segment_ids_;
  std::vector<std::string> currencies_;
  std::unordered_map<std::string, std::uint16_t> currency_ids_;

  ContactIndex contacts_;
  TaskIndex tasks_;
};

}  // namespace dealcore::views

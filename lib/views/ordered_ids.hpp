// views/ordered_ids.hpp — entries kept in order in sorted blocks: (key, id)
// pairs (OrderedIds: the open tasks' due times), and bare deal ids in an
// order the caller's comparison defines (KeyOrder: by a numeric key the
// views keep in a dense table by id; the name order: by the name rank).
//
// A per-dimension sort order ("the deals of owner 7 by updated") must answer
// "the next K entries from here" by reading K entries, not by touching every
// deal of the dimension: this is what SQLite's composite index (owner_id,
// updated_at) does. A balanced tree would cost ~48 bytes and a cache miss an
// entry; sorted blocks of up to kBlock entries cost the entry's bytes, walk
// sequentially, and insert with a memmove inside one block. A deal id is 4
// bytes where (key, id) is 12: a deal is in 14 orders, 6 of them by the
// same updated time, so keeping the key once, by id, saves ~100 bytes a
// deal; a walk of one order reads no key at all.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <vector>

#include "views/cache_io.hpp"

namespace dealcore::views {

struct __attribute__((packed, aligned(4))) KeyedId {
  std::int64_t key;
  std::uint32_t id;
  friend bool operator<(const KeyedId &a, const KeyedId &b) {
    return a.key != b.key ? a.key < b.key : a.id < b.id;
  }
  friend bool operator==(const KeyedId &a, const KeyedId &b) { return a.key == b.key && a.id == b.id; }
};
static_assert(sizeof(KeyedId) == 12);

// Entries of type E in the order of Less (a strict weak order; entries
// equal under == must be equivalent). Every call that compares takes the
// comparison, so that one can read state the blocks do not hold.
template <class E, class Less = std::less<>>
class SortedBlocks {
 public:
  static constexpr std::size_t kBlock = 256;

  // A position between entries: block b, offset i (i == block size only at
  // the very end).
  struct Pos {
    std::size_t b = 0, i = 0;
  };

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  void insert(E e, Less less = {}) {
    if (blocks_.empty()) {
      blocks_.emplace_back().push_back(e);
      ++size_;
      return;
    }
    std::size_t b = block_for(e, less);
    auto &blk = blocks_[b];
    blk.insert(std::upper_bound(blk.begin(), blk.end(), e, less), e);
    ++size_;
    if (blk.size() > kBlock) {
      std::vector<E> tail(blk.begin() + kBlock / 2, blk.end());
      blk.resize(kBlock / 2);
      blk.shrink_to_fit();  // growing past kBlock doubled its capacity
      blocks_.insert(blocks_.begin() + static_cast<std::ptrdiff_t>(b) + 1, std::move(tail));
    }
  }

  bool erase(E e, Less less = {}) {
    if (blocks_.empty()) return false;
    std::size_t b = block_for(e, less);
    auto &blk = blocks_[b];
    auto it = std::lower_bound(blk.begin(), blk.end(), e, less);
    if (it == blk.end() || !(*it == e)) return false;
    blk.erase(it);
    --size_;
    if (blk.empty()) blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(b));
    return true;
  }

  // First position whose entry is >= e (strict: > e).
  Pos seek(E e, bool strict, Less less = {}) const {
    if (strict) return partition_point([&](const E &x) { return !less(e, x); });
    return partition_point([&](const E &x) { return less(x, e); });
  }
  // First position whose entry is not before(entry); before must be true
  // for a prefix of the order and false after it.
  template <class Before>
  Pos partition_point(Before before) const {
    if (blocks_.empty()) return {};
    // The first block whose last entry is not before holds the position.
    std::size_t lo = 0, hi = blocks_.size();
    while (lo < hi) {
      std::size_t mid = (lo + hi) / 2;
      if (!before(blocks_[mid].back()))
        hi = mid;
      else
        lo = mid + 1;
    }
    if (lo == blocks_.size()) return end();
    const auto &blk = blocks_[lo];
    auto it = std::partition_point(blk.begin(), blk.end(), before);
    return {lo, static_cast<std::size_t>(it - blk.begin())};
  }
  Pos begin() const { return {}; }
  Pos end() const { return blocks_.empty() ? Pos{} : Pos{blocks_.size() - 1, blocks_.back().size()}; }

  // Walks the entries from a position, upwards (at p and after) or
  // downwards (before p), and stops at limit (upwards: before the entry at
  // limit; downwards: at the entry at limit), a position seek() or
  // partition_point() returned, or at the end.
  class Cursor {
   public:
    Cursor(const SortedBlocks &o, Pos p, bool down) : Cursor(o, p, down, down ? Pos{} : Pos{SIZE_MAX, 0}) {}
    Cursor(const SortedBlocks &o, Pos p, bool down, Pos limit) : o_(&o), p_(p), limit_(limit), down_(down) {
      settle();
    }
    // The current entry; nullptr past the end or the limit.
    const E *get() const {
      const auto &bl = o_->blocks_;
      if (p_.b >= bl.size()) return nullptr;
      // A position is (block, offset). Upwards, the cursor settles on an
      // entry, never at a block's end but the last's, as seek() does, so
      // comparing the pairs is comparing places in the order. Downwards,
      // the current entry is the one before p, and p is past the limit's
      // entry exactly when the pair is greater.
      if (down_) return p_.i > 0 && before(limit_, p_) ? &bl[p_.b][p_.i - 1] : nullptr;
      return p_.i < bl[p_.b].size() && before(p_, limit_) ? &bl[p_.b][p_.i] : nullptr;
    }
    void next() {
      if (down_)
        --p_.i;
      else
        ++p_.i;
      settle();
    }

   private:
    static bool before(Pos a, Pos b) { return a.b != b.b ? a.b < b.b : a.i < b.i; }
    void settle() {
      const auto &bl = o_->blocks_;
      if (p_.b >= bl.size()) return;
      if (down_) {
        while (p_.i == 0 && p_.b > 0) p_.i = bl[--p_.b].size();
      } else {
        while (p_.i == bl[p_.b].size() && p_.b + 1 < bl.size()) p_ = {p_.b + 1, 0};
      }
    }
    const SortedBlocks *o_;
    Pos p_, limit_;
    bool down_;
  };

  // Calls fn(entry) for every entry in order while it returns true.
  template <class F>
  void for_each(F &&fn) const {
    for (const auto &blk : blocks_)
      for (const auto &e : blk)
        if (!fn(e)) return;
  }

  // Calls fn(entries, count) for every block in order.
  template <class F>
  void for_each_block(F &&fn) const {
    for (const auto &blk : blocks_) fn(blk.data(), blk.size());
  }

  // Replaces the contents with entries already in order, in blocks filled
  // to three quarters (room for inserts before the first split).
  void assign(const std::vector<E> &sorted) {
    blocks_.clear();
    constexpr std::size_t fill = kBlock * 3 / 4;
    for (std::size_t i = 0; i < sorted.size(); i += fill) {
      auto end = std::min(sorted.size(), i + fill);
      blocks_.emplace_back(sorted.begin() + static_cast<std::ptrdiff_t>(i),
                           sorted.begin() + static_cast<std::ptrdiff_t>(end));
    }
    size_ = sorted.size();
  }

  // The entries in order, after their count.
  void save(CacheWriter &w) const {
    w.u64(size_);
    for (const auto &blk : blocks_) w.bytes(blk.data(), blk.size() * sizeof(E));
  }
  // Throws CacheFormatError unless the entries are in order.
  static SortedBlocks load(CacheReader &r, Less less = {}) {
    SortedBlocks o = load_unchecked(r);
    E prev{};
    bool first = true;
    o.for_each([&](const E &e) {
      cache_check(first || !less(e, prev), "sort order");
      prev = e;
      first = false;
      return true;
    });
    return o;
  }
  // The entries as saved, in whatever order; the caller checks them.
  static SortedBlocks load_unchecked(CacheReader &r) {
    const std::size_t n = r.count(sizeof(E));
    const char *p = r.take(n * sizeof(E));
    SortedBlocks o;
    constexpr std::size_t fill = kBlock * 3 / 4;  // as assign()
    o.blocks_.reserve((n + fill - 1) / fill);
    for (std::size_t i = 0; i < n; i += fill) {
      auto &blk = o.blocks_.emplace_back(std::min(fill, n - i));
      std::memcpy(static_cast<void *>(blk.data()), p + i * sizeof(E), blk.size() * sizeof(E));
    }
    o.size_ = n;
    return o;
  }

  // Number of entries in [a, b) (a <= b): exact when the stretch spans at
  // most kExactBlocks blocks, else estimated from the blocks' average fill;
  // O(1) or O(kExactBlocks) either way.
  static constexpr std::size_t kExactBlocks = 16;
  std::size_t count_between(Pos a, Pos b) const {
    if (blocks_.empty()) return 0;
    if (a.b == b.b) return b.i - a.i;
    std::size_t n = blocks_[a.b].size() - a.i + b.i;
    if (b.b - a.b > kExactBlocks) return n + (b.b - a.b - 1) * size_ / blocks_.size();
    for (std::size_t x = a.b + 1; x < b.b; ++x) n += blocks_[x].size();
    return n;
  }

  friend bool operator==(const SortedBlocks &a, const SortedBlocks &b) {
    if (a.size_ != b.size_) return false;
    std::vector<E> x, y;
    a.for_each([&](E e) { return x.push_back(e), true; });
    b.for_each([&](E e) { return y.push_back(e), true; });
    return x == y;
  }

 private:
  // The block an entry belongs in: the first whose last entry is >= e, or
  // the last block.
  std::size_t block_for(E e, Less less) const {
    std::size_t lo = 0, hi = blocks_.size() - 1;
    while (lo < hi) {
      std::size_t mid = (lo + hi) / 2;
      if (less(blocks_[mid].back(), e))
        lo = mid + 1;
      else
        hi = mid;
    }
    return lo;
  }

  std::vector<std::vector<E>> blocks_;
  std::size_t size_ = 0;
};

using OrderedIds = SortedBlocks<KeyedId>;

// Deal ids in (key, id) order, the key read from a dense table by id, which
// must hold each member's current key whenever the order is searched or
// changed: erase a deal before its key changes, insert it after. Made for
// each call, as the table may move when it grows.
struct ByKey {
  const std::int64_t *keys;
  bool operator()(std::uint32_t a, std::uint32_t b) const { return keys[a] != keys[b] ? keys[a] < keys[b] : a < b; }
  KeyedId at(std::uint32_t id) const { return {keys[id], id}; }
};
using KeyOrder = SortedBlocks<std::uint32_t, ByKey>;

// The first position whose entry is >= e (strict: > e) in (key, id) order.
inline KeyOrder::Pos seek(const KeyOrder &o, ByKey k, KeyedId e, bool strict) {
  if (strict) return o.partition_point([&](std::uint32_t x) { return !(e < k.at(x)); });
  return o.partition_point([&](std::uint32_t x) { return k.at(x) < e; });
}
// Entries with a key in [lo, top] (inclusive: up to INT64_MAX itself),
// exact or estimated as count_between() says.
inline std::size_t count_keys(const KeyOrder &o, ByKey k, std::int64_t lo, std::int64_t top) {
  if (lo > top) return 0;
  return o.count_between(seek(o, k, {lo, 0}, false), seek(o, k, {top, std::numeric_limits<std::uint32_t>::max()}, true));
}

}  // namespace dealcore::views

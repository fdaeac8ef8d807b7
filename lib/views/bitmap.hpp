// views/bitmap.hpp — a posting list: a compressed set of 32-bit deal ids
// (CRoaring). Intersections of these answer the list's filters.
#pragma once

#include <roaring/roaring.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <cstdint>
#include <new>
#include <utility>
#include <vector>

#include "views/cache_io.hpp"

namespace dealcore::views {

class Bitmap {
 public:
  Bitmap() : r_(roaring_bitmap_create()) {
    if (!r_) throw std::bad_alloc();
  }
  explicit Bitmap(roaring_bitmap_t *owned) : r_(owned) {
    if (!r_) throw std::bad_alloc();
    recount();
  }
  Bitmap(const Bitmap &o) : Bitmap(roaring_bitmap_copy(o.r_)) {}
  Bitmap(Bitmap &&o) noexcept : r_(std::exchange(o.r_, nullptr)), n_(std::exchange(o.n_, 0)) {}
  Bitmap &operator=(Bitmap o) noexcept {
    std::swap(r_, o.r_);
    std::swap(n_, o.n_);
    return *this;
  }
  ~Bitmap() {
    if (r_) roaring_bitmap_free(r_);
  }

  void add(std::uint32_t v) { n_ += roaring_bitmap_add_checked(r_, v) ? 1 : 0; }
  // Adds n values; fastest when they are sorted.
  void add_many(const std::uint32_t *v, std::size_t n) {
    roaring_bitmap_add_many(r_, n, v);
    recount();
  }
  void remove(std::uint32_t v) { n_ -= roaring_bitmap_remove_checked(r_, v) ? 1 : 0; }
  bool contains(std::uint32_t v) const;
  // Kept, not counted: roaring counts by visiting every container, a cache
  // miss each when cold, and a list plan asks for the sizes of its sets
  // several times.
  std::uint64_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  void and_with(const Bitmap &o) {
    roaring_bitmap_and_inplace(r_, o.r_);
    recount();
  }
  void or_with(const Bitmap &o) {
    roaring_bitmap_or_inplace(r_, o.r_);
    recount();
  }
  void andnot_with(const Bitmap &o) {
    roaring_bitmap_andnot_inplace(r_, o.r_);
    recount();
  }
  bool is_subset_of(const Bitmap &o) const { return roaring_bitmap_is_subset(r_, o.r_); }
  std::uint64_t and_size(const Bitmap &o) const { return roaring_bitmap_and_cardinality(r_, o.r_); }
  // The members of both, as a new set (no copy of this one first).
  Bitmap intersection(const Bitmap &o) const { return Bitmap(roaring_bitmap_and(r_, o.r_)); }
  void optimize() {
    roaring_bitmap_run_optimize(r_);
    roaring_bitmap_shrink_to_fit(r_);
  }
  friend bool operator==(const Bitmap &a, const Bitmap &b) { return roaring_bitmap_equals(a.r_, b.r_); }

  // Calls fn(id) for every member in increasing order.
  template <class F>
  void for_each(F &&fn) const {
    roaring_uint32_iterator_t it;
    roaring_init_iterator(r_, &it);
    std::uint32_t buf[256];
    for (;;) {
      std::uint32_t n = roaring_read_uint32_iterator(&it, buf, 256);
      for (std::uint32_t i = 0; i < n; ++i) fn(buf[i]);
      if (n < 256) break;
    }
  }
  // Roaring's portable format, after its size.
  void save(CacheWriter &w) const {
    thread_local std::vector<char> buf;
    buf.resize(roaring_bitmap_portable_size_in_bytes(r_));
    roaring_bitmap_portable_serialize(r_, buf.data());
    w.u64(buf.size());
    w.bytes(buf.data(), buf.size());
  }
  static Bitmap load(CacheReader &r) {
    auto n = r.count(1);
    const char *p = r.take(n);
    cache_check(portable_ok(p, n), "posting list");
    roaring_bitmap_t *b = roaring_bitmap_portable_deserialize_safe(p, n);
    if (b && roaring_bitmap_portable_size_in_bytes(b) != n) {
      roaring_bitmap_free(b);
      b = nullptr;
    }
    cache_check(b != nullptr, "posting list");
    return Bitmap(b);
  }
  // Whether n bytes are exactly one bitmap in roaring's portable format
  // (RoaringFormatSpec) whose containers hold what roaring assumes: keys
  // and array values strictly increasing, runs apart from each other, every
  // cardinality the one stored. The library's own deserializer checks only
  // the lengths, and says why on stderr, which is the host's: a forged cache
  // with a duplicate in an array went unnoticed and made lists wrong.
  static bool portable_ok(const char *p, std::size_t n) {
    std::size_t at = 0;
    auto u16 = [&](std::size_t i) {
      std::uint16_t v;
      std::memcpy(&v, p + i, 2);
      return v;
    };
    auto has = [&](std::size_t k) { return k <= n - at; };
    if (!has(4)) return false;
    std::uint32_t cookie;
    std::memcpy(&cookie, p, 4);
    at = 4;
    std::size_t size = 0;
    const unsigned char *runs = nullptr;
    if ((cookie & 0xFFFF) == SERIAL_COOKIE) {
      size = (cookie >> 16) + 1;
      if (!has((size + 7) / 8)) return false;
      runs = reinterpret_cast<const unsigned char *>(p + at);
      at += (size + 7) / 8;
    } else if (cookie == SERIAL_COOKIE_NO_RUNCONTAINER) {
      if (!has(4)) return false;
      std::uint32_t k;
      std::memcpy(&k, p + at, 4);
      at += 4;
      size = k;
      if (size > 65536) return false;
    } else {
      return false;
    }
    if (!has(4 * size)) return false;
    const std::size_t keys = at;
    at += 4 * size;
    if (!runs || size >= NO_OFFSET_THRESHOLD) {  // offsets, which nothing reads
      if (!has(4 * size)) return false;
      at += 4 * size;
    }
    for (std::size_t i = 0; i < size; ++i) {
      if (i > 0 && u16(keys + 4 * i) <= u16(keys + 4 * i - 4)) return false;
      const std::size_t card = std::size_t{u16(keys + 4 * i + 2)} + 1;
      std::size_t got = 0;
      if (runs && (runs[i / 8] >> (i % 8) & 1)) {
        if (!has(2)) return false;
        const std::size_t k = u16(at);
        at += 2;
        if (!has(4 * k)) return false;
        long end = -1;  // the last value of the previous run
        for (std::size_t j = 0; j < k; ++j, at += 4) {
          const long start = u16(at), last = start + u16(at + 2);
          if (start <= end || last > 65535) return false;
          got += static_cast<std::size_t>(last - start + 1);
          end = last;
        }
      } else if (card <= DEFAULT_MAX_SIZE) {
        if (!has(2 * card)) return false;
        for (std::size_t j = 1; j < card; ++j)
          if (u16(at + 2 * j) <= u16(at + 2 * j - 2)) return false;
        at += 2 * card;
        got = card;
      } else {
        if (!has(8192)) return false;
        for (std::size_t j = 0; j < 1024; ++j, at += 8) {
          std::uint64_t w;
          std::memcpy(&w, p + at, 8);
          got += static_cast<std::size_t>(std::popcount(w));
        }
      }
      if (got != card) return false;
    }
    return at == n;
  }

  // The members, in increasing order, into out (resized to them): no
  // allocation when out is already large enough.
  void decode_into(std::vector<std::uint32_t> &out) const {
    out.resize(n_);
    if (n_ > 0) roaring_bitmap_to_uint32_array(r_, out.data());
  }
  std::vector<std::uint32_t> to_vector() const {
    std::vector<std::uint32_t> v(size());
    roaring_bitmap_to_uint32_array(r_, v.data());
    return v;
  }

 private:
  void recount() { n_ = roaring_bitmap_get_cardinality(r_); }

  roaring_bitmap_t *r_;
  std::uint64_t n_ = 0;  // the cardinality
};

namespace detail {
// The position of the last of the n sorted values at p that is <= key (p
// itself when none is), without a branch on the values: a walk tests ids
// in an order unrelated to them, so each halving of a branching search is
// a coin toss the predictor loses half the time (~15 cycles each, 12 of
// them in a 4,096-value container). Having no branch to speculate past,
// it asks for both possible next middles itself, or a cold container
// would cost a full miss at every halving.
inline const std::uint16_t *last_at_most(const std::uint16_t *p, std::int32_t n, std::uint16_t key) {
  while (n > 1) {
    const std::int32_t half = n >> 1;
    __builtin_prefetch(p + (half >> 1));
    __builtin_prefetch(p + half + (half >> 1));
    p = p[half] <= key ? p + half : p;
    n -= half;
  }
  return p;
}
}  // namespace detail

// roaring_bitmap_contains with both of its searches (the container's key
// among the bitmap's, the value in an array container) made branch-free;
// bitset and run containers as roaring tests them. This reads CRoaring's
// structures, whose layout is the 0.2 series' (Debian 12's); any other
// version takes roaring's own test: the internal headers must be there
// (later versions hide them), and the version is checked where the
// compiler can (a template on the bitmap's type, so that the branch not
// taken is not compiled against another layout).
#if __has_include(<roaring/roaring_array.h>) && __has_include(<roaring/containers/containers.h>)
#define DEALCORE_ROARING_INTERNALS 1
#endif
namespace detail {
template <class R>
bool roaring_contains(const R *r, std::uint32_t v) {
#if DEALCORE_ROARING_INTERNALS
  if constexpr (ROARING_VERSION_MAJOR == 0 && ROARING_VERSION_MINOR == 2) {
    const auto &ra = r->high_low_container;
    if (ra.size == 0) return false;
    const auto hb = static_cast<std::uint16_t>(v >> 16);
    const std::uint16_t *k = last_at_most(ra.keys, ra.size, hb);
    if (*k != hb) return false;
    const auto i = k - ra.keys;
    std::uint8_t type = ra.typecodes[i];
    const void *c = container_unwrap_shared(ra.containers[i], &type);
    const auto lo = static_cast<std::uint16_t>(v);
    if (type == ARRAY_CONTAINER_TYPE_CODE) {
      const auto *a = static_cast<const array_container_t *>(c);
      return a->cardinality > 0 && *last_at_most(a->array, a->cardinality, lo) == lo;
    }
    return container_contains(c, lo, type);
  }
#endif
  return roaring_bitmap_contains(r, v);
}
}  // namespace detail

inline bool Bitmap::contains(std::uint32_t v) const { return detail::roaring_contains(r_, v); }

// A set of deals as one bit a deal id, beside the posting list that holds
// the same set (which intersections and counts use). A walk tests a few
// sets at every step; in a sparse posting list (the archived deals: a few
// percent) a test is a binary search over a roaring array container, a
// cache miss at each halving when cold, where here it is one read. 1 bit a
// deal: 125 KB at 1M deals.
class DenseBits {
 public:
  bool contains(std::uint32_t id) const {
    const std::size_t w = id >> 6;
    return w < w_.size() && (w_[w] >> (id & 63) & 1);
  }
  void set(std::uint32_t id, bool on) {
    const std::size_t w = id >> 6;
    if (w >= w_.size()) {
      if (!on) return;
      w_.resize(std::max<std::size_t>(w + 1, w_.size() * 2), 0);
    }
    const std::uint64_t bit = std::uint64_t{1} << (id & 63);
    w_[w] = on ? w_[w] | bit : w_[w] & ~bit;
  }
  // The members of b, and no others.
  void assign(const Bitmap &b) {
    w_.clear();
    b.for_each([&](std::uint32_t id) { set(id, true); });
    w_.shrink_to_fit();
  }
  // Whether this holds exactly the members of b.
  bool same_as(const Bitmap &b) const {
    std::uint64_t n = 0;
    for (auto w : w_) n += static_cast<std::uint64_t>(__builtin_popcountll(w));
    if (n != b.size()) return false;
    bool all = true;
    b.for_each([&](std::uint32_t id) { all = all && contains(id); });
    return all;
  }

 private:
  std::vector<std::uint64_t> w_;
};

}  // namespace dealcore::views

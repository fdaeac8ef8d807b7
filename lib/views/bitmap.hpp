// views/bitmap.hpp — a posting list: a compressed set of 32-bit deal ids
// (CRoaring). Intersections of these answer the list's filters.
#pragma once

#include <roaring/roaring.h>

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
  }
  Bitmap(const Bitmap &o) : Bitmap(roaring_bitmap_copy(o.r_)) {}
  Bitmap(Bitmap &&o) noexcept : r_(std::exchange(o.r_, nullptr)) {}
  Bitmap &operator=(Bitmap o) noexcept {
    std::swap(r_, o.r_);
    return *this;
  }
  ~Bitmap() {
    if (r_) roaring_bitmap_free(r_);
  }

  void add(std::uint32_t v) { roaring_bitmap_add(r_, v); }
  // Adds n values; fastest when they are sorted.
  void add_many(const std::uint32_t *v, std::size_t n) { roaring_bitmap_add_many(r_, n, v); }
  void remove(std::uint32_t v) { roaring_bitmap_remove(r_, v); }
  bool contains(std::uint32_t v) const { return roaring_bitmap_contains(r_, v); }
  std::uint64_t size() const { return roaring_bitmap_get_cardinality(r_); }
  bool empty() const { return roaring_bitmap_is_empty(r_); }
  void and_with(const Bitmap &o) { roaring_bitmap_and_inplace(r_, o.r_); }
  void or_with(const Bitmap &o) { roaring_bitmap_or_inplace(r_, o.r_); }
  void andnot_with(const Bitmap &o) { roaring_bitmap_andnot_inplace(r_, o.r_); }
  std::uint64_t and_size(const Bitmap &o) const { return roaring_bitmap_and_cardinality(r_, o.r_); }
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
    roaring_bitmap_t *b = roaring_bitmap_portable_deserialize_safe(p, n);
    if (b && roaring_bitmap_portable_size_in_bytes(b) != n) {
      roaring_bitmap_free(b);
      b = nullptr;
    }
    cache_check(b != nullptr, "posting list");
    return Bitmap(b);
  }
  std::vector<std::uint32_t> to_vector() const {
    std::vector<std::uint32_t> v(size());
    roaring_bitmap_to_uint32_array(r_, v.data());
    return v;
  }

 private:
  roaring_bitmap_t *r_;
};

}  // namespace dealcore::views

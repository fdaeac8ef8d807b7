// views/compact.hpp — small owning containers that keep a deal row short:
// an 8-byte string (empty costs no allocation), the 8-byte block of a
// row's variable-length fields, and a 16-byte sorted set of ids.
// A million rows make every byte of the row count (see docs/performance.md).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <vector>

#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif

namespace dealcore::views {

class CompactString {
 public:
  CompactString() = default;
  explicit CompactString(std::string_view s) {
    if (s.empty()) return;
    p_.reset(new char[sizeof(std::uint32_t) + s.size()]);
    auto n = static_cast<std::uint32_t>(s.size());
    std::memcpy(p_.get(), &n, sizeof n);
    std::memcpy(p_.get() + sizeof n, s.data(), s.size());
  }
  CompactString(const CompactString &o) : CompactString(o.view()) {}
  CompactString(CompactString &&) noexcept = default;
  CompactString &operator=(const CompactString &o) {
    if (this != &o) *this = CompactString(o.view());
    return *this;
  }
  CompactString &operator=(CompactString &&) noexcept = default;

  std::string_view view() const {
    if (!p_) return {};
    std::uint32_t n;
    std::memcpy(&n, p_.get(), sizeof n);
    return {p_.get() + sizeof n, n};
  }
  // Where the bytes live, for prefetching (nullptr when empty).
  const void *address() const { return p_.get(); }
  friend bool operator==(const CompactString &a, const CompactString &b) { return a.view() == b.view(); }
  friend bool operator<(const CompactString &a, const CompactString &b) { return a.view() < b.view(); }

 private:
  std::unique_ptr<char[]> p_;
};

// A UUID in its canonical text: 36 characters, 8-4-4-4-12 hex digits, the
// letters all lower or all upper case (how 1C and most ERPs write a
// record's id). The views keep such external refs as their 16 bytes and
// the case; uuid_pack() is false for anything else, which is kept as is.
inline constexpr std::size_t kUuidChars = 36;

inline int uuid_hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Packs s into out and sets upper; false when s is not a UUID as above.
inline bool uuid_pack(std::string_view s, std::uint8_t (&out)[16], bool &upper) {
  if (s.size() != kUuidChars) return false;
  bool lower_seen = false, upper_seen = false;
  std::size_t b = 0;
  for (std::size_t i = 0; i < kUuidChars;) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i++] != '-') return false;
      continue;
    }
    const int hi = uuid_hex_value(s[i]), lo = uuid_hex_value(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    for (char c : {s[i], s[i + 1]}) {
      lower_seen |= c >= 'a' && c <= 'f';
      upper_seen |= c >= 'A' && c <= 'F';
    }
    out[b++] = static_cast<std::uint8_t>(hi * 16 + lo);
    i += 2;
  }
  if (lower_seen && upper_seen) return false;
  upper = upper_seen;
  return true;
}

// The two hex digits of every byte value, in one case and the other (the
// portable uuid_unpack).
struct UuidHexPairs {
  char pairs[2][256][2];
  constexpr UuidHexPairs() : pairs{} {
    for (int u = 0; u < 2; ++u)
      for (int v = 0; v < 256; ++v) {
        const char *digits = u ? "0123456789ABCDEF" : "0123456789abcdef";
        pairs[u][v][0] = digits[v >> 4];
        pairs[u][v][1] = digits[v & 15];
      }
  }
};
inline constexpr UuidHexPairs kUuidHexPairs{};

inline void uuid_unpack_portable(const std::uint8_t *in, bool upper, char (&out)[kUuidChars]) {
  const auto &pairs = kUuidHexPairs.pairs[upper ? 1 : 0];
  char *o = out;
  for (std::size_t b = 0; b < 16; ++b) {
    if (b == 4 || b == 6 || b == 8 || b == 10) *o++ = '-';  // unrolled: the positions are constants
    std::memcpy(o, pairs[in[b]], 2);
    o += 2;
  }
}

// A page writes two UUIDs an item, so this is on its path: on x86-64 (whose
// SSE2 every such CPU has; the 64-bit moves out of a register are x86-64's)
// the 32 digits are made in two registers, ~3.5 ns a UUID against ~6.5
// from the table of pairs.
inline void uuid_unpack(const std::uint8_t *in, bool upper, char (&out)[kUuidChars]) {
#if defined(__SSE2__) && defined(__x86_64__)
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(in));
  const __m128i low4 = _mm_set1_epi8(0x0F);
  const __m128i hi = _mm_and_si128(_mm_srli_epi16(v, 4), low4), lo = _mm_and_si128(v, low4);
  const __m128i letters = _mm_set1_epi8(static_cast<char>(upper ? 'A' - '0' - 10 : 'a' - '0' - 10));
  auto digits = [&](__m128i n) {  // 0..15 to '0'..'9', 'a'..'f'
    const __m128i over9 = _mm_cmpgt_epi8(n, _mm_set1_epi8(9));
    return _mm_add_epi8(_mm_add_epi8(n, _mm_set1_epi8('0')), _mm_and_si128(over9, letters));
  };
  // Each byte's high digit first: bytes 0-7, then 8-15.
  const __m128i a = digits(_mm_unpacklo_epi8(hi, lo)), b = digits(_mm_unpackhi_epi8(hi, lo));
  const auto h0 = static_cast<std::uint64_t>(_mm_cvtsi128_si64(a)),
             h1 = static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(a, a))),
             h2 = static_cast<std::uint64_t>(_mm_cvtsi128_si64(b)),
             h3 = static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(b, b)));
  // 8-4-4-4-12 digits (the words are little-endian: the low half first).
  const auto w1 = static_cast<std::uint32_t>(h1), w2 = static_cast<std::uint32_t>(h1 >> 32),
             w3 = static_cast<std::uint32_t>(h2), w4 = static_cast<std::uint32_t>(h2 >> 32);
  std::memcpy(out, &h0, 8);
  out[8] = '-';
  std::memcpy(out + 9, &w1, 4);
  out[13] = '-';
  std::memcpy(out + 14, &w2, 4);
  out[18] = '-';
  std::memcpy(out + 19, &w3, 4);
  out[23] = '-';
  std::memcpy(out + 24, &w4, 4);
  std::memcpy(out + 28, &h3, 8);
#else
  uuid_unpack_portable(in, upper, out);
#endif
}

// A ref as RowData and the client table keep it: a length word, then its
// bytes. The word is the byte count, or for a packed UUID kRefPacked (with
// kRefUpper for upper case) and 16.
inline constexpr std::uint32_t kRefPacked = 1u << 31, kRefUpper = 1u << 30;
inline constexpr std::uint32_t kRefMaxLength = kRefUpper - 1;
struct StoredRef {
  explicit StoredRef(std::string_view ref) {
    bool upper = false;
    if (uuid_pack(ref, uuid, upper)) {
      word = kRefPacked | (upper ? kRefUpper : 0) | 16;
      bytes = {reinterpret_cast<const char *>(uuid), sizeof uuid};
    } else {
      word = static_cast<std::uint32_t>(ref.size());
      bytes = ref;
    }
  }
  StoredRef(const StoredRef &) = delete;  // bytes may view uuid
  std::uint8_t uuid[16];
  std::uint32_t word;
  std::string_view bytes;
};
// How many bytes follow a length word.
inline std::size_t stored_bytes(std::uint32_t word) { return word & kRefMaxLength; }
// The text of a stored ref: a view of its bytes, or a packed UUID's text
// written into buf.
inline std::string_view stored_ref_text(const char *bytes, std::uint32_t word, char (&buf)[kUuidChars]) {
  if (!(word & kRefPacked)) return {bytes, word};
  uuid_unpack(reinterpret_cast<const std::uint8_t *>(bytes), (word & kRefUpper) != 0, buf);
  return {buf, kUuidChars};
}

// Everything of variable length in a deal row, in one allocation: two
// sorted sets of ids (tags, contacts) and three strings (name, external
// ref, lost reason). Laid out as 32-bit words:
//   [tags count][contacts count][3 string lengths][tags][contacts][chars]
// One block instead of five: ~100 bytes a deal less, one malloc on open
// instead of five, and one cache line to fetch where a page reads the name
// and the external ref together. All empty costs no allocation. The folded
// name is not kept: the views fold it again where they need it (see
// DealViews::folded_name), ~65 bytes a deal less.
//
// An external ref that is a UUID (see uuid_pack) is kept as its 16 bytes,
// with the case in its length word (StoredRef): 20 bytes a deal less, and
// the text is given back exactly (external_ref_text() writes it into a
// caller's buffer).
class RowData {
 public:
  static constexpr std::size_t kStrings = 3;
  enum Field { name = 0, external_ref = 1, lost_reason = 2 };

  RowData() = default;
  // tags and contacts are sorted and made unique here.
  RowData(std::vector<std::uint32_t> tags, std::vector<std::uint32_t> contacts,
          const std::array<std::string_view, kStrings> &strings) {
    for (auto *v : {&tags, &contacts}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    for (auto s : strings)
      if (s.size() > kRefMaxLength) throw std::length_error("RowData: string too long");
    const StoredRef ref(strings[external_ref]);
    std::uint32_t lengths[kStrings];
    std::size_t chars = 0;
    for (std::size_t i = 0; i < kStrings; ++i) {
      lengths[i] = i == external_ref ? ref.word : static_cast<std::uint32_t>(strings[i].size());
      chars += stored_bytes(lengths[i]);
    }
    if (tags.empty() && contacts.empty() && chars == 0) return;
    const std::size_t head = 2 + kStrings, ids = tags.size() + contacts.size();
    p_.reset(new std::uint32_t[head + ids + (chars + 3) / 4]);
    p_[0] = static_cast<std::uint32_t>(tags.size());
    p_[1] = static_cast<std::uint32_t>(contacts.size());
    for (std::size_t i = 0; i < kStrings; ++i) p_[2 + i] = lengths[i];
    std::copy(tags.begin(), tags.end(), p_.get() + head);
    std::copy(contacts.begin(), contacts.end(), p_.get() + head + tags.size());
    if (chars > 0) p_[head + ids + (chars + 3) / 4 - 1] = 0;  // the padding: a saved block is all defined
    char *c = reinterpret_cast<char *>(p_.get() + head + ids);
    for (std::size_t i = 0; i < kStrings; ++i) {
      const std::string_view b = i == external_ref ? ref.bytes : strings[i];
      if (!b.empty()) std::memcpy(c, b.data(), b.size());
      c += b.size();
    }
  }
  RowData(const RowData &o) {
    const auto w = o.words();
    if (w.empty()) return;
    p_.reset(new std::uint32_t[w.size()]);
    std::copy(w.begin(), w.end(), p_.get());
  }
  RowData(RowData &&) noexcept = default;
  RowData &operator=(RowData &&) noexcept = default;
  RowData &operator=(const RowData &o) {
    if (this != &o) *this = RowData(o);
    return *this;
  }

  std::span<const std::uint32_t> tags() const {
    if (!p_) return {};
    return {p_.get() + 2 + kStrings, p_[0]};
  }
  std::span<const std::uint32_t> contacts() const {
    if (!p_) return {};
    return {p_.get() + 2 + kStrings + p_[0], p_[1]};
  }
  bool has_tag(std::uint32_t t) const {
    auto s = tags();
    return std::binary_search(s.begin(), s.end(), t);
  }
  // The name or the lost reason (see external_ref() for the ref).
  std::string_view str(Field f) const {
    assert(f != external_ref);
    if (!p_) return {};
    return {chars() + offset_of(f), p_[2 + f]};
  }
  // The external ref: a view into the block, or, for a packed UUID, its
  // text written into buf.
  std::string_view external_ref_text(char (&buf)[kUuidChars]) const {
    if (!p_) return {};
    return stored_ref_text(chars() + offset_of(external_ref), p_[2 + external_ref], buf);
  }
  // The bytes the block keeps for the ref (16 for a packed UUID).
  std::size_t external_ref_bytes() const { return p_ ? stored_bytes(p_[2 + external_ref]) : 0; }
  // Where the block lives, for prefetching (nullptr when empty).
  const void *address() const { return p_.get(); }
  // Its size in bytes, from its header (which this reads); 0 when empty.
  std::size_t bytes() const { return words().size() * sizeof(std::uint32_t); }

  // The whole block as words (empty when all is empty), and a block from
  // such words; nullopt when the words are not a block's layout.
  std::span<const std::uint32_t> words() const {
    if (!p_) return {};
    std::size_t chars = 0;
    for (std::size_t i = 0; i < kStrings; ++i) chars += stored_bytes(p_[2 + i]);
    return {p_.get(), 2 + kStrings + std::size_t{p_[0]} + p_[1] + (chars + 3) / 4};
  }
  // From n words at p (any alignment).
  static std::optional<RowData> from_words(const void *p, std::size_t n) {
    RowData d;
    if (n == 0) return d;
    const std::size_t head = 2 + kStrings;
    if (n < head) return std::nullopt;
    d.p_.reset(new std::uint32_t[n]);
    const std::uint32_t *w = d.p_.get();
    std::memcpy(d.p_.get(), p, n * sizeof(std::uint32_t));
    std::size_t chars = 0;
    for (std::size_t i = 0; i < kStrings; ++i) {
      // Only the ref may be a packed UUID, and then of 16 bytes; no other
      // flag bits.
      const std::uint32_t l = w[2 + i];
      if (l & kRefPacked ? i != external_ref || (l & ~(kRefPacked | kRefUpper)) != 16 : l > kRefMaxLength)
        return std::nullopt;
      chars += stored_bytes(l);
    }
    if (n != head + std::size_t{w[0]} + w[1] + (chars + 3) / 4) return std::nullopt;
    for (std::size_t i = head + 1; i < head + w[0] + w[1]; ++i)
      if (i != head + w[0] && w[i - 1] >= w[i]) return std::nullopt;  // each set sorted and unique
    return d;
  }

 private:
  const char *chars() const { return reinterpret_cast<const char *>(p_.get() + 2 + kStrings + p_[0] + p_[1]); }
  std::size_t offset_of(Field f) const {
    std::size_t o = 0;
    for (int i = 0; i < f; ++i) o += stored_bytes(p_[2 + i]);
    return o;
  }
  std::unique_ptr<std::uint32_t[]> p_;
};

// A sorted set of 32-bit ids in 16 bytes: up to three inline, more in one
// heap array (its capacity the next power of two). A contact's deals are
// two or three as a rule: 16 bytes a contact where a std::vector cost 24
// plus a 32-byte allocation.
class SmallIdSet {
 public:
  SmallIdSet() = default;
  explicit SmallIdSet(std::span<const std::uint32_t> sorted) {
    for (auto id : sorted) insert(id);
  }
  SmallIdSet(const SmallIdSet &o) : SmallIdSet(o.view()) {}
  SmallIdSet(SmallIdSet &&o) noexcept : n_(o.n_) {
    std::memcpy(w_, o.w_, sizeof w_);
    o.n_ = 0;
  }
  SmallIdSet &operator=(const SmallIdSet &o) {
    if (this != &o) *this = SmallIdSet(o);
    return *this;
  }
  SmallIdSet &operator=(SmallIdSet &&o) noexcept {
    if (this != &o) {
      release();
      n_ = o.n_;
      std::memcpy(w_, o.w_, sizeof w_);
      o.n_ = 0;
    }
    return *this;
  }
  ~SmallIdSet() { release(); }

  std::span<const std::uint32_t> view() const { return {data(), n_}; }
  bool empty() const { return n_ == 0; }

  // false when id is there already.
  bool insert(std::uint32_t id) {
    std::uint32_t *d = data();
    std::uint32_t *at = std::lower_bound(d, d + n_, id);
    if (at != d + n_ && *at == id) return false;
    const auto i = static_cast<std::size_t>(at - d);
    if (n_ == kInline || (n_ > kInline && std::has_single_bit(n_))) {  // full: to a heap array twice the size
      auto *grown = new std::uint32_t[std::bit_ceil(n_ + 1)];
      std::copy(d, d + n_, grown);
      release();
      set_heap(grown);
      d = grown;
    }
    std::copy_backward(d + i, d + n_, d + n_ + 1);
    d[i] = id;
    ++n_;
    return true;
  }
  // false when id is not there.
  bool erase(std::uint32_t id) {
    std::uint32_t *d = data();
    std::uint32_t *at = std::lower_bound(d, d + n_, id);
    if (at == d + n_ || *at != id) return false;
    std::copy(at + 1, d + n_, at);
    if (--n_ == kInline) {  // back inline
      std::uint32_t keep[kInline];
      std::copy(d, d + kInline, keep);
      delete[] d;
      std::copy(keep, keep + kInline, w_);
    }
    return true;
  }
  friend bool operator==(const SmallIdSet &a, const SmallIdSet &b) {
    return std::ranges::equal(a.view(), b.view());
  }

 private:
  static constexpr std::uint32_t kInline = 3;
  std::uint32_t *data() { return n_ <= kInline ? w_ : heap(); }
  const std::uint32_t *data() const { return n_ <= kInline ? w_ : heap(); }
  std::uint32_t *heap() const {
    std::uint32_t *p;
    std::memcpy(&p, &w_[1], sizeof p);  // w_[1..2]: 8-byte aligned in the object
    return p;
  }
  void set_heap(std::uint32_t *p) { std::memcpy(&w_[1], &p, sizeof p); }
  void release() {
    if (n_ > kInline) delete[] heap();
  }

  std::uint32_t n_ = 0;
  std::uint32_t w_[3] = {0, 0, 0};
};
static_assert(sizeof(SmallIdSet) == 16);

}  // namespace dealcore::views

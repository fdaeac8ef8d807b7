// views/cache_io.hpp — the byte streams of the views cache (no policy):
// CacheWriter appends little-endian values to a file through a buffer and
// checksums them; CacheReader reads them back from memory, checking every
// length against what is left, so a damaged file is an error, not a crash.
// The file format and when it is used are the engine's (engine/views_cache).
#pragma once

#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace dealcore::views {

static_assert(std::endian::native == std::endian::little, "the views cache is written little-endian, as in memory");

// A damaged or foreign cache file; the engine then builds from the tables.
struct CacheFormatError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A 64-bit checksum of a byte range, 8 bytes a step; chunk by chunk, the
// same chunks on both sides (CacheWriter flushes at kCacheChunk bytes).
inline constexpr std::size_t kCacheChunk = std::size_t{1} << 20;
inline std::uint64_t cache_checksum(std::uint64_t h, const char *p, std::size_t n) {
  constexpr std::uint64_t k = 0x9E3779B97F4A7C15ull;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ w) * k;
    h ^= h >> 31;
  }
  std::uint64_t tail = n - i;
  for (; i < n; ++i) tail = (tail << 8) | static_cast<unsigned char>(p[i]);
  h = (h ^ tail ^ (std::uint64_t{n} << 32)) * k;
  return h ^ (h >> 29);
}

// Where a section of the stream is and its checksum (see CacheWriter).
struct CacheSection {
  std::uint64_t offset, size, checksum;
};
static_assert(sizeof(CacheSection) == 24);

// Writes the stream in sections, each checksummed on its own so that a
// reader can read and check them on several threads. Bytes written before
// the first section() (a file header) belong to none. finish() appends the
// table of sections: the CacheSection of each, then their count.
// A writer without a file keeps its bytes in memory, for a second thread to
// serialize sections that a file writer then append()s.
class CacheWriter {
 public:
  // f stays the caller's; nothing is written past what was flushed when a
  // write fails (the caller then drops the file).
  explicit CacheWriter(std::FILE *f) : f_(f) { buf_.reserve(kCacheChunk); }
  CacheWriter() : f_(nullptr) { buf_.reserve(kCacheChunk); }

  // Writes the sections an in-memory writer holds after this one's.
  void append(CacheWriter &other) {
    other.flush();
    other.close_section();
    flush();
    close_section();
    const std::uint64_t base = size_;
    for (const auto &chunk : other.chunks_) {
      if (std::fwrite(chunk.data(), 1, chunk.size(), f_) != chunk.size()) throw std::runtime_error("write failed");
      size_ += chunk.size();
    }
    for (const auto &s : other.sections_) sections_.push_back({base + s.offset, s.size, s.checksum});
  }

  // Starts a section at the current offset.
  void section() {
    flush();
    close_section();
    sections_.push_back({size_, 0, 0});
    open_ = true;
    sum_ = 0;
  }

  template <class T>
    requires std::is_trivially_copyable_v<T>
  void pod(const T &v) {
    bytes(&v, sizeof v);
  }
  void u32(std::uint32_t v) { pod(v); }
  void u64(std::uint64_t v) { pod(v); }
  void i64(std::int64_t v) { pod(v); }
  void str(std::string_view s) {
    u64(s.size());
    bytes(s.data(), s.size());
  }
  // A count, then the elements' bytes.
  template <class T>
    requires std::is_trivially_copyable_v<T>
  void array(std::span<const T> v) {
    u64(v.size());
    bytes(v.data(), v.size_bytes());
  }
  template <class T>
  void array(const std::vector<T> &v) {
    array(std::span<const T>(v));
  }
  void bytes(const void *p, std::size_t n) {
    const char *c = static_cast<const char *>(p);
    while (n > 0) {
      std::size_t room = kCacheChunk - buf_.size(), k = n < room ? n : room;
      buf_.insert(buf_.end(), c, c + k);
      c += k;
      n -= k;
      if (buf_.size() == kCacheChunk) flush();
    }
  }
  // Ends the last section and writes the table; returns its checksum.
  std::uint64_t finish() {
    flush();
    close_section();
    std::vector<char> table(sections_.size() * sizeof(CacheSection) + 8);
    std::memcpy(table.data(), sections_.data(), sections_.size() * sizeof(CacheSection));
    std::uint64_t n = sections_.size();
    std::memcpy(table.data() + table.size() - 8, &n, 8);
    if (std::fwrite(table.data(), 1, table.size(), f_) != table.size()) throw std::runtime_error("write failed");
    size_ += table.size();
    return cache_checksum(0, table.data(), table.size());
  }
  std::uint64_t size() const { return size_ + buf_.size(); }

 private:
  void flush() {
    if (buf_.empty()) return;
    if (f_ && std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size()) throw std::runtime_error("write failed");
    sum_ = cache_checksum(sum_, buf_.data(), buf_.size());
    size_ += buf_.size();
    if (f_) {
      buf_.clear();
    } else {
      chunks_.push_back(std::move(buf_));
      buf_ = {};
      buf_.reserve(kCacheChunk);
    }
  }
  void close_section() {
    if (!open_) return;
    sections_.back().size = size_ - sections_.back().offset;
    sections_.back().checksum = sum_;
    open_ = false;
  }
  std::FILE *f_;  // nullptr: in memory, in chunks_
  std::vector<char> buf_;
  std::vector<std::vector<char>> chunks_;
  std::vector<CacheSection> sections_;
  bool open_ = false;  // the last section is still being written
  std::uint64_t sum_ = 0, size_ = 0;
};

class CacheReader {
 public:
  CacheReader(const char *p, std::size_t n) : p_(p), end_(p + n) {}

  template <class T>
    requires std::is_trivially_copyable_v<T>
  T pod() {
    T v;
    std::memcpy(&v, take(sizeof v), sizeof v);
    return v;
  }
  std::uint32_t u32() { return pod<std::uint32_t>(); }
  std::uint64_t u64() { return pod<std::uint64_t>(); }
  std::int64_t i64() { return pod<std::int64_t>(); }
  // A count no larger than what is left could hold at `each` bytes apiece.
  std::size_t count(std::size_t each) {
    auto n = u64();
    if (each > 0 && n > left() / each) throw CacheFormatError("views cache: a count runs past the end");
    return static_cast<std::size_t>(n);
  }
  std::string_view str() {
    auto n = count(1);
    return {take(n), n};
  }
  template <class T>
    requires std::is_trivially_copyable_v<T>
  std::vector<T> array() {
    auto n = count(sizeof(T));
    std::vector<T> v(n);
    if (n) std::memcpy(v.data(), take(n * sizeof(T)), n * sizeof(T));
    return v;
  }
  const char *take(std::size_t n) {
    if (n > left()) throw CacheFormatError("views cache: truncated");
    const char *at = p_;
    p_ += n;
    return at;
  }
  std::size_t left() const { return static_cast<std::size_t>(end_ - p_); }

 private:
  const char *p_, *end_;
};

// The sections of a stream, for a load on several threads: open(i) reads
// section i (once), checks its checksum and returns a reader over it, valid
// until done(i); both are called for different sections from different
// threads at once.
class CacheSections {
 public:
  virtual ~CacheSections() = default;
  virtual std::size_t count() const = 0;
  virtual CacheReader open(std::size_t i) = 0;  // throws CacheFormatError
  // Section i is parsed: its bytes may go.
  virtual void done(std::size_t i) = 0;
};

// Fails a load when a value read is out of range.
inline void cache_check(bool ok, const char *what) {
  if (!ok) throw CacheFormatError(std::string("views cache: bad ") + what);
}

}  // namespace dealcore::views

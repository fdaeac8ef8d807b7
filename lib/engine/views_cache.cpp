// The views cache file: a fixed header (what the views were built from),
// then the views' byte stream (views/cache.cpp). See views_cache.hpp.
#include "engine/views_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <new>
#include <vector>

#include <fmt/format.h>

#include "dealcore/error.hpp"
#include "views/cache_io.hpp"

namespace dealcore {

namespace {

// Bump when the stream of views/cache.cpp or this header changes shape.
// 2: kanban cells by (pipeline, owner or department); 3: seq and outside.
// 9: the (pipeline, name) order; 10: external refs that are UUIDs in 16 bytes;
// 11: the fingerprint of the event at seq.
constexpr std::uint32_t kFormat = 11;
constexpr char kMagic[8] = {'D', 'C', 'V', 'I', 'E', 'W', 'S', '\0'};

struct Header {
  char magic[8];
  std::uint32_t format;
  std::uint32_t schema;  // store::kSchemaVersion
  std::uint32_t id_size;
  char db_id[64];
  std::uint32_t pad;
  std::int64_t stamp;
  std::int64_t outside;
  std::int64_t seq;
  std::uint64_t event;  // event_fingerprint of the event at seq
  std::uint64_t payload_size;
  std::uint64_t checksum;  // of the fields above, then of the table of sections
};
static_assert(sizeof(Header) == 136 && std::is_trivially_copyable_v<Header>);

Header header_for(const store::ViewsStamp &stamp, std::int64_t seq, std::uint64_t event) {
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.format = kFormat;
  h.schema = store::kSchemaVersion;
  if (stamp.db_id.size() > sizeof h.db_id) throw Error(Errc::internal, "views cache: database id too long");
  h.id_size = static_cast<std::uint32_t>(stamp.db_id.size());
  std::memcpy(h.db_id, stamp.db_id.data(), stamp.db_id.size());
  h.stamp = stamp.stamp;
  h.outside = stamp.outside;
  h.seq = seq;
  h.event = event;
  return h;
}

// The header's checksum: its own fields, then the table of sections' sum.
std::uint64_t header_checksum(const Header &h, std::uint64_t table_sum) {
  return views::cache_checksum(table_sum, reinterpret_cast<const char *>(&h), offsetof(Header, checksum));
}

// Reads n bytes at offset; false when the file ends first or fails.
bool read_at(int fd, char *to, std::size_t n, std::uint64_t offset) {
  while (n > 0) {
    ssize_t k = ::pread(fd, to, n, static_cast<off_t>(offset));
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    to += k;
    n -= static_cast<std::size_t>(k);
    offset += static_cast<std::uint64_t>(k);
  }
  return true;
}

// The cache file's sections, each read into a buffer of its own, checked,
// and freed once parsed. Read, not mapped: a mapped file truncated by
// someone else would fault on access.
class FileSections final : public views::CacheSections {
 public:
  FileSections(int fd, std::vector<views::CacheSection> table)
      : fd_(fd), table_(std::move(table)), bufs_(table_.size()) {}
  std::size_t count() const override { return table_.size(); }
  views::CacheReader open(std::size_t i) override {
    const auto &s = table_.at(i);
    auto &buf = bufs_.at(i);
    buf.reset(new char[std::max<std::uint64_t>(s.size, 1)]);  // not zeroed: read() fills it
    char *at = buf.get();
    if (!read_at(fd_, at, s.size, s.offset)) throw views::CacheFormatError("views cache: read failed");
    std::uint64_t sum = 0;
    for (std::uint64_t done = 0; done < s.size; done += views::kCacheChunk)
      sum = views::cache_checksum(sum, at + done, std::min<std::uint64_t>(views::kCacheChunk, s.size - done));
    if (sum != s.checksum) throw views::CacheFormatError("views cache: checksum");
    return {at, s.size};
  }
  void done(std::size_t i) override { bufs_.at(i).reset(); }

 private:
  int fd_;
  std::vector<views::CacheSection> table_;
  std::vector<std::unique_ptr<char[]>> bufs_;
};

// A writer killed midway leaves its temporary file "<cache>.tmp-XXXXXX"
// behind (found by a crash test: 14 of them, 58 MB, after 30 kills). Each
// write removes those older than ten minutes first; a younger one may be
// another connection's write in progress.
void remove_stale_temporaries(const std::string &path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path p(path);
  const std::string prefix = p.filename().string() + ".tmp-";
  const auto too_old = fs::file_time_type::clock::now() - std::chrono::minutes(10);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() != prefix.size() + 6 || name.compare(0, prefix.size(), prefix) != 0) continue;
    std::error_code e;
    if (it->is_regular_file(e) && it->last_write_time(e) < too_old && !e) fs::remove(it->path(), e);
  }
}

// Closes a file descriptor on scope exit.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::uint64_t event_fingerprint(const Event &e) {
  const std::int64_t fixed[4] = {e.seq, e.at, e.actor_id, e.deal_id};
  std::uint64_t h = views::cache_checksum(0, reinterpret_cast<const char *>(fixed), sizeof fixed);
  const std::uint64_t sizes[2] = {e.kind.size(), e.payload.size()};
  h = views::cache_checksum(h, reinterpret_cast<const char *>(sizes), sizeof sizes);
  h = views::cache_checksum(h, e.kind.data(), e.kind.size());
  return views::cache_checksum(h, e.payload.data(), e.payload.size());
}

std::string views_cache_path(const std::string &db_path) {
  if (db_path.empty() || db_path == ":memory:") return {};
  return db_path + "-views";
}

void write_views_cache(const std::string &path, const CacheStamp &at, const views::DealViews &v, unsigned mode) {
  Header h = header_for(at.stamp, at.seq, at.event);
  remove_stale_temporaries(path);
  std::string tmp = path + ".tmp-XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) throw Error(Errc::io, fmt::format("views cache: cannot create {}: {}", tmp, std::strerror(errno)));
  std::FILE *f = nullptr;
  auto drop = [&] {
    if (f)
      std::fclose(f);
    else
      ::close(fd);
    ::unlink(tmp.c_str());
  };
  try {
    // Readable by whoever may read the database (mkstemp makes it 0600).
    if (::fchmod(fd, static_cast<mode_t>(mode & 0666u)) != 0) throw std::runtime_error("chmod failed");
    f = ::fdopen(fd, "wb");
    if (!f) throw std::runtime_error("fdopen failed");
    views::CacheWriter w(f);
    w.pod(h);
    v.save(w);
    auto table_sum = w.finish();
    h.payload_size = w.size() - sizeof h;
    h.checksum = header_checksum(h, table_sum);  // each section has its own
    if (std::fseek(f, 0, SEEK_SET) != 0 || std::fwrite(&h, sizeof h, 1, f) != 1 || std::fflush(f) != 0)
      throw std::runtime_error("write failed");
    errno = 0;
    int rc = std::fclose(f);
    f = nullptr;
    fd = -1;
    if (rc != 0) throw std::runtime_error("close failed");
    if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("rename failed");
  } catch (const std::bad_alloc &) {
    drop();
    throw;
  } catch (const Error &) {
    drop();
    throw;
  } catch (const std::exception &e) {
    int err = errno;
    drop();
    throw Error(Errc::io, fmt::format("views cache: cannot write {}: {}{}", path, e.what(),
                                      err ? fmt::format(" ({})", std::strerror(err)) : std::string()));
  }
}

std::unique_ptr<views::DealViews> read_views_cache(const std::string &path, const store::ViewsStamp &current,
                                                   const std::unordered_map<Id, int> &positions,
                                                   views::DealViews::IdLimits limits, CacheStamp &at) {
  // Non-blocking: a FIFO put there would otherwise block the open forever.
  // Only a regular file is read.
  Fd file{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (file.fd < 0) return nullptr;
  struct stat st {};
  if (::fstat(file.fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < static_cast<off_t>(sizeof(Header) + 8))
    return nullptr;
  const auto size = static_cast<std::uint64_t>(st.st_size);
  Header h;
  if (!read_at(file.fd, reinterpret_cast<char *>(&h), sizeof h, 0)) return nullptr;
  const Header want = header_for(current, 0, 0);
  if (std::memcmp(h.magic, want.magic, sizeof h.magic) != 0 || h.format != want.format ||
      h.schema != want.schema || h.id_size != want.id_size ||
      std::memcmp(h.db_id, want.db_id, sizeof h.db_id) != 0 || (h.stamp != want.stamp && h.outside != want.outside) ||
      h.seq < 0 || h.payload_size != size - sizeof h)
    return nullptr;
  // The table of sections, at the end: the entries, then their count.
  std::uint64_t n = 0;
  if (!read_at(file.fd, reinterpret_cast<char *>(&n), 8, size - 8)) return nullptr;
  if (n == 0 || n > 64 || n * sizeof(views::CacheSection) + 8 > size - sizeof h) return nullptr;
  const std::uint64_t table_at = size - 8 - n * sizeof(views::CacheSection);
  std::vector<char> raw(static_cast<std::size_t>(n * sizeof(views::CacheSection) + 8));
  if (!read_at(file.fd, raw.data(), raw.size(), table_at)) return nullptr;
  if (header_checksum(h, views::cache_checksum(0, raw.data(), raw.size())) != h.checksum) return nullptr;
  std::vector<views::CacheSection> table(static_cast<std::size_t>(n));
  std::memcpy(table.data(), raw.data(), table.size() * sizeof(views::CacheSection));
  std::uint64_t end = sizeof h;  // sections follow one another up to the table
  for (const auto &s : table) {
    if (s.offset != end || s.size > table_at - s.offset) return nullptr;
    end = s.offset + s.size;
  }
  if (end != table_at) return nullptr;
  try {
    FileSections sections(file.fd, std::move(table));
    auto v = std::make_unique<views::DealViews>();
    v->set_stage_positions(positions);
    v->set_id_limits(limits);
    v->load(sections);
    at = {{current.db_id, h.stamp, h.outside}, h.seq, h.event};
    return v;
  } catch (const views::CacheFormatError &) {
    return nullptr;
  }
}

}  // namespace dealcore

// The views cache file: a fixed header (what the views were built from),
// then the views' byte stream (views/cache.cpp). See views_cache.hpp.
#include "engine/views_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "dealcore/error.hpp"
#include "views/cache_io.hpp"

namespace dealcore {

namespace {

// Bump when the stream of views/cache.cpp or this header changes shape.
constexpr std::uint32_t kFormat = 1;
constexpr char kMagic[8] = {'D', 'C', 'V', 'I', 'E', 'W', 'S', '\0'};

struct Header {
  char magic[8];
  std::uint32_t format;
  std::uint32_t schema;  // store::kSchemaVersion
  std::uint32_t id_size;
  char db_id[64];
  std::uint32_t pad;
  std::int64_t stamp;
  std::uint64_t payload_size;
  std::uint64_t checksum;
};
static_assert(sizeof(Header) == 112 && std::is_trivially_copyable_v<Header>);

Header header_for(const store::ViewsStamp &stamp) {
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.format = kFormat;
  h.schema = store::kSchemaVersion;
  if (stamp.db_id.size() > sizeof h.db_id) throw Error(Errc::internal, "views cache: database id too long");
  h.id_size = static_cast<std::uint32_t>(stamp.db_id.size());
  std::memcpy(h.db_id, stamp.db_id.data(), stamp.db_id.size());
  h.stamp = stamp.stamp;
  return h;
}

// A whole file in memory (size 0 when it cannot be read). Read, not mapped:
// a mapped file truncated by someone else would fault on access. The buffer
// is not zeroed first: read() fills it.
struct FileBytes {
  std::unique_ptr<char[]> data;
  std::size_t size = 0;
};

FileBytes read_file(const std::string &path) {
  FileBytes out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    const auto want = static_cast<std::size_t>(st.st_size);
    out.data.reset(new char[want]);
    std::size_t got = 0;
    while (got < want) {
      ssize_t k = ::read(fd, out.data.get() + got, want - got);
      if (k < 0 && errno == EINTR) continue;
      if (k <= 0) break;
      got += static_cast<std::size_t>(k);
    }
    out.size = got;
  }
  ::close(fd);
  return out;
}

}  // namespace

std::string views_cache_path(const std::string &db_path) {
  if (db_path.empty() || db_path == ":memory:") return {};
  return db_path + "-views";
}

void write_views_cache(const std::string &path, const store::ViewsStamp &stamp, const views::DealViews &v) {
  Header h = header_for(stamp);
  std::string tmp = path + ".XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) throw Error(Errc::io, fmt::format("views cache: cannot create {}: {}", tmp, std::strerror(errno)));
  std::FILE *f = ::fdopen(fd, "wb");
  if (!f) {
    int e = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    throw Error(Errc::io, fmt::format("views cache: cannot write {}: {}", tmp, std::strerror(e)));
  }
  try {
    views::CacheWriter w(f);
    w.pod(h);
    v.save(w);
    w.finish();
    h.payload_size = w.size() - sizeof h;
    // The checksum covers the header as written first (sizes and sum zero)
    // and the payload after it.
    h.checksum = w.checksum();
    if (std::fseek(f, 0, SEEK_SET) != 0 || std::fwrite(&h, sizeof h, 1, f) != 1 || std::fflush(f) != 0)
      throw std::runtime_error("write failed");
    errno = 0;
    int rc = std::fclose(f);
    f = nullptr;
    if (rc != 0) throw std::runtime_error("close failed");
    if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("rename failed");
  } catch (const std::exception &e) {
    int err = errno;
    if (f) std::fclose(f);
    ::unlink(tmp.c_str());
    if (const auto *de = dynamic_cast<const Error *>(&e)) throw *de;
    throw Error(Errc::io, fmt::format("views cache: cannot write {}: {}{}", path, e.what(),
                                      err ? fmt::format(" ({})", std::strerror(err)) : std::string()));
  }
}

std::unique_ptr<views::DealViews> read_views_cache(const std::string &path, const store::ViewsStamp &stamp,
                                                   const std::unordered_map<Id, int> &positions) {
  const FileBytes file = read_file(path);
  if (file.size < sizeof(Header)) return nullptr;
  Header h;
  std::memcpy(&h, file.data.get(), sizeof h);
  const Header want = header_for(stamp);  // its size and checksum are zero
  if (std::memcmp(h.magic, want.magic, sizeof h.magic) != 0 || h.format != want.format ||
      h.schema != want.schema || h.id_size != want.id_size ||
      std::memcmp(h.db_id, want.db_id, sizeof h.db_id) != 0 || h.stamp != want.stamp ||
      h.payload_size != file.size - sizeof h)
    return nullptr;
  // The checksum covers the file as first written, the header's size and
  // checksum still zero, in the writer's chunks.
  const char *p = file.data.get();
  const std::size_t n = file.size, first = std::min(views::kCacheChunk, n);
  std::vector<char> head(p, p + first);
  std::memcpy(head.data(), &want, sizeof want);
  std::uint64_t sum = views::cache_checksum(0, head.data(), first);
  for (std::size_t at = first; at < n; at += views::kCacheChunk)
    sum = views::cache_checksum(sum, p + at, std::min(views::kCacheChunk, n - at));
  if (sum != h.checksum) return nullptr;
  try {
    auto v = std::make_unique<views::DealViews>();
    v->set_stage_positions(positions);
    views::CacheReader r(p + sizeof h, n - sizeof h);
    v->load(r);
    return v;
  } catch (const views::CacheFormatError &) {
    return nullptr;
  }
}

}  // namespace dealcore

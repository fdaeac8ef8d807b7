// dealcore_bench — dealcore's views against SQLite-with-indexes, same data,
// same process, same questions, answers compared on every iteration.
//
//   dealcore_bench [--deals N] [--dir PATH] [--iters N] [--warmup N] [--reuse]
//                  [--only q1,q2,...] [--explain]
//
// Prints one JSON line per measurement on stdout (load, open, then one per
// question) and progress, plans and mismatches on stderr. Exits 1 when any
// answer differs between dealcore and SQLite, 2 on any other failure.
// Method and figures: docs/performance.md.
#include <dealcore/dealcore.hpp>
#include <fcntl.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "dataset.hpp"
#include "load.hpp"
#include "questions.hpp"
#include "sqlite_db.hpp"
#include "util.hpp"

namespace fs = std::filesystem;
using namespace bench;

namespace {

struct Flags {
  std::int64_t deals = 100000;
  std::string dir = "/tmp/dealcore-bench";
  int iters = 200;
  int warmup = -1;  // -1: min(10, iters / 5)
  bool reuse = false;
  bool explain = false;
  std::vector<std::string> only;
};

[[noreturn]] void usage(const char *msg) {
  std::fprintf(stderr,
               "%s\nusage: dealcore_bench [--deals N] [--dir PATH] [--iters N] [--warmup N] [--reuse]\n"
               "                      [--only q1,q2,...] [--explain]\n",
               msg);
  std::exit(2);
}

Flags parse(int argc, char **argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    auto number = [&]() -> long long {
      std::string v = value();
      char *end = nullptr;
      long long n = std::strtoll(v.c_str(), &end, 10);
      if (!end || *end || n < 0) usage(("bad number for " + a + ": " + v).c_str());
      return n;
    };
    if (a == "--deals") f.deals = number();
    else if (a == "--dir") f.dir = value();
    else if (a == "--iters") f.iters = static_cast<int>(number());
    else if (a == "--warmup") f.warmup = static_cast<int>(number());
    else if (a == "--reuse") f.reuse = true;
    else if (a == "--explain") f.explain = true;
    else if (a == "--only") {
      std::string v = value();
      for (std::size_t b = 0; b <= v.size();) {
        auto e = v.find(',', b);
        if (e == std::string::npos) e = v.size();
        if (e > b) f.only.push_back(v.substr(b, e - b));
        b = e + 1;
      }
    } else if (a == "--help" || a == "-h") usage("dealcore_bench: dealcore against SQLite");
    else usage(("unknown flag " + a).c_str());
  }
  if (f.deals < 100) usage("--deals must be at least 100");
  if (f.iters < 1) usage("--iters must be at least 1");
  if (f.warmup < 0) f.warmup = std::min(10, f.iters / 5);
  return f;
}

void remove_db(const std::string &path) {
  for (const char *suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path + suffix);
}

// The reference file is written last and carries the data set's identity;
// both files are reusable when it says the load completed for this N.
bool reusable(const std::string &ref_path, const std::string &dc_path, std::int64_t n) {
  if (!fs::exists(ref_path) || !fs::exists(dc_path)) return false;
  try {
    Db db(ref_path, false);
    return db.scalar("SELECT value FROM meta WHERE key = 'complete'") == 1 &&
           db.scalar("SELECT value FROM meta WHERE key = 'n_deals'") == n &&
           db.scalar("SELECT value FROM meta WHERE key = 'generator_version'") == kGeneratorVersion;
  } catch (const std::exception &) {
    return false;
  }
}

// Generates and loads both files in a child process, so that the parent's
// heap is untouched when it measures the memory the views take.
int generate_files(const Flags &f, const std::string &dc_path, const std::string &ref_path) {
  remove_db(dc_path);
  remove_db(ref_path);
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
    return 2;
  }
  if (pid == 0) {
    try {
      auto t0 = Clock::now();
      std::fprintf(stderr, "generating %lld deals...\n", static_cast<long long>(f.deals));
      DataSet ds = generate(f.deals);
      double gen_s = micros_since(t0) / 1e6;
      TaskSet ts = generate_tasks(ds);
      std::fprintf(stderr, "generated in %.1f s (%zu tasks); loading dealcore (bulk create_contacts / create_deals)...\n",
                   gen_s, ts.tasks.size());
      LoadTimes times;
      IdMap ids = load_dealcore(ds, ts, dc_path, times);
      std::fprintf(stderr,
                   "dealcore loaded: catalog %.1f s, contacts %.1f s, deals %.1f s, archives %.1f s, tasks %.1f s, "
                   "comments %.1f s\n",
                   times.catalog_s, times.contacts_s, times.deals_s, times.archive_s, ids.task.tasks_s,
                   ids.task.comments_s);
      load_reference(ds, ids, ref_path, times);
      load_reference_tasks(ds, ids.deals, ts, ids.task, dc_path, ref_path);
      std::fprintf(stderr, "reference loaded and indexed in %.1f s\n", times.reference_s);
      Db db(ref_path, false);
      Stmt m(db.raw(), "INSERT INTO meta VALUES (?, ?)");
      auto put = [&](const char *k, Value v) {
        m.bind(1, std::string(k)).bind(2, v).run();
        m.reset();
      };
      auto ms = [](double s) { return Value(static_cast<std::int64_t>(s * 1000)); };
      put("n_deals", f.deals);
      put("n_contacts", static_cast<std::int64_t>(ds.contacts.size()));
      put("generator_version", std::int64_t{kGeneratorVersion});
      put("dealcore_catalog_ms", ms(times.catalog_s));
      put("dealcore_contacts_ms", ms(times.contacts_s));
      put("dealcore_deals_ms", ms(times.deals_s));
      put("dealcore_archive_ms", ms(times.archive_s));
      put("reference_load_ms", ms(times.reference_s));
      put("complete", std::int64_t{1});
      std::fflush(stderr);
      _exit(0);
    } catch (const std::exception &e) {
      std::fprintf(stderr, "generation failed: %s\n", e.what());
      std::fflush(stderr);
      _exit(2);
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 2;
  return 0;
}

double process_cpu_ms() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto ms = [](const timeval &t) { return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3; };
  return ms(ru.ru_utime) + ms(ru.ru_stime);
}

std::int64_t user_version(const std::string &path) {
  Db db(path, false);
  return db.scalar("PRAGMA user_version");
}

// A reused file may come from an older library: its first open migrates the
// schema, which is not what the open measurement is about. Open it once in a
// child process (the parent's heap stays untouched) and say so.
int prime_reused_file(const std::string &dc_path) {
  std::int64_t before = user_version(dc_path);
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) return 2;
  if (pid == 0) {
    try {
      auto db = dealcore::Database::open(dc_path, bench_open_options());
      _exit(0);
    } catch (const std::exception &e) {
      std::fprintf(stderr, "opening %s failed: %s\n", dc_path.c_str(), e.what());
      _exit(2);
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 2;
  std::int64_t after = user_version(dc_path);
  if (after != before)
    std::fprintf(stderr, "migrated %s from schema %lld to %lld before measuring\n", dc_path.c_str(),
                 static_cast<long long>(before), static_cast<long long>(after));
  return 0;
}

std::int64_t heap_in_use() {
  struct mallinfo2 mi = mallinfo2();
  return static_cast<std::int64_t>(mi.uordblks + mi.hblkhd);
}

void drop_from_page_cache(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return;
  fdatasync(fd);
  posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}

// Reads a file once so the OS keeps it cached: SQLite gets its best case.
void warm_page_cache(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> buf(1 << 20);
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
  }
}

std::int64_t file_bytes(const std::string &path) {
  std::error_code ec;
  auto n = fs::file_size(path, ec);
  return ec ? 0 : static_cast<std::int64_t>(n);
}

// A fixed CPU-and-memory workload (a million random std::map inserts: 2.1 to
// 2.6 s on the 2-vCPU bench machine when nothing else runs, 4 to 8 s while
// builds share it), printed with the run so that readers can tell a busy
// machine from a slow library.
double calibration_ms() {
  Rng r(1);
  auto t0 = Clock::now();
  {
    std::map<std::uint64_t, std::uint64_t> m;
    for (std::uint64_t i = 0; i < 1000000; ++i) m.emplace(r.next(), i);
  }
  return micros_since(t0) / 1000;
}

// How often the machine stalls a short piece of work: 100,000 times, 50
// independent reads at random in 256 MB (~4 us, ~0.5 s in all). On the bench's VM a few in a thousand take 10-30x
// their median with as much thread CPU time, no page fault and no
// preemption (presumably the host's work, which the guest cannot see); such
// a stall lands in a 20-us list question's p99 now and then.
struct StallProbe {
  double p50_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
  int over_10x = 0;  // samples over 10x the median
};

StallProbe probe_stalls() {
  const std::size_t n = (std::size_t{256} << 20) / sizeof(std::uint64_t);
  std::vector<std::uint64_t> a(n, 1);
  Rng r(7);
  std::vector<double> us;
  std::uint64_t sink = 0;
  us.reserve(100000);
  for (int it = 0; it < 100000; ++it) {
    std::size_t at[50];
    for (auto &x : at) x = static_cast<std::size_t>(r.next() % n);
    auto t0 = Clock::now();
    for (auto x : at) sink += a[x];
    us.push_back(micros_since(t0));
  }
  std::sort(us.begin(), us.end());
  StallProbe p{us[us.size() / 2], us[us.size() * 99 / 100], us[us.size() * 999 / 1000], us.back(), 0};
  for (double x : us) p.over_10x += x > 10 * p.p50_us;
  if (sink == 0) std::fprintf(stderr, "stall probe: unexpected sum\n");
  return p;
}

}  // namespace

int main(int argc, char **argv) {
  Flags f = parse(argc, argv);
  fs::create_directories(f.dir);
  std::string tag = std::to_string(f.deals);
  std::string dc_path = (fs::path(f.dir) / ("dealcore-" + tag + ".db")).string();
  std::string ref_path = (fs::path(f.dir) / ("sqlite-" + tag + ".db")).string();

  if (!(f.reuse && reusable(ref_path, dc_path, f.deals))) {
    if (int rc = generate_files(f, dc_path, ref_path)) return rc;
  } else {
    std::fprintf(stderr, "reusing %s and %s\n", dc_path.c_str(), ref_path.c_str());
    if (int rc = prime_reused_file(dc_path)) return rc;
  }

  try {
    {
      Db meta(ref_path, false);
      auto get = [&](const char *k) {
        return meta.scalar(std::string("SELECT value FROM meta WHERE key = '") + k + "'");
      };
      double deals_ms = static_cast<double>(get("dealcore_deals_ms"));
      double tasks_ms = static_cast<double>(get("dealcore_tasks_ms"));
      auto n_tasks = static_cast<double>(get("n_tasks"));
      std::printf("{\"metric\":\"load\",\"n_deals\":%lld,\"n_contacts\":%lld,\"dealcore_contacts_s\":%.1f,"
                  "\"dealcore_deals_s\":%.1f,\"dealcore_us_per_deal\":%.1f,\"dealcore_archive_s\":%.1f,"
                  "\"n_tasks\":%.0f,\"dealcore_tasks_s\":%.1f,\"dealcore_us_per_task\":%.1f,"
                  "\"dealcore_comments_s\":%.1f,\"reference_load_s\":%.1f}\n",
                  static_cast<long long>(f.deals), static_cast<long long>(get("n_contacts")),
                  static_cast<double>(get("dealcore_contacts_ms")) / 1000, deals_ms / 1000,
                  deals_ms * 1000 / static_cast<double>(f.deals),
                  static_cast<double>(get("dealcore_archive_ms")) / 1000, n_tasks, tasks_ms / 1000,
                  n_tasks > 0 ? tasks_ms * 1000 / n_tasks : 0.0,
                  static_cast<double>(get("dealcore_comments_ms")) / 1000,
                  static_cast<double>(get("reference_load_ms")) / 1000);
    }

    // Fixed costs first (phone metadata, ICU data, the SQLite library) by
    // opening an empty database, so the delta below is the views' own.
    {
      std::string probe = (fs::path(f.dir) / "empty-probe.db").string();
      remove_db(probe);
      auto empty = dealcore::Database::open(probe);
      (void)empty.deal_count();
    }
    fs::remove(fs::path(f.dir) / "empty-probe.db");
    remove_db((fs::path(f.dir) / "empty-probe.db").string());

    // Every open below closes the previous database first, then times
    // Database::open: wall and CPU milliseconds.
    std::unique_ptr<dealcore::Database> db;
    struct Timed {
      double ms, cpu_ms;
    };
    auto timed_open = [&](const dealcore::Options &options) {
      db.reset();
      double cpu0 = process_cpu_ms();
      auto t0 = Clock::now();
      db = std::make_unique<dealcore::Database>(dealcore::Database::open(dc_path, options));
      return Timed{micros_since(t0) / 1000, process_cpu_ms() - cpu0};
    };

    // Opening from the tables (the views cache off), cold then warm; the
    // memory figure is this first open's.
    auto tables_options = bench_open_options();
    tables_options.views_cache = false;
    drop_from_page_cache(dc_path);
    double load1 = load_average();
    std::int64_t rss0 = resident_bytes(), heap0 = heap_in_use();
    const Timed open_cold = timed_open(tables_options);
    std::int64_t rss1 = resident_bytes(), heap1 = heap_in_use();
    const Timed open_warm = timed_open(tables_options);

    // The views cache: written once, then opened from, cold then warm. The
    // questions below run on the views loaded from it.
    const std::string cache_path = dc_path + "-views";
    auto t0 = Clock::now();
    bool saved = db->save_views_cache();
    double save_ms = micros_since(t0) / 1000;
    db.reset();
    auto cache_options = bench_open_options();
    cache_options.views_cache_min_deals = std::numeric_limits<std::int64_t>::max();  // read it, never rewrite it
    drop_from_page_cache(dc_path);
    drop_from_page_cache(cache_path);
    const Timed cache_cold = timed_open(cache_options);
    bool from_cache = db->views_from_cache();
    const Timed cache_warm = timed_open(cache_options);
    from_cache = from_cache && db->views_from_cache();
    if (!saved || !from_cache) std::fprintf(stderr, "the views cache was not written or not used\n");

    // A process that wrote on after the cache and ended without closing
    // (or another process's writes): on a copy of the file and its cache,
    // so the questions' data stays as loaded. A second connection, loaded
    // from the cache, changes the amount of kStaleWrites deals, one
    // transaction each; the first catches up by refresh(); then the copy is
    // opened from its now stale cache. Both read the events since.
    constexpr int kStaleWrites = 1000;
    db.reset();
    const std::string stale_path = (fs::path(f.dir) / "stale-copy.db").string();
    remove_db(stale_path);
    fs::copy_file(dc_path, stale_path, fs::copy_options::overwrite_existing);
    fs::copy_file(cache_path, stale_path + "-views", fs::copy_options::overwrite_existing);
    double refresh_ms = 0, stale_open_ms = 0;
    bool stale_from_cache = false;
    {
      auto reader = dealcore::Database::open(stale_path, cache_options);
      {
        auto writer = dealcore::Database::open(stale_path, cache_options);
        for (int i = 0; i < kStaleWrites; ++i) {
          dealcore::Id id = 1 + static_cast<dealcore::Id>(i) * (f.deals / kStaleWrites);
          auto d = writer.get_deal(id);
          writer.update_deal(dealcore::Actor::system(), id, {.amount = d.amount.minor + 100});
        }
      }
      auto t1 = Clock::now();
      reader.refresh();
      refresh_ms = micros_since(t1) / 1000;
      stale_from_cache = reader.views_from_cache();
    }
    {
      auto t1 = Clock::now();
      auto reopened = dealcore::Database::open(stale_path, cache_options);
      stale_open_ms = micros_since(t1) / 1000;
      stale_from_cache = stale_from_cache && reopened.views_from_cache();
    }
    remove_db(stale_path);
    fs::remove(stale_path + "-views");
    if (!stale_from_cache) std::fprintf(stderr, "the stale views cache was rebuilt, not caught up\n");
    db = std::make_unique<dealcore::Database>(dealcore::Database::open(dc_path, cache_options));

    auto n = static_cast<double>(f.deals);
    std::printf("{\"metric\":\"open\",\"n_deals\":%lld,\"open_cold_ms\":%.0f,\"open_cold_cpu_ms\":%.0f,"
                "\"open_warm_ms\":%.0f,\"open_warm_cpu_ms\":%.0f,"
                "\"rss_delta_bytes\":%lld,\"rss_bytes_per_deal\":%.0f,\"heap_delta_bytes\":%lld,"
                "\"heap_bytes_per_deal\":%.0f,\"dealcore_file_bytes\":%lld,\"sqlite_file_bytes\":%lld,"
                "\"cache_save_ms\":%.0f,\"cache_file_bytes\":%lld,\"from_cache\":%s,"
                "\"cache_cold_ms\":%.0f,\"cache_cold_cpu_ms\":%.0f,\"cache_warm_ms\":%.0f,\"cache_warm_cpu_ms\":%.0f,"
                "\"stale_writes\":%d,\"refresh_ms\":%.1f,\"stale_cache_open_ms\":%.0f,\"stale_from_cache\":%s,"
                "\"load1\":%.2f}\n",
                static_cast<long long>(f.deals), open_cold.ms, open_cold.cpu_ms, open_warm.ms, open_warm.cpu_ms,
                static_cast<long long>(rss1 - rss0),
                static_cast<double>(rss1 - rss0) / n, static_cast<long long>(heap1 - heap0),
                static_cast<double>(heap1 - heap0) / n, static_cast<long long>(file_bytes(dc_path)),
                static_cast<long long>(file_bytes(ref_path)), save_ms, static_cast<long long>(file_bytes(cache_path)),
                from_cache ? "true" : "false", cache_cold.ms, cache_cold.cpu_ms, cache_warm.ms, cache_warm.cpu_ms,
                kStaleWrites, refresh_ms, stale_open_ms, stale_from_cache ? "true" : "false", load1);
    std::fflush(stdout);

    // After the memory measurement: the workload's freed heap would be
    // reused by the open and hide part of its cost.
    const double calibration = calibration_ms();
    const StallProbe stalls = probe_stalls();
    std::printf(
        "{\"metric\":\"machine\",\"calibration_map_1m_inserts_ms\":%.0f,\"stall_probe_p50_us\":%.2f,"
        "\"stall_probe_p99_us\":%.2f,\"stall_probe_p999_us\":%.1f,\"stall_probe_max_us\":%.0f,"
        "\"stall_probe_over_10x_of_100000\":%d,\"load1\":%.2f}\n",
        calibration, stalls.p50_us, stalls.p99_us, stalls.p999_us, stalls.max_us, stalls.over_10x, load_average());
    std::fflush(stdout);
    warm_page_cache(ref_path);
    Db ref(ref_path, false);
    ensure_reference_indexes(ref);
    ref.exec("PRAGMA query_only = 1; PRAGMA cache_size = -2000000; PRAGMA mmap_size = 8589934592; "
             "PRAGMA temp_store = MEMORY");

    RunConfig cfg;
    cfg.n_deals = f.deals;
    cfg.iters = f.iters;
    cfg.warmup = f.warmup;
    cfg.only = f.only;
    cfg.explain = f.explain;
    RunResult r = run_questions(*db, ref, cfg);
    std::fprintf(stderr, "%d questions, %d mismatching iterations, %d errors\n", r.questions, r.mismatches,
                 r.errors);
    if (r.mismatches) return 1;
    return r.errors ? 2 : 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "dealcore_bench: %s\n", e.what());
    return 2;
  }
}

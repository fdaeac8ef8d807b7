// bench/util.hpp — small helpers of the benchmark: a deterministic random
// generator, timing and percentiles, resident memory, text folding.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

// splitmix64: tiny, fast and the same on every platform and standard library
// (std::uniform_int_distribution is not), so a seed names one data set.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n).
  std::uint64_t below(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }

 private:
  std::uint64_t s_;
};

// A stateless hash, to derive the parameters of iteration i of a question.
inline std::uint64_t mix(std::uint64_t a, std::uint64_t b = 0) {
  Rng r(a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull));
  return r.next();
}

using Clock = std::chrono::steady_clock;

inline double micros_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

// CPU time of the calling thread in microseconds: unlike wall time, it does
// not count the time the thread waited for a core on a busy machine.
double thread_cpu_us();
// This thread's minor and major page faults and involuntary context
// switches so far (getrusage RUSAGE_THREAD), to explain a slow call.
struct ThreadEvents {
  long minflt = 0, majflt = 0, nivcsw = 0;
};
ThreadEvents thread_events();

// The 1-minute load average (from /proc/loadavg).
double load_average();

// Nearest-rank percentile of samples (sorted in place).
inline double percentile(std::vector<double> &v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size()) + 0.999999);
  rank = std::clamp<std::size_t>(rank, 1, v.size());
  return v[rank - 1];
}

// VmRSS of this process in bytes (from /proc/self/status), 0 if unknown.
std::int64_t resident_bytes();

// The same folding the library promises for text search and name sorting:
// Unicode case folding, then ё -> е (docs in include/dealcore/query.hpp).
std::string fold_key(std::string_view s);

// JSON string literal with the needed escapes.
std::string json_str(std::string_view s);

}  // namespace bench

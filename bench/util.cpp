#include "util.hpp"

#include <unicode/unistr.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>

#include <sys/resource.h>

namespace bench {

std::int64_t resident_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      long long kb = 0;
      std::sscanf(line.c_str() + 6, "%lld", &kb);
      return kb * 1024;
    }
  }
  return 0;
}

double thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

ThreadEvents thread_events() {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  return {ru.ru_minflt, ru.ru_majflt, ru.ru_nivcsw};
}

double load_average() {
  std::ifstream in("/proc/loadavg");
  double l = 0;
  in >> l;
  return l;
}

std::string fold_key(std::string_view s) {
  icu::UnicodeString u =
      icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  u.foldCase();
  u.findAndReplace(icu::UnicodeString(static_cast<UChar32>(0x0451)),
                   icu::UnicodeString(static_cast<UChar32>(0x0435)));
  std::string out;
  u.toUTF8String(out);
  return out;
}

std::string json_str(std::string_view s) {
  std::string o = "\"";
  for (char c : s) {
    switch (c) {
      case '"': o += "\\\""; break;
      case '\\': o += "\\\\"; break;
      case '\n': o += "\\n"; break;
      case '\t': o += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          o += buf;
        } else {
          o += c;
        }
    }
  }
  return o + "\"";
}

}  // namespace bench

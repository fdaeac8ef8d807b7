#include "text.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <utility>
#include <vector>
#include <ctime>

#include <fmt/format.h>
#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>
#include <unicode/unistr.h>

#include "args.hpp"

namespace cli {
namespace {

// Decodes one code point at s[i], advancing i; malformed input yields
// U+FFFD and consumes one byte.
char32_t next_codepoint(std::string_view s, std::size_t &i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  int len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t c = len == 1 ? b0 : len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    c = (c << 6) | (b & 0x3F);
  }
  i += len;
  return c;
}

std::string group_thousands(std::string digits) {
  std::string out;
  const std::size_t n = digits.size();
  for (std::size_t k = 0; k < n; ++k) {
    if (k > 0 && (n - k) % 3 == 0) out += ' ';
    out += digits[k];
  }
  return out;
}

}  // namespace

int codepoint_width(char32_t c) {
  if (c == 0) return 0;
  if (c < 0x20 || (c >= 0x7F && c < 0xA0)) return 0;
  if (c == 0x00AD) return 1;  // soft hyphen: terminals draw it
  if (c >= 0x1160 && c <= 0x11FF) return 0;  // Hangul medial vowels, final consonants
  if (c == 0x200B) return 0;
  const auto cat = u_charType(static_cast<UChar32>(c));
  if (cat == U_NON_SPACING_MARK || cat == U_ENCLOSING_MARK || cat == U_FORMAT_CHAR) return 0;
  const auto eaw = u_getIntPropertyValue(static_cast<UChar32>(c), UCHAR_EAST_ASIAN_WIDTH);
  if (eaw == U_EA_WIDE || eaw == U_EA_FULLWIDTH) return 2;
  return 1;
}

namespace {

// Calls f(end, columns) for each grapheme cluster (Unicode's extended
// ones, as ICU finds them): a terminal draws a cluster as one glyph, as
// wide as its widest code point, and a flag (two regional indicators) two
// columns wide. So "👍🏽" (a thumb and a skin tone), "👨‍👩‍👧" (three
// people joined by U+200D) and "🇷🇺" each take 2, not 4, 6 or 2+2. Text
// below U+0800 (Latin, Cyrillic, their combining marks) has no clusters
// wider than their first code point and skips ICU.
template <class F>
void for_each_cluster(std::string_view s, F &&f) {
  const bool simple = std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0xE0; });
  if (!simple) {
    thread_local std::unique_ptr<icu::BreakIterator> it = [] {
      UErrorCode status = U_ZERO_ERROR;
      std::unique_ptr<icu::BreakIterator> b(icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
      return U_SUCCESS(status) ? std::move(b) : nullptr;
    }();
    UErrorCode status = U_ZERO_ERROR;
    UText *text = it ? utext_openUTF8(nullptr, s.data(), static_cast<int64_t>(s.size()), &status) : nullptr;
    std::vector<std::pair<std::size_t, int>> clusters;  // end, columns
    std::size_t start = 0;
    if (text && U_SUCCESS(status)) {
      it->setText(text, status);
      for (int32_t end = it->next(); U_SUCCESS(status) && end != icu::BreakIterator::DONE; end = it->next()) {
        int w = 0;
        std::size_t i = start;
        const char32_t first = next_codepoint(s, i);
        if (first >= 0x1F1E6 && first <= 0x1F1FF) w = 2;  // a regional indicator: a flag
        for (i = start; i < static_cast<std::size_t>(end);) w = std::max(w, codepoint_width(next_codepoint(s, i)));
        clusters.emplace_back(static_cast<std::size_t>(end), w);
        start = static_cast<std::size_t>(end);
      }
    }
    if (text) utext_close(text);
    if (U_SUCCESS(status) && start == s.size()) {
      for (const auto &[end, w] : clusters) f(end, w);
      return;
    }
    // ICU failed (out of memory): code point by code point.
  }
  for (std::size_t i = 0; i < s.size();) {
    const int w = codepoint_width(next_codepoint(s, i));
    f(i, w);
  }
}

}  // namespace

int display_width(std::string_view s) {
  int w = 0;
  for_each_cluster(s, [&](std::size_t, int columns) { w += columns; });
  return w;
}

std::string truncate_to_width(std::string_view s, int width) {
  if (display_width(s) <= width) return std::string(s);
  if (width <= 0) return {};
  const int budget = width - 1;  // "…" takes one column
  int used = 0;
  std::size_t cut = 0;
  bool full = false;
  for_each_cluster(s, [&](std::size_t end, int columns) {
    if (full || used + columns > budget) {
      full = true;
      return;
    }
    used += columns;
    cut = end;
  });
  return std::string(s.substr(0, cut)) + "…";
}

std::string pad_right(std::string_view s, int width) {
  std::string out = truncate_to_width(s, width);
  out.append(static_cast<std::size_t>(std::max(0, width - display_width(out))), ' ');
  return out;
}

std::string pad_left(std::string_view s, int width) {
  std::string t = truncate_to_width(s, width);
  return std::string(static_cast<std::size_t>(std::max(0, width - display_width(t))), ' ') + t;
}

std::string fold(std::string_view s) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  u.foldCase();
  u.findAndReplace(icu::UnicodeString(static_cast<UChar32>(0x0451)),
                   icu::UnicodeString(static_cast<UChar32>(0x0435)));  // ё -> е
  std::string out;
  u.toUTF8String(out);
  return out;
}

std::string format_amount(std::int64_t minor, std::string_view currency) {
  const int digits = minor_digits(currency);
  const bool negative = minor < 0;
  // Work in unsigned so INT64_MIN does not overflow.
  std::uint64_t v = negative ? 0 - static_cast<std::uint64_t>(minor) : static_cast<std::uint64_t>(minor);
  std::uint64_t scale = 1;
  for (int k = 0; k < digits; ++k) scale *= 10;
  std::string out = negative ? "-" : "";
  out += group_thousands(std::to_string(v / scale));
  if (digits > 0) out += fmt::format(",{:0{}}", v % scale, digits);
  return out;
}

std::string format_money(const dealcore::Money &m) {
  const std::string amount = format_amount(m.minor, m.currency);
  if (m.currency == "RUB") return amount + " ₽";
  return amount + " " + m.currency;
}

std::string format_time(dealcore::Millis ms) {
  if (ms == 0) return "—";
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min);
}

std::string format_date(dealcore::Millis ms) {
  if (ms == 0) return "—";
  return format_time(ms).substr(0, 10);
}

std::string_view kind_name(dealcore::StageKind kind) {
  switch (kind) {
    case dealcore::StageKind::won: return "won";
    case dealcore::StageKind::lost: return "lost";
    default: return "open";
  }
}

bool use_color() {
  static const bool on = isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
  return on;
}

std::string ansi_color(std::string_view hex) {
  if (hex.size() != 7 || hex[0] != '#') return {};
  unsigned rgb = 0;
  for (char ch : hex.substr(1)) {
    int v = ch >= '0' && ch <= '9' ? ch - '0'
            : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
            : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                     : -1;
    if (v < 0) return {};
    rgb = rgb * 16 + static_cast<unsigned>(v);
  }
  return fmt::format("\x1b[38;2;{};{};{}m", rgb >> 16, (rgb >> 8) & 0xFF, rgb & 0xFF);
}

int terminal_width(int fallback) {
  if (const char *env = std::getenv("COLUMNS")) {
    int v = std::atoi(env);
    if (v > 20) return v;
  }
  winsize ws{};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
    return ws.ws_col;
  return fallback;
}

}  // namespace cli

#include "model/text.hpp"

#include <unicode/unistr.h>

#include "dealcore/error.hpp"

namespace dealcore::model {

bool valid_utf8(std::string_view s) noexcept {
  const auto *p = reinterpret_cast<const unsigned char *>(s.data());
  const auto *end = p + s.size();
  while (p < end) {
    unsigned c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n;
    unsigned cp;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
      if (c < 0xC2) return false;  // overlong
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
      if (c > 0xF4) return false;
    } else {
      return false;
    }
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return false;
    if (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) return false;
    p += n + 1;
  }
  return true;
}

std::string trim(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  std::size_t b = 0, e = s.size();
  while (b < e && ws(s[b])) ++b;
  while (e > b && ws(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

std::string checked_text(std::string_view field, std::string_view value, bool required,
                         std::size_t max_bytes) {
  if (!valid_utf8(value))
    throw Error(Errc::invalid_argument, std::string(field) + " is not valid UTF-8");
  std::string t = trim(value);
  if (required && t.empty()) throw Error(Errc::invalid_argument, std::string(field) + " must not be empty");
  if (t.size() > max_bytes)
    throw Error(Errc::invalid_argument,
                std::string(field) + " is longer than " + std::to_string(max_bytes) + " bytes");
  // C0 controls but tab and line breaks, DEL, and the C1 controls
  // U+0080..U+009F (UTF-8 C2 80..C2 9F: U+009B starts a terminal escape).
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto c = static_cast<unsigned char>(t[i]);
    const bool c0 = c < 0x20 && c != '\t' && c != '\n' && c != '\r';
    const bool c1 = c == 0xC2 && i + 1 < t.size() && static_cast<unsigned char>(t[i + 1]) < 0xA0;
    if (c0 || c == 0x7F || c1)
      throw Error(Errc::invalid_argument, std::string(field) + " contains a control character");
  }
  return t;
}

static std::string fold(std::string_view s, bool merge_yo) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  u.foldCase();
  if (merge_yo)
    u.findAndReplace(icu::UnicodeString(static_cast<UChar32>(0x0451)), icu::UnicodeString(static_cast<UChar32>(0x0435)));
  std::string out;
  u.toUTF8String(out);
  return out;
}

// The common case — ASCII and the Cyrillic block U+0400..U+045F — folded by
// hand: opening a million-deal file folds every name, and ICU's round trip
// through UTF-16 costs ~20x more. Anything else goes to ICU. A unit test
// checks the fast path against ICU for every code point it handles.
static bool fold_fast(std::string_view s, bool merge_yo, std::string &out) {
  out.clear();
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : static_cast<char>(c));
      continue;
    }
    if ((c != 0xD0 && c != 0xD1) || i + 1 >= s.size()) return false;
    auto d = static_cast<unsigned char>(s[i + 1]);
    unsigned cp = ((c & 0x1Fu) << 6) | (d & 0x3Fu);
    ++i;
    if (cp >= 0x0400 && cp <= 0x040F) cp += 0x50;       // Ѐ..Џ -> ѐ..џ
    else if (cp >= 0x0410 && cp <= 0x042F) cp += 0x20;  // А..Я -> а..я
    else if (cp < 0x0430 || cp > 0x045F) return false;  // not in the handled block
    if (merge_yo && cp == 0x0451) cp = 0x0435;          // ё -> е
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return true;
}

std::string fold_key(std::string_view s) {
  std::string out;
  fold_key(s, out);
  return out;
}

std::string_view fold_key(std::string_view s, std::string &out) {
  if (!fold_fast(s, true, out)) out = fold(s, true);
  return out;
}

std::string fold_case(std::string_view s) {
  std::string out;
  if (fold_fast(s, false, out)) return out;
  return fold(s, false);
}

std::string fold_key_icu(std::string_view s) { return fold(s, true); }

std::string checked_currency(std::string_view code) {
  if (code.size() != 3 || !(code[0] >= 'A' && code[0] <= 'Z') || !(code[1] >= 'A' && code[1] <= 'Z') ||
      !(code[2] >= 'A' && code[2] <= 'Z'))
    throw Error(Errc::invalid_argument,
                "currency must be an ISO 4217 code of three upper-case letters, got '" +
                    std::string(valid_utf8(code) ? code : "?") + "'");
  return std::string(code);
}

}  // namespace dealcore::model

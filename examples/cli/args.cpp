#include "args.hpp"

#include <charconv>
#include <ctime>
#include <limits>

#include <fmt/format.h>

namespace cli {

std::optional<std::string> Args::get(std::string_view flag) const {
  auto it = values_.find(flag);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Args::all(std::string_view flag) const {
  auto it = values_.find(flag);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

Args parse_args(const std::vector<std::string> &tokens, const std::vector<Flag> &flags) {
  Args args;
  bool only_positional = false;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string &tok = tokens[i];
    if (only_positional || tok.size() < 2 || tok[0] != '-') {
      args.positional.push_back(tok);
      continue;
    }
    if (tok == "--") {
      only_positional = true;
      continue;
    }
    if (tok == "-h") {
      args.values_["help"].push_back("");
      continue;
    }
    if (tok.rfind("--", 0) != 0) throw UsageError(fmt::format("unknown option '{}'", tok));
    std::string name = tok.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    const Flag *flag = nullptr;
    for (const Flag &f : flags)
      if (f.name == name) flag = &f;
    if (!flag) throw UsageError(fmt::format("unknown option '--{}'", name));
    auto &slot = args.values_[name];
    if (!slot.empty() && !flag->repeat)
      throw UsageError(fmt::format("option '--{}' given more than once", name));
    if (flag->metavar.empty()) {
      if (inline_value) throw UsageError(fmt::format("option '--{}' takes no value", name));
      slot.push_back("");
    } else if (inline_value) {
      slot.push_back(*inline_value);
    } else {
      if (i + 1 >= tokens.size())
        throw UsageError(fmt::format("option '--{}' needs a value ({})", name, flag->metavar));
      slot.push_back(tokens[++i]);
    }
  }
  return args;
}

std::int64_t parse_int(std::string_view text, std::string_view what) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size())
    throw UsageError(fmt::format("{}: '{}' is not an integer", what, text));
  return v;
}

std::int64_t parse_id(std::string_view text, std::string_view what) {
  std::int64_t v = parse_int(text, what);
  if (v <= 0) throw UsageError(fmt::format("{}: '{}' is not a valid id", what, text));
  return v;
}

int minor_digits(std::string_view c) {
  static constexpr std::string_view zero[] = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF",
                                              "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV",
                                              "XAF", "XOF", "XPF"};
  static constexpr std::string_view three[] = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};
  for (auto z : zero)
    if (z == c) return 0;
  for (auto t : three)
    if (t == c) return 3;
  return 2;
}

std::string parse_currency(std::string_view text) {
  std::string code;
  for (char ch : text) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    if (ch < 'A' || ch > 'Z') break;
    code += ch;
  }
  if (code.size() != 3 || text.size() != 3)
    throw UsageError(fmt::format("currency: '{}' is not a three-letter ISO 4217 code", text));
  return code;
}

std::int64_t parse_money(std::string_view text, std::string_view currency, std::string_view what) {
  const int digits = minor_digits(currency);
  bool negative = false, seen_digit = false, in_fraction = false;
  int fraction_digits = 0;
  std::int64_t value = 0;
  auto bad = [&](std::string_view why) {
    return UsageError(fmt::format("{}: '{}' is not an amount ({})", what, text, why));
  };
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  for (; i < text.size(); ++i) {
    char ch = text[i];
    if (ch == ' ' || ch == '_' || ch == '\'') continue;  // digit grouping
    if (ch == '.' || ch == ',') {
      if (in_fraction) throw bad("two decimal separators");
      in_fraction = true;
      continue;
    }
    if (ch < '0' || ch > '9') throw bad("unexpected character");
    seen_digit = true;
    if (in_fraction && ++fraction_digits > digits)
      throw bad(fmt::format("{} allows {} decimal places", currency, digits));
    if (value > (std::numeric_limits<std::int64_t>::max() - (ch - '0')) / 10) throw bad("too large");
    value = value * 10 + (ch - '0');
  }
  if (!seen_digit) throw bad("no digits");
  for (; fraction_digits < digits; ++fraction_digits) {
    if (value > std::numeric_limits<std::int64_t>::max() / 10) throw bad("too large");
    value *= 10;
  }
  return negative ? -value : value;
}

std::int64_t parse_date(std::string_view text, std::string_view what) {
  int y = 0, m = 0, d = 0;
  auto num = [&](std::size_t pos, std::size_t len, int &out) {
    if (pos + len > text.size()) return false;
    auto [p, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, out);
    return ec == std::errc() && p == text.data() + pos + len;
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !num(0, 4, y) || !num(5, 2, m) ||
      !num(8, 2, d) || m < 1 || m > 12 || d < 1 || d > 31)
    throw UsageError(fmt::format("{}: '{}' is not a date (YYYY-MM-DD)", what, text));
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  std::time_t t = timegm(&tm);
  if (tm.tm_mday != d) throw UsageError(fmt::format("{}: '{}' is not a real date", what, text));
  return static_cast<std::int64_t>(t) * 1000;
}

}  // namespace cli

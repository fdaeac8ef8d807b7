// args.hpp — command-line parsing for the dealcore CLI: flags, their values,
// and the parsers that turn flag text into API values (ids, money, dates).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cli {

// A mistake in how the program was called: exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The request was well-formed but cannot be done (unknown name, ...): exit 1.
class Failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Flag {
  std::string_view name;     // without the leading "--"
  std::string_view metavar;  // empty: a switch that takes no value
  bool repeat = false;       // may be given several times
  std::string_view help;
};

class Args {
 public:
  bool has(std::string_view flag) const { return values_.count(std::string(flag)) != 0; }
  // The flag's value, or nullopt when it was not given.
  std::optional<std::string> get(std::string_view flag) const;
  // Every value of a repeatable flag, in order (empty when not given).
  std::vector<std::string> all(std::string_view flag) const;

  std::vector<std::string> positional;

 private:
  friend Args parse_args(const std::vector<std::string> &, const std::vector<Flag> &);
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
};

// Accepts "--flag value", "--flag=value" and "--" (the rest is positional).
// Throws UsageError for unknown flags, missing values and repeated
// non-repeatable flags.
Args parse_args(const std::vector<std::string> &tokens, const std::vector<Flag> &flags);

// Value parsers; `what` names the flag in the error message.
std::int64_t parse_int(std::string_view text, std::string_view what);
// A positive int64 id.
std::int64_t parse_id(std::string_view text, std::string_view what);
// "1500", "1500.5", "1 500,50" in major units -> minor units of `currency`.
std::int64_t parse_money(std::string_view text, std::string_view currency, std::string_view what);
// "YYYY-MM-DD" -> milliseconds at 00:00 UTC of that day.
std::int64_t parse_date(std::string_view text, std::string_view what);
// Three ASCII letters, returned upper-cased.
std::string parse_currency(std::string_view text);

// Digits after the decimal point in the currency's minor unit (ISO 4217).
int minor_digits(std::string_view currency);

}  // namespace cli

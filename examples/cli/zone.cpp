#include "zone.hpp"

#include <charconv>
#include <cstdlib>

#include <fmt/format.h>
#include <unicode/gregocal.h>
#include <unicode/timezone.h>

#include "args.hpp"

namespace cli {

struct Zone::Impl {
  std::unique_ptr<icu::Calendar> cal;  // a template, cloned per call
  std::unique_ptr<icu::Calendar> at(dealcore::Millis t) const {
    std::unique_ptr<icu::Calendar> c(cal->clone());
    UErrorCode st = U_ZERO_ERROR;
    c->setTime(static_cast<UDate>(t), st);
    return c;
  }
};

bool Zone::known(const std::string &name) {
  if (name.empty() || name.size() > 64) return false;
  icu::UnicodeString canonical;
  UBool system = false;
  UErrorCode st = U_ZERO_ERROR;
  icu::TimeZone::getCanonicalID(icu::UnicodeString::fromUTF8(name), canonical, system, st);
  return U_SUCCESS(st) && system && canonical != icu::UnicodeString(UCAL_UNKNOWN_ZONE_ID);
}

std::string Zone::default_name() {
  const char *env = std::getenv("TZ");
  if (!env) return "UTC";
  std::string tz = env;
  if (!tz.empty() && tz[0] == ':') tz.erase(0, 1);
  // Only region names ("Europe/Moscow") and UTC; POSIX rules such as "MSK-3"
  // and abbreviations are not IANA names.
  if (tz == "UTC" || (tz.find('/') != std::string::npos && tz[0] != '/' && known(tz))) return tz;
  return "UTC";
}

Zone::Zone(const std::string &name) : name_(name), impl_(std::make_unique<Impl>()) {
  if (!known(name))
    throw Failure(fmt::format("unknown time zone '{}' (give an IANA name such as Europe/Moscow or UTC)", name));
  UErrorCode st = U_ZERO_ERROR;
  impl_->cal = std::make_unique<icu::GregorianCalendar>(
      icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(name)), st);
  if (U_FAILURE(st)) throw Failure(fmt::format("cannot make a calendar for time zone '{}'", name));
}

Zone::~Zone() = default;

std::string Zone::format_time(dealcore::Millis ms) const {
  if (ms == 0) return "—";
  auto c = impl_->at(ms);
  UErrorCode st = U_ZERO_ERROR;
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", c->get(UCAL_YEAR, st), c->get(UCAL_MONTH, st) + 1,
                     c->get(UCAL_DATE, st), c->get(UCAL_HOUR_OF_DAY, st), c->get(UCAL_MINUTE, st));
}

std::string Zone::format_date(dealcore::Millis ms) const {
  if (ms == 0) return "—";
  return format_time(ms).substr(0, 10);
}

namespace {

bool num(std::string_view s, std::size_t pos, std::size_t len, int &out) {
  if (pos + len > s.size()) return false;
  auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, out);
  return ec == std::errc() && p == s.data() + pos + len;
}

}  // namespace

dealcore::Millis Zone::parse_time(std::string_view text, std::string_view what) const {
  int y = 0, m = 0, d = 0, hh = 0, mm = 0;
  const bool shape = text.size() == 16 && text[4] == '-' && text[7] == '-' &&
                     (text[10] == ' ' || text[10] == 'T') && text[13] == ':';
  if (!shape || !num(text, 0, 4, y) || !num(text, 5, 2, m) || !num(text, 8, 2, d) ||
      !num(text, 11, 2, hh) || !num(text, 14, 2, mm) || m < 1 || m > 12 || d < 1 || d > 31 ||
      hh > 23 || mm > 59)
    throw UsageError(fmt::format("{}: '{}' is not a time (YYYY-MM-DD HH:MM)", what, text));
  std::unique_ptr<icu::Calendar> c(impl_->cal->clone());
  c->clear();
  c->setLenient(false);
  c->set(y, m - 1, d, hh, mm, 0);
  UErrorCode st = U_ZERO_ERROR;
  const UDate t = c->getTime(st);
  if (U_FAILURE(st)) {
    // A non-lenient calendar refuses 31 February; a time skipped by a DST
    // change is taken as the lenient calendar would.
    c->setLenient(true);
    st = U_ZERO_ERROR;
    c->clear();
    c->set(y, m - 1, d, hh, mm, 0);
    const UDate t2 = c->getTime(st);
    if (U_FAILURE(st) || c->get(UCAL_DATE, st) != d)
      throw UsageError(fmt::format("{}: '{}' is not a real date", what, text));
    return static_cast<dealcore::Millis>(t2);
  }
  return static_cast<dealcore::Millis>(t);
}

dealcore::Millis Zone::parse_day(std::string_view text, std::string_view what) const {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !num(text, 0, 4, y) ||
      !num(text, 5, 2, m) || !num(text, 8, 2, d))
    throw UsageError(fmt::format("{}: '{}' is not a date (YYYY-MM-DD)", what, text));
  return parse_time(fmt::format("{} 12:00", text), what);
}

dealcore::Millis Zone::day_start_after(dealcore::Millis t, int days) const {
  auto c = impl_->at(t);
  UErrorCode st = U_ZERO_ERROR;
  if (days) c->add(UCAL_DATE, days, st);
  c->set(UCAL_HOUR_OF_DAY, 0);
  c->set(UCAL_MINUTE, 0);
  c->set(UCAL_SECOND, 0);
  c->set(UCAL_MILLISECOND, 0);
  return static_cast<dealcore::Millis>(c->getTime(st));
}

}  // namespace cli

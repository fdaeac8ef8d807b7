#include "model/timezone.hpp"

#include <unicode/gregocal.h>
#include <unicode/timezone.h>

#include <map>
#include <mutex>

#include "dealcore/error.hpp"
#include "model/text.hpp"

namespace dealcore::model {

namespace {
constexpr Millis kDay = 86400000;
Millis floor_day(Millis t) { return (t >= 0 ? t : t - kDay + 1) / kDay * kDay; }
}  // namespace

Millis checked_time(std::string_view field, Millis t) {
  if (t < kMinTime || t > kMaxTime)
    throw Error(Errc::invalid_argument,
                std::string(field) + " is out of range: times must fall in the years 1 to 9999 (UTC)");
  return t;
}

const Zone &Zone::get(const std::string &name) {
  // The default of every query: no lock, no map.
  static const Zone utc("UTC");
  if (name == "UTC") return utc;
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<Zone>> cache;
  std::lock_guard lock(mu);
  auto it = cache.find(name);
  if (it != cache.end()) return *it->second;
  auto z = std::make_unique<Zone>(name);  // throws for a bad name: nothing cached
  if (cache.size() >= 256) throw Error(Errc::invalid_argument, "too many distinct time zones");
  return *cache.emplace(name, std::move(z)).first->second;
}

Zone::Zone(const std::string &name) {
  if (name.empty() || name.size() > 64 || !valid_utf8(name))
    throw Error(Errc::invalid_argument, "time zone must be an IANA name such as Europe/Moscow");
  if (name == "UTC" || name == "Etc/UTC") {
    utc_ = true;
    return;
  }
  std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(name)));
  icu::UnicodeString id;
  if (!tz || tz->getID(id) == icu::UnicodeString(UCAL_UNKNOWN_ZONE_ID))
    throw Error(Errc::invalid_argument, "unknown time zone '" + name + "'");
  UErrorCode status = U_ZERO_ERROR;
  cal_ = std::make_unique<icu::GregorianCalendar>(tz.release(), status);
  if (U_FAILURE(status)) throw Error(Errc::internal, "cannot make a calendar for '" + name + "'");
}

Millis Zone::day_start_after(Millis t, int days) const {
  checked_time("time", t);
  if (utc_) return floor_day(t) + days * kDay;
  std::unique_ptr<icu::Calendar> c(cal_->clone());
  UErrorCode status = U_ZERO_ERROR;
  c->setTime(static_cast<UDate>(t), status);
  if (days) c->add(UCAL_DATE, days, status);
  c->set(UCAL_HOUR_OF_DAY, 0);
  c->set(UCAL_MINUTE, 0);
  c->set(UCAL_SECOND, 0);
  c->set(UCAL_MILLISECOND, 0);
  UDate out = c->getTime(status);
  if (U_FAILURE(status)) throw Error(Errc::invalid_argument, "time out of the calendar's range");
  return static_cast<Millis>(out);
}

Millis Zone::next_week_start(Millis t) const {
  checked_time("time", t);
  if (utc_) {
    // Day 0 of the epoch was a Thursday: Monday is (days + 3) % 7 == 0.
    Millis day = floor_day(t) / kDay;
    Millis monday_offset = ((day + 3) % 7 + 7) % 7;  // days since Monday
    return (day - monday_offset + 7) * kDay;
  }
  std::unique_ptr<icu::Calendar> c(cal_->clone());
  UErrorCode status = U_ZERO_ERROR;
  c->setTime(static_cast<UDate>(t), status);
  int dow = c->get(UCAL_DAY_OF_WEEK, status);  // 1 = Sunday ... 7 = Saturday
  if (U_FAILURE(status)) throw Error(Errc::invalid_argument, "time out of the calendar's range");
  int to_monday = dow == UCAL_SUNDAY ? 1 : 9 - dow;
  return day_start_after(t, to_monday);
}

}  // namespace dealcore::model

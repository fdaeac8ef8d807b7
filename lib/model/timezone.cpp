#include "model/timezone.hpp"

#include <unicode/gregocal.h>
#include <unicode/timezone.h>

#include "dealcore/error.hpp"
#include "model/text.hpp"

namespace dealcore::model {

Zone::Zone(const std::string &name) {
  if (name.empty() || name.size() > 64 || !valid_utf8(name))
    throw Error(Errc::invalid_argument, "time zone must be an IANA name such as Europe/Moscow");
  std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(name)));
  icu::UnicodeString id;
  if (!tz || tz->getID(id) == icu::UnicodeString(UCAL_UNKNOWN_ZONE_ID))
    throw Error(Errc::invalid_argument, "unknown time zone '" + name + "'");
  UErrorCode status = U_ZERO_ERROR;
  cal_ = std::make_unique<icu::GregorianCalendar>(tz.release(), status);
  if (U_FAILURE(status)) throw Error(Errc::internal, "cannot make a calendar for '" + name + "'");
}

Millis Zone::day_start_after(Millis t, int days) const {
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
  std::unique_ptr<icu::Calendar> c(cal_->clone());
  UErrorCode status = U_ZERO_ERROR;
  c->setTime(static_cast<UDate>(t), status);
  int dow = c->get(UCAL_DAY_OF_WEEK, status);  // 1 = Sunday ... 7 = Saturday
  if (U_FAILURE(status)) throw Error(Errc::invalid_argument, "time out of the calendar's range");
  int to_monday = dow == UCAL_SUNDAY ? 1 : 9 - dow;
  return day_start_after(t, to_monday);
}

}  // namespace dealcore::model

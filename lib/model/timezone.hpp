// model/timezone.hpp — calendar days in a caller's time zone (ICU), for
// "today", "tomorrow", "this week" and whole-day tasks.
#pragma once

#include <unicode/calendar.h>

#include <memory>
#include <string>
#include <string_view>

#include "dealcore/types.hpp"

namespace dealcore::model {

// The times a caller may pass: the years 1 to 9999 (UTC), in milliseconds
// since 1970. Day arithmetic on them cannot overflow.
inline constexpr Millis kMinTime = -62135596800000;  // 0001-01-01T00:00:00.000Z
inline constexpr Millis kMaxTime = 253402300799999;  // 9999-12-31T23:59:59.999Z
// t, or Errc::invalid_argument naming the field.
Millis checked_time(std::string_view field, Millis t);

class Zone {
 public:
  // An IANA name ("Europe/Moscow", "UTC"); Errc::invalid_argument otherwise.
  explicit Zone(const std::string &name);
  // The same, from a process-wide cache: making an ICU zone costs ~10 us,
  // more than a whole list query. Thread-safe; the zone lives forever.
  static const Zone &get(const std::string &name);

  // Each refuses a t outside [kMinTime, kMaxTime] (Errc::invalid_argument).
  // The first millisecond of the local day that contains t.
  Millis day_start(Millis t) const { return day_start_after(t, 0); }
  // The first millisecond of the local day `days` days after the one of t.
  Millis day_start_after(Millis t, int days) const;
  // The first millisecond of the Monday after the local week of t.
  Millis next_week_start(Millis t) const;

 private:
  bool utc_ = false;                    // plain arithmetic, no ICU
  std::unique_ptr<icu::Calendar> cal_;  // a template, cloned per call
};

}  // namespace dealcore::model

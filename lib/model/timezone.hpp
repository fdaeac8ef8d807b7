// model/timezone.hpp — calendar days in a caller's time zone (ICU), for
// "today", "tomorrow", "this week" and whole-day tasks.
#pragma once

#include <unicode/calendar.h>

#include <memory>
#include <string>

#include "dealcore/types.hpp"

namespace dealcore::model {

class Zone {
 public:
  // An IANA name ("Europe/Moscow", "UTC"); Errc::invalid_argument otherwise.
  explicit Zone(const std::string &name);
  // The same, from a process-wide cache: making an ICU zone costs ~10 us,
  // more than a whole list query. Thread-safe; the zone lives forever.
  static const Zone &get(const std::string &name);

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

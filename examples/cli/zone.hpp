// zone.hpp — the user's time zone (--tz): how due times are typed and shown,
// and where "today" begins. IANA names only ("Europe/Moscow", "UTC").
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <dealcore/types.hpp>


namespace cli {

class Zone {
 public:
  // Throws Failure (exit 1) for a name that is not a known IANA zone.
  explicit Zone(const std::string &name);
  ~Zone();
  Zone(const Zone &) = delete;
  Zone &operator=(const Zone &) = delete;

  const std::string &name() const { return name_; }
  bool is_utc() const { return name_ == "UTC" || name_ == "Etc/UTC"; }

  // "2025-05-01 14:03" / "2025-05-01" in this zone; "—" for 0.
  std::string format_time(dealcore::Millis ms) const;
  std::string format_date(dealcore::Millis ms) const;
  // "YYYY-MM-DD HH:MM" (or "YYYY-MM-DDTHH:MM") read as a local time here.
  // UsageError naming `what` when it does not parse.
  dealcore::Millis parse_time(std::string_view text, std::string_view what) const;
  // "YYYY-MM-DD": noon of that local day (a moment within it).
  dealcore::Millis parse_day(std::string_view text, std::string_view what) const;
  // The first millisecond of the local day `days` days after the one of t.
  dealcore::Millis day_start_after(dealcore::Millis t, int days) const;

  // The zone a command runs in when --tz is not given: $TZ when it names an
  // IANA zone (a leading ':' is allowed), else UTC.
  static std::string default_name();
  static bool known(const std::string &name);

 private:
  struct Impl;
  std::string name_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cli

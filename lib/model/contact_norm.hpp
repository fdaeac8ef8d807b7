// model/contact_norm.hpp — phone numbers to E.164 and e-mails to their
// comparable form (no I/O). Phones go through Google's libphonenumber: its
// metadata knows every country's trunk prefixes ("8" in Russia) and lengths,
// which no hand-written rule would keep up with.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dealcore::model {

class PhoneNormalizer {
 public:
  // region: ISO 3166 alpha-2 used for numbers written without "+". An
  // unknown region is refused with Errc::invalid_argument.
  explicit PhoneNormalizer(std::string region = "RU");

  // "+79123456789" for "8 (912) 345-67-89"; nullopt when it is not a possible
  // phone number.
  std::optional<std::string> to_e164(std::string_view raw) const;
  const std::string &region() const { return region_; }

 private:
  std::string region_;
};

// The digits of s, in order ("+7 (912) 345" -> "7912345").
std::string digits_of(std::string_view s);

// Trimmed and lower-cased; nullopt when it is not of the form local@domain
// with a dot in the domain, or not valid UTF-8.
std::optional<std::string> normalize_email(std::string_view raw);

}  // namespace dealcore::model

// model/contact_norm.hpp — phone numbers to E.164 and e-mails to their
// comparable form (no I/O). Phones go through Google's libphonenumber: its
// metadata knows every country's trunk prefixes ("8" in Russia) and lengths,
// which no hand-written rule would keep up with. A fast path answers the
// region's everyday notations without parsing, with rules derived from that
// same metadata, and only where its answer is libphonenumber's.
#pragma once

#include <memory>
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
  // phone number. Tries fast_e164 first, then libphonenumber.
  std::optional<std::string> to_e164(std::string_view raw) const;

  // The fast path alone: exactly what to_e164_full returns, or nullopt for
  // "not sure" (never for "not a number"). Answers only plain input — ASCII
  // digits, the separators ' ' ( ) - . and a '+' before the first digit —
  // with a national significant number of the plan's shortest length, written
  // with the trunk prefix, the country code (with or without '+') or neither.
  // Off (always nullopt) for regions whose rules are not that simple.
  std::optional<std::string> fast_e164(std::string_view raw) const;

  // to_e164 through libphonenumber only, bypassing the fast path (for tests).
  std::optional<std::string> to_e164_full(std::string_view raw) const;

  // Whether fast_e164 can answer at all for this region (RU, KZ: yes).
  bool has_fast_path() const { return fast_ != nullptr; }
  const std::string &region() const { return region_; }

  struct FastRules;  // derived from the metadata once per region (contact_norm.cpp)

 private:
  std::string region_;
  std::shared_ptr<const FastRules> fast_;
};

// The digits of s, in order ("+7 (912) 345" -> "7912345").
std::string digits_of(std::string_view s);

// Trimmed and lower-cased; nullopt when it is not of the form local@domain
// with a dot in the domain, or not valid UTF-8.
std::optional<std::string> normalize_email(std::string_view raw);

}  // namespace dealcore::model

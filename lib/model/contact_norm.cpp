#include "model/contact_norm.hpp"

#include <phonenumbers/phonenumberutil.h>

#include "dealcore/error.hpp"
#include "model/text.hpp"

namespace dealcore::model {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

PhoneNormalizer::PhoneNormalizer(std::string region) : region_(std::move(region)) {
  std::set<std::string> regions;
  PhoneNumberUtil::GetInstance()->GetSupportedRegions(&regions);
  if (!regions.count(region_))
    throw Error(Errc::invalid_argument, "unknown phone region '" + region_ + "' (expected e.g. RU, KZ, US)");
}

std::optional<std::string> PhoneNormalizer::to_e164(std::string_view raw) const {
  if (raw.empty() || raw.size() > 64 || !valid_utf8(raw)) return std::nullopt;
  const auto *util = PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util->Parse(std::string(raw), region_, &number) != PhoneNumberUtil::NO_PARSING_ERROR)
    return std::nullopt;
  if (!util->IsPossibleNumber(number)) return std::nullopt;
  std::string out;
  util->Format(number, PhoneNumberUtil::E164, &out);
  return out;
}

std::string digits_of(std::string_view s) {
  std::string d;
  for (char c : s)
    if (c >= '0' && c <= '9') d.push_back(c);
  return d;
}

std::optional<std::string> normalize_email(std::string_view raw) {
  if (!valid_utf8(raw)) return std::nullopt;
  std::string e = trim(raw);
  if (e.empty() || e.size() > 254) return std::nullopt;
  auto at = e.find('@');
  if (at == std::string::npos || at == 0 || e.find('@', at + 1) != std::string::npos) return std::nullopt;
  auto dot = e.find('.', at + 2);
  if (dot == std::string::npos || dot + 1 >= e.size()) return std::nullopt;
  for (unsigned char c : e)
    if (c <= 0x20) return std::nullopt;
  return fold_case(e);
}

}  // namespace dealcore::model

#include "model/contact_norm.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>

#include "dealcore/error.hpp"
#include "model/text.hpp"

namespace dealcore::model {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// The fast path. libphonenumber's parse of plain digits in the default region
// comes down to: an international prefix ("810" from Russia) means a call
// abroad; a leading '+' or the region's country code is stripped when what
// remains fits the plan; a trunk prefix ("8") is stripped when what remains
// is long enough; then the number must have a possible length. For a national
// significant number (NSN) of the plan's shortest length L in one of four
// notations — trunk prefix + NSN, country code + NSN, '+' + country code +
// NSN, bare NSN — every step has a fixed outcome, except those that look at
// the region's number patterns (is "7" + NSN a Russian number or 7 followed
// by a Kazakh one?), which the public API does not expose.
//
// So the rules are derived from the metadata through the public API once per
// region — country code, trunk prefix, international prefix, lengths — and the
// pattern-dependent steps are probed: the first time a notation is used with a
// given first NSN digit, the full parse is run on ten NSNs with that first
// digit whose second digits are 0..9 and third digits too; the fast path
// answers for that (notation, first digit) only if every probe came out
// "+<code><NSN>". A rule that depends on digits past the third is a blind spot
// of the probes; the RU and KZ patterns decide on the first digit, and
// tests/unit/phone_test.cpp compares both paths on many thousands of inputs.
struct PhoneNormalizer::FastRules {
  enum Form { trunk = 0, code = 1, plus_code = 2, bare = 3, forms = 4 };
  std::string region;
  std::string cc;             // country calling code, "7"
  char trunk_prefix = 0;      // "8"
  std::string idd;            // digits of the international prefix, "810"
  std::size_t nsn_length = 0; // 10
  // [notation][first NSN digit]: 0 not probed yet, 1 the probes agreed, 2 not.
  // Probing is deterministic, so threads racing on a cell store the same value.
  mutable std::atomic<std::uint8_t> verdict[forms][10] = {};
};

namespace {

using Rules = PhoneNormalizer::FastRules;

constexpr std::size_t kMaxRawBytes = 64;

// libphonenumber alone: what to_e164 always returned.
std::optional<std::string> parse_e164(const PhoneNumberUtil *util, const std::string &raw,
                                      const std::string &region) {
  PhoneNumber number;
  if (util->Parse(raw, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) return std::nullopt;
  if (!util->IsPossibleNumber(number)) return std::nullopt;
  std::string out;
  util->Format(number, PhoneNumberUtil::E164, &out);
  return out;
}

struct Shape {
  Rules::Form form;
  std::string_view nsn;
};

// Which of the four notations `digits` is written in, or nullopt when it is
// none of them or one the rules never answer: what may start with the
// international prefix, an NSN starting with 0, the trunk prefix after the
// country code ("7 8 912…" goes through two rounds of prefix stripping).
std::optional<Shape> shape_of(const Rules &r, std::string_view digits, bool plus) {
  const std::size_t L = r.nsn_length, c = r.cc.size();
  Shape s{Rules::bare, digits};
  if (plus) {
    if (digits.size() != c + L || !digits.starts_with(r.cc)) return std::nullopt;
    s = {Rules::plus_code, digits.substr(c)};
  } else {
    if (digits.starts_with(r.idd)) return std::nullopt;
    if (digits.size() == L + 1 && digits[0] == r.trunk_prefix)  // trunk prefix != cc[0]
      s = {Rules::trunk, digits.substr(1)};
    else if (digits.size() == c + L && digits.starts_with(r.cc))
      s = {Rules::code, digits.substr(c)};
    else if (digits.size() != L)
      return std::nullopt;
  }
  if (s.nsn[0] == '0') return std::nullopt;
  if (s.form == Rules::code && s.nsn[0] == r.trunk_prefix) return std::nullopt;
  return s;
}

std::string e164_of(const Rules &r, std::string_view nsn) {
  std::string out;
  out.reserve(1 + r.cc.size() + nsn.size());
  out += '+';
  out += r.cc;
  out += nsn;
  return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// nullptr: no fast path for this region (its rules are not simple enough).
std::shared_ptr<const Rules> derive_rules(const std::string &region) {
  const auto *util = PhoneNumberUtil::GetInstance();
  auto r = std::make_shared<Rules>();

  const int cc = util->GetCountryCodeForRegion(region);
  if (cc <= 0) return nullptr;
  r->cc = std::to_string(cc);
  // The parser takes the shortest leading digits that are a country code;
  // codes are prefix-free, so that is r->cc — check it all the same.
  for (std::size_t i = 1; i < r->cc.size(); ++i) {
    std::string owner;
    util->GetRegionCodeForCountryCode(std::stoi(r->cc.substr(0, i)), &owner);
    if (owner != "ZZ") return nullptr;
  }

  // A one-digit trunk prefix that cannot be mistaken for the country code.
  std::string ndd;
  util->GetNddPrefixForRegion(region, true, &ndd);
  if (ndd.size() != 1 || !is_digit(ndd[0]) || ndd[0] == r->cc[0]) return nullptr;
  r->trunk_prefix = ndd[0];

  // Lengths of the plan (of the code's main region, which IsPossibleNumber
  // uses): the verdict depends on the NSN's length only.
  auto verdict = [&](std::size_t len) {
    PhoneNumber p;
    p.set_country_code(cc);
    std::uint64_t v = 1;
    for (std::size_t i = 1; i < len; ++i) v *= 10;
    p.set_national_number(v);
    return util->IsPossibleNumberWithReason(p);
  };
  for (std::size_t len = 2; len <= 17 && !r->nsn_length; ++len)
    if (verdict(len) == PhoneNumberUtil::IS_POSSIBLE) r->nsn_length = len;
  const std::size_t L = r->nsn_length;
  if (L < 6) return nullptr;
  // "8" + NSN and "7" + NSN must not be possible numbers themselves.
  for (std::size_t len : {L + 1, L + r->cc.size()}) {
    auto v = verdict(len);
    if (v == PhoneNumberUtil::IS_POSSIBLE || v == PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY) return nullptr;
  }
  // The region's own plan (KZ shares +7 with RU) uses that length too.
  PhoneNumber example;
  std::string example_nsn;
  if (!util->GetExampleNumber(region, &example)) return nullptr;
  util->GetNationalSignificantNumber(example, &example_nsn);
  if (example_nsn.size() != L) return nullptr;

  // The international prefix as libphonenumber dials a foreign number from
  // the region: "8~10 1 201-555-0123" from RU ('~': wait for the tone).
  PhoneNumber foreign;
  std::string abroad;
  if (!util->GetExampleNumber(cc == 1 ? "GB" : "US", &foreign)) return nullptr;
  util->FormatOutOfCountryCallingNumber(foreign, region, &abroad);
  auto space = abroad.find(' ');
  if (space == std::string::npos) return nullptr;
  for (char c : std::string_view(abroad).substr(0, space)) {
    if (is_digit(c))
      r->idd.push_back(c);
    else if (c != '~')
      return nullptr;  // "+": no international prefix; anything else: not plain
  }
  if (r->idd.empty()) return nullptr;

  r->region = region;
  return r;
}

// Runs the probes of one (notation, first digit) cell; see FastRules.
bool probes_agree(const Rules &r, Rules::Form form, int first) {
  const auto *util = PhoneNumberUtil::GetInstance();
  const std::string lead = form == Rules::trunk  ? std::string(1, r.trunk_prefix)
                           : form == Rules::bare ? std::string()
                                                 : r.cc;
  std::uint32_t seed = 2024u + 10u * static_cast<std::uint32_t>(form) + static_cast<std::uint32_t>(first);
  auto next_digit = [&] {
    seed = seed * 1103515245u + 12345u;
    return static_cast<char>('0' + (seed >> 16) % 10);
  };
  int tried = 0;
  for (int second = 0; second <= 9; ++second) {
    std::string nsn(r.nsn_length, '0');
    nsn[0] = static_cast<char>('0' + first);
    nsn[1] = static_cast<char>('0' + second);
    nsn[2] = static_cast<char>('0' + (3 * second + first) % 10);
    for (std::size_t i = 3; i < nsn.size(); ++i) nsn[i] = next_digit();
    const std::string digits = lead + nsn;
    auto s = shape_of(r, digits, form == Rules::plus_code);
    if (!s || s->form != form) continue;  // declined before the table anyway
    ++tried;
    auto full = parse_e164(util, (form == Rules::plus_code ? "+" : "") + digits, r.region);
    if (!full || *full != e164_of(r, nsn)) return false;
  }
  return tried > 0;
}

bool cell_answers(const Rules &r, Rules::Form form, int first) {
  auto &cell = r.verdict[form][first];
  std::uint8_t v = cell.load(std::memory_order_acquire);
  if (v == 0) {
    v = probes_agree(r, form, first) ? 1 : 2;
    cell.store(v, std::memory_order_release);
  }
  return v == 1;
}

// Derived once per region per process.
std::shared_ptr<const Rules> rules_for(const std::string &region) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Rules>> cache;
  std::lock_guard lock(mutex);
  auto it = cache.find(region);
  if (it == cache.end()) it = cache.emplace(region, derive_rules(region)).first;
  return it->second;
}

}  // namespace

PhoneNormalizer::PhoneNormalizer(std::string region) : region_(std::move(region)) {
  std::set<std::string> regions;
  PhoneNumberUtil::GetInstance()->GetSupportedRegions(&regions);
  if (!regions.count(region_))
    throw Error(Errc::invalid_argument, "unknown phone region '" + region_ + "' (expected e.g. RU, KZ, US)");
  fast_ = rules_for(region_);
}

std::optional<std::string> PhoneNormalizer::fast_e164(std::string_view raw) const {
  if (!fast_ || raw.size() > kMaxRawBytes) return std::nullopt;
  char digits[24];
  std::size_t n = 0;
  bool plus = false;
  for (char c : raw) {
    if (is_digit(c)) {
      if (n == sizeof digits) return std::nullopt;
      digits[n++] = c;
    } else if (c == '+') {
      if (plus || n > 0) return std::nullopt;
      plus = true;
    } else if (c != ' ' && c != '(' && c != ')' && c != '-' && c != '.') {
      return std::nullopt;
    }
  }
  if (n == 0) return std::nullopt;
  auto s = shape_of(*fast_, std::string_view(digits, n), plus);
  if (!s || !cell_answers(*fast_, s->form, s->nsn[0] - '0')) return std::nullopt;
  return e164_of(*fast_, s->nsn);
}

std::optional<std::string> PhoneNormalizer::to_e164_full(std::string_view raw) const {
  if (raw.empty() || raw.size() > kMaxRawBytes || !valid_utf8(raw)) return std::nullopt;
  return parse_e164(PhoneNumberUtil::GetInstance(), std::string(raw), region_);
}

std::optional<std::string> PhoneNormalizer::to_e164(std::string_view raw) const {
  if (auto fast = fast_e164(raw)) return fast;
  return to_e164_full(raw);
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

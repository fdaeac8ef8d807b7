// The phone fast path against libphonenumber: for every generated input where
// PhoneNormalizer::fast_e164 answers, its answer must be the full parse's
// (to_e164_full); and it must answer the everyday RU notations, so that a fast
// path that silently never fires fails here too.
#include <doctest/doctest.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "model/contact_norm.hpp"

using dealcore::model::PhoneNormalizer;
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

struct Tally {
  std::size_t inputs = 0, answered = 0;
  std::vector<std::string> mismatches;  // the first few, for the report
};

// One input through both paths.
void compare(const PhoneNormalizer &n, const std::string &in, Tally &t) {
  ++t.inputs;
  auto fast = n.fast_e164(in);
  if (!fast) return;
  ++t.answered;
  auto full = n.to_e164_full(in);
  if (full != fast && t.mismatches.size() < 20)
    t.mismatches.push_back(n.region() + " '" + in + "': fast " + *fast + ", libphonenumber " +
                           (full ? *full : std::string("(none)")));
}

void report(const Tally &t, const std::string &what) {
  for (const auto &m : t.mismatches) FAIL_CHECK(m);
  CHECK(t.mismatches.empty());
  const std::string line = what + ": " + std::to_string(t.inputs) + " inputs, fast path answered " + std::to_string(t.answered);
  MESSAGE(line);
}

// Inputs in every notation a region's users write, from its own metadata:
// country code, trunk prefix, NSN length of the example number.
class Generator {
 public:
  Generator(const std::string &region, std::uint64_t seed) : rng_(seed) {
    const auto *util = PhoneNumberUtil::GetInstance();
    cc_ = std::to_string(util->GetCountryCodeForRegion(region));
    util->GetNddPrefixForRegion(region, true, &trunk_);
    PhoneNumber example;
    util->GetExampleNumber(region, &example);
    util->GetNationalSignificantNumber(example, &example_nsn_);
  }

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool coin(int percent) { return pick(100) < percent; }
  std::size_t nsn_length() const { return example_nsn_.size(); }
  const std::string &cc() const { return cc_; }

  std::string digits(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + pick(10)));
    return s;
  }

  // An NSN: mostly the plan's length, sometimes 1–2 digits off; the first
  // digits from the example number, or any.
  std::string nsn() {
    std::size_t len = example_nsn_.size();
    if (coin(25)) len = len - 2 + static_cast<std::size_t>(pick(5));
    std::string s = digits(len);
    if (coin(50) && !s.empty()) s[0] = example_nsn_[0];
    if (coin(25) && s.size() > 1) s[1] = example_nsn_[1];
    return s;
  }

  // A prefix: trunk, code, +code, none, or international dialling.
  std::string prefix() {
    static const char *idds[] = {"810", "8 10 ", "00", "011", "8~10"};
    switch (pick(10)) {
      case 0: case 1: return trunk_;
      case 2: case 3: return cc_;
      case 4: case 5: return "+" + cc_;
      case 6: return "";
      case 7: return std::string(idds[pick(5)]) + (coin(50) ? cc_ : std::to_string(1 + pick(999)));
      case 8: return coin(50) ? trunk_ + cc_ : cc_ + trunk_;  // "8 7 912…", "7 8 912…"
      default: return "+" + (coin(50) ? trunk_ : digits(1 + pick(3)));
    }
  }

  // Digits laid out as people write them.
  std::string layout(const std::string &prefix, const std::string &d) {
    switch (pick(5)) {
      case 0: return prefix + d;
      case 1:  // 8 (912) 345-67-89
        if (d.size() == 10) return prefix + " (" + d.substr(0, 3) + ") " + d.substr(3, 3) + "-" + d.substr(6, 2) + "-" + d.substr(8);
        return prefix + " " + d;
      case 2:  // +7 912 345 67 89
        if (d.size() == 10) return prefix + " " + d.substr(0, 3) + " " + d.substr(3, 3) + " " + d.substr(6, 2) + " " + d.substr(8);
        return prefix + "-" + d;
      case 3:  // 912.345.6789
        if (d.size() >= 7) return prefix + (prefix.empty() ? "" : ".") + d.substr(0, 3) + "." + d.substr(3, 3) + "." + d.substr(6);
        return prefix + d;
      default: return scatter(prefix + d);
    }
  }

  // Random separators anywhere, including before a leading '+' and at the end.
  std::string scatter(const std::string &s) {
    static const char *seps[] = {"", "", "", "", " ", "-", ".", "(", ")", "  ", " - ", ")(", "--", ". "};
    std::string out = coin(20) ? seps[pick(14)] : "";
    for (char c : s) {
      out.push_back(c);
      if (c != '+') out += seps[pick(14)];
    }
    return out;
  }

  std::string any_input() { return layout(prefix(), nsn()); }

 private:
  std::mt19937_64 rng_;
  std::string cc_, trunk_, example_nsn_;
};

// RU and KZ inputs beyond the generic ones: mobiles, landlines, Kazakh +7 7xx,
// calls abroad from Russia, wrong lengths, random digit strings.
std::vector<std::string> cis_inputs(Generator &g) {
  std::vector<std::string> out;
  auto notations = [&](const std::string &x) {
    for (const char *p : {"8", "7", "+7", "", "+8", "810", "87", "78", "+7 8", "8 10 7"}) out.push_back(g.layout(p, x));
  };
  static const char *landline_codes[] = {"495", "499", "812", "343", "383", "473", "861", "3012", "4012", "8142"};
  static const char *kz_codes[] = {"701", "702", "705", "707", "747", "771", "775", "777", "727", "717", "7172", "33622"};
  for (int i = 0; i < 300; ++i) {
    notations("9" + g.digits(9));                                               // mobiles
    std::string code = landline_codes[g.pick(10)];
    notations(code + g.digits(10 - code.size()));                               // landlines
    std::string kz = kz_codes[g.pick(12)];
    notations(kz + g.digits(10 - kz.size()));                                   // Kazakhstan
    notations(std::to_string(g.pick(10)) + g.digits(9));                        // any first digit
    notations(std::string(1, "3489"[g.pick(4)]) + g.digits(8 + 2 * g.pick(2))); // 9 or 11 digits
    notations("800" + g.digits(7));                                             // toll-free
  }
  for (int i = 0; i < 1500; ++i) {
    // Calls abroad: 8 10 <country> <number>, and 810 + anything.
    static const char *abroad[] = {"1", "49", "44", "33", "7", "375", "380", "998", "86", "0"};
    out.push_back(g.layout(g.coin(50) ? "810" : "8 10 ", abroad[g.pick(10)] + g.digits(6 + g.pick(7))));
    // Random digit strings of length 5..16, with or without '+'.
    std::string d = g.digits(5 + g.pick(12));
    out.push_back(g.coin(30) ? "+" + g.scatter(d) : g.scatter(d));
  }
  return out;
}

// Plain input with one thing the fast path must not accept.
std::string spoil(Generator &g, const std::string &s) {
  static const char *junk[] = {"a", "x", " доб. 12", " ext 5", "*", "#", "/", ",", ";", "\xEF\xBC\x98" /* fullwidth 8 */,
                               "\xD9\xA3" /* Arabic-Indic 3 */, "\xC2\xA0" /* NBSP */, "\t", "+", "tel:", "_", "~",
                               "[", "]", "\xE2\x80\x93" /* en dash */, "\xE2\x88\x92" /* minus */, "x123"};
  std::string j = junk[g.pick(22)];
  std::size_t at = static_cast<std::size_t>(g.pick(static_cast<int>(s.size()) + 1));
  if (j == "+") at = std::max<std::size_t>(at, s.find_first_of("0123456789") + 1);  // a '+' after a digit
  return s.substr(0, at) + j + s.substr(at);
}

}  // namespace

TEST_CASE("phone fast path answers the common RU notations, as libphonenumber does") {
  PhoneNormalizer ru("RU");
  REQUIRE(ru.has_fast_path());
  for (const char *in : {"8 (912) 345-67-89", "89123456789", "79123456789", "+7 912 345-67-89", "912 345 67 89",
                         "+79123456789", "8-912-345-67-89", "(912) 345-67-89", "8 (495) 123-45-67", "+7 (812) 123 45 67",
                         "8 800 555 35 35", "+7 800 555 35 35"}) {
    INFO(std::string(in));
    auto fast = ru.fast_e164(in);
    REQUIRE(fast);
    CHECK(*fast == ru.to_e164_full(in));
    CHECK(ru.to_e164(in) == fast);
  }
  CHECK(ru.fast_e164("8 (912) 345-67-89") == "+79123456789");

  // Every generated mobile in the five everyday notations is answered.
  Generator g("RU", 7);
  Tally t;
  for (int i = 0; i < 2000; ++i) {
    std::string x = "9" + g.digits(9);
    for (std::string in : {"8 (" + x.substr(0, 3) + ") " + x.substr(3, 3) + "-" + x.substr(6, 2) + "-" + x.substr(8),
                           "8" + x, "7" + x, "+7 " + x.substr(0, 3) + " " + x.substr(3, 3) + "-" + x.substr(6, 2) + "-" + x.substr(8),
                           x.substr(0, 3) + " " + x.substr(3, 3) + " " + x.substr(6, 2) + " " + x.substr(8)}) {
      compare(ru, in, t);
      if (ru.fast_e164(in) != "+7" + x) FAIL_CHECK("not answered: " << in);
    }
  }
  report(t, "RU mobiles in five notations");
  CHECK(t.answered == t.inputs);
}

TEST_CASE("phone fast path agrees with libphonenumber on generated RU and KZ inputs") {
  for (const char *region : {"RU", "KZ"}) {
    PhoneNormalizer n(region);
    REQUIRE(n.has_fast_path());
    Generator g(region, 20240611);
    Tally t;
    for (const auto &in : cis_inputs(g)) compare(n, in, t);
    for (int i = 0; i < 6000; ++i) compare(n, g.any_input(), t);
    INFO(std::string(region));
    report(t, std::string(region) + " generated");
    CHECK(t.answered > t.inputs / 5);  // it does fire on a good share
  }
  PhoneNormalizer kz("KZ");
  for (const char *in : {"+7 701 234 5678", "8 701 234 5678", "87012345678", "77012345678", "+7 (727) 123-45-67"}) {
    INFO(std::string(in));
    CHECK(kz.fast_e164(in));
    CHECK(kz.fast_e164(in) == kz.to_e164_full(in));
  }
}

// The fast path decides by the first NSN digit after probing a few numbers;
// here every 4-digit NSN start in the country-code notation (the one where
// libphonenumber looks at the region's number patterns) and every 3-digit
// start in the other three, each with a random tail.
TEST_CASE("phone fast path agrees with libphonenumber on every NSN start (RU, KZ)") {
  for (const char *region : {"RU", "KZ"}) {
    PhoneNormalizer n(region);
    Generator g(region, 4242);
    Tally t;
    for (int start = 0; start < 10000; ++start) {
      std::string s = std::to_string(10000 + start).substr(1);  // "0000".."9999"
      compare(n, "7" + s + g.digits(6), t);
      if (start % 10 == 0) {
        std::string x = s.substr(0, 3) + g.digits(7);
        for (const char *p : {"8", "+7", ""}) compare(n, g.layout(p, x), t);
      }
    }
    INFO(std::string(region));
    report(t, std::string(region) + " every start");
    CHECK(t.answered > t.inputs / 5);
  }
}

TEST_CASE("phone fast path agrees or declines for US, DE and other regions") {
  // US and DE have no fast path (trunk prefix = country code; many lengths);
  // FR, UZ, AZ, AM, GE and MD get one from the same derivation as RU and KZ.
  for (const char *region : {"US", "DE", "GB", "BY", "UA", "IT", "BR", "FR", "UZ", "AZ", "AM", "GE", "MD"}) {
    PhoneNormalizer n(region);
    Generator g(region, 99);
    Tally t;
    for (int i = 0; i < 3000; ++i) compare(n, g.any_input(), t);
    const std::string what = std::string(region) + (n.has_fast_path() ? " (fast path on)" : " (fast path off)");
    report(t, what + " generated");
    // RU-style input in another region: same rule, agree or decline.
    Generator ru("RU", 5);
    Tally r;
    for (const auto &in : cis_inputs(ru)) compare(n, in, r);
    report(r, what + " RU-style");
  }
}

TEST_CASE("phone fast path declines input that is not plain") {
  PhoneNormalizer ru("RU");
  Generator g("RU", 11);
  Tally t;
  std::size_t declined = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string in = spoil(g, g.any_input());
    compare(ru, in, t);
    declined += !ru.fast_e164(in);
  }
  report(t, "RU spoiled");
  CHECK(declined == t.inputs);
  for (const char *in : {"8 10 1 650 253 0000", "810 49 30 1234567", "8 (912) 345-67-89 доб. 12", "+7 912 345-67-89 ext 5",
                         "８ 912 345 67 89", "7 8 912 345 67 89", "8 (012) 345-67-89", "8 912 345 67 890",
                         "+7 912 345 67 89 0", "7+9123456789", "++79123456789", "", "        "}) {
    INFO(std::string(in));
    CHECK_FALSE(ru.fast_e164(in));
  }
  std::string spaced = "8 (912) 345-67-89" + std::string(60, ' ');  // over 64 bytes: to_e164 refuses it
  CHECK_FALSE(ru.fast_e164(spaced));
  CHECK_FALSE(ru.to_e164(spaced));
}

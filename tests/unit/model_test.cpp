#include <doctest/doctest.h>

#include "dealcore/error.hpp"
#include "model/contact_norm.hpp"
#include "model/json.hpp"
#include "model/text.hpp"

using namespace dealcore;

TEST_CASE("UTF-8 validation rejects malformed sequences and accepts Cyrillic") {
  CHECK(model::valid_utf8("Поставка оборудования"));
  CHECK(model::valid_utf8("ascii"));
  CHECK(model::valid_utf8("😀"));
  CHECK_FALSE(model::valid_utf8("\xff\xfe"));
  CHECK_FALSE(model::valid_utf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(model::valid_utf8("\xed\xa0\x80"));      // surrogate
  CHECK_FALSE(model::valid_utf8("\xd0"));              // truncated
  CHECK_FALSE(model::valid_utf8("\xf4\x90\x80\x80"));  // > U+10FFFF
}

TEST_CASE("checked_text trims, and refuses empty, oversized and control characters") {
  CHECK(model::checked_text("name", "  Сделка  ", true, 100) == "Сделка");
  CHECK_THROWS_AS(model::checked_text("name", "   ", true, 100), Error);
  CHECK_THROWS_AS(model::checked_text("name", std::string(101, 'x'), true, 100), Error);
  CHECK_THROWS_AS(model::checked_text("name", "a\x01" "b", true, 100), Error);
  CHECK_THROWS_AS(model::checked_text("name", "\xff", false, 100), Error);
  CHECK(model::checked_text("name", "", false, 100).empty());
  // DEL and the C1 controls U+0080..U+009F (U+009B starts a terminal
  // escape); U+00A0 (no-break space, C2 A0) and "é" (C3 A9) are text.
  CHECK_THROWS_AS(model::checked_text("name", "x\x7f", true, 100), Error);
  CHECK_THROWS_AS(model::checked_text("name", "a\u0080b", true, 100), Error);
  CHECK_THROWS_AS(model::checked_text("name", "a\u0085b", true, 100), Error);
  CHECK_THROWS_AS(model::checked_text("name", "a\u009b" "31m", true, 100), Error);
  CHECK_THROWS_AS(model::checked_text("name", "a\u009f", true, 100), Error);
  CHECK(model::checked_text("name", "a\u00a0b", true, 100) == "a\u00a0b");
  CHECK(model::checked_text("name", "Café «Ёлка»\tи\nдом", true, 100) == "Café «Ёлка»\tи\nдом");
}

TEST_CASE("fold_key folds Cyrillic case and ё") {
  CHECK(model::fold_key("ПОСТАВКА Ёлок") == model::fold_key("поставка елок"));
  CHECK(model::fold_key("Straße") == "strasse");
  CHECK(model::fold_key("Иванов") < model::fold_key("Яковлев"));
}

TEST_CASE("the fast folding path agrees with ICU on ASCII and the Cyrillic block") {
  std::string all;
  for (unsigned cp = 0x20; cp < 0x7F; ++cp) all.push_back(static_cast<char>(cp));
  for (unsigned cp = 0x0400; cp <= 0x045F; ++cp) {
    std::string one{static_cast<char>(0xC0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3F))};
    CAPTURE(cp);
    CHECK(model::fold_key(one) == model::fold_key_icu(one));
    all += one;
  }
  CHECK(model::fold_key(all) == model::fold_key_icu(all));
  CHECK(model::fold_key("Ѣ ß Ǆ") == model::fold_key_icu("Ѣ ß Ǆ"));  // outside: ICU
}

TEST_CASE("phones in any notation are one E.164 number") {
  model::PhoneNormalizer ru("RU");
  CHECK(ru.to_e164("8 (912) 345-67-89") == "+79123456789");
  CHECK(ru.to_e164("+7 912 3456789") == "+79123456789");
  CHECK(ru.to_e164("79123456789") == "+79123456789");
  CHECK(ru.to_e164("+1 650 253 0000") == "+16502530000");
  CHECK_FALSE(ru.to_e164("12"));
  CHECK_FALSE(ru.to_e164("телефон"));
  CHECK_FALSE(ru.to_e164("\xff"));
  model::PhoneNormalizer kz("KZ");
  CHECK(kz.to_e164("8 701 234 5678") == "+77012345678");
  CHECK_THROWS_AS(model::PhoneNormalizer("XX"), Error);
  CHECK(model::digits_of("+7 (912) 345") == "7912345");
}

TEST_CASE("e-mails are trimmed and compared case-insensitively") {
  CHECK(model::normalize_email("  Ivan.Petrov@Example.RU ") == "ivan.petrov@example.ru");
  CHECK_FALSE(model::normalize_email("no-at-sign"));
  CHECK_FALSE(model::normalize_email("a@b"));
  CHECK_FALSE(model::normalize_email("a@@b.ru"));
  CHECK_FALSE(model::normalize_email("a b@c.ru"));
}

TEST_CASE("JSON payloads escape what they must") {
  auto s = model::JsonObject().str("name", "Кавычка \" и \\ и \n").num("n", -5).ids("ids", {1, 2}).done();
  CHECK(s == "{\"name\":\"Кавычка \\\" и \\\\ и \\n\",\"n\":-5,\"ids\":[1,2]}");
}

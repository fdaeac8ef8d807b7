// text.hpp — terminal text: display width of UTF-8 strings, truncation and
// padding by width, and how money and times are printed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <dealcore/types.hpp>

namespace cli {

// Columns a code point takes in a terminal: 0 for combining marks, format
// characters and controls, 2 for East Asian wide and fullwidth, else 1.
int codepoint_width(char32_t c);
// Columns the string takes: each grapheme cluster as wide as its widest
// code point (a flag 2); invalid bytes count as one column.
int display_width(std::string_view utf8);
// At most `width` columns: a longer string is cut between grapheme
// clusters and ends with "…".
std::string truncate_to_width(std::string_view utf8, int width);
// Truncated if needed, then padded with spaces to exactly `width` columns.
std::string pad_right(std::string_view utf8, int width);
std::string pad_left(std::string_view utf8, int width);

// Case folded, ё folded to е: the key for matching names typed by a user.
std::string fold(std::string_view utf8);

// "1 234 567,89 ₽", "1 200,00 USD"; the minor digits follow ISO 4217.
std::string format_money(const dealcore::Money &m);
// "1 234 567,89" without the currency.
std::string format_amount(std::int64_t minor, std::string_view currency);
// "2025-05-01 14:03" (UTC); "—" for 0.
std::string format_time(dealcore::Millis ms);
// "2025-05-01"; "—" for 0.
std::string format_date(dealcore::Millis ms);

std::string_view kind_name(dealcore::StageKind kind);

// True when stdout is a terminal and NO_COLOR is not set.
bool use_color();
// "#rrggbb" -> an ANSI 24-bit foreground escape, or "" if the colour is not
// of that form.
std::string ansi_color(std::string_view hex);
inline constexpr std::string_view kAnsiReset = "\x1b[0m";

// Columns of the terminal, or `fallback` when stdout is not one ($COLUMNS wins).
int terminal_width(int fallback);

}  // namespace cli

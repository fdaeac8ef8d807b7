// model/text.hpp — validation and folding of UTF-8 text (no I/O).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dealcore::model {

// True when s is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool valid_utf8(std::string_view s) noexcept;

// Leading and trailing ASCII white space removed.
std::string trim(std::string_view s);

// Checks a user-supplied text field and returns it trimmed. Throws
// Errc::invalid_argument naming `field` when it is not valid UTF-8, contains
// control characters, is empty (when required) or longer than max_bytes.
std::string checked_text(std::string_view field, std::string_view value, bool required,
                         std::size_t max_bytes);

// The key used for case-insensitive search and name sorting: Unicode case
// folding (so "ПОСТАВКА" and "поставка" agree), with ё folded to е as Russian
// search expects. Input must be valid UTF-8.
std::string fold_key(std::string_view s);
// The same into out, reusing its capacity (no allocation for the common
// scripts once out is large enough); returns out's view.
std::string_view fold_key(std::string_view s, std::string &out);

// fold_key through ICU only, bypassing the fast path (for tests).
std::string fold_key_icu(std::string_view s);

// Unicode case folding alone (no ё/е merge), for e-mails.
std::string fold_case(std::string_view s);

// Limits shared by the engine and documented in docs/api.md.
inline constexpr std::size_t kMaxNameBytes = 1000;
inline constexpr std::size_t kMaxRefBytes = 200;
inline constexpr std::size_t kMaxTextBytes = 4000;

// Three upper-case ASCII letters, or Errc::invalid_argument.
std::string checked_currency(std::string_view code);

}  // namespace dealcore::model

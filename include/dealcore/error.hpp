// dealcore/error.hpp — the one error type of the C++ API.
//
// Every public function either succeeds or throws dealcore::Error carrying a
// code from Errc and a message fit for a log or a user. A call that throws
// has changed nothing: not the database file, not the in-memory views.
// The numeric values of Errc are the C ABI's status codes (dealcore.h).
#pragma once

#include <stdexcept>
#include <string>

#include "dealcore/export.h"

namespace dealcore {

enum class Errc : int {
  ok = 0,
  invalid_argument = -1,  // bad input: empty/oversized/invalid UTF-8 text, bad ranges
  not_found = -2,         // an id or external_ref that does not exist
  exists = -3,            // a unique name or external_ref already taken
  conflict = -4,          // the request contradicts current state (stage of another pipeline, ...)
  constraint = -5,        // a rule of the model forbids it (deleting a stage with deals, ...)
  busy = -6,              // the database file is locked by another process for too long
  io = -7,                // the file could not be read or written (disk full included)
  no_memory = -8,
  internal = -9,          // a bug: please report with the message
  version = -10,          // unknown struct version or newer schema than this library
};

// Short English name of a code, e.g. "not found". Never null.
DEALCORE_EXPORT const char *errc_name(Errc code) noexcept;

class DEALCORE_EXPORT Error : public std::runtime_error {
 public:
  Error(Errc code, const std::string &message);
  Errc code() const noexcept { return code_; }

 private:
  Errc code_;
};

}  // namespace dealcore

#include "dealcore/error.hpp"
#include "dealcore/version.hpp"

namespace dealcore {

const char *errc_name(Errc code) noexcept {
  switch (code) {
    case Errc::ok: return "ok";
    case Errc::invalid_argument: return "invalid argument";
    case Errc::not_found: return "not found";
    case Errc::exists: return "already exists";
    case Errc::conflict: return "conflict";
    case Errc::constraint: return "constraint violated";
    case Errc::busy: return "database busy";
    case Errc::io: return "I/O error";
    case Errc::no_memory: return "out of memory";
    case Errc::internal: return "internal error";
    case Errc::version: return "version mismatch";
  }
  return "unknown status";
}

Error::Error(Errc code, const std::string &message) : std::runtime_error(message), code_(code) {}

const char *version() noexcept { return DEALCORE_VERSION_STRING; }

}  // namespace dealcore

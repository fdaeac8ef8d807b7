// dealcore/version.hpp — the library's version, at compile time and at run time.
#pragma once

#include "dealcore/export.h"
#include "dealcore/version.h"

namespace dealcore {
// "MAJOR.MINOR.PATCH" of the library actually linked.
DEALCORE_EXPORT const char *version() noexcept;
}  // namespace dealcore

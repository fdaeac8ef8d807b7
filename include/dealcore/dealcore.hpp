// dealcore/dealcore.hpp — the whole C++ API in one include.
#pragma once

#include "dealcore/catalog.hpp"
#include "dealcore/database.hpp"
#include "dealcore/deal.hpp"
#include "dealcore/error.hpp"
#include "dealcore/query.hpp"
#include "dealcore/task.hpp"
#include "dealcore/timeline.hpp"
#include "dealcore/types.hpp"
#include "dealcore/version.hpp"

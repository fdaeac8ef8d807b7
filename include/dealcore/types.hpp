// dealcore/types.hpp — plain value types shared by the whole API.
//
// Ids are int64 (0 means "none"). Times are int64 milliseconds since the Unix
// epoch, UTC. Money is int64 minor units plus an ISO 4217 code; sums are kept
// per currency, never converted. Text is UTF-8 and validated on input.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace dealcore {

using Id = std::int64_t;
using Millis = std::int64_t;

// The user on whose behalf a call runs. It is written into every event.
// user_id 0 is the system actor (imports, integrations, tests).
struct Actor {
  Id user_id = 0;
  static Actor system() { return Actor{0}; }
  static Actor user(Id id) { return Actor{id}; }
};

// The clock used for every timestamp the library writes. Inject one in tests.
using Clock = std::function<Millis()>;

struct Money {
  std::int64_t minor = 0;  // kopecks, cents
  std::string currency;    // ISO 4217, three upper-case letters
  friend bool operator==(const Money &, const Money &) = default;
};

enum class StageKind : int { open = 0, won = 1, lost = 2 };

// The state of a deal's open tasks, as the board card shows it: none, one
// past due, the nearest due today (local day), or all later.
enum class TaskState : int { none = 0, overdue = 1, today = 2, planned = 3 };

// Which deals a query sees with respect to archiving.
enum class ArchivedMode : int { exclude = 0, only = 1, include = 2 };

}  // namespace dealcore

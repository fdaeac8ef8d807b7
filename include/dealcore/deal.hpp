// dealcore/deal.hpp — deals, their contacts and the values used to create,
// change and read them (seed D1–D3, D6, D7, D9, D10).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dealcore/types.hpp"

namespace dealcore {

// A new deal. Required: name, and pipeline_id or stage_id (a stage names its pipeline).
struct DealSpec {
  std::string name;
  Id pipeline_id = 0;
  Id stage_id = 0;            // 0: the pipeline's first open stage
  std::int64_t amount = 0;    // minor units, >= 0
  std::string currency = "RUB";
  Id owner_id = 0;            // 0: nobody yet
  Id department_id = 0;       // 0: follows the owner's department
  std::string client_ref;     // host's id of the client (a 1C GUID...); may be empty
  std::string client_name;    // display name of the client
  std::string segment;
  std::string external_ref;   // host's id of the deal; unique when not empty
  std::vector<Id> tags;
  std::vector<Id> contacts;
  std::optional<Millis> created_at;  // for imports (years 1..9999); default: the clock
  std::optional<Millis> updated_at;  // for imports (years 1..9999); default: the clock
};

// A partial update: only the fields that hold a value change.
struct DealPatch {
  std::optional<std::string> name;
  std::optional<std::int64_t> amount;
  std::optional<std::string> currency;
  std::optional<Id> owner_id;        // 0: unassign
  std::optional<Id> department_id;   // 0: follow the owner again
  std::optional<std::string> client_ref;
  std::optional<std::string> client_name;
  std::optional<std::string> segment;
};

// Where a deal goes. A stage_id alone names its pipeline. A pipeline_id alone
// puts the deal into that pipeline's first open stage. Both must agree: a
// stage of another pipeline is refused with Errc::conflict.
struct MoveTarget {
  Id pipeline_id = 0;
  Id stage_id = 0;
  std::string lost_reason;  // kept when the target stage is a lost one
};

// A deal as the list, the board and the card show it.
struct Deal {
  Id id = 0;
  std::string name;
  Id pipeline_id = 0;
  Id stage_id = 0;
  StageKind stage_kind = StageKind::open;
  Money amount;
  Id owner_id = 0;
  Id department_id = 0;
  std::string client_ref;
  std::string client_name;
  std::string segment;
  std::string external_ref;
  std::string lost_reason;
  Millis created_at = 0;
  Millis updated_at = 0;
  Millis closed_at = 0;          // 0 while the deal is in an open stage
  Millis stage_changed_at = 0;
  bool archived = false;
  int open_task_count = 0;
  Millis next_task_due = 0;      // 0: no open task
  TaskState task_state = TaskState::none;  // filled by lists and boards
  std::vector<Id> tags;          // sorted
  std::vector<Id> contacts;      // sorted
};

struct ContactSpec {
  std::string name;
  std::vector<std::string> phones;  // any common notation; stored as E.164
  std::vector<std::string> emails;  // trimmed, compared case-insensitively
  std::string client_ref;
  std::string external_ref;         // unique when not empty
};

struct Contact {
  Id id = 0;
  std::string name;
  std::vector<std::string> phones;  // E.164, e.g. "+79123456789"
  std::vector<std::string> emails;  // lower-cased
  std::string client_ref;
  std::string external_ref;
};

}  // namespace dealcore

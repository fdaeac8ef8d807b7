// dealcore/catalog.hpp — the company's dictionaries: pipelines with their
// stages, departments, users (deal owners) and tags.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dealcore/types.hpp"

namespace dealcore {

// A stage as the caller describes it. id 0 means "a new stage" in
// Database::update_stages; a non-zero id keeps an existing stage.
struct StageSpec {
  Id id = 0;
  std::string name;
  StageKind kind = StageKind::open;
  std::string color;                  // free text, e.g. "#99ccff"; may be empty
  std::optional<int> probability;     // 0..100
  std::optional<int> rotting_days;    // > 0
};

struct Stage {
  Id id = 0;
  Id pipeline_id = 0;
  std::string name;
  StageKind kind = StageKind::open;
  int position = 0;  // 0-based order within the pipeline
  std::string color;
  std::optional<int> probability;
  std::optional<int> rotting_days;
};

struct Pipeline {
  Id id = 0;
  std::string name;
  int position = 0;
  bool archived = false;
  std::vector<Stage> stages;  // in board order
};

struct Department {
  Id id = 0;
  std::string name;
};

struct User {
  Id id = 0;
  std::string name;
  Id department_id = 0;  // 0: none
  bool active = true;
  std::string external_ref;  // host's id of the user; may be empty
};

struct Tag {
  Id id = 0;
  std::string name;
  std::string color;
};

}  // namespace dealcore

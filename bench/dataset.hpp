// bench/dataset.hpp — the deterministic data set of the benchmark.
//
// One seed, one data set: 20 pipelines x 8 stages (6 open, 1 won, 1 lost),
// 500 owners in 50 departments, 200 tags (Zipf-distributed, 0-4 per deal),
// clients with 3 contacts each (a phone and an e-mail per contact), deals
// linking 1-3 of their client's contacts, amounts in RUB/USD/EUR, created and
// updated times over two years. Entities refer to each other by index here;
// the loaders map indexes to the ids the library hands out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bench {

inline constexpr int kPipelines = 20;
inline constexpr int kStagesPerPipeline = 8;  // 6 open, then won, then lost
inline constexpr int kOpenStages = 6;
inline constexpr int kDepartments = 50;
inline constexpr int kUsers = 500;
inline constexpr int kTags = 200;
inline constexpr int kContactsPerClient = 3;
inline constexpr std::uint64_t kSeed = 20240601;
// Bump when the generator changes, so --reuse never mixes two data sets.
inline constexpr int kGeneratorVersion = 3;  // 3: tasks, the heavy user, the long timeline

// 2025-01-01T00:00:00Z; every time in the data set is before it.
inline constexpr std::int64_t kEpochEnd = 1735689600000;
inline constexpr std::int64_t kDay = 86400000;
inline constexpr std::int64_t kSpan = 730 * kDay;  // two years
inline constexpr std::int64_t kEpochStart = kEpochEnd - kSpan;

struct GenClient {
  std::string ref;   // a 1C-style GUID
  std::string name;  // ООО «...»
  std::string segment;
};

struct GenContact {
  std::string name;
  std::string phone_e164;   // +79xxxxxxxxx, unique
  std::string phone_input;  // as the host sends it (several notations)
  std::string email;        // lower-case, unique
  std::string email_input;  // as the host sends it (mixed case)
  int client = 0;
};

struct GenDeal {
  std::string name;
  std::string external_ref;  // a GUID
  int pipeline = 0;
  int stage = 0;  // 0..7 within the pipeline
  std::int64_t amount = 0;
  std::string currency;
  int owner = -1;            // user index, -1: nobody
  int department = -1;       // explicit department index, -1: follows the owner
  int client = 0;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::vector<int> tags;      // tag indexes, distinct
  std::vector<int> contacts;  // contact indexes, distinct
  bool archived = false;  // archived right after creation, at updated_at
  // What the tasks issue will load: 0 for ~30% of deals ("no open task").
  // The deal API cannot set it yet, so no question reads it.
  int planned_open_tasks = 0;
};

struct DataSet {
  std::vector<std::string> department_names;
  std::vector<std::string> user_names;
  std::vector<int> user_department;  // department index of each user
  std::vector<std::string> tag_names;
  std::vector<std::string> pipeline_names;
  std::vector<std::string> stage_names;  // the 8 names, same in every pipeline
  std::vector<GenClient> clients;
  std::vector<GenContact> contacts;
  std::vector<GenDeal> deals;  // in creation order: created_at ascending

  int department_of(const GenDeal &d) const {
    if (d.department >= 0) return d.department;
    return d.owner >= 0 ? user_department[d.owner] : -1;
  }
};

DataSet generate(std::int64_t n_deals);

// Segments used in the data set ("" is one of them: no segment).
const std::vector<std::string> &segments();
// Substrings for the text-search questions: some common, some rare, written
// in other cases (and with ё) than the names themselves.
const std::vector<std::string> &text_terms();

}  // namespace bench

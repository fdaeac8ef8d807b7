// bench/load.hpp — puts one DataSet into a dealcore file (through the public
// API only) and into the plain-SQLite reference file (raw sqlite3, a flat
// deals table with the indexes a DBA would add).
#pragma once

#include <dealcore/dealcore.hpp>

#include <array>
#include <string>
#include <vector>

#include "dataset.hpp"
#include "sqlite_db.hpp"
#include "tasks.hpp"

namespace bench {

// The ids dealcore handed out, by data-set index. The reference file uses the
// same ids so answers compare directly.
struct IdMap {
  std::vector<dealcore::Id> departments, users, tags, pipelines, contacts, deals;
  std::vector<std::array<dealcore::Id, kStagesPerPipeline>> stages;
  TaskIds task;  // tasks, the heavy user, the timeline deal
};

struct LoadTimes {
  double catalog_s = 0, contacts_s = 0, deals_s = 0, archive_s = 0, reference_s = 0;
};

// Creates the file from scratch (it must not exist). Throws std::runtime_error
// when a sample of deals read back differs from what was written.
// Contacts and deals go in through the bulk calls (create_contacts,
// create_deals) in batches of kBatch; then the archives and the tasks.
inline constexpr std::size_t kBatch = 10000;
IdMap load_dealcore(const DataSet &ds, const TaskSet &ts, const std::string &path, LoadTimes &times);

void load_reference(const DataSet &ds, const IdMap &ids, const std::string &path, LoadTimes &times);

// The reference's secondary indexes (created after the bulk load), then
// ANALYZE if they are new.
void ensure_reference_indexes(Db &db);

// The reference schema's deal columns, in the order read_row() expects.
inline constexpr const char *kRowColumns =
    "d.id, d.name, d.pipeline_id, d.stage_id, d.kind, d.amount, d.currency, d.owner_id, d.department_id, "
    "d.client_ref, d.client_name, d.segment, d.created_at, d.updated_at";

}  // namespace bench

// bench/questions.hpp — the fixed mix of questions asked of dealcore and of
// the reference SQLite file, with the answers compared on every iteration.
#pragma once

#include <dealcore/dealcore.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "sqlite_db.hpp"

namespace bench {

struct RunConfig {
  std::int64_t n_deals = 0;
  int iters = 200;
  int warmup = 10;
  std::vector<std::string> only;  // empty: every question
  bool explain = false;           // print SQLite's query plans to stderr
};

struct RunResult {
  int questions = 0;
  int mismatches = 0;  // iterations whose answers differed
  int errors = 0;      // questions that threw
};

// Runs the mix; prints one JSON line per question on stdout and every
// mismatch (filter, expected, got) on stderr.
RunResult run_questions(const dealcore::Database &db, Db &ref, const RunConfig &cfg);

}  // namespace bench

// demo_data.hpp — the ingredients of the Russian demo database: a seeded
// random generator, the company's dictionaries, and generated clients,
// contacts and deal names. Everything is deterministic for a given seed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <dealcore/catalog.hpp>
#include <dealcore/deal.hpp>

namespace cli::demo {

// splitmix64: tiny, fast and the same on every platform.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  // Uniform in [0, n).
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
  // Uniform in [lo, hi].
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  double unit() { return static_cast<double>(next() >> 11) / 9007199254740992.0; }
  bool chance(double p) { return unit() < p; }
  template <class T>
  const T &pick(const std::vector<T> &v) { return v[below(v.size())]; }

 private:
  std::uint64_t state_;
};

struct PipelineSpec {
  std::string name;
  std::vector<dealcore::StageSpec> stages;
};

struct UserSpec {
  std::string name;
  int department;  // index into departments()
};

struct TagSpec {
  std::string name, color;
};

const std::vector<PipelineSpec> &pipelines();      // «Продажи», «Тендеры»
const std::vector<std::string> &departments();     // three departments
const std::vector<UserSpec> &users();              // ten managers
const std::vector<TagSpec> &tags();                // twenty tags
const std::vector<std::string> &lost_reasons(bool tender);
const std::vector<std::string> &segments();

struct Client {
  std::string name;     // «ООО «Ромашка»»
  std::string ref;      // a 1C-style GUID
  std::string segment;
  bool public_sector = false;
  std::vector<dealcore::ContactSpec> contacts;
};

// n clients, each with 1-3 contacts (phones in mixed notations, e-mails).
std::vector<Client> make_clients(Rng &rng, int n);
// «Поставка оборудования для ООО «Ромашка»», «Аукцион 44-ФЗ: ...».
std::string make_deal_name(Rng &rng, const Client &client, bool tender);
// "3f2a8c1e-…": 8-4-4-4-12 lower-case hex, version 4 bits set.
std::string make_guid(Rng &rng);
// What a manager writes: task texts by type (0 call, 1 meeting, 2 e-mail,
// 3 follow-up), the results of completed tasks, and comments on deals.
const std::vector<std::string> &task_texts(int type);
const std::vector<std::string> &task_results(int type);
const std::vector<std::string> &comments();
// Russian to Latin letters for e-mail addresses and domains.
std::string translit(std::string_view russian);

}  // namespace cli::demo

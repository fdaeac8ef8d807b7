// Shared helpers for the unit tests: temporary database files, a manual
// clock and a small catalog.
#pragma once

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <string>

#include "dealcore/dealcore.hpp"

namespace testutil {

inline std::string temp_db(const std::string &name) {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::path(DEALCORE_TEST_TMPDIR) / "dbs";
  std::filesystem::create_directories(dir);
  auto path = dir / (name + "-" + std::to_string(counter++) + ".db");
  for (const char *suffix : {"", "-wal", "-shm", "-views"}) std::filesystem::remove(path.string() + suffix);
  return path.string();
}

// Sets a variable (a test hook such as views::ClientDeals::big_at) for the
// rest of the scope, and puts its value back when the scope ends.
template <class T>
class ScopedValue {
 public:
  ScopedValue(T &var, T value) : var_(var), was_(var) { var_ = value; }
  ~ScopedValue() { var_ = was_; }
  ScopedValue(const ScopedValue &) = delete;
  ScopedValue &operator=(const ScopedValue &) = delete;

 private:
  T &var_;
  T was_;
};

// A clock the test moves by hand; starts at 2026-01-01T00:00:00Z.
struct ManualClock {
  std::shared_ptr<std::atomic<dealcore::Millis>> t =
      std::make_shared<std::atomic<dealcore::Millis>>(1767225600000LL);
  dealcore::Clock clock() const {
    auto p = t;
    return [p] { return p->load(); };
  }
  void advance(dealcore::Millis ms) { *t += ms; }
};

inline dealcore::Errc code_of(const std::function<void()> &fn) {
  try {
    fn();
  } catch (const dealcore::Error &e) {
    return e.code();
  }
  return dealcore::Errc::ok;
}

// Two pipelines with open/won/lost stages, three users in two departments.
struct Catalog {
  dealcore::Id sales = 0, tenders = 0;
  std::vector<dealcore::Id> sales_stages, tender_stages;  // open..., won, lost
  dealcore::Id dept_a = 0, dept_b = 0;
  dealcore::Id anna = 0, boris = 0, vera = 0;
  std::vector<dealcore::Id> tags;

  explicit Catalog(dealcore::Database &db) {
    using namespace dealcore;
    auto sys = Actor::system();
    sales = db.create_pipeline(sys, "Продажи",
                               {{.name = "Новая"},
                                {.name = "Переговоры", .probability = 40},
                                {.name = "Счёт выставлен", .rotting_days = 7},
                                {.name = "Успех", .kind = StageKind::won},
                                {.name = "Отказ", .kind = StageKind::lost}});
    tenders = db.create_pipeline(sys, "Тендеры",
                                 {{.name = "Заявка"}, {.name = "Выиграли", .kind = StageKind::won},
                                  {.name = "Проиграли", .kind = StageKind::lost}});
    for (const auto &s : db.pipeline(sales).stages) sales_stages.push_back(s.id);
    for (const auto &s : db.pipeline(tenders).stages) tender_stages.push_back(s.id);
    dept_a = db.create_department(sys, "Отдел продаж");
    dept_b = db.create_department(sys, "Тендерный отдел");
    anna = db.create_user(sys, "Анна Смирнова", dept_a);
    boris = db.create_user(sys, "Борис Иванов", dept_a);
    vera = db.create_user(sys, "Вера Петрова", dept_b);
    for (const char *t : {"VIP", "Опт", "Розница", "Срочно", "Повторный"}) tags.push_back(db.create_tag(sys, t));
  }
};

}  // namespace testutil

// A tiny C++ host: opens a file, makes a pipeline and a deal, lists it.
#include <cstdio>
#include <exception>

#include <dealcore/dealcore.hpp>

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DB_FILE\n", argv[0]);
    return 2;
  }
  std::remove(argv[1]);
  try {
    auto db = dealcore::Database::open(argv[1]);
    const auto system = dealcore::Actor::system();
    const auto sales = db.create_pipeline(system, "Продажи",
                                          {{.name = "Новая"},
                                           {.name = "Успех", .kind = dealcore::StageKind::won},
                                           {.name = "Отказ", .kind = dealcore::StageKind::lost}});
    const auto id = db.create_deal(system, {.name = "Поставка", .pipeline_id = sales,
                                            .amount = 1500000});
    const auto page = db.list_deals({.pipelines = {sales}}, {.with_total = true});
    const bool ok = page.items.size() == 1 && page.items[0].id == id && page.total == 1 &&
                    db.verify().ok;
    std::printf("dealcore %s via find_package: %zu deal(s), %s\n", dealcore::version(),
                page.items.size(), ok ? "ok" : "MISMATCH");
    return ok ? 0 : 1;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

// embed.cpp — the smallest useful host: link dealcore, keep a pipeline, push
// deals from the host's own records, and read the list and the kanban back.
//
//   cmake --build build --target dealcore_embed_cpp && build/examples/cpp/dealcore_embed_cpp
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <dealcore/dealcore.hpp>

namespace dc = dealcore;

int main(int argc, char **argv) {
  const std::string path = argc > 1 ? argv[1] : "embed-example.db";
  std::filesystem::remove(path);  // a fresh file each run
  try {
    auto db = dc::Database::open(path);
    const auto admin = dc::Actor::system();

    // The company's dictionaries: a funnel with won and lost stages, a
    // department with a manager, a tag.
    const dc::Id sales = db.create_pipeline(
        admin, "Продажи",
        {{.name = "Новая", .color = "#90caf9", .probability = 10, .rotting_days = 3},
         {.name = "Переговоры", .color = "#ffa726", .probability = 60},
         {.name = "Успех", .kind = dc::StageKind::won, .color = "#43a047"},
         {.name = "Отказ", .kind = dc::StageKind::lost, .color = "#e53935"}});
    const dc::Id dept = db.create_department(admin, "Отдел продаж");
    const dc::Id anna = db.create_user(admin, "Анна Смирнова", dept);
    const dc::Id vip = db.create_tag(admin, "VIP", "#e53935");
    const auto as_anna = dc::Actor::user(anna);

    // A contact as the host knows it: the phone in whatever notation it has.
    const dc::Id ivan = db.create_contact(
        admin, {.name = "Сидоров Иван Петрович",
                .phones = {"8 (912) 345-67-89"},
                .emails = {"I.Sidorov@Romashka.ru"},
                .client_ref = "6f1c2a8e-0b7d-4a51-9e33-1c2d3e4f5a6b"});

    // Deals pushed from the host's documents. external_ref makes the push
    // idempotent: sending the same record again updates instead of duplicating.
    dc::DealSpec order{.name = "Поставка оборудования для ООО «Ромашка»",
                       .pipeline_id = sales,
                       .amount = 1'500'000'00,  // 1 500 000,00 ₽ in kopecks
                       .owner_id = anna,
                       .client_ref = "6f1c2a8e-0b7d-4a51-9e33-1c2d3e4f5a6b",
                       .client_name = "ООО «Ромашка»",
                       .segment = "Средний бизнес",
                       .external_ref = "ЗК-000123",
                       .tags = {vip},
                       .contacts = {ivan}};
    const dc::Id first = db.upsert_deal(as_anna, order);
    order.amount = 1'750'000'00;  // the order was revised in the host
    const dc::Id again = db.upsert_deal(as_anna, order);
    std::cout << "upsert kept one deal: " << (first == again ? "yes" : "no") << "\n";

    db.create_deal(as_anna, {.name = "Лицензии 1С:ERP", .pipeline_id = sales, .amount = 420'000'00,
                             .owner_id = anna});
    const dc::Id lost = db.create_deal(
        as_anna, {.name = "Монтаж вентиляции", .pipeline_id = sales, .amount = 99'000'00});

    // Move along the funnel; a lost deal keeps its reason.
    const auto stages = db.pipeline(sales).stages;
    db.move_deals(as_anna, {first}, {.stage_id = stages[1].id});
    db.move_deals(as_anna, {lost}, {.stage_id = stages[3].id, .lost_reason = "Дорого"});

    // The list: Anna's open deals, largest first, with a total count.
    const auto page = db.list_deals({.kinds = {dc::StageKind::open}, .owners = {anna}},
                                    {.sort = dc::SortField::amount, .with_total = true});
    std::cout << "Anna's open deals: " << page.total.value_or(0) << "\n";
    for (const auto &d : page.items)
      std::cout << "  #" << d.id << " " << d.name << ": " << d.amount.minor / 100 << " "
                << d.amount.currency << "\n";

    // The kanban: each stage with its count and sums per currency.
    const auto board = db.board(sales);
    for (const auto &col : board.columns) {
      std::cout << "  [" << col.stage.name << "] " << col.count << " deal(s)";
      for (const auto &m : col.sums) std::cout << ", " << m.minor / 100 << " " << m.currency;
      std::cout << "\n";
    }

    // Lookup by a phone written differently from how it was entered.
    const auto by_phone = db.find_deals_by_phone("+7 912 345 67 89");
    std::cout << "deals on +7 912 345 67 89: " << by_phone.size() << "\n";

    // The event log: the change feed a host integration follows.
    for (const auto &e : db.events_after(0, 5))
      std::cout << "  event " << e.seq << " " << e.kind << " deal " << e.deal_id << "\n";

    // Every failure is a dealcore::Error with a code; nothing has changed.
    try {
      db.move_deals(as_anna, {first}, {.stage_id = 999999});
    } catch (const dc::Error &e) {
      std::cout << "refused (" << dc::errc_name(e.code()) << "): " << e.what() << "\n";
    }
    return db.verify().ok ? 0 : 1;
  } catch (const dc::Error &e) {
    std::cerr << "dealcore error (" << dc::errc_name(e.code()) << "): " << e.what() << "\n";
    return 1;
  }
}

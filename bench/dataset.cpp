#include "dataset.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "util.hpp"

namespace bench {

namespace {

const std::vector<std::string> kProducts = {
    "Поставка оборудования", "Сервисный контракт", "Лицензии ПО", "Ёлочные украшения",
    "Монтаж вентиляции", "Аренда склада", "Консалтинг по налогам", "Логистика",
    "Металлопрокат", "Ремонт кровли", "Обучение персонала", "Внедрение 1С:ERP",
    "Закупка мебели", "Техобслуживание лифтов", "Печатная продукция", "Спецодежда",
    "Стройматериалы", "Кабельная продукция", "Продукты питания", "Охрана объекта",
    "Клининг офиса", "Видеонаблюдение", "Сертификация", "Упаковка",
    "Запчасти для техники", "Тёплые полы", "Бухгалтерское сопровождение", "Перевозка грузов",
    "Серверное оборудование", "Канцтовары", "Equipment supply", "CRM integration"};

const std::vector<std::string> kAdjectives = {
    "Северный", "Южный", "Восточный", "Западный", "Новый", "Первый", "Главный",
    "Русский", "Сибирский", "Уральский", "Волжский", "Донской", "Тёплый", "Светлый",
    "Быстрый", "Надёжный", "Зелёный", "Белый", "Красный", "Золотой"};

const std::vector<std::string> kNouns = {
    "Ветер", "Дом", "Мир", "Стандарт", "Альянс", "Ресурс", "Проект", "Сервис", "Маркет", "Трейд",
    "Строй", "Холдинг", "Капитал", "Логистик", "Техника", "Партнёр", "Профиль", "Эксперт",
    "Вектор", "Импульс"};

const std::vector<std::string> kForms = {"ООО", "АО", "ПАО", "ИП"};

const std::vector<std::string> kFirstNames = {
    "Иван", "Пётр", "Анна", "Мария", "Сергей", "Ольга", "Алексей", "Елена", "Дмитрий", "Наталья",
    "Андрей", "Татьяна", "Михаил", "Ирина", "Николай", "Светлана", "Артём", "Юлия", "Фёдор", "Алёна"};
const std::vector<std::string> kFirstLatin = {
    "Ivan", "Petr", "Anna", "Maria", "Sergey", "Olga", "Alexey", "Elena", "Dmitry", "Natalia",
    "Andrey", "Tatiana", "Mikhail", "Irina", "Nikolay", "Svetlana", "Artem", "Julia", "Fedor", "Alena"};
const std::vector<std::string> kLastNames = {
    "Иванов", "Петров", "Сидоров", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев",
    "Козлов", "Новиков", "Морозов", "Волков", "Соловьёв", "Васильев", "Зайцев", "Павлов",
    "Семёнов", "Голубев", "Виноградов", "Богданов"};
const std::vector<std::string> kLastLatin = {
    "Ivanov", "Petrov", "Sidorov", "Smirnov", "Kuznetsov", "Popov", "Sokolov", "Lebedev",
    "Kozlov", "Novikov", "Morozov", "Volkov", "Solovyov", "Vasiliev", "Zaytsev", "Pavlov",
    "Semenov", "Golubev", "Vinogradov", "Bogdanov"};
const std::vector<std::string> kDomains = {"Mail.RU", "Yandex.ru", "Gmail.com", "Corp-Trade.RU",
                                           "Stroy.Example.ru", "bk.ru", "inbox.RU", "Holding.com"};

const std::vector<std::string> kStageNames = {"Новая", "Квалификация", "Встреча", "КП отправлено",
                                              "Переговоры", "Счёт выставлен", "Успех", "Отказ"};
// Share of deals per stage (percent), open stages first.
const int kStageWeights[kStagesPerPipeline] = {20, 15, 12, 10, 8, 7, 15, 13};

std::string guid(Rng &r) {
  char buf[40];
  std::uint64_t a = r.next(), b = r.next();
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xFFFF), static_cast<unsigned>(a & 0xFFFF),
                static_cast<unsigned>(b >> 48), static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFull));
  return buf;
}

std::string pad(std::uint64_t v, int width) {
  std::string s = std::to_string(v);
  while (static_cast<int>(s.size()) < width) s.insert(s.begin(), '0');
  return s;
}

// Zipf(1) over n items: item k (0-based) has weight 1/(k+1).
class Zipf {
 public:
  explicit Zipf(int n) : cdf_(static_cast<std::size_t>(n)) {
    double s = 0;
    for (int k = 0; k < n; ++k) cdf_[static_cast<std::size_t>(k)] = (s += 1.0 / (k + 1));
    for (auto &c : cdf_) c /= s;
  }
  int draw(Rng &r) const {
    double u = r.unit();
    return static_cast<int>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
  }

 private:
  std::vector<double> cdf_;
};

}  // namespace

const std::vector<std::string> &segments() {
  static const std::vector<std::string> s = {"smb", "mid", "enterprise", "gov", "retail", ""};
  return s;
}

const std::vector<std::string> &text_terms() {
  // Written in other cases than the names, ё and е swapped on purpose.
  static const std::vector<std::string> t = {"ОБОРУДОВАНИ", "елочные", "ТЁПЛЫЕ", "лифт",
                                             "crm",         "СЕРВ",    "ветер-1", "партнер"};
  return t;
}

DataSet generate(std::int64_t n) {
  DataSet ds;
  Rng r(kSeed);

  for (int d = 0; d < kDepartments; ++d) ds.department_names.push_back("Отдел продаж №" + std::to_string(d + 1));
  for (int u = 0; u < kUsers; ++u) {
    ds.user_names.push_back(kFirstNames[static_cast<std::size_t>(u) % kFirstNames.size()] + " " +
                            kLastNames[static_cast<std::size_t>(u / 20) % kLastNames.size()] + " " +
                            std::to_string(u + 1));
    ds.user_department.push_back(u % kDepartments);
  }
  const std::vector<std::string> named_tags = {"VIP", "Опт", "Розница", "Тендер", "Повторная",
                                               "Срочно", "Госзаказ", "Партнёр", "Экспорт", "Холодный"};
  for (int t = 0; t < kTags; ++t)
    ds.tag_names.push_back(t < static_cast<int>(named_tags.size()) ? named_tags[static_cast<std::size_t>(t)]
                                                                    : "метка-" + std::to_string(t + 1));
  for (int p = 0; p < kPipelines; ++p) ds.pipeline_names.push_back("Продажи — регион " + std::to_string(p + 1));
  ds.stage_names = kStageNames;

  // Clients: about four deals each, three contacts each.
  std::int64_t n_clients = std::max<std::int64_t>(1, n / 4);
  ds.clients.reserve(static_cast<std::size_t>(n_clients));
  for (std::int64_t c = 0; c < n_clients; ++c) {
    GenClient cl;
    cl.ref = guid(r);
    std::string brand = kAdjectives[r.below(kAdjectives.size())] + " " + kNouns[r.below(kNouns.size())] + "-" +
                        std::to_string(1 + r.below(static_cast<std::uint64_t>(std::max<std::int64_t>(1, n_clients / 400))));
    cl.name = kForms[r.below(kForms.size())] + " «" + brand + "»";
    const auto &segs = segments();
    cl.segment = segs[r.below(segs.size())];
    ds.clients.push_back(std::move(cl));
  }
  ds.contacts.reserve(static_cast<std::size_t>(n_clients * kContactsPerClient));
  for (std::int64_t c = 0; c < n_clients; ++c) {
    for (int j = 0; j < kContactsPerClient; ++j) {
      auto k = static_cast<std::uint64_t>(ds.contacts.size());
      GenContact ct;
      auto fi = r.below(kFirstNames.size()), li = r.below(kLastNames.size());
      ct.name = kFirstNames[fi] + " " + kLastNames[li];
      // A bijection of [0, 1e9): every contact gets its own mobile number.
      std::uint64_t local = (k * 48271 + 123456789) % 1000000000ull;
      std::string nine = pad(local, 9);
      ct.phone_e164 = "+79" + nine;
      switch (k % 3) {
        case 0: ct.phone_input = ct.phone_e164; break;
        case 1:
          ct.phone_input = "8 (9" + nine.substr(0, 2) + ") " + nine.substr(2, 3) + "-" + nine.substr(5, 2) + "-" +
                           nine.substr(7, 2);
          break;
        default: ct.phone_input = "79" + nine; break;
      }
      ct.email_input = kFirstLatin[fi] + "." + kLastLatin[li] + std::to_string(k) + "@" + kDomains[k % kDomains.size()];
      ct.email = ct.email_input;
      for (auto &ch : ct.email) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      ct.client = static_cast<int>(c);
      ds.contacts.push_back(std::move(ct));
    }
  }

  // Creation times first, sorted: ids grow with created_at as in a real CRM.
  std::vector<std::int64_t> created(static_cast<std::size_t>(n));
  for (auto &c : created) c = kEpochStart + static_cast<std::int64_t>(r.below(static_cast<std::uint64_t>(kSpan - kDay)));
  std::sort(created.begin(), created.end());

  Zipf tag_zipf(kTags);
  ds.deals.reserve(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    GenDeal d;
    d.client = static_cast<int>(r.below(static_cast<std::uint64_t>(n_clients)));
    const auto &cl = ds.clients[static_cast<std::size_t>(d.client)];
    auto q1 = cl.name.find("«"), q2 = cl.name.find("»");
    std::string brand = cl.name.substr(q1 + 2, q2 - q1 - 2);
    d.name = kProducts[r.below(kProducts.size())] + " — " + brand;
    d.external_ref = guid(r);
    d.pipeline = static_cast<int>(r.below(kPipelines));
    int w = static_cast<int>(r.below(100));
    d.stage = 0;
    while (w >= kStageWeights[d.stage]) w -= kStageWeights[d.stage++];
    double cu = r.unit();
    if (cu < 0.85) {
      d.currency = "RUB";
      // 10 thousand to 10 million roubles, whole thousands: ties on purpose.
      auto rub = static_cast<std::int64_t>(std::exp(std::log(1e4) + r.unit() * std::log(1e3)));
      d.amount = (rub / 1000) * 1000 * 100;
    } else {
      d.currency = cu < 0.95 ? "USD" : "EUR";
      auto units = static_cast<std::int64_t>(std::exp(std::log(1e2) + r.unit() * std::log(1e3)));
      d.amount = (units / 10) * 10 * 100;
    }
    if (r.chance(0.03)) d.amount = 0;
    d.owner = r.chance(0.02) ? -1 : static_cast<int>(r.below(kUsers));
    if (r.chance(0.05)) d.department = static_cast<int>(r.below(kDepartments));
    d.created_at = created[static_cast<std::size_t>(i)];
    d.updated_at = d.created_at + static_cast<std::int64_t>(r.unit() * static_cast<double>(kEpochEnd - d.created_at - 1));
    int ntags = static_cast<int>(r.below(5));
    for (int t = 0, tries = 0; t < ntags && tries < 20; ++tries) {
      int tag = tag_zipf.draw(r);
      if (std::find(d.tags.begin(), d.tags.end(), tag) != d.tags.end()) continue;
      d.tags.push_back(tag);
      ++t;
    }
    std::sort(d.tags.begin(), d.tags.end());
    int ncontacts = 1 + static_cast<int>(r.below(kContactsPerClient));
    int first = static_cast<int>(r.below(kContactsPerClient));
    for (int j = 0; j < ncontacts; ++j) d.contacts.push_back(d.client * kContactsPerClient + (first + j) % kContactsPerClient);
    std::sort(d.contacts.begin(), d.contacts.end());
    d.archived = r.chance(0.03);
    d.planned_open_tasks = r.chance(0.30) ? 0 : 1 + static_cast<int>(r.below(3));
    ds.deals.push_back(std::move(d));
  }
  return ds;
}

}  // namespace bench

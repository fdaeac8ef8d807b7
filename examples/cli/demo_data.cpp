#include "demo_data.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace cli::demo {

using dealcore::StageKind;

std::uint64_t Rng::next() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

const std::vector<PipelineSpec> &pipelines() {
  static const std::vector<PipelineSpec> v = {
      {"Продажи",
       {{.name = "Новая заявка", .color = "#90caf9", .probability = 10, .rotting_days = 3},
        {.name = "Квалификация", .color = "#64b5f6", .probability = 20, .rotting_days = 5},
        {.name = "Выявление потребностей", .color = "#42a5f5", .probability = 30, .rotting_days = 7},
        {.name = "Коммерческое предложение", .color = "#ffb74d", .probability = 50, .rotting_days = 10},
        {.name = "Переговоры", .color = "#ffa726", .probability = 70, .rotting_days = 14},
        {.name = "Счёт выставлен", .color = "#ab47bc", .probability = 90, .rotting_days = 7},
        {.name = "Успешно реализовано", .kind = StageKind::won, .color = "#43a047", .probability = 100},
        {.name = "Закрыто и не реализовано", .kind = StageKind::lost, .color = "#e53935", .probability = 0}}},
      {"Тендеры",
       {{.name = "Мониторинг закупок", .color = "#b0bec5", .probability = 10, .rotting_days = 7},
        {.name = "Подготовка заявки", .color = "#4fc3f7", .probability = 25, .rotting_days = 5},
        {.name = "Заявка подана", .color = "#29b6f6", .probability = 40, .rotting_days = 14},
        {.name = "Рассмотрение заявок", .color = "#ffca28", .probability = 60, .rotting_days = 21},
        {.name = "Контракт на подписании", .color = "#8e24aa", .probability = 85, .rotting_days = 7},
        {.name = "Контракт заключён", .kind = StageKind::won, .color = "#2e7d32", .probability = 100},
        {.name = "Проигран", .kind = StageKind::lost, .color = "#c62828", .probability = 0}}},
  };
  return v;
}

const std::vector<std::string> &departments() {
  static const std::vector<std::string> v = {"Отдел продаж (Москва)", "Отдел продаж (Екатеринбург)",
                                             "Тендерный отдел"};
  return v;
}

const std::vector<UserSpec> &users() {
  static const std::vector<UserSpec> v = {
      {"Анна Смирнова", 0},   {"Дмитрий Иванов", 0},  {"Екатерина Кузнецова", 0},
      {"Сергей Попов", 0},    {"Ольга Васильева", 1}, {"Алексей Петров", 1},
      {"Мария Соколова", 1},  {"Игорь Михайлов", 2},  {"Наталья Фёдорова", 2},
      {"Павел Морозов", 2},
  };
  return v;
}

const std::vector<TagSpec> &tags() {
  static const std::vector<TagSpec> v = {
      {"VIP", "#e53935"},          {"Горячий", "#ff7043"},          {"Холодный", "#4fc3f7"},
      {"Повторная продажа", "#66bb6a"}, {"Госзаказ", "#5c6bc0"},    {"44-ФЗ", "#3949ab"},
      {"223-ФЗ", "#7986cb"},       {"Опт", "#8d6e63"},              {"Дилер", "#a1887f"},
      {"Срочно", "#d32f2f"},       {"Скидка", "#fbc02d"},           {"Предоплата", "#43a047"},
      {"Отсрочка платежа", "#fb8c00"}, {"Импорт", "#00897b"},       {"Сервис", "#00acc1"},
      {"Рекомендация", "#ab47bc"}, {"Выставка", "#ec407a"},         {"Сайт", "#26a69a"},
      {"Холодный звонок", "#78909c"}, {"Крупный проект", "#6d4c41"},
  };
  return v;
}

const std::vector<std::string> &lost_reasons(bool tender) {
  static const std::vector<std::string> sales = {
      "Дорого", "Выбрали конкурента", "Нет бюджета", "Клиент не выходит на связь",
      "Не устроили сроки поставки", "Проект отложен на следующий год"};
  static const std::vector<std::string> tenders = {
      "Победил участник с меньшей ценой", "Заявка отклонена: не прошли по техническим требованиям",
      "Закупка отменена заказчиком", "Не успели подготовить обеспечение заявки"};
  return tender ? tenders : sales;
}

const std::vector<std::string> &segments() {
  static const std::vector<std::string> v = {"Малый бизнес", "Средний бизнес", "Крупный бизнес",
                                             "Госсектор", "Дистрибьюторы"};
  return v;
}

const std::vector<std::string> &task_texts(int type) {
  static const std::vector<std::string> v[4] = {
      {"Позвонить ЛПР: уточнить сроки решения", "Звонок по коммерческому предложению",
       "Перезвонить бухгалтерии по счёту", "Созвониться с техническим специалистом",
       "Позвонить: подтвердить адрес и дату поставки"},
      {"Встреча в офисе клиента: презентация решения", "Онлайн-встреча: демонстрация оборудования",
       "Встреча по условиям договора", "Выезд на объект: замеры"},
      {"Отправить коммерческое предложение", "Выслать договор на согласование",
       "Отправить счёт на предоплату", "Направить спецификацию и сертификаты"},
      {"Уточнить статус согласования договора", "Напомнить об оплате счёта",
       "Проверить, получено ли КП", "Запросить обратную связь по пробной поставке"}};
  return v[type & 3];
}

const std::vector<std::string> &task_results(int type) {
  static const std::vector<std::string> v[4] = {
      {"Дозвонился, решение на следующей неделе", "Не дозвонился, перезвонить завтра",
       "Клиент просит скидку 7%", "Договорились о встрече"},
      {"Презентацию провели, ждут КП", "Согласовали спецификацию", "Встреча перенесена клиентом"},
      {"Отправлено", "Отправлено, получение подтвердили", "Договор ушёл юристам клиента"},
      {"На согласовании у директора", "Оплату обещают до пятницы", "Ответа пока нет"}};
  return v[type & 3];
}

const std::vector<std::string> &comments() {
  static const std::vector<std::string> v = {
      "Клиент просит перенести поставку на следующий месяц",
      "ЛПР — финансовый директор, решение до конца месяца",
      "Конкурент предложил цену на 10% ниже, нужна позиция по скидке",
      "Нужна отсрочка платежа 30 дней — согласовать с финансовым отделом",
      "Техническое задание согласовано, ждём подписи",
      "Бюджет на закупку утверждён",
      "Важно: клиент готов к предоплате 50%",
      "Просили не звонить до 11:00, удобнее писать в Telegram",
      "Закупка переносится, следим за площадкой"};
  return v;
}

namespace {

const std::vector<std::string> kCompanies = {
    "Ромашка", "Вектор", "СтройИнвест", "ТехноПром", "Альфа-Логистик", "Северный ветер",
    "Уралмаш-Сервис", "Гранит", "Сибирские сети", "ПромАвтоматика", "Нева-Трейд", "Волга-Агро",
    "Мегаполис", "ЭнергоСбыт", "Медтехника", "Кедр", "Полюс", "Меридиан", "Горизонт", "Спектр",
    "Атлант", "Берёзка", "Теплосеть", "Инфосистемы", "КрасМаш", "Дельта-Строй", "Технолайн",
    "Стальконструкция", "АгроХолдинг Юг", "Балтийский берег", "Каравай", "Автоцентр Север",
    "Логистик-Плюс", "ИнтерСвязь", "Зелёный город", "Ледокол", "Профмонтаж", "Электрощит",
    "Трансойл", "Белые ночи", "Камский завод", "Омега", "Орион", "Сигма", "Прогресс", "Рассвет",
    "Созвездие", "Малахит", "Самоцвет", "Енисей", "Байкал-Трейд", "Алтай-Продукт", "Тайга",
    "Арктика", "Парус", "Якорь", "Фармалайн", "ХимПром", "Сталь-Ресурс", "Мебельная фабрика «Уют»"};
const std::vector<std::string> kInstitutions = {
    "ГБУЗ «Городская клиническая больница №5»", "МБОУ «Средняя школа №14»",
    "ГАУ «Центр спортивной подготовки»", "ФГБОУ ВО «Уральский технический университет»",
    "МКУ «Управление дорожного хозяйства»", "ГБУ «Жилищник района Южный»",
    "ГКУ «Центр занятости населения»", "МУП «Водоканал»", "ГБУК «Областная библиотека»",
    "ФГУП «Почтовая связь»", "ГБУЗ «Детская поликлиника №3»", "МАДОУ «Детский сад №112»"};
const std::vector<std::string> kMaleNames = {"Александр", "Дмитрий", "Сергей",  "Андрей",
                                             "Алексей",   "Иван",    "Михаил",  "Николай",
                                             "Владимир",  "Евгений", "Олег",    "Павел",
                                             "Роман",     "Юрий",    "Константин"};
const std::vector<std::string> kFemaleNames = {"Елена",    "Ольга", "Наталья", "Татьяна",
                                               "Ирина",    "Светлана", "Анна",  "Мария",
                                               "Юлия",     "Екатерина", "Марина", "Людмила"};
const std::vector<std::string> kPatronymics = {"Александрович", "Дмитриевич", "Сергеевич",
                                               "Андреевич",     "Иванович",   "Михайлович",
                                               "Николаевич",    "Владимирович", "Петрович",
                                               "Викторович",    "Евгеньевич"};
const std::vector<std::string> kSurnames = {
    "Иванов",   "Смирнов",  "Кузнецов", "Попов",    "Соколов",  "Лебедев",  "Козлов",
    "Новиков",  "Морозов",  "Волков",   "Соловьёв", "Васильев", "Зайцев",   "Павлов",
    "Семёнов",  "Голубев",  "Виноградов", "Богданов", "Воробьёв", "Фёдоров", "Михайлов",
    "Беляев",   "Тарасов",  "Белов",    "Комаров",  "Орлов",    "Киселёв",  "Макаров",
    "Андреев",  "Ковалёв"};
const std::vector<std::string> kProducts = {
    "серверного оборудования", "станков ЧПУ", "офисной мебели", "спецодежды", "ноутбуков",
    "кабельной продукции", "насосного оборудования", "строительных материалов",
    "медицинского оборудования", "холодильных витрин", "упаковочной линии",
    "светодиодных светильников", "запчастей к погрузчикам", "сантехники", "канцтоваров",
    "компьютерной техники", "дизель-генераторов"};
const std::vector<std::string> kWorks = {
    "системы видеонаблюдения", "вентиляции", "СКС и ЛВС", "пожарной сигнализации",
    "кондиционеров", "солнечных панелей", "котельной", "складских стеллажей"};

std::string person(Rng &rng, bool female) {
  std::string surname = rng.pick(kSurnames), patronymic = rng.pick(kPatronymics);
  if (female) {
    surname += "а";
    patronymic.replace(patronymic.size() - 4, 4, "на");  // "-ич" is 4 bytes in UTF-8
  }
  return fmt::format("{} {} {}", surname, female ? rng.pick(kFemaleNames) : rng.pick(kMaleNames),
                     patronymic);
}

// A Russian number in one of the notations people actually type.
std::string phone(Rng &rng) {
  const bool mobile = rng.chance(0.75);
  static const std::vector<int> cities = {495, 499, 812, 343, 383, 846, 861};
  const int code = mobile ? static_cast<int>(rng.between(900, 999)) : rng.pick(cities);
  const int a = static_cast<int>(rng.between(100, 999)), b = static_cast<int>(rng.between(0, 99)),
            c = static_cast<int>(rng.between(0, 99));
  switch (rng.below(7)) {
    case 0: return fmt::format("8 ({}) {}-{:02}-{:02}", code, a, b, c);
    case 1: return fmt::format("+7 {} {}-{:02}-{:02}", code, a, b, c);
    case 2: return fmt::format("+7 ({}) {} {:02} {:02}", code, a, b, c);
    case 3: return fmt::format("7{}{}{:02}{:02}", code, a, b, c);
    case 4: return fmt::format("8{}{}{:02}{:02}", code, a, b, c);
    case 5: return fmt::format("+7{}{}{:02}{:02}", code, a, b, c);
    default: return fmt::format("8-{}-{}-{:02}-{:02}", code, a, b, c);
  }
}

std::string upper_ascii(std::string s) {
  for (char &ch : s)
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  return s;
}

}  // namespace

std::string translit(std::string_view s) {
  static const std::map<std::string, std::string, std::less<>> table = {
      {"а", "a"}, {"б", "b"}, {"в", "v"}, {"г", "g"},  {"д", "d"},  {"е", "e"},    {"ё", "e"},
      {"ж", "zh"}, {"з", "z"}, {"и", "i"}, {"й", "y"}, {"к", "k"},  {"л", "l"},    {"м", "m"},
      {"н", "n"}, {"о", "o"}, {"п", "p"}, {"р", "r"},  {"с", "s"},  {"т", "t"},    {"у", "u"},
      {"ф", "f"}, {"х", "kh"}, {"ц", "ts"}, {"ч", "ch"}, {"ш", "sh"}, {"щ", "shch"}, {"ъ", ""},
      {"ы", "y"}, {"ь", ""},  {"э", "e"}, {"ю", "yu"}, {"я", "ya"}};
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      char ch = s[i++];
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
      if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) out += ch;
      else if ((ch == ' ' || ch == '-') && !out.empty() && out.back() != '-') out += '-';
      continue;
    }
    const std::size_t len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    std::string ch(s.substr(i, len));
    i += len;
    // Upper-case Cyrillic А..Я (U+0410..U+042F) and Ё map to their lower-case forms.
    if (len == 2) {
      const unsigned cp = ((b & 0x1F) << 6) | (static_cast<unsigned char>(ch[1]) & 0x3F);
      unsigned lower = cp >= 0x410 && cp <= 0x42F ? cp + 0x20 : cp == 0x401 ? 0x451 : cp;
      ch = {static_cast<char>(0xC0 | (lower >> 6)), static_cast<char>(0x80 | (lower & 0x3F))};
    }
    if (auto it = table.find(ch); it != table.end()) out += it->second;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string make_guid(Rng &rng) {
  const std::uint64_t hi = rng.next(), lo = rng.next();
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF,
                     hi & 0xFFF, 0x8000 | ((lo >> 48) & 0x3FFF), lo & 0xFFFFFFFFFFFFULL);
}

std::vector<Client> make_clients(Rng &rng, int n) {
  std::vector<Client> out;
  static const std::vector<std::string> free_mail = {"mail.ru", "yandex.ru", "gmail.com", "bk.ru"};
  for (int i = 0; i < n; ++i) {
    Client c;
    c.ref = make_guid(rng);
    std::string domain;
    const auto roll = rng.below(100);
    if (roll < 12) {
      const std::string &inst = kInstitutions[static_cast<std::size_t>(i) % kInstitutions.size()];
      c.name = i < static_cast<int>(kInstitutions.size()) ? inst : fmt::format("{} (филиал {})", inst, i);
      c.public_sector = true;
      c.segment = "Госсектор";
      domain = fmt::format("gov{}.ru", i);
    } else if (roll < 22) {
      const std::string who = person(rng, rng.chance(0.4));
      // "ИП Сидоров И. П." style: surname and initials.
      const auto sp1 = who.find(' '), sp2 = who.find(' ', sp1 + 1);
      c.name = fmt::format("ИП {} {}. {}.", who.substr(0, sp1), who.substr(sp1 + 1, 2),
                           who.substr(sp2 + 1, 2));
      c.segment = "Малый бизнес";
      domain = rng.pick(free_mail);
    } else {
      static const std::vector<std::string> forms = {"ООО", "ООО", "ООО", "ООО", "АО", "АО", "ПАО"};
      const std::string &form = rng.pick(forms);
      const std::string &stem = kCompanies[rng.below(kCompanies.size())];
      c.name = stem.find("«") != std::string::npos ? fmt::format("{} {}", form, stem)
                                                   : fmt::format("{} «{}»", form, stem);
      if (i >= static_cast<int>(kCompanies.size()) && rng.chance(0.5))
        c.name += fmt::format(" ({})", rng.pick(std::vector<std::string>{
                                           "Москва", "Екатеринбург", "Казань", "Новосибирск",
                                           "Самара", "Пермь", "Тюмень"}));
      c.segment = form == "ПАО" ? "Крупный бизнес"
                  : rng.chance(0.1) ? "Дистрибьюторы"
                  : rng.chance(0.5) ? "Средний бизнес"
                  : rng.chance(0.6) ? "Малый бизнес"
                                    : "Крупный бизнес";
      domain = translit(stem) + (rng.chance(0.8) ? ".ru" : ".com");
    }
    const int contacts = static_cast<int>(rng.between(1, 3));
    for (int k = 0; k < contacts; ++k) {
      dealcore::ContactSpec spec;
      const bool female = rng.chance(0.45);
      spec.name = person(rng, female);
      spec.client_ref = c.ref;
      spec.phones.push_back(phone(rng));
      if (rng.chance(0.3)) spec.phones.push_back(phone(rng));
      const auto sp1 = spec.name.find(' ');
      const std::string surname = translit(spec.name.substr(0, sp1));
      const std::string first = translit(spec.name.substr(sp1 + 1, spec.name.find(' ', sp1 + 1) - sp1 - 1));
      if (rng.chance(0.85)) {
        const bool free = std::find(free_mail.begin(), free_mail.end(), domain) != free_mail.end();
        std::string email =
            free ? fmt::format("{}.{}{}@{}", first, surname, rng.between(1, 99), domain)
            : rng.chance(0.5) ? fmt::format("{}.{}@{}", first.substr(0, 1), surname, domain)
                              : fmt::format("{}@{}", first, domain);
        if (rng.chance(0.15)) email = upper_ascii(email.substr(0, 1)) + email.substr(1);
        if (rng.chance(0.05)) email = " " + email;  // pasted with a stray space
        spec.emails.push_back(email);
      }
      c.contacts.push_back(std::move(spec));
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string make_deal_name(Rng &rng, const Client &client, bool tender) {
  if (tender) {
    switch (rng.below(4)) {
      case 0:
        return fmt::format("Тендер № 0373200{:012} на поставку {}", rng.below(1'000'000'000'000ULL),
                           rng.pick(kProducts));
      case 1: return fmt::format("Аукцион 44-ФЗ: поставка {} для {}", rng.pick(kProducts), client.name);
      case 2: return fmt::format("Запрос котировок: монтаж {} ({})", rng.pick(kWorks), client.name);
      default: return fmt::format("Конкурс 223-ФЗ на обслуживание {} — {}", rng.pick(kWorks), client.name);
    }
  }
  switch (rng.below(9)) {
    case 0: return fmt::format("Поставка оборудования для {}", client.name);
    case 1: return fmt::format("Поставка {} — {}", rng.pick(kProducts), client.name);
    case 2: return fmt::format("Монтаж {} для {}", rng.pick(kWorks), client.name);
    case 3: return fmt::format("Годовой сервисный контракт — {}", client.name);
    case 4: return fmt::format("Лицензии 1С:ERP для {}", client.name);
    case 5: return fmt::format("Внедрение CRM в {}", client.name);
    case 6: return fmt::format("Комплексное оснащение офиса {}", client.name);
    case 7: return fmt::format("Пусконаладка {}, {}", rng.pick(kWorks), client.name);
    default: return fmt::format("Расширение поставки {} — {}", rng.pick(kProducts), client.name);
  }
}

}  // namespace cli::demo

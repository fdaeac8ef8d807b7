// The bulk build of the views (what opening a file runs) against the same
// deals put one at a time, and the queue that feeds it from a second thread.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <atomic>
#include <random>
#include <stdexcept>
#include <thread>

#include "engine/handoff.hpp"
#include "helpers.hpp"
#include "model/text.hpp"
#include "views/cache_io.hpp"
#include "views/deal_views.hpp"

using namespace dealcore;

namespace {

// Deals whose ids cross several 65,536-id chunks (the trigram build works a
// chunk at a time) and whose names tie on long prefixes, repeat exactly, or
// are shorter than the 8-byte steps of the name sort.
std::vector<store::DealRecord> sample_deals(std::mt19937 &rng) {
  const char *heads[] = {"Поставка оборудования для склада — ", "Поставка оборудования для офиса — ",
                         "Консалтинг по налогам — ", "Ёж", "ab", "a", "Zebra ", "поставка"};
  const char *tails[] = {"", "ООО Ромашка", "ООО Ромашка-2", "ИП Лютиков", "x"};
  std::vector<store::DealRecord> out;
  Id id = 0;
  for (int i = 0; i < 3000; ++i) {
    id += 1 + static_cast<Id>(rng() % 90);  // about 135,000 at the end: three chunks
    store::DealRecord d;
    d.id = id;
    d.name = std::string(heads[rng() % std::size(heads)]) + tails[rng() % std::size(tails)];
    if (rng() % 3 == 0) d.name += " №" + std::to_string(rng() % 20);
    d.pipeline_id = 1 + static_cast<Id>(rng() % 2);
    d.stage_id = d.pipeline_id * 10 + static_cast<Id>(rng() % 3);
    d.stage_kind = static_cast<StageKind>(rng() % 3);
    d.amount = {static_cast<std::int64_t>(rng() % 50) * 100, rng() % 4 ? "RUB" : "USD"};
    d.owner_id = static_cast<Id>(rng() % 6);
    d.department_id = static_cast<Id>(rng() % 3);
    d.client_ref = rng() % 4 ? "guid-" + std::to_string(rng() % 40) : "";
    if (!d.client_ref.empty()) d.client_name = "Клиент " + d.client_ref;
    d.segment = rng() % 2 ? "Опт" : "";
    d.created_at = 1000 + static_cast<Millis>(rng() % 500);
    d.updated_at = d.created_at + static_cast<Millis>(rng() % 500);
    d.archived = rng() % 10 == 0;
    d.open_task_count = static_cast<int>(rng() % 3);
    d.next_task_due = d.open_task_count ? 5000 + static_cast<Millis>(rng() % 100) : 0;
    for (Id t = 1; t <= 5; ++t)
      if (rng() % 3 == 0) d.tags.push_back(t);
    for (Id c = 1 + static_cast<Id>(rng() % 30); c <= 30; c += 1 + static_cast<Id>(rng() % 20)) d.contacts.push_back(c);
    out.push_back(d);
  }
  return out;
}

void prepare(views::DealViews &v) {
  std::unordered_map<Id, int> positions;
  for (Id p = 1; p <= 2; ++p)
    for (int s = 0; s < 3; ++s) positions[p * 10 + s] = s;
  v.set_stage_positions(positions);
  for (Id c = 1; c <= 30; ++c)
    v.contacts().put(nullptr, {.id = c, .name = "К", .phones = {"+7912000" + std::to_string(1000 + c)}});
}

std::vector<Id> by_name(const views::DealViews &v) {
  DealFilter f;
  f.archived = ArchivedMode::include;
  views::PreparedFilter pf{.filter = &f};
  ListOptions o{.sort = SortField::name, .descending = false, .limit = 1000, .ids_only = true};
  std::vector<Id> out;
  for (;;) {
    auto page = v.list(pf, o);
    out.insert(out.end(), page.ids.begin(), page.ids.end());
    if (page.next_cursor.empty()) break;
    o.cursor = page.next_cursor;
  }
  return out;
}

// The name order (folded name, then id) of the deals, by brute force.
std::vector<Id> name_order(const std::vector<store::DealRecord> &deals) {
  std::vector<std::pair<std::string, Id>> keyed;
  for (const auto &d : deals) keyed.emplace_back(model::fold_key(d.name), d.id);
  std::sort(keyed.begin(), keyed.end());
  std::vector<Id> out;
  for (const auto &[k, id] : keyed) out.push_back(id);
  return out;
}

// A deal with just a name, in pipeline 1's first stage.
store::DealRecord named_deal(Id id, std::string name) {
  store::DealRecord d;
  d.id = id;
  d.name = std::move(name);
  d.pipeline_id = 1;
  d.stage_id = 10;
  d.amount = {0, "RUB"};
  d.created_at = d.updated_at = 1000;
  return d;
}

// A views stream's sections, each as its bytes.
std::vector<std::string> sections_of(const views::DealViews &v) {
  std::FILE *f = std::tmpfile();
  REQUIRE(f != nullptr);
  views::CacheWriter w(f);
  v.save(w);
  w.finish();
  std::fflush(f);
  std::string bytes(static_cast<std::size_t>(std::ftell(f)), '\0');
  std::rewind(f);
  REQUIRE(std::fread(bytes.data(), 1, bytes.size(), f) == bytes.size());
  std::fclose(f);
  std::uint64_t n = 0;
  std::memcpy(&n, bytes.data() + bytes.size() - 8, 8);
  std::vector<views::CacheSection> table(n);
  std::memcpy(table.data(), bytes.data() + bytes.size() - 8 - n * sizeof(views::CacheSection),
              n * sizeof(views::CacheSection));
  std::vector<std::string> out;
  for (const auto &t : table) out.push_back(bytes.substr(t.offset, t.size));
  return out;
}

// Sections handed to DealViews::load() from memory, unchecked: what a
// stream whose checksums hold would give it.
struct MemorySections final : views::CacheSections {
  std::vector<std::string> parts;
  std::size_t count() const override { return parts.size(); }
  views::CacheReader open(std::size_t i) override { return {parts.at(i).data(), parts.at(i).size()}; }
  void done(std::size_t) override {}
};

void load_views(const std::vector<std::string> &parts, views::DealViews::IdLimits limits = {},
                Id unknown_stage = 0) {
  MemorySections s;
  s.parts = parts;
  views::DealViews v;
  std::unordered_map<Id, int> positions;
  for (Id p = 1; p <= 2; ++p)
    for (int st = 0; st < 3; ++st)
      if (p * 10 + st != unknown_stage) positions[p * 10 + st] = st;
  v.set_stage_positions(positions);
  v.set_id_limits(limits);
  v.load(s);
}

}  // namespace

TEST_CASE("a views stream that is well formed but wrong is refused, not trusted") {
  // The checksums vouch for a stream's bytes, not for their sense: a
  // crafted or mis-spliced stream must be refused by the load, or a list
  // would read rows and key tables past their ends (found by a fuzzer that
  // fixed the checksums up). Two views that differ only in their last
  // deal's id (10 or 11) give sections that each parse; spliced, they name
  // deals the rows do not hold.
  auto make = [](Id last) {
    auto v = std::make_unique<views::DealViews>();
    prepare(*v);
    for (Id id = 1; id <= 10; ++id) {
      auto d = named_deal(id == 10 ? last : id, "Сделка " + std::to_string(id));
      d.tags = {1 + id % 3};
      d.client_ref = "guid-" + std::to_string(id % 2);
      d.client_name = "Клиент";
      d.contacts = {1 + id % 4};
      v->put(d);
    }
    v->tasks().put(Task{.id = 40, .deal_id = last, .type_id = 1, .text = "Звонок", .assignee_id = 1,
                        .due_at = 5000, .created_at = 1000, .updated_at = 1000});
    return v;
  };
  const auto a = sections_of(*make(10)), b = sections_of(*make(11));
  REQUIRE(a.size() == 5);
  CHECK_NOTHROW(load_views(a));
  CHECK_NOTHROW(load_views(b));
  for (std::size_t i = 1; i < a.size(); ++i) {
    CAPTURE(i);
    auto spliced = a;
    spliced[i] = b[i];  // rows, orders, posting lists, contacts and tasks in turn
    CHECK_THROWS_AS(load_views(spliced), views::CacheFormatError);
  }
  // Ids past the tables' largest are refused before anything is allocated
  // by them: a wild task id once sized a 10 GB table.
  CHECK_NOTHROW(load_views(a, {.contact = 30, .task = 40}));
  CHECK_THROWS_AS(load_views(a, {.contact = 30, .task = 39}), views::CacheFormatError);
  CHECK_THROWS_AS(load_views(a, {.contact = 3, .task = 40}), views::CacheFormatError);
  // A stage the catalog does not list (the rows' and the kanban's): a board
  // would fail on it.
  CHECK_NOTHROW(load_views(a, {}, 11));
  CHECK_THROWS_AS(load_views(a, {}, 10), views::CacheFormatError);
}

TEST_CASE("a bulk build equals the same deals put one at a time") {
  std::mt19937 rng(7);
  auto deals = sample_deals(rng);

  // One at a time, in a shuffled order.
  views::DealViews single;
  prepare(single);
  auto shuffled = deals;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  for (const auto &d : shuffled) single.put(d);

  // In bulk, as an open does it: ids in increasing order.
  views::DealViews bulk;
  prepare(bulk);
  bulk.begin_bulk();
  for (const auto &d : deals) bulk.put(d);
  bulk.end_bulk();

  CHECK(bulk.diff(single).empty());
  CHECK(single.diff(bulk).empty());

  // The name order, ties by id, as a brute force sees it.
  const std::vector<Id> want = name_order(deals);
  CHECK(by_name(bulk) == want);

  // Text search reads the trigram postings the bulk build made.
  DealFilter f;
  f.text = "ОБОРУДОВАНИЯ ДЛЯ ОФИСА — ооо ромашка-2";
  views::PreparedFilter pf{.filter = &f, .text_key = model::fold_key(f.text)};
  auto got = bulk.list(pf, {.limit = 1000, .ids_only = true}).ids;
  std::vector<Id> matches;
  for (const auto &d : deals)
    if (!d.archived && model::fold_key(d.name).find(pf.text_key) != std::string::npos) matches.push_back(d.id);
  std::sort(got.begin(), got.end());
  REQUIRE(!matches.empty());
  CHECK(got == matches);
}

TEST_CASE("a bulk build over views that already hold deals") {
  std::mt19937 rng(11);
  auto deals = sample_deals(rng);
  const std::size_t half = deals.size() / 2;

  views::DealViews single;
  prepare(single);
  views::DealViews bulk;
  prepare(bulk);
  for (std::size_t i = 0; i < half; ++i) {
    single.put(deals[i]);
    bulk.put(deals[i]);
  }
  bulk.begin_bulk();
  for (std::size_t i = half; i < deals.size(); ++i) {
    bulk.put(deals[i]);
    if (i % 10 == 0) {
      // A deal the views already hold changes in the middle of the build.
      auto changed = deals[i - half];
      changed.name = "Переименована " + std::to_string(i);
      changed.owner_id = 5;
      changed.tags = {4};
      bulk.put(changed);
      deals[i - half] = changed;
    }
  }
  // A new deal out of id order is refused.
  auto late = deals[half];
  late.id = deals[half].id + 1;
  if (late.id != deals[half + 1].id) CHECK_THROWS_AS(bulk.put(late), Error);
  bulk.end_bulk();
  for (std::size_t i = half; i < deals.size(); ++i) single.put(deals[i]);
  for (std::size_t i = 0; i < half; ++i) single.put(deals[i]);

  CHECK(bulk.diff(single).empty());
  CHECK(single.diff(bulk).empty());
}

TEST_CASE("Handoff: batches in order, the producer's error, cancel") {
  SUBCASE("every item arrives once, in order") {
    Handoff<int> h(7, 2);
    std::thread producer([&] {
      for (int i = 0; i < 10000; ++i) h.push(int{i});
      h.close();
    });
    std::vector<int> got, batch;
    while (h.pop(batch)) got.insert(got.end(), batch.begin(), batch.end());
    producer.join();
    REQUIRE(got.size() == 10000);
    for (int i = 0; i < 10000; ++i) CHECK_EQ(got[static_cast<std::size_t>(i)], i);
  }
  SUBCASE("the producer's exception reaches the consumer after the batches before it") {
    Handoff<int> h(5, 1);
    std::thread producer([&] {
      for (int i = 0; i < 12; ++i) h.push(int{i});
      h.close(std::make_exception_ptr(std::runtime_error("disk gone")));
    });
    std::vector<int> got, batch;
    bool threw = false;
    try {
      while (h.pop(batch)) got.insert(got.end(), batch.begin(), batch.end());
    } catch (const std::runtime_error &e) {
      threw = std::string(e.what()) == "disk gone";
    }
    producer.join();
    CHECK(threw);
    CHECK(got.size() == 10);  // two full batches; the partial one is dropped with the error
  }
  SUBCASE("cancel stops a blocked producer") {
    Handoff<int> h(1, 1);
    std::atomic<bool> refused{false};
    std::thread producer([&] {
      for (int i = 0; i < 1000; ++i)
        if (!h.push(int{i})) {
          refused = true;
          break;
        }
      h.close();
    });
    std::vector<int> batch;
    REQUIRE(h.pop(batch));
    h.cancel();
    producer.join();
    CHECK(refused);
    CHECK_FALSE(h.pop(batch));  // a consumer after cancel() does not wait
  }
  SUBCASE("unbounded, the producer runs to the end before anyone pops") {
    Handoff<int> h(3, 1);
    h.unbound();
    for (int i = 0; i < 100; ++i) REQUIRE(h.push(int{i}));
    h.close();
    std::vector<int> got, batch;
    while (h.pop(batch)) got.insert(got.end(), batch.begin(), batch.end());
    CHECK(got.size() == 100);
  }
}

TEST_CASE("RowData keeps a row's ids and strings in one block") {
  views::RowData empty;
  CHECK(empty.address() == nullptr);
  CHECK(empty.tags().empty());
  CHECK(empty.str(views::RowData::name).empty());

  views::RowData d({7, 3, 7, 1}, {42}, {"Поставка", "", "дорого"});
  CHECK(std::vector<std::uint32_t>(d.tags().begin(), d.tags().end()) == std::vector<std::uint32_t>{1, 3, 7});
  CHECK(std::vector<std::uint32_t>(d.contacts().begin(), d.contacts().end()) == std::vector<std::uint32_t>{42});
  CHECK(d.has_tag(3));
  CHECK_FALSE(d.has_tag(4));
  CHECK(d.str(views::RowData::name) == "Поставка");
  char buf[views::kUuidChars];
  CHECK(d.external_ref_text(buf).empty());
  CHECK(d.str(views::RowData::lost_reason) == "дорого");

  // Strings alone, ids alone, and a copy that owns its own block.
  views::RowData only_text({}, {}, {"a", "ref-1", ""});
  CHECK(only_text.tags().empty());
  CHECK(only_text.external_ref_text(buf) == "ref-1");
  views::RowData only_ids({5}, {}, {"", "", ""});
  CHECK(only_ids.has_tag(5));
  CHECK(only_ids.str(views::RowData::name).empty());
  views::RowData copy = d;
  CHECK(copy.address() != d.address());
  CHECK(copy.str(views::RowData::lost_reason) == "дорого");
  CHECK(copy.has_tag(7));
}

TEST_CASE("RowData keeps an external ref that is a UUID in 16 bytes and gives its text back exactly") {
  const std::string lower = "5f0c3a2e-9b1d-11ef-80d5-005056b63c12", upper = "5F0C3A2E-9B1D-11EF-80D5-005056B63C12";
  const std::string digits = "12345678-1234-1234-1234-123456789012";
  char buf[views::kUuidChars];
  for (const auto &ref : {lower, upper, digits}) {
    CAPTURE(ref);
    views::RowData d({2}, {9, 4}, {"Сделка", ref, "дорого"});
    CHECK(d.external_ref_bytes() == 16);
    CHECK(d.external_ref_text(buf) == ref);
    // The strings around it are found past its 16 bytes.
    CHECK(d.str(views::RowData::name) == "Сделка");
    CHECK(d.str(views::RowData::lost_reason) == "дорого");
    CHECK(d.bytes() == (2 + 3 + 3) * 4 + (12 + 16 + 12 + 3) / 4 * 4);
    // A copy, and the block read back from its words (the views cache).
    views::RowData copy = d;
    CHECK(copy.external_ref_text(buf) == ref);
    auto w = d.words();
    auto back = views::RowData::from_words(w.data(), w.size());
    REQUIRE(back);
    CHECK(back->external_ref_text(buf) == ref);
    CHECK(back->str(views::RowData::lost_reason) == "дорого");
  }
  // Anything else is kept as it is: mixed case, no dashes, braces, one
  // character off, non-hex.
  for (std::string ref : {std::string("5f0c3a2e-9B1D-11ef-80d5-005056b63c12"), std::string("5f0c3a2e9b1d11ef80d5005056b63c12"),
                          "{" + lower + "}", lower.substr(1), lower + "0", std::string("5f0c3a2e-9b1d-11ef-80d5-005056b63c1g"),
                          std::string("5f0c3a2e-9b1d-11ef-80d5_005056b63c12"), std::string("Ветер-1")}) {
    CAPTURE(ref);
    views::RowData d({}, {}, {"", ref, ""});
    CHECK(d.external_ref_bytes() == ref.size());
    CHECK(d.external_ref_text(buf) == ref);
  }
  // A damaged cache's block: the packed flag on the name, or on a ref of
  // other than 16 bytes, is refused.
  views::RowData d({}, {}, {"ab", lower, ""});
  std::vector<std::uint32_t> w(d.words().begin(), d.words().end());
  auto bad = w;
  bad[2] |= 1u << 31;
  CHECK_FALSE(views::RowData::from_words(bad.data(), bad.size()));
  bad = w;
  bad[3] = (bad[3] & ~0xFFFFu) | 17;
  CHECK_FALSE(views::RowData::from_words(bad.data(), bad.size()));
  bad = w;
  bad[3] |= 1u << 29;
  CHECK_FALSE(views::RowData::from_words(bad.data(), bad.size()));
  CHECK(views::RowData::from_words(w.data(), w.size()));
}

TEST_CASE("uuid_unpack writes every byte value in both cases, as uuid_pack reads it") {
  // Each byte value at each of the 16 positions (the others varied), in
  // lower and upper case: the text against one made here digit by digit,
  // against the portable table, and packed back to the same bytes.
  std::mt19937 rng(5);
  char text[views::kUuidChars], portable[views::kUuidChars];
  for (int pos = 0; pos < 16; ++pos)
    for (int value = 0; value < 256; ++value)
      for (bool upper : {false, true}) {
        std::uint8_t bytes[16];
        for (auto &b : bytes) b = static_cast<std::uint8_t>(rng());
        bytes[pos] = static_cast<std::uint8_t>(value);
        std::string want;
        for (int i = 0; i < 16; ++i) {
          if (i == 4 || i == 6 || i == 8 || i == 10) want += '-';
          const char *d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
          want += d[bytes[i] >> 4];
          want += d[bytes[i] & 15];
        }
        views::uuid_unpack(bytes, upper, text);
        views::uuid_unpack_portable(bytes, upper, portable);
        REQUIRE(std::string_view(text, sizeof text) == want);
        REQUIRE(std::string_view(portable, sizeof portable) == want);
        std::uint8_t back[16];
        bool back_upper = !upper;
        REQUIRE(views::uuid_pack(want, back, back_upper));
        // All digits, or the letters' case.
        CHECK((back_upper == upper || want.find_first_of("abcdefABCDEF") == std::string::npos));
        CHECK(std::equal(bytes, bytes + 16, back));
      }
}

TEST_CASE("client table: one number per (ref, name), every client of a ref found, across growth") {
  views::ClientTable t;
  CHECK(t.intern("", "") == 0);
  CHECK(t.size() == 1);
  std::mt19937 rng(7);
  std::map<std::pair<std::string, std::string>, std::uint32_t> model;
  for (int i = 0; i < 20000; ++i) {
    // Few refs, many names a ref: long probe runs in the ref table. A
    // third are UUIDs, kept in 16 bytes: in lower and upper case (two
    // different refs, as they are to the host) and in mixed case (kept as
    // text).
    std::string ref = rng() % 5 ? "ref-" + std::to_string(rng() % 3000) : "";
    if (!ref.empty() && rng() % 3 == 0) {
      char u[40];
      std::snprintf(u, sizeof u, "%08x-0000-4000-8000-%012x", static_cast<unsigned>(rng() % 2000), 0xabcdefu);
      ref = u;
      const auto form = rng() % 3;
      for (std::size_t k = 0; k < ref.size(); ++k)
        if (form == 1 || (form == 2 && k > 30)) ref[k] = static_cast<char>(std::toupper(static_cast<unsigned char>(ref[k])));
    }
    std::string name = rng() % 5 ? "ООО Клиент " + std::to_string(rng() % 7) : "";
    auto id = t.intern(ref, name);
    if (ref.empty() && name.empty()) {
      CHECK(id == 0);
      continue;
    }
    auto [it, fresh] = model.emplace(std::pair{ref, name}, id);
    CHECK(it->second == id);  // the same number every time
    if (fresh) CHECK(id == t.size() - 1);
    char buf[views::kUuidChars];
    CHECK(t.ref(id, buf) == ref);
    CHECK(t.name(id) == name);
  }
  CHECK(t.size() == model.size() + 1);
  const auto &[known, known_id] = *model.begin();
  CHECK_FALSE(t.add_unique(known.first, known.second));  // a cache holding a client twice is refused
  CHECK(t.find(known.first, known.second) == known_id);
  std::map<std::string, std::vector<std::uint32_t>> by_ref;
  for (const auto &[k, id] : model) by_ref[k.first].push_back(id);
  for (auto &[ref, ids] : by_ref) {
    std::vector<std::uint32_t> found;
    t.for_each_with_ref(ref, [&](std::uint32_t c) { found.push_back(c); });
    std::sort(found.begin(), found.end());
    std::sort(ids.begin(), ids.end());
    CHECK(found == ids);
  }
  std::vector<std::uint32_t> none;
  t.for_each_with_ref("no such ref", [&](std::uint32_t c) { none.push_back(c); });
  CHECK(none.empty());
  CHECK(t.find("no such ref", "x") == 0);
}

TEST_CASE("client table: a UUID ref in lower and in upper case are two refs, however their probes meet") {
  // The two cases pack to the same 16 bytes; only the case flag tells them
  // apart. Tables kept three quarters full (12 clients in 16 slots) make
  // the probe runs long, so that most lookups walk past the other case.
  for (unsigned round = 0; round < 50; ++round) {
    views::ClientTable t;
    std::vector<std::pair<std::string, std::uint32_t>> refs;
    for (unsigned k = 0; k < 6; ++k) {
      char u[40];
      std::snprintf(u, sizeof u, "%08x-abcd-4ef0-8abc-%012x", round * 7 + k, 0xdef012u + k);
      std::string lower = u, upper = u;
      for (auto &c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      for (const auto &r : {lower, upper}) refs.emplace_back(r, t.intern(r, "ООО «Ромашка»"));
    }
    REQUIRE(t.size() == 13);
    for (const auto &[ref, id] : refs) {
      CAPTURE(ref);
      std::vector<std::uint32_t> found;
      t.for_each_with_ref(ref, [&](std::uint32_t c) { found.push_back(c); });
      CHECK(found == std::vector<std::uint32_t>{id});
      CHECK(t.find(ref, "ООО «Ромашка»") == id);
      char buf[views::kUuidChars];
      CHECK(t.ref(id, buf) == ref);
    }
  }
}

TEST_CASE("name ranks: inserts into one gap use it up, the ranks are spread again, the order holds") {
  // Same-named deals in id order all land at the end of their run, and
  // deals named before them all land in the one gap between the two runs:
  // each insert halves a gap, so a few dozen of either use it up.
  std::mt19937 rng(5);
  std::vector<store::DealRecord> deals;
  for (Id id = 1; id <= 600; ++id) {
    std::string name = id % 3 == 0 ? "Сделка" : "сделка";
    if (id % 3 == 1) {
      name = "Б";
      for (Id i = 0; i < id % 5; ++i) name += "б";
    }
    deals.push_back(named_deal(id, name));
  }
  views::DealViews one;
  prepare(one);
  for (const auto &d : deals) one.put(d);
  // Renames move deals between the runs, through the same gaps.
  for (int i = 0; i < 300; ++i) {
    auto &d = deals[rng() % deals.size()];
    d.name = rng() % 2 ? "Сделка" : "Ббб";
    one.put(d);
  }
  CHECK(one.name_relabels() >= 3);

  views::DealViews bulk;
  prepare(bulk);
  bulk.begin_bulk();
  for (const auto &d : deals) bulk.put(d);
  bulk.end_bulk();
  CHECK(one.diff(bulk).empty());  // the same order, each one's ranks following it

  const std::vector<Id> want = name_order(deals);
  CHECK(by_name(one) == want);
  CHECK(by_name(bulk) == want);
  // Pages of 7, each continuing from the last deal's (name, id), both ways.
  for (bool desc : {false, true}) {
    DealFilter f;
    views::PreparedFilter pf{.filter = &f};
    ListOptions o{.sort = SortField::name, .descending = desc, .limit = 7, .ids_only = true};
    std::vector<Id> got;
    for (;;) {
      auto page = one.list(pf, o);
      got.insert(got.end(), page.ids.begin(), page.ids.end());
      if (page.next_cursor.empty()) break;
      o.cursor = page.next_cursor;
    }
    auto w = want;
    if (desc) std::reverse(w.begin(), w.end());
    CHECK(got == w);
  }
}

TEST_CASE("SmallIdSet: a sorted set, inline up to three, on the heap past them, copied and moved") {
  std::mt19937 rng(3);
  std::vector<views::SmallIdSet> sets(40);
  std::vector<std::set<std::uint32_t>> model(40);
  for (int step = 0; step < 20000; ++step) {
    const auto i = rng() % sets.size();
    const auto id = static_cast<std::uint32_t>(rng() % 24);  // sizes wander across 3 and the powers of two
    if (rng() % 5 < 3)
      CHECK(sets[i].insert(id) == model[i].insert(id).second);
    else
      CHECK(sets[i].erase(id) == (model[i].erase(id) == 1));
    if (step % 997 == 0) {  // a copy owns its own ids; a move leaves the source empty
      views::SmallIdSet copy = sets[i];
      copy.insert(1000);
      views::SmallIdSet moved = std::move(copy);
      CHECK(copy.empty());
      CHECK(moved.view().back() == 1000);
      sets[(i + 1) % sets.size()] = moved;
      model[(i + 1) % sets.size()] = model[i];
      model[(i + 1) % sets.size()].insert(1000);
    }
  }
  for (std::size_t i = 0; i < sets.size(); ++i) {
    auto v = sets[i].view();
    CHECK(std::vector<std::uint32_t>(v.begin(), v.end()) == std::vector<std::uint32_t>(model[i].begin(), model[i].end()));
  }
}

TEST_CASE("Bitmap keeps its size through every kind of change") {
  // size() is a kept count, not roaring's: each change must move it by
  // exactly what it added or removed.
  std::mt19937 rng(9);
  views::Bitmap a, b;
  std::set<std::uint32_t> ma, mb;
  auto same = [](const views::Bitmap &x, const std::set<std::uint32_t> &m) {
    auto v = x.to_vector();
    return x.size() == m.size() && x.empty() == m.empty() && v == std::vector<std::uint32_t>(m.begin(), m.end());
  };
  for (int step = 0; step < 6000; ++step) {
    const auto id = static_cast<std::uint32_t>(rng() % 3000);
    switch (rng() % 8) {
      case 0: case 1: case 2: a.add(id); ma.insert(id); break;  // present or not
      case 3: a.remove(id); ma.erase(id); break;                 // present or not
      case 4: b.add(id); mb.insert(id); break;
      case 5: {
        std::uint32_t many[3] = {id, id, id + 1};  // a repeat, and perhaps members already
        a.add_many(many, 3);
        ma.insert({id, id + 1});
        break;
      }
      case 6: {
        views::Bitmap c = a;
        std::set<std::uint32_t> mc = ma;
        switch (rng() % 3) {
          case 0: c.and_with(b); std::erase_if(mc, [&](auto x) { return !mb.count(x); }); break;
          case 1: c.or_with(b); mc.insert(mb.begin(), mb.end()); break;
          default: c.andnot_with(b); std::erase_if(mc, [&](auto x) { return mb.count(x) == 1; }); break;
        }
        CHECK(same(c, mc));
        break;
      }
      default: {
        views::Bitmap moved = std::move(a);  // the source is left empty, then refilled
        CHECK(a.size() == 0);
        a = moved;
        break;
      }
    }
    REQUIRE(a.size() == ma.size());  // after every step: a copy would recount and hide a drift
    REQUIRE(b.size() == mb.size());
  }
  CHECK(same(a, ma));
  CHECK(same(b, mb));
}

TEST_CASE("Bitmap::contains agrees with a model in every kind of container") {
  // contains() does its own searches over roaring's keys and array
  // containers: each is tested at its edges (the first and last member,
  // the values around them, missing chunks between present ones, ids 0
  // and UINT32_MAX) in arrays of 1 to 4,096 values, bitset containers and
  // run containers (after optimize()).
  std::mt19937 rng(11);
  for (int round = 0; round < 40; ++round) {
    std::set<std::uint32_t> m;
    std::vector<std::uint32_t> v;
    const int chunks = 1 + static_cast<int>(rng() % 12);
    for (int c = 0; c < chunks; ++c) {
      // Chunks spread out, some far apart, with the top one at the end of
      // the id space.
      const std::uint32_t base = c + 1 == chunks && round % 5 == 0 ? 0xFFFF0000u : static_cast<std::uint32_t>(rng() % 70000) << 16;
      const std::uint32_t n = std::array<std::uint32_t, 6>{1, 2, 17, 1000, 4096, 9000}[rng() % 6];
      const bool run = rng() % 4 == 0;
      const std::uint32_t start = static_cast<std::uint32_t>(rng() % 30000);
      for (std::uint32_t i = 0; i < n; ++i) {
        const std::uint32_t lo = run ? (start + i) & 0xFFFF : static_cast<std::uint32_t>(rng() % 65536);
        m.insert(base | lo);
      }
    }
    if (round % 7 == 0) m.insert(0);
    v.assign(m.begin(), m.end());
    views::Bitmap b;
    b.add_many(v.data(), v.size());
    if (round % 2) b.optimize();  // runs where they pay
    auto check = [&](std::uint32_t x) {
      INFO("round " << round << " id " << x);
      REQUIRE(b.contains(x) == (m.count(x) == 1));
    };
    for (auto x : v) {
      check(x);
      check(x - 1);
      check(x + 1);
      check(x ^ 0x10000u);  // the same low bits in a neighbouring chunk
    }
    for (int i = 0; i < 2000; ++i) check(static_cast<std::uint32_t>(rng()));
    check(0);
    check(UINT32_MAX);
  }
  views::Bitmap empty;
  CHECK_FALSE(empty.contains(0));
  CHECK_FALSE(empty.contains(UINT32_MAX));
}

TEST_CASE("Bitmap::portable_ok: what roaring writes passes, a broken container does not") {
  auto bytes_of = [](const std::vector<std::uint32_t> &v, bool optimize) {
    roaring_bitmap_t *r = roaring_bitmap_of_ptr(v.size(), v.data());
    if (optimize) roaring_bitmap_run_optimize(r);
    std::string b(roaring_bitmap_portable_size_in_bytes(r), '\0');
    roaring_bitmap_portable_serialize(r, b.data());
    roaring_bitmap_free(r);
    return b;
  };
  auto ok = [](const std::string &b) { return views::Bitmap::portable_ok(b.data(), b.size()); };
  // Random sets in every kind of container, with and without runs.
  std::mt19937 rng(5);
  for (int round = 0; round < 60; ++round) {
    std::set<std::uint32_t> m;
    for (int c = 1 + static_cast<int>(rng() % 8); c > 0; --c) {
      const std::uint32_t base = static_cast<std::uint32_t>(rng() % 70000) << 16,
                          n = std::array<std::uint32_t, 5>{1, 3, 4096, 4097, 20000}[rng() % 5],
                          start = static_cast<std::uint32_t>(rng() % 40000);
      const bool run = rng() % 3 == 0;
      for (std::uint32_t i = 0; i < n; ++i) m.insert(base | (run ? (start + i) & 0xFFFF : rng() % 65536));
    }
    const std::vector<std::uint32_t> v(m.begin(), m.end());
    const auto b = bytes_of(v, round % 2);
    INFO("round " << round);
    REQUIRE(ok(b));
    CHECK_FALSE(ok(b.substr(0, b.size() - 1)));
    CHECK_FALSE(ok(b + '\0'));
  }
  CHECK(ok(bytes_of({}, false)));
  CHECK_FALSE(ok(""));

  // Layout without runs: cookie 12346, the count, (key, card-1) pairs,
  // offsets, then the containers.
  const auto arrays = bytes_of({1, 5, 9, 0x10001}, false);
  REQUIRE(ok(arrays));
  const std::size_t first = 8 + 4 * 2 + 4 * 2;  // the first container's values
  auto with16 = [](std::string b, std::size_t at, std::uint16_t v) {
    std::memcpy(b.data() + at, &v, 2);
    return b;
  };
  CHECK_FALSE(ok(with16(arrays, first + 2, 1)));   // a duplicate: {1, 1, 9}
  CHECK_FALSE(ok(with16(arrays, first + 2, 10)));  // out of order: {1, 10, 9}
  CHECK(ok(with16(arrays, first + 2, 8)));         // {1, 8, 9} is a set
  CHECK_FALSE(ok(with16(arrays, 8 + 4, 0)));       // the keys 0, 0
  CHECK_FALSE(ok(with16(arrays, 8 + 2, 3)));       // 4 values said, 3 there
  CHECK_FALSE(ok(with16(arrays, 0, 12345)));       // no cookie

  // A bitset container whose bits are not its cardinality.
  std::vector<std::uint32_t> dense(5000);
  for (std::uint32_t i = 0; i < dense.size(); ++i) dense[i] = 2 * i;
  auto bitset = bytes_of(dense, false);
  REQUIRE(ok(bitset));
  bitset[bitset.size() - 8192] ^= 1;  // value 0 removed
  CHECK_FALSE(ok(bitset));

  // Runs: cookie 12347 with count-1 above it, the run bits, (key, card-1).
  // Fewer than four containers: no offsets.
  std::vector<std::uint32_t> ranges;
  for (std::uint32_t i = 100; i < 200; ++i) ranges.push_back(i);
  for (std::uint32_t i = 300; i < 400; ++i) ranges.push_back(i);
  const auto runs = bytes_of(ranges, true);
  REQUIRE(ok(runs));
  REQUIRE(runs.size() == 4 + 1 + 4 + 2 + 2 * 4);
  CHECK_FALSE(ok(with16(runs, 11 + 4, 150)));  // the second run starts inside the first
  CHECK_FALSE(ok(with16(runs, 11 + 6, 65535)));  // ... or ends past 65535
  CHECK_FALSE(ok(with16(runs, 11 + 6, 98)));     // 199 values, 200 said
}

TEST_CASE("DenseBits: the same set as a posting list, across growth and clears") {
  std::mt19937 rng(5);
  views::DenseBits bits;
  views::Bitmap list;
  std::set<std::uint32_t> model;
  for (int step = 0; step < 20000; ++step) {
    // ids up to 70,000, drawn near the top as often: the words grow on demand
    const auto id = static_cast<std::uint32_t>(rng() % 2 ? rng() % 70000 : 69000 + rng() % 1000);
    const bool on = rng() % 3 != 0;
    bits.set(id, on);
    if (on) {
      list.add(id);
      model.insert(id);
    } else {
      list.remove(id);
      model.erase(id);
    }
  }
  CHECK(bits.same_as(list));
  for (std::uint32_t id = 0; id < 71000; ++id) CHECK(bits.contains(id) == (model.count(id) == 1));
  CHECK_FALSE(bits.contains(UINT32_MAX));  // past the words
  views::DenseBits copy;
  copy.assign(list);
  CHECK(copy.same_as(list));
  list.add(70500);  // one member more is a difference
  CHECK_FALSE(copy.same_as(list));
  list.remove(*model.begin());  // and so is one other member of the same count
  CHECK_FALSE(copy.same_as(list));
}

TEST_CASE("ClientDeals: small sets and bitmaps, across the threshold both ways, against a model") {
  testutil::ScopedValue<std::size_t> big_at(views::ClientDeals::big_at, 20);
  std::mt19937 rng(21);
  views::ClientDeals cd;
  std::map<std::uint32_t, std::set<std::uint32_t>> model;
  // Client 1 grows past the threshold, then loses all; 2..9 stay around it.
  for (int step = 0; step < 6000; ++step) {
    const auto client = static_cast<std::uint32_t>(step < 3000 ? 1 + rng() % 9 : 2 + rng() % 8);
    const auto id = static_cast<std::uint32_t>(1 + rng() % 60);
    if (step >= 3000 && step < 3060) {
      for (auto x : std::set<std::uint32_t>(model[1])) cd.remove(1, x), model[1].erase(x);
      continue;
    }
    if (rng() % 5 < 3) {
      cd.add(client, id);
      model[client].insert(id);
    } else {
      cd.remove(client, id);
      model[client].erase(id);
    }
  }
  cd.add(0, 5);  // "no client" is not kept
  std::size_t bitmaps = 0;
  for (std::uint32_t c = 0; c < 12; ++c) {
    const auto &m = model[c];
    CAPTURE(c);
    CHECK(cd.deals(c) == std::vector<std::uint32_t>(m.begin(), m.end()));
    if (const auto *b = cd.big(c)) {
      ++bitmaps;
      CHECK(cd.small(c).empty());
      CHECK(b->size() == m.size());
    }
  }
  CHECK(bitmaps > 0);
  CHECK(cd.big(1) == nullptr);  // emptied: no bitmap left behind
  std::size_t clients = 0;
  cd.for_each_client([&](std::uint32_t c) { clients += model[c].empty() ? 100 : 1; });
  CHECK(clients == 8);
  // A bulk build into clients that have deals already, and into new ones.
  std::vector<std::uint32_t> more{100, 101, 102};
  cd.add_sorted(3, more);
  std::vector<std::uint32_t> many(30);
  for (std::uint32_t i = 0; i < 30; ++i) many[i] = 200 + i;
  cd.add_sorted(40, many);
  for (auto x : more) model[3].insert(x);
  CHECK(cd.deals(3) == std::vector<std::uint32_t>(model[3].begin(), model[3].end()));
  CHECK(cd.deals(40) == many);
  CHECK(cd.big(40) != nullptr);
}

TEST_CASE("KeyOrder: ids by a key table, seeks and bounded cursors against a sorted model") {
  // Keys in a dense table by id, with many ties (the id breaks them); keys
  // change between a deal's erase and its insert, as DealViews::put does.
  std::mt19937 rng(11);
  std::vector<std::int64_t> keys(3001, 0);
  views::KeyOrder order;
  std::set<std::pair<std::int64_t, std::uint32_t>> model;
  auto by = [&] { return views::ByKey{keys.data()}; };
  for (int step = 0; step < 12000; ++step) {
    const auto id = static_cast<std::uint32_t>(1 + rng() % 3000);
    if (model.count({keys[id], id})) {
      REQUIRE(order.erase(id, by()));
      model.erase({keys[id], id});
    }
    if (rng() % 4 != 0) {
      keys[id] = static_cast<std::int64_t>(rng() % 500) - 250;
      order.insert(id, by());
      model.insert({keys[id], id});
    }
  }
  REQUIRE(order.size() == model.size());
  REQUIRE(order.size() > 1000);  // several blocks of 256
  std::vector<std::uint32_t> all;
  order.for_each([&](std::uint32_t id) { return all.push_back(id), true; });
  std::vector<std::uint32_t> want;
  for (const auto &e : model) want.push_back(e.second);
  CHECK(all == want);
  // [lo, hi) by seek, walked up and down with the other end as the limit;
  // the count over it; and a strict seek from an entry continues after it.
  for (int q = 0; q < 400; ++q) {
    std::int64_t lo = static_cast<std::int64_t>(rng() % 560) - 280, hi = lo + static_cast<std::int64_t>(rng() % 60);
    if (q % 50 == 0) hi = lo;  // empty
    std::vector<std::uint32_t> in;
    for (const auto &e : model)
      if (e.first >= lo && e.first < hi) in.push_back(e.second);
    const auto a = views::seek(order, by(), {lo, 0}, false), b = views::seek(order, by(), {hi, 0}, false);
    std::vector<std::uint32_t> up, down;
    for (views::KeyOrder::Cursor c(order, a, false, b); c.get(); c.next()) up.push_back(*c.get());
    for (views::KeyOrder::Cursor c(order, b, true, a); c.get(); c.next()) down.push_back(*c.get());
    std::reverse(down.begin(), down.end());
    REQUIRE(up == in);
    REQUIRE(down == in);
    CHECK(views::count_keys(order, by(), lo, hi - 1) == in.size());  // [lo, top]
    if (!in.empty()) {
      const std::uint32_t mid = in[in.size() / 2];
      const auto after = views::seek(order, by(), by().at(mid), true);
      const std::uint32_t *next = views::KeyOrder::Cursor(order, after, false).get();
      auto it = model.upper_bound({keys[mid], mid});
      CHECK((next ? *next : 0u) == (it == model.end() ? 0u : it->second));
    }
  }
  // Unbounded cursors still run to either end.
  std::size_t n = 0;
  for (views::KeyOrder::Cursor c(order, order.end(), true); c.get(); c.next()) ++n;
  CHECK(n == model.size());
}

TEST_CASE("name ranks: numbered names, each just after the one before, are re-ranked locally") {
  // "Сделка #00001", "Сделка #00002"...: every new deal lands in the gap
  // after the one before, which halves each time. Spreading all ranks each
  // time the gap runs out would rewrite the whole order every ~50 inserts.
  std::vector<store::DealRecord> deals;
  for (Id id = 1; id <= 300; ++id) deals.push_back(named_deal(id, "Яблоко " + std::to_string(id)));  // after them all
  for (Id id = 301; id <= 4300; ++id) {
    std::string n = std::to_string(id);
    deals.push_back(named_deal(id, "Сделка #" + std::string(5 - n.size(), '0') + n));
  }
  views::DealViews one;
  prepare(one);
  for (const auto &d : deals) one.put(d);
  CHECK(one.name_relabels() > 20);
  CHECK(one.name_ranks_rewritten() < 4 * 4000);  // whole-order spreads: ~150,000

  views::DealViews bulk;
  prepare(bulk);
  bulk.begin_bulk();
  for (const auto &d : deals) bulk.put(d);
  bulk.end_bulk();
  CHECK(one.diff(bulk).empty());
  const std::vector<Id> want = name_order(deals);
  CHECK(by_name(one) == want);
}

// The views cache: a database reopened from it answers as one built from
// the tables; any change to the tables, by dealcore or by another SQLite
// client, makes it unused; a damaged, truncated or foreign cache is
// ignored; a cache that cannot be written changes nothing.
#include <doctest/doctest.h>

#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include "reference.hpp"

using namespace dealcore;
using testutil::code_of;

namespace {

namespace fs = std::filesystem;

struct Answers {
  std::vector<std::vector<Id>> lists;
  std::vector<std::tuple<Id, std::int64_t, std::vector<Money>, std::vector<Id>>> columns;
  std::vector<std::vector<Id>> found;
  std::vector<std::string> names;
  std::vector<Id> tasks;
  friend bool operator==(const Answers &, const Answers &) = default;
};

// A few hundred deals with everything the views index: tags, contacts with
// phones and e-mails, clients, segments, currencies, open tasks, archived
// and closed deals, names sharing long prefixes.
struct Data {
  testutil::Catalog cat;
  std::vector<Id> deals, contacts;
  Data(Database &db, int n) : cat(db) {
    auto sys = Actor::system();
    std::mt19937 rng(7);
    for (int i = 0; i < 40; ++i)
      contacts.push_back(db.create_contact(sys, {.name = "Контакт " + std::to_string(i),
                                                 .phones = {"8 (912) 100-" + std::to_string(1000 + i).substr(1, 2) +
                                                            "-" + std::to_string(10 + i)},
                                                 .emails = {"Buyer" + std::to_string(i) + "@Example.RU"}}));
    std::vector<Id> owners{0, cat.anna, cat.boris, cat.vera};
    for (int i = 0; i < n; ++i) {
      DealSpec s{.name = (i % 3 ? "Поставка оборудования для склада № " : "Ёлки ") + std::to_string(rng() % 1000),
                 .pipeline_id = i % 4 ? cat.sales : cat.tenders,
                 .amount = static_cast<std::int64_t>(rng() % 1000000),
                 .currency = i % 7 ? "RUB" : "EUR",
                 .owner_id = owners[rng() % owners.size()],
                 .client_ref = i % 5 ? "c" + std::to_string(rng() % 30) : "",
                 .client_name = i % 5 ? "Клиент " + std::to_string(rng() % 30) : "",
                 .segment = i % 2 ? "B2B" : "",
                 .external_ref = i % 3 ? "" : "ext-" + std::to_string(i)};
      for (auto t : cat.tags)
        if (rng() % 3 == 0) s.tags.push_back(t);
      if (rng() % 2) s.contacts = {contacts[rng() % contacts.size()]};
      deals.push_back(db.create_deal(sys, s));
      if (rng() % 3)
        db.create_task(sys, {.deal_id = deals.back(), .text = "Позвонить " + std::to_string(i),
                             .due = {.at = 1767225600000LL + static_cast<Millis>(rng() % 1000) * 3600000}});
    }
    for (std::size_t i = 0; i < deals.size(); i += 9) {
      const bool won = i % 2;
      db.move_deals(sys, {deals[i]}, {.pipeline_id = cat.sales, .stage_id = cat.sales_stages[won ? 3 : 4],
                                      .lost_reason = won ? "" : "дорого"});
    }
    for (std::size_t i = 4; i < deals.size(); i += 13) db.archive_deals(sys, {deals[i]}, true);
  }
};

Answers answers(Database &db, const Data &d) {
  Answers a;
  const auto &c = d.cat;
  std::vector<DealFilter> filters{{},
                                  {.pipelines = {c.sales}},
                                  {.owners = {c.anna, c.vera}},
                                  {.tags_all = {c.tags[0], c.tags[1]}},
                                  {.kinds = {StageKind::won, StageKind::lost}},
                                  {.text = "ОБОРУДОВАНИЯ"},
                                  {.text = "ёлки"},
                                  {.phone = "89121000110"},
                                  {.email = "buyer3@example.ru"},
                                  {.client_refs = {"c3"}},
                                  {.segments = {"B2B"}, .amount_min = 100000},
                                  {.archived = ArchivedMode::only}};
  for (const auto &f : filters)
    for (int sort = 0; sort < 5; ++sort)
      for (bool desc : {false, true})
        a.lists.push_back(
            testutil::page_all(db, f, {.sort = static_cast<SortField>(sort), .descending = desc, .limit = 23}));
  for (const auto &p : db.pipelines(true))
    for (const auto &col : db.board(p.id, {.owners = {c.anna, c.boris}, .cards_per_stage = 5}).columns) {
      std::vector<Id> cards;
      for (const auto &card : col.cards) cards.push_back(card.id);
      a.columns.emplace_back(col.stage.id, col.count, col.sums, cards);
    }
  for (int i = 0; i < 40; i += 7) {
    a.found.push_back(db.find_deals_by_phone("+7912100" + std::to_string(1000 + i).substr(1, 2) +
                                             std::to_string(10 + i)));
    a.found.push_back(db.find_deals_by_email("BUYER" + std::to_string(i) + "@example.ru"));
  }
  for (Id id : d.deals) {
    auto deal = db.get_deal(id);
    a.names.push_back(deal.name + "|" + deal.client_name + "|" + deal.external_ref + "|" + deal.lost_reason);
  }
  for (Id u : {c.anna, c.boris, c.vera}) {
    auto block = db.task_block({.user_id = u, .now = 1767225600000LL + 100 * 3600000LL});
    for (const auto &g : block.groups)
      for (const auto &item : g.items) a.tasks.push_back(item.task.id);
  }
  return a;
}

Options cached(std::int64_t min_deals = 0) { return {.views_cache_min_deals = min_deals}; }

void sql(const std::string &path, const std::string &statement) {
  sqlite3 *raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  char *err = nullptr;
  int rc = sqlite3_exec(raw, statement.c_str(), nullptr, nullptr, &err);
  INFO(statement, " ", err ? err : "");
  sqlite3_free(err);
  sqlite3_close(raw);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("a database reopened from the views cache answers as one built from the tables") {
  std::string path = testutil::temp_db("cache");
  Answers built;
  std::optional<Data> data;
  {
    auto db = Database::open(path, cached());
    CHECK_FALSE(db.views_from_cache());
    data.emplace(db, 300);
    built = answers(db, *data);
  }  // closing writes the cache
  REQUIRE(fs::exists(path + "-views"));
  {
    auto db = Database::open(path, cached());
    CHECK(db.views_from_cache());
    CHECK(db.verify().ok);
    CHECK(answers(db, *data) == built);
    // Writes apply to loaded views as to built ones.
    db.move_deals(Actor::system(), {data->deals[1]}, {.pipeline_id = data->cat.sales, .stage_id = data->cat.sales_stages[2]});
    db.update_deal(Actor::system(), data->deals[2], {.name = "Переименованная сделка"});
    db.tag_deals(Actor::system(), {data->deals[3]}, {data->cat.tags[4]}, {});
    CHECK(db.verify().ok);
    built = answers(db, *data);
  }  // the changed views are written again
  {
    auto db = Database::open(path, cached());
    CHECK(db.views_from_cache());
    CHECK(answers(db, *data) == built);
  }
  auto db = Database::open(path, {.views_cache = false});
  CHECK_FALSE(db.views_from_cache());
  CHECK(answers(db, *data) == built);
}

TEST_CASE("closing writes the cache only from views_cache_min_deals deals on") {
  std::string path = testutil::temp_db("cache_min");
  {
    auto db = Database::open(path, cached(1000));
    Data d(db, 50);
  }
  CHECK_FALSE(fs::exists(path + "-views"));
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  {
    auto db = Database::open(path, cached(50));
    CHECK_FALSE(db.views_from_cache());
  }
  REQUIRE(fs::exists(path + "-views"));
  // Whoever may read the database may read its cache, and no one else.
  CHECK(fs::status(path + "-views").permissions() == fs::status(path).permissions());
  std::int64_t count = 0;
  {
    auto db = Database::open(path, {.views_cache = false, .views_cache_min_deals = 0});
    CHECK_FALSE(db.views_from_cache());
    count = db.deal_count() + 1;
    db.create_deal(Actor::system(), {.name = "ещё одна", .pipeline_id = db.pipelines()[0].id});
  }  // not written: the cache is off
  // Stale: the new deal is not in it. Only dealcore wrote since, so the
  // event log brings the cached views up to date.
  auto db = Database::open(path, cached(1000));
  CHECK(db.views_from_cache());
  CHECK(db.deal_count() == count);
  CHECK(db.verify().ok);
}

TEST_CASE("any change to the tables by another SQLite client makes the cache stale") {
  const char *changes[] = {
      "UPDATE deals SET name = 'Изменено снаружи' WHERE id = 5",
      "UPDATE deals SET amount = amount + 1 WHERE id = 6",
      "DELETE FROM deal_tags WHERE deal_id = (SELECT MIN(deal_id) FROM deal_tags)",
      "INSERT INTO deal_contacts(deal_id, contact_id) VALUES (7, 1) ON CONFLICT DO NOTHING",
      "UPDATE contact_phones SET e164 = '+79990000000' WHERE contact_id = 2",
      "DELETE FROM contact_emails WHERE contact_id = 3",
      "UPDATE contacts SET name = 'x' WHERE id = 4",
      "UPDATE tasks SET due_at = due_at + 1 WHERE id = (SELECT MIN(id) FROM tasks)",
      "UPDATE stages SET position = position WHERE id = 1",
      "UPDATE pipelines SET name = name || '!' WHERE id = 1",
  };
  for (const std::string change : changes) {
    CAPTURE(change);
    std::string path = testutil::temp_db("cache_stale");
    {
      auto db = Database::open(path, cached());
      Data d(db, 30);
    }
    REQUIRE(Database::open(path, cached()).views_from_cache());
    sql(path, change);
    auto db = Database::open(path, cached());
    CHECK_FALSE(db.views_from_cache());
    CHECK(db.verify().ok);
  }
  // Without its stamp row (deleted by another program) a file opens and
  // writes as before, and no cache is read or written.
  {
    std::string path = testutil::temp_db("cache_no_stamp");
    {
      auto db = Database::open(path, cached());
      Data d(db, 30);
    }
    sql(path, "DELETE FROM views_stamp");
    auto db = Database::open(path, cached());
    CHECK_FALSE(db.views_from_cache());
    CHECK_FALSE(db.save_views_cache());
    CHECK(db.create_deal(Actor::system(), {.name = "после", .pipeline_id = db.pipelines()[0].id}) > 0);
    CHECK(db.verify().ok);
  }
  // A table the views do not read leaves the cache in use.
  std::string path = testutil::temp_db("cache_unrelated");
  {
    auto db = Database::open(path, cached());
    Data d(db, 30);
  }
  sql(path, "INSERT INTO events(at, actor_id, kind, payload) VALUES (1, 0, 'x', '{}')");
  CHECK(Database::open(path, cached()).views_from_cache());
}

TEST_CASE("a database restored from a backup beside a newer cache is built from the tables") {
  // Found by a file-fault fuzzer: the newer cache's stamp differs but its
  // `outside` value is the same, so it used to be caught up from the event
  // log after its seq, which the restored file does not reach (nothing to
  // read: the views kept deals the file does not have), or, after new
  // writes, reaches with other events under the same seqs.
  std::string path = testutil::temp_db("cache_restore");
  const std::string backup = path + ".backup", cache = path + "-views", newer = path + ".newer-views";
  auto copy = [](const std::string &from, const std::string &to) {
    fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  };
  auto restore = [&] {
    copy(backup, path);
    fs::remove(path + "-wal");
    fs::remove(path + "-shm");
  };
  std::size_t n = 0;
  {
    auto db = Database::open(path, cached());
    Data d(db, 60);
    n = d.deals.size();
  }  // closing checkpoints the WAL into the file and writes the cache
  REQUIRE_FALSE(fs::exists(path + "-wal"));
  copy(path, backup);
  auto three_deals = [&](const Options &o, const std::string &name) {
    auto db = Database::open(path, o);
    auto sales = db.pipelines().front().id;
    for (int i = 0; i < 3; ++i) db.create_deal(Actor::system(), {.name = name, .pipeline_id = sales});
  };
  three_deals(cached(), "После копии");  // the cache now holds n + 3 deals
  REQUIRE(Database::open(path, cached()).views_from_cache());
  copy(cache, newer);

  // The backup, with no event at the cache's seq.
  restore();
  {
    auto db = Database::open(path, cached());
    CHECK_FALSE(db.views_from_cache());
    CHECK(db.verify().ok);
    CHECK(db.deal_count(ArchivedMode::include) == static_cast<std::int64_t>(n));
    CHECK(db.list_deals({.text = "После копии"}).ids.empty());
  }
  // The backup with three other deals written without a cache: the same
  // number of events, so the cache's seq is there again, with other events.
  restore();
  three_deals({.views_cache = false}, "Другие");
  copy(newer, cache);
  {
    auto db = Database::open(path, cached());
    CHECK_FALSE(db.views_from_cache());
    CHECK(db.verify().ok);
    CHECK(db.list_deals({.text = "После копии"}).ids.empty());
    CHECK(db.list_deals({.text = "Другие"}).ids.size() == 3);
  }
  // The cache of that very state is used, as ever.
  CHECK(Database::open(path, cached()).views_from_cache());
}

TEST_CASE("a cache path that is not a regular file is ignored at once") {
  std::string path = testutil::temp_db("cache_fifo");
  {
    auto db = Database::open(path, cached());
    Data d(db, 20);
  }
  const std::string cache = path + "-views";
  fs::remove(cache);
  REQUIRE(::mkfifo(cache.c_str(), 0600) == 0);  // an open for reading used to block forever
  {
    auto db = Database::open(path, {.views_cache_min_deals = 1000});  // and closing leaves it alone
    CHECK_FALSE(db.views_from_cache());
    CHECK(db.verify().ok);
  }
  fs::remove(cache);
  fs::create_directory(cache);
  CHECK_FALSE(Database::open(path, cached(1000)).views_from_cache());
  fs::remove(cache);
}

TEST_CASE("a damaged, truncated or foreign cache is not used") {
  std::string path = testutil::temp_db("cache_bad");
  {
    auto db = Database::open(path, cached());
    Data d(db, 60);
  }
  const std::string cache = path + "-views";
  std::string good;
  {
    std::ifstream in(cache, std::ios::binary);
    good.assign(std::istreambuf_iterator<char>(in), {});
  }
  REQUIRE(good.size() > 4096);
  auto put = [&](const std::string &bytes) {
    std::ofstream out(cache, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  };
  auto flipped = [&](std::size_t at) {
    std::string b = good;
    b[at] = static_cast<char>(b[at] ^ 0x20);
    return b;
  };
  // Every header field counts: magic, format, db_id, stamp, outside, seq,
  // the seq's event, size, checksum; then a section and the table.
  for (std::size_t at : {std::size_t{0}, std::size_t{8}, std::size_t{20}, std::size_t{88}, std::size_t{96},
                         std::size_t{104}, std::size_t{112}, std::size_t{120}, std::size_t{128}, std::size_t{200},
                         good.size() / 2,
                         good.size() - 1}) {
    CAPTURE(at);
    put(flipped(at));
    auto db = Database::open(path, cached(1000));
    CHECK_FALSE(db.views_from_cache());
    CHECK(db.verify().ok);
  }
  for (std::size_t size : {std::size_t{0}, std::size_t{50}, std::size_t{128}, good.size() - 8}) {
    CAPTURE(size);
    put(good.substr(0, size));
    CHECK_FALSE(Database::open(path, cached(1000)).views_from_cache());
  }
  // Extra bytes at the end: the size in the header no longer holds.
  put(good + "xx");
  CHECK_FALSE(Database::open(path, cached(1000)).views_from_cache());
  put(good);
  CHECK(Database::open(path, cached(1000)).views_from_cache());

  // The cache of another database with the same tables: a different db_id.
  std::string other = testutil::temp_db("cache_other");
  {
    auto db = Database::open(other, cached());
    Data d(db, 60);
  }
  fs::copy_file(other + "-views", cache, fs::copy_options::overwrite_existing);
  auto db = Database::open(path, cached(1000));
  CHECK_FALSE(db.views_from_cache());
  CHECK(db.verify().ok);
}

TEST_CASE("a cache write removes the temporary files that killed writers left") {
  // A process killed while writing its cache leaves "<cache>.tmp-XXXXXX"
  // (a crash test found 14 of them, 58 MB, after 30 kills). Those older than
  // ten minutes go with the next write; a younger one may be another
  // connection's write in progress, and other names are not ours.
  std::string path = testutil::temp_db("cache_tmp");
  auto db = Database::open(path, cached(1000));
  Data d(db, 30);
  const std::string cache = path + "-views";
  auto make = [](const std::string &name, std::chrono::minutes age) {
    std::ofstream(name) << "partial";
    fs::last_write_time(name, fs::file_time_type::clock::now() - age);
  };
  make(cache + ".tmp-Ab3XyZ", std::chrono::minutes(60));  // a killed writer's
  make(cache + ".tmp-Cd4WvU", std::chrono::minutes(1));   // maybe still being written
  make(cache + ".backup", std::chrono::minutes(60));      // a user's copy
  make(cache + ".tmp-toolong1", std::chrono::minutes(60));
  REQUIRE(db.save_views_cache());
  CHECK_FALSE(fs::exists(cache + ".tmp-Ab3XyZ"));
  CHECK(fs::exists(cache + ".tmp-Cd4WvU"));
  CHECK(fs::exists(cache + ".backup"));
  CHECK(fs::exists(cache + ".tmp-toolong1"));
  CHECK(Database::open(path, cached(1000)).views_from_cache());
}

TEST_CASE("a cache that cannot be written changes nothing") {
  std::string path = testutil::temp_db("cache_full");
  auto db = Database::open(path, cached(1000));
  Data d(db, 100);
  REQUIRE(db.save_views_cache());
  const auto dir = fs::path(path).parent_path();
  auto leftovers = [&] {
    int n = 0;
    for (const auto &e : fs::directory_iterator(dir))
      if (e.path().filename().string().rfind(fs::path(path).filename().string() + "-views.", 0) == 0) ++n;
    return n;
  };
  const auto size = fs::file_size(path + "-views");

  // A file size limit: writes fail as on a full disk.
  struct rlimit old {};
  REQUIRE(getrlimit(RLIMIT_FSIZE, &old) == 0);
  auto *prev = signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 16 * 1024;
  REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
  Errc code = code_of([&] { db.save_views_cache(); });
  setrlimit(RLIMIT_FSIZE, &old);
  signal(SIGXFSZ, prev);
  CHECK(code == Errc::io);
  CHECK(leftovers() == 0);
  CHECK(fs::file_size(path + "-views") == size);

  // The cache's name taken by a directory: the rename fails.
  fs::rename(path + "-views", path + "-views.keep");
  fs::create_directories(path + "-views/x");
  CHECK(code_of([&] { db.save_views_cache(); }) == Errc::io);
  CHECK(leftovers() == 1);  // the kept cache; no temporary file
  fs::remove_all(path + "-views");
  fs::rename(path + "-views.keep", path + "-views");
  CHECK(Database::open(path, cached(1000)).views_from_cache());

  // Another connection wrote: the views are behind the file, nothing is written.
  auto other = Database::open(path, cached(1000));
  other.create_deal(Actor::system(), {.name = "другая", .pipeline_id = d.cat.sales});
  CHECK_FALSE(db.save_views_cache());
  CHECK(db.refresh());
  CHECK(db.save_views_cache());
  CHECK(Database::open(path, cached(1000)).views_from_cache());

  auto memory = Database::open(":memory:");
  CHECK(code_of([&] { memory.save_views_cache(); }) == Errc::invalid_argument);
  CHECK(code_of([&] { Database::open(path, {.views_cache_min_deals = -1}); }) == Errc::invalid_argument);
}

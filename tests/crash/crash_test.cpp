// crash_test.cpp — a writing process killed with SIGKILL at seeded random
// moments; each next open must find the database, its views and its views
// cache whole. The committed form of the throwaway kill -9 driver that found
// the temporary files killed cache writers left (engine/views_cache.cpp).
//
// What a kill must not break, and this test checks after each one:
//  - calls are atomic and durable: a bulk call (create_deals, create_contacts,
//    move_deals, assign_deals, tag_deals, archive_deals) that returned is
//    entirely in the tables, the one in flight entirely or not at all, a
//    refused one not at all; what earlier processes' calls created or tagged
//    is still there (every 10th kill and at the end);
//  - the views are what the tables say: verify() is ok, and the opened views
//    (loaded from the cache the killed writer's later writes made stale, and
//    brought up to date from the event log) answer a digest of lists,
//    boards, phone/e-mail lookups and task blocks exactly as views built
//    from the tables (views_cache = false) — a change missing from the event
//    log shows here;
//  - a cache write cut short leaves the previous cache or the new one, never
//    a torn one in its place: the open loads a cache (unless the writer
//    deleted a stage, which makes an older cache unusable), and the cache
//    its close writes gives a third open, from that cache, the same answers.
//
// How: a child process opens the database (views_cache_min_deals = 0, so each
// close writes the cache) and makes seeded random calls, single and bulk,
// closing and reopening now and then. On a pipe it tells the parent "B kind
// target before n ids" before a witnessed bulk call, "E" or "F" when it
// returned or was refused, "S" before the first other write after it, "C"
// before a close or save_views_cache and "D" after, "R" before deleting a
// stage. The parent kills it at one of three kinds of moment: a random delay
// after the fork; a random few microseconds after its n-th "B" (inside a bulk
// write transaction); or after its n-th "C" (inside a cache write or the
// close). The kill moments and the child's calls are seeded; where a kill
// lands in the calls depends on the machine's timing, so the run also fails
// when no kill landed inside a bulk call, or none inside a close or cache
// write: it would have lost its teeth.
//
// Usage: dealcore_crash_test [SEED [KILLS]] (no arguments: the fixed run).
// The database is $DEALCORE_TEST_TMPDIR/crash.db (default /tmp). VERBOSE=1
// prints every kill. A failure names the kill, its child's seed and its
// moment; the first failing kill's files are kept as crash.db.fail-<kill>*.
//
// Prints "crash test: N kills, M in flight, K completed calls checked,
// F failures" (M: kills inside a bulk call; K: returned calls whose effects
// were checked) and exits 1 on any failure.
#include <dealcore/dealcore.hpp>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace dealcore;
namespace fs = std::filesystem;

namespace {

// The fixed run: ~15-20 s in a release build and ~50 s under ASan+UBSan on two
// shared cores.
constexpr std::uint64_t kFixedSeed = 20261128;
#if defined(__SANITIZE_ADDRESS__)
constexpr int kFixedKills = 45;
constexpr int kSlow = 4;  // ASan+UBSan: every call takes longer
#else
constexpr int kFixedKills = 90;
constexpr int kSlow = 1;
#endif
constexpr int kInitialDeals = 300;
constexpr Millis kNow = 1767225600000LL;  // 2026-01-01, the task blocks' "now"

// ---- small helpers ------------------------------------------------------------

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string ids_str(const std::vector<Id> &v) {
  std::string s;
  for (Id i : v) s += std::to_string(i) + ",";
  return s;
}

// All ids of a filter in a sort order, paging through.
std::vector<Id> all_ids(const Database &db, const DealFilter &f, SortField sort, bool desc) {
  std::vector<Id> out;
  ListOptions o{.sort = sort, .descending = desc, .limit = 1000, .ids_only = true};
  for (;;) {
    auto p = db.list_deals(f, o);
    out.insert(out.end(), p.ids.begin(), p.ids.end());
    if (p.next_cursor.empty()) return out;
    o.cursor = p.next_cursor;
  }
}

// ---- the writer (runs in the child) ------------------------------------------

// Seeded random calls. Witnessed bulk calls pick deals that upsert_deal never
// touches (an upsert replaces a deal's tags), so what they did stays visible.
struct Writer {
  Database &db;
  std::mt19937_64 rng;
  int fd;  // the side channel; -1: none
  std::vector<Id> deals;
  std::set<Id> upserted;
  Id max_contact = 0;
  bool after_bulk = false;  // "S" is due before the next other write

  Writer(Database &d, std::uint64_t seed, int side) : db(d), rng(seed), fd(side) { reload(); }

  void reload() {
    deals = all_ids(db, {.archived = ArchivedMode::include}, SortField::created, false);
    upserted.clear();
    for (int i = 0; i < 50; ++i)
      if (auto d = db.find_deal_by_ref("up" + std::to_string(i))) upserted.insert(d->id);
    for (;;) {  // contacts are never deleted: probe upwards
      try {
        db.contact(max_contact + 1);
        ++max_contact;
      } catch (const Error &) {
        break;
      }
    }
  }

  std::uint64_t r(std::uint64_t n) { return n ? rng() % n : 0; }
  bool p(int pct) { return static_cast<int>(r(100)) < pct; }

  // A whole line; the parent ignores a last line that the kill cut short.
  void tell(const std::string &s) {
    if (fd < 0) return;
    std::string l = s + "\n";
    for (std::size_t off = 0; off < l.size();) {
      ssize_t k = ::write(fd, l.data() + off, l.size() - off);
      if (k < 0 && errno == EINTR) continue;
      if (k <= 0) return;
      off += static_cast<std::size_t>(k);
    }
  }
  void single() {
    if (after_bulk) tell("S");
    after_bulk = false;
  }

  Actor actor() {
    auto us = db.users();
    if (us.empty() || p(50)) return Actor::system();
    return Actor::user(us[r(us.size())].id);
  }
  Id rand_user(bool zero_ok = true) {
    auto us = db.users();
    if (us.empty() || (zero_ok && p(15))) return 0;
    return us[r(us.size())].id;
  }
  Id rand_deal() { return deals.empty() ? 0 : deals[r(deals.size())]; }
  // Distinct deals for a witnessed call, none of them upserted.
  std::vector<Id> rand_deals(int max) {
    std::vector<Id> v;
    int n = 1 + static_cast<int>(r(static_cast<std::uint64_t>(max)));
    for (int i = 0; i < n && !deals.empty(); ++i)
      if (Id id = rand_deal(); !upserted.count(id)) v.push_back(id);
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  }
  std::vector<Id> ordinary_tags() {  // witness tags are named "w..."
    std::vector<Id> v;
    for (auto &t : db.tags())
      if (t.name.rfind("w", 0) != 0) v.push_back(t.id);
    return v;
  }
  std::vector<Stage> live_stages() {
    std::vector<Stage> v;
    for (auto &pl : db.pipelines(false))
      for (auto &s : pl.stages) v.push_back(s);
    return v;
  }
  std::string name() {
    static const char *w[] = {"Поставка", "Ёлки", "елки", "Аренда", "Ремонт", "Zeta", "alpha", "Β", "склад"};
    return std::string(w[r(9)]) + " " + std::to_string(r(1000));
  }
  std::string rand_tag_name(char c) { return c + std::to_string(rng() % 1000000000); }
  DealSpec spec() {
    auto pls = db.pipelines(false);
    DealSpec s;
    s.name = name();
    if (pls.empty()) return s;
    auto &pl = pls[r(pls.size())];
    s.pipeline_id = pl.id;
    if (p(50)) s.stage_id = pl.stages[r(pl.stages.size())].id;
    s.amount = static_cast<std::int64_t>(r(1000000));
    s.currency = p(80) ? "RUB" : (p(50) ? "EUR" : "USD");
    s.owner_id = rand_user();
    if (p(20)) {
      auto ds = db.departments();
      if (!ds.empty()) s.department_id = ds[r(ds.size())].id;
    }
    if (p(60)) {
      auto c = r(10);
      s.client_ref = "c" + std::to_string(c);
      s.client_name = "Клиент " + std::to_string(c);
    }
    if (p(40)) s.segment = p(50) ? "B2B" : "B2C";
    for (Id t : ordinary_tags())
      if (p(20)) s.tags.push_back(t);
    if (max_contact && p(40)) s.contacts.push_back(static_cast<Id>(1 + r(static_cast<std::uint64_t>(max_contact))));
    return s;
  }
  ContactSpec cspec() {
    ContactSpec c;
    c.name = "Контакт " + std::to_string(r(1000));
    std::string i = std::to_string(10000 + r(60)).substr(1);
    c.phones.push_back("8 (912) 100-" + i.substr(0, 2) + "-" + i.substr(2));
    if (p(30)) c.phones.push_back("+7 912 100 " + std::to_string(10000 + r(60)).substr(1));
    c.emails.push_back("Buyer" + std::to_string(r(60)) + "@Example.RU");
    if (p(30)) c.client_ref = "c" + std::to_string(r(10));
    return c;
  }
  Id rand_contact() { return static_cast<Id>(1 + r(static_cast<std::uint64_t>(max_contact))); }
  template <class Pred>
  int already(const std::vector<Id> &ids, Pred pred) {
    int n = 0;
    for (Id id : ids) n += pred(db.get_deal(id));
    return n;
  }

  // A witnessed bulk call: "B kind target already n ids" before, "E" after,
  // "F" when refused (a refused call changes nothing).
  template <class F>
  void bulk(const std::string &kind, const std::string &target, int before, std::size_t n,
            const std::vector<Id> &ids, F &&call) {
    after_bulk = true;
    tell("B " + kind + " " + target + " " + std::to_string(before) + " " + std::to_string(n) + " " + ids_str(ids));
    try {
      call();
    } catch (const Error &e) {
      tell("F");
      throw;
    }
    tell("E");
  }

  void step() {
    auto a = actor();
    int k = static_cast<int>(r(100));
    try {
      if (deals.size() < 20 || k < 10) {
        single();
        deals.push_back(db.create_deal(a, spec()));
      } else if (k < 14) {  // bulk create, witnessed by external refs
        int n = 1 + static_cast<int>(r(60));
        std::vector<DealSpec> v;
        std::string pre = rand_tag_name('r');
        for (int i = 0; i < n; ++i) {
          v.push_back(spec());
          v.back().external_ref = pre + "-" + std::to_string(i);
        }
        std::vector<Id> ids;
        bulk("dls", pre, 0, v.size(), {}, [&] { ids = db.create_deals(a, v); });
        deals.insert(deals.end(), ids.begin(), ids.end());
      } else if (k < 28) {
        DealPatch pt;
        if (p(40)) pt.name = name();
        if (p(40)) pt.amount = static_cast<std::int64_t>(r(1000000));
        if (p(10)) pt.currency = p(50) ? "EUR" : "RUB";
        if (p(30)) pt.owner_id = rand_user();
        if (p(10)) {
          auto ds = db.departments();
          pt.department_id = ds.empty() || p(30) ? 0 : ds[r(ds.size())].id;
        }
        if (p(20)) pt.client_ref = "c" + std::to_string(r(10));
        if (p(20)) pt.segment = p(50) ? "B2B" : "";
        single();
        db.update_deal(a, rand_deal(), pt);
      } else if (k < 36) {  // bulk move
        auto st = live_stages();
        if (st.empty()) return;
        auto s = st[r(st.size())];
        auto ids = rand_deals(p(30) ? 200 : 10);
        int al = already(ids, [&](const Deal &d) { return d.stage_id == s.id; });
        bulk("mov", std::to_string(s.id), al, ids.size(), ids, [&] {
          db.move_deals(a, ids, {.stage_id = s.id, .lost_reason = s.kind == StageKind::lost ? "дорого" : ""});
        });
      } else if (k < 42) {  // bulk assign, to a new or an existing user
        Id u = 0;
        if (p(30)) {
          single();
          u = db.create_user(Actor::system(), "u" + std::to_string(r(100000)), 0);
        } else {
          u = rand_user(false);
        }
        auto ids = rand_deals(p(30) ? 200 : 10);
        int al = already(ids, [&](const Deal &d) { return d.owner_id == u; });
        bulk("own", std::to_string(u), al, ids.size(), ids, [&] { db.assign_deals(a, ids, u); });
      } else if (k < 50) {  // bulk tag with a new witness tag, maybe also an ordinary tag in or out
        single();
        Id t = db.create_tag(Actor::system(), rand_tag_name('w'));
        auto ids = rand_deals(p(30) ? 250 : 20);
        std::vector<Id> add{t}, rem;
        auto ot = ordinary_tags();
        if (!ot.empty() && p(50)) add.push_back(ot[r(ot.size())]);
        if (!ot.empty() && p(40)) rem.push_back(ot[r(ot.size())]);
        if (!rem.empty() && add.size() > 1 && rem[0] == add[1]) rem.clear();
        bulk("tag", std::to_string(t), 0, ids.size(), ids, [&] { db.tag_deals(a, ids, add, rem); });
      } else if (k < 55) {  // untag an ordinary tag
        auto ot = ordinary_tags();
        if (ot.empty()) return;
        single();
        std::vector<Id> ids;
        for (int i = 0, n = 1 + static_cast<int>(r(50)); i < n; ++i) ids.push_back(rand_deal());
        db.tag_deals(a, ids, {}, {ot[r(ot.size())]});
      } else if (k < 60) {  // bulk archive or unarchive
        bool arch = p(60);
        auto ids = rand_deals(p(30) ? 200 : 10);
        int al = already(ids, [&](const Deal &d) { return d.archived == arch; });
        bulk("arc", std::to_string(arch), al, ids.size(), ids, [&] { db.archive_deals(a, ids, arch); });
      } else if (k < 64) {
        single();
        max_contact = std::max(max_contact, db.create_contact(a, cspec()));
      } else if (k < 66) {  // bulk contacts, witnessed by an e-mail each
        int n = 1 + static_cast<int>(r(60));
        std::string pre = rand_tag_name('q');
        std::vector<ContactSpec> v;
        for (int i = 0; i < n; ++i) {
          v.push_back(cspec());
          v.back().emails.push_back(pre + "-" + std::to_string(i) + "@w.ru");
        }
        std::vector<Id> ids;
        bulk("cts", pre, 0, v.size(), {}, [&] { ids = db.create_contacts(a, v); });
        for (Id i : ids) max_contact = std::max(max_contact, i);
      } else if (k < 68) {  // replace a contact, keeping its witness e-mails
        if (!max_contact) return;
        Id cid = rand_contact();
        auto c = cspec();
        for (auto &e : db.contact(cid).emails)
          if (e.size() > 5 && e.substr(e.size() - 5) == "@w.ru") c.emails.push_back(e);
        single();
        db.update_contact(a, cid, c);
      } else if (k < 71) {
        if (!max_contact) return;
        if (p(60)) {
          single();
          db.link_contact(a, rand_deal(), rand_contact());
        } else {
          auto d = db.get_deal(rand_deal());
          if (d.contacts.empty()) return;
          single();
          db.unlink_contact(a, d.id, d.contacts[r(d.contacts.size())]);
        }
      } else if (k < 77) {
        single();
        db.create_task(a, {.deal_id = rand_deal(), .text = "Позвонить " + std::to_string(r(100)),
                           .assignee_id = rand_user(),
                           .due = {.at = kNow + static_cast<Millis>(r(1000)) * 3600000, .all_day = p(20)}});
      } else if (k < 83) {
        auto ts = db.deal_tasks(rand_deal(), true);
        if (ts.empty()) return;
        auto &t = ts[r(ts.size())];
        single();
        switch (r(5)) {
          case 0: db.complete_task(a, t.id, "ok"); break;
          case 1: db.reopen_task(a, t.id); break;
          case 2: db.reschedule_task(a, t.id, {.at = kNow + static_cast<Millis>(r(1000)) * 3600000}); break;
          case 3: db.reassign_task(a, t.id, rand_user(false)); break;
          default: db.delete_task(a, t.id);
        }
      } else if (k < 85) {
        single();
        db.add_comment(a, rand_deal(), "коммент " + std::to_string(r(100)));
      } else if (k < 87) {  // pipelines: create, rename, archive, reorder
        auto pls = db.pipelines(true);
        auto w = r(4);
        single();
        if (w == 0 || pls.size() < 2) {
          db.create_pipeline(Actor::system(), "P" + std::to_string(r(100000)),
                             {{.name = "Новая"}, {.name = "В работе"}, {.name = "Успех", .kind = StageKind::won},
                              {.name = "Отказ", .kind = StageKind::lost}});
        } else if (w == 1) {
          db.rename_pipeline(a, pls[r(pls.size())].id, "P" + std::to_string(r(100000)));
        } else if (w == 2) {
          db.archive_pipeline(a, pls[r(pls.size())].id, p(30));
        } else {
          std::vector<Id> o;
          for (auto &x : pls) o.push_back(x.id);
          std::shuffle(o.begin(), o.end(), rng);
          db.reorder_pipelines(a, o);
        }
      } else if (k < 89) {  // stages: add, rename, reorder, delete moving its deals
        auto pls = db.pipelines(true);
        if (pls.empty()) return;
        auto &pl = pls[r(pls.size())];
        std::vector<StageSpec> sp;
        for (auto &s : pl.stages) sp.push_back({.id = s.id, .name = s.name, .kind = s.kind});
        std::vector<std::pair<Id, Id>> mv;
        auto w = r(4);
        if (w == 0) {
          sp.insert(sp.begin() + static_cast<long>(r(sp.size() + 1)), StageSpec{.name = "S" + std::to_string(r(1000))});
        } else if (w == 1) {
          sp[r(sp.size())].name = "R" + std::to_string(r(1000));
        } else if (w == 2) {
          std::shuffle(sp.begin(), sp.end(), rng);
        } else {
          int opens = 0;
          for (auto &s : sp) opens += s.kind == StageKind::open;
          auto i = r(sp.size());
          if (sp[i].kind == StageKind::open && opens < 2) return;
          Id gone = sp[i].id;
          sp.erase(sp.begin() + static_cast<long>(i));
          Id to = 0;
          for (auto &s : sp)
            if (s.kind == StageKind::open) to = s.id;
          mv.push_back({gone, to});
        }
        single();
        if (!mv.empty()) tell("R");
        db.update_stages(a, pl.id, sp, mv);
      } else if (k < 91) {  // ordinary tags: create, rename, delete
        auto w = r(3);
        auto ot = ordinary_tags();
        single();
        if (w == 0) db.create_tag(Actor::system(), rand_tag_name('t'));
        else if (w == 1 && !ot.empty()) db.rename_tag(a, ot[r(ot.size())], rand_tag_name('t'));
        else if (w == 2 && ot.size() > 3) db.delete_tag(a, ot[r(ot.size())]);
      } else if (k < 93) {  // departments and users
        auto w = r(3);
        single();
        if (w == 0) {
          db.create_department(Actor::system(), "D" + std::to_string(r(1000)));
        } else if (w == 1) {
          db.create_user(Actor::system(), "U" + std::to_string(r(1000)), 0);
        } else if (Id u = rand_user(false)) {
          auto ds = db.departments();
          db.update_user(a, u, std::nullopt, ds.empty() || p(20) ? 0 : ds[r(ds.size())].id, p(90));
        }
      } else if (k < 95) {  // pins
        auto e = db.events_after(std::max<std::int64_t>(0, db.last_event_seq() - 50), 50);
        if (e.empty()) return;
        auto &ev = e[r(e.size())];
        if (!ev.deal_id) return;
        single();
        if (p(70)) db.pin_event(a, ev.seq);
        else db.unpin_event(a, ev.seq);
      } else if (k < 97) {  // upsert: replaces every field of the deal of that ref
        auto s = spec();
        s.external_ref = "up" + std::to_string(r(50));
        single();
        Id id = db.upsert_deal(a, s);
        upserted.insert(id);
        if (std::find(deals.begin(), deals.end(), id) == deals.end()) deals.push_back(id);
      } else {
        tell("C save");
        db.save_views_cache();
        tell("D");
      }
    } catch (const Error &e) {
      if (e.code() == Errc::internal) {
        std::fprintf(stderr, "child: internal error: %s\n", e.what());
        _exit(3);
      }
    }
  }
};

const Options kCacheOn{.views_cache = true, .views_cache_min_deals = 0};

// The child: writes until it is killed. Never returns; exits with _exit so
// that nothing of the parent's (atexit handlers, stdio buffers, the leak
// check) runs twice.
[[noreturn]] void child_main(const std::string &path, std::uint64_t seed, int fd) {
  int code = 5;  // not killed in time
  try {
    std::mt19937_64 cr(seed ^ 0x5bd1e995);
    Database db = Database::open(path, kCacheOn);
    Writer w(db, seed, fd);
    const std::int64_t end = now_us() + 60'000'000;
    while (now_us() < end) {
      w.step();
      if (cr() % 100 < 4) {  // close (which writes the cache) and reopen
        w.tell("C close");
        { Database closing = std::move(db); }
        w.tell("D");
        db = Database::open(path, kCacheOn);
        w.reload();
      }
    }
  } catch (const std::exception &e) {
    std::fprintf(stderr, "child: %s\n", e.what());
    code = 4;
  }
  _exit(code);
}

// ---- the digest of answers (runs in the parent) ------------------------------

std::string first_page(const Database &db, const DealFilter &f, SortField sort, bool desc) {
  auto p = db.list_deals(f, {.sort = sort, .descending = desc, .limit = 100, .with_total = true, .ids_only = true});
  return "t" + std::to_string(p.total.value_or(-1)) + ":" + ids_str(p.ids);
}

// Many answers of the views as text, a line each; two opens of the same file
// must give the same string.
std::string answers(const Database &db) {
  std::ostringstream o;
  auto pls = db.pipelines(true);
  auto tags = db.tags();
  auto users = db.users();
  o << "seq " << db.last_event_seq() << "\n";
  o << "count " << db.deal_count(ArchivedMode::include) << " " << db.deal_count(ArchivedMode::exclude) << " "
    << db.deal_count(ArchivedMode::only) << "\n";
  o << "pipelines";
  for (auto &p : pls) {
    o << " " << p.id << ":" << p.name << ":" << p.archived << ":" << p.position << "[";
    for (auto &s : p.stages) o << s.id << "/" << s.name << "/" << static_cast<int>(s.kind) << ";";
    o << "]";
  }
  o << "\ntags";
  for (auto &t : tags) o << " " << t.id << ":" << t.name;
  o << "\nusers";
  for (auto &u : users) o << " " << u.id << ":" << u.department_id << ":" << u.active;
  o << "\n";
  o << "all " << ids_str(all_ids(db, {.archived = ArchivedMode::include}, SortField::updated, true)) << "\n";
  o << "allname " << ids_str(all_ids(db, {.archived = ArchivedMode::include}, SortField::name, false)) << "\n";
  // Every deal as the views hold it.
  for (ListOptions lo{.sort = SortField::created, .limit = 1000};;) {
    auto page = db.list_deals({.archived = ArchivedMode::include}, lo);
    for (auto &d : page.items)
      o << "d" << d.id << " " << d.name << "|" << d.pipeline_id << "|" << d.stage_id << "|" << d.amount.minor
        << d.amount.currency << "|" << d.owner_id << "|" << d.department_id << "|" << d.client_ref << "|"
        << d.client_name << "|" << d.segment << "|" << d.external_ref << "|" << d.lost_reason << "|"
        << ids_str(d.tags) << "|" << ids_str(d.contacts) << "|" << d.archived << "|" << d.open_task_count << "|"
        << d.next_task_due << "|" << d.created_at << "|" << d.updated_at << "|" << d.closed_at << "\n";
    if (page.next_cursor.empty()) break;
    lo.cursor = page.next_cursor;
  }
  const SortField sorts[] = {SortField::updated, SortField::created, SortField::amount,
                             SortField::name,    SortField::stage,   SortField::next_task_due};
  std::vector<DealFilter> filters;
  filters.push_back({});
  filters.push_back({.archived = ArchivedMode::only});
  filters.push_back({.kinds = {StageKind::won, StageKind::lost}, .archived = ArchivedMode::include});
  filters.push_back({.has_open_tasks = true});
  filters.push_back({.has_open_tasks = false, .archived = ArchivedMode::include});
  filters.push_back({.segments = {"B2B"}});
  filters.push_back({.amount_min = 1000, .amount_max = 500000});
  filters.push_back({.text = "ёлк"});
  filters.push_back({.client_refs = {"c1", "c2", "c3"}});
  for (auto &p : pls) filters.push_back({.pipelines = {p.id}, .archived = ArchivedMode::include});
  for (std::size_t i = 0; i < tags.size() && i < 40; ++i) {
    filters.push_back({.tags_any = {tags[i].id}, .archived = ArchivedMode::include});
    if (i + 1 < tags.size()) filters.push_back({.tags_all = {tags[i].id, tags[i + 1].id}});
    filters.push_back({.tags_none = {tags[i].id}});
  }
  for (std::size_t i = 0; i < users.size() && i < 30; ++i) {
    filters.push_back({.owners = {users[i].id}, .archived = ArchivedMode::include});
    if (users[i].department_id) filters.push_back({.departments = {users[i].department_id}});
  }
  filters.push_back({.owners = {0}});
  for (int i = 0; i < 6; ++i) filters.push_back({.phone = "8912100" + std::to_string(1000 + i * 7).substr(1)});
  int k = 0;
  for (auto &f : filters) {
    o << "f" << k << " " << first_page(db, f, sorts[k % 6], k % 2) << "\n";
    ++k;
  }
  for (auto &p : pls) {
    auto board_line = [&](const char *label, const BoardFilter &f) {
      auto b = db.board_totals(p.id, f);
      o << label << " " << p.id;
      for (auto &c : b.columns) {
        o << " " << c.stage_id << ":" << c.count << "[";
        for (auto &m : b.sums_of(c)) o << m.minor << m.currency << ";";
        o << "]";
      }
      o << "\n";
    };
    board_line("board", {});
    if (!tags.empty()) board_line("board_tag", {.tags_any = {tags[0].id}});
    if (!users.empty()) board_line("board_owner", {.owners = {users[0].id}});
  }
  for (int i = 0; i < 60; ++i) {
    std::string ph = "+7912100" + std::to_string(10000 + i).substr(1);
    std::string em = "buyer" + std::to_string(i) + "@example.ru";
    o << "ph" << i << " " << ids_str(db.find_deals_by_phone(ph)) << "|" << ids_str(db.find_contacts_by_phone(ph))
      << " em " << ids_str(db.find_deals_by_email(em)) << "|" << ids_str(db.find_contacts_by_email(em)) << "\n";
  }
  for (std::size_t i = 0; i < users.size() && i < 20; ++i) {
    auto tb = db.task_block({.user_id = users[i].id, .now = kNow, .per_group_limit = 20});
    o << "tasks " << users[i].id;
    for (auto &g : tb.groups) {
      o << " " << static_cast<int>(g.group) << ":" << g.count << "[";
      for (auto &it : g.items) o << it.task.id << "/" << it.task.deal_id << "/" << it.task.due_at << ";";
      o << "]";
    }
    o << "\n";
  }
  return o.str();
}

// The first line where two digests differ.
std::string first_diff(const std::string &a, const std::string &b) {
  std::istringstream x(a), y(b);
  std::string l1, l2;
  for (int n = 1;; ++n) {
    bool g1 = static_cast<bool>(std::getline(x, l1)), g2 = static_cast<bool>(std::getline(y, l2));
    if (!g1 && !g2) return "none";
    if (!g1 || !g2 || l1 != l2) {
      auto cut = [](const std::string &s) { return s.size() > 300 ? s.substr(0, 300) + "..." : s; };
      return "line " + std::to_string(n) + "\n    opened:      " + cut(l1) + "\n    from tables: " + cut(l2);
    }
  }
}

// ---- witnesses ---------------------------------------------------------------

enum class State { in_flight, done, refused };

struct Witness {
  std::string kind, target;  // see Writer::step
  int before = 0;            // mov/own/arc: deals already so before the call
  int n = 0;                 // deals or contacts the call changes or creates
  std::vector<Id> ids;
  State state = State::in_flight;
  bool touched_after = false;  // a later write of the same child may undo it (mov/own/arc)
};

// What a killed child said: its witnessed calls, and where it was killed.
struct ChildLog {
  std::vector<Witness> calls;
  bool in_cache_write = false;  // "C" without its "D"
  int cache_writes = 0;         // "C" lines
  bool stage_deleted = false;   // "R": a cache from before is refused
};

ChildLog parse(const std::string &buf) {
  ChildLog out;
  std::size_t pos = 0;
  for (std::size_t nl; (nl = buf.find('\n', pos)) != std::string::npos; pos = nl + 1) {
    std::istringstream l(buf.substr(pos, nl - pos));
    std::string tag;
    l >> tag;
    if (tag == "B") {
      Witness w;
      std::string ids;
      l >> w.kind >> w.target >> w.before >> w.n >> ids;
      std::stringstream is(ids);
      for (std::string x; std::getline(is, x, ',');)
        if (!x.empty()) w.ids.push_back(std::stoll(x));
      for (auto &c : out.calls) c.touched_after = true;
      out.calls.push_back(w);
    } else if ((tag == "E" || tag == "F") && !out.calls.empty()) {
      out.calls.back().state = tag == "E" ? State::done : State::refused;
    } else if (tag == "S") {
      for (auto &c : out.calls) c.touched_after = true;
    } else if (tag == "C") {
      out.in_cache_write = true;
      ++out.cache_writes;
    } else if (tag == "D") {
      out.in_cache_write = false;
    } else if (tag == "R") {
      out.stage_deleted = true;
    }
  }
  return out;
}

const char *call_name(const std::string &kind) {
  if (kind == "dls") return "create_deals";
  if (kind == "cts") return "create_contacts";
  if (kind == "tag") return "tag_deals";
  if (kind == "mov") return "move_deals";
  if (kind == "own") return "assign_deals";
  return "archive_deals";
}

// How many of a call's effects the tables hold: deals are read from SQLite;
// contacts are found by the views' e-mail index, then read from SQLite.
int present(const Database &db, const Witness &w) {
  int c = 0;
  if (w.kind == "dls") {
    for (int i = 0; i < w.n; ++i) c += db.find_deal_by_ref(w.target + "-" + std::to_string(i)).has_value();
    return c;
  }
  if (w.kind == "cts") {
    for (int i = 0; i < w.n; ++i) {
      std::string email = w.target + "-" + std::to_string(i) + "@w.ru";
      for (Id id : db.find_contacts_by_email(email)) {
        auto e = db.contact(id).emails;
        if (std::find(e.begin(), e.end(), email) != e.end()) {
          ++c;
          break;
        }
      }
    }
    return c;
  }
  Id t = std::stoll(w.target);
  for (Id id : w.ids) {
    auto d = db.get_deal(id);
    if (w.kind == "tag") c += std::binary_search(d.tags.begin(), d.tags.end(), t);
    else if (w.kind == "mov") c += d.stage_id == t;
    else if (w.kind == "own") c += d.owner_id == t;
    else c += d.archived == (t != 0);
  }
  return c;
}

// Effects that no later call undoes: created deals and contacts, witness tags.
bool lasting(const Witness &w) { return w.kind == "dls" || w.kind == "cts" || w.kind == "tag"; }

// ---- the run -----------------------------------------------------------------

int failures = 0;

void fail(const char *fmt, ...) {
  ++failures;
  std::va_list ap;
  va_start(ap, fmt);
  std::vfprintf(stderr, fmt, ap);
  va_end(ap);
  std::fputc('\n', stderr);
}

void remove_files(const std::string &path) {
  const std::string base = fs::path(path).filename().string();
  for (auto &e : fs::directory_iterator(fs::path(path).parent_path()))
    if (e.path().filename().string().rfind(base, 0) == 0) fs::remove(e.path());
}

// The first failure's files, for a look afterwards.
void keep_files(const std::string &path, int kill) {
  static bool kept = false;
  if (kept) return;
  kept = true;
  for (const char *suffix : {"", "-wal", "-views"}) {
    std::error_code ec;
    fs::copy_file(path + suffix, path + ".fail-" + std::to_string(kill) + suffix, fs::copy_options::overwrite_existing,
                  ec);
  }
}

// A fresh database with a catalog and kInitialDeals deals.
void seed_db(const std::string &path) {
  remove_files(path);
  auto db = Database::open(path, {.views_cache = false});
  auto sys = Actor::system();
  auto d1 = db.create_department(sys, "Отдел 1");
  auto d2 = db.create_department(sys, "Отдел 2");
  db.create_user(sys, "Анна", d1);
  db.create_user(sys, "Борис", d2);
  db.create_user(sys, "Вера", 0);
  db.create_pipeline(sys, "Продажи",
                     {{.name = "Новая"}, {.name = "В работе"}, {.name = "Успех", .kind = StageKind::won},
                      {.name = "Отказ", .kind = StageKind::lost}});
  db.create_pipeline(sys, "Тендеры", {{.name = "Заявка"}, {.name = "Успех", .kind = StageKind::won}});
  for (int i = 0; i < 6; ++i) db.create_tag(sys, "t" + std::to_string(i));
  Writer w(db, 1, -1);
  for (int i = 0; i < 40; ++i) db.create_contact(sys, w.cspec());
  w.reload();
  std::vector<DealSpec> batch;
  for (int i = 0; i < kInitialDeals; ++i) batch.push_back(w.spec());
  db.create_deals(sys, batch);
  for (int i = 0; i < 100; ++i) w.step();  // tasks, comments, pins...
}

enum class Mode { timed, bulk, cache };
const char *mode_name(Mode m) { return m == Mode::timed ? "timed" : m == Mode::bulk ? "after B" : "after C"; }

struct Kill {
  int index;
  std::uint64_t seed;  // the child's
  Mode mode;
  int nth;              // bulk, cache: kill after the nth "B" / "C"
  std::int64_t delay;   // µs after the fork (timed) or after that line
  bool gave_up = false;  // the line never came: killed at the give-up time
};

// Forks the child, kills it as planned, returns what it said.
std::string run_child(const std::string &path, Kill &k) {
  int fds[2];
  if (::pipe(fds) != 0) {
    std::perror("pipe");
    std::exit(2);
  }
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("fork");
    std::exit(2);
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_main(path, k.seed, fds[1]);
  }
  ::close(fds[1]);
  const std::int64_t start = now_us();
  const std::int64_t give_up = start + 4'000'000LL * kSlow;
  std::int64_t kill_at = k.mode == Mode::timed ? start + k.delay : give_up;
  std::string buf;
  std::size_t scanned = 0;
  int seen = 0;
  bool eof = false;
  const char want = k.mode == Mode::bulk ? 'B' : 'C';
  while (!eof) {
    std::int64_t now = now_us();
    if (now >= kill_at) break;
    std::int64_t wait = kill_at - now;
    timespec ts{static_cast<time_t>(wait / 1000000), static_cast<long>(wait % 1000000) * 1000};
    pollfd pfd{fds[0], POLLIN, 0};
    int rc = ::ppoll(&pfd, 1, &ts, nullptr);
    if (rc < 0 && errno != EINTR) break;
    if (rc <= 0) continue;
    char b[65536];
    ssize_t n = ::read(fds[0], b, sizeof b);
    if (n <= 0) {
      eof = n == 0;
      continue;
    }
    buf.append(b, static_cast<std::size_t>(n));
    if (k.mode == Mode::timed || kill_at != give_up) continue;
    for (std::size_t nl; (nl = buf.find('\n', scanned)) != std::string::npos; scanned = nl + 1)
      if (buf[scanned] == want && ++seen == k.nth) {
        kill_at = now_us() + k.delay;
        break;
      }
  }
  k.gave_up = kill_at == give_up;
  ::kill(pid, SIGKILL);
  char b[65536];
  for (ssize_t n; (n = ::read(fds[0], b, sizeof b)) != 0;) {
    if (n > 0) buf.append(b, static_cast<std::size_t>(n));
    else if (errno != EINTR) break;
  }
  ::close(fds[0]);
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (!(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL))
    fail("kill %d (seed %llu): the child ended by itself (%s %d; exit 3: internal error, 4: exception, 5: never "
         "killed)",
         k.index, static_cast<unsigned long long>(k.seed), WIFEXITED(st) ? "exit" : "signal",
         WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? WTERMSIG(st) : -1);
  return buf;
}

}  // namespace

int main(int argc, char **argv) {
  const std::uint64_t seed = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : kFixedSeed;
  const int kills = argc > 2 ? std::atoi(argv[2]) : kFixedKills;
  const bool verbose = std::getenv("VERBOSE") != nullptr;
  const char *dir = std::getenv("DEALCORE_TEST_TMPDIR");
  const std::string path = std::string(dir && *dir ? dir : "/tmp") + "/crash.db";
  const std::int64_t t0 = now_us();

  int in_flight = 0, in_cache_write = 0, completed = 0, from_cache = 0;
  std::vector<Witness> lasting_calls;  // rechecked every 10th kill and at the end
  auto recheck = [&](const Database &db, int kill) {
    for (auto &w : lasting_calls)
      if (int c = present(db, w); c != w.n)
        fail("kill %d: an earlier %s (%s) is no longer whole: %d of %d present", kill, call_name(w.kind),
             w.target.c_str(), c, w.n);
  };

  try {
    seed_db(path);
    std::mt19937_64 prng(seed);
    for (int i = 0; i < kills; ++i) {
      Kill k{.index = i, .seed = seed * 1000 + static_cast<std::uint64_t>(i), .mode = Mode::timed, .nth = 1, .delay = 0};
      switch (prng() % 3) {
        case 0: k.delay = static_cast<std::int64_t>(prng() % 250'000) * kSlow; break;
        case 1:
          k.mode = Mode::bulk;
          k.nth = 1 + static_cast<int>(prng() % 3);
          k.delay = static_cast<std::int64_t>(prng() % 4000) * kSlow;
          break;
        default:
          k.mode = Mode::cache;
          k.nth = 1 + static_cast<int>(prng() % 2);
          k.delay = static_cast<std::int64_t>(prng() % 3000) * kSlow;
      }
      const ChildLog log = parse(run_child(path, k));
      const bool bulk_open = !log.calls.empty() && log.calls.back().state == State::in_flight;
      in_flight += bulk_open;
      in_cache_write += log.in_cache_write;
      const std::string where = bulk_open ? "in " + std::string(call_name(log.calls.back().kind))
                                : log.in_cache_write ? "in a close or cache write"
                                                     : "between calls";
      char what[160];
      std::snprintf(what, sizeof what, "kill %d (seed %llu, %s %d, +%lld us%s, %s)", i,
                    static_cast<unsigned long long>(k.seed), mode_name(k.mode), k.nth,
                    static_cast<long long>(k.delay), k.gave_up ? ", gave up waiting" : "", where.c_str());
      const int failures_before = failures;
      bool fc = false;  // the second open's views came from the cache
      try {
        // The second open: from the cache when usable.
        auto a = Database::open(path, kCacheOn);
        fc = a.views_from_cache();
        // The previous kill's third open left a cache, and this child's
        // writes can only have made it stale (the log brings it up to date);
        // a cache write cut short must have left it, or the new one, whole.
        if (!fc && i > 0 && !log.stage_deleted)
          fail("%s: the second open built the views from the tables: no usable cache was left", what);
        auto rep = a.verify();
        if (!rep.ok) {
          fail("%s: verify() after an open (views from the cache: %d) found %zu differences, the first: %s", what,
               fc, rep.differences.size(), rep.differences.empty() ? "" : rep.differences[0].c_str());
        }
        const std::string ans_a = answers(a);
        std::string ans_b;
        {
          auto b = Database::open(path, {.views_cache = false});
          ans_b = answers(b);
        }
        if (ans_a != ans_b)
          fail("%s: the opened views (from the cache: %d) answer otherwise than a build from the tables, at %s", what,
               fc, first_diff(ans_a, ans_b).c_str());
        // The witnessed calls.
        for (const auto &w : log.calls) {
          const int c = present(a, w);
          const int none = lasting(w) ? 0 : w.before;
          if (w.state == State::done) {
            if (!lasting(w) && w.touched_after) continue;  // a later write may have undone it
            ++completed;
            if (c != w.n)
              fail("%s: a %s (%s) that returned is not whole: %d of %d present", what, call_name(w.kind),
                   w.target.c_str(), c, w.n);
          } else if (w.state == State::refused) {
            if ((lasting(w) || !w.touched_after) && c != none)
              fail("%s: a refused %s (%s) changed something: %d present, %d before", what, call_name(w.kind),
                   w.target.c_str(), c, none);
          } else if (c != none && c != w.n) {
            fail("%s: the %s (%s) in flight is half done: %d of %d present, %d before", what, call_name(w.kind),
                 w.target.c_str(), c, w.n, none);
          }
          if (lasting(w) && c == w.n && w.state != State::refused) lasting_calls.push_back(w);
        }
        if (i % 10 == 9) recheck(a, i);
        // The third open: from the cache that a's close writes.
        { auto closing = std::move(a); }
        auto c3 = Database::open(path, kCacheOn);
        from_cache += fc;
        if (!c3.views_from_cache()) fail("%s: the third open did not load the cache the second one's close wrote", what);
        if (auto ans_c = answers(c3); ans_c != ans_b)
          fail("%s: the third open (from the cache: %d) answers otherwise than the tables, at %s", what,
               c3.views_from_cache(), first_diff(ans_c, ans_b).c_str());
      } catch (const std::exception &e) {
        fail("%s: the checks threw: %s", what, e.what());
      }
      if (failures != failures_before) keep_files(path, i);
      if (verbose)
        std::fprintf(stderr, "%s: %zu witnessed calls, %d cache writes, from the cache: %d, %d failures so far\n",
                     what, log.calls.size(), log.cache_writes, fc, failures);
    }
    auto db = Database::open(path, {.views_cache = false});
    recheck(db, kills);
  } catch (const std::exception &e) {
    fail("the run threw: %s", e.what());
  }
  if (kills >= 30 && in_flight == 0) fail("no kill landed inside a bulk call: the test lost its teeth");
  if (kills >= 30 && in_cache_write == 0) fail("no kill landed inside a close or cache write: the test lost its teeth");
  int temporaries = 0;  // each a cache write cut short by a kill
  for (auto &e : fs::directory_iterator(fs::path(path).parent_path()))
    temporaries += e.path().filename().string().rfind("crash.db-views.tmp-", 0) == 0;
  std::printf(
      "kill points: %d in a bulk call, %d in a close or cache write (%d cache files left half written); %d second "
      "opens from the cache; %.1f s\n",
      in_flight, in_cache_write, temporaries, from_cache, static_cast<double>(now_us() - t0) / 1e6);
  std::printf("crash test: %d kills, %d in flight, %d completed calls checked, %d failures\n", kills, in_flight,
              completed, failures);
  return failures ? 1 : 0;
}

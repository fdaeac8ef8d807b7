#include "questions.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>

#include "dataset.hpp"
#include "load.hpp"
#include "tasks.hpp"
#include "util.hpp"

namespace bench {

namespace dc = dealcore;
using dc::Id;

namespace {

// ---- the reference side -------------------------------------------------

// A deal as the reference returns it: the columns a list shows.
struct Row {
  Id id = 0;
  std::string name;
  Id pipeline_id = 0, stage_id = 0;
  int kind = 0;
  std::int64_t amount = 0;
  std::string currency;
  Id owner_id = 0, department_id = 0;
  std::string client_ref, client_name, segment;
  std::int64_t created_at = 0, updated_at = 0;
};

// The numeric columns of kRowColumns into r.
void read_numbers(const Stmt &s, Row &r) {
  r.id = s.i64(0);
  r.pipeline_id = s.i64(2);
  r.stage_id = s.i64(3);
  r.kind = static_cast<int>(s.i64(4));
  r.amount = s.i64(5);
  r.owner_id = s.i64(7);
  r.department_id = s.i64(8);
  r.created_at = s.i64(12);
  r.updated_at = s.i64(13);
}

Row read_row(const Stmt &s) {
  Row r;
  read_numbers(s, r);
  r.name = s.text(1);
  r.currency = s.text(6);
  r.client_ref = s.text(9);
  r.client_name = s.text(10);
  r.segment = s.text(11);
  return r;
}

struct Catalog {
  std::vector<Id> pipelines;                     // by position
  std::map<Id, std::vector<Id>> stages;          // pipeline -> stages by position
  std::unordered_map<Id, std::int64_t> stage_pos;  // stage -> global position
  std::vector<Id> users, departments;
  std::vector<Id> tags_by_popularity;  // most used first
  Id min_deal = 0, max_deal = 0;
  Id task_user = 0, timeline_deal = 0;  // the user with 1,000 open tasks; the deal with 10,000 comments
};

// A live (not archived) deal picked to derive a question's parameters from,
// so that combined filters have hits.
struct Anchor {
  Row row;
  std::vector<Id> tags;
  std::string phone;  // E.164 of one of its contacts
  std::string email;
};

class Reference {
 public:
  Reference(Db &db, bool explain) : db_(db), explain_(explain) {
    Stmt p(db.raw(), "SELECT id FROM pipelines ORDER BY position");
    while (p.step()) cat.pipelines.push_back(p.i64(0));
    Stmt s(db.raw(), "SELECT s.id, s.pipeline_id, p.position * 8 + s.position FROM stages s "
                     "JOIN pipelines p ON p.id = s.pipeline_id ORDER BY s.pipeline_id, s.position");
    while (s.step()) {
      cat.stages[s.i64(1)].push_back(s.i64(0));
      cat.stage_pos[s.i64(0)] = s.i64(2);
    }
    Stmt u(db.raw(), "SELECT id FROM users ORDER BY id");
    while (u.step()) cat.users.push_back(u.i64(0));
    Stmt d(db.raw(), "SELECT id FROM departments ORDER BY id");
    while (d.step()) cat.departments.push_back(d.i64(0));
    Stmt t(db.raw(), "SELECT t.id FROM tags t LEFT JOIN (SELECT tag_id, COUNT(*) AS c FROM deal_tags GROUP BY tag_id) x "
                     "ON x.tag_id = t.id ORDER BY IFNULL(x.c, 0) DESC, t.id");
    while (t.step()) cat.tags_by_popularity.push_back(t.i64(0));
    cat.min_deal = db.scalar("SELECT MIN(id) FROM deals");
    cat.max_deal = db.scalar("SELECT MAX(id) FROM deals");
    cat.task_user = db.scalar("SELECT value FROM meta WHERE key = 'task_user'");
    cat.timeline_deal = db.scalar("SELECT value FROM meta WHERE key = 'timeline_deal'");
  }

  Stmt &prep(const std::string &sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return *it->second;
    if (explain_) {
      std::fprintf(stderr, "-- %s\n", sql.c_str());
      Stmt e(db_.raw(), "EXPLAIN QUERY PLAN " + sql);
      while (e.step()) std::fprintf(stderr, "   %s\n", e.text(3).c_str());
    }
    auto &slot = cache_[sql];
    slot = std::make_unique<Stmt>(db_.raw(), sql);
    return *slot;
  }

  Anchor anchor(std::uint64_t h) {
    Id span = cat.max_deal - cat.min_deal + 1;
    Id start = cat.min_deal + static_cast<Id>(h % static_cast<std::uint64_t>(span));
    auto &s = prep(std::string("SELECT ") + kRowColumns +
                   " FROM deals d WHERE d.id >= ? AND d.archived = 0 ORDER BY d.id LIMIT 1");
    Anchor a;
    s.bind(1, start);
    if (!s.step()) {
      s.bind(1, cat.min_deal);
      s.step();
    }
    a.row = read_row(s);
    sqlite3_reset(s.raw());
    auto &t = prep("SELECT tag_id FROM deal_tags WHERE deal_id = ? ORDER BY tag_id");
    t.bind(1, a.row.id);
    while (t.step()) a.tags.push_back(t.i64(0));
    auto &p = prep("SELECT p.e164 FROM deal_contacts dc JOIN contact_phones p ON p.contact_id = dc.contact_id "
                   "WHERE dc.deal_id = ? ORDER BY p.e164 LIMIT 1");
    p.bind(1, a.row.id);
    if (p.step()) a.phone = p.text(0);
    sqlite3_reset(p.raw());
    auto &e = prep("SELECT e.email FROM deal_contacts dc JOIN contact_emails e ON e.contact_id = dc.contact_id "
                   "WHERE dc.deal_id = ? ORDER BY e.email LIMIT 1");
    e.bind(1, a.row.id);
    if (e.step()) a.email = e.text(0);
    sqlite3_reset(e.raw());
    return a;
  }

  Catalog cat;

 private:
  Db &db_;
  bool explain_;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
};

// ---- SQL for a DealFilter --------------------------------------------------

struct Sql {
  std::string where;
  std::vector<Value> binds;
};

std::string ascii_lower(std::string s) {
  for (auto &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The reference meaning of every DealFilter field, written as SQL over the
// flat schema. This is the specification the answers are checked against.
Sql where_of(const dc::DealFilter &f) {
  Sql q;
  std::vector<std::string> conds;
  auto marks = [&](std::size_t n) {
    std::string s = "(";
    for (std::size_t k = 0; k < n; ++k) s += k ? ",?" : "?";
    return s + ")";
  };
  auto in_ids = [&](const char *col, const std::vector<Id> &v) {
    if (v.empty()) return;
    conds.push_back(std::string(col) + " IN " + marks(v.size()));
    for (Id x : v) q.binds.emplace_back(x);
  };
  auto in_strs = [&](const char *col, const std::vector<std::string> &v) {
    if (v.empty()) return;
    conds.push_back(std::string(col) + " IN " + marks(v.size()));
    for (const auto &x : v) q.binds.emplace_back(x);
  };
  if (f.archived == dc::ArchivedMode::exclude) conds.push_back("d.archived = 0");
  if (f.archived == dc::ArchivedMode::only) conds.push_back("d.archived = 1");
  in_ids("d.pipeline_id", f.pipelines);
  in_ids("d.stage_id", f.stages);
  std::vector<Id> kinds;
  for (auto k : f.kinds) kinds.push_back(static_cast<Id>(k));
  in_ids("d.kind", kinds);
  in_ids("d.owner_id", f.owners);
  in_ids("d.department_id", f.departments);
  // SQLite has no per-value statistics here (no STAT4), so the form of a
  // condition picks the plan. As a DBA would: when an indexed equality
  // filter narrows the deals, tags and text are probed per candidate
  // (EXISTS, FTS); otherwise the tag's posting list drives.
  const bool narrowed = !f.pipelines.empty() || !f.stages.empty() || !f.owners.empty() ||
                        !f.departments.empty() || !f.client_refs.empty();
  if (!f.tags_any.empty()) {
    conds.push_back(narrowed ? "EXISTS (SELECT 1 FROM deal_tags t WHERE t.deal_id = d.id AND t.tag_id IN " +
                                   marks(f.tags_any.size()) + ")"
                             : "d.id IN (SELECT deal_id FROM deal_tags WHERE tag_id IN " + marks(f.tags_any.size()) + ")");
    for (Id x : f.tags_any) q.binds.emplace_back(x);
  }
  for (Id t : f.tags_all) {
    conds.push_back(narrowed ? "EXISTS (SELECT 1 FROM deal_tags t WHERE t.deal_id = d.id AND t.tag_id = ?)"
                             : "d.id IN (SELECT deal_id FROM deal_tags WHERE tag_id = ?)");
    q.binds.emplace_back(t);
  }
  if (!f.tags_none.empty()) {
    conds.push_back("NOT EXISTS (SELECT 1 FROM deal_tags t WHERE t.deal_id = d.id AND t.tag_id IN " +
                    marks(f.tags_none.size()) + ")");
    for (Id x : f.tags_none) q.binds.emplace_back(x);
  }
  in_strs("d.client_ref", f.client_refs);
  in_strs("d.segment", f.segments);
  auto bound = [&](const char *cond, const std::optional<std::int64_t> &v) {
    if (!v) return;
    conds.push_back(cond);
    q.binds.emplace_back(*v);
  };
  bound("d.amount >= ?", f.amount_min);
  bound("d.amount <= ?", f.amount_max);
  if (!f.currency.empty()) {
    conds.push_back("d.currency = ?");
    q.binds.emplace_back(f.currency);
  }
  bound("d.created_at >= ?", f.created_from);
  bound("d.created_at < ?", f.created_to);
  bound("d.updated_at >= ?", f.updated_from);
  bound("d.updated_at < ?", f.updated_to);
  if (!f.text.empty()) {
    std::string key = fold_key(f.text);
    // The trigram index finds candidates (3 characters at least); instr()
    // keeps the exact meaning. Without a narrowing filter, walking the sort
    // index with instr() alone is faster for common words (measured: 2 ms
    // against 170 ms for a word in 6% of the names), so that is the form.
    std::size_t chars = 0;
    for (char c : key) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    if (narrowed && chars >= 3) {
      std::string phrase = "\"";
      for (char c : key) phrase += c == '"' ? std::string("\"\"") : std::string(1, c);
      phrase += "\"";
      conds.push_back("d.id IN (SELECT rowid FROM deals_name_fts WHERE deals_name_fts MATCH ?)");
      q.binds.emplace_back(phrase);
    }
    conds.push_back("instr(d.name_key, ?) > 0");
    q.binds.emplace_back(key);
  }
  if (!f.phone.empty()) {
    if (f.phone[0] != '+') throw std::runtime_error("the bench only filters lists by E.164 phones");
    conds.push_back("d.id IN (SELECT dc.deal_id FROM contact_phones p JOIN deal_contacts dc "
                    "ON dc.contact_id = p.contact_id WHERE p.e164 = ?)");
    q.binds.emplace_back(f.phone);
  }
  if (!f.email.empty()) {
    conds.push_back("d.id IN (SELECT dc.deal_id FROM contact_emails e JOIN deal_contacts dc "
                    "ON dc.contact_id = e.contact_id WHERE e.email = ?)");
    q.binds.emplace_back(ascii_lower(f.email));
  }
  // Tasks: open_task_count and next_task_due (kNoDue: none) are kept on the
  // deal as dealcore keeps them; "now" is the bench's fixed kTaskNow.
  if (f.has_open_tasks) conds.push_back(*f.has_open_tasks ? "d.open_task_count > 0" : "d.open_task_count = 0");
  if (f.has_overdue_task) {
    conds.push_back(*f.has_overdue_task ? "d.next_task_due < ?" : "d.next_task_due >= ?");
    q.binds.emplace_back(kTaskNow);
  }
  if (f.task_due_from || f.task_due_to) {
    conds.push_back("EXISTS (SELECT 1 FROM tasks t WHERE t.deal_id = d.id AND t.completed = 0 AND t.due_at >= ? "
                    "AND t.due_at < ?)");
    q.binds.emplace_back(f.task_due_from.value_or(INT64_MIN));
    q.binds.emplace_back(f.task_due_to.value_or(INT64_MAX));
  }
  if (!f.activity.empty() || f.rotting)
    throw std::runtime_error("activity filters have no reference in the bench");
  if (conds.empty()) conds.push_back("1");
  for (std::size_t k = 0; k < conds.size(); ++k) q.where += (k ? " AND " : "") + conds[k];
  return q;
}

const char *sort_column(dc::SortField s) {
  switch (s) {
    case dc::SortField::updated: return "d.updated_at";
    case dc::SortField::created: return "d.created_at";
    case dc::SortField::amount: return "d.amount";
    case dc::SortField::name: return "d.name_key";
    case dc::SortField::stage: return "d.stage_pos";
    case dc::SortField::next_task_due: return "d.next_task_due";  // kNoDue sorts last ascending only
  }
  throw std::runtime_error("the bench has no reference for this sort");
}

// The sort key of a row as the reference stores it, for keyset paging.
Value sort_value(const Row &r, dc::SortField s, const Catalog &cat) {
  switch (s) {
    case dc::SortField::updated: return r.updated_at;
    case dc::SortField::created: return r.created_at;
    case dc::SortField::amount: return r.amount;
    case dc::SortField::name: return fold_key(r.name);
    case dc::SortField::stage: return cat.stage_pos.at(r.stage_id);
    case dc::SortField::next_task_due: break;
  }
  throw std::runtime_error("the bench has no reference for this sort");
}

struct SqlPage {
  std::vector<Row> rows;
  bool more = false;
  std::int64_t total = -1;
  // With run_list(l, true): the rows' strings are not in rows yet but in
  // text, one buffer for the page (as dealcore's DealViewPage holds them);
  // spans[k] gives row k's (offset, size) for name, currency, client_ref,
  // client_name and segment. materialize() moves them into rows, untimed.
  std::string text;
  std::vector<std::array<std::uint32_t, 10>> spans;
};

constexpr int kTextColumns[5] = {1, 6, 9, 10, 11};

void materialize(SqlPage &p) {
  for (std::size_t k = 0; k < p.spans.size(); ++k) {
    Row &r = p.rows[k];
    std::string *to[5] = {&r.name, &r.currency, &r.client_ref, &r.client_name, &r.segment};
    for (int c = 0; c < 5; ++c) to[c]->assign(p.text, p.spans[k][2 * c], p.spans[k][2 * c + 1]);
  }
  p.spans.clear();
}

// A prepared list question on the reference: the page statement (with
// limit + 1 rows, to know whether there is a next page) and the optional
// COUNT(*) statement.
struct SqlList {
  Stmt *page = nullptr;
  Stmt *count = nullptr;
  std::vector<Value> binds;  // the page's binds; the limit goes last
  std::size_t where_binds = 0;
  int limit = 50;
  bool ids_only = false;
};

SqlList prepare_list(Reference &ref, const dc::DealFilter &f, const dc::ListOptions &o, const Row *after) {
  Sql w = where_of(f);
  SqlList l;
  l.limit = o.limit;
  l.ids_only = o.ids_only;
  l.where_binds = w.binds.size();
  std::string col = sort_column(o.sort);
  const char *dir = o.descending ? " DESC" : " ASC";
  std::string sql = std::string("SELECT ") + (o.ids_only ? "d.id" : kRowColumns) + " FROM deals d WHERE " + w.where;
  l.binds = w.binds;
  if (after) {
    // Keyset: the range on the sort column can use an index; equal keys are
    // then cut by id.
    const char *op = o.descending ? "<" : ">";
    sql += " AND " + col + (o.descending ? " <= ?" : " >= ?") + " AND (" + col + " " + op + " ? OR d.id " + op + " ?)";
    Value v = sort_value(*after, o.sort, ref.cat);
    l.binds.push_back(v);
    l.binds.push_back(v);
    l.binds.emplace_back(after->id);
  }
  sql += " ORDER BY " + col + dir + ", d.id" + dir + " LIMIT ?";
  l.page = &ref.prep(sql);
  if (o.with_total) {
    l.count = &ref.prep("SELECT COUNT(*) FROM deals d WHERE " + w.where);
  }
  return l;
}

// in_one_buffer: the page's strings go to p.text, as a host reading into
// one buffer a page would do (see SqlPage); call materialize() after.
SqlPage run_list(const SqlList &l, bool in_one_buffer = false) {
  SqlPage p;
  Stmt &s = *l.page;
  s.bind_all(l.binds);
  s.bind(static_cast<int>(l.binds.size()) + 1, static_cast<std::int64_t>(l.limit + 1));
  if (in_one_buffer && !l.ids_only) {
    p.rows.reserve(static_cast<std::size_t>(l.limit) + 1);
    p.spans.reserve(static_cast<std::size_t>(l.limit) + 1);
    p.text.reserve(static_cast<std::size_t>(l.limit + 1) * 160);
  }
  while (s.step()) {
    if (l.ids_only) {
      p.rows.emplace_back().id = s.i64(0);
    } else if (in_one_buffer) {
      read_numbers(s, p.rows.emplace_back());
      auto &span = p.spans.emplace_back();
      for (int c = 0; c < 5; ++c) {
        auto *t = reinterpret_cast<const char *>(sqlite3_column_text(s.raw(), kTextColumns[c]));
        auto n = static_cast<std::uint32_t>(sqlite3_column_bytes(s.raw(), kTextColumns[c]));
        span[2 * c] = static_cast<std::uint32_t>(p.text.size());
        span[2 * c + 1] = n;
        if (n) p.text.append(t, n);
        p.text.push_back('\0');
      }
    } else {
      p.rows.push_back(read_row(s));
    }
  }
  if (static_cast<int>(p.rows.size()) > l.limit) {
    p.more = true;
    p.rows.pop_back();
    if (!p.spans.empty()) p.spans.pop_back();
  }
  if (l.count) {
    Stmt &c = *l.count;
    c.bind_all(std::vector<Value>(l.binds.begin(), l.binds.begin() + static_cast<std::ptrdiff_t>(l.where_binds)));
    c.step();
    p.total = c.i64(0);
    sqlite3_reset(c.raw());
  }
  return p;
}

// ---- describing and comparing answers ------------------------------------

std::string ids_str(const std::vector<Id> &v, std::size_t max = 12) {
  std::string s = "[";
  for (std::size_t k = 0; k < v.size() && k < max; ++k) s += (k ? "," : "") + std::to_string(v[k]);
  if (v.size() > max) s += ",... (" + std::to_string(v.size()) + ")";
  return s + "]";
}

std::string describe(const dc::DealFilter &f) {
  std::string s;
  auto add_ids = [&](const char *n, const std::vector<Id> &v) {
    if (!v.empty()) s += std::string(" ") + n + "=" + ids_str(v);
  };
  auto add_strs = [&](const char *n, const std::vector<std::string> &v) {
    if (v.empty()) return;
    s += std::string(" ") + n + "=[";
    for (std::size_t k = 0; k < v.size(); ++k) s += (k ? ",\"" : "\"") + v[k] + "\"";
    s += "]";
  };
  add_ids("pipelines", f.pipelines);
  add_ids("stages", f.stages);
  std::vector<Id> kinds;
  for (auto k : f.kinds) kinds.push_back(static_cast<Id>(k));
  add_ids("kinds", kinds);
  add_ids("owners", f.owners);
  add_ids("departments", f.departments);
  add_ids("tags_any", f.tags_any);
  add_ids("tags_all", f.tags_all);
  add_ids("tags_none", f.tags_none);
  add_strs("client_refs", f.client_refs);
  add_strs("segments", f.segments);
  if (f.amount_min) s += " amount_min=" + std::to_string(*f.amount_min);
  if (f.amount_max) s += " amount_max=" + std::to_string(*f.amount_max);
  if (!f.currency.empty()) s += " currency=" + f.currency;
  if (f.created_from) s += " created_from=" + std::to_string(*f.created_from);
  if (f.created_to) s += " created_to=" + std::to_string(*f.created_to);
  if (f.updated_from) s += " updated_from=" + std::to_string(*f.updated_from);
  if (f.updated_to) s += " updated_to=" + std::to_string(*f.updated_to);
  if (!f.text.empty()) s += " text=\"" + f.text + "\"";
  if (!f.phone.empty()) s += " phone=\"" + f.phone + "\"";
  if (!f.email.empty()) s += " email=\"" + f.email + "\"";
  if (f.has_open_tasks) s += std::string(" has_open_tasks=") + (*f.has_open_tasks ? "true" : "false");
  if (f.has_overdue_task) s += std::string(" has_overdue_task=") + (*f.has_overdue_task ? "true" : "false");
  if (f.task_due_from) s += " task_due_from=" + std::to_string(*f.task_due_from);
  if (f.task_due_to) s += " task_due_to=" + std::to_string(*f.task_due_to);
  return s.empty() ? "(no filter)" : s.substr(1);
}

std::string describe(const dc::ListOptions &o) {
  static const char *names[] = {"updated", "created", "amount", "name", "stage", "next_task_due"};
  return std::string("sort=") + names[static_cast<int>(o.sort)] + (o.descending ? " desc" : " asc") +
         " limit=" + std::to_string(o.limit) + (o.cursor.empty() ? "" : " (second page via cursor)") +
         (o.with_total ? " with_total" : "") + (o.ids_only ? " ids_only" : "");
}

// "" when the deal shows the row; otherwise the first differing field.
std::string compare_deal(const dc::Deal &d, const Row &r) {
  auto diff = [&](const char *f, const std::string &want, const std::string &got) {
    return "deal " + std::to_string(r.id) + " field " + f + ": expected " + want + ", got " + got;
  };
  auto num = [](std::int64_t v) { return std::to_string(v); };
  if (d.name != r.name) return diff("name", r.name, d.name);
  if (d.pipeline_id != r.pipeline_id) return diff("pipeline_id", num(r.pipeline_id), num(d.pipeline_id));
  if (d.stage_id != r.stage_id) return diff("stage_id", num(r.stage_id), num(d.stage_id));
  if (static_cast<int>(d.stage_kind) != r.kind) return diff("stage_kind", num(r.kind), num(static_cast<int>(d.stage_kind)));
  if (d.amount.minor != r.amount) return diff("amount", num(r.amount), num(d.amount.minor));
  if (d.amount.currency != r.currency) return diff("currency", r.currency, d.amount.currency);
  if (d.owner_id != r.owner_id) return diff("owner_id", num(r.owner_id), num(d.owner_id));
  if (d.department_id != r.department_id) return diff("department_id", num(r.department_id), num(d.department_id));
  if (d.client_ref != r.client_ref) return diff("client_ref", r.client_ref, d.client_ref);
  if (d.client_name != r.client_name) return diff("client_name", r.client_name, d.client_name);
  if (d.segment != r.segment) return diff("segment", r.segment, d.segment);
  if (d.created_at != r.created_at) return diff("created_at", num(r.created_at), num(d.created_at));
  if (d.updated_at != r.updated_at) return diff("updated_at", num(r.updated_at), num(d.updated_at));
  if (d.archived) return diff("archived", "false", "true");
  return {};
}

std::string compare_items(const std::vector<dc::Deal> &got, const std::vector<Row> &want) {
  std::vector<Id> g, w;
  for (const auto &d : got) g.push_back(d.id);
  for (const auto &r : want) w.push_back(r.id);
  if (g != w) {
    std::size_t k = 0;
    while (k < g.size() && k < w.size() && g[k] == w[k]) ++k;
    return "ids differ from position " + std::to_string(k) + ": expected " + ids_str(w) + ", got " + ids_str(g);
  }
  for (std::size_t k = 0; k < got.size(); ++k) {
    auto m = compare_deal(got[k], want[k]);
    if (!m.empty()) return m;
  }
  return {};
}

dc::DealPage as_deal_page(dc::DealViewPage &&v) {
  dc::DealPage p;
  for (const auto &d : v.items) p.items.push_back(dc::to_deal(d));
  p.ids = std::move(v.ids);
  p.next_cursor = std::move(v.next_cursor);
  p.total = v.total;
  return p;
}

std::string compare_page(const dc::DealPage &got, const SqlPage &want, bool ids_only) {
  std::vector<Id> w;
  for (const auto &r : want.rows) w.push_back(r.id);
  if (got.ids != w) return "ids differ: expected " + ids_str(w) + ", got " + ids_str(got.ids);
  auto m = ids_only ? (got.items.empty() ? std::string() : "ids_only but items were filled")
                    : compare_items(got.items, want.rows);
  if (!m.empty()) return m;
  if (want.more == got.next_cursor.empty())
    return std::string("next_cursor ") + (got.next_cursor.empty() ? "empty" : "set") + " but the reference has " +
           (want.more ? "more rows" : "no more rows");
  if (want.total >= 0) {
    if (!got.total) return "total missing, expected " + std::to_string(want.total);
    if (*got.total != want.total)
      return "total: expected " + std::to_string(want.total) + ", got " + std::to_string(*got.total);
  }
  return {};
}

// ---- questions ---------------------------------------------------------------

struct Sample {
  double dc_us = 0, sql_us = 0;
  double dc_cpu_us = 0, sql_cpu_us = 0;
  ThreadEvents dc_events;  // during the dealcore call: faults, preemptions
  bool dc_first = true;    // whether dealcore's call ran before SQLite's
  std::int64_t hits = 0;
  std::string mismatch;  // "" when the answers agree
  std::string what;      // the parameters, for the mismatch report
};

struct Question {
  std::string name;
  std::string kind;  // list, board, lookup
  std::function<Sample(int i, bool dc_first)> run;
  std::function<std::int64_t(int i)> matches;  // untimed: how many deals match (lists)
};

struct ListCase {
  dc::DealFilter filter;
  dc::ListOptions options;
  bool page2 = false;
  bool deals = false;  // time list_deals (std::string fields), not list_deal_views
};

// Runs the dealcore call and the SQLite call in the given order (it
// alternates between iterations), recording wall and thread CPU time.
template <class A, class B>
void timed_pair(bool dc_first, Sample &s, A &&dealcore_call, B &&sqlite_call) {
  auto time = [](auto &&fn, double &wall, double &cpu) {
    double c0 = thread_cpu_us();
    auto t0 = Clock::now();
    fn();
    wall = micros_since(t0);
    cpu = thread_cpu_us() - c0;
  };
  // The counters are read outside the timed part.
  auto time_dealcore = [&] {
    const ThreadEvents e0 = thread_events();
    time(dealcore_call, s.dc_us, s.dc_cpu_us);
    const ThreadEvents e1 = thread_events();
    s.dc_events = {e1.minflt - e0.minflt, e1.majflt - e0.majflt, e1.nivcsw - e0.nivcsw};
  };
  s.dc_first = dc_first;
  if (dc_first) {
    time_dealcore();
    time(sqlite_call, s.sql_us, s.sql_cpu_us);
  } else {
    time(sqlite_call, s.sql_us, s.sql_cpu_us);
    time_dealcore();
  }
}

class Mix {
 public:
  Mix(const dc::Database &db, Reference &ref) : db_(db), ref_(ref), cat_(ref.cat) { build(); }
  std::vector<Question> questions;

 private:
  const dc::Database &db_;
  Reference &ref_;
  const Catalog &cat_;

  Id pipeline(std::uint64_t i) const { return cat_.pipelines[i % cat_.pipelines.size()]; }
  Id popular_tag(std::size_t rank) const {
    return cat_.tags_by_popularity[std::min(rank, cat_.tags_by_popularity.size() - 1)];
  }
  // An anchor deal satisfying pred, found by a deterministic walk.
  template <class Pred>
  Anchor anchor(int i, std::uint64_t salt, Pred pred) {
    for (std::uint64_t attempt = 0;; ++attempt) {
      Anchor a = ref_.anchor(mix(mix(static_cast<std::uint64_t>(i), salt), attempt));
      if (pred(a) || attempt > 200) return a;
    }
  }
  Anchor anchor(int i, std::uint64_t salt) {
    return anchor(i, salt, [](const Anchor &) { return true; });
  }

  void list(const std::string &name, std::function<ListCase(int)> make) {
    Question q;
    q.name = name;
    q.kind = "list";
    q.run = [this, make](int i, bool dc_first) {
      ListCase c = make(i);
      Sample s;
      const Row *after = nullptr;
      SqlPage first;
      if (c.page2) {
        // The first page, untimed and checked too; then the second, timed.
        auto p1 = db_.list_deals(c.filter, c.options);
        first = run_list(prepare_list(ref_, c.filter, c.options, nullptr));
        s.mismatch = compare_page(p1, first, c.options.ids_only);
        if (!s.mismatch.empty()) s.mismatch = "first page: " + s.mismatch;
        c.options.cursor = p1.next_cursor;
        if (!first.rows.empty()) after = &first.rows.back();
      }
      s.what = describe(c.filter) + " " + describe(c.options);
      SqlList l = prepare_list(ref_, c.filter, c.options, after);
      // Both sides fill a page whose strings live in one buffer: dealcore's
      // list_deal_views, SQLite's rows read into one buffer (run_list's
      // in_one_buffer); unless the question asks for list_deals' Deals, to
      // which SQLite's side answers with a std::string a field.
      dc::DealPage page;
      dc::DealViewPage views;
      SqlPage want;
      if (c.deals)
        timed_pair(
            dc_first, s, [&] { page = db_.list_deals(c.filter, c.options); }, [&] { want = run_list(l); });
      else
        timed_pair(
            dc_first, s, [&] { views = db_.list_deal_views(c.filter, c.options); },
            [&] { want = run_list(l, true); });
      if (!c.deals) {
        page = as_deal_page(std::move(views));
        materialize(want);
      }
      if (s.mismatch.empty()) s.mismatch = compare_page(page, want, c.options.ids_only);
      s.hits = static_cast<std::int64_t>(page.ids.size());
      return s;
    };
    q.matches = [this, make](int i) {
      ListCase c = make(i);
      Sql w = where_of(c.filter);
      Stmt &s = ref_.prep("SELECT COUNT(*) FROM deals d WHERE " + w.where);
      s.bind_all(w.binds);
      s.step();
      auto n = s.i64(0);
      sqlite3_reset(s.raw());
      return n;
    };
    questions.push_back(std::move(q));
  }

  struct BoardCase {
    Id pipeline = 0;
    dc::BoardFilter filter;
  };

  // totals: dealcore answers with board_totals (counts and sums by stage
  // id, no names), as SQLite's GROUP BY does; else with the whole Board.
  void board(const std::string &name, std::function<BoardCase(int)> make, bool totals = false) {
    Question q;
    q.name = name;
    q.kind = "board";
    q.run = [this, make, totals](int i, bool dc_first) {
      BoardCase c = make(i);
      if (totals) c.filter.cards_per_stage = 0;  // what board_totals answers
      Sample s;
      dc::DealFilter f;
      f.pipelines = {c.pipeline};
      f.owners = c.filter.owners;
      f.departments = c.filter.departments;
      f.tags_any = c.filter.tags_any;
      s.what = "board pipeline=" + std::to_string(c.pipeline) + " " + describe(f) +
               " cards_per_stage=" + std::to_string(c.filter.cards_per_stage);
      Sql w = where_of(f);
      Stmt &sums = ref_.prep("SELECT d.stage_id, d.currency, COUNT(*), SUM(d.amount) FROM deals d WHERE " + w.where +
                             " GROUP BY d.stage_id, d.currency");
      const auto &stages = cat_.stages.at(c.pipeline);
      std::vector<SqlList> cards;
      if (c.filter.cards_per_stage > 0) {
        for (Id st : stages) {
          dc::DealFilter cf = f;
          cf.stages = {st};
          dc::ListOptions o;
          o.limit = c.filter.cards_per_stage;
          cards.push_back(prepare_list(ref_, cf, o, nullptr));
        }
      }
      struct Col {
        std::int64_t count = 0;
        std::vector<dc::Money> sums;
        SqlPage cards;
      };
      std::vector<Col> want(stages.size());
      dc::Board got;
      dc::BoardTotals got_totals;
      timed_pair(
          dc_first, s,
          [&] {
            if (totals)
              got_totals = db_.board_totals(c.pipeline, c.filter);
            else
              got = db_.board(c.pipeline, c.filter);
          },
          [&] {
            sums.bind_all(w.binds);
            std::size_t k = 0;
            while (sums.step()) {
              Id st = sums.i64(0);
              while (k < stages.size() && stages[k] != st) ++k;  // both in stage order
              if (k == stages.size()) throw std::runtime_error("stage order of the reference is off");
              want[k].count += sums.i64(2);
              want[k].sums.push_back({sums.i64(3), sums.text(1)});
            }
            for (std::size_t j = 0; j < cards.size(); ++j) want[j].cards = run_list(cards[j]);
          });
      // The totals checked as the board's columns they stand for.
      for (const auto &col : got_totals.columns) {
        auto &g = got.columns.emplace_back();
        g.stage.id = col.stage_id;
        g.count = col.count;
        auto sums = got_totals.sums_of(col);
        g.sums.assign(sums.begin(), sums.end());
      }
      // Stage ids grow with position here, so GROUP BY order is board order;
      // the loop above fails loudly if that ever stops being true.
      if (got.columns.size() != stages.size()) {
        s.mismatch = "expected " + std::to_string(stages.size()) + " columns, got " + std::to_string(got.columns.size());
        return s;
      }
      for (std::size_t k = 0; k < stages.size() && s.mismatch.empty(); ++k) {
        const auto &col = got.columns[k];
        std::string at = "column " + std::to_string(k) + " (stage " + std::to_string(stages[k]) + "): ";
        if (col.stage.id != stages[k]) {
          s.mismatch = at + "got stage " + std::to_string(col.stage.id);
        } else if (col.count != want[k].count) {
          s.mismatch = at + "count expected " + std::to_string(want[k].count) + ", got " + std::to_string(col.count);
        } else if (col.sums != want[k].sums) {
          auto money = [](const std::vector<dc::Money> &v) {
            std::string m = "[";
            for (const auto &x : v) m += (m.size() > 1 ? ", " : "") + std::to_string(x.minor) + " " + x.currency;
            return m + "]";
          };
          s.mismatch = at + "sums expected " + money(want[k].sums) + ", got " + money(col.sums);
        } else if (c.filter.cards_per_stage > 0) {
          auto m = compare_items(col.cards, want[k].cards.rows);
          if (m.empty() && want[k].cards.more == col.next_cursor.empty())
            m = std::string("next_cursor ") + (col.next_cursor.empty() ? "empty" : "set") + " but the column has " +
                (want[k].cards.more ? "more" : "no more") + " deals";
          if (!m.empty()) s.mismatch = at + "cards: " + m;
        } else if (!col.cards.empty()) {
          s.mismatch = at + "cards_per_stage=0 but got " + std::to_string(col.cards.size()) + " cards";
        }
      }
      for (const auto &col : got.columns) s.hits += col.count;
      return s;
    };
    questions.push_back(std::move(q));
  }

  enum class LookupKind { phone_exact, phone_suffix, email };
  struct LookupCase {
    LookupKind kind;
    std::string input;  // what the host passes to dealcore
    std::string key;    // the reference's key (E.164, digit suffix, e-mail as given)
  };

  void lookup(const std::string &name, std::function<LookupCase(int)> make) {
    Question q;
    q.name = name;
    q.kind = "lookup";
    q.run = [this, make](int i, bool dc_first) {
      LookupCase c = make(i);
      Sample s;
      s.what = "lookup \"" + c.input + "\"";
      const char *join_phone =
          "SELECT DISTINCT dc.deal_id FROM contact_phones p JOIN deal_contacts dc ON dc.contact_id = p.contact_id ";
      Stmt &st = c.kind == LookupKind::email
                     ? ref_.prep("SELECT DISTINCT dc.deal_id FROM contact_emails e JOIN deal_contacts dc "
                                 "ON dc.contact_id = e.contact_id WHERE e.email = ? ORDER BY dc.deal_id")
                 : c.kind == LookupKind::phone_exact
                     ? ref_.prep(std::string(join_phone) + "WHERE p.e164 = ? ORDER BY dc.deal_id")
                     : ref_.prep(std::string(join_phone) +
                                 "WHERE p.rev_digits >= ? AND p.rev_digits < ? ORDER BY dc.deal_id");
      std::vector<Id> got, want;
      timed_pair(
          dc_first, s,
          [&] {
            got = c.kind == LookupKind::email ? db_.find_deals_by_email(c.input) : db_.find_deals_by_phone(c.input);
          },
          [&] {
            // The host-side normalization SQLite needs is timed with it.
            if (c.kind == LookupKind::email) {
              st.bind(1, ascii_lower(c.key));
            } else if (c.kind == LookupKind::phone_exact) {
              std::string e164 = "+";
              for (char ch : c.key)
                if (ch >= '0' && ch <= '9') e164 += ch;
              if (e164.size() == 12 && e164[1] == '8') e164[1] = '7';
              st.bind(1, e164);
            } else {
              std::string lo(c.key.rbegin(), c.key.rend()), hi = lo;
              hi.back() = static_cast<char>(hi.back() + 1);
              st.bind(1, lo).bind(2, hi);
            }
            while (st.step()) want.push_back(st.i64(0));
          });
      // The API promises a set of deals, not an order: compare sorted.
      std::sort(got.begin(), got.end());
      if (got != want) s.mismatch = "deals expected " + ids_str(want) + ", got " + ids_str(got);
      s.hits = static_cast<std::int64_t>(got.size());
      return s;
    };
    questions.push_back(std::move(q));
  }

  // The task block of one user (H5): SQLite reads that user's open tasks in
  // due order and groups them with the same boundaries (UTC days, weeks
  // from Monday), counting every task and listing per_group_limit a group.
  void task_block(const std::string &name) {
    Question q;
    q.name = name;
    q.kind = "tasks";
    q.run = [this](int i, bool dc_first) {
      Sample s;
      dc::TaskBlockQuery tq;
      tq.user_id = cat_.task_user;
      tq.time_zone = "UTC";
      tq.now = kTaskNow + static_cast<std::int64_t>(i % 10) * 6 * 3600 * 1000LL;  // Wednesday to Saturday
      tq.per_group_limit = 50;
      s.what = "task_block user=" + std::to_string(tq.user_id) + " now=" + std::to_string(*tq.now) + " UTC";
      Stmt &st = ref_.prep("SELECT t.id, t.due_at, t.deal_id, d.name, d.stage_id FROM tasks t JOIN deals d "
                           "ON d.id = t.deal_id WHERE t.assignee_id = ? AND t.completed = 0 ORDER BY t.due_at, t.id");
      struct Item {
        Id id, deal, stage;
        std::int64_t due;
        std::string deal_name;
      };
      struct Group {
        std::int64_t count = 0;
        std::vector<Item> items;
      };
      std::vector<Group> want(5);
      dc::TaskBlock got;
      timed_pair(
          dc_first, s, [&] { got = db_.task_block(tq); },
          [&] {
            const std::int64_t now = *tq.now, day = now / kDay * kDay, tomorrow = day + kDay, after = day + 2 * kDay;
            const std::int64_t days = now / kDay, monday = days - ((days + 3) % 7 + 7) % 7;
            const std::int64_t next_week = (monday + 7) * kDay;
            st.bind(1, tq.user_id);
            while (st.step()) {
              std::int64_t due = st.i64(1);
              int g = due < now ? 0 : due < tomorrow ? 1 : due < after ? 2 : due < next_week ? 3 : 4;
              auto &grp = want[static_cast<std::size_t>(g)];
              ++grp.count;
              if (grp.items.size() < static_cast<std::size_t>(tq.per_group_limit))
                grp.items.push_back({st.i64(0), st.i64(2), st.i64(4), due, st.text(3)});
            }
          });
      if (got.groups.size() != 5) {
        s.mismatch = "expected 5 groups, got " + std::to_string(got.groups.size());
        return s;
      }
      for (std::size_t g = 0; g < 5 && s.mismatch.empty(); ++g) {
        const auto &gg = got.groups[g];
        const auto &w = want[g];
        std::string at = "group " + std::to_string(g) + ": ";
        s.hits += gg.count;
        if (static_cast<int>(gg.group) != static_cast<int>(g)) s.mismatch = at + "wrong group kind";
        else if (gg.count != w.count)
          s.mismatch = at + "count expected " + std::to_string(w.count) + ", got " + std::to_string(gg.count);
        else if (gg.items.size() != w.items.size())
          s.mismatch = at + "items expected " + std::to_string(w.items.size()) + ", got " + std::to_string(gg.items.size());
        else
          for (std::size_t k = 0; k < w.items.size() && s.mismatch.empty(); ++k) {
            const auto &a = gg.items[k];
            const auto &b = w.items[k];
            if (a.task.id != b.id || a.task.due_at != b.due || a.task.deal_id != b.deal || a.stage_id != b.stage ||
                a.deal_name != b.deal_name)
              s.mismatch = at + "item " + std::to_string(k) + ": expected task " + std::to_string(b.id) + " due " +
                           std::to_string(b.due) + " deal " + std::to_string(b.deal) + ", got task " +
                           std::to_string(a.task.id) + " due " + std::to_string(a.task.due_at) + " deal " +
                           std::to_string(a.task.deal_id) + " \"" + a.deal_name + "\"";
          }
      }
      return s;
    };
    questions.push_back(std::move(q));
  }

  // The first timeline page of the deal with 10,000 comments (H1); SQLite:
  // the same event log, WHERE deal_id = ? ORDER BY seq DESC on (deal_id, seq).
  void timeline(const std::string &name, int limit) {
    Question q;
    q.name = name;
    q.kind = "timeline";
    q.run = [this, limit](int, bool dc_first) {
      Sample s;
      dc::TimelineQuery tq;
      tq.limit = limit;
      Id deal = cat_.timeline_deal;
      s.what = "timeline deal=" + std::to_string(deal) + " limit=" + std::to_string(limit);
      Stmt &st = ref_.prep("SELECT seq, at, actor_id, kind, payload FROM events WHERE deal_id = ? "
                           "ORDER BY seq DESC LIMIT ?");
      dc::TimelinePage got;
      std::vector<dc::TimelineEntry> want;
      timed_pair(
          dc_first, s, [&] { got = db_.timeline(deal, tq); },
          [&] {
            st.bind(1, deal).bind(2, static_cast<std::int64_t>(limit));
            while (st.step()) {
              dc::TimelineEntry e;
              e.seq = st.i64(0);
              e.at = st.i64(1);
              e.actor_id = st.i64(2);
              e.kind = st.text(3);
              e.payload = st.text(4);
              want.push_back(std::move(e));
            }
          });
      if (!got.pinned.empty()) s.mismatch = "expected no pinned events, got " + std::to_string(got.pinned.size());
      else if (got.items.size() != want.size())
        s.mismatch = "expected " + std::to_string(want.size()) + " events, got " + std::to_string(got.items.size());
      for (std::size_t k = 0; k < want.size() && s.mismatch.empty(); ++k) {
        const auto &a = got.items[k];
        const auto &b = want[k];
        if (a.seq != b.seq || a.at != b.at || a.actor_id != b.actor_id || a.kind != b.kind || a.payload != b.payload)
          s.mismatch = "event " + std::to_string(k) + ": expected seq " + std::to_string(b.seq) + " " + b.kind + " " +
                       b.payload + ", got seq " + std::to_string(a.seq) + " " + a.kind + " " + a.payload;
      }
      if (s.mismatch.empty() && got.next_cursor.empty()) s.mismatch = "next_cursor empty on a 10,000-event deal";
      s.hits = static_cast<std::int64_t>(got.items.size());
      return s;
    };
    questions.push_back(std::move(q));
  }

  void build() {
    using dc::SortField;
    using dc::StageKind;
    auto newest = [] {
      dc::ListOptions o;
      o.sort = SortField::updated;
      o.descending = true;
      return o;
    };
    auto sorted = [](SortField f, bool desc) {
      dc::ListOptions o;
      o.sort = f;
      o.descending = desc;
      return o;
    };
    auto has_owner = [](const Anchor &a) { return a.row.owner_id != 0; };

    // ---- lists: each filter alone, then combinations ----
    list("pipeline_newest50", [=, this](int i) {
      ListCase c;
      c.filter.pipelines = {pipeline(static_cast<std::uint64_t>(i))};
      c.options = newest();
      return c;
    });
    // The same question through list_deals: Deals with a std::string a
    // field, against SQLite's rows read the same way.
    list("pipeline_newest50_deals", [=, this](int i) {
      ListCase c;
      c.filter.pipelines = {pipeline(static_cast<std::uint64_t>(i))};
      c.options = newest();
      c.deals = true;
      return c;
    });
    list("owner_newest50", [=, this](int i) {
      ListCase c;
      c.filter.owners = {anchor(i, 2, has_owner).row.owner_id};
      c.options = newest();
      return c;
    });
    list("owner_newest50_ids_only", [=, this](int i) {
      ListCase c;
      c.filter.owners = {anchor(i, 2, has_owner).row.owner_id};
      c.options = newest();
      c.options.ids_only = true;
      return c;
    });
    list("tag_newest50", [=, this](int i) {
      ListCase c;  // every popularity rank in turn: broad and rare tags
      c.filter.tags_any = {popular_tag(static_cast<std::size_t>(i * 37) % cat_.tags_by_popularity.size())};
      c.options = newest();
      return c;
    });
    list("pipeline_tag_owner_newest50", [=, this](int i) {
      Anchor a = anchor(i, 4, [](const Anchor &x) { return x.row.owner_id != 0 && !x.tags.empty(); });
      ListCase c;
      c.filter.pipelines = {a.row.pipeline_id};
      c.filter.tags_any = {a.tags[static_cast<std::size_t>(i) % a.tags.size()]};
      c.filter.owners = {a.row.owner_id};
      c.options = newest();
      return c;
    });
    list("pipeline_stage_amount_desc", [=, this](int i) {
      Anchor a = anchor(i, 5);
      ListCase c;
      c.filter.pipelines = {a.row.pipeline_id};
      c.filter.stages = {a.row.stage_id};
      c.options = sorted(SortField::amount, true);
      return c;
    });
    list("won_created_30d", [=, this](int i) {
      ListCase c;
      c.filter.kinds = {StageKind::won};
      std::int64_t from = kEpochStart + static_cast<std::int64_t>(mix(static_cast<std::uint64_t>(i), 6) %
                                                                  static_cast<std::uint64_t>(kSpan - 30 * kDay));
      c.filter.created_from = from;
      c.filter.created_to = from + 30 * kDay;
      c.options = sorted(SortField::created, true);
      return c;
    });
    list("text_newest50", [=, this](int i) {
      ListCase c;
      const auto &terms = text_terms();
      c.filter.text = terms[static_cast<std::size_t>(i) % terms.size()];
      c.options = newest();
      return c;
    });
    list("pipeline_text_newest50", [=, this](int i) {
      Anchor a = anchor(i, 8);
      ListCase c;
      c.filter.pipelines = {a.row.pipeline_id};
      // The client's brand ("Ветер-17" of ООО «Северный Ветер-17»): rare.
      const std::string &n = a.row.client_name;
      auto close = n.rfind("»");
      auto space = n.rfind(' ', close);
      c.filter.text = n.substr(space + 1, close - space - 1);
      c.options = newest();
      return c;
    });
    list("amount_range_currency_asc", [=, this](int i) {
      ListCase c;
      static const char *cur[] = {"RUB", "USD", "EUR"};
      c.filter.currency = cur[i % 3];
      double lo = i % 3 == 0 ? 1e6 : 1e4, hi = i % 3 == 0 ? 1e9 : 1e7;  // minor units
      double u = static_cast<double>(mix(static_cast<std::uint64_t>(i), 9) % 1000000) / 1e6;
      auto base = static_cast<std::int64_t>(lo * std::pow(hi / lo, u));
      c.filter.amount_min = base;
      c.filter.amount_max = base + base / 4;
      c.options = sorted(SortField::amount, false);
      return c;
    });
    list("department_tags_all_newest50", [=, this](int i) {
      Anchor a = anchor(i, 10, [](const Anchor &x) { return x.row.department_id != 0; });
      ListCase c;
      c.filter.departments = {a.row.department_id};
      c.filter.tags_all = {popular_tag(static_cast<std::size_t>(i % 4)), popular_tag(4 + static_cast<std::size_t>(i % 6))};
      c.options = newest();
      return c;
    });
    list("open_tags_none_oldest50", [=, this](int i) {
      ListCase c;
      c.filter.kinds = {StageKind::open};
      c.filter.tags_none = {popular_tag(static_cast<std::size_t>(i % 5)), popular_tag(5 + static_cast<std::size_t>(i % 5))};
      c.options = sorted(SortField::created, false);
      return c;
    });
    list("client_newest50", [=, this](int i) {
      ListCase c;
      c.filter.client_refs = {anchor(i, 12).row.client_ref};
      c.options = newest();
      return c;
    });
    list("segment_pipeline_by_name", [=, this](int i) {
      ListCase c;
      c.filter.segments = {segments()[static_cast<std::size_t>(i) % (segments().size() - 1)]};
      c.filter.pipelines = {pipeline(static_cast<std::uint64_t>(i) * 3)};
      c.options = sorted(SortField::name, false);
      return c;
    });
    list("open_department_by_name_desc", [=, this](int i) {
      ListCase c;
      c.filter.kinds = {StageKind::open};
      c.filter.departments = {cat_.departments[static_cast<std::size_t>(i) % cat_.departments.size()]};
      c.options = sorted(SortField::name, true);
      return c;
    });
    list("pipeline_newest_page2", [=, this](int i) {
      ListCase c;
      c.filter.pipelines = {pipeline(static_cast<std::uint64_t>(i) + 7)};
      c.options = newest();
      c.page2 = true;
      return c;
    });
    list("owners3_open_amount_desc", [=, this](int i) {
      ListCase c;
      for (std::uint64_t k = 0; c.filter.owners.size() < 3; ++k) {
        Id o = anchor(i, 15 + k * 1000, has_owner).row.owner_id;
        if (std::find(c.filter.owners.begin(), c.filter.owners.end(), o) == c.filter.owners.end())
          c.filter.owners.push_back(o);
      }
      c.filter.kinds = {StageKind::open};
      c.options = sorted(SortField::amount, true);
      return c;
    });
    list("pipeline_updated7d_by_stage", [=, this](int i) {
      ListCase c;
      c.filter.pipelines = {pipeline(static_cast<std::uint64_t>(i) * 11)};
      std::int64_t from = kEpochEnd - 7 * kDay * static_cast<std::int64_t>(1 + mix(static_cast<std::uint64_t>(i), 16) % 100);
      c.filter.updated_from = from;
      c.filter.updated_to = from + 7 * kDay;
      c.options = sorted(SortField::stage, false);
      return c;
    });
    list("pipeline_owner_with_total", [=, this](int i) {
      Anchor a = anchor(i, 17, has_owner);
      ListCase c;
      c.filter.pipelines = {a.row.pipeline_id};
      c.filter.owners = {a.row.owner_id};
      c.options = newest();
      c.options.with_total = true;
      return c;
    });
    list("phone_filter_newest50", [=, this](int i) {
      ListCase c;
      c.filter.phone = anchor(i, 18, [](const Anchor &x) { return !x.phone.empty(); }).phone;
      c.options = newest();
      return c;
    });
    list("all_newest50", [=](int) {
      ListCase c;
      c.options = newest();
      return c;
    });

    // ---- tasks (issue 3) ----
    list("pipeline_owner_no_open_tasks_newest50", [=, this](int i) {
      Anchor a = anchor(i, 40, has_owner);
      ListCase c;
      c.filter.pipelines = {a.row.pipeline_id};
      c.filter.owners = {a.row.owner_id};
      c.filter.has_open_tasks = false;
      c.options = newest();
      return c;
    });
    list("owner_overdue_newest50", [=, this](int i) {
      ListCase c;
      c.filter.owners = {anchor(i, 41, has_owner).row.owner_id};
      c.filter.has_overdue_task = true;
      c.options = newest();
      return c;
    });
    list("owner_open_by_next_due", [=, this](int i) {
      ListCase c;
      c.filter.owners = {anchor(i, 42, has_owner).row.owner_id};
      c.filter.kinds = {StageKind::open};
      c.options = sorted(SortField::next_task_due, false);
      return c;
    });
    list("owner_task_due_today_newest50", [=, this](int i) {
      ListCase c;
      c.filter.owners = {anchor(i, 43, has_owner).row.owner_id};
      std::int64_t day = (kTaskNow / kDay + i % 7) * kDay;
      c.filter.task_due_from = day;
      c.filter.task_due_to = day + kDay;
      c.options = newest();
      return c;
    });
    task_block("task_block_user1000");
    timeline("timeline_10k_first50", 50);

    // ---- the kanban: counts and sums per stage (cards_per_stage = 0) ----
    board("kanban_pipeline", [=, this](int i) {
      BoardCase c;
      c.pipeline = pipeline(static_cast<std::uint64_t>(i));
      c.filter.cards_per_stage = 0;
      return c;
    });
    board("kanban_pipeline_owner", [=, this](int i) {
      Anchor a = anchor(i, 21, has_owner);
      BoardCase c;
      c.pipeline = a.row.pipeline_id;
      c.filter.owners = {a.row.owner_id};
      c.filter.cards_per_stage = 0;
      return c;
    });
    board("kanban_pipeline_department", [=, this](int i) {
      BoardCase c;
      c.pipeline = pipeline(static_cast<std::uint64_t>(i) * 3);
      c.filter.departments = {cat_.departments[static_cast<std::size_t>(i * 7) % cat_.departments.size()]};
      c.filter.cards_per_stage = 0;
      return c;
    });
    // The same three as board_totals: the refresh after a change, when the
    // host shows the stages already.
    board(
        "kanban_totals_pipeline",
        [=, this](int i) {
          BoardCase c;
          c.pipeline = pipeline(static_cast<std::uint64_t>(i));
          return c;
        },
        true);
    board(
        "kanban_totals_owner",
        [=, this](int i) {
          Anchor a = anchor(i, 21, has_owner);
          BoardCase c;
          c.pipeline = a.row.pipeline_id;
          c.filter.owners = {a.row.owner_id};
          return c;
        },
        true);
    board(
        "kanban_totals_department",
        [=, this](int i) {
          BoardCase c;
          c.pipeline = pipeline(static_cast<std::uint64_t>(i) * 3);
          c.filter.departments = {cat_.departments[static_cast<std::size_t>(i * 7) % cat_.departments.size()]};
          return c;
        },
        true);
    board("kanban_pipeline_cards20", [=, this](int i) {
      BoardCase c;
      c.pipeline = pipeline(static_cast<std::uint64_t>(i) * 7);
      c.filter.cards_per_stage = 20;
      return c;
    });

    // ---- lookups ----
    auto phone_anchor = [this](int i, std::uint64_t salt) {
      return anchor(i, salt, [](const Anchor &x) { return !x.phone.empty(); });
    };
    lookup("lookup_phone_e164", [=](int i) {
      auto p = phone_anchor(i, 30).phone;
      return LookupCase{LookupKind::phone_exact, p, p};
    });
    lookup("lookup_phone_national", [=](int i) {
      auto p = phone_anchor(i, 31).phone;  // +79123456789 -> 8 (912) 345-67-89
      std::string n = "8 (" + p.substr(2, 3) + ") " + p.substr(5, 3) + "-" + p.substr(8, 2) + "-" + p.substr(10, 2);
      return LookupCase{LookupKind::phone_exact, n, n};
    });
    lookup("lookup_phone_last7", [=](int i) {
      auto p = phone_anchor(i, 32).phone;
      auto tail = p.substr(p.size() - 7);
      return LookupCase{LookupKind::phone_suffix, tail, tail};
    });
    lookup("lookup_email", [=, this](int i) {
      auto e = anchor(i, 33, [](const Anchor &x) { return !x.email.empty(); }).email;
      std::string mixed = e;  // as a user types it: capitals somewhere
      for (std::size_t k = 0; k < mixed.size(); k += 3)
        mixed[k] = static_cast<char>(std::toupper(static_cast<unsigned char>(mixed[k])));
      return LookupCase{LookupKind::email, mixed, mixed};
    });
  }
};

std::string fmt_num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
  return buf;
}

}  // namespace

RunResult run_questions(const dc::Database &db, Db &ref_db, const RunConfig &cfg) {
  Reference ref(ref_db, cfg.explain);
  Mix mix_(db, ref);
  RunResult res;
  for (auto &q : mix_.questions) {
    if (!cfg.only.empty() && std::find(cfg.only.begin(), cfg.only.end(), q.name) == cfg.only.end()) continue;
    ++res.questions;
    std::vector<double> dc_us, sql_us, dc_cpu, sql_cpu;
    double hits = 0, matches = 0;
    int n_matches = 0, mismatches = 0;
    // What happened during dealcore's calls: faults in all of them, and the
    // slowest call with its own faults and preemptions (what explains a p99).
    long dc_minflt = 0;
    Sample slowest;
    try {
      for (int i = 0; i < cfg.warmup + cfg.iters; ++i) {
        Sample s = q.run(i, i % 2 == 0);
        if (!s.mismatch.empty()) {
          if (++mismatches <= 3)
            std::fprintf(stderr, "MISMATCH %s iteration %d: %s\n  filter: %s\n", q.name.c_str(), i,
                         s.mismatch.c_str(), s.what.c_str());
        }
        if (i < cfg.warmup) continue;
        dc_us.push_back(s.dc_us);
        sql_us.push_back(s.sql_us);
        dc_cpu.push_back(s.dc_cpu_us);
        dc_minflt += s.dc_events.minflt + s.dc_events.majflt;
        if (s.dc_us > slowest.dc_us) slowest = s;
        sql_cpu.push_back(s.sql_cpu_us);
        hits += static_cast<double>(s.hits);
        if (q.matches && n_matches < 10) {
          matches += static_cast<double>(q.matches(i));
          ++n_matches;
        }
      }
    } catch (const std::exception &e) {
      std::fprintf(stderr, "ERROR %s: %s\n", q.name.c_str(), e.what());
      ++res.errors;
      continue;
    }
    res.mismatches += mismatches;
    double d50 = percentile(dc_us, 50), d99 = percentile(dc_us, 99);
    double s50 = percentile(sql_us, 50), s99 = percentile(sql_us, 99);
    std::string line = "{\"q\":" + json_str(q.name) + ",\"kind\":" + json_str(q.kind) +
                       ",\"n_deals\":" + std::to_string(cfg.n_deals) + ",\"iters\":" + std::to_string(cfg.iters) +
                       ",\"dealcore_p50_us\":" + fmt_num(d50) + ",\"dealcore_p99_us\":" + fmt_num(d99) +
                       ",\"sqlite_p50_us\":" + fmt_num(s50) + ",\"sqlite_p99_us\":" + fmt_num(s99) +
                       ",\"ratio_p50\":" + fmt_num(d50 > 0 ? s50 / d50 : 0) +
                       ",\"ratio_p99\":" + fmt_num(d99 > 0 ? s99 / d99 : 0) +
                       ",\"dealcore_cpu_p50_us\":" + fmt_num(percentile(dc_cpu, 50)) +
                       ",\"dealcore_cpu_p99_us\":" + fmt_num(percentile(dc_cpu, 99)) +
                       ",\"sqlite_cpu_p50_us\":" + fmt_num(percentile(sql_cpu, 50)) +
                       ",\"sqlite_cpu_p99_us\":" + fmt_num(percentile(sql_cpu, 99)) +
                       ",\"dealcore_faults\":" + std::to_string(dc_minflt) +
                       ",\"dealcore_slowest_us\":" + fmt_num(slowest.dc_us) +
                       ",\"dealcore_slowest_cpu_us\":" + fmt_num(slowest.dc_cpu_us) +
                       ",\"dealcore_slowest_faults\":" +
                       std::to_string(slowest.dc_events.minflt + slowest.dc_events.majflt) +
                       ",\"dealcore_slowest_preempted\":" + std::to_string(slowest.dc_events.nivcsw) +
                       // SQLite's call just before it, if it ran first (0 if not).
                       ",\"dealcore_slowest_after_sqlite_us\":" + fmt_num(slowest.dc_first ? 0 : slowest.sql_us) +
                       ",\"hits\":" + fmt_num(cfg.iters ? hits / cfg.iters : 0);
    if (n_matches) line += ",\"matches\":" + fmt_num(matches / n_matches);
    line += ",\"mismatches\":" + std::to_string(mismatches) + ",\"load1\":" + fmt_num(load_average()) + "}";
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }
  return res;
}

}  // namespace bench

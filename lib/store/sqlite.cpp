#include "store/sqlite.hpp"

#include <string>

#include "dealcore/error.hpp"

namespace dealcore::store {

void throw_sqlite(sqlite3 *db, int rc, std::string_view what) {
  Errc code = Errc::internal;
  switch (rc & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: code = Errc::busy; break;
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT: code = Errc::io; break;
    case SQLITE_NOMEM: code = Errc::no_memory; break;
    case SQLITE_CONSTRAINT: code = Errc::constraint; break;
    default: break;
  }
  std::string msg(what);
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw Error(code, msg);
}

Stmt::Stmt(sqlite3 *db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &s_,
                              nullptr);
  if (rc != SQLITE_OK) throw_sqlite(db, rc, "prepare");
}

Stmt &Stmt::operator=(Stmt &&o) noexcept {
  if (this != &o) {
    sqlite3_finalize(s_);
    db_ = o.db_;
    s_ = o.s_;
    o.s_ = nullptr;
  }
  return *this;
}

Stmt::~Stmt() { sqlite3_finalize(s_); }

Stmt &Stmt::bind(int i, std::int64_t v) {
  int rc = sqlite3_bind_int64(s_, i, v);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, "bind");
  return *this;
}

Stmt &Stmt::bind(int i, std::string_view v) {
  int rc = sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, "bind");
  return *this;
}

Stmt &Stmt::bind_null(int i) {
  int rc = sqlite3_bind_null(s_, i);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, "bind");
  return *this;
}

bool Stmt::step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(s_);
  throw_sqlite(db_, rc, "step");
}

void Stmt::run() {
  while (step()) {
  }
  reset();
}

void Stmt::reset() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

std::string Stmt::text(int col) const {
  const auto *p = sqlite3_column_text(s_, col);
  if (!p) return {};
  return std::string(reinterpret_cast<const char *>(p), static_cast<std::size_t>(sqlite3_column_bytes(s_, col)));
}

Connection::Connection(const std::string &path, bool create, int busy_timeout_ms) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "cannot open '" + path + "': " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw Error(rc == SQLITE_NOMEM ? Errc::no_memory : Errc::io, msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_ms);
}

Connection::~Connection() {
  cache_.clear();
  sqlite3_close_v2(db_);
}

void Connection::exec(std::string_view sql) {
  std::string s(sql);
  char *err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : "exec";
    sqlite3_free(err);
    throw_sqlite(nullptr, rc, msg);
  }
}

Stmt &Connection::prepare(const char *sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) it = cache_.emplace(sql, Stmt(db_, sql)).first;
  it->second.reset();
  return it->second;
}

Txn::Txn(Connection &c) : c_(c) { c_.exec("BEGIN IMMEDIATE"); }

Txn::~Txn() {
  if (!done_) sqlite3_exec(c_.raw(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Txn::commit() {
  c_.exec("COMMIT");
  done_ = true;
}

ReadTxn::ReadTxn(Connection &c) : c_(c) { c_.exec("BEGIN"); }

ReadTxn::~ReadTxn() {
  // A read transaction has nothing to commit; should COMMIT fail anyway,
  // ROLLBACK ends it, so that the next write's BEGIN IMMEDIATE works.
  if (sqlite3_exec(c_.raw(), "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
    sqlite3_exec(c_.raw(), "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace dealcore::store

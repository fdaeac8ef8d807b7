// bench/sqlite_db.hpp — a thin RAII wrapper over the sqlite3 C API for the
// reference database. It throws std::runtime_error on any SQLite error; the
// benchmark has no use for recovering from one.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace bench {

using Value = std::variant<std::int64_t, std::string>;

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3 *db, const std::string &sql) : db_(db) {
    if (sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &s_,
                           nullptr) != SQLITE_OK)
      throw std::runtime_error("prepare: " + std::string(sqlite3_errmsg(db)) + " in: " + sql);
  }
  Stmt(const Stmt &) = delete;
  Stmt &operator=(const Stmt &) = delete;
  Stmt(Stmt &&o) noexcept : db_(o.db_), s_(o.s_) { o.s_ = nullptr; }
  Stmt &operator=(Stmt &&o) noexcept {
    std::swap(db_, o.db_);
    std::swap(s_, o.s_);
    return *this;
  }
  ~Stmt() { sqlite3_finalize(s_); }

  Stmt &bind(int i, std::int64_t v) {
    check(sqlite3_bind_int64(s_, i, v));
    return *this;
  }
  Stmt &bind(int i, const std::string &v) {
    check(sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Stmt &bind(int i, const Value &v) {
    if (auto *p = std::get_if<std::int64_t>(&v)) return bind(i, *p);
    return bind(i, std::get<std::string>(v));
  }
  Stmt &bind_all(const std::vector<Value> &vs, int first = 1) {
    for (std::size_t k = 0; k < vs.size(); ++k) bind(first + static_cast<int>(k), vs[k]);
    return *this;
  }
  // true: a row is ready; false: done (and the statement is reset).
  bool step() {
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) {
      sqlite3_reset(s_);
      return false;
    }
    std::string msg = sqlite3_errmsg(db_);
    sqlite3_reset(s_);
    throw std::runtime_error("step: " + msg);
  }
  void run() {
    while (step()) {
    }
  }
  void reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  std::int64_t i64(int c) const { return sqlite3_column_int64(s_, c); }
  std::string text(int c) const {
    auto *p = reinterpret_cast<const char *>(sqlite3_column_text(s_, c));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, c))) : std::string();
  }
  sqlite3_stmt *raw() const { return s_; }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) throw std::runtime_error("bind: " + std::string(sqlite3_errmsg(db_)));
  }
  sqlite3 *db_ = nullptr;
  sqlite3_stmt *s_ = nullptr;
};

class Db {
 public:
  Db() = default;
  Db(const std::string &path, bool create) {
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw std::runtime_error("open " + path + ": " + msg);
    }
  }
  Db(const Db &) = delete;
  Db &operator=(const Db &) = delete;
  Db(Db &&o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Db &operator=(Db &&o) noexcept {
    std::swap(db_, o.db_);
    return *this;
  }
  ~Db() { sqlite3_close_v2(db_); }

  void exec(const std::string &sql) {
    char *err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error("exec: " + msg + " in: " + sql.substr(0, 200));
    }
  }
  std::int64_t scalar(const std::string &sql) {
    Stmt s(db_, sql);
    std::int64_t v = s.step() ? s.i64(0) : 0;
    s.reset();
    return v;
  }
  sqlite3 *raw() const { return db_; }
  explicit operator bool() const { return db_ != nullptr; }

 private:
  sqlite3 *db_ = nullptr;
};

}  // namespace bench

// store/sqlite.hpp — a thin RAII layer over the SQLite C API: a connection,
// prepared statements and transactions, with SQLite's result codes mapped to
// dealcore::Errc (SQLITE_BUSY -> busy, SQLITE_FULL/IOERR -> io, ...).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace dealcore::store {

// Throws dealcore::Error for a non-OK SQLite result code.
[[noreturn]] void throw_sqlite(sqlite3 *db, int rc, std::string_view what);

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3 *db, std::string_view sql);
  Stmt(Stmt &&o) noexcept : db_(o.db_), s_(o.s_) { o.s_ = nullptr; }
  Stmt &operator=(Stmt &&o) noexcept;
  ~Stmt();

  Stmt &bind(int i, std::int64_t v);
  Stmt &bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Stmt &bind(int i, std::string_view v);
  Stmt &bind(int i, const std::string &v) { return bind(i, std::string_view(v)); }
  Stmt &bind(int i, const char *v) { return bind(i, std::string_view(v)); }
  Stmt &bind_null(int i);
  Stmt &bind_id(int i, std::int64_t id) { return id ? bind(i, id) : bind_null(i); }  // 0 -> NULL
  Stmt &bind_opt(int i, const std::optional<int> &v) { return v ? bind(i, *v) : bind_null(i); }
  Stmt &bind_ref(int i, const std::string &ref) { return ref.empty() ? bind_null(i) : bind(i, ref); }

  bool step();  // true: a row is ready; false: done. Resets bindings on done? no: call reset().
  void run();   // step to completion, then reset
  void reset();

  std::int64_t i64(int col) const { return sqlite3_column_int64(s_, col); }
  int i32(int col) const { return sqlite3_column_int(s_, col); }
  bool is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  std::optional<int> opt_int(int col) const {
    return is_null(col) ? std::nullopt : std::optional<int>(i32(col));
  }
  std::string text(int col) const;

 private:
  sqlite3 *db_ = nullptr;
  sqlite3_stmt *s_ = nullptr;
};

class Connection {
 public:
  Connection(const std::string &path, bool create, int busy_timeout_ms);
  Connection(const Connection &) = delete;
  Connection &operator=(const Connection &) = delete;
  ~Connection();

  sqlite3 *raw() const { return db_; }
  void exec(std::string_view sql);
  // A cached prepared statement, reset and ready for new bindings.
  Stmt &prepare(const char *sql);
  std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }

 private:
  sqlite3 *db_ = nullptr;
  std::unordered_map<const char *, Stmt> cache_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed.
class Txn {
 public:
  explicit Txn(Connection &c);
  Txn(const Txn &) = delete;
  Txn &operator=(const Txn &) = delete;
  ~Txn();
  void commit();

 private:
  Connection &c_;
  bool done_ = false;
};

// BEGIN (deferred) ... COMMIT: the reads in between see one snapshot of the
// file. Ends in the destructor.
class ReadTxn {
 public:
  explicit ReadTxn(Connection &c);
  ReadTxn(const ReadTxn &) = delete;
  ReadTxn &operator=(const ReadTxn &) = delete;
  ~ReadTxn();

 private:
  Connection &c_;
};

}  // namespace dealcore::store

// output.hpp — the two output forms of every read command: a table aligned by
// display width for a terminal, and JSON for scripts.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace cli {

enum class Align { left, right };

struct Column {
  std::string title;
  Align align = Align::left;
  int max_width = 0;  // 0: as wide as the widest cell
  int min_width = 0;  // > 0: may shrink down to this to fit the table's width
  int weight = 1;     // a column of weight 2 keeps twice the width of one of weight 1
};

// Columns separated by two spaces, a rule under the header; cells wider than
// their column are truncated with "…". With a total width, the widest
// shrinkable columns give up space first until the table fits.
class Table {
 public:
  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  void print(std::ostream &out, int total_width = 0) const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// A streaming JSON writer, indented by two spaces. Strings are escaped as
// RFC 8259 requires; UTF-8 passes through unchanged.
class Json {
 public:
  explicit Json(std::ostream &out) : out_(out) {}

  Json &begin_object();
  Json &end_object();
  Json &begin_array();
  Json &end_array();
  Json &key(std::string_view k);
  Json &value(std::string_view s);
  Json &value(const char *s) { return value(std::string_view(s)); }
  Json &value(const std::string &s) { return value(std::string_view(s)); }
  Json &value(std::int64_t v);
  Json &value(int v) { return value(static_cast<std::int64_t>(v)); }
  Json &value(bool b);
  Json &null();
  // A value written as given: a number already formatted ("2.5").
  Json &raw(std::string_view literal);

  // key(k).value(v) in one call.
  template <class T>
  Json &field(std::string_view k, const T &v) {
    key(k);
    return value(v);
  }

  static std::string escape(std::string_view s);

 private:
  void before_value();
  void newline();
  std::ostream &out_;
  struct Level {
    bool object;
    bool empty;
  };
  std::vector<Level> stack_;
  bool after_key_ = false;
};

}  // namespace cli

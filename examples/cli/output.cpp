#include "output.hpp"

#include <algorithm>
#include <ostream>

#include <fmt/format.h>

#include "text.hpp"

namespace cli {

void Table::print(std::ostream &out, int total_width) const {
  std::vector<int> widths;
  for (const Column &c : columns_) widths.push_back(display_width(c.title));
  for (const auto &row : rows_)
    for (std::size_t i = 0; i < row.size() && i < columns_.size(); ++i)
      widths[i] = std::max(widths[i], display_width(row[i]));
  for (std::size_t i = 0; i < columns_.size(); ++i)
    if (columns_[i].max_width > 0) widths[i] = std::min(widths[i], columns_[i].max_width);
  if (total_width > 0) {
    int total = 2 * (static_cast<int>(columns_.size()) - 1);
    for (int w : widths) total += w;
    while (total > total_width) {
      std::size_t widest = columns_.size();
      for (std::size_t i = 0; i < columns_.size(); ++i)
        if (columns_[i].min_width > 0 && widths[i] > columns_[i].min_width &&
            (widest == columns_.size() ||
             widths[i] * columns_[widest].weight > widths[widest] * columns_[i].weight))
          widest = i;
      if (widest == columns_.size()) break;  // nothing left to give
      --widths[widest];
      --total;
    }
  }

  auto line = [&](const std::vector<std::string> &cells) {
    std::string s;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      const std::string cell = i < cells.size() ? cells[i] : std::string();
      if (i > 0) s += "  ";
      s += columns_[i].align == Align::right ? pad_left(cell, widths[i]) : pad_right(cell, widths[i]);
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out << s << '\n';
  };
  std::vector<std::string> titles, rules;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    titles.push_back(columns_[i].title);
    std::string rule;
    for (int k = 0; k < widths[i]; ++k) rule += "─";
    rules.push_back(rule);
  }
  line(titles);
  line(rules);
  for (const auto &row : rows_) line(row);
}

void Json::newline() {
  out_ << '\n';
  for (std::size_t i = 0; i < stack_.size(); ++i) out_ << "  ";
}

void Json::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!stack_.empty()) {
    if (!stack_.back().empty) out_ << ',';
    stack_.back().empty = false;
    newline();
  }
}

Json &Json::begin_object() {
  before_value();
  out_ << '{';
  stack_.push_back({true, true});
  return *this;
}

Json &Json::begin_array() {
  before_value();
  out_ << '[';
  stack_.push_back({false, true});
  return *this;
}

Json &Json::end_object() {
  const bool was_empty = stack_.back().empty;
  stack_.pop_back();
  if (!was_empty) newline();
  out_ << '}';
  if (stack_.empty()) out_ << '\n';
  return *this;
}

Json &Json::end_array() {
  const bool was_empty = stack_.back().empty;
  stack_.pop_back();
  if (!was_empty) newline();
  out_ << ']';
  if (stack_.empty()) out_ << '\n';
  return *this;
}

Json &Json::key(std::string_view k) {
  before_value();
  out_ << '"' << escape(k) << "\": ";
  after_key_ = true;
  return *this;
}

Json &Json::value(std::string_view s) {
  before_value();
  out_ << '"' << escape(s) << '"';
  return *this;
}

Json &Json::value(std::int64_t v) {
  before_value();
  out_ << v;
  return *this;
}

Json &Json::value(bool b) {
  before_value();
  out_ << (b ? "true" : "false");
  return *this;
}

Json &Json::raw(std::string_view literal) {
  before_value();
  out_ << literal;
  return *this;
}

Json &Json::null() {
  before_value();
  out_ << "null";
  return *this;
}

std::string Json::escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20 || u == 0x7F) out += fmt::format("\\u{:04x}", u);
        else out += ch;
    }
  }
  return out;
}

}  // namespace cli

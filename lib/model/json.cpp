#include "model/json.hpp"

#include <fmt/format.h>

namespace dealcore::model {

void append_json_string(std::string &out, std::string_view s) {
  out.push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20)
          out += fmt::format("\\u{:04x}", c);
        else
          out.push_back(ch);
    }
  }
  out.push_back('"');
}

void JsonObject::key(std::string_view k) {
  if (s_.size() > 1) s_.push_back(',');
  append_json_string(s_, k);
  s_.push_back(':');
}

JsonObject &JsonObject::num(std::string_view k, std::int64_t v) {
  key(k);
  s_ += std::to_string(v);
  return *this;
}

JsonObject &JsonObject::str(std::string_view k, std::string_view v) {
  key(k);
  append_json_string(s_, v);
  return *this;
}

JsonObject &JsonObject::boolean(std::string_view k, bool v) {
  key(k);
  s_ += v ? "true" : "false";
  return *this;
}

std::string json_ids(const std::vector<std::int64_t> &v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s.push_back(',');
    s += std::to_string(v[i]);
  }
  return s + "]";
}

JsonObject &JsonObject::ids(std::string_view k, const std::vector<std::int64_t> &v) {
  key(k);
  s_ += json_ids(v);
  return *this;
}

}  // namespace dealcore::model

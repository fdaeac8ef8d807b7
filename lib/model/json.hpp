// model/json.hpp — a minimal JSON object writer for event payloads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dealcore::model {

// Appends s to out as a JSON string literal (quotes included).
void append_json_string(std::string &out, std::string_view s);

// "[1,2,3]"
std::string json_ids(const std::vector<std::int64_t> &v);

class JsonObject {
 public:
  JsonObject &num(std::string_view key, std::int64_t v);
  JsonObject &str(std::string_view key, std::string_view v);
  JsonObject &boolean(std::string_view key, bool v);
  JsonObject &ids(std::string_view key, const std::vector<std::int64_t> &v);
  std::string done() const { return s_ + "}"; }

 private:
  void key(std::string_view k);
  std::string s_ = "{";
};

}  // namespace dealcore::model

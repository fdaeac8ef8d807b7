#include "describe.hpp"

#include <map>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "render.hpp"
#include "text.hpp"

namespace cli {

using dealcore::Id;

namespace {

// The payloads are flat JSON objects of numbers, strings, booleans and arrays
// of numbers; this reads exactly that much, and gives up on anything else.
using Value = std::variant<std::int64_t, std::string, std::vector<std::int64_t>, bool>;

bool parse_flat_object(std::string_view s, std::map<std::string, Value> &out) {
  std::size_t i = 0;
  auto ws = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r')) ++i;
  };
  auto string = [&](std::string &v) {
    if (i >= s.size() || s[i] != '"') return false;
    for (++i; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\') {
        if (++i >= s.size()) return false;
        const char e = s[i];
        if (e == 'u') {  // only control characters are written as \\u00XX
          if (i + 4 >= s.size()) return false;
          v += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 4)), nullptr, 16) & 0x7F);
          i += 4;
          continue;
        }
        v += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
      } else {
        v += s[i];
      }
    }
    return i++ < s.size();
  };
  auto number = [&](std::int64_t &v) {
    const std::size_t start = i;
    if (i < s.size() && s[i] == '-') ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
    v = std::stoll(std::string(s.substr(start, i - start)));
    return true;
  };
  ws();
  if (i >= s.size() || s[i++] != '{') return false;
  ws();
  if (i < s.size() && s[i] == '}') return true;
  while (true) {
    std::string key;
    ws();
    if (!string(key)) return false;
    ws();
    if (i >= s.size() || s[i++] != ':') return false;
    ws();
    if (i >= s.size()) return false;
    if (s[i] == '"') {
      std::string v;
      if (!string(v)) return false;
      out[key] = v;
    } else if (s[i] == '[') {
      std::vector<std::int64_t> v;
      ++i;
      ws();
      while (i < s.size() && s[i] != ']') {
        std::int64_t n;
        if (!number(n)) return false;
        v.push_back(n);
        ws();
        if (i < s.size() && s[i] == ',') ++i;
        ws();
      }
      ++i;
      out[key] = v;
    } else if (s.substr(i, 4) == "true" || s.substr(i, 5) == "false") {
      out[key] = s[i] == 't';
      i += s[i] == 't' ? 4 : 5;
    } else {
      std::int64_t n;
      if (!number(n)) return false;
      out[key] = n;
    }
    ws();
    if (i < s.size() && s[i] == ',') {
      ++i;
      continue;
    }
    return i < s.size() && s[i] == '}';
  }
}

std::string quoted(std::string_view s, int width = 60) {
  std::string flat(s);
  for (char &ch : flat)
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
  return "«" + truncate_to_width(flat, width) + "»";
}

}  // namespace

std::string describe_event(const std::string &kind, const std::string &payload, const Catalog &cat,
                           const Zone &zone, const TaskTextLookup &task_text) {
  std::map<std::string, Value> f;
  if (!parse_flat_object(payload, f)) return payload;
  auto num = [&](const char *k) {
    auto it = f.find(k);
    return it != f.end() && std::holds_alternative<std::int64_t>(it->second)
               ? std::get<std::int64_t>(it->second)
               : std::int64_t{0};
  };
  auto str = [&](const char *k) {
    auto it = f.find(k);
    return it != f.end() && std::holds_alternative<std::string>(it->second)
               ? std::get<std::string>(it->second)
               : std::string();
  };
  auto flag = [&](const char *k) {
    auto it = f.find(k);
    return it != f.end() && std::holds_alternative<bool>(it->second) && std::get<bool>(it->second);
  };
  auto idlist = [&](const char *k) {
    auto it = f.find(k);
    return it != f.end() && std::holds_alternative<std::vector<std::int64_t>>(it->second)
               ? std::get<std::vector<std::int64_t>>(it->second)
               : std::vector<std::int64_t>{};
  };
  auto tags = [&](const char *k, const char *sign) {
    std::string out;
    for (auto id : idlist(k)) out += fmt::format(" {}{}", sign, cat.tag_name(id));
    return out;
  };
  auto due = [&](dealcore::Millis at, bool all_day) {
    return all_day ? zone.format_date(at) + " (all day)" : zone.format_time(at);
  };
  auto money = [&](const char *minor, const char *currency) {
    return format_money({num(minor), str(currency).empty() ? "RUB" : str(currency)});
  };
  // "task #12 «Позвонить»": the text from the payload, else from the lookup.
  auto task = [&] {
    std::string text = str("text");
    if (text.empty() && task_text) text = task_text(num("task"));
    return text.empty() ? fmt::format("task #{}", num("task")) : fmt::format("task #{} {}", num("task"), quoted(text, 50));
  };

  if (kind == "deal.created")
    return fmt::format("«{}» in {} → {}, {}", str("name"), cat.pipeline_name(num("pipeline")),
                       cat.stage_name(num("stage")), money("amount", "currency"));
  if (kind == "deal.stage_changed") {
    std::string s = fmt::format("{} → {}", cat.stage_name(num("from_stage")), cat.stage_name(num("to_stage")));
    if (num("from_pipeline") != num("to_pipeline"))
      s += fmt::format(" ({} → {})", cat.pipeline_name(num("from_pipeline")), cat.pipeline_name(num("to_pipeline")));
    if (f.count("ms_in_previous_stage"))
      s += fmt::format(" after {}", format_duration(num("ms_in_previous_stage")));
    if (!str("lost_reason").empty()) s += ": " + str("lost_reason");
    return s;
  }
  if (kind == "deal.owner_changed")
    return fmt::format("owner {} → {}", cat.user_name(num("from")), cat.user_name(num("to")));
  if (kind == "deal.department_changed")
    return fmt::format("department {} → {}", cat.department_name(num("from")), cat.department_name(num("to")));
  if (kind == "deal.archived") return f.count("archived") && !flag("archived") ? "restored from the archive" : "archived";
  if (kind == "deal.tags_changed") {
    const std::string s = tags("added", "+") + tags("removed", "−");
    return s.empty() ? "tags unchanged" : s.substr(1);
  }
  if (kind == "deal.renamed") return fmt::format("renamed {} → {}", quoted(str("from")), quoted(str("to")));
  if (kind == "deal.amount_changed")
    return fmt::format("amount {} → {}", money("from", "from_currency"), money("to", "to_currency"));
  if (kind == "deal.lost_reason_changed")
    return fmt::format("lost reason {} → {}", quoted(str("from")), quoted(str("to")));
  if (kind == "deal.client_changed")
    return fmt::format("client → {}", str("to_name").empty() ? std::string("—") : str("to_name"));
  if (kind == "deal.segment_changed") return fmt::format("segment {} → {}", str("from"), str("to"));
  if (kind == "deal.contact_linked") return fmt::format("contact #{} linked", num("contact"));
  if (kind == "deal.contact_unlinked") return fmt::format("contact #{} unlinked", num("contact"));

  if (kind == "task.created")
    return fmt::format("{} {}, due {}, for {}", cat.task_type_name(num("type")), task(),
                       due(num("due_at"), flag("all_day")), num("assignee") ? cat.user_name(num("assignee")) : "nobody");
  if (kind == "task.completed") {
    std::string s = task() + " done";
    if (flag("late")) s += fmt::format(" late (was due {})", zone.format_time(num("due_at")));
    if (!str("result").empty()) s += ": " + quoted(str("result"));
    return s;
  }
  if (kind == "task.reopened") return task() + " reopened";
  if (kind == "task.rescheduled")
    return fmt::format("{} moved: {} → {}", task(), due(num("from"), flag("from_all_day")),
                       due(num("to"), flag("to_all_day")));
  if (kind == "task.reassigned")
    return fmt::format("{} reassigned: {} → {}", task(), cat.user_name(num("from")), cat.user_name(num("to")));
  if (kind == "task.edited") {
    std::string s = fmt::format("task #{} edited:", num("task"));
    if (f.count("to_text")) s += fmt::format(" {} → {}", quoted(str("from_text"), 40), quoted(str("to_text"), 40));
    if (f.count("to_type"))
      s += fmt::format(" {} → {}", cat.task_type_name(num("from_type")), cat.task_type_name(num("to_type")));
    return s;
  }
  if (kind == "task.deleted") return task() + " deleted";

  if (kind == "comment.added") {
    std::string s = fmt::format("comment #{}: {}", num("comment"), quoted(str("text"), 80));
    std::string who;
    for (auto id : idlist("mentions")) who += (who.empty() ? "" : ", ") + ("@" + cat.user_name(id));
    if (!who.empty()) s += " — " + who;
    return s;
  }
  if (kind == "comment.edited")
    return fmt::format("comment #{} edited: {} → {}", num("comment"), quoted(str("from"), 40), quoted(str("to"), 40));
  if (kind == "comment.deleted") return fmt::format("comment #{} deleted (was {})", num("comment"), quoted(str("text"), 60));
  if (kind == "event.pinned") return fmt::format("pinned event #{} ({})", num("event"), str("kind"));
  if (kind == "event.unpinned") return fmt::format("unpinned event #{} ({})", num("event"), str("kind"));
  if (kind == "task_type.created") return fmt::format("task type #{} «{}»", num("task_type"), str("name"));
  return payload;
}

}  // namespace cli

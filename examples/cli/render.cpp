#include "render.hpp"

#include <algorithm>
#include <map>
#include <ostream>
#include <sstream>

#include <fmt/format.h>

#include "text.hpp"

namespace cli {

static std::vector<dealcore::Money> rub_first(std::vector<dealcore::Money> sums) {
  std::stable_partition(sums.begin(), sums.end(),
                        [](const dealcore::Money &m) { return m.currency == "RUB"; });
  return sums;
}

std::string format_sums(const std::vector<dealcore::Money> &sums) {
  std::string out;
  for (const auto &m : rub_first(sums)) {
    if (!out.empty()) out += " + ";
    out += format_money(m);
  }
  return out.empty() ? "0" : out;
}

int rotting_days_over(const dealcore::Deal &d, const Catalog &cat, dealcore::Millis now) {
  const dealcore::Stage *s = cat.stage(d.stage_id);
  if (!s || s->kind != dealcore::StageKind::open || !s->rotting_days || d.stage_changed_at == 0)
    return 0;
  const auto days = static_cast<int>((now - d.stage_changed_at) / 86'400'000);
  return days > *s->rotting_days ? days : 0;
}

std::string_view task_state_name(dealcore::TaskState s) {
  switch (s) {
    case dealcore::TaskState::overdue: return "overdue";
    case dealcore::TaskState::today: return "today";
    case dealcore::TaskState::planned: return "planned";
    default: return "none";
  }
}

std::string task_state_cell(const dealcore::Deal &d, const Zone &zone) {
  switch (d.task_state) {
    case dealcore::TaskState::overdue: return "● overdue · " + zone.format_date(d.next_task_due);
    case dealcore::TaskState::today: return "● today " + zone.format_time(d.next_task_due).substr(11);
    case dealcore::TaskState::planned: return "● planned · " + zone.format_date(d.next_task_due);
    default: return "○ no tasks";
  }
}

std::string color_task_markers(std::string text) {
  if (!use_color()) return text;
  static const std::pair<std::string_view, std::string_view> marks[] = {
      {"● overdue", "#e53935"}, {"● today", "#fb8c00"}, {"● planned", "#43a047"}, {"○ no tasks", "#9e9e9e"}};
  for (const auto &[mark, color] : marks) {
    const std::string marker(mark.substr(0, mark.find(' ')));
    const std::string colored = ansi_color(color) + marker + std::string(kAnsiReset);
    for (std::size_t at = text.find(mark); at != std::string::npos; at = text.find(mark, at + colored.size()))
      text.replace(at, marker.size(), colored);
  }
  return text;
}

void fill_task_state(dealcore::Deal &d, const Zone &zone, dealcore::Millis now) {
  if (d.open_task_count == 0) d.task_state = dealcore::TaskState::none;
  else if (d.next_task_due < now) d.task_state = dealcore::TaskState::overdue;
  else if (d.next_task_due < zone.day_start_after(now, 1)) d.task_state = dealcore::TaskState::today;
  else d.task_state = dealcore::TaskState::planned;
}

std::string format_duration(dealcore::Millis ms) {
  const dealcore::Millis min = ms / 60'000, h = min / 60, days = h / 24;
  if (days > 0) return h % 24 ? fmt::format("{} d {} h", days, h % 24) : fmt::format("{} d", days);
  if (h > 0) return min % 60 ? fmt::format("{} h {} min", h, min % 60) : fmt::format("{} h", h);
  return min > 0 ? fmt::format("{} min", min) : "< 1 min";
}

void print_deal_table(std::ostream &out, const std::vector<dealcore::Deal> &deals,
                      const Catalog &cat, int width, const Zone &zone) {
  Table t({{"ID", Align::right},
           {"Deal", Align::left, 60, 16, 2},
           {"Stage", Align::left, 24, 10},
           {"Amount", Align::right},
           {"Owner", Align::left, 20, 8},
           {"Client", Align::left, 30, 10},
           {"Next task", Align::left},
           {"Updated (UTC)", Align::left}});
  for (const auto &d : deals) {
    std::string stage = cat.stage_name(d.stage_id);
    if (d.stage_kind == dealcore::StageKind::won) stage = "✓ " + stage;
    if (d.stage_kind == dealcore::StageKind::lost) stage = "✗ " + stage;
    std::string name = d.archived ? "[archived] " + d.name : d.name;
    t.add({std::to_string(d.id), name, stage, format_money(d.amount), cat.user_name(d.owner_id),
           d.client_name.empty() ? "—" : d.client_name, task_state_cell(d, zone),
           format_time(d.updated_at)});
  }
  std::ostringstream text;
  t.print(text, width);
  out << color_task_markers(text.str());
}

void money_json(Json &j, const dealcore::Money &m) {
  j.begin_object()
      .field("minor", m.minor)
      .field("currency", m.currency)
      .field("text", format_money(m))
      .end_object();
}

void stage_json(Json &j, const dealcore::Stage &s) {
  j.begin_object()
      .field("id", s.id)
      .field("pipeline_id", s.pipeline_id)
      .field("name", s.name)
      .field("kind", kind_name(s.kind))
      .field("position", s.position)
      .field("color", s.color);
  j.key("probability");
  s.probability ? j.value(*s.probability) : j.null();
  j.key("rotting_days");
  s.rotting_days ? j.value(*s.rotting_days) : j.null();
  j.end_object();
}

void deal_json(Json &j, const dealcore::Deal &d, const Catalog &cat,
               const std::vector<dealcore::Contact> *contacts, bool with_tags) {
  j.begin_object()
      .field("id", d.id)
      .field("name", d.name)
      .field("pipeline_id", d.pipeline_id)
      .field("pipeline", cat.pipeline_name(d.pipeline_id))
      .field("stage_id", d.stage_id)
      .field("stage", cat.stage_name(d.stage_id))
      .field("stage_kind", kind_name(d.stage_kind));
  j.key("amount");
  money_json(j, d.amount);
  j.field("owner_id", d.owner_id)
      .field("owner", d.owner_id ? cat.user_name(d.owner_id) : "")
      .field("department_id", d.department_id)
      .field("department", d.department_id ? cat.department_name(d.department_id) : "")
      .field("client_ref", d.client_ref)
      .field("client_name", d.client_name)
      .field("segment", d.segment)
      .field("external_ref", d.external_ref)
      .field("lost_reason", d.lost_reason)
      .field("created_at", d.created_at)
      .field("updated_at", d.updated_at)
      .field("closed_at", d.closed_at)
      .field("stage_changed_at", d.stage_changed_at)
      .field("archived", d.archived)
      .field("open_task_count", d.open_task_count)
      .field("next_task_due", d.next_task_due)
      .field("task_state", task_state_name(d.task_state));
  if (with_tags) {
    j.key("tags").begin_array();
    for (auto id : d.tags)
      j.begin_object().field("id", id).field("name", cat.tag_name(id)).end_object();
    j.end_array();
  }
  if (contacts) {
    j.key("contacts").begin_array();
    for (const auto &c : *contacts) {
      j.begin_object().field("id", c.id).field("name", c.name);
      j.key("phones").begin_array();
      for (const auto &p : c.phones) j.value(p);
      j.end_array();
      j.key("emails").begin_array();
      for (const auto &e : c.emails) j.value(e);
      j.end_array();
      j.field("client_ref", c.client_ref).field("external_ref", c.external_ref).end_object();
    }
    j.end_array();
  }
  j.end_object();
}

namespace {

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

std::string kind_mark(dealcore::StageKind k) {
  return k == dealcore::StageKind::won ? "✓ " : k == dealcore::StageKind::lost ? "✗ " : "";
}

// One stage of the board as the lines of its column, each exactly cw wide.
// The first line (the stage name) carries the stage colour when enabled.
struct ColumnLines {
  std::vector<std::string> head, body;
};

ColumnLines column_lines(const dealcore::StageColumn &col, const Catalog &cat, int cw,
                         dealcore::Millis now, const Zone &zone) {
  ColumnLines c;
  std::string title = pad_right(kind_mark(col.stage.kind) + col.stage.name, cw);
  if (use_color()) {
    if (std::string esc = ansi_color(col.stage.color); !esc.empty())
      title = esc + title + std::string(kAnsiReset);
  }
  c.head.push_back(title);
  std::string meta = fmt::format("{} deal{}", col.count, col.count == 1 ? "" : "s");
  if (col.stage.probability) meta += fmt::format(" · {}%", *col.stage.probability);
  c.head.push_back(pad_right(meta, cw));
  if (col.sums.empty()) c.head.push_back(pad_left("0", cw));
  for (const auto &m : rub_first(col.sums)) c.head.push_back(pad_left(format_money(m), cw));
  for (const auto &d : col.cards) {
    c.body.push_back(pad_right(fmt::format("#{} {}", d.id, d.name), cw));
    c.body.push_back(pad_left(format_money(d.amount), cw));
    std::string who = cat.user_name(d.owner_id);
    if (int over = rotting_days_over(d, cat, now)) who += fmt::format(" · ⚠ {} d", over);
    c.body.push_back(pad_right(who, cw));
    if (col.stage.kind == dealcore::StageKind::open || d.open_task_count > 0)
      c.body.push_back(color_task_markers(pad_right(task_state_cell(d, zone), cw)));
    c.body.push_back(std::string(cw, ' '));
  }
  if (col.count > static_cast<std::int64_t>(col.cards.size()))
    c.body.push_back(
        pad_right(fmt::format("… {} more", col.count - static_cast<std::int64_t>(col.cards.size())), cw));
  else if (!c.body.empty())
    c.body.pop_back();  // no blank line after the last card
  return c;
}

}  // namespace

void print_board(std::ostream &out, const dealcore::Board &board, const Catalog &cat, int width,
                 dealcore::Millis now, const Zone &zone) {
  // Summary: one row per stage with a column per currency, then the totals.
  std::vector<std::string> currencies;
  for (const auto &col : board.columns)
    for (const auto &m : col.sums)
      if (std::find(currencies.begin(), currencies.end(), m.currency) == currencies.end())
        currencies.push_back(m.currency);
  std::sort(currencies.begin(), currencies.end(), [](const std::string &a, const std::string &b) {
    return (a == "RUB") != (b == "RUB") ? a == "RUB" : a < b;
  });
  std::vector<Column> head = {{"Stage", Align::left, 32}, {"Kind"}, {"Prob.", Align::right},
                              {"Deals", Align::right}};
  for (const auto &c : currencies) head.push_back({c == "RUB" ? "RUB, ₽" : c, Align::right});
  Table summary(head);
  std::int64_t total_count = 0, open_count = 0;
  std::map<std::string, std::int64_t> totals, open_totals, weighted;
  auto amounts = [&](const std::map<std::string, std::int64_t> &by_currency) {
    std::vector<std::string> cells;
    for (const auto &c : currencies) {
      auto it = by_currency.find(c);
      cells.push_back(it == by_currency.end() ? "" : format_amount(it->second, c));
    }
    return cells;
  };
  for (const auto &col : board.columns) {
    total_count += col.count;
    std::map<std::string, std::int64_t> here;
    for (const auto &m : col.sums) {
      here[m.currency] = m.minor;
      totals[m.currency] += m.minor;
      if (col.stage.kind == dealcore::StageKind::open) {
        open_totals[m.currency] += m.minor;
        weighted[m.currency] += m.minor / 100 * col.stage.probability.value_or(0);
      }
    }
    if (col.stage.kind == dealcore::StageKind::open) open_count += col.count;
    std::vector<std::string> row = {kind_mark(col.stage.kind) + col.stage.name,
                                    std::string(kind_name(col.stage.kind)),
                                    col.stage.probability ? fmt::format("{}%", *col.stage.probability) : "",
                                    std::to_string(col.count)};
    for (auto &cell : amounts(here)) row.push_back(std::move(cell));
    summary.add(std::move(row));
  }
  auto total_row = [&](std::string label, std::string count, const std::map<std::string, std::int64_t> &m) {
    std::vector<std::string> row = {std::move(label), "", "", std::move(count)};
    for (auto &cell : amounts(m)) row.push_back(std::move(cell));
    summary.add(std::move(row));
  };
  total_row("Open", std::to_string(open_count), open_totals);
  total_row("Open × probability", "", weighted);
  total_row("Total", std::to_string(total_count), totals);
  out << fmt::format("Pipeline «{}» (#{}): {} deals\n", board.pipeline.name, board.pipeline.id,
                     total_count);
  summary.print(out);

  if (board.columns.empty()) return;
  // The stages side by side, as many per row as fit.
  const int min_cw = 22, max_cw = 34;
  const int n = static_cast<int>(board.columns.size());
  const int per_row = std::clamp((width - 1) / (min_cw + 3), 1, n);
  const int rows_of_stages = (n + per_row - 1) / per_row;
  const int in_row = (n + rows_of_stages - 1) / rows_of_stages;  // balance the rows
  const int cw = std::clamp((width - 1) / in_row - 3, min_cw, max_cw);

  for (int first = 0; first < n; first += in_row) {
    const int last = std::min(n, first + in_row);
    std::vector<ColumnLines> cols;
    for (int i = first; i < last; ++i) cols.push_back(column_lines(board.columns[i], cat, cw, now, zone));
    auto rule = [&](std::string_view l, std::string_view m, std::string_view r) {
      std::string s(l);
      for (int i = 0; i < last - first; ++i) {
        if (i > 0) s += m;
        s += repeat("─", cw + 2);
      }
      out << s << r << '\n';
    };
    auto rows = [&](auto member) {
      std::size_t height = 0;
      for (const auto &c : cols) height = std::max(height, (c.*member).size());
      for (std::size_t r = 0; r < height; ++r) {
        std::string s = "│";
        for (const auto &c : cols) {
          const auto &lines = c.*member;
          s += ' ';
          s += r < lines.size() ? lines[r] : std::string(cw, ' ');
          s += " │";
        }
        out << s << '\n';
      }
    };
    out << '\n';
    rule("┌", "┬", "┐");
    rows(&ColumnLines::head);
    rule("├", "┼", "┤");
    rows(&ColumnLines::body);
    rule("└", "┴", "┘");
  }
}

void board_json(Json &j, const dealcore::Board &board, const Catalog &cat) {
  j.begin_object();
  j.key("pipeline").begin_object()
      .field("id", board.pipeline.id)
      .field("name", board.pipeline.name)
      .field("archived", board.pipeline.archived)
      .end_object();
  j.key("columns").begin_array();
  for (const auto &col : board.columns) {
    j.begin_object();
    j.key("stage");
    stage_json(j, col.stage);
    j.field("count", col.count);
    j.key("sums").begin_array();
    for (const auto &m : col.sums) money_json(j, m);
    j.end_array();
    j.key("cards").begin_array();
    for (const auto &d : col.cards) deal_json(j, d, cat, nullptr, false);
    j.end_array();
    j.field("next_cursor", col.next_cursor);
    j.end_object();
  }
  j.end_array();
  j.end_object();
}

void print_card(std::ostream &out, const dealcore::Deal &d, const Catalog &cat,
                const std::vector<dealcore::Contact> &contacts, dealcore::Millis now,
                const Zone &zone) {
  out << fmt::format("Deal #{}  {}\n", d.id, d.name);
  auto row = [&](std::string_view label, const std::string &value) {
    out << "  " << pad_right(label, 13) << value << '\n';
  };
  std::string stage = cat.stage_name(d.stage_id);
  if (const dealcore::Stage *s = cat.stage(d.stage_id)) {
    stage += fmt::format(" ({}", kind_name(s->kind));
    if (s->probability) stage += fmt::format(", {}%", *s->probability);
    stage += ")";
  }
  row("Pipeline", cat.pipeline_name(d.pipeline_id) + " → " + stage);
  row("Amount", format_money(d.amount));
  std::string owner = cat.user_name(d.owner_id);
  row("Owner", owner);
  row("Department", cat.department_name(d.department_id));
  std::string client = d.client_name.empty() ? "—" : d.client_name;
  if (!d.client_ref.empty()) client += "  [" + d.client_ref + "]";
  row("Client", client);
  row("Segment", d.segment.empty() ? "—" : d.segment);
  std::string tags;
  for (auto id : d.tags) tags += (tags.empty() ? "" : ", ") + cat.tag_name(id);
  row("Tags", tags.empty() ? "—" : tags);
  row("Created", format_time(d.created_at) + " UTC");
  row("Updated", format_time(d.updated_at) + " UTC");
  std::string since = format_time(d.stage_changed_at) + " UTC";
  if (int over = rotting_days_over(d, cat, now))
    since += fmt::format("  ⚠ rotting: {} days in stage", over);
  row("In stage", since);
  if (d.closed_at) row("Closed", format_time(d.closed_at) + " UTC");
  if (!d.lost_reason.empty()) row("Lost reason", d.lost_reason);
  std::string tasks = d.open_task_count == 0
                          ? "none (no open tasks)"
                          : fmt::format("{} open, next due {} {} — {}", d.open_task_count,
                                        zone.format_time(d.next_task_due), zone.name(),
                                        task_state_name(d.task_state));
  row("Tasks", tasks);
  if (!d.external_ref.empty()) row("External ref", d.external_ref);
  if (d.archived) row("Archived", "yes");
  if (contacts.empty()) {
    out << "Contacts: none\n";
    return;
  }
  out << "Contacts:\n";
  Table t({{"ID", Align::right}, {"Name", Align::left, 36}, {"Phones"}, {"E-mails"}});
  for (const auto &c : contacts) {
    std::string phones, emails;
    for (const auto &p : c.phones) phones += (phones.empty() ? "" : ", ") + p;
    for (const auto &e : c.emails) emails += (emails.empty() ? "" : ", ") + e;
    t.add({std::to_string(c.id), c.name, phones.empty() ? "—" : phones,
           emails.empty() ? "—" : emails});
  }
  t.print(out);
}

}  // namespace cli

// render.hpp — how deals, boards and cards look, as text and as JSON.
#pragma once

#include <iosfwd>
#include <vector>

#include <dealcore/database.hpp>

#include "catalog.hpp"
#include "output.hpp"
#include "zone.hpp"

namespace cli {

// The deal list as a table; the name column fits `width` columns overall.
// The "Next task" column shows each deal's task state (Deal::task_state) and
// its nearest due time in `zone`.
void print_deal_table(std::ostream &out, const std::vector<dealcore::Deal> &deals,
                      const Catalog &cat, int width, const Zone &zone);

// "none", "overdue", "today", "planned".
std::string_view task_state_name(dealcore::TaskState s);
// "● overdue · 2025-05-01", "● today 14:00", "● planned · 2025-05-03", "○ no tasks";
// plain text, so that it can be padded.
std::string task_state_cell(const dealcore::Deal &d, const Zone &zone);
// Colours the markers of task_state_cell in already laid-out text, on a terminal.
std::string color_task_markers(std::string text);
// Sets d.task_state as lists and boards do, for a deal read with get_deal
// (which leaves it at none).
void fill_task_state(dealcore::Deal &d, const Zone &zone, dealcore::Millis now);
// "3 d 4 h", "5 h 12 min", "40 min", "< 1 min".
std::string format_duration(dealcore::Millis ms);

// One deal as a JSON object; contacts are written when given. List pages and
// board cards carry no tags (the API leaves them empty), so for those
// with_tags is false and the key is left out rather than shown as [].
void deal_json(Json &j, const dealcore::Deal &d, const Catalog &cat,
               const std::vector<dealcore::Contact> *contacts = nullptr, bool with_tags = true);
void money_json(Json &j, const dealcore::Money &m);
void stage_json(Json &j, const dealcore::Stage &s);

// The kanban: a per-stage summary table, then the stages side by side with
// their first cards, wrapped to fit `width` columns.
void print_board(std::ostream &out, const dealcore::Board &board, const Catalog &cat, int width,
                 dealcore::Millis now, const Zone &zone);
void board_json(Json &j, const dealcore::Board &board, const Catalog &cat);

// The deal card (D1-D10).
void print_card(std::ostream &out, const dealcore::Deal &d, const Catalog &cat,
                const std::vector<dealcore::Contact> &contacts, dealcore::Millis now,
                const Zone &zone);

// "1 234,00 ₽ + 50,00 USD"; "0" for no sums.
std::string format_sums(const std::vector<dealcore::Money> &sums);

// Days the deal has sat in its open stage when that is more than the stage's
// rotting days; 0 when it is not rotting.
int rotting_days_over(const dealcore::Deal &d, const Catalog &cat, dealcore::Millis now);

}  // namespace cli

// dealcore/query.hpp — the deal list (seed L1–L6) and the kanban (K1–K4).
//
// Filters are conjunctions: every non-empty field narrows the result; a list
// field matches any of its values (tags_all and tags_none excepted). Lists
// and boards are answered from the in-memory views.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dealcore/catalog.hpp"
#include "dealcore/deal.hpp"
#include "dealcore/task.hpp"
#include "dealcore/types.hpp"

namespace dealcore {

struct DealFilter {
  std::vector<Id> pipelines;
  std::vector<Id> stages;
  std::vector<StageKind> kinds;
  std::vector<Id> owners;
  std::vector<Id> departments;
  std::vector<Id> tags_any;   // has at least one of these
  std::vector<Id> tags_all;   // has every one of these
  std::vector<Id> tags_none;  // has none of these
  std::vector<std::string> client_refs;
  std::vector<std::string> segments;
  std::optional<std::int64_t> amount_min;  // inclusive, minor units
  std::optional<std::int64_t> amount_max;  // inclusive
  std::string currency;                    // with amount bounds: only this currency
  std::optional<Millis> created_from;      // inclusive
  std::optional<Millis> created_to;        // exclusive
  std::optional<Millis> updated_from;
  std::optional<Millis> updated_to;
  std::string text;   // case-insensitive substring of the name (ё = е)
  std::string phone;  // a full number in any notation, or its last 5+ digits
  std::string email;  // exact, case-insensitive
  std::optional<bool> has_open_tasks;  // false: "deals without tasks" (L3)
  std::optional<bool> has_overdue_task;  // an open task past due (due_at < now)
  std::optional<Millis> task_due_from;   // an open task due in [from, to)
  std::optional<Millis> task_due_to;
  std::vector<ActivityLevel> activity;   // any of these activity levels (D5)
  std::optional<bool> rotting;           // longer in the stage than its rotting days
  ArchivedMode archived = ArchivedMode::exclude;
};

// next_task_due puts deals without an open task last in either direction.
enum class SortField : int { updated = 0, created = 1, amount = 2, name = 3, stage = 4, next_task_due = 5 };

struct ListOptions {
  SortField sort = SortField::updated;
  bool descending = true;
  int limit = 50;          // 1..1000
  std::string cursor;      // from DealPage::next_cursor; empty: first page
  bool with_total = false;
  // Fill only DealPage::ids, not items: for hosts that keep their own copy of
  // the deals, or page through ids to act on them (much cheaper per row).
  bool ids_only = false;
  // For Deal::task_state ("due today" is a local day).
  std::string time_zone = "UTC";
};

// A page of deals. tags and contacts of the items are left empty; read a
// deal with Database::get_deal for those.
struct DealPage {
  std::vector<Deal> items;  // empty with ListOptions::ids_only
  std::vector<Id> ids;      // the ids of the page, in order
  std::string next_cursor;  // empty: no more pages
  std::optional<std::int64_t> total;
};

// A deal as a DealViewPage holds it: Deal's fields but tags and contacts,
// with the strings viewing the page's one buffer. Each view is followed by
// a '\0' in that buffer, so data() is also a C string. Valid while the page
// lives (moving the page keeps them valid).
struct DealView {
  Id id = 0;
  std::string_view name;
  Id pipeline_id = 0;
  Id stage_id = 0;
  StageKind stage_kind = StageKind::open;
  std::int64_t amount = 0;  // minor units
  std::string_view currency;
  Id owner_id = 0;
  Id department_id = 0;
  std::string_view client_ref;
  std::string_view client_name;
  std::string_view segment;
  std::string_view external_ref;
  std::string_view lost_reason;
  Millis created_at = 0;
  Millis updated_at = 0;
  Millis closed_at = 0;
  Millis stage_changed_at = 0;
  bool archived = false;
  int open_task_count = 0;
  Millis next_task_due = 0;
  TaskState task_state = TaskState::none;
};

// The page of Database::list_deal_views: the same ids, cursor and total as
// list_deals gives, and the items as views into one buffer, filled with
// three allocations a page instead of several a deal.
struct DealViewPage {
  std::vector<DealView> items;
  std::vector<Id> ids;
  std::string next_cursor;
  std::optional<std::int64_t> total;
  std::unique_ptr<char[]> text;  // the strings the items view
};

// A DealView as a Deal that owns its strings (tags and contacts empty, as
// in list_deals' items).
inline Deal to_deal(const DealView &v) {
  Deal d;
  d.id = v.id;
  d.name = v.name;
  d.pipeline_id = v.pipeline_id;
  d.stage_id = v.stage_id;
  d.stage_kind = v.stage_kind;
  d.amount = {v.amount, std::string(v.currency)};
  d.owner_id = v.owner_id;
  d.department_id = v.department_id;
  d.client_ref = v.client_ref;
  d.client_name = v.client_name;
  d.segment = v.segment;
  d.external_ref = v.external_ref;
  d.lost_reason = v.lost_reason;
  d.created_at = v.created_at;
  d.updated_at = v.updated_at;
  d.closed_at = v.closed_at;
  d.stage_changed_at = v.stage_changed_at;
  d.archived = v.archived;
  d.open_task_count = v.open_task_count;
  d.next_task_due = v.next_task_due;
  d.task_state = v.task_state;
  return d;
}

struct BoardFilter {
  std::vector<Id> owners;
  std::vector<Id> departments;
  std::vector<Id> tags_any;
  int cards_per_stage = 20;  // 0..1000; cards are sorted by updated, newest first
  std::string time_zone = "UTC";  // for the cards' task state
};

struct StageColumn {
  Stage stage;
  std::int64_t count = 0;
  std::vector<Money> sums;  // one per currency present, sorted by code; wraps modulo 2^64 past INT64_MAX
  std::vector<Deal> cards;
  std::string next_cursor;  // continue this column with Database::list_deals
};

struct Board {
  Pipeline pipeline;
  std::vector<StageColumn> columns;
};

// A board's counts and sums only, by stage id: no names, no cards. What a
// host that already shows the pipeline's stages refreshes after each drag
// or edit (Database::board_totals), for a fraction of a full board's cost.
struct BoardTotals {
  struct Column {
    Id stage_id = 0;
    std::int64_t count = 0;
    std::size_t first_sum = 0, sum_count = 0;  // this column's part of sums
  };
  Id pipeline_id = 0;
  std::vector<Column> columns;  // one per stage, in board order
  std::vector<Money> sums;      // each column's, one per currency present, sorted by code
  std::span<const Money> sums_of(const Column &c) const { return {sums.data() + c.first_sum, c.sum_count}; }
};

}  // namespace dealcore

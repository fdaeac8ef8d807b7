// dealcore/timeline.hpp — the deal's history (seed H1, H3, H4, H7): every
// event newest first, pinned ("important") events in front, comments, and
// the exact intervals the deal spent in each stage.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dealcore/types.hpp"

namespace dealcore {

struct TimelineQuery {
  // Only these kinds; a kind ending in '.' is a prefix ("task." = every
  // task event). Empty: every kind.
  std::vector<std::string> kinds;
  std::vector<Id> actors;  // empty: everyone (0 is the system actor)
  int limit = 50;          // 1..1000
  std::string cursor;      // from TimelinePage::next_cursor; empty: first page
};

struct TimelineEntry {
  std::int64_t seq = 0;
  Millis at = 0;
  Id actor_id = 0;
  std::string kind;
  std::string payload;  // JSON object
  bool pinned = false;
  Millis pinned_at = 0;
  Id pinned_by = 0;
};

struct TimelinePage {
  // The pinned events, in the order they were pinned (first page only; the
  // kind and actor filters apply to them too). They are not repeated below.
  std::vector<TimelineEntry> pinned;
  std::vector<TimelineEntry> items;  // the rest, newest first
  std::string next_cursor;           // empty: no more
};

// One stay of a deal in a stage. left_at is empty for the current stay.
struct StageInterval {
  Id pipeline_id = 0;
  Id stage_id = 0;
  Millis entered_at = 0;
  std::optional<Millis> left_at;
  Millis duration = 0;  // up to left_at, or up to now for the current stay
};

}  // namespace dealcore

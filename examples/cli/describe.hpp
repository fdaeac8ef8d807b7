// describe.hpp — a line a person can read for each kind of event in the log
// (deal, task, comment and pin events), shared by `events` and `history`.
#pragma once

#include <functional>
#include <string>

#include "catalog.hpp"
#include "zone.hpp"

namespace cli {

// The text of a task by id, for events that carry only the id; "" when the
// task is gone. May be empty.
using TaskTextLookup = std::function<std::string(dealcore::Id)>;

// Unknown kinds (and payloads this cannot read) come back as the raw payload.
std::string describe_event(const std::string &kind, const std::string &payload, const Catalog &cat,
                           const Zone &zone, const TaskTextLookup &task_text = {});

}  // namespace cli

// commands.hpp — the CLI's commands: each one a set of flags and a function
// over the public dealcore C++ API.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dealcore/database.hpp>

#include "args.hpp"
#include "zone.hpp"

namespace cli {

struct Context {
  std::string db_path = "./dealcore.db";
  bool json = false;
  dealcore::Actor actor = dealcore::Actor::system();
  bool actor_given = false;
  // --tz, or $TZ when it is an IANA name, or UTC.
  std::shared_ptr<const Zone> zone = std::make_shared<Zone>("UTC");

  // Opens the existing database; a missing file is a Failure with a hint.
  dealcore::Database open() const;
};

struct Command {
  std::string_view name;
  std::string_view synopsis;  // after "dealcore <name>"
  std::string_view summary;   // one line for the command list
  std::vector<Flag> flags;
  int (*run)(const Context &, const Args &);
};

// Every command, in the order the help lists them.
const std::vector<Command> &commands();

// The flags every command accepts.
const std::vector<Flag> &global_flags();

// Parts of the command table, defined beside their implementations.
std::vector<Command> read_commands();
std::vector<Command> write_commands();
Command demo_command();
Command events_command();
std::vector<Command> task_commands();     // task, tasks
std::vector<Command> history_commands();  // comment, pin, unpin, history, stages, activity

// The current time (the system clock), in milliseconds since the epoch.
dealcore::Millis now_ms();

// Deal ids from positional arguments; UsageError when there is none or one is
// not a positive integer.
std::vector<dealcore::Id> deal_ids(const Args &args);

}  // namespace cli

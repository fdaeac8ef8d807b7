// dealcore — a command-line host for the dealcore library: a demo database,
// the deal list, the kanban, lookups and the everyday changes of a deal.
#include <algorithm>
#include <cstdio>
#include <iostream>

#include <fmt/format.h>

#include <dealcore/error.hpp>
#include <dealcore/version.hpp>

#include "commands.hpp"
#include "text.hpp"

namespace cli {

const std::vector<Flag> &global_flags() {
  static const std::vector<Flag> flags = {
      {"db", "PATH", false, "database file (default ./dealcore.db)"},
      {"json", "", false, "print JSON instead of tables"},
      {"actor", "USER_ID", false, "user on whose behalf changes are made (default 0: system)"},
      {"tz", "ZONE", false, "IANA time zone for due times and 'today' (default: $TZ if IANA, else UTC)"},
      {"help", "", false, "show help"},
  };
  return flags;
}

const std::vector<Command> &commands() {
  static const std::vector<Command> all = [] {
    std::vector<Command> v{demo_command()};
    for (auto &c : read_commands()) v.push_back(std::move(c));
    v.push_back(events_command());
    for (auto &c : write_commands()) v.push_back(std::move(c));
    for (auto &c : task_commands()) v.push_back(std::move(c));
    for (auto &c : history_commands()) v.push_back(std::move(c));
    return v;
  }();
  return all;
}

std::vector<dealcore::Id> deal_ids(const Args &args) {
  if (args.positional.empty()) throw UsageError("give at least one deal id");
  std::vector<dealcore::Id> ids;
  for (const auto &p : args.positional) ids.push_back(parse_id(p, "deal id"));
  return ids;
}

namespace {

void print_flags(std::ostream &out, const std::vector<Flag> &flags) {
  int w = 0;
  auto label = [](const Flag &f) {
    std::string s = fmt::format("--{}", f.name);
    if (!f.metavar.empty()) s += fmt::format(" {}", f.metavar);
    if (f.repeat) s += "...";
    return s;
  };
  for (const auto &f : flags) w = std::max(w, display_width(label(f)));
  for (const auto &f : flags) out << "  " << pad_right(label(f), w) << "  " << f.help << '\n';
}

void print_usage(std::ostream &out) {
  out << "dealcore " << dealcore::version()
      << " — deals, pipelines and the kanban from the command line\n\n"
         "usage: dealcore [--db PATH] [--json] [--actor USER_ID] [--tz ZONE] <command> [args]\n\n"
         "commands:\n";
  int w = 0;
  for (const auto &c : commands()) w = std::max(w, static_cast<int>(c.name.size()));
  for (const auto &c : commands()) out << "  " << pad_right(c.name, w) << "  " << c.summary << '\n';
  out << "\nglobal options:\n";
  print_flags(out, global_flags());
  out << "\n'dealcore <command> --help' shows a command's options.\n";
}

void print_command_help(std::ostream &out, const Command &c) {
  out << "usage: dealcore " << c.name << ' ' << c.synopsis << "\n\n" << c.summary << "\n";
  if (!c.flags.empty()) {
    out << "\noptions:\n";
    print_flags(out, c.flags);
  }
  std::vector<Flag> globals;
  for (const auto &g : global_flags())
    if (std::none_of(c.flags.begin(), c.flags.end(), [&](const Flag &f) { return f.name == g.name; }))
      globals.push_back(g);
  out << "\nglobal options:\n";
  print_flags(out, globals);
}

int run(int argc, char **argv) {
  std::vector<std::string> tokens(argv + 1, argv + argc);
  // The command is the first token that is neither a global flag nor its value.
  std::size_t at = 0;
  while (at < tokens.size() && tokens[at].rfind("-", 0) == 0) {
    const std::string &t = tokens[at];
    if (t == "--db" || t == "--actor" || t == "--tz") ++at;
    else if (t == "--help" || t == "-h") {
      print_usage(std::cout);
      return 0;
    } else if (t == "--version") {
      std::cout << dealcore::version() << '\n';
      return 0;
    }
    ++at;
  }
  if (at >= tokens.size()) {
    print_usage(std::cerr);
    return 2;
  }
  const std::string name = tokens[at];
  const Command *cmd = nullptr;
  for (const auto &c : commands())
    if (c.name == name) cmd = &c;
  if (name == "help") {
    if (at + 1 < tokens.size())
      for (const auto &c : commands())
        if (c.name == tokens[at + 1]) {
          print_command_help(std::cout, c);
          return 0;
        }
    print_usage(std::cout);
    return 0;
  }
  if (!cmd) throw UsageError(fmt::format("unknown command '{}' (see dealcore --help)", name));
  tokens.erase(tokens.begin() + static_cast<std::ptrdiff_t>(at));

  // A command's own flag replaces a global one of the same name (history --actor).
  auto own = [&](std::string_view n) {
    for (const auto &f : cmd->flags)
      if (f.name == n) return true;
    return false;
  };
  std::vector<Flag> flags;
  for (const auto &f : global_flags())
    if (!own(f.name)) flags.push_back(f);
  flags.insert(flags.end(), cmd->flags.begin(), cmd->flags.end());
  Args args;
  try {
    args = parse_args(tokens, flags);
  } catch (const UsageError &e) {
    throw UsageError(fmt::format("{}: {}", cmd->name, e.what()));
  }
  if (args.has("help")) {
    print_command_help(std::cout, *cmd);
    return 0;
  }
  Context ctx;
  if (auto db = args.get("db")) ctx.db_path = *db;
  ctx.json = args.has("json");
  if (auto actor = args.get("actor"); actor && !own("actor")) {
    const auto id = parse_int(*actor, "--actor");
    if (id < 0) throw UsageError("--actor: a user id, or 0 for the system");
    ctx.actor = dealcore::Actor::user(id);
    ctx.actor_given = true;
  }
  ctx.zone = std::make_shared<Zone>(args.get("tz").value_or(Zone::default_name()));
  return cmd->run(ctx, args);
}

}  // namespace
}  // namespace cli

int main(int argc, char **argv) {
  try {
    return cli::run(argc, argv);
  } catch (const cli::UsageError &e) {
    std::cerr << "dealcore: " << e.what() << '\n';
    return 2;
  } catch (const dealcore::Error &e) {
    std::cerr << "dealcore: " << e.what() << '\n';
    return 1;
  } catch (const std::exception &e) {
    std::cerr << "dealcore: " << e.what() << '\n';
    return 1;
  }
}

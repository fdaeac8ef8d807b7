// The commands that change deals: new, move, assign, tag, archive.
#include <iostream>
#include <set>

#include <fmt/format.h>

#include "catalog.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "render.hpp"
#include "text.hpp"

namespace cli {

using dealcore::Id;

namespace {

std::string plural_deals(std::size_t n) { return fmt::format("{} deal{}", n, n == 1 ? "" : "s"); }

// After a change: the changed deals as JSON, or one line per deal.
void report(const Context &ctx, const dealcore::Database &db, const std::vector<Id> &ids,
            const std::string &headline) {
  Catalog cat(db);
  std::set<Id> seen;
  if (ctx.json) {
    Json j(std::cout);
    j.begin_array();
    for (Id id : ids)
      if (seen.insert(id).second) deal_json(j, db.get_deal(id), cat);
    j.end_array();
    return;
  }
  std::cout << headline << '\n';
  for (Id id : ids) {
    if (!seen.insert(id).second) continue;
    const auto d = db.get_deal(id);
    std::cout << fmt::format("  #{} {} — {} → {}, {}, {}\n", d.id, truncate_to_width(d.name, 60),
                             cat.pipeline_name(d.pipeline_id), cat.stage_name(d.stage_id),
                             format_money(d.amount), cat.user_name(d.owner_id));
  }
}

// ---- new ------------------------------------------------------------------

int run_new(const Context &ctx, const Args &args) {
  if (!args.positional.empty()) throw UsageError("new: unexpected argument '" + args.positional[0] + "'");
  const auto pipeline = args.get("pipeline");
  const auto name = args.get("name");
  if (!pipeline || !name) throw UsageError("new: --pipeline and --name are required");
  auto db = ctx.open();
  Catalog cat(db);
  dealcore::DealSpec spec;
  const auto &p = cat.find_pipeline(*pipeline);
  spec.pipeline_id = p.id;
  spec.name = *name;
  if (auto c = args.get("currency")) spec.currency = parse_currency(*c);
  if (auto a = args.get("amount")) spec.amount = parse_money(*a, spec.currency, "--amount");
  if (auto s = args.get("stage")) spec.stage_id = cat.find_stage_in(p, *s).id;
  if (auto u = args.get("owner")) spec.owner_id = cat.find_user(*u);
  if (auto d = args.get("department")) spec.department_id = cat.find_department(*d);
  if (auto c = args.get("client")) spec.client_name = *c;
  if (auto c = args.get("client-ref")) spec.client_ref = *c;
  if (auto s = args.get("segment")) spec.segment = *s;
  if (auto r = args.get("external-ref")) spec.external_ref = *r;
  for (const auto &t : args.all("tag")) spec.tags.push_back(cat.find_tag(t));
  for (const auto &c : args.all("contact")) spec.contacts.push_back(parse_id(c, "--contact"));
  const Id id = db.create_deal(ctx.actor, spec);
  if (ctx.json) {
    Json j(std::cout);
    deal_json(j, db.get_deal(id), Catalog(db));
    return 0;
  }
  report(ctx, db, {id}, fmt::format("Created deal #{}", id));
  return 0;
}

// ---- move -----------------------------------------------------------------

int run_move(const Context &ctx, const Args &args) {
  const auto ids = deal_ids(args);
  const auto stage = args.get("stage");
  const auto pipeline = args.get("pipeline");
  if (!stage && !pipeline) throw UsageError("move: give --stage (and/or --pipeline)");
  auto db = ctx.open();
  Catalog cat(db);
  dealcore::MoveTarget target;
  const dealcore::Pipeline *p = nullptr;
  if (pipeline) {
    p = &cat.find_pipeline(*pipeline);
    target.pipeline_id = p->id;
  } else {
    // A stage name is looked up in the pipeline the deals are in.
    std::set<Id> pipelines;
    for (Id id : ids) pipelines.insert(db.get_deal(id).pipeline_id);
    if (pipelines.size() > 1)
      throw Failure("the deals are in different pipelines; give --pipeline");
    p = cat.pipeline(*pipelines.begin());
    if (!p) throw Failure(fmt::format("pipeline #{} is unknown", *pipelines.begin()));
  }
  const dealcore::Stage *to = nullptr;
  if (stage) {
    to = &cat.find_stage_in(*p, *stage);
    target.stage_id = to->id;
  }
  if (auto r = args.get("lost-reason")) {
    if (to && to->kind != dealcore::StageKind::lost)
      throw Failure(fmt::format("--lost-reason: stage '{}' is not a lost stage", to->name));
    target.lost_reason = *r;
  }
  db.move_deals(ctx.actor, ids, target);
  report(ctx, db, ids,
         fmt::format("Moved {} to {} → {}", plural_deals(ids.size()), p->name,
                     to ? to->name : std::string("its first open stage")));
  return 0;
}

// ---- assign, tag, archive ---------------------------------------------------

int run_assign(const Context &ctx, const Args &args) {
  const auto ids = deal_ids(args);
  const auto owner = args.get("owner");
  if (!owner) throw UsageError("assign: --owner is required (a user, or 'none')");
  auto db = ctx.open();
  Catalog cat(db);
  const Id user = (*owner == "none" || *owner == "0") ? 0 : cat.find_user(*owner);
  db.assign_deals(ctx.actor, ids, user);
  report(ctx, db, ids,
         user ? fmt::format("Assigned {} to {}", plural_deals(ids.size()), cat.user_name(user))
              : fmt::format("Unassigned {}", plural_deals(ids.size())));
  return 0;
}

int run_tag(const Context &ctx, const Args &args) {
  const auto ids = deal_ids(args);
  if (args.all("add").empty() && args.all("remove").empty())
    throw UsageError("tag: give --add and/or --remove");
  auto db = ctx.open();
  Catalog cat(db);
  std::vector<Id> add, remove;
  std::string change;
  for (const auto &t : args.all("add")) {
    add.push_back(cat.find_tag(t));
    change += " +" + cat.tag_name(add.back());
  }
  for (const auto &t : args.all("remove")) {
    remove.push_back(cat.find_tag(t));
    change += " −" + cat.tag_name(remove.back());
  }
  db.tag_deals(ctx.actor, ids, add, remove);
  report(ctx, db, ids, fmt::format("Tagged {}:{}", plural_deals(ids.size()), change));
  return 0;
}

int run_archive(const Context &ctx, const Args &args) {
  const auto ids = deal_ids(args);
  auto db = ctx.open();
  const bool archive = !args.has("undo");
  db.archive_deals(ctx.actor, ids, archive);
  report(ctx, db, ids,
         fmt::format("{} {}", archive ? "Archived" : "Restored", plural_deals(ids.size())));
  return 0;
}

}  // namespace

std::vector<Command> write_commands() {
  return {
      {"new", "--pipeline P --name NAME [--amount X] [--currency C] [--owner U] [--stage S] [--tag T]...",
       "create a deal",
       {{"pipeline", "ID|NAME", false, "pipeline of the deal (required)"},
        {"name", "NAME", false, "name of the deal (required)"},
        {"amount", "AMOUNT", false, "amount in major units, e.g. 150000 or 1500.50"},
        {"currency", "CODE", false, "ISO 4217 currency (default RUB)"},
        {"owner", "ID|NAME", false, "owner (ответственный)"},
        {"department", "ID|NAME", false, "department, if not the owner's"},
        {"stage", "ID|NAME", false, "stage (default: the pipeline's first open stage)"},
        {"tag", "ID|NAME", true, "tag to put on the deal"},
        {"client", "NAME", false, "client's display name"},
        {"client-ref", "REF", false, "client's id in the host (a 1C GUID...)"},
        {"segment", "NAME", false, "client segment"},
        {"external-ref", "REF", false, "the deal's id in the host"},
        {"contact", "ID", true, "link an existing contact"}},
       run_new},
      {"move", "<deal id>... --stage S [--pipeline P] [--lost-reason R]",
       "move deals to another stage (or pipeline)",
       {{"stage", "ID|NAME", false, "target stage (a name is looked up in the target pipeline)"},
        {"pipeline", "ID|NAME", false, "target pipeline (default: the deals' own)"},
        {"lost-reason", "TEXT", false, "why the deal was lost (lost stages only)"}},
       run_move},
      {"assign", "<deal id>... --owner U", "give deals to another owner",
       {{"owner", "ID|NAME", false, "the new owner, or 'none'"}}, run_assign},
      {"tag", "<deal id>... [--add T]... [--remove T]...", "add and remove tags on deals",
       {{"add", "ID|NAME", true, "tag to add"}, {"remove", "ID|NAME", true, "tag to remove"}},
       run_tag},
      {"archive", "<deal id>... [--undo]", "archive deals (or bring them back)",
       {{"undo", "", false, "restore archived deals"}}, run_archive},
  };
}

}  // namespace cli

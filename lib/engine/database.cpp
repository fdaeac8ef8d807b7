// Opening, the catalog (pipelines, stages, departments, users, tags),
// consistency checks and the event log.
#include <sys/stat.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <chrono>
#include <future>
#include <set>
#include <system_error>

#include <fmt/format.h>

#include "engine/handoff.hpp"
#include "engine/impl.hpp"
#include "engine/views_cache.hpp"
#include "model/json.hpp"
#include "model/text.hpp"

namespace dealcore {

using model::checked_text;
using model::JsonObject;

namespace {

Millis system_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string checked_color(const std::string &c) { return checked_text("color", c, false, 64); }

}  // namespace

Database::Impl::Impl(const std::string &path, const Options &options)
    : path_(path),
      options_(options),
      clock_(options.clock ? options.clock : Clock(system_now)),
      phones_(options.default_region),
      store_(path, options.create_if_missing, options.busy_timeout_ms) {
  {
    std::lock_guard store_lock(store_mu_);
    store_.set_max_size(options.max_size_bytes);
    // Read first: a commit by another connection from here on makes a later
    // refresh() catch up, even with what the views below already see.
    data_version_ = store_.data_version();
    load_catalog();
    open_views();
  }
#ifdef __GLIBC__
  // Building the views (or loading them) frees much of what it allocated
  // (the staged rows, the scans' buffers, the sorts' keys) in pieces malloc
  // keeps for reuse: give the free pages back to the system (~20 bytes a
  // deal of resident memory after a build at 1M deals; milliseconds).
  malloc_trim(0);
#endif
  // Views that cost a build from the tables, or a long catch-up, are cached
  // at once, not only at close: a process that never closes (killed, or
  // crashing) still leaves a cache the next open can catch up from.
  if (options_.views_cache && !cache_path_.empty() && (!from_cache_ || caught_up_events_ > kRecacheEvents)) {
    try {
      save_views_cache(options_.views_cache_min_deals, false);
    } catch (...) {
      // The cache is an optimization: an open never fails for it.
    }
  }
}

Database::Impl::~Impl() {
  if (!options_.views_cache || cache_path_.empty()) return;
  try {
    save_views_cache(options_.views_cache_min_deals, false);
  } catch (...) {
    // The cache is an optimization: a close never fails for it.
  }
}

void Database::Impl::open_views() {
  cache_path_ = views_cache_path(path_);
  if (options_.views_cache && !cache_path_.empty()) {
    auto stamp = store_.views_stamp();
    CacheStamp at;
    auto id_limit = [](std::int64_t id) {
      return static_cast<std::uint32_t>(std::clamp<std::int64_t>(id, 0, UINT32_MAX - 1));
    };
    const views::DealViews::IdLimits limits{id_limit(store_.max_contact_id()), id_limit(store_.max_task_id())};
    auto v = stamp ? read_views_cache(cache_path_, *stamp, stage_positions(), limits, at) : nullptr;
    // The views reflect the events up to at.seq: the file must hold that
    // very event. A database restored from a backup beside a newer cache (or
    // one that lost its last commits) has no event there, or after new
    // writes another one under the same seq; catching up would then read
    // nothing, or the wrong events.
    if (v && event_fingerprint_at(at.seq) != at.event) v.reset();
    if (v) {
      views_ = std::move(v);
      synced_ = {at.seq, at.stamp.outside, at.event};
      cached_ = at.stamp;
      from_cache_ = true;
      if (at.stamp == *stamp) return;
      // Behind the file by dealcore's writes only: the event log says what
      // changed since (a process that ended without closing, or another
      // process's writes).
      try {
        if (catch_up_from_events()) return;
      } catch (...) {
      }
      views_.reset();
      from_cache_ = false;
      load_catalog();
    }
  }
  views_ = build_views(&synced_);
}

bool Database::Impl::save_views_cache(std::int64_t min_deals, bool force) {
  std::shared_lock lock(mu_);
  std::lock_guard store_lock(store_mu_);
  if (cache_path_.empty()) throw Error(Errc::invalid_argument, "an in-memory database has no views cache");
  if (stale_) return false;
  std::optional<store::ViewsStamp> stamp;
  std::uint64_t event = 0;
  {
    // The stamp and data_version from one snapshot: if no other connection
    // committed since the views were built, they hold exactly that state.
    store::ReadTxn snapshot(store_.conn());
    stamp = store_.views_stamp();
    if (!stamp || store_.data_version() != data_version_) return false;
    // The views' last event must be the file's (not a restored backup's).
    if (event_fingerprint_at(synced_.seq) != synced_.event) return false;
    event = synced_.event;
  }
  if (views_->count(ArchivedMode::include) < min_deals) return false;
  if (!force && cached_ == stamp) return true;
  struct stat st {};
  const unsigned mode = ::stat(path_.c_str(), &st) == 0 ? static_cast<unsigned>(st.st_mode) : 0644u;
  write_views_cache(cache_path_, {*stamp, synced_.seq, event}, *views_, mode);
  cached_ = stamp;
  return true;
}

void Database::Impl::load_catalog() {
  pipelines_ = store_.load_pipelines();
  pipeline_at_.clear();
  for (std::size_t i = 0; i < pipelines_.size(); ++i) pipeline_at_[pipelines_[i].id] = i;
  stages_.clear();
  for (const auto &p : pipelines_)
    for (const auto &s : p.stages) stages_[s.id] = s;
  users_.clear();
  for (auto &u : store_.load_users()) users_[u.id] = u;
  departments_ = store_.load_departments();
  tags_ = store_.load_tags();
  task_types_ = store_.load_task_types();
}

std::unordered_map<Id, int> Database::Impl::stage_positions() const {
  std::unordered_map<Id, int> out;
  for (const auto &[id, s] : stages_) out[id] = s.position;
  return out;
}

// The views are built from one read transaction (one snapshot of the file).
// Reading the tables and building the views cost about the same, so a
// second thread reads while this one builds; where no thread can be had,
// the reading runs first, here.
std::unique_ptr<views::DealViews> Database::Impl::build_views(SyncPoint *at) {
  auto v = std::make_unique<views::DealViews>();
  v->set_stage_positions(stage_positions());
  struct Cancelled {};
  constexpr std::size_t kBatch = 1024, kWaiting = 16;
  Handoff<Contact> contacts(kBatch, kWaiting);
  Handoff<store::DealRecord> deals(kBatch, kWaiting);
  Handoff<Task> tasks(kBatch, kWaiting);
  const Id max_id = store_.max_deal_id();
  auto read = [&] {
    try {
      store::ReadTxn snapshot(store_.conn());
      if (at) {
        auto stamp = store_.views_stamp();
        const auto seq = store_.last_event_seq();
        *at = {seq, stamp ? stamp->outside : 0, event_fingerprint_at(seq).value_or(0)};
      }
      store_.scan_contacts([&](Contact &&c) {
        if (!contacts.push(std::move(c))) throw Cancelled{};
      });
      contacts.close();
      store_.scan_deals([&](store::DealRecord &&d) {
        if (!deals.push(std::move(d))) throw Cancelled{};
      });
      deals.close();
      store_.scan_open_tasks([&](Task &&t) {
        if (!tasks.push(std::move(t))) throw Cancelled{};
      });
      tasks.close();
    } catch (...) {
      auto e = std::current_exception();
      contacts.close(e);
      deals.close(e);
      tasks.close(e);
    }
  };
  std::future<void> reader;
  try {
    reader = std::async(std::launch::async, read);
  } catch (const std::system_error &) {
    // No second thread: read everything first, then build.
    contacts.unbound();
    deals.unbound();
    tasks.unbound();
    read();
  }
  try {
    std::vector<Contact> cs;
    while (contacts.pop(cs))
      for (const auto &c : cs) v->contacts().put(nullptr, c);
    v->begin_bulk(max_id);
    std::vector<store::DealRecord> ds;
    while (deals.pop(ds))
      for (const auto &d : ds) v->put(d);
    std::vector<Task> ts;
    while (tasks.pop(ts))
      for (const auto &t : ts) v->tasks().put(t);
  } catch (...) {
    contacts.cancel();
    deals.cancel();
    tasks.cancel();
    throw;  // the future's destructor waits for the reader
  }
  if (reader.valid()) reader.get();
  v->end_bulk();
  return v;
}

std::optional<std::uint64_t> Database::Impl::event_fingerprint_at(std::int64_t seq) {
  if (seq == 0) return 0;
  auto e = store_.event_at(seq);
  if (!e) return std::nullopt;
  return event_fingerprint(*e);
}

void Database::Impl::rebuild_views() {
  load_catalog();
  views_ = build_views(&synced_);
  from_cache_ = false;
}

void Database::Impl::catch_up() {
  if (store_.data_version() == data_version_ && !stale_) return;
  auto version = store_.data_version();
  bool done = false;
  if (!stale_) {
    try {
      done = catch_up_from_events();
    } catch (...) {
      // Half applied, perhaps: rebuilt below.
    }
  }
  if (!done) rebuild_views();
  stale_ = false;
  data_version_ = version;
}

void Database::Impl::apply(const Pending &pending) noexcept {
  try {
    if (pending.catalog) {
      load_catalog();
      views_->set_stage_positions(stage_positions());
    }
    for (const auto &[old, now] : pending.contacts) views_->contacts().put(old ? &*old : nullptr, now);
    for (const auto &d : pending.deals) views_->put(d);
    for (const auto &t : pending.tasks) views_->tasks().put(t);
    for (Id id : pending.deleted_tasks) views_->tasks().erase(id);
    return;
  } catch (...) {
  }
  // The commit stands and memory must follow it: rebuild from the tables,
  // or leave a flag for refresh() if even that fails.
  try {
    rebuild_views();
  } catch (...) {
    stale_ = true;
  }
}

const views::DealViews &Database::Impl::views() const {
  if (stale_) throw Error(Errc::internal, "the in-memory views are behind the file; call refresh()");
  return *views_;
}

void Database::Impl::check_actor(Actor a) const {
  if (a.user_id == 0) return;
  if (!users_.count(a.user_id)) throw Error(Errc::not_found, fmt::format("actor: user {} does not exist", a.user_id));
}

const Pipeline &Database::Impl::pipeline(Id id) const {
  auto at = pipeline_at_.find(id);
  if (at != pipeline_at_.end()) return pipelines_[at->second];
  throw Error(Errc::not_found, fmt::format("pipeline {} does not exist", id));
}

const Stage &Database::Impl::stage(Id id) const {
  auto it = stages_.find(id);
  if (it == stages_.end()) throw Error(Errc::not_found, fmt::format("stage {} does not exist", id));
  return it->second;
}

const User &Database::Impl::user(Id id) const {
  auto it = users_.find(id);
  if (it == users_.end()) throw Error(Errc::not_found, fmt::format("user {} does not exist", id));
  return it->second;
}

const Tag &Database::Impl::tag(Id id) const {
  for (const auto &t : tags_)
    if (t.id == id) return t;
  throw Error(Errc::not_found, fmt::format("tag {} does not exist", id));
}

void Database::Impl::check_department(Id id) const {
  for (const auto &d : departments_)
    if (d.id == id) return;
  throw Error(Errc::not_found, fmt::format("department {} does not exist", id));
}

const Stage &Database::Impl::first_open_stage(const Pipeline &p) const {
  for (const auto &s : p.stages)
    if (s.kind == StageKind::open) return s;
  throw Error(Errc::internal, fmt::format("pipeline {} has no open stage", p.id));
}

// ---- Database: opening ---------------------------------------------------

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::Database(Database &&) noexcept = default;
Database &Database::operator=(Database &&) noexcept = default;
Database::~Database() = default;

Database Database::open(const std::string &path, const Options &options) {
  if (!model::valid_utf8(path) || path.empty()) throw Error(Errc::invalid_argument, "database path must be non-empty UTF-8");
  if (options.busy_timeout_ms < 0) throw Error(Errc::invalid_argument, "busy_timeout_ms must be >= 0");
  if (options.max_size_bytes < 0) throw Error(Errc::invalid_argument, "max_size_bytes must be >= 0");
  if (options.views_cache_min_deals < 0) throw Error(Errc::invalid_argument, "views_cache_min_deals must be >= 0");
  return Database(std::make_unique<Impl>(path, options));
}

const std::string &Database::path() const { return impl_->path_; }

// ---- pipelines and stages ----------------------------------------------------

namespace {

// Validates a stage list: names, kinds, at least one open stage, at most one
// won and one lost stage, probability 0..100, rotting days > 0.
std::vector<StageSpec> checked_stages(const std::vector<StageSpec> &specs) {
  if (specs.empty()) throw Error(Errc::invalid_argument, "a pipeline needs at least one stage");
  if (specs.size() > 100) throw Error(Errc::invalid_argument, "a pipeline has at most 100 stages");
  std::vector<StageSpec> out;
  int open = 0, won = 0, lost = 0;
  std::set<Id> seen;
  for (const auto &s : specs) {
    StageSpec c = s;
    c.name = checked_text("stage name", s.name, true, model::kMaxNameBytes);
    c.color = checked_color(s.color);
    switch (s.kind) {
      case StageKind::open: ++open; break;
      case StageKind::won: ++won; break;
      case StageKind::lost: ++lost; break;
      default: throw Error(Errc::invalid_argument, "unknown stage kind");
    }
    if (s.probability && (*s.probability < 0 || *s.probability > 100))
      throw Error(Errc::invalid_argument, "stage probability must be 0..100");
    if (s.rotting_days && *s.rotting_days <= 0) throw Error(Errc::invalid_argument, "rotting days must be > 0");
    if (s.id != 0 && !seen.insert(s.id).second)
      throw Error(Errc::invalid_argument, fmt::format("stage {} is listed twice", s.id));
    out.push_back(std::move(c));
  }
  if (open == 0) throw Error(Errc::invalid_argument, "a pipeline needs at least one open stage");
  if (won > 1 || lost > 1) throw Error(Errc::invalid_argument, "a pipeline has at most one won and one lost stage");
  return out;
}

Stage stage_from(const StageSpec &s, Id pipeline, int position) {
  Stage st;
  st.id = s.id;
  st.pipeline_id = pipeline;
  st.name = s.name;
  st.kind = s.kind;
  st.position = position;
  st.color = s.color;
  st.probability = s.probability;
  st.rotting_days = s.rotting_days;
  return st;
}

}  // namespace

Id Database::create_pipeline(Actor actor, const std::string &name, const std::vector<StageSpec> &stages) {
  auto n = checked_text("pipeline name", name, true, model::kMaxNameBytes);
  auto specs = checked_stages(stages);
  for (const auto &s : specs)
    if (s.id != 0) throw Error(Errc::invalid_argument, "stages of a new pipeline must have id 0");
  return impl_->write(actor, [&](Impl::Pending &pending) {
    int position = 0;
    for (const auto &p : impl_->pipelines_) position = std::max(position, p.position + 1);
    Id id = impl_->store_.insert_pipeline(n, position);
    std::vector<Id> ids;
    for (std::size_t i = 0; i < specs.size(); ++i)
      ids.push_back(impl_->store_.insert_stage(stage_from(specs[i], id, static_cast<int>(i))));
    impl_->store_.append_event(impl_->now(), actor.user_id, 0, "pipeline.created",
                               JsonObject().num("pipeline", id).str("name", n).ids("stages", ids).done());
    pending.catalog = true;
    return id;
  });
}

void Database::rename_pipeline(Actor actor, Id pipeline_id, const std::string &name) {
  auto n = checked_text("pipeline name", name, true, model::kMaxNameBytes);
  impl_->write(actor, [&](Impl::Pending &pending) {
    Pipeline p = impl_->pipeline(pipeline_id);
    if (p.name == n) return;
    std::string old = p.name;
    p.name = n;
    impl_->store_.update_pipeline(p);
    impl_->store_.append_event(impl_->now(), actor.user_id, 0, "pipeline.renamed",
                               JsonObject().num("pipeline", p.id).str("from", old).str("to", n).done());
    pending.catalog = true;
  });
}

void Database::reorder_pipelines(Actor actor, const std::vector<Id> &order) {
  impl_->write(actor, [&](Impl::Pending &pending) {
    std::set<Id> given(order.begin(), order.end()), have;
    for (const auto &p : impl_->pipelines_) have.insert(p.id);
    if (given != have || order.size() != have.size())
      throw Error(Errc::invalid_argument, "the order must list every pipeline exactly once");
    for (std::size_t i = 0; i < order.size(); ++i) {
      Pipeline p = impl_->pipeline(order[i]);
      p.position = static_cast<int>(i);
      impl_->store_.update_pipeline(p);
    }
    impl_->store_.append_event(impl_->now(), actor.user_id, 0, "pipeline.reordered",
                               JsonObject().ids("order", order).done());
    pending.catalog = true;
  });
}

void Database::archive_pipeline(Actor actor, Id pipeline_id, bool archived) {
  impl_->write(actor, [&](Impl::Pending &pending) {
    Pipeline p = impl_->pipeline(pipeline_id);
    if (p.archived == archived) return;
    p.archived = archived;
    impl_->store_.update_pipeline(p);
    impl_->store_.append_event(impl_->now(), actor.user_id, 0, "pipeline.archived",
                               JsonObject().num("pipeline", p.id).boolean("archived", archived).done());
    pending.catalog = true;
  });
}

void Database::update_stages(Actor actor, Id pipeline_id, const std::vector<StageSpec> &stages,
                             const std::vector<std::pair<Id, Id>> &move_deals) {
  auto specs = checked_stages(stages);
  impl_->write(actor, [&](Impl::Pending &pending) {
    const Pipeline p = impl_->pipeline(pipeline_id);
    std::set<Id> kept;
    for (const auto &s : specs) {
      if (s.id == 0) continue;
      const Stage &old = impl_->stage(s.id);
      if (old.pipeline_id != pipeline_id)
        throw Error(Errc::conflict, fmt::format("stage {} belongs to pipeline {}, not {}", s.id, old.pipeline_id,
                                                pipeline_id));
      if (old.kind != s.kind)
        throw Error(Errc::conflict,
                    fmt::format("stage {} cannot change its kind; add a new stage and move the deals", s.id));
      kept.insert(s.id);
    }
    std::map<Id, Id> moves;
    for (const auto &[from, to] : move_deals) {
      if (!kept.count(to) && impl_->stages_.count(to) && impl_->stage(to).pipeline_id != pipeline_id)
        throw Error(Errc::conflict, fmt::format("stage {} belongs to another pipeline", to));
      if (kept.count(from) || !kept.count(to))
        throw Error(Errc::invalid_argument,
                    fmt::format("move ({} -> {}) must go from a deleted stage to a kept stage of the pipeline", from,
                                to));
      moves[from] = to;
    }
    Millis now = impl_->now();
    std::vector<Id> removed, added;
    // Positions first, so the moved deals land in their final place.
    for (std::size_t i = 0; i < specs.size(); ++i) {
      Stage st = stage_from(specs[i], pipeline_id, static_cast<int>(i));
      if (st.id)
        impl_->store_.update_stage(st);
      else
        added.push_back(impl_->store_.insert_stage(st));
    }
    for (const auto &old : p.stages) {
      if (kept.count(old.id)) continue;
      auto deals = impl_->store_.deal_ids_in_stage(old.id);
      if (!deals.empty()) {
        auto m = moves.find(old.id);
        if (m == moves.end())
          throw Error(Errc::constraint, fmt::format("stage {} ('{}') still holds {} deal(s); say where to move them",
                                                    old.id, old.name, deals.size()));
        // The catalog in memory still has the old positions; the target's
        // kind is all that matters here.
        const Stage &target = impl_->stage(m->second);
        for (Id id : deals) {
          auto before = impl_->load_deal(id);
          auto after = before;
          impl_->move_record(after, target, {});
          impl_->save_deal(actor, &before, after, pending, "stage deleted");
        }
      }
      impl_->store_.delete_stage(old.id);
      removed.push_back(old.id);
    }
    impl_->store_.append_event(
        now, actor.user_id, 0, "pipeline.stages_changed",
        JsonObject().num("pipeline", pipeline_id).ids("added", added).ids("removed", removed).done());
    pending.catalog = true;
  });
}

std::vector<Pipeline> Database::pipelines(bool include_archived) const {
  std::shared_lock lock(impl_->mu_);
  std::vector<Pipeline> out;
  for (const auto &p : impl_->pipelines_)
    if (include_archived || !p.archived) out.push_back(p);
  return out;
}

Pipeline Database::pipeline(Id pipeline_id) const {
  std::shared_lock lock(impl_->mu_);
  return impl_->pipeline(pipeline_id);
}

// ---- departments, users, tags ------------------------------------------------

Id Database::create_department(Actor actor, const std::string &name) {
  auto n = checked_text("department name", name, true, model::kMaxNameBytes);
  return impl_->write(actor, [&](Impl::Pending &pending) {
    Id id = impl_->store_.insert_department(n);
    impl_->store_.append_event(impl_->now(), actor.user_id, 0, "department.created",
                               JsonObject().num("department", id).str("name", n).done());
    pending.catalog = true;
    return id;
  });
}

void Database::rename_department(Actor actor, Id department_id, const std::string &name) {
  auto n = checked_text("department name", name, true, model::kMaxNameBytes);
  impl_->write(actor, [&](Impl::Pending &pending) {
    impl_->check_department(department_id);
    impl_->store_.rename_department(department_id, n);
    impl_->store_.append_event(impl_->now(), actor.user_id, 0, "department.renamed",
                               JsonObject().num("department", department_id).str("to", n).done());
    pending.catalog = true;
  });
}

std::vector<Department> Database::departments() const {
  std::shared_lock lock(impl_->mu_);
  return impl_->departments_;
}

Id Database::create_user(Actor actor, const std::string &name, Id department_id, const std::string &external_ref) {
  User u;
  u.name = checked_text("user name", name, true, model::kMaxNameBytes);
  u.department_id = department_id;
  u.external_ref = checked_text("external_ref", external_ref, false, model::kMaxRefBytes);
  return impl_->write(actor, [&](Impl::Pending &pending) {
    if (department_id) impl_->check_department(department_id);
    if (!u.external_ref.empty())
      for (const auto &[id, other] : impl_->users_)
        if (other.external_ref == u.external_ref)
          throw Error(Errc::exists, fmt::format("a user with external_ref '{}' exists (id {})", u.external_ref, id));
    Id id = impl_->store_.insert_user(u);
    impl_->store_.append_event(impl_->now(), actor.user_id, 0, "user.created",
                               JsonObject().num("user", id).str("name", u.name).num("department", department_id).done());
    pending.catalog = true;
    return id;
  });
}

void Database::update_user(Actor actor, Id user_id, const std::optional<std::string> &name,
                           const std::optional<Id> &department_id, const std::optional<bool> &active) {
  std::optional<std::string> n;
  if (name) n = checked_text("user name", *name, true, model::kMaxNameBytes);
  impl_->write(actor, [&](Impl::Pending &pending) {
    User u = impl_->user(user_id);
    JsonObject ev;
    ev.num("user", user_id);
    if (n && *n != u.name) {
      ev.str("name", *n);
      u.name = *n;
    }
    if (active && *active != u.active) {
      ev.boolean("active", *active);
      u.active = *active;
    }
    bool dept_changed = department_id && *department_id != u.department_id;
    if (dept_changed) {
      if (*department_id) impl_->check_department(*department_id);
      ev.num("department", *department_id);
      u.department_id = *department_id;
    }
    impl_->store_.update_user(u);
    impl_->store_.append_event(impl_->now(), actor.user_id, 0, "user.updated", ev.done());
    pending.catalog = true;
    if (dept_changed) {
      // Deals whose department follows their owner move with the owner.
      impl_->users_[user_id] = u;
      for (Id id : impl_->store_.deal_ids_following_owner(user_id)) {
        auto before = impl_->load_deal(id);
        auto after = before;
        after.department_id = u.department_id;
        impl_->save_deal(actor, &before, after, pending);
      }
    }
  });
}

std::vector<User> Database::users() const {
  std::shared_lock lock(impl_->mu_);
  std::vector<User> out;
  for (const auto &[id, u] : impl_->users_) out.push_back(u);
  std::sort(out.begin(), out.end(), [](const User &a, const User &b) { return a.id < b.id; });
  return out;
}

Id Database::create_tag(Actor actor, const std::string &name, const std::string &color) {
  auto n = checked_text("tag name", name, true, 200);
  auto c = checked_color(color);
  return impl_->write(actor, [&](Impl::Pending &pending) {
    auto key = model::fold_key(n);
    for (const auto &t : impl_->tags_)
      if (model::fold_key(t.name) == key)
        throw Error(Errc::exists, fmt::format("tag '{}' exists (id {})", t.name, t.id));
    Id id = impl_->store_.insert_tag(n, key, c);
    impl_->store_.append_event(impl_->now(), actor.user_id, 0, "tag.created",
                               JsonObject().num("tag", id).str("name", n).done());
    pending.catalog = true;
    return id;
  });
}

void Database::rename_tag(Actor actor, Id tag_id, const std::string &name) {
  auto n = checked_text("tag name", name, true, 200);
  impl_->write(actor, [&](Impl::Pending &pending) {
    const Tag old = impl_->tag(tag_id);
    auto key = model::fold_key(n);
    for (const auto &t : impl_->tags_)
      if (t.id != tag_id && model::fold_key(t.name) == key)
        throw Error(Errc::exists, fmt::format("tag '{}' exists (id {})", t.name, t.id));
    impl_->store_.rename_tag(tag_id, n, key);
    impl_->store_.append_event(impl_->now(), actor.user_id, 0, "tag.renamed",
                               JsonObject().num("tag", tag_id).str("from", old.name).str("to", n).done());
    pending.catalog = true;
  });
}

void Database::delete_tag(Actor actor, Id tag_id) {
  impl_->write(actor, [&](Impl::Pending &pending) {
    const Tag old = impl_->tag(tag_id);
    auto &s = impl_->store_;
    std::vector<Id> deals = s.delete_tag(tag_id);
    Millis now = impl_->now();
    for (Id id : deals) {
      auto after = impl_->load_deal(id);
      after.updated_at = now;
      s.update_deal(after);
      s.append_event(now, actor.user_id, id, "deal.tags_changed",
                     JsonObject().ids("added", {}).ids("removed", {tag_id}).done());
      pending.deals.push_back(std::move(after));
    }
    s.append_event(now, actor.user_id, 0, "tag.deleted",
                   JsonObject().num("tag", tag_id).str("name", old.name).num("deals", static_cast<std::int64_t>(deals.size())).done());
    pending.catalog = true;
  });
}

std::vector<Tag> Database::tags() const {
  std::shared_lock lock(impl_->mu_);
  return impl_->tags_;
}

// ---- the event log and consistency ------------------------------------------------

std::vector<Event> Database::events_after(std::int64_t after_seq, int limit) const {
  if (limit < 1 || limit > 10000) throw Error(Errc::invalid_argument, "limit must be 1..10000");
  if (after_seq < 0) throw Error(Errc::invalid_argument, "sequence must be >= 0");
  std::lock_guard lock(impl_->store_mu_);
  return impl_->store_.events_after(after_seq, limit);
}

std::int64_t Database::last_event_seq() const {
  std::lock_guard lock(impl_->store_mu_);
  return impl_->store_.last_event_seq();
}

VerifyReport Database::verify() const {
  std::shared_lock lock(impl_->mu_);
  std::lock_guard store_lock(impl_->store_mu_);
  VerifyReport r;
  if (impl_->store_.data_version() != impl_->data_version_) {
    r.ok = false;
    r.differences.push_back("another connection changed the file; call refresh() before verify()");
    return r;
  }
  auto fresh = impl_->build_views();
  r.differences = impl_->views().diff(*fresh);
  r.ok = r.differences.empty();
  return r;
}

bool Database::refresh() {
  std::unique_lock lock(impl_->mu_);
  std::lock_guard store_lock(impl_->store_mu_);
  bool changed = impl_->store_.data_version() != impl_->data_version_ || impl_->stale_;
  impl_->catch_up();
  return changed;
}

bool Database::save_views_cache() { return impl_->save_views_cache(0, true); }

bool Database::views_from_cache() const {
  std::shared_lock lock(impl_->mu_);
  return impl_->from_cache_;
}

}  // namespace dealcore

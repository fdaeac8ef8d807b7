// capi/internal.hpp — what the C ABI files share: the opaque structs behind
// the handles of dealcore.h, the one exception guard, and the checks that turn
// C arguments (pointers, counts, versioned structs) into C++ values.
//
// The C ABI translates and decides nothing: every rule of the model is the
// C++ API's. What is checked here is only what C can express and C++ cannot:
// NULL pointers, (pointer, count) pairs, struct versions, int32_t enums.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dealcore.h"
#include "dealcore/database.hpp"

// ---- the opaque structs ----------------------------------------------------
// Each wraps its C++ value. Children handed out as borrowed pointers (stages
// of a pipeline, deals of a page) are stored as wrapper structs too, so that
// an accessor gets a real object of the type it was declared with.

struct dealcore_db {
  struct ClockPayload {
    void *payload = nullptr;
    void (*free_payload)(void *) = nullptr;
    ClockPayload() = default;
    ClockPayload(const ClockPayload &) = delete;
    ClockPayload &operator=(const ClockPayload &) = delete;
    ~ClockPayload() {
      if (free_payload != nullptr) free_payload(payload);
    }
  };
  // Declared first so that it is destroyed last: the Database may call the
  // clock until it is gone.
  ClockPayload clock;
  std::optional<dealcore::Database> db;
};

struct dealcore_stage {
  dealcore::Stage v;
};

struct dealcore_pipeline {
  dealcore::Pipeline v;  // v.stages is moved into `stages`
  std::vector<dealcore_stage> stages;
  explicit dealcore_pipeline(dealcore::Pipeline p);
};

struct dealcore_pipelines {
  std::vector<dealcore_pipeline> items;
};

struct dealcore_department {
  dealcore::Department v;
};
struct dealcore_departments {
  std::vector<dealcore_department> items;
};

struct dealcore_user {
  dealcore::User v;
};
struct dealcore_users {
  std::vector<dealcore_user> items;
};

struct dealcore_tag {
  dealcore::Tag v;
};
struct dealcore_tags {
  std::vector<dealcore_tag> items;
};

struct dealcore_contact {
  dealcore::Contact v;
};

// A deal the caller owns (v), or an item of a list page: then view points
// into the page's DealViewPage and v stays empty.
struct dealcore_deal {
  dealcore::Deal v;
  const dealcore::DealView *view = nullptr;
};

struct dealcore_deal_page {
  dealcore::DealViewPage views;      // the items' strings, in one buffer
  std::vector<dealcore_deal> items;  // each viewing views.items; empty with ids_only
  std::vector<std::int64_t> ids;
  std::string next_cursor;
  std::int64_t total = -1;
};

struct dealcore_board_column {
  dealcore_stage stage;
  std::int64_t count = 0;
  std::vector<dealcore::Money> sums;
  std::vector<dealcore_deal> cards;
  std::string next_cursor;
};

struct dealcore_board {
  std::optional<dealcore_pipeline> pipeline;
  std::vector<dealcore_board_column> columns;
};

struct dealcore_board_totals {
  dealcore::BoardTotals v;
};

struct dealcore_event {
  dealcore::Event v;
};
struct dealcore_events {
  std::vector<dealcore_event> items;
};

struct dealcore_id_list {
  std::vector<std::int64_t> ids;
};

struct dealcore_verify_report {
  dealcore::VerifyReport v;
};

struct dealcore_task_type {
  dealcore::TaskType v;
};
struct dealcore_task_types {
  std::vector<dealcore_task_type> items;
};

struct dealcore_task {
  dealcore::Task v;
};
struct dealcore_tasks {
  std::vector<dealcore_task> items;
};

struct dealcore_task_block_item {
  dealcore_task task;
  std::string deal_name;
  std::int64_t pipeline_id = 0;
  std::int64_t stage_id = 0;
  std::string stage_name;
};
struct dealcore_task_group {
  std::int32_t kind = 0;
  std::int64_t total = 0;
  std::vector<dealcore_task_block_item> items;
};
struct dealcore_task_block {
  std::vector<dealcore_task_group> groups;
};

struct dealcore_activity {
  dealcore::Activity v;
};

struct dealcore_timeline_entry {
  dealcore::TimelineEntry v;
};
struct dealcore_timeline_page {
  std::vector<dealcore_timeline_entry> pinned;
  std::vector<dealcore_timeline_entry> items;
  std::string next_cursor;
};

struct dealcore_stage_interval {
  dealcore::StageInterval v;
};
struct dealcore_stage_history {
  std::vector<dealcore_stage_interval> items;
};

namespace dealcore::capi {

// ---- errors ----------------------------------------------------------------

// Records the outcome of a call for dealcore_error_last(); never throws.
void set_last_error(int code, const char *function, const char *message) noexcept;
void clear_last_error() noexcept;

[[noreturn]] void throw_invalid(const std::string &message);

// The one guard every status-returning extern "C" body goes through. `body`
// may throw anything; the guard maps dealcore::Error to its code, bad_alloc
// to DEALCORE_ENOMEM and anything else to DEALCORE_EINTERNAL, records the
// message and returns the status.
template <class Body>
int guard(const char *function, Body &&body) noexcept {
  try {
    clear_last_error();
    body();
    return DEALCORE_OK;
  } catch (const dealcore::Error &e) {
    int code = static_cast<int>(e.code());
    // An Error carrying ok (or a positive value) would read as success in C.
    if (code >= 0) code = DEALCORE_EINTERNAL;
    set_last_error(code, function, e.what());
    return code;
  } catch (const std::bad_alloc &) {
    set_last_error(DEALCORE_ENOMEM, function, "out of memory");
    return DEALCORE_ENOMEM;
  } catch (const std::exception &e) {
    set_last_error(DEALCORE_EINTERNAL, function, e.what());
    return DEALCORE_EINTERNAL;
  } catch (...) {
    set_last_error(DEALCORE_EINTERNAL, function, "unknown exception");
    return DEALCORE_EINTERNAL;
  }
}

// ---- argument checks (each throws Errc::invalid_argument or Errc::version) --

// A pointer the call cannot do without: a handle, an out pointer, a struct.
template <class T>
T *need(T *p, const char *what) {
  if (p == nullptr) throw_invalid(std::string(what) + " is NULL");
  return p;
}

// Sets *out to its "nothing" value first, so a failed call leaves it defined.
template <class T>
T *need_out(T *out) {
  need(out, "out");
  *out = T{};
  return out;
}

inline dealcore::Database &db_of(dealcore_db *db) { return *need(db, "db")->db; }
inline const dealcore::Database &db_of(const dealcore_db *db) { return *need(db, "db")->db; }

inline dealcore::Actor actor(std::int64_t actor_id) { return dealcore::Actor{actor_id}; }

// A required string: NULL is invalid; the C++ API judges the content.
std::string text(const char *s, const char *what);
// An optional string: NULL means "".
inline std::string opt_text(const char *s) { return s == nullptr ? std::string() : std::string(s); }

std::vector<std::int64_t> ids(const std::int64_t *p, std::size_t n, const char *what);
std::vector<std::string> texts(const char *const *p, std::size_t n, const char *what);

// Struct versions this library knows: exactly `known` for a struct that was
// never extended, or oldest..newest for one that grew fields (libgit2's way:
// an earlier version is read without its later fields, which keep their
// defaults).
void check_version(std::uint32_t version, std::uint32_t known, const char *struct_name);
void check_version(std::uint32_t version, std::uint32_t oldest, std::uint32_t newest,
                   const char *struct_name);

bool flag(std::int32_t v);  // int32_t boolean: 0 false, anything else true
StageKind stage_kind(std::int32_t v, const char *what);
ArchivedMode archived_mode(std::int32_t v, const char *what);
SortField sort_field(std::int32_t v, const char *what);
std::optional<int> opt_int(std::int32_t v);  // DEALCORE_NONE -> nullopt
// A tri-state int32_t: DEALCORE_NONE -> nullopt, 0 / 1 -> false / true, else invalid.
std::optional<bool> opt_bool(std::int32_t v, const char *what);
ActivityLevel activity_level(std::int32_t v, const char *what);
// An optional IANA time zone name: NULL means "UTC"; the C++ API judges it.
inline std::string time_zone(const char *s) { return s == nullptr ? std::string("UTC") : std::string(s); }

std::vector<StageSpec> stage_specs(const dealcore_stage_spec *p, std::size_t n);

// The *_init() functions: check the version, copy the defaults.
template <class T>
int init_struct(const char *function, const char *struct_name, T *s, std::uint32_t version,
                std::uint32_t known, const T &defaults) noexcept {
  return guard(function, [&] {
    need(s, struct_name);
    check_version(version, known, struct_name);
    *s = defaults;
  });
}

// The *_init() of a struct that grew fields: version `v` of it may be the
// smaller struct of an earlier header, so only its first size_of(v) bytes are
// written.
template <class T, class SizeOf>
int init_struct(const char *function, const char *struct_name, T *s, std::uint32_t version,
                std::uint32_t oldest, std::uint32_t newest, const T &defaults,
                SizeOf size_of) noexcept {
  return guard(function, [&] {
    need(s, struct_name);
    check_version(version, oldest, newest, struct_name);
    T copy = defaults;
    copy.version = version;
    std::memcpy(static_cast<void *>(s), &copy, size_of(version));
  });
}

}  // namespace dealcore::capi

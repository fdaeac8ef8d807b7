// capi/common.cpp — versions, status codes, the thread-local error, strings,
// id lists, and the argument checks of capi/internal.hpp.
#include <cstdlib>
#include <cstring>
#include <string>

#include "dealcore/error.hpp"
#include "dealcore/version.hpp"
#include "internal.hpp"

// The C status codes are the C++ Errc values; the header spells them twice.
static_assert(DEALCORE_OK == static_cast<int>(dealcore::Errc::ok));
static_assert(DEALCORE_EINVALID == static_cast<int>(dealcore::Errc::invalid_argument));
static_assert(DEALCORE_ENOTFOUND == static_cast<int>(dealcore::Errc::not_found));
static_assert(DEALCORE_EEXISTS == static_cast<int>(dealcore::Errc::exists));
static_assert(DEALCORE_ECONFLICT == static_cast<int>(dealcore::Errc::conflict));
static_assert(DEALCORE_ECONSTRAINT == static_cast<int>(dealcore::Errc::constraint));
static_assert(DEALCORE_EBUSY == static_cast<int>(dealcore::Errc::busy));
static_assert(DEALCORE_EIO == static_cast<int>(dealcore::Errc::io));
static_assert(DEALCORE_ENOMEM == static_cast<int>(dealcore::Errc::no_memory));
static_assert(DEALCORE_EINTERNAL == static_cast<int>(dealcore::Errc::internal));
static_assert(DEALCORE_EVERSION == static_cast<int>(dealcore::Errc::version));
static_assert(DEALCORE_STAGE_OPEN == static_cast<int>(dealcore::StageKind::open));
static_assert(DEALCORE_STAGE_WON == static_cast<int>(dealcore::StageKind::won));
static_assert(DEALCORE_STAGE_LOST == static_cast<int>(dealcore::StageKind::lost));
static_assert(DEALCORE_ARCHIVED_EXCLUDE == static_cast<int>(dealcore::ArchivedMode::exclude));
static_assert(DEALCORE_ARCHIVED_ONLY == static_cast<int>(dealcore::ArchivedMode::only));
static_assert(DEALCORE_ARCHIVED_INCLUDE == static_cast<int>(dealcore::ArchivedMode::include));
static_assert(DEALCORE_SORT_UPDATED == static_cast<int>(dealcore::SortField::updated));
static_assert(DEALCORE_SORT_CREATED == static_cast<int>(dealcore::SortField::created));
static_assert(DEALCORE_SORT_AMOUNT == static_cast<int>(dealcore::SortField::amount));
static_assert(DEALCORE_SORT_NAME == static_cast<int>(dealcore::SortField::name));
static_assert(DEALCORE_SORT_STAGE == static_cast<int>(dealcore::SortField::stage));
static_assert(DEALCORE_SORT_NEXT_TASK_DUE == static_cast<int>(dealcore::SortField::next_task_due));
static_assert(DEALCORE_TASK_STATE_NONE == static_cast<int>(dealcore::TaskState::none));
static_assert(DEALCORE_TASK_STATE_OVERDUE == static_cast<int>(dealcore::TaskState::overdue));
static_assert(DEALCORE_TASK_STATE_TODAY == static_cast<int>(dealcore::TaskState::today));
static_assert(DEALCORE_TASK_STATE_PLANNED == static_cast<int>(dealcore::TaskState::planned));
static_assert(DEALCORE_TASK_CALL == dealcore::kTaskCall);
static_assert(DEALCORE_TASK_MEETING == dealcore::kTaskMeeting);
static_assert(DEALCORE_TASK_EMAIL == dealcore::kTaskEmail);
static_assert(DEALCORE_TASK_FOLLOW_UP == dealcore::kTaskFollowUp);
static_assert(DEALCORE_TASK_GROUP_OVERDUE == static_cast<int>(dealcore::TaskGroup::overdue));
static_assert(DEALCORE_TASK_GROUP_TODAY == static_cast<int>(dealcore::TaskGroup::today));
static_assert(DEALCORE_TASK_GROUP_TOMORROW == static_cast<int>(dealcore::TaskGroup::tomorrow));
static_assert(DEALCORE_TASK_GROUP_THIS_WEEK == static_cast<int>(dealcore::TaskGroup::this_week));
static_assert(DEALCORE_TASK_GROUP_LATER == static_cast<int>(dealcore::TaskGroup::later));
static_assert(DEALCORE_ACTIVITY_NONE == static_cast<int>(dealcore::ActivityLevel::none));
static_assert(DEALCORE_ACTIVITY_LOW == static_cast<int>(dealcore::ActivityLevel::low));
static_assert(DEALCORE_ACTIVITY_NORMAL == static_cast<int>(dealcore::ActivityLevel::normal));
static_assert(DEALCORE_ACTIVITY_HIGH == static_cast<int>(dealcore::ActivityLevel::high));
static_assert(sizeof(dealcore::Id) == sizeof(std::int64_t));

namespace {

struct LastError {
  int code = DEALCORE_OK;
  std::string message;
  // Used when the message itself could not be allocated.
  const char *fallback = nullptr;
};

thread_local LastError last_error;

}  // namespace

namespace dealcore::capi {

void set_last_error(int code, const char *function, const char *message) noexcept {
  last_error.code = code;
  last_error.fallback = nullptr;
  try {
    last_error.message.assign(function);
    last_error.message.append(": ");
    last_error.message.append(message != nullptr ? message : "");
  } catch (...) {
    last_error.message.clear();
    last_error.fallback = "out of memory while reporting an error";
  }
}

void clear_last_error() noexcept {
  last_error.code = DEALCORE_OK;
  last_error.fallback = nullptr;
  last_error.message.clear();  // keeps the capacity: no allocation on the happy path
}

void throw_invalid(const std::string &message) { throw Error(Errc::invalid_argument, message); }

std::string text(const char *s, const char *what) {
  if (s == nullptr) throw_invalid(std::string(what) + " is NULL");
  return std::string(s);
}

std::vector<std::int64_t> ids(const std::int64_t *p, std::size_t n, const char *what) {
  if (n == 0) return {};
  if (p == nullptr) throw_invalid(std::string(what) + " is NULL but its count is not 0");
  return std::vector<std::int64_t>(p, p + n);
}

std::vector<std::string> texts(const char *const *p, std::size_t n, const char *what) {
  std::vector<std::string> out;
  if (n == 0) return out;
  if (p == nullptr) throw_invalid(std::string(what) + " is NULL but its count is not 0");
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (p[i] == nullptr) throw_invalid(std::string(what) + "[" + std::to_string(i) + "] is NULL");
    out.emplace_back(p[i]);
  }
  return out;
}

void check_version(std::uint32_t version, std::uint32_t known, const char *struct_name) {
  check_version(version, known, known, struct_name);
}

void check_version(std::uint32_t version, std::uint32_t oldest, std::uint32_t newest,
                   const char *struct_name) {
  if (version >= oldest && version <= newest) return;
  std::string known = std::to_string(newest);
  if (oldest != newest) known = std::to_string(oldest) + ".." + known;
  std::string message = std::string(struct_name) + ": version " + std::to_string(version) +
                        " is not known to this library (it knows " + known + ")";
  if (version == 0) message += "; initialize the struct with its _INIT macro or _init function";
  throw Error(Errc::version, message);
}

bool flag(std::int32_t v) { return v != 0; }

StageKind stage_kind(std::int32_t v, const char *what) {
  if (v < DEALCORE_STAGE_OPEN || v > DEALCORE_STAGE_LOST)
    throw_invalid(std::string(what) + ": " + std::to_string(v) + " is no DEALCORE_STAGE_* value");
  return static_cast<StageKind>(v);
}

ArchivedMode archived_mode(std::int32_t v, const char *what) {
  if (v < DEALCORE_ARCHIVED_EXCLUDE || v > DEALCORE_ARCHIVED_INCLUDE)
    throw_invalid(std::string(what) + ": " + std::to_string(v) +
                  " is no DEALCORE_ARCHIVED_* value");
  return static_cast<ArchivedMode>(v);
}

SortField sort_field(std::int32_t v, const char *what) {
  if (v < DEALCORE_SORT_UPDATED || v > DEALCORE_SORT_NEXT_TASK_DUE)
    throw_invalid(std::string(what) + ": " + std::to_string(v) + " is no DEALCORE_SORT_* value");
  return static_cast<SortField>(v);
}

std::optional<int> opt_int(std::int32_t v) {
  if (v == DEALCORE_NONE) return std::nullopt;
  return v;
}

std::optional<bool> opt_bool(std::int32_t v, const char *what) {
  if (v == DEALCORE_NONE) return std::nullopt;
  if (v != 0 && v != 1)
    throw_invalid(std::string(what) + ": " + std::to_string(v) + " is none of DEALCORE_NONE, 0, 1");
  return v == 1;
}

ActivityLevel activity_level(std::int32_t v, const char *what) {
  if (v < DEALCORE_ACTIVITY_NONE || v > DEALCORE_ACTIVITY_HIGH)
    throw_invalid(std::string(what) + ": " + std::to_string(v) +
                  " is no DEALCORE_ACTIVITY_* value");
  return static_cast<ActivityLevel>(v);
}

std::vector<StageSpec> stage_specs(const dealcore_stage_spec *p, std::size_t n) {
  std::vector<StageSpec> out;
  if (n == 0) return out;
  if (p == nullptr) throw_invalid("stages is NULL but its count is not 0");
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    // Every element must carry the same version: the array's stride depends on it.
    check_version(p[i].version, DEALCORE_STAGE_SPEC_VERSION, "dealcore_stage_spec");
    StageSpec spec;
    spec.id = p[i].id;
    spec.name = text(p[i].name, "stage name");
    spec.kind = stage_kind(p[i].kind, "stage kind");
    spec.color = opt_text(p[i].color);
    spec.probability = opt_int(p[i].probability);
    spec.rotting_days = opt_int(p[i].rotting_days);
    out.push_back(std::move(spec));
  }
  return out;
}

}  // namespace dealcore::capi

using namespace dealcore::capi;

extern "C" {

const char *dealcore_version(void) noexcept { return dealcore::version(); }

int32_t dealcore_abi_version(void) noexcept { return DEALCORE_ABI_VERSION; }

const char *dealcore_status_str(int status) noexcept {
  if (status < DEALCORE_EVERSION || status > DEALCORE_OK) return "unknown status";
  return dealcore::errc_name(static_cast<dealcore::Errc>(status));
}

const char *dealcore_error_last(void) noexcept {
  return last_error.fallback != nullptr ? last_error.fallback : last_error.message.c_str();
}

int dealcore_error_last_code(void) noexcept { return last_error.code; }

void dealcore_string_free(char *s) noexcept { std::free(s); }

size_t dealcore_id_list_count(const dealcore_id_list *list) noexcept {
  return list == nullptr ? 0 : list->ids.size();
}

int64_t dealcore_id_list_at(const dealcore_id_list *list, size_t i) noexcept {
  return list == nullptr || i >= list->ids.size() ? 0 : list->ids[i];
}

const int64_t *dealcore_id_list_data(const dealcore_id_list *list) noexcept {
  return list == nullptr || list->ids.empty() ? nullptr : list->ids.data();
}

void dealcore_id_list_free(dealcore_id_list *list) noexcept { delete list; }

}  // extern "C"

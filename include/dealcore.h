/*
 * dealcore.h — the C ABI of dealcore: CRM deals, pipelines, the list and the
 * kanban, for hosts written in C and for language bindings.
 *
 * This header defines opaque handles, int status codes, versioned option and
 * filter structs and snapshot result objects over the C++ API
 * (dealcore/database.hpp). It is C99 and also compiles as C++.
 *
 *   dealcore_db *db = NULL;
 *   if (dealcore_db_open(&db, "crm.db", NULL) != DEALCORE_OK) {
 *     fprintf(stderr, "%s\n", dealcore_error_last());
 *   }
 *   ...
 *   dealcore_db_close(db);
 *
 * Conventions (docs/c-api.md has the full text and a reference table):
 *  - Every function that can fail returns an int status: DEALCORE_OK (0) or a
 *    negative DEALCORE_E* code; dealcore_error_last() tells the details.
 *  - Outputs come first and are named out; on failure *out is set to NULL / 0.
 *  - A NULL handle, NULL out pointer or NULL required string is
 *    DEALCORE_EINVALID. A NULL optional string means "".
 *  - A struct whose version field this library does not know (0 included: an
 *    uninitialized struct) is DEALCORE_EVERSION. Fields are only appended, with
 *    a new version number; a struct of an earlier version is still accepted,
 *    and its missing fields read as their defaults.
 *  - Mutating calls take int64_t actor_id: the user on whose behalf the call
 *    runs, 0 for the system actor. A failed call has changed nothing.
 *  - Result objects are snapshots: a count, at(i) accessors returning borrowed
 *    pointers, *_free(). Strings and pointers an accessor returns stay valid
 *    until the object that owns them is freed. Accessors never fail: given
 *    NULL or an index out of range they return 0, "" or NULL.
 *  - Strings are UTF-8. A string the library allocates for the caller is
 *    released with dealcore_string_free(), never with free().
 *  - Every *_free / *_close accepts NULL.
 *
 * Thread safety: a dealcore_db may be shared by threads (reads run in
 * parallel, writes are serialized). Result objects are plain data: one thread
 * at a time. dealcore_error_last() is per thread. See docs/threading.md.
 */
#ifndef DEALCORE_H
#define DEALCORE_H

#include <stddef.h>
#include <stdint.h>

#include "dealcore/export.h"
#include "dealcore/version.h"

/* Marks the functions noexcept for C++ callers: no exception crosses the ABI. */
#if defined(__cplusplus) && __cplusplus >= 201103L
#define DEALCORE_NOEXCEPT noexcept
#elif defined(__cplusplus)
#define DEALCORE_NOEXCEPT throw()
#else
#define DEALCORE_NOEXCEPT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- status codes ------------------------------------------------------ */

/* The values equal dealcore::Errc of the C++ API. */
typedef enum dealcore_status {
  DEALCORE_OK = 0,
  DEALCORE_EINVALID = -1,    /* bad input: NULL, empty or invalid UTF-8 text, bad range */
  DEALCORE_ENOTFOUND = -2,   /* an id or external_ref that does not exist */
  DEALCORE_EEXISTS = -3,     /* a unique name or external_ref already taken */
  DEALCORE_ECONFLICT = -4,   /* contradicts current state (stage of another pipeline) */
  DEALCORE_ECONSTRAINT = -5, /* a model rule forbids it (deleting a stage with deals) */
  DEALCORE_EBUSY = -6,       /* the file stayed locked by another process too long */
  DEALCORE_EIO = -7,         /* the file could not be read or written */
  DEALCORE_ENOMEM = -8,      /* out of memory */
  DEALCORE_EINTERNAL = -9,   /* a bug: please report it with the message */
  DEALCORE_EVERSION = -10    /* unknown struct version, or a newer schema on disk */
} dealcore_status;

/* Values of int32_t enum parameters and fields. */
enum { DEALCORE_STAGE_OPEN = 0, DEALCORE_STAGE_WON = 1, DEALCORE_STAGE_LOST = 2 };
enum {
  DEALCORE_ARCHIVED_EXCLUDE = 0, /* only deals that are not archived (default) */
  DEALCORE_ARCHIVED_ONLY = 1,
  DEALCORE_ARCHIVED_INCLUDE = 2
};
enum {
  DEALCORE_SORT_UPDATED = 0,
  DEALCORE_SORT_CREATED = 1,
  DEALCORE_SORT_AMOUNT = 2,
  DEALCORE_SORT_NAME = 3,
  DEALCORE_SORT_STAGE = 4,
  DEALCORE_SORT_NEXT_TASK_DUE = 5 /* deals without an open task last, in either direction */
};
/* The state of a deal's open tasks as a list item or board card shows it. */
enum {
  DEALCORE_TASK_STATE_NONE = 0,    /* no open task */
  DEALCORE_TASK_STATE_OVERDUE = 1, /* one is past due */
  DEALCORE_TASK_STATE_TODAY = 2,   /* the nearest is due today (local day) */
  DEALCORE_TASK_STATE_PLANNED = 3  /* all are due later */
};
/* The ids of the built-in task types; companies add their own. */
enum {
  DEALCORE_TASK_CALL = 1,
  DEALCORE_TASK_MEETING = 2,
  DEALCORE_TASK_EMAIL = 3,
  DEALCORE_TASK_FOLLOW_UP = 4
};
/* The groups of the task block, in this order. */
enum {
  DEALCORE_TASK_GROUP_OVERDUE = 0,
  DEALCORE_TASK_GROUP_TODAY = 1,
  DEALCORE_TASK_GROUP_TOMORROW = 2,
  DEALCORE_TASK_GROUP_THIS_WEEK = 3,
  DEALCORE_TASK_GROUP_LATER = 4
};
/* Levels of the activity indicator (docs/activity.md). */
enum {
  DEALCORE_ACTIVITY_NONE = 0,
  DEALCORE_ACTIVITY_LOW = 1,
  DEALCORE_ACTIVITY_NORMAL = 2,
  DEALCORE_ACTIVITY_HIGH = 3
};

/* "No value" for the optional int32_t fields (stage probability, rotting days,
 * the has_open_tasks / has_overdue_task / rotting filters) and what their
 * accessors return when unset. */
#define DEALCORE_NONE (-1)

/* ---- library, errors, strings -------------------------------------------- */

/* "MAJOR.MINOR.PATCH" of the library actually linked. */
DEALCORE_EXPORT const char *dealcore_version(void) DEALCORE_NOEXCEPT;
/* The ABI number of the library actually linked; a host built against this
 * header should check it equals DEALCORE_ABI_VERSION. */
DEALCORE_EXPORT int32_t dealcore_abi_version(void) DEALCORE_NOEXCEPT;
/* Short English text for a status code ("not found"); never NULL. */
DEALCORE_EXPORT const char *dealcore_status_str(int status) DEALCORE_NOEXCEPT;
/* The message of the last status-returning call made on this thread: "" when
 * it succeeded. Never NULL; valid until the next call on this thread. */
DEALCORE_EXPORT const char *dealcore_error_last(void) DEALCORE_NOEXCEPT;
/* The status of that call (DEALCORE_OK when it succeeded). */
DEALCORE_EXPORT int dealcore_error_last_code(void) DEALCORE_NOEXCEPT;
/* Releases a string the library allocated (dealcore_phone_normalize). */
DEALCORE_EXPORT void dealcore_string_free(char *s) DEALCORE_NOEXCEPT;

/* ---- opaque handles ------------------------------------------------------- */

/* An open database. Thread safety: safe to share between threads. */
typedef struct dealcore_db dealcore_db;
/* Snapshot result objects. Thread safety: one thread at a time. */
typedef struct dealcore_pipeline dealcore_pipeline;
typedef struct dealcore_pipelines dealcore_pipelines;
typedef struct dealcore_stage dealcore_stage;
typedef struct dealcore_department dealcore_department;
typedef struct dealcore_departments dealcore_departments;
typedef struct dealcore_user dealcore_user;
typedef struct dealcore_users dealcore_users;
typedef struct dealcore_tag dealcore_tag;
typedef struct dealcore_tags dealcore_tags;
typedef struct dealcore_contact dealcore_contact;
typedef struct dealcore_deal dealcore_deal;
typedef struct dealcore_deal_page dealcore_deal_page;
typedef struct dealcore_board dealcore_board;
typedef struct dealcore_board_column dealcore_board_column;
typedef struct dealcore_board_totals dealcore_board_totals;
typedef struct dealcore_event dealcore_event;
typedef struct dealcore_events dealcore_events;
typedef struct dealcore_id_list dealcore_id_list;
typedef struct dealcore_verify_report dealcore_verify_report;
typedef struct dealcore_task_type dealcore_task_type;
typedef struct dealcore_task_types dealcore_task_types;
typedef struct dealcore_task dealcore_task;
typedef struct dealcore_tasks dealcore_tasks;
typedef struct dealcore_task_block dealcore_task_block;
typedef struct dealcore_task_group dealcore_task_group;
typedef struct dealcore_task_block_item dealcore_task_block_item;
typedef struct dealcore_activity dealcore_activity;
typedef struct dealcore_timeline_page dealcore_timeline_page;
typedef struct dealcore_timeline_entry dealcore_timeline_entry;
typedef struct dealcore_stage_history dealcore_stage_history;
typedef struct dealcore_stage_interval dealcore_stage_interval;

/* ---- opening ---------------------------------------------------------------- */

typedef struct dealcore_open_options {
  uint32_t version;           /* DEALCORE_OPEN_OPTIONS_VERSION */
  int32_t create_if_missing;  /* default 1 */
  const char *default_region; /* for phones written without "+"; NULL: "RU" */
  int32_t busy_timeout_ms;    /* default 5000 */
  /* Test hook: the clock for every timestamp the library writes, in ms since
   * the Unix epoch, UTC; NULL: the system clock. It is called by the thread that
   * writes, while writes are serialized: never concurrently with itself. */
  int64_t (*clock)(void *payload);
  void *clock_payload;
  /* Optional: called once with clock_payload when the db is closed, or at
   * once when dealcore_db_open fails. */
  void (*clock_payload_free)(void *payload);
  /* Upper bound of the file's size, 0: none. A write that would pass it fails
   * with DEALCORE_EIO, like a full disk, and changes nothing. */
  int64_t max_size_bytes;
  /* version 2 */
  /* The views cache, a file beside the database ("<path>-views"): the open
   * loads the views from it when it was written from exactly the rows the
   * file holds now, and builds them from the tables otherwise; closing
   * writes it when the views hold at least views_cache_min_deals deals and
   * it does not hold them already. A missing, stale or damaged cache is
   * never an error. 0: neither read nor written on its own. Default 1. */
  int32_t views_cache;
  int64_t views_cache_min_deals; /* default 10000, >= 0 */
} dealcore_open_options;

#define DEALCORE_OPEN_OPTIONS_VERSION 2
#define DEALCORE_OPEN_OPTIONS_INIT \
  { DEALCORE_OPEN_OPTIONS_VERSION, 1, NULL, 5000, NULL, NULL, NULL, 0, 1, 10000 }
/* Fills opts with the defaults of that version; DEALCORE_EVERSION if unknown. */
DEALCORE_EXPORT int dealcore_open_options_init(dealcore_open_options *opts,
                                               uint32_t version) DEALCORE_NOEXCEPT;

/* Opens (or creates) the file, migrates its schema, builds the views.
 * options may be NULL (defaults). EIO, EBUSY, or EVERSION for a newer schema. */
DEALCORE_EXPORT int dealcore_db_open(dealcore_db **out, const char *path,
                                     const dealcore_open_options *options) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT void dealcore_db_close(dealcore_db *db) DEALCORE_NOEXCEPT;
/* The path given to dealcore_db_open; "" for NULL. */
DEALCORE_EXPORT const char *dealcore_db_path(const dealcore_db *db) DEALCORE_NOEXCEPT;
/* Rebuilds the views aside and compares them with the live ones. */
DEALCORE_EXPORT int dealcore_db_verify(dealcore_verify_report **out,
                                       const dealcore_db *db) DEALCORE_NOEXCEPT;
/* If another connection changed the file, brings the views up to date (from
 * the event log when only dealcore wrote, else by a rebuild from the
 * tables); *out is 1 then. */
DEALCORE_EXPORT int dealcore_db_refresh(int32_t *out, dealcore_db *db) DEALCORE_NOEXCEPT;
/* Writes the views cache now, whatever the number of deals. *out_saved: 1
 * written, 0 when the views are behind the file (another connection wrote;
 * refresh first) or another program deleted the file's views stamp row.
 * EIO when it cannot be written (the previous cache is then intact),
 * EINVALID for ":memory:". */
DEALCORE_EXPORT int dealcore_db_save_views_cache(int32_t *out_saved, dealcore_db *db) DEALCORE_NOEXCEPT;
/* *out: 1 when the views in memory were loaded from the views cache (and
 * caught up from the event log if it was stale by dealcore's writes only),
 * 0 when they were built from the tables. */
DEALCORE_EXPORT int dealcore_db_views_from_cache(int32_t *out, const dealcore_db *db) DEALCORE_NOEXCEPT;

DEALCORE_EXPORT int32_t dealcore_verify_report_ok(const dealcore_verify_report *report)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT size_t dealcore_verify_report_difference_count(const dealcore_verify_report *report)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_verify_report_difference_at(
    const dealcore_verify_report *report, size_t i) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT void dealcore_verify_report_free(dealcore_verify_report *report) DEALCORE_NOEXCEPT;

/* ---- pipelines and stages --------------------------------------------------- */

/* A stage as the caller describes it. id 0 means "a new stage" in
 * dealcore_pipeline_update_stages; a non-zero id keeps an existing stage.
 * In an array every element must carry the same version. */
typedef struct dealcore_stage_spec {
  uint32_t version; /* DEALCORE_STAGE_SPEC_VERSION */
  int64_t id;
  const char *name;
  int32_t kind;         /* DEALCORE_STAGE_OPEN / _WON / _LOST */
  const char *color;    /* free text, e.g. "#99ccff"; NULL: "" */
  int32_t probability;  /* 0..100, or DEALCORE_NONE */
  int32_t rotting_days; /* > 0, or DEALCORE_NONE */
} dealcore_stage_spec;

#define DEALCORE_STAGE_SPEC_VERSION 1
#define DEALCORE_STAGE_SPEC_INIT \
  { DEALCORE_STAGE_SPEC_VERSION, 0, NULL, DEALCORE_STAGE_OPEN, NULL, DEALCORE_NONE, DEALCORE_NONE }
DEALCORE_EXPORT int dealcore_stage_spec_init(dealcore_stage_spec *spec,
                                             uint32_t version) DEALCORE_NOEXCEPT;

/* "Move the deals of deleted stage from_stage_id to to_stage_id." */
typedef struct dealcore_stage_move {
  int64_t from_stage_id;
  int64_t to_stage_id;
} dealcore_stage_move;

/* A pipeline needs at least one open stage; won/lost stages are optional. */
DEALCORE_EXPORT int dealcore_pipeline_create(int64_t *out, dealcore_db *db, int64_t actor_id,
                                             const char *name, const dealcore_stage_spec *stages,
                                             size_t stage_count) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_pipeline_rename(dealcore_db *db, int64_t actor_id, int64_t pipeline_id,
                                             const char *name) DEALCORE_NOEXCEPT;
/* ids must list every pipeline exactly once. */
DEALCORE_EXPORT int dealcore_pipeline_reorder(dealcore_db *db, int64_t actor_id, const int64_t *ids,
                                              size_t count) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_pipeline_archive(dealcore_db *db, int64_t actor_id,
                                              int64_t pipeline_id,
                                              int32_t archived) DEALCORE_NOEXCEPT;
/* Replaces the stage list: specs with an id keep that stage, id 0 adds one, a
 * stage left out is deleted. A deleted stage that still holds deals needs a
 * move to a kept stage of the same pipeline; otherwise ECONSTRAINT. */
DEALCORE_EXPORT int dealcore_pipeline_update_stages(
    dealcore_db *db, int64_t actor_id, int64_t pipeline_id, const dealcore_stage_spec *stages,
    size_t stage_count, const dealcore_stage_move *moves, size_t move_count) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_pipeline_list(dealcore_pipelines **out, const dealcore_db *db,
                                           int32_t include_archived) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_pipeline_get(dealcore_pipeline **out, const dealcore_db *db,
                                          int64_t pipeline_id) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT void dealcore_pipeline_free(dealcore_pipeline *pipeline) DEALCORE_NOEXCEPT;

DEALCORE_EXPORT size_t dealcore_pipelines_count(const dealcore_pipelines *list) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const dealcore_pipeline *dealcore_pipelines_at(const dealcore_pipelines *list,
                                                               size_t i) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT void dealcore_pipelines_free(dealcore_pipelines *list) DEALCORE_NOEXCEPT;

DEALCORE_EXPORT int64_t dealcore_pipeline_id(const dealcore_pipeline *p) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_pipeline_name(const dealcore_pipeline *p) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int32_t dealcore_pipeline_position(const dealcore_pipeline *p) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int32_t dealcore_pipeline_archived(const dealcore_pipeline *p) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT size_t dealcore_pipeline_stage_count(const dealcore_pipeline *p) DEALCORE_NOEXCEPT;
/* Stages in board order. */
DEALCORE_EXPORT const dealcore_stage *dealcore_pipeline_stage_at(const dealcore_pipeline *p,
                                                                 size_t i) DEALCORE_NOEXCEPT;

DEALCORE_EXPORT int64_t dealcore_stage_id(const dealcore_stage *s) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_stage_pipeline_id(const dealcore_stage *s) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_stage_name(const dealcore_stage *s) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int32_t dealcore_stage_kind(const dealcore_stage *s) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int32_t dealcore_stage_position(const dealcore_stage *s) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_stage_color(const dealcore_stage *s) DEALCORE_NOEXCEPT;
/* DEALCORE_NONE when unset. */
DEALCORE_EXPORT int32_t dealcore_stage_probability(const dealcore_stage *s) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int32_t dealcore_stage_rotting_days(const dealcore_stage *s) DEALCORE_NOEXCEPT;

/* ---- departments, users, tags ----------------------------------------------- */

DEALCORE_EXPORT int dealcore_department_create(int64_t *out, dealcore_db *db, int64_t actor_id,
                                               const char *name) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_department_rename(dealcore_db *db, int64_t actor_id,
                                               int64_t department_id,
                                               const char *name) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_department_list(dealcore_departments **out,
                                             const dealcore_db *db) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT size_t dealcore_departments_count(const dealcore_departments *list)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const dealcore_department *dealcore_departments_at(const dealcore_departments *list,
                                                                   size_t i) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT void dealcore_departments_free(dealcore_departments *list) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_department_id(const dealcore_department *d) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_department_name(const dealcore_department *d)
    DEALCORE_NOEXCEPT;

/* department_id 0: none; external_ref (the host's id of the user) may be NULL. */
DEALCORE_EXPORT int dealcore_user_create(int64_t *out, dealcore_db *db, int64_t actor_id,
                                         const char *name, int64_t department_id,
                                         const char *external_ref) DEALCORE_NOEXCEPT;

/* Only the fields whose set_* flag is non-zero change. */
typedef struct dealcore_user_patch {
  uint32_t version; /* DEALCORE_USER_PATCH_VERSION */
  int32_t set_name;
  const char *name;
  int32_t set_department_id;
  int64_t department_id; /* 0: none; the deals that follow the user move too */
  int32_t set_active;
  int32_t active;
} dealcore_user_patch;

#define DEALCORE_USER_PATCH_VERSION 1
#define DEALCORE_USER_PATCH_INIT \
  { DEALCORE_USER_PATCH_VERSION, 0, NULL, 0, 0, 0, 1 }
DEALCORE_EXPORT int dealcore_user_patch_init(dealcore_user_patch *patch,
                                             uint32_t version) DEALCORE_NOEXCEPT;

DEALCORE_EXPORT int dealcore_user_update(dealcore_db *db, int64_t actor_id, int64_t user_id,
                                         const dealcore_user_patch *patch) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_user_list(dealcore_users **out,
                                       const dealcore_db *db) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT size_t dealcore_users_count(const dealcore_users *list) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const dealcore_user *dealcore_users_at(const dealcore_users *list,
                                                       size_t i) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT void dealcore_users_free(dealcore_users *list) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_user_id(const dealcore_user *u) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_user_name(const dealcore_user *u) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_user_department_id(const dealcore_user *u) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int32_t dealcore_user_active(const dealcore_user *u) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_user_external_ref(const dealcore_user *u) DEALCORE_NOEXCEPT;

/* color may be NULL. */
DEALCORE_EXPORT int dealcore_tag_create(int64_t *out, dealcore_db *db, int64_t actor_id,
                                        const char *name, const char *color) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_tag_rename(dealcore_db *db, int64_t actor_id, int64_t tag_id,
                                        const char *name) DEALCORE_NOEXCEPT;
/* Removes the tag from every deal. */
DEALCORE_EXPORT int dealcore_tag_delete(dealcore_db *db, int64_t actor_id,
                                        int64_t tag_id) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_tag_list(dealcore_tags **out, const dealcore_db *db) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT size_t dealcore_tags_count(const dealcore_tags *list) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const dealcore_tag *dealcore_tags_at(const dealcore_tags *list,
                                                     size_t i) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT void dealcore_tags_free(dealcore_tags *list) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_tag_id(const dealcore_tag *t) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_tag_name(const dealcore_tag *t) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_tag_color(const dealcore_tag *t) DEALCORE_NOEXCEPT;

/* ---- id lists ------------------------------------------------------------------ */

DEALCORE_EXPORT size_t dealcore_id_list_count(const dealcore_id_list *list) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_id_list_at(const dealcore_id_list *list,
                                            size_t i) DEALCORE_NOEXCEPT;
/* All ids as one array of dealcore_id_list_count() elements; NULL when empty. */
DEALCORE_EXPORT const int64_t *dealcore_id_list_data(const dealcore_id_list *list)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT void dealcore_id_list_free(dealcore_id_list *list) DEALCORE_NOEXCEPT;

/* ---- contacts ------------------------------------------------------------------- */

typedef struct dealcore_contact_spec {
  uint32_t version; /* DEALCORE_CONTACT_SPEC_VERSION */
  const char *name;
  const char *const *phones; /* any common notation; stored as E.164 */
  size_t phone_count;
  const char *const *emails; /* trimmed, compared case-insensitively */
  size_t email_count;
  const char *client_ref;   /* NULL: "" */
  const char *external_ref; /* NULL: ""; unique when not empty */
} dealcore_contact_spec;

#define DEALCORE_CONTACT_SPEC_VERSION 1
#define DEALCORE_CONTACT_SPEC_INIT \
  { DEALCORE_CONTACT_SPEC_VERSION, NULL, NULL, 0, NULL, 0, NULL, NULL }
DEALCORE_EXPORT int dealcore_contact_spec_init(dealcore_contact_spec *spec,
                                               uint32_t version) DEALCORE_NOEXCEPT;

DEALCORE_EXPORT int dealcore_contact_create(int64_t *out, dealcore_db *db, int64_t actor_id,
                                            const dealcore_contact_spec *spec) DEALCORE_NOEXCEPT;
/* An import: count contacts (1..100000) in one transaction, all or none.
 * *out lists the new ids in order; free it with dealcore_id_list_free. */
DEALCORE_EXPORT int dealcore_contact_create_many(dealcore_id_list **out, dealcore_db *db,
                                                 int64_t actor_id, const dealcore_contact_spec *specs,
                                                 size_t count) DEALCORE_NOEXCEPT;
/* Replaces every field of the contact. */
DEALCORE_EXPORT int dealcore_contact_update(dealcore_db *db, int64_t actor_id, int64_t contact_id,
                                            const dealcore_contact_spec *spec) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_contact_get(dealcore_contact **out, const dealcore_db *db,
                                         int64_t contact_id) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT void dealcore_contact_free(dealcore_contact *contact) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_contact_link(dealcore_db *db, int64_t actor_id, int64_t deal_id,
                                          int64_t contact_id) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_contact_unlink(dealcore_db *db, int64_t actor_id, int64_t deal_id,
                                            int64_t contact_id) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_contact_find_by_phone(dealcore_id_list **out, const dealcore_db *db,
                                                   const char *phone) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_contact_find_by_email(dealcore_id_list **out, const dealcore_db *db,
                                                   const char *email) DEALCORE_NOEXCEPT;

DEALCORE_EXPORT int64_t dealcore_contact_id(const dealcore_contact *c) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_contact_name(const dealcore_contact *c) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT size_t dealcore_contact_phone_count(const dealcore_contact *c) DEALCORE_NOEXCEPT;
/* E.164, e.g. "+79123456789". */
DEALCORE_EXPORT const char *dealcore_contact_phone_at(const dealcore_contact *c,
                                                      size_t i) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT size_t dealcore_contact_email_count(const dealcore_contact *c) DEALCORE_NOEXCEPT;
/* Lower-cased. */
DEALCORE_EXPORT const char *dealcore_contact_email_at(const dealcore_contact *c,
                                                      size_t i) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_contact_client_ref(const dealcore_contact *c)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_contact_external_ref(const dealcore_contact *c)
    DEALCORE_NOEXCEPT;

/* "+79123456789" for "8 (912) 345-67-89"; EINVALID when it is no phone number.
 * Free *out with dealcore_string_free. */
DEALCORE_EXPORT int dealcore_phone_normalize(char **out, const dealcore_db *db,
                                             const char *phone) DEALCORE_NOEXCEPT;

/* ---- deals ------------------------------------------------------------------------ */

/* A new deal. Required: name, and pipeline_id or stage_id (a stage names its pipeline). */
typedef struct dealcore_deal_spec {
  uint32_t version; /* DEALCORE_DEAL_SPEC_VERSION */
  const char *name;
  int64_t pipeline_id;
  int64_t stage_id;         /* 0: the pipeline's first open stage */
  int64_t amount;           /* minor units */
  const char *currency;     /* ISO 4217; NULL: "RUB" */
  int64_t owner_id;         /* 0: nobody yet */
  int64_t department_id;    /* 0: follows the owner's department */
  const char *client_ref;   /* host's id of the client; NULL: "" */
  const char *client_name;  /* NULL: "" */
  const char *segment;      /* NULL: "" */
  const char *external_ref; /* host's id of the deal; NULL: ""; unique when not empty */
  const int64_t *tags;
  size_t tag_count;
  const int64_t *contacts;
  size_t contact_count;
  int32_t set_created_at; /* for imports; 0: the clock */
  int64_t created_at;
  /* version 2 */
  int32_t set_updated_at; /* for imports; 0: the clock */
  int64_t updated_at;
} dealcore_deal_spec;

#define DEALCORE_DEAL_SPEC_VERSION 2
#define DEALCORE_DEAL_SPEC_INIT                                                                   \
  {                                                                                               \
    DEALCORE_DEAL_SPEC_VERSION, NULL, 0, 0, 0, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, 0, NULL, \
        0, 0, 0, 0, 0                                                                             \
  }
DEALCORE_EXPORT int dealcore_deal_spec_init(dealcore_deal_spec *spec,
                                            uint32_t version) DEALCORE_NOEXCEPT;

/* A partial update: only the fields whose set_* flag is non-zero change. */
typedef struct dealcore_deal_patch {
  uint32_t version; /* DEALCORE_DEAL_PATCH_VERSION */
  int32_t set_name;
  const char *name; /* required when set */
  int32_t set_amount;
  int64_t amount;
  int32_t set_currency;
  const char *currency; /* required when set */
  int32_t set_owner_id;
  int64_t owner_id; /* 0: unassign */
  int32_t set_department_id;
  int64_t department_id; /* 0: follow the owner again */
  int32_t set_client_ref;
  const char *client_ref; /* NULL: "" */
  int32_t set_client_name;
  const char *client_name; /* NULL: "" */
  int32_t set_segment;
  const char *segment; /* NULL: "" */
} dealcore_deal_patch;

#define DEALCORE_DEAL_PATCH_VERSION 1
#define DEALCORE_DEAL_PATCH_INIT \
  { DEALCORE_DEAL_PATCH_VERSION, 0, NULL, 0, 0, 0, NULL, 0, 0, 0, 0, 0, NULL, 0, NULL, 0, NULL }
DEALCORE_EXPORT int dealcore_deal_patch_init(dealcore_deal_patch *patch,
                                             uint32_t version) DEALCORE_NOEXCEPT;

/* Where deals go. A stage_id alone names its pipeline; a pipeline_id alone
 * means that pipeline's first open stage; a stage of another pipeline than
 * pipeline_id is ECONFLICT. */
typedef struct dealcore_move_target {
  uint32_t version; /* DEALCORE_MOVE_TARGET_VERSION */
  int64_t pipeline_id;
  int64_t stage_id;
  const char *lost_reason; /* kept when the target stage is a lost one; NULL: "" */
} dealcore_move_target;

#define DEALCORE_MOVE_TARGET_VERSION 1
#define DEALCORE_MOVE_TARGET_INIT \
  { DEALCORE_MOVE_TARGET_VERSION, 0, 0, NULL }
DEALCORE_EXPORT int dealcore_move_target_init(dealcore_move_target *target,
                                              uint32_t version) DEALCORE_NOEXCEPT;

DEALCORE_EXPORT int dealcore_deal_create(int64_t *out, dealcore_db *db, int64_t actor_id,
                                         const dealcore_deal_spec *spec) DEALCORE_NOEXCEPT;
/* An import: count deals (1..100000, every spec of the same version) in one
 * transaction, all or none; the error message names the refused deal's
 * index. *out lists the new ids in order; free it with
 * dealcore_id_list_free. */
DEALCORE_EXPORT int dealcore_deal_create_many(dealcore_id_list **out, dealcore_db *db,
                                              int64_t actor_id, const dealcore_deal_spec *specs,
                                              size_t count) DEALCORE_NOEXCEPT;
/* Creates the deal named by spec->external_ref, or updates the
 * one that has it; a different stage moves it. *out is its id. */
DEALCORE_EXPORT int dealcore_deal_upsert(int64_t *out, dealcore_db *db, int64_t actor_id,
                                         const dealcore_deal_spec *spec) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_deal_update(dealcore_db *db, int64_t actor_id, int64_t deal_id,
                                         const dealcore_deal_patch *patch) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_deal_get(dealcore_deal **out, const dealcore_db *db,
                                      int64_t deal_id) DEALCORE_NOEXCEPT;
/* ENOTFOUND (and *out NULL) when no deal has this external_ref. */
DEALCORE_EXPORT int dealcore_deal_find_by_ref(dealcore_deal **out, const dealcore_db *db,
                                              const char *external_ref) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT void dealcore_deal_free(dealcore_deal *deal) DEALCORE_NOEXCEPT;

/* Bulk operations: every id must exist; all change in one transaction or none
 * does. Duplicated ids are treated once. ids may be NULL when count is 0. */
DEALCORE_EXPORT int dealcore_deal_move(dealcore_db *db, int64_t actor_id, const int64_t *ids,
                                       size_t count,
                                       const dealcore_move_target *target) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_deal_assign(dealcore_db *db, int64_t actor_id, const int64_t *ids,
                                         size_t count, int64_t owner_id) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_deal_tag(dealcore_db *db, int64_t actor_id, const int64_t *ids,
                                      size_t count, const int64_t *add, size_t add_count,
                                      const int64_t *remove, size_t remove_count) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_deal_archive(dealcore_db *db, int64_t actor_id, const int64_t *ids,
                                          size_t count, int32_t archived) DEALCORE_NOEXCEPT;

/* The deals (archived included) linked to a contact with this phone / e-mail.
 * A phone may also be given as its last 5 or more digits. */
DEALCORE_EXPORT int dealcore_deal_find_by_phone(dealcore_id_list **out, const dealcore_db *db,
                                                const char *phone) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_deal_find_by_email(dealcore_id_list **out, const dealcore_db *db,
                                                const char *email) DEALCORE_NOEXCEPT;
/* archived: DEALCORE_ARCHIVED_*. */
DEALCORE_EXPORT int dealcore_deal_count(int64_t *out, const dealcore_db *db,
                                        int32_t archived) DEALCORE_NOEXCEPT;

DEALCORE_EXPORT int64_t dealcore_deal_id(const dealcore_deal *d) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_deal_name(const dealcore_deal *d) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_deal_pipeline_id(const dealcore_deal *d) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_deal_stage_id(const dealcore_deal *d) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int32_t dealcore_deal_stage_kind(const dealcore_deal *d) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_deal_amount(const dealcore_deal *d) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_deal_currency(const dealcore_deal *d) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_deal_owner_id(const dealcore_deal *d) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_deal_department_id(const dealcore_deal *d) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_deal_client_ref(const dealcore_deal *d) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_deal_client_name(const dealcore_deal *d) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_deal_segment(const dealcore_deal *d) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_deal_external_ref(const dealcore_deal *d) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_deal_lost_reason(const dealcore_deal *d) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_deal_created_at(const dealcore_deal *d) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_deal_updated_at(const dealcore_deal *d) DEALCORE_NOEXCEPT;
/* 0 while the deal is in an open stage. */
DEALCORE_EXPORT int64_t dealcore_deal_closed_at(const dealcore_deal *d) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_deal_stage_changed_at(const dealcore_deal *d) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int32_t dealcore_deal_archived(const dealcore_deal *d) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int32_t dealcore_deal_open_task_count(const dealcore_deal *d) DEALCORE_NOEXCEPT;
/* 0: no open task. */
DEALCORE_EXPORT int64_t dealcore_deal_next_task_due(const dealcore_deal *d) DEALCORE_NOEXCEPT;
/* DEALCORE_TASK_STATE_*, in the time zone of the list options or board filter.
 * Filled on list items and board cards only; a deal from dealcore_deal_get
 * reads DEALCORE_TASK_STATE_NONE (use dealcore_deal_open_task_count and
 * dealcore_deal_next_task_due there). */
DEALCORE_EXPORT int32_t dealcore_deal_task_state(const dealcore_deal *d) DEALCORE_NOEXCEPT;
/* Sorted ids. Deals of a list page or board card carry none: use dealcore_deal_get. */
DEALCORE_EXPORT size_t dealcore_deal_tag_count(const dealcore_deal *d) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const int64_t *dealcore_deal_tags(const dealcore_deal *d) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT size_t dealcore_deal_contact_count(const dealcore_deal *d) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const int64_t *dealcore_deal_contacts(const dealcore_deal *d) DEALCORE_NOEXCEPT;

/* ---- the list ------------------------------------------------------------------------ */

/* A conjunction: every non-empty field narrows the result; an id or string
 * array matches any of its values (tags_all and tags_none excepted). */
typedef struct dealcore_deal_filter {
  uint32_t version; /* DEALCORE_DEAL_FILTER_VERSION */
  const int64_t *pipelines;
  size_t pipeline_count;
  const int64_t *stages;
  size_t stage_count;
  const int32_t *kinds; /* DEALCORE_STAGE_* */
  size_t kind_count;
  const int64_t *owners;
  size_t owner_count;
  const int64_t *departments;
  size_t department_count;
  const int64_t *tags_any; /* has at least one of these */
  size_t tags_any_count;
  const int64_t *tags_all; /* has every one of these */
  size_t tags_all_count;
  const int64_t *tags_none; /* has none of these */
  size_t tags_none_count;
  const char *const *client_refs;
  size_t client_ref_count;
  const char *const *segments;
  size_t segment_count;
  int32_t set_amount_min;
  int64_t amount_min; /* inclusive, minor units */
  int32_t set_amount_max;
  int64_t amount_max;   /* inclusive */
  const char *currency; /* with amount bounds: only this currency; NULL: any */
  int32_t set_created_from;
  int64_t created_from; /* inclusive */
  int32_t set_created_to;
  int64_t created_to; /* exclusive */
  int32_t set_updated_from;
  int64_t updated_from;
  int32_t set_updated_to;
  int64_t updated_to;
  const char *text;       /* case-insensitive substring of the name; NULL: none */
  const char *phone;      /* a full number in any notation, or its last 5+ digits */
  const char *email;      /* exact, case-insensitive */
  int32_t has_open_tasks; /* DEALCORE_NONE: either; 0: without open tasks; 1: with */
  int32_t archived;       /* DEALCORE_ARCHIVED_* */
  /* ---- version 2 ---- (a version 1 struct ends above; the library reads
   * these fields as their defaults for it) */
  int32_t has_overdue_task; /* DEALCORE_NONE: either; 1: an open task past due; 0: none */
  int32_t set_task_due_from;
  int64_t task_due_from; /* an open task due in [from, to) */
  int32_t set_task_due_to;
  int64_t task_due_to;
  const int32_t *activity; /* any of these DEALCORE_ACTIVITY_* levels */
  size_t activity_count;
  int32_t rotting; /* DEALCORE_NONE: either; 1: longer in the stage than its rotting days; 0: not */
} dealcore_deal_filter;

#define DEALCORE_DEAL_FILTER_VERSION 2
#define DEALCORE_DEAL_FILTER_INIT                                                                \
  {                                                                                              \
    DEALCORE_DEAL_FILTER_VERSION, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0, \
        NULL, 0, NULL, 0, NULL, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, NULL,   \
        DEALCORE_NONE, DEALCORE_ARCHIVED_EXCLUDE, DEALCORE_NONE, 0, 0, 0, 0, NULL, 0,            \
        DEALCORE_NONE                                                                            \
  }
DEALCORE_EXPORT int dealcore_deal_filter_init(dealcore_deal_filter *filter,
                                              uint32_t version) DEALCORE_NOEXCEPT;

typedef struct dealcore_list_options {
  uint32_t version;   /* DEALCORE_LIST_OPTIONS_VERSION */
  int32_t sort;       /* DEALCORE_SORT_*; ties are broken by id */
  int32_t descending; /* default 1 */
  int32_t limit;      /* 1..1000, default 50 */
  const char *cursor; /* from dealcore_deal_page_next_cursor; NULL or "": first page */
  int32_t with_total;
  /* Only the ids of the page (dealcore_deal_page_ids), no deal objects: for
   * hosts that keep their own copy of the deals; much cheaper per row. */
  int32_t ids_only;
  /* ---- version 2 ---- */
  /* IANA name ("Europe/Moscow") of the day dealcore_deal_task_state calls
   * "today"; NULL: "UTC". An unknown name is EINVALID. */
  const char *time_zone;
} dealcore_list_options;

#define DEALCORE_LIST_OPTIONS_VERSION 2
#define DEALCORE_LIST_OPTIONS_INIT \
  { DEALCORE_LIST_OPTIONS_VERSION, DEALCORE_SORT_UPDATED, 1, 50, NULL, 0, 0, NULL }
DEALCORE_EXPORT int dealcore_list_options_init(dealcore_list_options *options,
                                               uint32_t version) DEALCORE_NOEXCEPT;

/* filter NULL: every deal that is not archived; options NULL: the defaults. */
DEALCORE_EXPORT int dealcore_deal_list(dealcore_deal_page **out, const dealcore_db *db,
                                       const dealcore_deal_filter *filter,
                                       const dealcore_list_options *options) DEALCORE_NOEXCEPT;
/* The number of deals in the page. */
DEALCORE_EXPORT size_t dealcore_deal_page_count(const dealcore_deal_page *page) DEALCORE_NOEXCEPT;
/* NULL with ids_only. Owned by the page: valid, strings included, until
 * dealcore_deal_page_free (the page's items share one buffer; their tags
 * and contacts are empty, as in every list). */
DEALCORE_EXPORT const dealcore_deal *dealcore_deal_page_at(const dealcore_deal_page *page,
                                                           size_t i) DEALCORE_NOEXCEPT;
/* The ids of the page, in order: dealcore_deal_page_count() of them; NULL when
 * the page is empty. Filled with and without ids_only. */
DEALCORE_EXPORT const int64_t *dealcore_deal_page_ids(const dealcore_deal_page *page)
    DEALCORE_NOEXCEPT;
/* "" when there are no more pages. */
DEALCORE_EXPORT const char *dealcore_deal_page_next_cursor(const dealcore_deal_page *page)
    DEALCORE_NOEXCEPT;
/* The number of matching deals, or -1 when with_total was not asked for. */
DEALCORE_EXPORT int64_t dealcore_deal_page_total(const dealcore_deal_page *page) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT void dealcore_deal_page_free(dealcore_deal_page *page) DEALCORE_NOEXCEPT;

/* ---- the kanban ---------------------------------------------------------------------- */

typedef struct dealcore_board_filter {
  uint32_t version; /* DEALCORE_BOARD_FILTER_VERSION */
  const int64_t *owners;
  size_t owner_count;
  const int64_t *departments;
  size_t department_count;
  const int64_t *tags_any;
  size_t tags_any_count;
  int32_t cards_per_stage; /* 0..1000, default 20; newest updated first */
  /* ---- version 2 ---- */
  const char *time_zone; /* for the cards' task state; NULL: "UTC" */
} dealcore_board_filter;

#define DEALCORE_BOARD_FILTER_VERSION 2
#define DEALCORE_BOARD_FILTER_INIT \
  { DEALCORE_BOARD_FILTER_VERSION, NULL, 0, NULL, 0, NULL, 0, 20, NULL }
DEALCORE_EXPORT int dealcore_board_filter_init(dealcore_board_filter *filter,
                                               uint32_t version) DEALCORE_NOEXCEPT;

/* filter NULL: the whole pipeline, 20 cards per stage. */
DEALCORE_EXPORT int dealcore_board_get(dealcore_board **out, const dealcore_db *db,
                                       int64_t pipeline_id,
                                       const dealcore_board_filter *filter) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT void dealcore_board_free(dealcore_board *board) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const dealcore_pipeline *dealcore_board_pipeline(const dealcore_board *board)
    DEALCORE_NOEXCEPT;
/* One column per stage, in board order. */
DEALCORE_EXPORT size_t dealcore_board_column_count(const dealcore_board *board) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const dealcore_board_column *dealcore_board_column_at(const dealcore_board *board,
                                                                      size_t i) DEALCORE_NOEXCEPT;

DEALCORE_EXPORT const dealcore_stage *dealcore_board_column_stage(const dealcore_board_column *c)
    DEALCORE_NOEXCEPT;
/* The number of matching deals in the stage (not only the cards). */
DEALCORE_EXPORT int64_t dealcore_board_column_deal_count(const dealcore_board_column *c)
    DEALCORE_NOEXCEPT;
/* Amount sums, one per currency present, sorted by currency code (a sum past INT64_MAX minor
   units wraps modulo 2^64). */
DEALCORE_EXPORT size_t dealcore_board_column_sum_count(const dealcore_board_column *c)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_board_column_sum_amount(const dealcore_board_column *c,
                                                         size_t i) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_board_column_sum_currency(const dealcore_board_column *c,
                                                               size_t i) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT size_t dealcore_board_column_card_count(const dealcore_board_column *c)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const dealcore_deal *dealcore_board_column_card_at(const dealcore_board_column *c,
                                                                   size_t i) DEALCORE_NOEXCEPT;
/* Continue this column with dealcore_deal_list (stage filter, DEALCORE_SORT_UPDATED,
 * descending); "" when the cards are all. */
DEALCORE_EXPORT const char *dealcore_board_column_next_cursor(const dealcore_board_column *c)
    DEALCORE_NOEXCEPT;

/* The board's counts and sums only, by stage id: no stage names, no cards (what a host
 * that already shows the stages refreshes after a change). The filter's owners,
 * departments and tags apply; its cards_per_stage and time_zone are not read. filter NULL:
 * the whole pipeline. Columns are in board order; an index out of range reads 0 or "". */
DEALCORE_EXPORT int dealcore_board_totals_get(dealcore_board_totals **out, const dealcore_db *db,
                                              int64_t pipeline_id,
                                              const dealcore_board_filter *filter) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT void dealcore_board_totals_free(dealcore_board_totals *totals) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT size_t dealcore_board_totals_column_count(const dealcore_board_totals *totals)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_board_totals_stage_id(const dealcore_board_totals *totals,
                                                       size_t column) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_board_totals_deal_count(const dealcore_board_totals *totals,
                                                         size_t column) DEALCORE_NOEXCEPT;
/* Amount sums of a column, one per currency present, sorted by currency code. */
DEALCORE_EXPORT size_t dealcore_board_totals_sum_count(const dealcore_board_totals *totals,
                                                       size_t column) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_board_totals_sum_amount(const dealcore_board_totals *totals,
                                                         size_t column, size_t i) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_board_totals_sum_currency(const dealcore_board_totals *totals,
                                                               size_t column,
                                                               size_t i) DEALCORE_NOEXCEPT;

/* ---- tasks ------------------------------------------------------------------------- */

/* A company-defined task type; the built-in ones are DEALCORE_TASK_*. */
DEALCORE_EXPORT int dealcore_task_type_create(int64_t *out, dealcore_db *db, int64_t actor_id,
                                              const char *name) DEALCORE_NOEXCEPT;
/* Every type, the built-in ones included. */
DEALCORE_EXPORT int dealcore_task_type_list(dealcore_task_types **out,
                                            const dealcore_db *db) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT size_t dealcore_task_types_count(const dealcore_task_types *list)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const dealcore_task_type *dealcore_task_types_at(const dealcore_task_types *list,
                                                                 size_t i) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT void dealcore_task_types_free(dealcore_task_types *list) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_task_type_id(const dealcore_task_type *t) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_task_type_name(const dealcore_task_type *t) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int32_t dealcore_task_type_builtin(const dealcore_task_type *t) DEALCORE_NOEXCEPT;

/* A new task on a deal: deal_id and text are required. A task is due at a moment
 * (due_all_day 0), or on the whole calendar day that contains due_at in
 * due_time_zone (due_all_day 1; stored as the last millisecond of that day). */
typedef struct dealcore_task_spec {
  uint32_t version; /* DEALCORE_TASK_SPEC_VERSION */
  int64_t deal_id;
  int64_t type_id;  /* default DEALCORE_TASK_FOLLOW_UP */
  const char *text;    /* required, not empty */
  int64_t assignee_id; /* 0: the deal's owner */
  int64_t due_at;      /* ms since the epoch, UTC */
  int32_t due_all_day;
  const char *due_time_zone; /* IANA name; NULL: "UTC" */
} dealcore_task_spec;

#define DEALCORE_TASK_SPEC_VERSION 1
#define DEALCORE_TASK_SPEC_INIT \
  { DEALCORE_TASK_SPEC_VERSION, 0, DEALCORE_TASK_FOLLOW_UP, NULL, 0, 0, 0, NULL }
DEALCORE_EXPORT int dealcore_task_spec_init(dealcore_task_spec *spec,
                                            uint32_t version) DEALCORE_NOEXCEPT;

/* A partial update: only the fields whose set_* flag is non-zero change. */
typedef struct dealcore_task_patch {
  uint32_t version; /* DEALCORE_TASK_PATCH_VERSION */
  int32_t set_text;
  const char *text; /* required when set */
  int32_t set_type_id;
  int64_t type_id;
} dealcore_task_patch;

#define DEALCORE_TASK_PATCH_VERSION 1
#define DEALCORE_TASK_PATCH_INIT \
  { DEALCORE_TASK_PATCH_VERSION, 0, NULL, 0, 0 }
DEALCORE_EXPORT int dealcore_task_patch_init(dealcore_task_patch *patch,
                                             uint32_t version) DEALCORE_NOEXCEPT;

DEALCORE_EXPORT int dealcore_task_create(int64_t *out, dealcore_db *db, int64_t actor_id,
                                         const dealcore_task_spec *spec) DEALCORE_NOEXCEPT;
/* result may be NULL (""). A completed task is ECONFLICT. */
DEALCORE_EXPORT int dealcore_task_complete(dealcore_db *db, int64_t actor_id, int64_t task_id,
                                           const char *result) DEALCORE_NOEXCEPT;
/* A completed task only; an open one is ECONFLICT. */
DEALCORE_EXPORT int dealcore_task_reopen(dealcore_db *db, int64_t actor_id,
                                         int64_t task_id) DEALCORE_NOEXCEPT;
/* A new due time, as in dealcore_task_spec; the old one stays in the history.
 * time_zone NULL: "UTC". */
DEALCORE_EXPORT int dealcore_task_reschedule(dealcore_db *db, int64_t actor_id, int64_t task_id,
                                             int64_t due_at, int32_t all_day,
                                             const char *time_zone) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_task_reassign(dealcore_db *db, int64_t actor_id, int64_t task_id,
                                           int64_t assignee_id) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_task_update(dealcore_db *db, int64_t actor_id, int64_t task_id,
                                         const dealcore_task_patch *patch) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_task_delete(dealcore_db *db, int64_t actor_id,
                                         int64_t task_id) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_task_get(dealcore_task **out, const dealcore_db *db,
                                      int64_t task_id) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT void dealcore_task_free(dealcore_task *task) DEALCORE_NOEXCEPT;
/* The tasks of a deal; completed ones too when include_completed is non-zero. */
DEALCORE_EXPORT int dealcore_task_list(dealcore_tasks **out, const dealcore_db *db,
                                       int64_t deal_id,
                                       int32_t include_completed) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT size_t dealcore_tasks_count(const dealcore_tasks *list) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const dealcore_task *dealcore_tasks_at(const dealcore_tasks *list,
                                                       size_t i) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT void dealcore_tasks_free(dealcore_tasks *list) DEALCORE_NOEXCEPT;

DEALCORE_EXPORT int64_t dealcore_task_id(const dealcore_task *t) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_task_deal_id(const dealcore_task *t) DEALCORE_NOEXCEPT;
/* The task's type id (dealcore_task_type_id reads a dealcore_task_type). */
DEALCORE_EXPORT int64_t dealcore_task_type_of(const dealcore_task *t) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_task_text(const dealcore_task *t) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_task_assignee_id(const dealcore_task *t) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_task_creator_id(const dealcore_task *t) DEALCORE_NOEXCEPT;
/* For a whole-day task: the last millisecond of its day. */
DEALCORE_EXPORT int64_t dealcore_task_due_at(const dealcore_task *t) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int32_t dealcore_task_all_day(const dealcore_task *t) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_task_created_at(const dealcore_task *t) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_task_updated_at(const dealcore_task *t) DEALCORE_NOEXCEPT;
/* 0 while the task is open. */
DEALCORE_EXPORT int64_t dealcore_task_completed_at(const dealcore_task *t) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_task_result(const dealcore_task *t) DEALCORE_NOEXCEPT;

/* ---- the task block ------------------------------------------------------------------ */

/* Whose open tasks: a user's (user_id), or a whole department's. */
typedef struct dealcore_task_block_query {
  uint32_t version; /* DEALCORE_TASK_BLOCK_QUERY_VERSION */
  int64_t user_id;
  int64_t department_id;
  const char *time_zone; /* of "today", "tomorrow", "this week"; NULL: "UTC" */
  int32_t set_now;       /* 0: the clock */
  int64_t now;
  int32_t per_group_limit; /* 0..1000 tasks listed per group, default 50; counts are exact */
} dealcore_task_block_query;

#define DEALCORE_TASK_BLOCK_QUERY_VERSION 1
#define DEALCORE_TASK_BLOCK_QUERY_INIT \
  { DEALCORE_TASK_BLOCK_QUERY_VERSION, 0, 0, NULL, 0, 0, 50 }
DEALCORE_EXPORT int dealcore_task_block_query_init(dealcore_task_block_query *query,
                                                   uint32_t version) DEALCORE_NOEXCEPT;

/* query is required. */
DEALCORE_EXPORT int dealcore_task_block_get(dealcore_task_block **out, const dealcore_db *db,
                                            const dealcore_task_block_query *query)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT void dealcore_task_block_free(dealcore_task_block *block) DEALCORE_NOEXCEPT;
/* The five groups, in DEALCORE_TASK_GROUP_* order. */
DEALCORE_EXPORT size_t dealcore_task_block_group_count(const dealcore_task_block *block)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const dealcore_task_group *dealcore_task_block_group_at(
    const dealcore_task_block *block, size_t i) DEALCORE_NOEXCEPT;
/* DEALCORE_TASK_GROUP_*. */
DEALCORE_EXPORT int32_t dealcore_task_group_kind(const dealcore_task_group *g) DEALCORE_NOEXCEPT;
/* The number of tasks in the group (not only those listed). */
DEALCORE_EXPORT int64_t dealcore_task_group_total(const dealcore_task_group *g) DEALCORE_NOEXCEPT;
/* The listed tasks, by due time. */
DEALCORE_EXPORT size_t dealcore_task_group_item_count(const dealcore_task_group *g)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const dealcore_task_block_item *dealcore_task_group_item_at(
    const dealcore_task_group *g, size_t i) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const dealcore_task *dealcore_task_block_item_task(
    const dealcore_task_block_item *item) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_task_block_item_deal_name(
    const dealcore_task_block_item *item) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_task_block_item_pipeline_id(const dealcore_task_block_item *item)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_task_block_item_stage_id(const dealcore_task_block_item *item)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const char *dealcore_task_block_item_stage_name(
    const dealcore_task_block_item *item) DEALCORE_NOEXCEPT;

/* ---- the activity indicator ------------------------------------------------------- */

typedef struct dealcore_activity_options {
  uint32_t version;    /* DEALCORE_ACTIVITY_OPTIONS_VERSION */
  int32_t window_days; /* default 30 */
  int32_t set_now;     /* 0: the clock */
  int64_t now;
} dealcore_activity_options;

#define DEALCORE_ACTIVITY_OPTIONS_VERSION 1
#define DEALCORE_ACTIVITY_OPTIONS_INIT \
  { DEALCORE_ACTIVITY_OPTIONS_VERSION, 30, 0, 0 }
DEALCORE_EXPORT int dealcore_activity_options_init(dealcore_activity_options *options,
                                                   uint32_t version) DEALCORE_NOEXCEPT;

/* The components and the level of a deal's activity; docs/activity.md has the
 * formula. options NULL: the defaults. */
DEALCORE_EXPORT int dealcore_activity_get(dealcore_activity **out, const dealcore_db *db,
                                          int64_t deal_id,
                                          const dealcore_activity_options *options)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT void dealcore_activity_free(dealcore_activity *a) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_activity_deal_id(const dealcore_activity *a) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int32_t dealcore_activity_window_days(const dealcore_activity *a)
    DEALCORE_NOEXCEPT;
/* In the window. */
DEALCORE_EXPORT int64_t dealcore_activity_tasks_created(const dealcore_activity *a)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_activity_tasks_completed(const dealcore_activity *a)
    DEALCORE_NOEXCEPT;
/* Of those, completed after their due time. */
DEALCORE_EXPORT int64_t dealcore_activity_completed_late(const dealcore_activity *a)
    DEALCORE_NOEXCEPT;
/* Open tasks past due now. */
DEALCORE_EXPORT int64_t dealcore_activity_overdue_now(const dealcore_activity *a)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_activity_open_tasks(const dealcore_activity *a)
    DEALCORE_NOEXCEPT;
/* Days since the last event by a person; -1 when there was none. */
DEALCORE_EXPORT double dealcore_activity_days_since_touch(const dealcore_activity *a)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT double dealcore_activity_days_in_stage(const dealcore_activity *a)
    DEALCORE_NOEXCEPT;
/* The stage's rotting days; DEALCORE_NONE when the stage does not rot. */
DEALCORE_EXPORT int32_t dealcore_activity_rotting_days(const dealcore_activity *a)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int32_t dealcore_activity_rotting(const dealcore_activity *a) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int32_t dealcore_activity_score(const dealcore_activity *a) DEALCORE_NOEXCEPT;
/* DEALCORE_ACTIVITY_*. */
DEALCORE_EXPORT int32_t dealcore_activity_level(const dealcore_activity *a) DEALCORE_NOEXCEPT;

/* ---- comments, the timeline, pins ---------------------------------------------------- */

/* Plain text; mentions are user ids named in it (may be NULL when the count is 0). */
DEALCORE_EXPORT int dealcore_comment_add(int64_t *out, dealcore_db *db, int64_t actor_id,
                                         int64_t deal_id, const char *text,
                                         const int64_t *mentions,
                                         size_t mention_count) DEALCORE_NOEXCEPT;
/* The earlier text stays in the timeline. */
DEALCORE_EXPORT int dealcore_comment_edit(dealcore_db *db, int64_t actor_id, int64_t comment_id,
                                          const char *text) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_comment_delete(dealcore_db *db, int64_t actor_id,
                                            int64_t comment_id) DEALCORE_NOEXCEPT;

typedef struct dealcore_timeline_query {
  uint32_t version; /* DEALCORE_TIMELINE_QUERY_VERSION */
  /* Only these kinds; a kind ending in '.' is a prefix ("task." = every task
   * event). None: every kind. */
  const char *const *kinds;
  size_t kind_count;
  const int64_t *actors; /* none: everyone (0 is the system actor) */
  size_t actor_count;
  int32_t limit;      /* 1..1000, default 50 */
  const char *cursor; /* from dealcore_timeline_page_next_cursor; NULL or "": first page */
} dealcore_timeline_query;

#define DEALCORE_TIMELINE_QUERY_VERSION 1
#define DEALCORE_TIMELINE_QUERY_INIT \
  { DEALCORE_TIMELINE_QUERY_VERSION, NULL, 0, NULL, 0, 50, NULL }
DEALCORE_EXPORT int dealcore_timeline_query_init(dealcore_timeline_query *query,
                                                 uint32_t version) DEALCORE_NOEXCEPT;

/* A page of a deal's history. query NULL: the defaults. */
DEALCORE_EXPORT int dealcore_timeline_get(dealcore_timeline_page **out, const dealcore_db *db,
                                          int64_t deal_id,
                                          const dealcore_timeline_query *query) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT void dealcore_timeline_page_free(dealcore_timeline_page *page) DEALCORE_NOEXCEPT;
/* The pinned events, in the order they were pinned (first page only; the kind
 * and actor filters apply to them too). They are not repeated below. */
DEALCORE_EXPORT size_t dealcore_timeline_page_pinned_count(const dealcore_timeline_page *page)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const dealcore_timeline_entry *dealcore_timeline_page_pinned_at(
    const dealcore_timeline_page *page, size_t i) DEALCORE_NOEXCEPT;
/* The rest, newest first. */
DEALCORE_EXPORT size_t dealcore_timeline_page_count(const dealcore_timeline_page *page)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const dealcore_timeline_entry *dealcore_timeline_page_at(
    const dealcore_timeline_page *page, size_t i) DEALCORE_NOEXCEPT;
/* "" when there are no more pages. */
DEALCORE_EXPORT const char *dealcore_timeline_page_next_cursor(const dealcore_timeline_page *page)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_timeline_entry_seq(const dealcore_timeline_entry *e)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_timeline_entry_at(const dealcore_timeline_entry *e)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_timeline_entry_actor_id(const dealcore_timeline_entry *e)
    DEALCORE_NOEXCEPT;
/* "deal.created", "task.completed", "comment.added", ... */
DEALCORE_EXPORT const char *dealcore_timeline_entry_kind(const dealcore_timeline_entry *e)
    DEALCORE_NOEXCEPT;
/* A JSON object; its fields depend on the kind. */
DEALCORE_EXPORT const char *dealcore_timeline_entry_payload(const dealcore_timeline_entry *e)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int32_t dealcore_timeline_entry_pinned(const dealcore_timeline_entry *e)
    DEALCORE_NOEXCEPT;
/* 0 when not pinned. */
DEALCORE_EXPORT int64_t dealcore_timeline_entry_pinned_at(const dealcore_timeline_entry *e)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_timeline_entry_pinned_by(const dealcore_timeline_entry *e)
    DEALCORE_NOEXCEPT;

/* Marks an event of a deal as important (seq from the timeline or the event
 * log); pinning and unpinning are themselves recorded. */
DEALCORE_EXPORT int dealcore_event_pin(dealcore_db *db, int64_t actor_id,
                                       int64_t seq) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int dealcore_event_unpin(dealcore_db *db, int64_t actor_id,
                                         int64_t seq) DEALCORE_NOEXCEPT;

/* ---- stage history --------------------------------------------------------------------- */

/* A deal's stays in each stage, oldest first; exact across moves back and forth. */
DEALCORE_EXPORT int dealcore_stage_history_get(dealcore_stage_history **out,
                                               const dealcore_db *db,
                                               int64_t deal_id) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT void dealcore_stage_history_free(dealcore_stage_history *history)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT size_t dealcore_stage_history_count(const dealcore_stage_history *history)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const dealcore_stage_interval *dealcore_stage_history_at(
    const dealcore_stage_history *history, size_t i) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_stage_interval_pipeline_id(const dealcore_stage_interval *s)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_stage_interval_stage_id(const dealcore_stage_interval *s)
    DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_stage_interval_entered_at(const dealcore_stage_interval *s)
    DEALCORE_NOEXCEPT;
/* 0 for the current stay. */
DEALCORE_EXPORT int64_t dealcore_stage_interval_left_at(const dealcore_stage_interval *s)
    DEALCORE_NOEXCEPT;
/* Up to left_at, or up to now for the current stay. */
DEALCORE_EXPORT int64_t dealcore_stage_interval_duration(const dealcore_stage_interval *s)
    DEALCORE_NOEXCEPT;

/* ---- the event log ------------------------------------------------------------------- */

/* Events with seq > after_seq, oldest first, at most limit (1..10000). */
DEALCORE_EXPORT int dealcore_event_list(dealcore_events **out, const dealcore_db *db,
                                        int64_t after_seq, int32_t limit) DEALCORE_NOEXCEPT;
/* 0 when the log is empty. */
DEALCORE_EXPORT int dealcore_event_last_seq(int64_t *out, const dealcore_db *db) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT size_t dealcore_events_count(const dealcore_events *list) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT const dealcore_event *dealcore_events_at(const dealcore_events *list,
                                                         size_t i) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT void dealcore_events_free(dealcore_events *list) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_event_seq(const dealcore_event *e) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_event_at(const dealcore_event *e) DEALCORE_NOEXCEPT;
DEALCORE_EXPORT int64_t dealcore_event_actor_id(const dealcore_event *e) DEALCORE_NOEXCEPT;
/* 0 for events that concern no deal. */
DEALCORE_EXPORT int64_t dealcore_event_deal_id(const dealcore_event *e) DEALCORE_NOEXCEPT;
/* "deal.created", "deal.stage_changed", ... */
DEALCORE_EXPORT const char *dealcore_event_kind(const dealcore_event *e) DEALCORE_NOEXCEPT;
/* A JSON object; its fields depend on the kind. */
DEALCORE_EXPORT const char *dealcore_event_payload(const dealcore_event *e) DEALCORE_NOEXCEPT;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DEALCORE_H */

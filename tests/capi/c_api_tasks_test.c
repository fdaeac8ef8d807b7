/*
 * c_api_tasks_test.c — the task, activity, comment, timeline and stage
 * history calls of dealcore.h from plain C99, with good and bad input (NULL
 * handles and out pointers, invalid UTF-8, unknown ids, conflicts, bad time
 * zones, unknown struct versions), the struct versions that grew fields
 * (version 1 callers get the defaults of the new fields), and after each
 * refused call a check that nothing changed.
 *
 * Prints "N passed, 0 failed" and exits 0, or lists the failures and exits 1.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dealcore.h"

#ifndef DEALCORE_TEST_DB
#error "DEALCORE_TEST_DB must name the test database file"
#endif

#include "check.h"

/* A refused call: the expected status, and the event log did not grow. Its
 * message is kept in refused_message (reading the log clears the last error). */
static char refused_message[1024];
#define CHECK_REFUSED(expr, expected)                                             \
  do {                                                                            \
    int64_t seq_before_ = last_seq();                                             \
    CHECK_RC(expr, expected);                                                     \
    strncpy(refused_message, dealcore_error_last(), sizeof refused_message - 1); \
    CHECK(last_seq() == seq_before_);                                             \
  } while (0)
#define CHECK_REFUSAL_MENTIONS(text) CHECK(strstr(refused_message, (text)) != NULL)


#define CHECK_ERROR_MENTIONS(text) CHECK(strstr(dealcore_error_last(), (text)) != NULL)

/* ---- the injected clock ------------------------------------------------------- */

#define HOUR ((int64_t)3600000)
#define DAY (24 * HOUR)
/* 2023-11-14 00:00 UTC, a Tuesday. */
#define MIDNIGHT ((int64_t)1699920000000)
/* 10:00 UTC = 13:00 in Moscow (UTC+3). */
#define T0 (MIDNIGHT + 10 * HOUR)

static int64_t now_ms = T0;
static int64_t clock_now(void *payload) {
  (void)payload;
  return now_ms;
}

/* ---- shared state ---------------------------------------------------------------- */

static dealcore_db *db = NULL;
static const int64_t unknown_id = 987654321;
static const char *const bad_utf8 = "\xff\xfe";

static int64_t sales, s_new, s_talks, s_won;
static int64_t dept;
static int64_t ivan, olga;
static int64_t deal1, deal2, deal3, deal_tz;
static int64_t task_call, task_day, task_over, task_tz, task_del;
static int64_t type_demo;

static int64_t last_seq(void) {
  int64_t seq = -1;
  if (dealcore_event_last_seq(&seq, db) != DEALCORE_OK) return -1;
  return seq;
}

static int64_t create_deal(const char *name, int64_t owner) {
  dealcore_deal_spec spec = DEALCORE_DEAL_SPEC_INIT;
  int64_t id = 0;
  spec.name = name;
  spec.pipeline_id = sales;
  spec.owner_id = owner;
  CHECK_OK(dealcore_deal_create(&id, db, 0, &spec));
  return id;
}

static int64_t create_task(int64_t deal, int64_t due_at, const char *text) {
  dealcore_task_spec spec = DEALCORE_TASK_SPEC_INIT;
  int64_t id = 0;
  spec.deal_id = deal;
  spec.due_at = due_at;
  spec.text = text;
  CHECK_OK(dealcore_task_create(&id, db, ivan, &spec));
  return id;
}

static int64_t task_completed_at(int64_t id) {
  dealcore_task *t = NULL;
  int64_t at = -1;
  if (dealcore_task_get(&t, db, id) == DEALCORE_OK) at = dealcore_task_completed_at(t);
  dealcore_task_free(t);
  return at;
}

static size_t task_count(int64_t deal, int32_t include_completed) {
  dealcore_tasks *list = NULL;
  size_t n = (size_t)-1;
  if (dealcore_task_list(&list, db, deal, include_completed) == DEALCORE_OK)
    n = dealcore_tasks_count(list);
  dealcore_tasks_free(list);
  return n;
}

/* Lists deals by name substring; returns the page (caller frees). */
static dealcore_deal_page *list_by_text(const char *text, const char *tz) {
  dealcore_deal_filter f = DEALCORE_DEAL_FILTER_INIT;
  dealcore_list_options o = DEALCORE_LIST_OPTIONS_INIT;
  dealcore_deal_page *page = NULL;
  f.text = text;
  o.time_zone = tz;
  CHECK_OK(dealcore_deal_list(&page, db, &f, &o));
  return page;
}

static int page_has(const dealcore_deal_page *page, int64_t id) {
  size_t i;
  for (i = 0; i < dealcore_deal_page_count(page); ++i)
    if (dealcore_deal_page_ids(page)[i] == id) return 1;
  return 0;
}

static int timeline_has_kind(int64_t deal, const char *kind) {
  dealcore_timeline_query q = DEALCORE_TIMELINE_QUERY_INIT;
  dealcore_timeline_page *page = NULL;
  size_t i;
  int found = 0;
  q.kinds = &kind;
  q.kind_count = 1;
  q.limit = 1000;
  if (dealcore_timeline_get(&page, db, deal, &q) != DEALCORE_OK) return 0;
  for (i = 0; i < dealcore_timeline_page_count(page); ++i)
    if (strcmp(dealcore_timeline_entry_kind(dealcore_timeline_page_at(page, i)), kind) == 0)
      found = 1;
  dealcore_timeline_page_free(page);
  return found;
}

/* ---- struct initialization and versions --------------------------------------------- */

static int bytes_are(const void *p, size_t from, size_t to, unsigned char value) {
  const unsigned char *b = (const unsigned char *)p;
  size_t i;
  for (i = from; i < to; ++i)
    if (b[i] != value) return 0;
  return 1;
}

static void test_init_functions(void) {
  dealcore_task_spec ts;
  dealcore_task_patch tp;
  dealcore_task_block_query bq;
  dealcore_activity_options ao;
  dealcore_timeline_query tq;
  dealcore_deal_filter df;
  dealcore_list_options lo;
  dealcore_board_filter bf;

  memset(&ts, 0x5a, sizeof ts);
  CHECK_OK(dealcore_task_spec_init(&ts, DEALCORE_TASK_SPEC_VERSION));
  CHECK(ts.version == DEALCORE_TASK_SPEC_VERSION && ts.deal_id == 0 &&
        ts.type_id == DEALCORE_TASK_FOLLOW_UP && ts.text == NULL && ts.assignee_id == 0 &&
        ts.due_at == 0 && ts.due_all_day == 0 && ts.due_time_zone == NULL);
  memset(&tp, 0x5a, sizeof tp);
  CHECK_OK(dealcore_task_patch_init(&tp, DEALCORE_TASK_PATCH_VERSION));
  CHECK(tp.version == DEALCORE_TASK_PATCH_VERSION && tp.set_text == 0 && tp.text == NULL &&
        tp.set_type_id == 0);
  memset(&bq, 0x5a, sizeof bq);
  CHECK_OK(dealcore_task_block_query_init(&bq, DEALCORE_TASK_BLOCK_QUERY_VERSION));
  CHECK(bq.version == DEALCORE_TASK_BLOCK_QUERY_VERSION && bq.user_id == 0 &&
        bq.department_id == 0 && bq.time_zone == NULL && bq.set_now == 0 &&
        bq.per_group_limit == 50);
  memset(&ao, 0x5a, sizeof ao);
  CHECK_OK(dealcore_activity_options_init(&ao, DEALCORE_ACTIVITY_OPTIONS_VERSION));
  CHECK(ao.version == DEALCORE_ACTIVITY_OPTIONS_VERSION && ao.window_days == 30 &&
        ao.set_now == 0);
  memset(&tq, 0x5a, sizeof tq);
  CHECK_OK(dealcore_timeline_query_init(&tq, DEALCORE_TIMELINE_QUERY_VERSION));
  CHECK(tq.version == DEALCORE_TIMELINE_QUERY_VERSION && tq.kinds == NULL && tq.kind_count == 0 &&
        tq.actors == NULL && tq.actor_count == 0 && tq.limit == 50 && tq.cursor == NULL);

  /* The structs that grew fields: version 2 has the new defaults... */
  CHECK(DEALCORE_DEAL_FILTER_VERSION == 2 && DEALCORE_LIST_OPTIONS_VERSION == 2 &&
        DEALCORE_BOARD_FILTER_VERSION == 2);
  memset(&df, 0x5a, sizeof df);
  CHECK_OK(dealcore_deal_filter_init(&df, 2));
  CHECK(df.version == 2 && df.has_open_tasks == DEALCORE_NONE &&
        df.archived == DEALCORE_ARCHIVED_EXCLUDE && df.has_overdue_task == DEALCORE_NONE &&
        df.set_task_due_from == 0 && df.set_task_due_to == 0 && df.activity == NULL &&
        df.activity_count == 0 && df.rotting == DEALCORE_NONE);
  memset(&lo, 0x5a, sizeof lo);
  CHECK_OK(dealcore_list_options_init(&lo, 2));
  CHECK(lo.version == 2 && lo.limit == 50 && lo.ids_only == 0 && lo.time_zone == NULL);
  memset(&bf, 0x5a, sizeof bf);
  CHECK_OK(dealcore_board_filter_init(&bf, 2));
  CHECK(bf.version == 2 && bf.cards_per_stage == 20 && bf.time_zone == NULL);

  /* ...and version 1 writes only the fields a version 1 struct has: a caller
   * built with the old header passes a smaller struct. */
  memset(&df, 0x5a, sizeof df);
  CHECK_OK(dealcore_deal_filter_init(&df, 1));
  CHECK(df.version == 1 && df.has_open_tasks == DEALCORE_NONE &&
        df.archived == DEALCORE_ARCHIVED_EXCLUDE);
  CHECK(bytes_are(&df, offsetof(dealcore_deal_filter, has_overdue_task), sizeof df, 0x5a));
  memset(&lo, 0x5a, sizeof lo);
  CHECK_OK(dealcore_list_options_init(&lo, 1));
  CHECK(lo.version == 1 && lo.limit == 50 && lo.ids_only == 0);
  CHECK(bytes_are(&lo, offsetof(dealcore_list_options, time_zone), sizeof lo, 0x5a));
  memset(&bf, 0x5a, sizeof bf);
  CHECK_OK(dealcore_board_filter_init(&bf, 1));
  CHECK(bf.version == 1 && bf.cards_per_stage == 20);
  CHECK(bytes_are(&bf, offsetof(dealcore_board_filter, time_zone), sizeof bf, 0x5a));

  /* Unknown versions and NULL. */
  CHECK_RC(dealcore_deal_filter_init(&df, 3), DEALCORE_EVERSION);
  CHECK_ERROR_MENTIONS("1..2");
  CHECK_RC(dealcore_deal_filter_init(&df, 0), DEALCORE_EVERSION);
  CHECK_RC(dealcore_list_options_init(&lo, 3), DEALCORE_EVERSION);
  CHECK_RC(dealcore_board_filter_init(&bf, 3), DEALCORE_EVERSION);
  CHECK_RC(dealcore_task_spec_init(&ts, 0), DEALCORE_EVERSION);
  CHECK_RC(dealcore_task_spec_init(&ts, 99), DEALCORE_EVERSION);
  CHECK_RC(dealcore_task_patch_init(&tp, 99), DEALCORE_EVERSION);
  CHECK_RC(dealcore_task_block_query_init(&bq, 99), DEALCORE_EVERSION);
  CHECK_RC(dealcore_activity_options_init(&ao, 99), DEALCORE_EVERSION);
  CHECK_RC(dealcore_timeline_query_init(&tq, 99), DEALCORE_EVERSION);
  CHECK_RC(dealcore_task_spec_init(NULL, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_task_patch_init(NULL, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_task_block_query_init(NULL, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_activity_options_init(NULL, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_timeline_query_init(NULL, 1), DEALCORE_EINVALID);
  CHECK_ERROR_MENTIONS("dealcore_timeline_query_init");
}

/* ---- setup ------------------------------------------------------------------------------ */

static void test_open_and_setup(void) {
  dealcore_open_options opts = DEALCORE_OPEN_OPTIONS_INIT;
  dealcore_stage_spec st[4] = {DEALCORE_STAGE_SPEC_INIT, DEALCORE_STAGE_SPEC_INIT,
                               DEALCORE_STAGE_SPEC_INIT, DEALCORE_STAGE_SPEC_INIT};
  dealcore_pipeline *p = NULL;

  remove(DEALCORE_TEST_DB);
  remove(DEALCORE_TEST_DB "-wal");
  remove(DEALCORE_TEST_DB "-shm");
  opts.clock = clock_now;
  CHECK_OK(dealcore_db_open(&db, DEALCORE_TEST_DB, &opts));

  CHECK_OK(dealcore_department_create(&dept, db, 0, "Продажи"));
  CHECK_OK(dealcore_user_create(&ivan, db, 0, "Иван", 0, NULL));
  CHECK_OK(dealcore_user_create(&olga, db, 0, "Ольга", dept, NULL));

  st[0].name = "Новая";
  st[0].rotting_days = 3;
  st[1].name = "Переговоры";
  st[2].name = "Успех";
  st[2].kind = DEALCORE_STAGE_WON;
  st[3].name = "Отказ";
  st[3].kind = DEALCORE_STAGE_LOST;
  CHECK_OK(dealcore_pipeline_create(&sales, db, 0, "Продажи", st, 4));
  CHECK_OK(dealcore_pipeline_get(&p, db, sales));
  s_new = dealcore_stage_id(dealcore_pipeline_stage_at(p, 0));
  s_talks = dealcore_stage_id(dealcore_pipeline_stage_at(p, 1));
  s_won = dealcore_stage_id(dealcore_pipeline_stage_at(p, 2));
  dealcore_pipeline_free(p);

  /* deal3 entered "Новая" (rotting after 3 days) ten days ago. */
  now_ms = T0 - 10 * DAY;
  deal3 = create_deal("Сделка три", 0);
  now_ms = T0;
  deal1 = create_deal("Сделка один", ivan);
  deal2 = create_deal("Сделка два", olga);
  deal_tz = create_deal("Часовой пояс", ivan);
  CHECK(deal1 > 0 && deal2 > 0 && deal3 > 0 && deal_tz > 0);
}

/* ---- task types ----------------------------------------------------------------------- */

static void test_task_types(void) {
  dealcore_task_types *list = (dealcore_task_types *)&list;
  int64_t id = 5;
  size_t i, n_before;
  const dealcore_task_type *t;

  CHECK_OK(dealcore_task_type_list(&list, db));
  n_before = dealcore_task_types_count(list);
  CHECK(n_before == 4);
  for (i = 0; i < n_before; ++i) {
    t = dealcore_task_types_at(list, i);
    CHECK(dealcore_task_type_id(t) == (int64_t)i + DEALCORE_TASK_CALL);
    CHECK(dealcore_task_type_builtin(t) == 1);
    CHECK(strlen(dealcore_task_type_name(t)) > 0);
  }
  CHECK(dealcore_task_types_at(list, n_before) == NULL);
  dealcore_task_types_free(list);

  CHECK_OK(dealcore_task_type_create(&type_demo, db, ivan, "Демонстрация"));
  CHECK(type_demo > DEALCORE_TASK_FOLLOW_UP);
  CHECK_REFUSED(dealcore_task_type_create(&id, db, ivan, "Демонстрация"), DEALCORE_EEXISTS);
  CHECK(id == 0);
  CHECK_REFUSED(dealcore_task_type_create(&id, db, ivan, NULL), DEALCORE_EINVALID);
  CHECK_REFUSAL_MENTIONS("dealcore_task_type_create: name is NULL");
  CHECK_REFUSED(dealcore_task_type_create(&id, db, ivan, ""), DEALCORE_EINVALID);
  CHECK_REFUSED(dealcore_task_type_create(&id, db, ivan, bad_utf8), DEALCORE_EINVALID);
  CHECK_REFUSED(dealcore_task_type_create(&id, db, unknown_id, "Чужой"), DEALCORE_ENOTFOUND);
  CHECK_REFUSED(dealcore_task_type_create(&id, NULL, ivan, "Чужой"), DEALCORE_EINVALID);
  CHECK_REFUSED(dealcore_task_type_create(NULL, db, ivan, "Чужой"), DEALCORE_EINVALID);
  CHECK_RC(dealcore_task_type_list(NULL, db), DEALCORE_EINVALID);
  list = (dealcore_task_types *)&list;
  CHECK_RC(dealcore_task_type_list(&list, NULL), DEALCORE_EINVALID);
  CHECK(list == NULL);

  CHECK_OK(dealcore_task_type_list(&list, db));
  CHECK(dealcore_task_types_count(list) == n_before + 1);
  t = dealcore_task_types_at(list, n_before);
  CHECK(dealcore_task_type_id(t) == type_demo);
  CHECK_STR(dealcore_task_type_name(t), "Демонстрация");
  CHECK(dealcore_task_type_builtin(t) == 0);
  dealcore_task_types_free(list);
}

/* ---- tasks ------------------------------------------------------------------------------- */

static void test_task_create_and_get(void) {
  dealcore_task_spec spec = DEALCORE_TASK_SPEC_INIT;
  dealcore_task *t = (dealcore_task *)&t;
  dealcore_tasks *list = NULL;
  dealcore_deal *d = NULL;
  int64_t id = 5;

  spec.deal_id = deal1;
  spec.type_id = DEALCORE_TASK_CALL;
  spec.text = "Позвонить";
  spec.due_at = T0 + HOUR;
  CHECK_OK(dealcore_task_create(&task_call, db, olga, &spec));
  CHECK_OK(dealcore_task_get(&t, db, task_call));
  CHECK(dealcore_task_id(t) == task_call);
  CHECK(dealcore_task_deal_id(t) == deal1);
  CHECK(dealcore_task_type_of(t) == DEALCORE_TASK_CALL);
  CHECK_STR(dealcore_task_text(t), "Позвонить");
  CHECK(dealcore_task_assignee_id(t) == ivan); /* the deal's owner */
  CHECK(dealcore_task_creator_id(t) == olga);
  CHECK(dealcore_task_due_at(t) == T0 + HOUR);
  CHECK(dealcore_task_all_day(t) == 0);
  CHECK(dealcore_task_created_at(t) == T0);
  CHECK(dealcore_task_updated_at(t) == T0);
  CHECK(dealcore_task_completed_at(t) == 0);
  CHECK_STR(dealcore_task_result(t), "");
  dealcore_task_free(t);

  /* A whole day in Moscow: 13:00 MSK on the 14th -> the 14th ends at 21:00 UTC. */
  spec.type_id = type_demo;
  spec.text = "Показать";
  spec.assignee_id = olga;
  spec.due_all_day = 1;
  spec.due_time_zone = "Europe/Moscow";
  CHECK_OK(dealcore_task_create(&task_day, db, ivan, &spec));
  CHECK_OK(dealcore_task_get(&t, db, task_day));
  CHECK(dealcore_task_all_day(t) == 1);
  CHECK(dealcore_task_due_at(t) == MIDNIGHT + 21 * HOUR - 1);
  CHECK(dealcore_task_assignee_id(t) == olga);
  CHECK(dealcore_task_type_of(t) == type_demo);
  CHECK_STR(dealcore_task_text(t), "Показать");
  dealcore_task_free(t);

  CHECK_OK(dealcore_deal_get(&d, db, deal1));
  CHECK(dealcore_deal_open_task_count(d) == 2);
  CHECK(dealcore_deal_next_task_due(d) == T0 + HOUR);
  CHECK(dealcore_deal_task_state(d) == DEALCORE_TASK_STATE_NONE); /* get fills no state */
  dealcore_deal_free(d);

  /* Refused: nothing is created. */
  spec.due_all_day = 1;
  spec.due_time_zone = "Nowhere/Bogus";
  CHECK_REFUSED(dealcore_task_create(&id, db, ivan, &spec), DEALCORE_EINVALID);
  CHECK(id == 0);
  spec.due_time_zone = bad_utf8;
  CHECK_REFUSED(dealcore_task_create(&id, db, ivan, &spec), DEALCORE_EINVALID);
  spec.due_time_zone = NULL;
  spec.text = bad_utf8;
  CHECK_REFUSED(dealcore_task_create(&id, db, ivan, &spec), DEALCORE_EINVALID);
  spec.text = "";
  CHECK_REFUSED(dealcore_task_create(&id, db, ivan, &spec), DEALCORE_EINVALID);
  spec.text = NULL;
  CHECK_REFUSED(dealcore_task_create(&id, db, ivan, &spec), DEALCORE_EINVALID);
  CHECK_REFUSAL_MENTIONS("spec->text is NULL");
  spec.text = "ok";
  spec.deal_id = unknown_id;
  CHECK_REFUSED(dealcore_task_create(&id, db, ivan, &spec), DEALCORE_ENOTFOUND);
  spec.deal_id = deal1;
  spec.type_id = unknown_id;
  CHECK_REFUSED(dealcore_task_create(&id, db, ivan, &spec), DEALCORE_ENOTFOUND);
  spec.type_id = DEALCORE_TASK_CALL;
  spec.assignee_id = unknown_id;
  CHECK_REFUSED(dealcore_task_create(&id, db, ivan, &spec), DEALCORE_ENOTFOUND);
  spec.assignee_id = 0;
  /* A due time outside the years 1..9999, whole-day or not. */
  spec.due_at = INT64_MIN;
  CHECK_REFUSED(dealcore_task_create(&id, db, ivan, &spec), DEALCORE_EINVALID);
  CHECK_REFUSAL_MENTIONS("due time is out of range");
  spec.due_all_day = 0;
  spec.due_at = INT64_MAX;
  CHECK_REFUSED(dealcore_task_create(&id, db, ivan, &spec), DEALCORE_EINVALID);
  spec.due_all_day = 1;
  spec.due_at = T0 + HOUR;
  CHECK_REFUSED(dealcore_task_create(&id, db, unknown_id, &spec), DEALCORE_ENOTFOUND);
  spec.version = 0;
  CHECK_REFUSED(dealcore_task_create(&id, db, ivan, &spec), DEALCORE_EVERSION);
  spec.version = 99;
  CHECK_REFUSED(dealcore_task_create(&id, db, ivan, &spec), DEALCORE_EVERSION);
  spec.version = DEALCORE_TASK_SPEC_VERSION;
  CHECK_REFUSED(dealcore_task_create(&id, db, ivan, NULL), DEALCORE_EINVALID);
  CHECK_REFUSED(dealcore_task_create(NULL, db, ivan, &spec), DEALCORE_EINVALID);
  CHECK_REFUSED(dealcore_task_create(&id, NULL, ivan, &spec), DEALCORE_EINVALID);
  CHECK(task_count(deal1, 1) == 2);

  /* get and list */
  t = (dealcore_task *)&t;
  CHECK_RC(dealcore_task_get(&t, db, unknown_id), DEALCORE_ENOTFOUND);
  CHECK(t == NULL);
  CHECK_RC(dealcore_task_get(NULL, db, task_call), DEALCORE_EINVALID);
  CHECK_RC(dealcore_task_get(&t, NULL, task_call), DEALCORE_EINVALID);
  CHECK_OK(dealcore_task_list(&list, db, deal1, 0));
  CHECK(dealcore_tasks_count(list) == 2);
  CHECK(dealcore_task_deal_id(dealcore_tasks_at(list, 0)) == deal1);
  CHECK(dealcore_tasks_at(list, 2) == NULL);
  dealcore_tasks_free(list);
  list = (dealcore_tasks *)&list;
  CHECK_RC(dealcore_task_list(&list, db, unknown_id, 1), DEALCORE_ENOTFOUND);
  CHECK(list == NULL);
  CHECK_RC(dealcore_task_list(NULL, db, deal1, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_task_list(&list, NULL, deal1, 1), DEALCORE_EINVALID);
  CHECK(timeline_has_kind(deal1, "task.created"));
}

static void test_task_changes(void) {
  dealcore_task_patch patch = DEALCORE_TASK_PATCH_INIT;
  dealcore_task *t = NULL;

  /* complete / reopen */
  now_ms = T0 + 2 * HOUR; /* an hour after task_call was due */
  CHECK_OK(dealcore_task_complete(db, ivan, task_call, "Дозвонился"));
  CHECK(task_completed_at(task_call) == now_ms);
  CHECK(task_count(deal1, 0) == 1);
  CHECK(task_count(deal1, 1) == 2);
  CHECK_REFUSED(dealcore_task_complete(db, ivan, task_call, "ещё раз"), DEALCORE_ECONFLICT);
  CHECK_REFUSAL_MENTIONS("already completed");
  CHECK_OK(dealcore_task_get(&t, db, task_call));
  CHECK_STR(dealcore_task_result(t), "Дозвонился"); /* unchanged */
  dealcore_task_free(t);
  CHECK_REFUSED(dealcore_task_reschedule(db, ivan, task_call, T0 + DAY, 0, NULL),
                DEALCORE_ECONFLICT);
  CHECK_OK(dealcore_task_reopen(db, ivan, task_call));
  CHECK(task_completed_at(task_call) == 0);
  CHECK_REFUSED(dealcore_task_reopen(db, ivan, task_call), DEALCORE_ECONFLICT);
  CHECK_REFUSED(dealcore_task_reopen(db, ivan, unknown_id), DEALCORE_ENOTFOUND);
  CHECK_REFUSED(dealcore_task_reopen(NULL, ivan, task_call), DEALCORE_EINVALID);
  CHECK_REFUSED(dealcore_task_complete(db, ivan, task_call, bad_utf8), DEALCORE_EINVALID);
  CHECK_REFUSED(dealcore_task_complete(db, ivan, unknown_id, NULL), DEALCORE_ENOTFOUND);
  CHECK_REFUSED(dealcore_task_complete(db, unknown_id, task_call, NULL), DEALCORE_ENOTFOUND);
  CHECK_REFUSED(dealcore_task_complete(NULL, ivan, task_call, NULL), DEALCORE_EINVALID);
  CHECK(task_completed_at(task_call) == 0);
  CHECK_OK(dealcore_task_complete(db, ivan, task_call, NULL)); /* NULL result: "" */
  CHECK_OK(dealcore_task_get(&t, db, task_call));
  CHECK_STR(dealcore_task_result(t), "");
  dealcore_task_free(t);
  CHECK_OK(dealcore_task_reopen(db, ivan, task_call));
  CHECK(timeline_has_kind(deal1, "task.completed"));
  CHECK(timeline_has_kind(deal1, "task.reopened"));
  now_ms = T0;

  /* reschedule */
  CHECK_OK(dealcore_task_reschedule(db, ivan, task_call, T0 + 3 * HOUR, 0, NULL));
  CHECK_OK(dealcore_task_get(&t, db, task_call));
  CHECK(dealcore_task_due_at(t) == T0 + 3 * HOUR);
  CHECK(dealcore_task_all_day(t) == 0);
  dealcore_task_free(t);
  CHECK(timeline_has_kind(deal1, "task.rescheduled"));
  CHECK_REFUSED(dealcore_task_reschedule(db, ivan, task_call, T0, 1, "Nowhere/Bogus"),
                DEALCORE_EINVALID);
  CHECK_REFUSAL_MENTIONS("time zone");
  CHECK_REFUSED(dealcore_task_reschedule(db, ivan, task_call, T0, 1, bad_utf8),
                DEALCORE_EINVALID);
  CHECK_REFUSED(dealcore_task_reschedule(db, ivan, unknown_id, T0, 0, NULL), DEALCORE_ENOTFOUND);
  CHECK_REFUSED(dealcore_task_reschedule(NULL, ivan, task_call, T0, 0, NULL), DEALCORE_EINVALID);
  CHECK_OK(dealcore_task_get(&t, db, task_call));
  CHECK(dealcore_task_due_at(t) == T0 + 3 * HOUR && dealcore_task_all_day(t) == 0);
  dealcore_task_free(t);

  /* reassign */
  CHECK_OK(dealcore_task_reassign(db, ivan, task_call, olga));
  CHECK_OK(dealcore_task_get(&t, db, task_call));
  CHECK(dealcore_task_assignee_id(t) == olga);
  dealcore_task_free(t);
  CHECK(timeline_has_kind(deal1, "task.reassigned"));
  CHECK_REFUSED(dealcore_task_reassign(db, ivan, task_call, unknown_id), DEALCORE_ENOTFOUND);
  CHECK_REFUSED(dealcore_task_reassign(db, ivan, unknown_id, olga), DEALCORE_ENOTFOUND);
  CHECK_REFUSED(dealcore_task_reassign(NULL, ivan, task_call, olga), DEALCORE_EINVALID);
  CHECK_OK(dealcore_task_reassign(db, ivan, task_call, ivan));

  /* update */
  patch.set_text = 1;
  patch.text = "Позвонить снова";
  CHECK_OK(dealcore_task_update(db, ivan, task_call, &patch));
  CHECK_OK(dealcore_task_get(&t, db, task_call));
  CHECK_STR(dealcore_task_text(t), "Позвонить снова");
  CHECK(dealcore_task_type_of(t) == DEALCORE_TASK_CALL);
  dealcore_task_free(t);
  patch.set_text = 0;
  patch.set_type_id = 1;
  patch.type_id = DEALCORE_TASK_MEETING;
  CHECK_OK(dealcore_task_update(db, ivan, task_call, &patch));
  patch.type_id = unknown_id;
  CHECK_REFUSED(dealcore_task_update(db, ivan, task_call, &patch), DEALCORE_ENOTFOUND);
  patch.set_type_id = 0;
  patch.set_text = 1;
  patch.text = bad_utf8;
  CHECK_REFUSED(dealcore_task_update(db, ivan, task_call, &patch), DEALCORE_EINVALID);
  patch.text = NULL;
  CHECK_REFUSED(dealcore_task_update(db, ivan, task_call, &patch), DEALCORE_EINVALID);
  patch.text = "x";
  CHECK_REFUSED(dealcore_task_update(db, ivan, unknown_id, &patch), DEALCORE_ENOTFOUND);
  patch.version = 0;
  CHECK_REFUSED(dealcore_task_update(db, ivan, task_call, &patch), DEALCORE_EVERSION);
  patch.version = 2;
  CHECK_REFUSED(dealcore_task_update(db, ivan, task_call, &patch), DEALCORE_EVERSION);
  patch.version = DEALCORE_TASK_PATCH_VERSION;
  CHECK_REFUSED(dealcore_task_update(db, ivan, task_call, NULL), DEALCORE_EINVALID);
  CHECK_REFUSED(dealcore_task_update(NULL, ivan, task_call, &patch), DEALCORE_EINVALID);
  CHECK_OK(dealcore_task_get(&t, db, task_call));
  CHECK_STR(dealcore_task_text(t), "Позвонить снова");
  CHECK(dealcore_task_type_of(t) == DEALCORE_TASK_MEETING);
  dealcore_task_free(t);

  /* delete */
  task_del = create_task(deal1, T0 + 5 * DAY, "Удалить");
  CHECK(task_count(deal1, 1) == 3);
  CHECK_OK(dealcore_task_delete(db, ivan, task_del));
  CHECK(task_count(deal1, 1) == 2);
  CHECK_RC(dealcore_task_get(&t, db, task_del), DEALCORE_ENOTFOUND);
  CHECK_REFUSED(dealcore_task_delete(db, ivan, task_del), DEALCORE_ENOTFOUND);
  CHECK_REFUSED(dealcore_task_delete(db, ivan, unknown_id), DEALCORE_ENOTFOUND);
  CHECK_REFUSED(dealcore_task_delete(NULL, ivan, task_call), DEALCORE_EINVALID);
  CHECK(timeline_has_kind(deal1, "task.deleted"));
}

/* ---- the list and the board with tasks ------------------------------------------------ */

static void test_list_and_board(void) {
  dealcore_deal_filter f = DEALCORE_DEAL_FILTER_INIT;
  dealcore_deal_filter f1;
  dealcore_list_options o = DEALCORE_LIST_OPTIONS_INIT;
  dealcore_list_options o1;
  dealcore_board_filter bf = DEALCORE_BOARD_FILTER_INIT;
  dealcore_board_filter bf1;
  dealcore_deal_page *page = (dealcore_deal_page *)&page;
  dealcore_board *board = NULL;
  const dealcore_board_column *col;
  int32_t levels[2];
  size_t i;
  int found;

  /* deal2: an overdue task; deal_tz: due at 22:00 UTC = 01:00 tomorrow in Moscow;
   * deal1: due at 13:00 UTC today; deal3: none. */
  task_over = create_task(deal2, T0 - HOUR, "Просрочено");
  task_tz = create_task(deal_tz, T0 + 12 * HOUR, "Поздно вечером");

  page = list_by_text("Часовой", NULL);
  CHECK(dealcore_deal_page_count(page) == 1);
  CHECK(dealcore_deal_task_state(dealcore_deal_page_at(page, 0)) == DEALCORE_TASK_STATE_TODAY);
  dealcore_deal_page_free(page);
  page = list_by_text("Часовой", "Europe/Moscow");
  CHECK(dealcore_deal_task_state(dealcore_deal_page_at(page, 0)) == DEALCORE_TASK_STATE_PLANNED);
  dealcore_deal_page_free(page);
  page = list_by_text("Сделка", "UTC");
  CHECK(dealcore_deal_page_count(page) == 3);
  for (i = 0; i < dealcore_deal_page_count(page); ++i) {
    const dealcore_deal *d = dealcore_deal_page_at(page, i);
    int32_t want = dealcore_deal_id(d) == deal1   ? DEALCORE_TASK_STATE_TODAY
                   : dealcore_deal_id(d) == deal2 ? DEALCORE_TASK_STATE_OVERDUE
                                                  : DEALCORE_TASK_STATE_NONE;
    CHECK(dealcore_deal_task_state(d) == want);
  }
  dealcore_deal_page_free(page);

  /* A bad time zone is refused. */
  o.time_zone = "Nowhere/Bogus";
  page = (dealcore_deal_page *)&page;
  CHECK_RC(dealcore_deal_list(&page, db, NULL, &o), DEALCORE_EINVALID);
  CHECK(page == NULL);
  o.time_zone = bad_utf8;
  CHECK_RC(dealcore_deal_list(&page, db, NULL, &o), DEALCORE_EINVALID);
  o.time_zone = NULL;

  /* Sort by the nearest due time: deals without an open task last. */
  o.sort = DEALCORE_SORT_NEXT_TASK_DUE;
  o.descending = 0;
  CHECK_OK(dealcore_deal_list(&page, db, NULL, &o));
  CHECK(dealcore_deal_page_count(page) == 4);
  CHECK(dealcore_deal_page_ids(page)[0] == deal2);
  CHECK(dealcore_deal_page_ids(page)[1] == deal1);
  CHECK(dealcore_deal_page_ids(page)[2] == deal_tz);
  CHECK(dealcore_deal_page_ids(page)[3] == deal3);
  dealcore_deal_page_free(page);
  o.descending = 1;
  CHECK_OK(dealcore_deal_list(&page, db, NULL, &o));
  CHECK(dealcore_deal_page_ids(page)[0] == deal_tz);
  CHECK(dealcore_deal_page_ids(page)[3] == deal3);
  dealcore_deal_page_free(page);
  o.sort = DEALCORE_SORT_NEXT_TASK_DUE + 1;
  CHECK_RC(dealcore_deal_list(&page, db, NULL, &o), DEALCORE_EINVALID);
  o.sort = DEALCORE_SORT_UPDATED;

  /* has_overdue_task */
  f.has_overdue_task = 1;
  CHECK_OK(dealcore_deal_list(&page, db, &f, NULL));
  CHECK(dealcore_deal_page_count(page) == 1 && page_has(page, deal2));
  dealcore_deal_page_free(page);
  f.has_overdue_task = 0;
  CHECK_OK(dealcore_deal_list(&page, db, &f, NULL));
  CHECK(dealcore_deal_page_count(page) == 3 && !page_has(page, deal2));
  dealcore_deal_page_free(page);
  f.has_overdue_task = 2;
  CHECK_RC(dealcore_deal_list(&page, db, &f, NULL), DEALCORE_EINVALID);
  CHECK_ERROR_MENTIONS("has_overdue_task");
  f.has_overdue_task = DEALCORE_NONE;

  /* task due in [from, to): today (UTC) */
  f.set_task_due_from = 1;
  f.task_due_from = MIDNIGHT;
  f.set_task_due_to = 1;
  f.task_due_to = MIDNIGHT + DAY;
  CHECK_OK(dealcore_deal_list(&page, db, &f, NULL));
  CHECK(dealcore_deal_page_count(page) == 3 && page_has(page, deal1) && page_has(page, deal2) &&
        page_has(page, deal_tz));
  dealcore_deal_page_free(page);
  f.task_due_from = T0;
  f.task_due_to = T0 + 6 * HOUR;
  CHECK_OK(dealcore_deal_list(&page, db, &f, NULL));
  CHECK(dealcore_deal_page_count(page) == 1 && page_has(page, deal1));
  dealcore_deal_page_free(page);
  f.set_task_due_from = 0;
  f.set_task_due_to = 0;

  /* rotting: deal3 has spent ten days in a stage that rots after three. */
  f.rotting = 1;
  CHECK_OK(dealcore_deal_list(&page, db, &f, NULL));
  CHECK(dealcore_deal_page_count(page) == 1 && page_has(page, deal3));
  dealcore_deal_page_free(page);
  f.rotting = 0;
  CHECK_OK(dealcore_deal_list(&page, db, &f, NULL));
  CHECK(dealcore_deal_page_count(page) == 3 && !page_has(page, deal3));
  dealcore_deal_page_free(page);
  f.rotting = 5;
  CHECK_RC(dealcore_deal_list(&page, db, &f, NULL), DEALCORE_EINVALID);
  f.rotting = DEALCORE_NONE;

  /* activity levels: every level covers every deal; one level each partitions them. */
  levels[0] = DEALCORE_ACTIVITY_NONE;
  levels[1] = DEALCORE_ACTIVITY_LOW;
  f.activity = levels;
  f.activity_count = 2;
  CHECK_OK(dealcore_deal_list(&page, db, &f, NULL));
  found = (int)dealcore_deal_page_count(page);
  dealcore_deal_page_free(page);
  levels[0] = DEALCORE_ACTIVITY_NORMAL;
  levels[1] = DEALCORE_ACTIVITY_HIGH;
  CHECK_OK(dealcore_deal_list(&page, db, &f, NULL));
  CHECK(found + (int)dealcore_deal_page_count(page) == 4);
  dealcore_deal_page_free(page);
  levels[1] = 7;
  CHECK_RC(dealcore_deal_list(&page, db, &f, NULL), DEALCORE_EINVALID);
  CHECK_ERROR_MENTIONS("DEALCORE_ACTIVITY_");
  f.activity = NULL;
  CHECK_RC(dealcore_deal_list(&page, db, &f, NULL), DEALCORE_EINVALID);
  f.activity_count = 0;
  CHECK_OK(dealcore_deal_list(&page, db, &f, NULL));
  CHECK(dealcore_deal_page_count(page) == 4);
  dealcore_deal_page_free(page);

  /* A version 1 filter: the version 2 fields hold garbage, and are not read. */
  memset(&f1, 0x5a, sizeof f1);
  CHECK_OK(dealcore_deal_filter_init(&f1, 1));
  f1.has_open_tasks = 1;
  CHECK_OK(dealcore_deal_list(&page, db, &f1, NULL));
  CHECK(dealcore_deal_page_count(page) == 3 && !page_has(page, deal3));
  dealcore_deal_page_free(page);
  f1.version = 3;
  CHECK_RC(dealcore_deal_list(&page, db, &f1, NULL), DEALCORE_EVERSION);
  /* A version 1 list options: UTC, whatever lies where time_zone would be. */
  memset(&o1, 0x5a, sizeof o1);
  CHECK_OK(dealcore_list_options_init(&o1, 1));
  f.text = "Часовой";
  CHECK_OK(dealcore_deal_list(&page, db, &f, &o1));
  CHECK(dealcore_deal_page_count(page) == 1);
  CHECK(dealcore_deal_task_state(dealcore_deal_page_at(page, 0)) == DEALCORE_TASK_STATE_TODAY);
  dealcore_deal_page_free(page);
  o1.version = 0;
  CHECK_RC(dealcore_deal_list(&page, db, &f, &o1), DEALCORE_EVERSION);
  f.text = NULL;

  /* The board's cards carry the state in the filter's time zone. */
  bf.time_zone = "Europe/Moscow";
  CHECK_OK(dealcore_board_get(&board, db, sales, &bf));
  col = dealcore_board_column_at(board, 0);
  found = 0;
  for (i = 0; i < dealcore_board_column_card_count(col); ++i) {
    const dealcore_deal *d = dealcore_board_column_card_at(col, i);
    if (dealcore_deal_id(d) == deal_tz) {
      found = 1;
      CHECK(dealcore_deal_task_state(d) == DEALCORE_TASK_STATE_PLANNED);
    }
    if (dealcore_deal_id(d) == deal2)
      CHECK(dealcore_deal_task_state(d) == DEALCORE_TASK_STATE_OVERDUE);
  }
  CHECK(found);
  dealcore_board_free(board);
  memset(&bf1, 0x5a, sizeof bf1);
  CHECK_OK(dealcore_board_filter_init(&bf1, 1));
  CHECK_OK(dealcore_board_get(&board, db, sales, &bf1));
  col = dealcore_board_column_at(board, 0);
  for (i = 0; i < dealcore_board_column_card_count(col); ++i) {
    const dealcore_deal *d = dealcore_board_column_card_at(col, i);
    if (dealcore_deal_id(d) == deal_tz)
      CHECK(dealcore_deal_task_state(d) == DEALCORE_TASK_STATE_TODAY);
  }
  dealcore_board_free(board);
  bf.time_zone = "Nowhere/Bogus";
  board = (dealcore_board *)&board;
  CHECK_RC(dealcore_board_get(&board, db, sales, &bf), DEALCORE_EINVALID);
  CHECK(board == NULL);
  bf1.version = 3;
  CHECK_RC(dealcore_board_get(&board, db, sales, &bf1), DEALCORE_EVERSION);
}

/* ---- the task block -------------------------------------------------------------------- */

static void test_task_block(void) {
  dealcore_task_block_query q = DEALCORE_TASK_BLOCK_QUERY_INIT;
  dealcore_task_block *block = (dealcore_task_block *)&block;
  const dealcore_task_group *g;
  const dealcore_task_block_item *item;
  int64_t total = 0, later_id;
  size_t i;

  /* ivan: task_call (today 13:00, he is its assignee again), task_tz (today
   * 22:00 UTC), and one due in two days (this week: the 16th is a Thursday). */
  later_id = create_task(deal_tz, T0 + 2 * DAY, "Послезавтра");
  q.user_id = ivan;
  CHECK_OK(dealcore_task_block_get(&block, db, &q));
  CHECK(dealcore_task_block_group_count(block) == 5);
  for (i = 0; i < 5; ++i) {
    g = dealcore_task_block_group_at(block, i);
    CHECK(dealcore_task_group_kind(g) == (int32_t)i);
    CHECK(dealcore_task_group_item_count(g) == (size_t)dealcore_task_group_total(g));
    total += dealcore_task_group_total(g);
  }
  CHECK(total == 3);
  CHECK(dealcore_task_block_group_at(block, 5) == NULL);
  g = dealcore_task_block_group_at(block, DEALCORE_TASK_GROUP_TODAY);
  CHECK(dealcore_task_group_total(g) == 2);
  item = dealcore_task_group_item_at(g, 0);
  CHECK(dealcore_task_id(dealcore_task_block_item_task(item)) == task_call); /* by due time */
  CHECK_STR(dealcore_task_block_item_deal_name(item), "Сделка один");
  CHECK(dealcore_task_block_item_pipeline_id(item) == sales);
  CHECK(dealcore_task_block_item_stage_id(item) == s_new);
  CHECK_STR(dealcore_task_block_item_stage_name(item), "Новая");
  CHECK(dealcore_task_id(dealcore_task_block_item_task(dealcore_task_group_item_at(g, 1))) ==
        task_tz);
  CHECK(dealcore_task_group_item_at(g, 2) == NULL);
  g = dealcore_task_block_group_at(block, DEALCORE_TASK_GROUP_THIS_WEEK);
  CHECK(dealcore_task_group_total(g) == 1);
  CHECK(dealcore_task_id(dealcore_task_block_item_task(dealcore_task_group_item_at(g, 0))) ==
        later_id);
  dealcore_task_block_free(block);

  /* In Moscow task_tz is tomorrow. */
  q.time_zone = "Europe/Moscow";
  CHECK_OK(dealcore_task_block_get(&block, db, &q));
  CHECK(dealcore_task_group_total(dealcore_task_block_group_at(block, DEALCORE_TASK_GROUP_TODAY)) ==
        1);
  CHECK(dealcore_task_group_total(
            dealcore_task_block_group_at(block, DEALCORE_TASK_GROUP_TOMORROW)) == 1);
  dealcore_task_block_free(block);

  /* An explicit "now" two days later: all three are overdue or today. */
  q.time_zone = NULL;
  q.set_now = 1;
  q.now = T0 + 2 * DAY + HOUR;
  q.per_group_limit = 0; /* counts stay exact */
  CHECK_OK(dealcore_task_block_get(&block, db, &q));
  g = dealcore_task_block_group_at(block, DEALCORE_TASK_GROUP_OVERDUE);
  CHECK(dealcore_task_group_total(g) == 3);
  CHECK(dealcore_task_group_item_count(g) == 0);
  dealcore_task_block_free(block);
  q.set_now = 0;
  q.per_group_limit = 50;

  /* A department: olga's task_day and task_over. */
  q.user_id = 0;
  q.department_id = dept;
  CHECK_OK(dealcore_task_block_get(&block, db, &q));
  total = 0;
  for (i = 0; i < dealcore_task_block_group_count(block); ++i)
    total += dealcore_task_group_total(dealcore_task_block_group_at(block, i));
  CHECK(total == 2);
  CHECK(dealcore_task_group_total(
            dealcore_task_block_group_at(block, DEALCORE_TASK_GROUP_OVERDUE)) == 1);
  dealcore_task_block_free(block);

  /* Refused. */
  block = (dealcore_task_block *)&block;
  q.department_id = 0;
  CHECK_RC(dealcore_task_block_get(&block, db, &q), DEALCORE_EINVALID); /* nobody */
  CHECK(block == NULL);
  q.user_id = ivan;
  q.department_id = dept;
  CHECK_RC(dealcore_task_block_get(&block, db, &q), DEALCORE_EINVALID); /* both */
  q.department_id = 0;
  q.per_group_limit = 1001;
  CHECK_RC(dealcore_task_block_get(&block, db, &q), DEALCORE_EINVALID);
  q.per_group_limit = 50;
  q.time_zone = "Nowhere/Bogus";
  CHECK_RC(dealcore_task_block_get(&block, db, &q), DEALCORE_EINVALID);
  q.time_zone = bad_utf8;
  CHECK_RC(dealcore_task_block_get(&block, db, &q), DEALCORE_EINVALID);
  q.time_zone = NULL;
  q.version = 0;
  CHECK_RC(dealcore_task_block_get(&block, db, &q), DEALCORE_EVERSION);
  q.version = 2;
  CHECK_RC(dealcore_task_block_get(&block, db, &q), DEALCORE_EVERSION);
  q.version = DEALCORE_TASK_BLOCK_QUERY_VERSION;
  CHECK_RC(dealcore_task_block_get(&block, db, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_task_block_get(NULL, db, &q), DEALCORE_EINVALID);
  CHECK_RC(dealcore_task_block_get(&block, NULL, &q), DEALCORE_EINVALID);
  CHECK(block == NULL);
}

/* ---- the activity indicator ---------------------------------------------------------- */

static void test_activity(void) {
  dealcore_activity_options o = DEALCORE_ACTIVITY_OPTIONS_INIT;
  dealcore_activity *a = (dealcore_activity *)&a;

  CHECK_OK(dealcore_activity_get(&a, db, deal1, NULL));
  CHECK(dealcore_activity_deal_id(a) == deal1);
  CHECK(dealcore_activity_window_days(a) == 30);
  dealcore_activity_free(a);
  /* The test clock went back after the completions at T0 + 2h: ask as of later. */
  o.set_now = 1;
  o.now = T0 + 3 * HOUR;
  CHECK_OK(dealcore_activity_get(&a, db, deal1, &o));
  CHECK(dealcore_activity_tasks_created(a) == 2); /* task_call, task_day (task_del is deleted) */
  CHECK(dealcore_activity_tasks_completed(a) == 0); /* completed, then reopened */
  CHECK(dealcore_activity_completed_late(a) == 0);
  CHECK(dealcore_activity_overdue_now(a) == 0);
  CHECK(dealcore_activity_open_tasks(a) == 2);
  CHECK(dealcore_activity_days_since_touch(a) >= 0.0);
  CHECK(dealcore_activity_days_in_stage(a) >= 0.0 && dealcore_activity_days_in_stage(a) < 1.0);
  CHECK(dealcore_activity_rotting_days(a) == 3);
  CHECK(dealcore_activity_rotting(a) == 0);
  CHECK(dealcore_activity_level(a) >= DEALCORE_ACTIVITY_NONE &&
        dealcore_activity_level(a) <= DEALCORE_ACTIVITY_HIGH);
  (void)dealcore_activity_score(a);
  dealcore_activity_free(a);

  /* deal3: never touched by a person, rotting. */
  o.set_now = 0;
  CHECK_OK(dealcore_activity_get(&a, db, deal3, &o));
  CHECK(dealcore_activity_days_since_touch(a) == -1.0);
  CHECK(dealcore_activity_rotting(a) == 1);
  CHECK(dealcore_activity_days_in_stage(a) >= 10.0);
  CHECK(dealcore_activity_open_tasks(a) == 0);
  CHECK(dealcore_activity_level(a) == DEALCORE_ACTIVITY_NONE);
  CHECK(dealcore_activity_score(a) < 0);
  dealcore_activity_free(a);

  /* deal2: one overdue task; a window and "now" of the caller's. */
  o.window_days = 7;
  o.set_now = 1;
  o.now = T0 + HOUR;
  CHECK_OK(dealcore_activity_get(&a, db, deal2, &o));
  CHECK(dealcore_activity_window_days(a) == 7);
  CHECK(dealcore_activity_overdue_now(a) == 1);
  dealcore_activity_free(a);

  /* Refused. */
  a = (dealcore_activity *)&a;
  CHECK_RC(dealcore_activity_get(&a, db, unknown_id, NULL), DEALCORE_ENOTFOUND);
  CHECK(a == NULL);
  o.window_days = 0;
  CHECK_RC(dealcore_activity_get(&a, db, deal1, &o), DEALCORE_EINVALID);
  o.window_days = 30;
  o.version = 0;
  CHECK_RC(dealcore_activity_get(&a, db, deal1, &o), DEALCORE_EVERSION);
  o.version = 2;
  CHECK_RC(dealcore_activity_get(&a, db, deal1, &o), DEALCORE_EVERSION);
  CHECK_RC(dealcore_activity_get(NULL, db, deal1, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_activity_get(&a, NULL, deal1, NULL), DEALCORE_EINVALID);
  CHECK(a == NULL);
}

/* ---- comments, the timeline, pins -------------------------------------------------------- */

static void test_comments(void) {
  int64_t comment = 0, id = 5;
  int64_t mentions[1];
  const char *kind = "comment.";
  dealcore_timeline_query q = DEALCORE_TIMELINE_QUERY_INIT;
  dealcore_timeline_page *page = NULL;

  mentions[0] = olga;
  CHECK_OK(dealcore_comment_add(&comment, db, ivan, deal1, "Ольга, глянь", mentions, 1));
  CHECK(comment > 0);
  CHECK(timeline_has_kind(deal1, "comment.added"));
  CHECK_OK(dealcore_comment_add(&id, db, ivan, deal1, "Без упоминаний", NULL, 0));
  CHECK_OK(dealcore_comment_edit(db, ivan, comment, "Ольга, посмотри"));
  CHECK(timeline_has_kind(deal1, "comment.edited"));
  CHECK_OK(dealcore_comment_delete(db, ivan, id));
  CHECK(timeline_has_kind(deal1, "comment.deleted"));

  /* The texts are in the payloads: the old one too. */
  q.kinds = &kind;
  q.kind_count = 1;
  CHECK_OK(dealcore_timeline_get(&page, db, deal1, &q));
  CHECK(dealcore_timeline_page_count(page) == 4);
  CHECK_STR(dealcore_timeline_entry_kind(dealcore_timeline_page_at(page, 0)), "comment.deleted");
  CHECK(strstr(dealcore_timeline_entry_payload(dealcore_timeline_page_at(page, 1)),
               "Ольга, глянь") != NULL);
  dealcore_timeline_page_free(page);

  /* Refused. */
  id = 5;
  CHECK_REFUSED(dealcore_comment_add(&id, db, ivan, deal1, NULL, NULL, 0), DEALCORE_EINVALID);
  CHECK(id == 0);
  CHECK_REFUSED(dealcore_comment_add(&id, db, ivan, deal1, "", NULL, 0), DEALCORE_EINVALID);
  CHECK_REFUSED(dealcore_comment_add(&id, db, ivan, deal1, bad_utf8, NULL, 0), DEALCORE_EINVALID);
  CHECK_REFUSED(dealcore_comment_add(&id, db, ivan, deal1, "x", NULL, 1), DEALCORE_EINVALID);
  CHECK_REFUSED(dealcore_comment_add(&id, db, ivan, unknown_id, "x", NULL, 0),
                DEALCORE_ENOTFOUND);
  CHECK_REFUSED(dealcore_comment_add(&id, db, unknown_id, deal1, "x", NULL, 0),
                DEALCORE_ENOTFOUND);
  CHECK_REFUSED(dealcore_comment_add(NULL, db, ivan, deal1, "x", NULL, 0), DEALCORE_EINVALID);
  CHECK_REFUSED(dealcore_comment_add(&id, NULL, ivan, deal1, "x", NULL, 0), DEALCORE_EINVALID);
  CHECK_REFUSED(dealcore_comment_edit(db, ivan, comment, NULL), DEALCORE_EINVALID);
  CHECK_REFUSED(dealcore_comment_edit(db, ivan, comment, bad_utf8), DEALCORE_EINVALID);
  CHECK_REFUSED(dealcore_comment_edit(db, ivan, unknown_id, "x"), DEALCORE_ENOTFOUND);
  CHECK_REFUSED(dealcore_comment_edit(db, ivan, id, "x"), DEALCORE_ENOTFOUND); /* deleted */
  CHECK_REFUSED(dealcore_comment_edit(NULL, ivan, comment, "x"), DEALCORE_EINVALID);
  CHECK_REFUSED(dealcore_comment_delete(db, ivan, unknown_id), DEALCORE_ENOTFOUND);
  CHECK_REFUSED(dealcore_comment_delete(NULL, ivan, comment), DEALCORE_EINVALID);
}

static void test_timeline_and_pins(void) {
  dealcore_timeline_query q = DEALCORE_TIMELINE_QUERY_INIT;
  dealcore_timeline_page *page = (dealcore_timeline_page *)&page;
  const dealcore_timeline_entry *e;
  const char *kinds[2];
  int64_t actors[1];
  int64_t created_seq = 0, prev, seq;
  size_t i, n, total = 0;
  char cursor[256];
  dealcore_events *events = NULL;

  /* The whole history, newest first. */
  q.limit = 1000;
  CHECK_OK(dealcore_timeline_get(&page, db, deal1, &q));
  n = dealcore_timeline_page_count(page);
  CHECK(n > 10);
  CHECK(dealcore_timeline_page_pinned_count(page) == 0);
  CHECK_STR(dealcore_timeline_page_next_cursor(page), "");
  prev = INT64_MAX;
  for (i = 0; i < n; ++i) {
    e = dealcore_timeline_page_at(page, i);
    CHECK(dealcore_timeline_entry_seq(e) < prev);
    prev = dealcore_timeline_entry_seq(e);
    CHECK(dealcore_timeline_entry_pinned(e) == 0 && dealcore_timeline_entry_pinned_at(e) == 0);
  }
  e = dealcore_timeline_page_at(page, n - 1);
  CHECK_STR(dealcore_timeline_entry_kind(e), "deal.created");
  CHECK(dealcore_timeline_entry_at(e) == T0);
  CHECK(dealcore_timeline_entry_actor_id(e) == 0);
  CHECK(dealcore_timeline_entry_payload(e)[0] == '{');
  created_seq = dealcore_timeline_entry_seq(e);
  CHECK(dealcore_timeline_page_at(page, n) == NULL);
  dealcore_timeline_page_free(page);

  /* Pages of 3 cover it without gaps or repeats. */
  q.limit = 3;
  q.cursor = NULL;
  prev = INT64_MAX;
  for (;;) {
    CHECK_OK(dealcore_timeline_get(&page, db, deal1, &q));
    for (i = 0; i < dealcore_timeline_page_count(page); ++i) {
      seq = dealcore_timeline_entry_seq(dealcore_timeline_page_at(page, i));
      CHECK(seq < prev);
      prev = seq;
      ++total;
    }
    if (dealcore_timeline_page_next_cursor(page)[0] == '\0') {
      dealcore_timeline_page_free(page);
      break;
    }
    CHECK(strlen(dealcore_timeline_page_next_cursor(page)) < sizeof cursor);
    strcpy(cursor, dealcore_timeline_page_next_cursor(page));
    q.cursor = cursor;
    dealcore_timeline_page_free(page);
  }
  CHECK(total == n);
  q.cursor = NULL;

  /* Kinds (a prefix and an exact one) and actors. */
  kinds[0] = "task.";
  kinds[1] = "deal.created";
  q.kinds = kinds;
  q.kind_count = 2;
  q.limit = 1000;
  CHECK_OK(dealcore_timeline_get(&page, db, deal1, &q));
  CHECK(dealcore_timeline_page_count(page) > 2);
  for (i = 0; i < dealcore_timeline_page_count(page); ++i) {
    const char *k = dealcore_timeline_entry_kind(dealcore_timeline_page_at(page, i));
    CHECK(strncmp(k, "task.", 5) == 0 || strcmp(k, "deal.created") == 0);
  }
  dealcore_timeline_page_free(page);
  q.kind_count = 0;
  actors[0] = olga;
  q.actors = actors;
  q.actor_count = 1;
  CHECK_OK(dealcore_timeline_get(&page, db, deal1, &q));
  CHECK(dealcore_timeline_page_count(page) == 1); /* she created task_call */
  CHECK(dealcore_timeline_entry_actor_id(dealcore_timeline_page_at(page, 0)) == olga);
  dealcore_timeline_page_free(page);
  q.actor_count = 0;

  /* Pin the creation: first, with who and when; not repeated below. */
  now_ms = T0 + 5 * HOUR;
  CHECK_OK(dealcore_event_pin(db, olga, created_seq));
  CHECK_OK(dealcore_event_pin(db, olga, created_seq)); /* again: nothing changes */
  CHECK_OK(dealcore_timeline_get(&page, db, deal1, NULL));
  CHECK(dealcore_timeline_page_pinned_count(page) == 1);
  e = dealcore_timeline_page_pinned_at(page, 0);
  CHECK(dealcore_timeline_entry_seq(e) == created_seq);
  CHECK(dealcore_timeline_entry_pinned(e) == 1);
  CHECK(dealcore_timeline_entry_pinned_at(e) == now_ms);
  CHECK(dealcore_timeline_entry_pinned_by(e) == olga);
  CHECK(dealcore_timeline_page_pinned_at(page, 1) == NULL);
  CHECK_STR(dealcore_timeline_entry_kind(dealcore_timeline_page_at(page, 0)), "event.pinned");
  for (i = 0; i < dealcore_timeline_page_count(page); ++i)
    CHECK(dealcore_timeline_entry_seq(dealcore_timeline_page_at(page, i)) != created_seq);
  dealcore_timeline_page_free(page);

  /* Refused pins: unknown event; an event of no deal (the task type). */
  CHECK_REFUSED(dealcore_event_pin(db, olga, unknown_id), DEALCORE_ENOTFOUND);
  CHECK_OK(dealcore_event_list(&events, db, 0, 100));
  seq = 0;
  for (i = 0; i < dealcore_events_count(events); ++i)
    if (dealcore_event_deal_id(dealcore_events_at(events, i)) == 0)
      seq = dealcore_event_seq(dealcore_events_at(events, i));
  dealcore_events_free(events);
  CHECK(seq > 0);
  CHECK_REFUSED(dealcore_event_pin(db, olga, seq), DEALCORE_ECONFLICT);
  CHECK_REFUSED(dealcore_event_pin(db, unknown_id, created_seq), DEALCORE_ENOTFOUND);
  CHECK_REFUSED(dealcore_event_pin(NULL, olga, created_seq), DEALCORE_EINVALID);
  CHECK_REFUSED(dealcore_event_unpin(db, olga, unknown_id), DEALCORE_ENOTFOUND);
  CHECK_REFUSED(dealcore_event_unpin(NULL, olga, created_seq), DEALCORE_EINVALID);

  CHECK_OK(dealcore_event_unpin(db, olga, created_seq));
  CHECK_OK(dealcore_timeline_get(&page, db, deal1, NULL));
  CHECK(dealcore_timeline_page_pinned_count(page) == 0);
  CHECK_STR(dealcore_timeline_entry_kind(dealcore_timeline_page_at(page, 0)), "event.unpinned");
  dealcore_timeline_page_free(page);
  now_ms = T0;

  /* Refused queries. */
  page = (dealcore_timeline_page *)&page;
  CHECK_RC(dealcore_timeline_get(&page, db, unknown_id, NULL), DEALCORE_ENOTFOUND);
  CHECK(page == NULL);
  q.limit = 0;
  CHECK_RC(dealcore_timeline_get(&page, db, deal1, &q), DEALCORE_EINVALID);
  q.limit = 1001;
  CHECK_RC(dealcore_timeline_get(&page, db, deal1, &q), DEALCORE_EINVALID);
  q.limit = 50;
  q.cursor = "zzz";
  CHECK_RC(dealcore_timeline_get(&page, db, deal1, &q), DEALCORE_EINVALID);
  q.cursor = NULL;
  q.kinds = NULL;
  q.kind_count = 1;
  CHECK_RC(dealcore_timeline_get(&page, db, deal1, &q), DEALCORE_EINVALID);
  kinds[0] = NULL;
  q.kinds = kinds;
  CHECK_RC(dealcore_timeline_get(&page, db, deal1, &q), DEALCORE_EINVALID);
  kinds[0] = bad_utf8;
  CHECK(dealcore_timeline_get(&page, db, deal1, &q) != DEALCORE_OK || page != NULL);
  dealcore_timeline_page_free(page);
  page = NULL;
  q.kind_count = 0;
  q.actors = NULL;
  q.actor_count = 1;
  CHECK_RC(dealcore_timeline_get(&page, db, deal1, &q), DEALCORE_EINVALID);
  q.actor_count = 0;
  q.version = 0;
  CHECK_RC(dealcore_timeline_get(&page, db, deal1, &q), DEALCORE_EVERSION);
  q.version = 2;
  CHECK_RC(dealcore_timeline_get(&page, db, deal1, &q), DEALCORE_EVERSION);
  q.version = DEALCORE_TIMELINE_QUERY_VERSION;
  CHECK_RC(dealcore_timeline_get(NULL, db, deal1, &q), DEALCORE_EINVALID);
  CHECK_RC(dealcore_timeline_get(&page, NULL, deal1, &q), DEALCORE_EINVALID);
  CHECK(page == NULL);
}

/* ---- stage history ------------------------------------------------------------------------- */

static void test_stage_history(void) {
  dealcore_move_target target = DEALCORE_MOVE_TARGET_INIT;
  dealcore_stage_history *h = (dealcore_stage_history *)&h;
  const dealcore_stage_interval *s;

  /* new -> talks an hour later -> new two hours after that. */
  now_ms = T0 + HOUR;
  target.stage_id = s_talks;
  CHECK_OK(dealcore_deal_move(db, ivan, &deal2, 1, &target));
  now_ms = T0 + 3 * HOUR;
  target.stage_id = s_new;
  CHECK_OK(dealcore_deal_move(db, ivan, &deal2, 1, &target));
  now_ms = T0 + 4 * HOUR;

  CHECK_OK(dealcore_stage_history_get(&h, db, deal2));
  CHECK(dealcore_stage_history_count(h) == 3);
  s = dealcore_stage_history_at(h, 0);
  CHECK(dealcore_stage_interval_pipeline_id(s) == sales);
  CHECK(dealcore_stage_interval_stage_id(s) == s_new);
  CHECK(dealcore_stage_interval_entered_at(s) == T0);
  CHECK(dealcore_stage_interval_left_at(s) == T0 + HOUR);
  CHECK(dealcore_stage_interval_duration(s) == HOUR);
  s = dealcore_stage_history_at(h, 1);
  CHECK(dealcore_stage_interval_stage_id(s) == s_talks);
  CHECK(dealcore_stage_interval_duration(s) == 2 * HOUR);
  s = dealcore_stage_history_at(h, 2);
  CHECK(dealcore_stage_interval_stage_id(s) == s_new);
  CHECK(dealcore_stage_interval_entered_at(s) == T0 + 3 * HOUR);
  CHECK(dealcore_stage_interval_left_at(s) == 0); /* the current stay */
  CHECK(dealcore_stage_interval_duration(s) == HOUR);
  CHECK(dealcore_stage_history_at(h, 3) == NULL);
  dealcore_stage_history_free(h);
  now_ms = T0;
  (void)s_won;

  h = (dealcore_stage_history *)&h;
  CHECK_RC(dealcore_stage_history_get(&h, db, unknown_id), DEALCORE_ENOTFOUND);
  CHECK(h == NULL);
  CHECK_RC(dealcore_stage_history_get(NULL, db, deal2), DEALCORE_EINVALID);
  CHECK_RC(dealcore_stage_history_get(&h, NULL, deal2), DEALCORE_EINVALID);
}

/* ---- accessors and frees given NULL ----------------------------------------------------- */

static void test_null_accessors(void) {
  dealcore_task_types_free(NULL);
  dealcore_task_free(NULL);
  dealcore_tasks_free(NULL);
  dealcore_task_block_free(NULL);
  dealcore_activity_free(NULL);
  dealcore_timeline_page_free(NULL);
  dealcore_stage_history_free(NULL);

  CHECK(dealcore_deal_task_state(NULL) == DEALCORE_TASK_STATE_NONE);
  CHECK(dealcore_task_types_count(NULL) == 0 && dealcore_task_types_at(NULL, 0) == NULL);
  CHECK(dealcore_task_type_id(NULL) == 0 && dealcore_task_type_builtin(NULL) == 0);
  CHECK_STR(dealcore_task_type_name(NULL), "");
  CHECK(dealcore_tasks_count(NULL) == 0 && dealcore_tasks_at(NULL, 0) == NULL);
  CHECK(dealcore_task_id(NULL) == 0 && dealcore_task_deal_id(NULL) == 0 &&
        dealcore_task_type_of(NULL) == 0 && dealcore_task_assignee_id(NULL) == 0 &&
        dealcore_task_creator_id(NULL) == 0 && dealcore_task_due_at(NULL) == 0 &&
        dealcore_task_all_day(NULL) == 0 && dealcore_task_created_at(NULL) == 0 &&
        dealcore_task_updated_at(NULL) == 0 && dealcore_task_completed_at(NULL) == 0);
  CHECK_STR(dealcore_task_text(NULL), "");
  CHECK_STR(dealcore_task_result(NULL), "");
  CHECK(dealcore_task_block_group_count(NULL) == 0 &&
        dealcore_task_block_group_at(NULL, 0) == NULL);
  CHECK(dealcore_task_group_kind(NULL) == 0 && dealcore_task_group_total(NULL) == 0 &&
        dealcore_task_group_item_count(NULL) == 0 && dealcore_task_group_item_at(NULL, 0) == NULL);
  CHECK(dealcore_task_block_item_task(NULL) == NULL &&
        dealcore_task_block_item_pipeline_id(NULL) == 0 &&
        dealcore_task_block_item_stage_id(NULL) == 0);
  CHECK_STR(dealcore_task_block_item_deal_name(NULL), "");
  CHECK_STR(dealcore_task_block_item_stage_name(NULL), "");
  CHECK(dealcore_activity_deal_id(NULL) == 0 && dealcore_activity_window_days(NULL) == 0 &&
        dealcore_activity_tasks_created(NULL) == 0 && dealcore_activity_tasks_completed(NULL) == 0 &&
        dealcore_activity_completed_late(NULL) == 0 && dealcore_activity_overdue_now(NULL) == 0 &&
        dealcore_activity_open_tasks(NULL) == 0 && dealcore_activity_days_since_touch(NULL) == -1.0 &&
        dealcore_activity_days_in_stage(NULL) == 0.0 &&
        dealcore_activity_rotting_days(NULL) == DEALCORE_NONE &&
        dealcore_activity_rotting(NULL) == 0 && dealcore_activity_score(NULL) == 0 &&
        dealcore_activity_level(NULL) == DEALCORE_ACTIVITY_NONE);
  CHECK(dealcore_timeline_page_pinned_count(NULL) == 0 &&
        dealcore_timeline_page_pinned_at(NULL, 0) == NULL &&
        dealcore_timeline_page_count(NULL) == 0 && dealcore_timeline_page_at(NULL, 0) == NULL);
  CHECK_STR(dealcore_timeline_page_next_cursor(NULL), "");
  CHECK(dealcore_timeline_entry_seq(NULL) == 0 && dealcore_timeline_entry_at(NULL) == 0 &&
        dealcore_timeline_entry_actor_id(NULL) == 0 && dealcore_timeline_entry_pinned(NULL) == 0 &&
        dealcore_timeline_entry_pinned_at(NULL) == 0 && dealcore_timeline_entry_pinned_by(NULL) == 0);
  CHECK_STR(dealcore_timeline_entry_kind(NULL), "");
  CHECK_STR(dealcore_timeline_entry_payload(NULL), "");
  CHECK(dealcore_stage_history_count(NULL) == 0 && dealcore_stage_history_at(NULL, 0) == NULL);
  CHECK(dealcore_stage_interval_pipeline_id(NULL) == 0 &&
        dealcore_stage_interval_stage_id(NULL) == 0 &&
        dealcore_stage_interval_entered_at(NULL) == 0 &&
        dealcore_stage_interval_left_at(NULL) == 0 && dealcore_stage_interval_duration(NULL) == 0);
}

static void test_verify_and_close(void) {
  dealcore_verify_report *report = NULL;
  size_t i;
  CHECK_OK(dealcore_db_verify(&report, db));
  CHECK(dealcore_verify_report_ok(report) == 1);
  for (i = 0; i < dealcore_verify_report_difference_count(report); ++i)
    fprintf(stderr, "verify: %s\n", dealcore_verify_report_difference_at(report, i));
  dealcore_verify_report_free(report);
  dealcore_db_close(db);
  db = NULL;
}

int main(void) {
  test_init_functions();
  test_open_and_setup();
  test_task_types();
  test_task_create_and_get();
  test_task_changes();
  test_list_and_board();
  test_task_block();
  test_activity();
  test_comments();
  test_timeline_and_pins();
  test_stage_history();
  test_null_accessors();
  test_verify_and_close();
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

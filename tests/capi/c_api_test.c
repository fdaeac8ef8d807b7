/*
 * c_api_test.c — the C ABI from plain C99: every function of dealcore.h,
 * with good input and with bad input (NULL handles and out pointers, invalid
 * UTF-8, empty names, unknown ids, a stage of another pipeline, unknown
 * struct versions). After each refused call it checks that nothing changed:
 * the event log did not grow and the data reads as before.
 *
 * Prints "N passed, 0 failed" and exits 0, or lists the failures and exits 1.
 */
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dealcore.h"

#ifndef DEALCORE_TEST_DB
#error "DEALCORE_TEST_DB must name the test database file"
#endif

#include "check.h"

/* A failed call sets a message that names the function. */
#define CHECK_ERROR_MENTIONS(text) CHECK(strstr(dealcore_error_last(), (text)) != NULL)

/* ---- the injected clock ------------------------------------------------------- */

typedef struct test_clock {
  int64_t now;
  int calls;
  int freed;
} test_clock;

static int64_t clock_now(void *payload) {
  test_clock *c = (test_clock *)payload;
  ++c->calls;
  return c->now;
}

static void clock_free(void *payload) { ++((test_clock *)payload)->freed; }

/* ---- shared state ---------------------------------------------------------------- */

static dealcore_db *db = NULL;
static test_clock the_clock = {1700000000000, 0, 0};

static int64_t sales, tenders;                   /* pipelines */
static int64_t s_new, s_won, s_lost, s_talks;    /* stages of sales */
static int64_t t_bid, t_lost;                    /* stages of tenders */
static int64_t dept_sales, dept_b2b;             /* departments */
static int64_t ivan, olga;                       /* users */
static int64_t tag_vip, tag_bulk, tag_tmp;       /* tags */
static int64_t contact_ivanov, contact_petrova;  /* contacts */
static int64_t deal1, deal2, deal3;              /* deals */

static const int64_t unknown_id = 987654321;

static int64_t last_seq_of(const dealcore_db *d) {
  int64_t seq = -1;
  if (dealcore_event_last_seq(&seq, d) != DEALCORE_OK) return -1;
  return seq;
}

static int64_t last_seq(void) { return last_seq_of(db); }

static int64_t deal_count(int32_t mode) {
  int64_t n = -1;
  if (dealcore_deal_count(&n, db, mode) != DEALCORE_OK) return -1;
  return n;
}

static int ids_contain(const dealcore_id_list *list, int64_t id) {
  size_t i;
  for (i = 0; i < dealcore_id_list_count(list); ++i)
    if (dealcore_id_list_at(list, i) == id) return 1;
  return 0;
}

/* ---- library-level functions ---------------------------------------------------- */

static void test_library(void) {
  int code;
  CHECK_STR(dealcore_version(), DEALCORE_VERSION_STRING);
  CHECK(dealcore_abi_version() == DEALCORE_ABI_VERSION);

  CHECK_STR(dealcore_status_str(DEALCORE_OK), "ok");
  CHECK_STR(dealcore_status_str(DEALCORE_ENOTFOUND), "not found");
  for (code = DEALCORE_EVERSION; code <= DEALCORE_OK; ++code) {
    CHECK(dealcore_status_str(code) != NULL);
    CHECK(strcmp(dealcore_status_str(code), "unknown status") != 0);
  }
  CHECK_STR(dealcore_status_str(1), "unknown status");
  CHECK_STR(dealcore_status_str(-11), "unknown status");
  CHECK_STR(dealcore_status_str(-1000000), "unknown status");

  /* Never NULL, "" before any failure. */
  CHECK(dealcore_error_last() != NULL);

  /* Every free / close accepts NULL. */
  dealcore_string_free(NULL);
  dealcore_db_close(NULL);
  dealcore_verify_report_free(NULL);
  dealcore_pipeline_free(NULL);
  dealcore_pipelines_free(NULL);
  dealcore_departments_free(NULL);
  dealcore_users_free(NULL);
  dealcore_tags_free(NULL);
  dealcore_id_list_free(NULL);
  dealcore_contact_free(NULL);
  dealcore_deal_free(NULL);
  dealcore_deal_page_free(NULL);
  dealcore_board_free(NULL);
  dealcore_board_totals_free(NULL);
  dealcore_events_free(NULL);
  CHECK(1);

  /* Accessors given NULL return 0, "" or NULL and do not crash. */
  CHECK_STR(dealcore_db_path(NULL), "");
  CHECK(dealcore_verify_report_ok(NULL) == 0);
  CHECK(dealcore_verify_report_difference_count(NULL) == 0);
  CHECK_STR(dealcore_verify_report_difference_at(NULL, 0), "");
  CHECK(dealcore_pipelines_count(NULL) == 0);
  CHECK(dealcore_pipelines_at(NULL, 0) == NULL);
  CHECK(dealcore_pipeline_id(NULL) == 0);
  CHECK_STR(dealcore_pipeline_name(NULL), "");
  CHECK(dealcore_pipeline_position(NULL) == 0);
  CHECK(dealcore_pipeline_archived(NULL) == 0);
  CHECK(dealcore_pipeline_stage_count(NULL) == 0);
  CHECK(dealcore_pipeline_stage_at(NULL, 0) == NULL);
  CHECK(dealcore_stage_id(NULL) == 0);
  CHECK(dealcore_stage_pipeline_id(NULL) == 0);
  CHECK_STR(dealcore_stage_name(NULL), "");
  CHECK(dealcore_stage_kind(NULL) == DEALCORE_STAGE_OPEN);
  CHECK(dealcore_stage_position(NULL) == 0);
  CHECK_STR(dealcore_stage_color(NULL), "");
  CHECK(dealcore_stage_probability(NULL) == DEALCORE_NONE);
  CHECK(dealcore_stage_rotting_days(NULL) == DEALCORE_NONE);
  CHECK(dealcore_departments_count(NULL) == 0);
  CHECK(dealcore_departments_at(NULL, 0) == NULL);
  CHECK(dealcore_department_id(NULL) == 0);
  CHECK_STR(dealcore_department_name(NULL), "");
  CHECK(dealcore_users_count(NULL) == 0);
  CHECK(dealcore_users_at(NULL, 0) == NULL);
  CHECK(dealcore_user_id(NULL) == 0);
  CHECK_STR(dealcore_user_name(NULL), "");
  CHECK(dealcore_user_department_id(NULL) == 0);
  CHECK(dealcore_user_active(NULL) == 0);
  CHECK_STR(dealcore_user_external_ref(NULL), "");
  CHECK(dealcore_tags_count(NULL) == 0);
  CHECK(dealcore_tags_at(NULL, 0) == NULL);
  CHECK(dealcore_tag_id(NULL) == 0);
  CHECK_STR(dealcore_tag_name(NULL), "");
  CHECK_STR(dealcore_tag_color(NULL), "");
  CHECK(dealcore_id_list_count(NULL) == 0);
  CHECK(dealcore_id_list_at(NULL, 0) == 0);
  CHECK(dealcore_id_list_data(NULL) == NULL);
  CHECK(dealcore_contact_id(NULL) == 0);
  CHECK_STR(dealcore_contact_name(NULL), "");
  CHECK(dealcore_contact_phone_count(NULL) == 0);
  CHECK_STR(dealcore_contact_phone_at(NULL, 0), "");
  CHECK(dealcore_contact_email_count(NULL) == 0);
  CHECK_STR(dealcore_contact_email_at(NULL, 0), "");
  CHECK_STR(dealcore_contact_client_ref(NULL), "");
  CHECK_STR(dealcore_contact_external_ref(NULL), "");
  CHECK(dealcore_deal_id(NULL) == 0);
  CHECK_STR(dealcore_deal_name(NULL), "");
  CHECK(dealcore_deal_pipeline_id(NULL) == 0);
  CHECK(dealcore_deal_stage_id(NULL) == 0);
  CHECK(dealcore_deal_stage_kind(NULL) == DEALCORE_STAGE_OPEN);
  CHECK(dealcore_deal_amount(NULL) == 0);
  CHECK_STR(dealcore_deal_currency(NULL), "");
  CHECK(dealcore_deal_owner_id(NULL) == 0);
  CHECK(dealcore_deal_department_id(NULL) == 0);
  CHECK_STR(dealcore_deal_client_ref(NULL), "");
  CHECK_STR(dealcore_deal_client_name(NULL), "");
  CHECK_STR(dealcore_deal_segment(NULL), "");
  CHECK_STR(dealcore_deal_external_ref(NULL), "");
  CHECK_STR(dealcore_deal_lost_reason(NULL), "");
  CHECK(dealcore_deal_created_at(NULL) == 0);
  CHECK(dealcore_deal_updated_at(NULL) == 0);
  CHECK(dealcore_deal_closed_at(NULL) == 0);
  CHECK(dealcore_deal_stage_changed_at(NULL) == 0);
  CHECK(dealcore_deal_archived(NULL) == 0);
  CHECK(dealcore_deal_open_task_count(NULL) == 0);
  CHECK(dealcore_deal_next_task_due(NULL) == 0);
  CHECK(dealcore_deal_tag_count(NULL) == 0);
  CHECK(dealcore_deal_tags(NULL) == NULL);
  CHECK(dealcore_deal_contact_count(NULL) == 0);
  CHECK(dealcore_deal_contacts(NULL) == NULL);
  CHECK(dealcore_deal_page_count(NULL) == 0);
  CHECK(dealcore_deal_page_at(NULL, 0) == NULL);
  CHECK(dealcore_deal_page_ids(NULL) == NULL);
  CHECK_STR(dealcore_deal_page_next_cursor(NULL), "");
  CHECK(dealcore_deal_page_total(NULL) == -1);
  CHECK(dealcore_board_pipeline(NULL) == NULL);
  CHECK(dealcore_board_column_count(NULL) == 0);
  CHECK(dealcore_board_column_at(NULL, 0) == NULL);
  CHECK(dealcore_board_column_stage(NULL) == NULL);
  CHECK(dealcore_board_column_deal_count(NULL) == 0);
  CHECK(dealcore_board_column_sum_count(NULL) == 0);
  CHECK(dealcore_board_column_sum_amount(NULL, 0) == 0);
  CHECK_STR(dealcore_board_column_sum_currency(NULL, 0), "");
  CHECK(dealcore_board_column_card_count(NULL) == 0);
  CHECK(dealcore_board_column_card_at(NULL, 0) == NULL);
  CHECK_STR(dealcore_board_column_next_cursor(NULL), "");
  CHECK(dealcore_board_totals_column_count(NULL) == 0);
  CHECK(dealcore_board_totals_stage_id(NULL, 0) == 0);
  CHECK(dealcore_board_totals_deal_count(NULL, 0) == 0);
  CHECK(dealcore_board_totals_sum_count(NULL, 0) == 0);
  CHECK(dealcore_board_totals_sum_amount(NULL, 0, 0) == 0);
  CHECK_STR(dealcore_board_totals_sum_currency(NULL, 0, 0), "");
  CHECK(dealcore_events_count(NULL) == 0);
  CHECK(dealcore_events_at(NULL, 0) == NULL);
  CHECK(dealcore_event_seq(NULL) == 0);
  CHECK(dealcore_event_at(NULL) == 0);
  CHECK(dealcore_event_actor_id(NULL) == 0);
  CHECK(dealcore_event_deal_id(NULL) == 0);
  CHECK_STR(dealcore_event_kind(NULL), "");
  CHECK_STR(dealcore_event_payload(NULL), "");
}

/* ---- versioned structs and their _init functions ---------------------------------- */

static void test_init_functions(void) {
  dealcore_open_options oo;
  dealcore_stage_spec ss;
  dealcore_user_patch up;
  dealcore_contact_spec cs;
  dealcore_deal_spec ds;
  dealcore_deal_patch dp;
  dealcore_move_target mt;
  dealcore_deal_filter df;
  dealcore_list_options lo;
  dealcore_board_filter bf;

  memset(&oo, 0x5a, sizeof oo);
  CHECK_OK(dealcore_open_options_init(&oo, DEALCORE_OPEN_OPTIONS_VERSION));
  CHECK(oo.version == DEALCORE_OPEN_OPTIONS_VERSION && oo.create_if_missing == 1 &&
        oo.default_region == NULL && oo.busy_timeout_ms == 5000 && oo.clock == NULL &&
        oo.clock_payload == NULL && oo.clock_payload_free == NULL && oo.max_size_bytes == 0 &&
        oo.views_cache == 1 && oo.views_cache_min_deals == 10000);
  /* Version 1 of the struct ends before views_cache: nothing past it is written. */
  memset(&oo, 0x5a, sizeof oo);
  CHECK_OK(dealcore_open_options_init(&oo, 1));
  CHECK(oo.version == 1 && oo.busy_timeout_ms == 5000 && oo.views_cache == 0x5a5a5a5a);
  memset(&ss, 0x5a, sizeof ss);
  CHECK_OK(dealcore_stage_spec_init(&ss, DEALCORE_STAGE_SPEC_VERSION));
  CHECK(ss.version == DEALCORE_STAGE_SPEC_VERSION && ss.id == 0 && ss.name == NULL &&
        ss.kind == DEALCORE_STAGE_OPEN && ss.color == NULL && ss.probability == DEALCORE_NONE &&
        ss.rotting_days == DEALCORE_NONE);
  memset(&up, 0x5a, sizeof up);
  CHECK_OK(dealcore_user_patch_init(&up, DEALCORE_USER_PATCH_VERSION));
  CHECK(up.version == DEALCORE_USER_PATCH_VERSION && up.set_name == 0 && up.set_department_id == 0 &&
        up.set_active == 0);
  memset(&cs, 0x5a, sizeof cs);
  CHECK_OK(dealcore_contact_spec_init(&cs, DEALCORE_CONTACT_SPEC_VERSION));
  CHECK(cs.version == DEALCORE_CONTACT_SPEC_VERSION && cs.name == NULL && cs.phone_count == 0 &&
        cs.email_count == 0 && cs.client_ref == NULL && cs.external_ref == NULL);
  memset(&ds, 0x5a, sizeof ds);
  CHECK_OK(dealcore_deal_spec_init(&ds, DEALCORE_DEAL_SPEC_VERSION));
  CHECK(ds.version == DEALCORE_DEAL_SPEC_VERSION && ds.name == NULL && ds.pipeline_id == 0 &&
        ds.currency == NULL && ds.tag_count == 0 && ds.contact_count == 0 &&
        ds.set_created_at == 0);
  memset(&dp, 0x5a, sizeof dp);
  CHECK_OK(dealcore_deal_patch_init(&dp, DEALCORE_DEAL_PATCH_VERSION));
  CHECK(dp.version == DEALCORE_DEAL_PATCH_VERSION && dp.set_name == 0 && dp.set_amount == 0 &&
        dp.set_currency == 0 && dp.set_owner_id == 0 && dp.set_department_id == 0 &&
        dp.set_client_ref == 0 && dp.set_client_name == 0 && dp.set_segment == 0);
  memset(&mt, 0x5a, sizeof mt);
  CHECK_OK(dealcore_move_target_init(&mt, DEALCORE_MOVE_TARGET_VERSION));
  CHECK(mt.version == DEALCORE_MOVE_TARGET_VERSION && mt.pipeline_id == 0 && mt.stage_id == 0 &&
        mt.lost_reason == NULL);
  memset(&df, 0x5a, sizeof df);
  CHECK_OK(dealcore_deal_filter_init(&df, DEALCORE_DEAL_FILTER_VERSION));
  CHECK(df.version == DEALCORE_DEAL_FILTER_VERSION && df.pipeline_count == 0 &&
        df.segment_count == 0 && df.set_amount_min == 0 && df.text == NULL &&
        df.has_open_tasks == DEALCORE_NONE && df.archived == DEALCORE_ARCHIVED_EXCLUDE);
  memset(&lo, 0x5a, sizeof lo);
  CHECK_OK(dealcore_list_options_init(&lo, DEALCORE_LIST_OPTIONS_VERSION));
  CHECK(lo.version == DEALCORE_LIST_OPTIONS_VERSION && lo.sort == DEALCORE_SORT_UPDATED &&
        lo.descending == 1 && lo.limit == 50 && lo.cursor == NULL && lo.with_total == 0 &&
        lo.ids_only == 0);
  memset(&bf, 0x5a, sizeof bf);
  CHECK_OK(dealcore_board_filter_init(&bf, DEALCORE_BOARD_FILTER_VERSION));
  CHECK(bf.version == DEALCORE_BOARD_FILTER_VERSION && bf.owner_count == 0 &&
        bf.department_count == 0 && bf.tags_any_count == 0 && bf.cards_per_stage == 20);

  /* Unknown versions and NULL. */
  CHECK_RC(dealcore_open_options_init(&oo, 0), DEALCORE_EVERSION);
  CHECK_ERROR_MENTIONS("version 0");
  CHECK_RC(dealcore_open_options_init(&oo, 3), DEALCORE_EVERSION);
  CHECK(dealcore_error_last_code() == DEALCORE_EVERSION);
  CHECK_RC(dealcore_stage_spec_init(&ss, 99), DEALCORE_EVERSION);
  CHECK_RC(dealcore_user_patch_init(&up, 99), DEALCORE_EVERSION);
  CHECK_RC(dealcore_contact_spec_init(&cs, 99), DEALCORE_EVERSION);
  CHECK_RC(dealcore_deal_spec_init(&ds, 99), DEALCORE_EVERSION);
  CHECK_RC(dealcore_deal_patch_init(&dp, 99), DEALCORE_EVERSION);
  CHECK_RC(dealcore_move_target_init(&mt, 99), DEALCORE_EVERSION);
  CHECK_RC(dealcore_deal_filter_init(&df, 99), DEALCORE_EVERSION);
  CHECK_RC(dealcore_list_options_init(&lo, 99), DEALCORE_EVERSION);
  CHECK_RC(dealcore_board_filter_init(&bf, 99), DEALCORE_EVERSION);
  CHECK_RC(dealcore_open_options_init(NULL, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_stage_spec_init(NULL, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_user_patch_init(NULL, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_contact_spec_init(NULL, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_spec_init(NULL, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_patch_init(NULL, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_move_target_init(NULL, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_filter_init(NULL, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_list_options_init(NULL, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_board_filter_init(NULL, 1), DEALCORE_EINVALID);
  CHECK_ERROR_MENTIONS("dealcore_board_filter_init");

  /* A successful call clears the message. */
  CHECK_OK(dealcore_board_filter_init(&bf, DEALCORE_BOARD_FILTER_VERSION));
  CHECK_STR(dealcore_error_last(), "");
  CHECK(dealcore_error_last_code() == DEALCORE_OK);
}

/* ---- opening ------------------------------------------------------------------------- */

static void test_open(void) {
  dealcore_open_options opts = DEALCORE_OPEN_OPTIONS_INIT;
  dealcore_db *other = (dealcore_db *)&other; /* must be reset to NULL on failure */
  test_clock rejected = {0, 0, 0};

  remove(DEALCORE_TEST_DB);
  remove(DEALCORE_TEST_DB "-wal");
  remove(DEALCORE_TEST_DB "-shm");
  remove(DEALCORE_TEST_DB "-views");

  CHECK_RC(dealcore_db_open(NULL, DEALCORE_TEST_DB, NULL), DEALCORE_EINVALID);
  CHECK_ERROR_MENTIONS("out is NULL");
  CHECK_RC(dealcore_db_open(&other, NULL, NULL), DEALCORE_EINVALID);
  CHECK(other == NULL);
  CHECK_ERROR_MENTIONS("path is NULL");
  CHECK_RC(dealcore_db_open(&other, "", NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_db_open(&other, "\xff\xfe.db", NULL), DEALCORE_EINVALID);

  /* An unknown options version is refused, and the payload released at once. */
  opts.version = 0;
  opts.clock = clock_now;
  opts.clock_payload = &rejected;
  opts.clock_payload_free = clock_free;
  CHECK_RC(dealcore_db_open(&other, DEALCORE_TEST_DB, &opts), DEALCORE_EVERSION);
  CHECK(other == NULL);
  CHECK(rejected.freed == 1);
  opts.version = DEALCORE_OPEN_OPTIONS_VERSION;

  /* create_if_missing = 0 on a file that does not exist. */
  opts.create_if_missing = 0;
  rejected.freed = 0;
  CHECK(dealcore_db_open(&other, DEALCORE_TEST_DB, &opts) < 0);
  CHECK(other == NULL);
  CHECK(rejected.freed == 1);
  CHECK(strlen(dealcore_error_last()) > 0);

  opts.create_if_missing = 1;
  opts.busy_timeout_ms = -5;
  rejected.freed = 0;
  CHECK_RC(dealcore_db_open(&other, DEALCORE_TEST_DB, &opts), DEALCORE_EINVALID);
  CHECK(rejected.freed == 1);

  /* The real one, with the injected clock. */
  opts.busy_timeout_ms = 2000;
  opts.default_region = "RU";
  opts.clock_payload = &the_clock;
  CHECK_OK(dealcore_db_open(&db, DEALCORE_TEST_DB, &opts));
  CHECK(db != NULL);
  CHECK_STR(dealcore_db_path(db), DEALCORE_TEST_DB);
  CHECK(the_clock.freed == 0);
  CHECK(last_seq() == 0);
  CHECK(deal_count(DEALCORE_ARCHIVED_INCLUDE) == 0);
}

/* ---- departments, users, tags --------------------------------------------------------- */

static void test_departments(void) {
  int64_t id = 77, seq;
  dealcore_departments *list = NULL;

  CHECK_OK(dealcore_department_create(&dept_sales, db, 0, "Отдел продаж"));
  CHECK(dept_sales > 0);
  CHECK_OK(dealcore_department_create(&dept_b2b, db, 0, "B2B"));

  seq = last_seq();
  CHECK_RC(dealcore_department_create(NULL, db, 0, "x"), DEALCORE_EINVALID);
  CHECK_RC(dealcore_department_create(&id, NULL, 0, "x"), DEALCORE_EINVALID);
  CHECK(id == 0);
  CHECK_ERROR_MENTIONS("db is NULL");
  CHECK_RC(dealcore_department_create(&id, db, 0, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_department_create(&id, db, 0, "\xff\xfe"), DEALCORE_EINVALID);
  CHECK_RC(dealcore_department_create(&id, db, 0, ""), DEALCORE_EINVALID);
  CHECK_RC(dealcore_department_create(&id, db, unknown_id, "Склад"), DEALCORE_ENOTFOUND);
  CHECK_RC(dealcore_department_rename(db, 0, unknown_id, "Склад"), DEALCORE_ENOTFOUND);
  CHECK_RC(dealcore_department_rename(db, 0, dept_b2b, "\xff\xfe"), DEALCORE_EINVALID);
  CHECK_RC(dealcore_department_rename(db, 0, dept_b2b, ""), DEALCORE_EINVALID);
  CHECK_RC(dealcore_department_rename(db, 0, dept_b2b, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_department_rename(NULL, 0, dept_b2b, "x"), DEALCORE_EINVALID);
  CHECK(last_seq() == seq);

  CHECK_OK(dealcore_department_rename(db, 0, dept_b2b, "Корпоративные продажи"));

  CHECK_RC(dealcore_department_list(NULL, db), DEALCORE_EINVALID);
  CHECK_RC(dealcore_department_list(&list, NULL), DEALCORE_EINVALID);
  CHECK(list == NULL);
  CHECK_OK(dealcore_department_list(&list, db));
  CHECK(dealcore_departments_count(list) == 2);
  if (dealcore_departments_count(list) == 2) {
    const dealcore_department *a = dealcore_departments_at(list, 0);
    const dealcore_department *b = dealcore_departments_at(list, 1);
    if (dealcore_department_id(a) != dept_sales) { /* order is the library's */
      const dealcore_department *t = a;
      a = b;
      b = t;
    }
    CHECK(dealcore_department_id(a) == dept_sales);
    CHECK_STR(dealcore_department_name(a), "Отдел продаж");
    CHECK(dealcore_department_id(b) == dept_b2b);
    CHECK_STR(dealcore_department_name(b), "Корпоративные продажи");
  }
  CHECK(dealcore_departments_at(list, 2) == NULL);
  dealcore_departments_free(list);
}

static const dealcore_user *find_user(const dealcore_users *list, int64_t id) {
  size_t i;
  for (i = 0; i < dealcore_users_count(list); ++i)
    if (dealcore_user_id(dealcore_users_at(list, i)) == id) return dealcore_users_at(list, i);
  return NULL;
}

static void test_users(void) {
  int64_t id = 5, seq;
  dealcore_user_patch patch = DEALCORE_USER_PATCH_INIT;
  dealcore_users *list = NULL;
  const dealcore_user *u;

  CHECK_OK(dealcore_user_create(&ivan, db, 0, "Иван Петров", dept_sales, "1c-user-1"));
  CHECK_OK(dealcore_user_create(&olga, db, 0, "Ольга Смирнова", dept_b2b, NULL));
  CHECK(ivan > 0 && olga > 0 && ivan != olga);

  seq = last_seq();
  CHECK_RC(dealcore_user_create(NULL, db, 0, "x", 0, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_user_create(&id, NULL, 0, "x", 0, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_user_create(&id, db, 0, NULL, 0, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_user_create(&id, db, 0, "\xff\xfe", 0, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_user_create(&id, db, 0, "", 0, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_user_create(&id, db, 0, "Пётр", unknown_id, NULL), DEALCORE_ENOTFOUND);
  CHECK_RC(dealcore_user_create(&id, db, 0, "Пётр", 0, "1c-user-1"), DEALCORE_EEXISTS);
  CHECK_RC(dealcore_user_create(&id, db, 0, "Пётр", 0, "\xff\xfe"), DEALCORE_EINVALID);
  CHECK(id == 0);

  patch.set_name = 1;
  patch.name = "\xff\xfe";
  CHECK_RC(dealcore_user_update(db, 0, olga, &patch), DEALCORE_EINVALID);
  patch.name = "";
  CHECK_RC(dealcore_user_update(db, 0, olga, &patch), DEALCORE_EINVALID);
  patch.name = NULL;
  CHECK_RC(dealcore_user_update(db, 0, olga, &patch), DEALCORE_EINVALID);
  patch.name = "Ольга";
  CHECK_RC(dealcore_user_update(db, 0, unknown_id, &patch), DEALCORE_ENOTFOUND);
  CHECK_RC(dealcore_user_update(NULL, 0, olga, &patch), DEALCORE_EINVALID);
  CHECK_RC(dealcore_user_update(db, 0, olga, NULL), DEALCORE_EINVALID);
  patch.version = 0;
  CHECK_RC(dealcore_user_update(db, 0, olga, &patch), DEALCORE_EVERSION);
  patch.version = 99;
  CHECK_RC(dealcore_user_update(db, 0, olga, &patch), DEALCORE_EVERSION);
  patch.version = DEALCORE_USER_PATCH_VERSION;
  patch.set_name = 0;
  patch.set_department_id = 1;
  patch.department_id = unknown_id;
  CHECK_RC(dealcore_user_update(db, 0, olga, &patch), DEALCORE_ENOTFOUND);
  CHECK(last_seq() == seq);

  /* Nothing changed. */
  CHECK_OK(dealcore_user_list(&list, db));
  u = find_user(list, olga);
  CHECK(u != NULL);
  CHECK_STR(dealcore_user_name(u), "Ольга Смирнова");
  CHECK(dealcore_user_department_id(u) == dept_b2b);
  dealcore_users_free(list);

  /* A good patch: the name only. */
  patch.set_department_id = 0;
  patch.set_name = 1;
  patch.name = "Ольга Смирнова-Ким";
  CHECK_OK(dealcore_user_update(db, ivan, olga, &patch));
  CHECK(last_seq() > seq);

  CHECK_RC(dealcore_user_list(NULL, db), DEALCORE_EINVALID);
  CHECK_RC(dealcore_user_list(&list, NULL), DEALCORE_EINVALID);
  CHECK(list == NULL);
  CHECK_OK(dealcore_user_list(&list, db));
  CHECK(dealcore_users_count(list) == 2);
  u = find_user(list, olga);
  CHECK_STR(dealcore_user_name(u), "Ольга Смирнова-Ким");
  CHECK(dealcore_user_department_id(u) == dept_b2b);
  CHECK(dealcore_user_active(u) == 1);
  CHECK_STR(dealcore_user_external_ref(u), "");
  u = find_user(list, ivan);
  CHECK_STR(dealcore_user_name(u), "Иван Петров");
  CHECK(dealcore_user_department_id(u) == dept_sales);
  CHECK_STR(dealcore_user_external_ref(u), "1c-user-1");
  CHECK(dealcore_users_at(list, 2) == NULL);
  dealcore_users_free(list);
}

static void test_tags(void) {
  int64_t id = 5, seq;
  dealcore_tags *list = NULL;
  size_t i;
  int seen_vip = 0, seen_tmp = 0;

  CHECK_OK(dealcore_tag_create(&tag_vip, db, ivan, "VIP", "#ff0000"));
  CHECK_OK(dealcore_tag_create(&tag_bulk, db, 0, "Опт", NULL));
  CHECK_OK(dealcore_tag_create(&tag_tmp, db, 0, "временный", ""));

  seq = last_seq();
  CHECK_RC(dealcore_tag_create(NULL, db, 0, "x", NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_tag_create(&id, NULL, 0, "x", NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_tag_create(&id, db, 0, NULL, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_tag_create(&id, db, 0, "\xff\xfe", NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_tag_create(&id, db, 0, "", NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_tag_create(&id, db, 0, "VIP", NULL), DEALCORE_EEXISTS);
  CHECK_RC(dealcore_tag_create(&id, db, unknown_id, "Новый", NULL), DEALCORE_ENOTFOUND);
  CHECK(id == 0);
  CHECK_RC(dealcore_tag_rename(db, 0, tag_tmp, "VIP"), DEALCORE_EEXISTS);
  CHECK_RC(dealcore_tag_rename(db, 0, tag_tmp, "\xff\xfe"), DEALCORE_EINVALID);
  CHECK_RC(dealcore_tag_rename(db, 0, tag_tmp, ""), DEALCORE_EINVALID);
  CHECK_RC(dealcore_tag_rename(db, 0, tag_tmp, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_tag_rename(db, 0, unknown_id, "x"), DEALCORE_ENOTFOUND);
  CHECK_RC(dealcore_tag_rename(NULL, 0, tag_tmp, "x"), DEALCORE_EINVALID);
  CHECK_RC(dealcore_tag_delete(db, 0, unknown_id), DEALCORE_ENOTFOUND);
  CHECK_RC(dealcore_tag_delete(NULL, 0, tag_tmp), DEALCORE_EINVALID);
  CHECK(last_seq() == seq);

  CHECK_OK(dealcore_tag_rename(db, 0, tag_tmp, "Временный"));

  CHECK_RC(dealcore_tag_list(NULL, db), DEALCORE_EINVALID);
  CHECK_RC(dealcore_tag_list(&list, NULL), DEALCORE_EINVALID);
  CHECK_OK(dealcore_tag_list(&list, db));
  CHECK(dealcore_tags_count(list) == 3);
  for (i = 0; i < dealcore_tags_count(list); ++i) {
    const dealcore_tag *t = dealcore_tags_at(list, i);
    if (dealcore_tag_id(t) == tag_vip) {
      seen_vip = 1;
      CHECK_STR(dealcore_tag_name(t), "VIP");
      CHECK_STR(dealcore_tag_color(t), "#ff0000");
    }
    if (dealcore_tag_id(t) == tag_tmp) {
      seen_tmp = 1;
      CHECK_STR(dealcore_tag_name(t), "Временный");
    }
  }
  CHECK(seen_vip && seen_tmp);
  CHECK(dealcore_tags_at(list, 3) == NULL);
  dealcore_tags_free(list);
}

/* ---- pipelines and stages --------------------------------------------------------------- */

static void test_pipelines(void) {
  dealcore_stage_spec st[4] = {DEALCORE_STAGE_SPEC_INIT, DEALCORE_STAGE_SPEC_INIT,
                               DEALCORE_STAGE_SPEC_INIT, DEALCORE_STAGE_SPEC_INIT};
  dealcore_stage_spec tt[2] = {DEALCORE_STAGE_SPEC_INIT, DEALCORE_STAGE_SPEC_INIT};
  dealcore_pipeline *p = NULL;
  dealcore_pipelines *list = NULL;
  const dealcore_stage *s;
  int64_t id = 5, seq;
  int64_t order[2];

  st[0].name = "Новая";
  st[0].color = "#99ccff";
  st[0].probability = 10;
  st[0].rotting_days = 7;
  st[1].name = "Успех";
  st[1].kind = DEALCORE_STAGE_WON;
  st[1].probability = 100;
  st[2].name = "Отказ";
  st[2].kind = DEALCORE_STAGE_LOST;
  st[2].probability = 0;
  CHECK_OK(dealcore_pipeline_create(&sales, db, ivan, "Продажи", st, 3));
  tt[0].name = "Заявка";
  tt[1].name = "Проигран";
  tt[1].kind = DEALCORE_STAGE_LOST;
  CHECK_OK(dealcore_pipeline_create(&tenders, db, 0, "Тендеры", tt, 2));
  CHECK(sales > 0 && tenders > 0 && sales != tenders);

  CHECK_RC(dealcore_pipeline_get(NULL, db, sales), DEALCORE_EINVALID);
  CHECK_RC(dealcore_pipeline_get(&p, NULL, sales), DEALCORE_EINVALID);
  CHECK_RC(dealcore_pipeline_get(&p, db, unknown_id), DEALCORE_ENOTFOUND);
  CHECK(p == NULL);
  CHECK_OK(dealcore_pipeline_get(&p, db, sales));
  CHECK(dealcore_pipeline_id(p) == sales);
  CHECK_STR(dealcore_pipeline_name(p), "Продажи");
  CHECK(dealcore_pipeline_archived(p) == 0);
  CHECK(dealcore_pipeline_stage_count(p) == 3);
  s = dealcore_pipeline_stage_at(p, 0);
  s_new = dealcore_stage_id(s);
  CHECK(s_new > 0);
  CHECK(dealcore_stage_pipeline_id(s) == sales);
  CHECK_STR(dealcore_stage_name(s), "Новая");
  CHECK(dealcore_stage_kind(s) == DEALCORE_STAGE_OPEN);
  CHECK(dealcore_stage_position(s) == 0);
  CHECK_STR(dealcore_stage_color(s), "#99ccff");
  CHECK(dealcore_stage_probability(s) == 10);
  CHECK(dealcore_stage_rotting_days(s) == 7);
  s = dealcore_pipeline_stage_at(p, 1);
  s_won = dealcore_stage_id(s);
  CHECK(dealcore_stage_kind(s) == DEALCORE_STAGE_WON);
  CHECK(dealcore_stage_position(s) == 1);
  CHECK_STR(dealcore_stage_color(s), "");
  CHECK(dealcore_stage_rotting_days(s) == DEALCORE_NONE);
  s = dealcore_pipeline_stage_at(p, 2);
  s_lost = dealcore_stage_id(s);
  CHECK(dealcore_stage_kind(s) == DEALCORE_STAGE_LOST);
  CHECK(dealcore_stage_probability(s) == 0);
  CHECK(dealcore_pipeline_stage_at(p, 3) == NULL);
  dealcore_pipeline_free(p);

  CHECK_OK(dealcore_pipeline_get(&p, db, tenders));
  t_bid = dealcore_stage_id(dealcore_pipeline_stage_at(p, 0));
  t_lost = dealcore_stage_id(dealcore_pipeline_stage_at(p, 1));
  CHECK(dealcore_stage_probability(dealcore_pipeline_stage_at(p, 0)) == DEALCORE_NONE);
  dealcore_pipeline_free(p);

  /* Bad input: nothing is created. */
  seq = last_seq();
  CHECK_RC(dealcore_pipeline_create(NULL, db, 0, "x", st, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_pipeline_create(&id, NULL, 0, "x", st, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_pipeline_create(&id, db, 0, NULL, st, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_pipeline_create(&id, db, 0, "\xff\xfe", st, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_pipeline_create(&id, db, 0, "", st, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_pipeline_create(&id, db, 0, "Пусто", NULL, 0), DEALCORE_EINVALID);
  CHECK_RC(dealcore_pipeline_create(&id, db, 0, "Пусто", NULL, 3), DEALCORE_EINVALID);
  CHECK_ERROR_MENTIONS("stages is NULL");
  /* Only won/lost stages: no open one. */
  CHECK_RC(dealcore_pipeline_create(&id, db, 0, "Без открытых", st + 1, 2), DEALCORE_EINVALID);
  CHECK_RC(dealcore_pipeline_create(&id, db, unknown_id, "Чужая", st, 3), DEALCORE_ENOTFOUND);
  st[3].name = "Странная";
  st[3].kind = 7;
  CHECK_RC(dealcore_pipeline_create(&id, db, 0, "Странная", st + 3, 1), DEALCORE_EINVALID);
  st[3].kind = DEALCORE_STAGE_OPEN;
  st[3].probability = 101;
  CHECK_RC(dealcore_pipeline_create(&id, db, 0, "Странная", st + 3, 1), DEALCORE_EINVALID);
  st[3].probability = DEALCORE_NONE;
  st[3].name = "\xff\xfe";
  CHECK_RC(dealcore_pipeline_create(&id, db, 0, "Странная", st + 3, 1), DEALCORE_EINVALID);
  st[3].name = NULL;
  CHECK_RC(dealcore_pipeline_create(&id, db, 0, "Странная", st + 3, 1), DEALCORE_EINVALID);
  st[3].name = "Переговоры";
  st[3].version = 0;
  CHECK_RC(dealcore_pipeline_create(&id, db, 0, "Странная", st + 3, 1), DEALCORE_EVERSION);
  st[3].version = DEALCORE_STAGE_SPEC_VERSION;
  CHECK(id == 0);
  CHECK(last_seq() == seq);

  /* rename */
  CHECK_RC(dealcore_pipeline_rename(db, 0, sales, "\xff\xfe"), DEALCORE_EINVALID);
  CHECK_RC(dealcore_pipeline_rename(db, 0, sales, ""), DEALCORE_EINVALID);
  CHECK_RC(dealcore_pipeline_rename(db, 0, sales, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_pipeline_rename(db, 0, unknown_id, "x"), DEALCORE_ENOTFOUND);
  CHECK_RC(dealcore_pipeline_rename(NULL, 0, sales, "x"), DEALCORE_EINVALID);
  CHECK(last_seq() == seq);
  CHECK_OK(dealcore_pipeline_get(&p, db, sales));
  CHECK_STR(dealcore_pipeline_name(p), "Продажи");
  dealcore_pipeline_free(p);
  CHECK_OK(dealcore_pipeline_rename(db, ivan, sales, "Продажи (опт)"));
  CHECK_OK(dealcore_pipeline_get(&p, db, sales));
  CHECK_STR(dealcore_pipeline_name(p), "Продажи (опт)");
  dealcore_pipeline_free(p);

  /* reorder */
  seq = last_seq();
  order[0] = tenders;
  order[1] = sales;
  CHECK_RC(dealcore_pipeline_reorder(db, 0, order, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_pipeline_reorder(db, 0, NULL, 2), DEALCORE_EINVALID);
  CHECK_RC(dealcore_pipeline_reorder(NULL, 0, order, 2), DEALCORE_EINVALID);
  CHECK(last_seq() == seq);
  CHECK_OK(dealcore_pipeline_reorder(db, 0, order, 2));
  CHECK_OK(dealcore_pipeline_list(&list, db, 0));
  CHECK(dealcore_pipelines_count(list) == 2);
  CHECK(dealcore_pipeline_id(dealcore_pipelines_at(list, 0)) == tenders);
  CHECK(dealcore_pipeline_id(dealcore_pipelines_at(list, 1)) == sales);
  CHECK(dealcore_pipeline_position(dealcore_pipelines_at(list, 0)) <
        dealcore_pipeline_position(dealcore_pipelines_at(list, 1)));
  CHECK(dealcore_pipeline_stage_count(dealcore_pipelines_at(list, 1)) == 3);
  CHECK(dealcore_pipelines_at(list, 2) == NULL);
  dealcore_pipelines_free(list);

  /* archive */
  CHECK_RC(dealcore_pipeline_archive(db, 0, unknown_id, 1), DEALCORE_ENOTFOUND);
  CHECK_RC(dealcore_pipeline_archive(NULL, 0, tenders, 1), DEALCORE_EINVALID);
  CHECK_OK(dealcore_pipeline_archive(db, 0, tenders, 1));
  CHECK_OK(dealcore_pipeline_list(&list, db, 0));
  CHECK(dealcore_pipelines_count(list) == 1);
  CHECK(dealcore_pipeline_id(dealcore_pipelines_at(list, 0)) == sales);
  dealcore_pipelines_free(list);
  CHECK_OK(dealcore_pipeline_list(&list, db, 1));
  CHECK(dealcore_pipelines_count(list) == 2);
  CHECK(dealcore_pipeline_archived(dealcore_pipelines_at(list, 0)) == 1);
  dealcore_pipelines_free(list);
  CHECK_OK(dealcore_pipeline_archive(db, 0, tenders, 0));
  CHECK_RC(dealcore_pipeline_list(NULL, db, 0), DEALCORE_EINVALID);
  CHECK_RC(dealcore_pipeline_list(&list, NULL, 0), DEALCORE_EINVALID);
  CHECK(list == NULL);

  /* update_stages: keep the three, add "Переговоры" between new and won. */
  st[0].id = s_new;
  st[3].id = 0;
  st[3].name = "Переговоры";
  st[3].probability = 50;
  {
    dealcore_stage_spec upd[4];
    upd[0] = st[0];
    upd[1] = st[3];
    upd[2] = st[1];
    upd[3] = st[2];
    upd[2].id = s_won;
    upd[3].id = s_lost;
    seq = last_seq();
    /* A stage of another pipeline is a conflict. */
    upd[2].id = t_lost;
    CHECK_RC(dealcore_pipeline_update_stages(db, 0, sales, upd, 4, NULL, 0), DEALCORE_ECONFLICT);
    upd[2].id = s_won;
    CHECK_RC(dealcore_pipeline_update_stages(db, 0, unknown_id, upd, 4, NULL, 0),
             DEALCORE_ENOTFOUND);
    CHECK_RC(dealcore_pipeline_update_stages(NULL, 0, sales, upd, 4, NULL, 0), DEALCORE_EINVALID);
    CHECK_RC(dealcore_pipeline_update_stages(db, 0, sales, NULL, 4, NULL, 0), DEALCORE_EINVALID);
    CHECK_RC(dealcore_pipeline_update_stages(db, 0, sales, upd, 4, NULL, 1), DEALCORE_EINVALID);
    upd[1].name = "\xff\xfe";
    CHECK_RC(dealcore_pipeline_update_stages(db, 0, sales, upd, 4, NULL, 0), DEALCORE_EINVALID);
    upd[1].name = "Переговоры";
    CHECK(last_seq() == seq);
    CHECK_OK(dealcore_pipeline_get(&p, db, sales));
    CHECK(dealcore_pipeline_stage_count(p) == 3);
    dealcore_pipeline_free(p);

    CHECK_OK(dealcore_pipeline_update_stages(db, 0, sales, upd, 4, NULL, 0));
  }
  CHECK_OK(dealcore_pipeline_get(&p, db, sales));
  CHECK(dealcore_pipeline_stage_count(p) == 4);
  s = dealcore_pipeline_stage_at(p, 1);
  s_talks = dealcore_stage_id(s);
  CHECK_STR(dealcore_stage_name(s), "Переговоры");
  CHECK(dealcore_stage_probability(s) == 50);
  CHECK(dealcore_stage_id(dealcore_pipeline_stage_at(p, 0)) == s_new);
  CHECK(dealcore_stage_id(dealcore_pipeline_stage_at(p, 2)) == s_won);
  CHECK(dealcore_stage_id(dealcore_pipeline_stage_at(p, 3)) == s_lost);
  dealcore_pipeline_free(p);
}

/* ---- contacts ---------------------------------------------------------------------------- */

static void test_contacts(void) {
  const char *phones1[] = {"8 (912) 345-67-89"};
  const char *emails1[] = {" Ivan.Ivanov@Example.COM "};
  const char *phones2[] = {"+7 495 123-45-67", "+7 903 111 22 33"};
  const char *bad_phones[] = {"позвоните мне"};
  const char *null_items[] = {NULL};
  const char *bad_utf8[] = {"\xff\xfe"};
  dealcore_contact_spec spec = DEALCORE_CONTACT_SPEC_INIT;
  dealcore_contact *c = NULL;
  dealcore_id_list *ids = NULL;
  int64_t id = 5, seq;
  char *e164 = (char *)"sentinel";

  spec.name = "Иванов Иван";
  spec.phones = phones1;
  spec.phone_count = 1;
  spec.emails = emails1;
  spec.email_count = 1;
  spec.client_ref = "1c-client-7";
  spec.external_ref = "1c-contact-1";
  CHECK_OK(dealcore_contact_create(&contact_ivanov, db, ivan, &spec));
  spec.name = "Петрова Анна";
  spec.phones = phones2;
  spec.phone_count = 2;
  spec.emails = NULL;
  spec.email_count = 0;
  spec.client_ref = NULL;
  spec.external_ref = NULL;
  CHECK_OK(dealcore_contact_create(&contact_petrova, db, 0, &spec));

  CHECK_OK(dealcore_contact_get(&c, db, contact_ivanov));
  CHECK(dealcore_contact_id(c) == contact_ivanov);
  CHECK_STR(dealcore_contact_name(c), "Иванов Иван");
  CHECK(dealcore_contact_phone_count(c) == 1);
  CHECK_STR(dealcore_contact_phone_at(c, 0), "+79123456789");
  CHECK_STR(dealcore_contact_phone_at(c, 1), "");
  CHECK(dealcore_contact_email_count(c) == 1);
  CHECK_STR(dealcore_contact_email_at(c, 0), "ivan.ivanov@example.com");
  CHECK_STR(dealcore_contact_email_at(c, 1), "");
  CHECK_STR(dealcore_contact_client_ref(c), "1c-client-7");
  CHECK_STR(dealcore_contact_external_ref(c), "1c-contact-1");
  dealcore_contact_free(c);

  /* Bad input. */
  seq = last_seq();
  spec.name = "Сидоров";
  spec.phones = NULL;
  spec.phone_count = 0;
  CHECK_RC(dealcore_contact_create(NULL, db, 0, &spec), DEALCORE_EINVALID);
  CHECK_RC(dealcore_contact_create(&id, NULL, 0, &spec), DEALCORE_EINVALID);
  CHECK_RC(dealcore_contact_create(&id, db, 0, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_contact_create(&id, db, unknown_id, &spec), DEALCORE_ENOTFOUND);
  spec.phone_count = 1; /* phones NULL */
  CHECK_RC(dealcore_contact_create(&id, db, 0, &spec), DEALCORE_EINVALID);
  spec.phones = null_items;
  CHECK_RC(dealcore_contact_create(&id, db, 0, &spec), DEALCORE_EINVALID);
  CHECK_ERROR_MENTIONS("[0] is NULL");
  spec.phones = bad_phones;
  CHECK_RC(dealcore_contact_create(&id, db, 0, &spec), DEALCORE_EINVALID);
  spec.phones = NULL;
  spec.phone_count = 0;
  spec.emails = bad_utf8;
  spec.email_count = 1;
  CHECK_RC(dealcore_contact_create(&id, db, 0, &spec), DEALCORE_EINVALID);
  spec.emails = NULL;
  spec.email_count = 0;
  spec.name = "\xff\xfe";
  CHECK_RC(dealcore_contact_create(&id, db, 0, &spec), DEALCORE_EINVALID);
  spec.name = NULL;
  CHECK_RC(dealcore_contact_create(&id, db, 0, &spec), DEALCORE_EINVALID);
  spec.name = "Сидоров";
  spec.external_ref = "1c-contact-1";
  CHECK_RC(dealcore_contact_create(&id, db, 0, &spec), DEALCORE_EEXISTS);
  spec.external_ref = NULL;
  spec.version = 0;
  CHECK_RC(dealcore_contact_create(&id, db, 0, &spec), DEALCORE_EVERSION);
  spec.version = DEALCORE_CONTACT_SPEC_VERSION;
  CHECK(id == 0);
  CHECK_RC(dealcore_contact_update(db, 0, unknown_id, &spec), DEALCORE_ENOTFOUND);
  CHECK_RC(dealcore_contact_update(NULL, 0, contact_petrova, &spec), DEALCORE_EINVALID);
  CHECK_RC(dealcore_contact_update(db, 0, contact_petrova, NULL), DEALCORE_EINVALID);
  spec.name = "";
  CHECK_RC(dealcore_contact_update(db, 0, contact_petrova, &spec), DEALCORE_EINVALID);
  CHECK(last_seq() == seq);
  CHECK_RC(dealcore_contact_get(NULL, db, contact_petrova), DEALCORE_EINVALID);
  CHECK_RC(dealcore_contact_get(&c, NULL, contact_petrova), DEALCORE_EINVALID);
  CHECK_RC(dealcore_contact_get(&c, db, unknown_id), DEALCORE_ENOTFOUND);
  CHECK(c == NULL);
  CHECK_OK(dealcore_contact_get(&c, db, contact_petrova));
  CHECK_STR(dealcore_contact_name(c), "Петрова Анна");
  CHECK(dealcore_contact_phone_count(c) == 2);
  dealcore_contact_free(c);

  /* update replaces every field */
  spec.name = "Петрова Анна Сергеевна";
  spec.phones = phones2;
  spec.phone_count = 1;
  spec.emails = NULL;
  spec.email_count = 0;
  spec.client_ref = "1c-client-9";
  CHECK_OK(dealcore_contact_update(db, 0, contact_petrova, &spec));
  CHECK_OK(dealcore_contact_get(&c, db, contact_petrova));
  CHECK_STR(dealcore_contact_name(c), "Петрова Анна Сергеевна");
  CHECK(dealcore_contact_phone_count(c) == 1);
  CHECK_STR(dealcore_contact_phone_at(c, 0), "+74951234567");
  CHECK_STR(dealcore_contact_client_ref(c), "1c-client-9");
  dealcore_contact_free(c);

  /* lookups */
  CHECK_OK(dealcore_contact_find_by_phone(&ids, db, "+7 912 3456789"));
  CHECK(dealcore_id_list_count(ids) == 1 && ids_contain(ids, contact_ivanov));
  CHECK(dealcore_id_list_data(ids) != NULL && dealcore_id_list_data(ids)[0] == contact_ivanov);
  CHECK(dealcore_id_list_at(ids, 1) == 0);
  dealcore_id_list_free(ids);
  CHECK_OK(dealcore_contact_find_by_phone(&ids, db, "79031112233"));
  CHECK(dealcore_id_list_count(ids) == 0); /* that phone was replaced */
  CHECK(dealcore_id_list_data(ids) == NULL);
  dealcore_id_list_free(ids);
  CHECK_OK(dealcore_contact_find_by_email(&ids, db, "IVAN.IVANOV@example.com"));
  CHECK(dealcore_id_list_count(ids) == 1 && ids_contain(ids, contact_ivanov));
  dealcore_id_list_free(ids);
  CHECK_RC(dealcore_contact_find_by_phone(NULL, db, "+79123456789"), DEALCORE_EINVALID);
  CHECK_RC(dealcore_contact_find_by_phone(&ids, NULL, "+79123456789"), DEALCORE_EINVALID);
  CHECK_RC(dealcore_contact_find_by_phone(&ids, db, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_contact_find_by_email(NULL, db, "a@b.c"), DEALCORE_EINVALID);
  CHECK_RC(dealcore_contact_find_by_email(&ids, NULL, "a@b.c"), DEALCORE_EINVALID);
  CHECK_RC(dealcore_contact_find_by_email(&ids, db, NULL), DEALCORE_EINVALID);
  CHECK(ids == NULL);

  /* normalize */
  CHECK_OK(dealcore_phone_normalize(&e164, db, "8 (912) 345-67-89"));
  CHECK_STR(e164, "+79123456789");
  dealcore_string_free(e164);
  e164 = (char *)"sentinel";
  CHECK_RC(dealcore_phone_normalize(&e164, db, "hello"), DEALCORE_EINVALID);
  CHECK(e164 == NULL);
  CHECK_RC(dealcore_phone_normalize(&e164, db, "\xff\xfe"), DEALCORE_EINVALID);
  CHECK_RC(dealcore_phone_normalize(&e164, db, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_phone_normalize(&e164, NULL, "89123456789"), DEALCORE_EINVALID);
  CHECK_RC(dealcore_phone_normalize(NULL, db, "89123456789"), DEALCORE_EINVALID);
}

/* ---- deals --------------------------------------------------------------------------------- */

static void test_deals(void) {
  dealcore_deal_spec spec = DEALCORE_DEAL_SPEC_INIT;
  dealcore_deal_patch patch = DEALCORE_DEAL_PATCH_INIT;
  dealcore_deal *d = NULL;
  int64_t tags1[1], contacts1[1];
  int64_t id = 5, seq, n;

  the_clock.now = 1700000100000;
  tags1[0] = tag_vip;
  contacts1[0] = contact_ivanov;
  spec.name = "Поставка кирпича";
  spec.pipeline_id = sales;
  spec.amount = 15000000;
  spec.owner_id = ivan;
  spec.client_ref = "1c-client-7";
  spec.client_name = "ООО «Ромашка»";
  spec.segment = "опт";
  spec.external_ref = "1c-deal-1";
  spec.tags = tags1;
  spec.tag_count = 1;
  spec.contacts = contacts1;
  spec.contact_count = 1;
  CHECK_OK(dealcore_deal_create(&deal1, db, ivan, &spec));
  CHECK(deal1 > 0);

  CHECK_OK(dealcore_deal_get(&d, db, deal1));
  CHECK(dealcore_deal_id(d) == deal1);
  CHECK_STR(dealcore_deal_name(d), "Поставка кирпича");
  CHECK(dealcore_deal_pipeline_id(d) == sales);
  CHECK(dealcore_deal_stage_id(d) == s_new); /* the first open stage */
  CHECK(dealcore_deal_stage_kind(d) == DEALCORE_STAGE_OPEN);
  CHECK(dealcore_deal_amount(d) == 15000000);
  CHECK_STR(dealcore_deal_currency(d), "RUB");
  CHECK(dealcore_deal_owner_id(d) == ivan);
  CHECK(dealcore_deal_department_id(d) == dept_sales); /* follows the owner */
  CHECK_STR(dealcore_deal_client_ref(d), "1c-client-7");
  CHECK_STR(dealcore_deal_client_name(d), "ООО «Ромашка»");
  CHECK_STR(dealcore_deal_segment(d), "опт");
  CHECK_STR(dealcore_deal_external_ref(d), "1c-deal-1");
  CHECK_STR(dealcore_deal_lost_reason(d), "");
  CHECK(dealcore_deal_created_at(d) == 1700000100000);
  CHECK(dealcore_deal_updated_at(d) == 1700000100000);
  CHECK(dealcore_deal_closed_at(d) == 0);
  CHECK(dealcore_deal_stage_changed_at(d) == 1700000100000);
  CHECK(dealcore_deal_archived(d) == 0);
  CHECK(dealcore_deal_open_task_count(d) == 0);
  CHECK(dealcore_deal_next_task_due(d) == 0);
  CHECK(dealcore_deal_tag_count(d) == 1 && dealcore_deal_tags(d)[0] == tag_vip);
  CHECK(dealcore_deal_contact_count(d) == 1 && dealcore_deal_contacts(d)[0] == contact_ivanov);
  dealcore_deal_free(d);
  d = NULL;

  /* deal2: dollars, in "Переговоры", owned by Olga; deal3: imported with a date. */
  spec.name = "Лицензии";
  spec.stage_id = s_talks;
  spec.amount = 500000;
  spec.currency = "USD";
  spec.owner_id = olga;
  spec.client_ref = NULL;
  spec.client_name = NULL;
  spec.segment = NULL;
  spec.external_ref = NULL;
  spec.tags = NULL;
  spec.tag_count = 0;
  spec.contacts = NULL;
  spec.contact_count = 0;
  CHECK_OK(dealcore_deal_create(&deal2, db, olga, &spec));
  spec.name = "Тендер на ремонт";
  spec.pipeline_id = tenders;
  spec.stage_id = 0;
  spec.amount = 900000;
  spec.currency = NULL;
  spec.owner_id = 0;
  spec.set_created_at = 1;
  spec.created_at = 1600000000000;
  CHECK_OK(dealcore_deal_create(&deal3, db, 0, &spec));
  CHECK_OK(dealcore_deal_get(&d, db, deal3));
  CHECK(dealcore_deal_created_at(d) == 1600000000000);
  CHECK(dealcore_deal_stage_id(d) == t_bid);
  CHECK(dealcore_deal_owner_id(d) == 0 && dealcore_deal_department_id(d) == 0);
  CHECK(dealcore_deal_tags(d) == NULL && dealcore_deal_contacts(d) == NULL);
  dealcore_deal_free(d);
  spec.set_created_at = 0;

  /* Bad input: nothing is created. */
  seq = last_seq();
  n = deal_count(DEALCORE_ARCHIVED_INCLUDE);
  CHECK(n == 3);
  spec.name = "Плохая";
  spec.pipeline_id = sales;
  spec.stage_id = t_bid; /* a stage of another pipeline */
  CHECK_RC(dealcore_deal_create(&id, db, 0, &spec), DEALCORE_ECONFLICT);
  spec.stage_id = 0;
  CHECK_RC(dealcore_deal_create(NULL, db, 0, &spec), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_create(&id, NULL, 0, &spec), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_create(&id, db, 0, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_create(&id, db, unknown_id, &spec), DEALCORE_ENOTFOUND);
  spec.pipeline_id = unknown_id;
  CHECK_RC(dealcore_deal_create(&id, db, 0, &spec), DEALCORE_ENOTFOUND);
  spec.pipeline_id = sales;
  spec.stage_id = unknown_id;
  CHECK_RC(dealcore_deal_create(&id, db, 0, &spec), DEALCORE_ENOTFOUND);
  spec.stage_id = 0;
  spec.owner_id = unknown_id;
  CHECK_RC(dealcore_deal_create(&id, db, 0, &spec), DEALCORE_ENOTFOUND);
  spec.owner_id = 0;
  spec.name = "\xff\xfe";
  CHECK_RC(dealcore_deal_create(&id, db, 0, &spec), DEALCORE_EINVALID);
  spec.name = "";
  CHECK_RC(dealcore_deal_create(&id, db, 0, &spec), DEALCORE_EINVALID);
  spec.name = NULL;
  CHECK_RC(dealcore_deal_create(&id, db, 0, &spec), DEALCORE_EINVALID);
  spec.name = "Плохая";
  spec.currency = "rubles";
  CHECK_RC(dealcore_deal_create(&id, db, 0, &spec), DEALCORE_EINVALID);
  spec.currency = NULL;
  spec.tag_count = 1; /* tags NULL */
  CHECK_RC(dealcore_deal_create(&id, db, 0, &spec), DEALCORE_EINVALID);
  tags1[0] = unknown_id;
  spec.tags = tags1;
  CHECK_RC(dealcore_deal_create(&id, db, 0, &spec), DEALCORE_ENOTFOUND);
  tags1[0] = tag_vip;
  spec.tags = NULL;
  spec.tag_count = 0;
  spec.external_ref = "1c-deal-1";
  CHECK_RC(dealcore_deal_create(&id, db, 0, &spec), DEALCORE_EEXISTS);
  spec.external_ref = NULL;
  spec.version = 0;
  CHECK_RC(dealcore_deal_create(&id, db, 0, &spec), DEALCORE_EVERSION);
  spec.version = 3;
  CHECK_RC(dealcore_deal_create(&id, db, 0, &spec), DEALCORE_EVERSION);
  spec.version = DEALCORE_DEAL_SPEC_VERSION;
  CHECK(id == 0);
  CHECK(last_seq() == seq);
  CHECK(deal_count(DEALCORE_ARCHIVED_INCLUDE) == n);

  /* upsert: the same external_ref updates deal1, a new one creates. */
  /* An upsert replaces the client, segment, tags and contacts too: resend them. */
  spec.name = "Поставка кирпича М150";
  spec.pipeline_id = sales;
  spec.amount = 16000000;
  spec.owner_id = ivan;
  spec.client_ref = "1c-client-7";
  spec.client_name = "ООО «Ромашка»";
  spec.segment = "опт";
  spec.tags = tags1;
  spec.tag_count = 1;
  spec.contacts = contacts1;
  spec.contact_count = 1;
  spec.external_ref = "1c-deal-1";
  CHECK_OK(dealcore_deal_upsert(&id, db, 0, &spec));
  CHECK(id == deal1);
  CHECK_OK(dealcore_deal_get(&d, db, deal1));
  CHECK_STR(dealcore_deal_name(d), "Поставка кирпича М150");
  CHECK(dealcore_deal_amount(d) == 16000000);
  CHECK(dealcore_deal_tag_count(d) == 1 && dealcore_deal_contact_count(d) == 1);
  dealcore_deal_free(d);
  spec.external_ref = "1c-deal-2";
  spec.name = "Поставка цемента";
  spec.client_ref = NULL;
  spec.client_name = NULL;
  spec.segment = NULL;
  spec.tags = NULL;
  spec.tag_count = 0;
  spec.contacts = NULL;
  spec.contact_count = 0;
  CHECK_OK(dealcore_deal_upsert(&id, db, 0, &spec));
  CHECK(id != deal1 && id > 0);
  CHECK(deal_count(DEALCORE_ARCHIVED_INCLUDE) == n + 1);
  seq = last_seq();
  spec.external_ref = NULL;
  CHECK_RC(dealcore_deal_upsert(&id, db, 0, &spec), DEALCORE_EINVALID);
  CHECK(id == 0);
  CHECK_RC(dealcore_deal_upsert(NULL, db, 0, &spec), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_upsert(&id, NULL, 0, &spec), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_upsert(&id, db, 0, NULL), DEALCORE_EINVALID);
  spec.external_ref = "1c-deal-1";
  spec.stage_id = t_bid;
  CHECK_RC(dealcore_deal_upsert(&id, db, 0, &spec), DEALCORE_ECONFLICT);
  spec.stage_id = 0;
  CHECK(last_seq() == seq);

  /* update with a patch */
  the_clock.now = 1700000200000;
  patch.set_amount = 1;
  patch.amount = 17000000;
  patch.set_segment = 1;
  patch.segment = "розница";
  patch.set_client_name = 1;
  patch.client_name = "ООО «Ромашка+»";
  CHECK_OK(dealcore_deal_update(db, ivan, deal1, &patch));
  CHECK_OK(dealcore_deal_get(&d, db, deal1));
  CHECK(dealcore_deal_amount(d) == 17000000);
  CHECK_STR(dealcore_deal_segment(d), "розница");
  CHECK_STR(dealcore_deal_client_name(d), "ООО «Ромашка+»");
  CHECK_STR(dealcore_deal_client_ref(d), "1c-client-7"); /* not set: unchanged */
  CHECK_STR(dealcore_deal_name(d), "Поставка кирпича М150");
  CHECK(dealcore_deal_updated_at(d) == 1700000200000);
  dealcore_deal_free(d);

  seq = last_seq();
  CHECK_RC(dealcore_deal_update(db, 0, unknown_id, &patch), DEALCORE_ENOTFOUND);
  CHECK_RC(dealcore_deal_update(NULL, 0, deal1, &patch), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_update(db, 0, deal1, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_update(db, unknown_id, deal1, &patch), DEALCORE_ENOTFOUND);
  patch.set_name = 1;
  patch.name = NULL;
  CHECK_RC(dealcore_deal_update(db, 0, deal1, &patch), DEALCORE_EINVALID);
  patch.name = "\xff\xfe";
  CHECK_RC(dealcore_deal_update(db, 0, deal1, &patch), DEALCORE_EINVALID);
  patch.name = "";
  CHECK_RC(dealcore_deal_update(db, 0, deal1, &patch), DEALCORE_EINVALID);
  patch.name = "Переименованная";
  patch.set_currency = 1;
  patch.currency = NULL;
  CHECK_RC(dealcore_deal_update(db, 0, deal1, &patch), DEALCORE_EINVALID);
  patch.currency = "xx";
  CHECK_RC(dealcore_deal_update(db, 0, deal1, &patch), DEALCORE_EINVALID);
  patch.currency = "EUR";
  patch.set_owner_id = 1;
  patch.owner_id = unknown_id;
  CHECK_RC(dealcore_deal_update(db, 0, deal1, &patch), DEALCORE_ENOTFOUND);
  patch.owner_id = olga;
  patch.version = 0;
  CHECK_RC(dealcore_deal_update(db, 0, deal1, &patch), DEALCORE_EVERSION);
  patch.version = DEALCORE_DEAL_PATCH_VERSION;
  CHECK(last_seq() == seq);
  CHECK_OK(dealcore_deal_get(&d, db, deal1));
  CHECK_STR(dealcore_deal_name(d), "Поставка кирпича М150");
  CHECK(dealcore_deal_owner_id(d) == ivan);
  CHECK_STR(dealcore_deal_currency(d), "RUB");
  dealcore_deal_free(d);

  /* get / find by ref */
  d = (dealcore_deal *)&d;
  CHECK_RC(dealcore_deal_get(&d, db, unknown_id), DEALCORE_ENOTFOUND);
  CHECK(d == NULL);
  CHECK_RC(dealcore_deal_get(NULL, db, deal1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_get(&d, NULL, deal1), DEALCORE_EINVALID);
  CHECK_OK(dealcore_deal_find_by_ref(&d, db, "1c-deal-1"));
  CHECK(dealcore_deal_id(d) == deal1);
  dealcore_deal_free(d);
  d = (dealcore_deal *)&d;
  CHECK_RC(dealcore_deal_find_by_ref(&d, db, "no-such-ref"), DEALCORE_ENOTFOUND);
  CHECK(d == NULL);
  CHECK_ERROR_MENTIONS("no-such-ref");
  CHECK_RC(dealcore_deal_find_by_ref(&d, db, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_find_by_ref(NULL, db, "1c-deal-1"), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_find_by_ref(&d, NULL, "1c-deal-1"), DEALCORE_EINVALID);

  /* deal count */
  CHECK_RC(dealcore_deal_count(NULL, db, DEALCORE_ARCHIVED_EXCLUDE), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_count(&n, NULL, DEALCORE_ARCHIVED_EXCLUDE), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_count(&n, db, 3), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_count(&n, db, -1), DEALCORE_EINVALID);
  CHECK(deal_count(DEALCORE_ARCHIVED_EXCLUDE) == 4);
  CHECK(deal_count(DEALCORE_ARCHIVED_ONLY) == 0);
}

static void test_links_and_lookup(void) {
  dealcore_id_list *ids = NULL;
  dealcore_deal *d = NULL;
  int64_t seq;

  CHECK_OK(dealcore_contact_link(db, 0, deal2, contact_petrova));
  CHECK_OK(dealcore_contact_link(db, 0, deal2, contact_ivanov));
  CHECK_OK(dealcore_deal_get(&d, db, deal2));
  CHECK(dealcore_deal_contact_count(d) == 2);
  dealcore_deal_free(d);

  seq = last_seq();
  CHECK_RC(dealcore_contact_link(db, 0, deal2, unknown_id), DEALCORE_ENOTFOUND);
  CHECK_RC(dealcore_contact_link(db, 0, unknown_id, contact_ivanov), DEALCORE_ENOTFOUND);
  CHECK_RC(dealcore_contact_link(NULL, 0, deal2, contact_ivanov), DEALCORE_EINVALID);
  /* The C++ API takes unlinking a contact that does not exist as a no-op (it
   * is not linked, after all), unlike link_contact; either way nothing changes. */
  CHECK(dealcore_contact_unlink(db, 0, deal2, unknown_id) <= DEALCORE_OK);
  CHECK_RC(dealcore_contact_unlink(db, 0, unknown_id, contact_ivanov), DEALCORE_ENOTFOUND);
  CHECK_RC(dealcore_contact_unlink(NULL, 0, deal2, contact_ivanov), DEALCORE_EINVALID);
  CHECK(last_seq() == seq);

  CHECK_OK(dealcore_contact_unlink(db, 0, deal2, contact_petrova));
  CHECK_OK(dealcore_deal_get(&d, db, deal2));
  CHECK(dealcore_deal_contact_count(d) == 1 && dealcore_deal_contacts(d)[0] == contact_ivanov);
  dealcore_deal_free(d);

  /* Ivanov's phone is on deal1 and deal2, in any notation and by its tail. */
  CHECK_OK(dealcore_deal_find_by_phone(&ids, db, "8 (912) 345-67-89"));
  CHECK(dealcore_id_list_count(ids) == 2 && ids_contain(ids, deal1) && ids_contain(ids, deal2));
  dealcore_id_list_free(ids);
  CHECK_OK(dealcore_deal_find_by_phone(&ids, db, "56789"));
  CHECK(ids_contain(ids, deal1) && ids_contain(ids, deal2));
  dealcore_id_list_free(ids);
  CHECK_OK(dealcore_deal_find_by_phone(&ids, db, "+74951234567"));
  CHECK(dealcore_id_list_count(ids) == 0);
  dealcore_id_list_free(ids);
  CHECK_OK(dealcore_deal_find_by_email(&ids, db, "ivan.ivanov@EXAMPLE.com"));
  CHECK(dealcore_id_list_count(ids) == 2 && ids_contain(ids, deal1) && ids_contain(ids, deal2));
  dealcore_id_list_free(ids);
  CHECK_RC(dealcore_deal_find_by_phone(&ids, db, "no phone"), DEALCORE_EINVALID);
  CHECK(ids == NULL);
  CHECK_RC(dealcore_deal_find_by_phone(&ids, db, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_find_by_phone(NULL, db, "56789"), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_find_by_phone(&ids, NULL, "56789"), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_find_by_email(&ids, db, "\xff\xfe"), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_find_by_email(&ids, db, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_find_by_email(NULL, db, "a@b.c"), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_find_by_email(&ids, NULL, "a@b.c"), DEALCORE_EINVALID);
}

static void test_bulk(void) {
  dealcore_move_target target = DEALCORE_MOVE_TARGET_INIT;
  dealcore_deal *d = NULL;
  int64_t both[2], bad[2], add[1], rem[1], seq;

  both[0] = deal1;
  both[1] = deal2;
  bad[0] = deal1;
  bad[1] = unknown_id;

  /* Refused moves change nothing. */
  seq = last_seq();
  target.pipeline_id = sales;
  target.stage_id = t_bid; /* a stage of another pipeline */
  CHECK_RC(dealcore_deal_move(db, 0, both, 2, &target), DEALCORE_ECONFLICT);
  target.pipeline_id = 0;
  target.stage_id = s_won;
  CHECK_RC(dealcore_deal_move(db, 0, bad, 2, &target), DEALCORE_ENOTFOUND);
  CHECK_RC(dealcore_deal_move(db, 0, both, 2, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_move(db, 0, NULL, 2, &target), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_move(db, 0, NULL, 0, &target), DEALCORE_EINVALID); /* no ids */
  CHECK_RC(dealcore_deal_move(NULL, 0, both, 2, &target), DEALCORE_EINVALID);
  target.stage_id = unknown_id;
  CHECK_RC(dealcore_deal_move(db, 0, both, 2, &target), DEALCORE_ENOTFOUND);
  target.stage_id = s_won;
  target.lost_reason = "дорого";
  CHECK_RC(dealcore_deal_move(db, 0, both, 2, &target), DEALCORE_EINVALID);
  target.lost_reason = NULL;
  target.version = 0;
  CHECK_RC(dealcore_deal_move(db, 0, both, 2, &target), DEALCORE_EVERSION);
  target.version = DEALCORE_MOVE_TARGET_VERSION;
  CHECK(last_seq() == seq);
  CHECK_OK(dealcore_deal_get(&d, db, deal1));
  CHECK(dealcore_deal_stage_id(d) == s_new);
  dealcore_deal_free(d);

  /* Win both, then lose deal2 with a reason. */
  the_clock.now = 1700000300000;
  CHECK_OK(dealcore_deal_move(db, ivan, both, 2, &target));
  CHECK_OK(dealcore_deal_get(&d, db, deal2));
  CHECK(dealcore_deal_stage_id(d) == s_won);
  CHECK(dealcore_deal_stage_kind(d) == DEALCORE_STAGE_WON);
  CHECK(dealcore_deal_closed_at(d) == 1700000300000);
  CHECK(dealcore_deal_stage_changed_at(d) == 1700000300000);
  dealcore_deal_free(d);
  target.stage_id = s_lost;
  target.lost_reason = "выбрали конкурента";
  CHECK_OK(dealcore_deal_move(db, ivan, both + 1, 1, &target));
  CHECK_OK(dealcore_deal_get(&d, db, deal2));
  CHECK(dealcore_deal_stage_kind(d) == DEALCORE_STAGE_LOST);
  CHECK_STR(dealcore_deal_lost_reason(d), "выбрали конкурента");
  dealcore_deal_free(d);
  /* And back to "Переговоры" by stage alone. */
  target.stage_id = s_talks;
  target.lost_reason = NULL;
  CHECK_OK(dealcore_deal_move(db, 0, both + 1, 1, &target));
  /* A pipeline alone: its first open stage. deal3 goes from tenders to sales and back. */
  target.pipeline_id = sales;
  target.stage_id = 0;
  CHECK_OK(dealcore_deal_move(db, 0, &deal3, 1, &target));
  CHECK_OK(dealcore_deal_get(&d, db, deal3));
  CHECK(dealcore_deal_pipeline_id(d) == sales && dealcore_deal_stage_id(d) == s_new);
  dealcore_deal_free(d);
  target.pipeline_id = tenders;
  CHECK_OK(dealcore_deal_move(db, 0, &deal3, 1, &target));

  /* assign */
  seq = last_seq();
  CHECK_RC(dealcore_deal_assign(db, 0, both, 2, unknown_id), DEALCORE_ENOTFOUND);
  CHECK_RC(dealcore_deal_assign(db, 0, bad, 2, olga), DEALCORE_ENOTFOUND);
  CHECK_RC(dealcore_deal_assign(db, 0, NULL, 2, olga), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_assign(NULL, 0, both, 2, olga), DEALCORE_EINVALID);
  CHECK(last_seq() == seq);
  CHECK_OK(dealcore_deal_assign(db, 0, both, 2, olga));
  CHECK_OK(dealcore_deal_get(&d, db, deal1));
  CHECK(dealcore_deal_owner_id(d) == olga);
  CHECK(dealcore_deal_department_id(d) == dept_b2b);
  dealcore_deal_free(d);

  /* tag */
  add[0] = tag_bulk;
  rem[0] = tag_vip;
  seq = last_seq();
  CHECK_RC(dealcore_deal_tag(db, 0, bad, 2, add, 1, rem, 1), DEALCORE_ENOTFOUND);
  CHECK_RC(dealcore_deal_tag(db, 0, both, 2, bad + 1, 1, NULL, 0), DEALCORE_ENOTFOUND);
  CHECK_RC(dealcore_deal_tag(db, 0, both, 2, add, 1, add, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_tag(db, 0, both, 2, NULL, 1, NULL, 0), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_tag(db, 0, both, 2, NULL, 0, NULL, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_tag(NULL, 0, both, 2, add, 1, rem, 1), DEALCORE_EINVALID);
  CHECK(last_seq() == seq);
  CHECK_OK(dealcore_deal_tag(db, 0, both, 2, add, 1, rem, 1));
  CHECK_OK(dealcore_deal_get(&d, db, deal1));
  CHECK(dealcore_deal_tag_count(d) == 1 && dealcore_deal_tags(d)[0] == tag_bulk);
  dealcore_deal_free(d);

  /* tag_delete removes the tag from every deal */
  CHECK_OK(dealcore_deal_tag(db, 0, &deal1, 1, &tag_tmp, 1, NULL, 0));
  CHECK_OK(dealcore_tag_delete(db, 0, tag_tmp));
  CHECK_OK(dealcore_deal_get(&d, db, deal1));
  CHECK(dealcore_deal_tag_count(d) == 1 && dealcore_deal_tags(d)[0] == tag_bulk);
  dealcore_deal_free(d);

  /* archive */
  seq = last_seq();
  CHECK_RC(dealcore_deal_archive(db, 0, bad, 2, 1), DEALCORE_ENOTFOUND);
  CHECK_RC(dealcore_deal_archive(db, 0, NULL, 1, 1), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_archive(NULL, 0, both, 2, 1), DEALCORE_EINVALID);
  CHECK(last_seq() == seq);
  CHECK(deal_count(DEALCORE_ARCHIVED_ONLY) == 0);
  CHECK_OK(dealcore_deal_archive(db, 0, &deal3, 1, 1));
  CHECK(deal_count(DEALCORE_ARCHIVED_ONLY) == 1);
  CHECK(deal_count(DEALCORE_ARCHIVED_EXCLUDE) == 3);
  CHECK_OK(dealcore_deal_get(&d, db, deal3));
  CHECK(dealcore_deal_archived(d) == 1);
  dealcore_deal_free(d);
}

/* ---- the list and the board ------------------------------------------------------------ */

static void test_list(void) {
  dealcore_deal_filter f = DEALCORE_DEAL_FILTER_INIT;
  dealcore_list_options o = DEALCORE_LIST_OPTIONS_INIT;
  dealcore_deal_page *page = NULL;
  int64_t pipelines[1];
  int32_t kinds[1];
  const char *segments[1];
  const char *null_items[1];
  const dealcore_deal *d;
  char cursor[512];

  /* No filter, no options: every deal not archived, newest updated first. */
  CHECK_OK(dealcore_deal_list(&page, db, NULL, NULL));
  CHECK(dealcore_deal_page_count(page) == 3);
  CHECK(dealcore_deal_page_total(page) == -1);
  CHECK_STR(dealcore_deal_page_next_cursor(page), "");
  CHECK(dealcore_deal_page_at(page, 3) == NULL);
  d = dealcore_deal_page_at(page, 0);
  CHECK(dealcore_deal_updated_at(d) >= dealcore_deal_updated_at(dealcore_deal_page_at(page, 1)));
  {
    /* A page's items read the page's one buffer; every field agrees with
     * the deal read on its own (tags and contacts are left empty in lists). */
    size_t k;
    for (k = 0; k < dealcore_deal_page_count(page); ++k) {
      const dealcore_deal *item = dealcore_deal_page_at(page, k);
      dealcore_deal *full = NULL;
      CHECK_OK(dealcore_deal_get(&full, db, dealcore_deal_id(item)));
      CHECK_STR(dealcore_deal_name(item), dealcore_deal_name(full));
      CHECK_STR(dealcore_deal_currency(item), dealcore_deal_currency(full));
      CHECK_STR(dealcore_deal_client_ref(item), dealcore_deal_client_ref(full));
      CHECK_STR(dealcore_deal_client_name(item), dealcore_deal_client_name(full));
      CHECK_STR(dealcore_deal_segment(item), dealcore_deal_segment(full));
      CHECK_STR(dealcore_deal_external_ref(item), dealcore_deal_external_ref(full));
      CHECK_STR(dealcore_deal_lost_reason(item), dealcore_deal_lost_reason(full));
      CHECK(dealcore_deal_pipeline_id(item) == dealcore_deal_pipeline_id(full));
      CHECK(dealcore_deal_stage_id(item) == dealcore_deal_stage_id(full));
      CHECK(dealcore_deal_stage_kind(item) == dealcore_deal_stage_kind(full));
      CHECK(dealcore_deal_amount(item) == dealcore_deal_amount(full));
      CHECK(dealcore_deal_owner_id(item) == dealcore_deal_owner_id(full));
      CHECK(dealcore_deal_department_id(item) == dealcore_deal_department_id(full));
      CHECK(dealcore_deal_created_at(item) == dealcore_deal_created_at(full));
      CHECK(dealcore_deal_updated_at(item) == dealcore_deal_updated_at(full));
      CHECK(dealcore_deal_closed_at(item) == dealcore_deal_closed_at(full));
      CHECK(dealcore_deal_stage_changed_at(item) == dealcore_deal_stage_changed_at(full));
      CHECK(dealcore_deal_archived(item) == dealcore_deal_archived(full));
      CHECK(dealcore_deal_open_task_count(item) == dealcore_deal_open_task_count(full));
      CHECK(dealcore_deal_next_task_due(item) == dealcore_deal_next_task_due(full));
      CHECK(dealcore_deal_tag_count(item) == 0);
      CHECK(dealcore_deal_tags(item) == NULL);
      dealcore_deal_free(full);
    }
  }
  {
    /* The same page as ids only. */
    int64_t ids[3];
    size_t k;
    for (k = 0; k < 3; ++k) ids[k] = dealcore_deal_id(dealcore_deal_page_at(page, k));
    CHECK(dealcore_deal_page_ids(page) != NULL && dealcore_deal_page_ids(page)[2] == ids[2]);
    dealcore_deal_page_free(page);
    o.ids_only = 1;
    CHECK_OK(dealcore_deal_list(&page, db, NULL, &o));
    CHECK(dealcore_deal_page_count(page) == 3);
    CHECK(dealcore_deal_page_at(page, 0) == NULL);
    CHECK(dealcore_deal_page_ids(page) != NULL &&
          memcmp(dealcore_deal_page_ids(page), ids, sizeof ids) == 0);
    o.ids_only = 0;
  }
  dealcore_deal_page_free(page);

  /* A pipeline, sorted by amount ascending, one per page, with the total. */
  pipelines[0] = sales;
  f.pipelines = pipelines;
  f.pipeline_count = 1;
  o.sort = DEALCORE_SORT_AMOUNT;
  o.descending = 0;
  o.limit = 1;
  o.with_total = 1;
  CHECK_OK(dealcore_deal_list(&page, db, &f, &o));
  CHECK(dealcore_deal_page_count(page) == 1);
  CHECK(dealcore_deal_page_total(page) == 3);
  CHECK(dealcore_deal_id(dealcore_deal_page_at(page, 0)) == deal2); /* 500000 USD */
  CHECK(strlen(dealcore_deal_page_next_cursor(page)) > 0);
  CHECK(strlen(dealcore_deal_page_next_cursor(page)) < sizeof cursor);
  strncpy(cursor, dealcore_deal_page_next_cursor(page), sizeof cursor - 1);
  cursor[sizeof cursor - 1] = '\0';
  dealcore_deal_page_free(page);
  o.cursor = cursor;
  CHECK_OK(dealcore_deal_list(&page, db, &f, &o));
  CHECK(dealcore_deal_page_count(page) == 1);
  d = dealcore_deal_page_at(page, 0);
  CHECK(dealcore_deal_amount(d) >= 500000 && dealcore_deal_id(d) != deal2);
  /* List items carry no tags or contacts. */
  CHECK(dealcore_deal_tag_count(d) == 0);
  dealcore_deal_page_free(page);
  o.cursor = NULL;

  /* Text, case-insensitive, Cyrillic. */
  f.text = "КИРПИЧА";
  CHECK_OK(dealcore_deal_list(&page, db, &f, &o));
  CHECK(dealcore_deal_page_count(page) == 1);
  CHECK(dealcore_deal_id(dealcore_deal_page_at(page, 0)) == deal1);
  dealcore_deal_page_free(page);
  f.text = NULL;

  /* Kind, segment, amount range, phone, archived. */
  kinds[0] = DEALCORE_STAGE_WON;
  f.kinds = kinds;
  f.kind_count = 1;
  o.limit = 50;
  CHECK_OK(dealcore_deal_list(&page, db, &f, &o));
  CHECK(dealcore_deal_page_count(page) == 1 &&
        dealcore_deal_id(dealcore_deal_page_at(page, 0)) == deal1);
  dealcore_deal_page_free(page);
  f.kind_count = 0;
  segments[0] = "розница";
  f.segments = segments;
  f.segment_count = 1;
  CHECK_OK(dealcore_deal_list(&page, db, &f, &o));
  CHECK(dealcore_deal_page_count(page) == 1);
  dealcore_deal_page_free(page);
  f.segment_count = 0;
  f.set_amount_min = 1;
  f.amount_min = 16000000;
  f.currency = "RUB";
  CHECK_OK(dealcore_deal_list(&page, db, &f, &o));
  CHECK(dealcore_deal_page_total(page) == 2);
  dealcore_deal_page_free(page);
  f.set_amount_min = 0;
  f.currency = NULL;
  f.phone = "+7 912 345 67 89";
  CHECK_OK(dealcore_deal_list(&page, db, &f, &o));
  CHECK(dealcore_deal_page_total(page) == 2);
  dealcore_deal_page_free(page);
  f.phone = NULL;
  f.pipeline_count = 0;
  f.archived = DEALCORE_ARCHIVED_ONLY;
  CHECK_OK(dealcore_deal_list(&page, db, &f, &o));
  CHECK(dealcore_deal_page_count(page) == 1 &&
        dealcore_deal_id(dealcore_deal_page_at(page, 0)) == deal3);
  dealcore_deal_page_free(page);
  f.archived = DEALCORE_ARCHIVED_EXCLUDE;
  f.has_open_tasks = 0; /* no tasks exist yet: "without tasks" is every deal */
  CHECK_OK(dealcore_deal_list(&page, db, &f, &o));
  CHECK(dealcore_deal_page_total(page) == 3);
  dealcore_deal_page_free(page);
  f.has_open_tasks = DEALCORE_NONE;

  /* Bad input. */
  page = (dealcore_deal_page *)&page;
  CHECK_RC(dealcore_deal_list(&page, NULL, &f, &o), DEALCORE_EINVALID);
  CHECK(page == NULL);
  CHECK_RC(dealcore_deal_list(NULL, db, &f, &o), DEALCORE_EINVALID);
  f.pipeline_count = 1;
  f.pipelines = NULL;
  CHECK_RC(dealcore_deal_list(&page, db, &f, &o), DEALCORE_EINVALID);
  f.pipelines = pipelines;
  kinds[0] = 3;
  f.kind_count = 1;
  CHECK_RC(dealcore_deal_list(&page, db, &f, &o), DEALCORE_EINVALID);
  f.kind_count = 0;
  null_items[0] = NULL;
  f.segments = null_items;
  f.segment_count = 1;
  CHECK_RC(dealcore_deal_list(&page, db, &f, &o), DEALCORE_EINVALID);
  f.segment_count = 0;
  f.has_open_tasks = 2;
  CHECK_RC(dealcore_deal_list(&page, db, &f, &o), DEALCORE_EINVALID);
  f.has_open_tasks = DEALCORE_NONE;
  f.archived = 3;
  CHECK_RC(dealcore_deal_list(&page, db, &f, &o), DEALCORE_EINVALID);
  f.archived = DEALCORE_ARCHIVED_EXCLUDE;
  f.text = "\xff\xfe";
  CHECK_RC(dealcore_deal_list(&page, db, &f, &o), DEALCORE_EINVALID);
  f.text = NULL;
  f.version = 0;
  CHECK_RC(dealcore_deal_list(&page, db, &f, &o), DEALCORE_EVERSION);
  f.version = DEALCORE_DEAL_FILTER_VERSION;
  o.sort = DEALCORE_SORT_NEXT_TASK_DUE + 1;
  CHECK_RC(dealcore_deal_list(&page, db, &f, &o), DEALCORE_EINVALID);
  o.sort = DEALCORE_SORT_NAME;
  o.limit = 0;
  CHECK_RC(dealcore_deal_list(&page, db, &f, &o), DEALCORE_EINVALID);
  o.limit = 1001;
  CHECK_RC(dealcore_deal_list(&page, db, &f, &o), DEALCORE_EINVALID);
  o.limit = 10;
  o.cursor = "not a cursor";
  CHECK_RC(dealcore_deal_list(&page, db, &f, &o), DEALCORE_EINVALID);
  o.cursor = NULL;
  o.version = 7;
  CHECK_RC(dealcore_deal_list(&page, db, &f, &o), DEALCORE_EVERSION);
  o.version = DEALCORE_LIST_OPTIONS_VERSION;
  CHECK(page == NULL);

  /* Sorted by name ascending. */
  CHECK_OK(dealcore_deal_list(&page, db, &f, &o));
  CHECK(dealcore_deal_page_count(page) == 3);
  CHECK(strcmp(dealcore_deal_name(dealcore_deal_page_at(page, 0)), "Лицензии") == 0);
  dealcore_deal_page_free(page);
}

static void test_board(void) {
  dealcore_board_filter f = DEALCORE_BOARD_FILTER_INIT;
  dealcore_board *b = NULL;
  dealcore_board_totals *t = NULL;
  const dealcore_board_column *col;
  const dealcore_pipeline *p;
  int64_t owners[1];
  size_t i;
  int64_t total = 0;

  CHECK_OK(dealcore_board_get(&b, db, sales, NULL));
  p = dealcore_board_pipeline(b);
  CHECK(dealcore_pipeline_id(p) == sales);
  CHECK(dealcore_board_column_count(b) == 4);
  CHECK(dealcore_board_column_at(b, 4) == NULL);
  for (i = 0; i < dealcore_board_column_count(b); ++i) {
    col = dealcore_board_column_at(b, i);
    total += dealcore_board_column_deal_count(col);
    CHECK(dealcore_stage_id(dealcore_board_column_stage(col)) ==
          dealcore_stage_id(dealcore_pipeline_stage_at(p, i)));
    CHECK(dealcore_board_column_card_count(col) == (size_t)dealcore_board_column_deal_count(col));
  }
  CHECK(total == 3);
  /* "Новая": deal-upserted "Поставка цемента" (16000000 RUB). */
  col = dealcore_board_column_at(b, 0);
  CHECK(dealcore_board_column_deal_count(col) == 1);
  CHECK(dealcore_board_column_sum_count(col) == 1);
  CHECK(dealcore_board_column_sum_amount(col, 0) == 16000000);
  CHECK_STR(dealcore_board_column_sum_currency(col, 0), "RUB");
  CHECK(dealcore_board_column_sum_amount(col, 1) == 0);
  CHECK_STR(dealcore_board_column_sum_currency(col, 1), "");
  CHECK_STR(dealcore_deal_name(dealcore_board_column_card_at(col, 0)), "Поставка цемента");
  CHECK(dealcore_board_column_card_at(col, 1) == NULL);
  CHECK_STR(dealcore_board_column_next_cursor(col), "");
  /* "Переговоры": deal2 in USD. */
  col = dealcore_board_column_at(b, 1);
  CHECK_STR(dealcore_stage_name(dealcore_board_column_stage(col)), "Переговоры");
  CHECK(dealcore_board_column_deal_count(col) == 1);
  CHECK_STR(dealcore_board_column_sum_currency(col, 0), "USD");
  CHECK(dealcore_board_column_sum_amount(col, 0) == 500000);
  /* "Успех": deal1, 17000000 RUB. */
  col = dealcore_board_column_at(b, 2);
  CHECK(dealcore_board_column_deal_count(col) == 1);
  CHECK(dealcore_board_column_sum_amount(col, 0) == 17000000);
  dealcore_board_free(b);

  /* Filtered by owner, one card per stage. */
  owners[0] = olga;
  f.owners = owners;
  f.owner_count = 1;
  f.cards_per_stage = 0;
  CHECK_OK(dealcore_board_get(&b, db, sales, &f));
  CHECK(dealcore_board_column_deal_count(dealcore_board_column_at(b, 0)) == 0);
  CHECK(dealcore_board_column_deal_count(dealcore_board_column_at(b, 1)) == 1);
  CHECK(dealcore_board_column_card_count(dealcore_board_column_at(b, 1)) == 0);
  CHECK(dealcore_board_column_deal_count(dealcore_board_column_at(b, 2)) == 1);

  /* The totals of the same filter: the board's counts and sums by stage id. */
  CHECK_OK(dealcore_board_totals_get(&t, db, sales, &f));
  CHECK(dealcore_board_totals_column_count(t) == dealcore_board_column_count(b));
  for (i = 0; i < dealcore_board_column_count(b); ++i) {
    col = dealcore_board_column_at(b, i);
    CHECK(dealcore_board_totals_stage_id(t, i) == dealcore_stage_id(dealcore_board_column_stage(col)));
    CHECK(dealcore_board_totals_deal_count(t, i) == dealcore_board_column_deal_count(col));
    CHECK(dealcore_board_totals_sum_count(t, i) == dealcore_board_column_sum_count(col));
    CHECK(dealcore_board_totals_sum_amount(t, i, 0) == dealcore_board_column_sum_amount(col, 0));
    CHECK_STR(dealcore_board_totals_sum_currency(t, i, 0), dealcore_board_column_sum_currency(col, 0));
  }
  CHECK_STR(dealcore_board_totals_sum_currency(t, 1, 0), "USD");
  CHECK(dealcore_board_totals_sum_amount(t, 1, 0) == 500000);
  CHECK(dealcore_board_totals_sum_amount(t, 1, 1) == 0); /* out of range */
  CHECK_STR(dealcore_board_totals_sum_currency(t, 1, 1), "");
  CHECK(dealcore_board_totals_stage_id(t, 99) == 0);
  dealcore_board_totals_free(t);
  dealcore_board_free(b);

  t = (dealcore_board_totals *)&t;
  CHECK_RC(dealcore_board_totals_get(&t, db, unknown_id, NULL), DEALCORE_ENOTFOUND);
  CHECK(t == NULL);
  CHECK_RC(dealcore_board_totals_get(NULL, db, sales, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_board_totals_get(&t, NULL, sales, NULL), DEALCORE_EINVALID);

  b = (dealcore_board *)&b;
  CHECK_RC(dealcore_board_get(&b, db, unknown_id, NULL), DEALCORE_ENOTFOUND);
  CHECK(b == NULL);
  CHECK_RC(dealcore_board_get(NULL, db, sales, NULL), DEALCORE_EINVALID);
  CHECK_RC(dealcore_board_get(&b, NULL, sales, NULL), DEALCORE_EINVALID);
  f.owners = NULL;
  CHECK_RC(dealcore_board_get(&b, db, sales, &f), DEALCORE_EINVALID);
  f.owner_count = 0;
  f.cards_per_stage = -1;
  CHECK_RC(dealcore_board_get(&b, db, sales, &f), DEALCORE_EINVALID);
  f.cards_per_stage = 20;
  f.version = 0;
  CHECK_RC(dealcore_board_get(&b, db, sales, &f), DEALCORE_EVERSION);
  CHECK(b == NULL);
}

/* ---- stage deletion needs a move ---------------------------------------------------------- */

static void test_stage_delete(void) {
  dealcore_pipeline *p = NULL;
  dealcore_stage_spec keep[3] = {DEALCORE_STAGE_SPEC_INIT, DEALCORE_STAGE_SPEC_INIT,
                                 DEALCORE_STAGE_SPEC_INIT};
  dealcore_stage_move move;
  dealcore_deal *d = NULL;
  int64_t seq;
  size_t i;

  /* Drop "Переговоры" (holds deal2). */
  CHECK_OK(dealcore_pipeline_get(&p, db, sales));
  for (i = 0; i < 3; ++i) {
    const dealcore_stage *s = dealcore_pipeline_stage_at(p, i == 0 ? 0 : i + 1);
    keep[i].id = dealcore_stage_id(s);
    keep[i].name = dealcore_stage_name(s);
    keep[i].kind = dealcore_stage_kind(s);
    keep[i].color = dealcore_stage_color(s);
    keep[i].probability = dealcore_stage_probability(s);
    keep[i].rotting_days = dealcore_stage_rotting_days(s);
  }
  seq = last_seq();
  CHECK_RC(dealcore_pipeline_update_stages(db, 0, sales, keep, 3, NULL, 0), DEALCORE_ECONSTRAINT);
  move.from_stage_id = s_talks;
  move.to_stage_id = t_bid; /* a stage of another pipeline */
  /* Refused; the C++ API answers EINVALID here (its header speaks of ECONSTRAINT). */
  CHECK(dealcore_pipeline_update_stages(db, 0, sales, keep, 3, &move, 1) < 0);
  move.from_stage_id = s_new; /* a kept stage: no move from it */
  move.to_stage_id = s_won;
  CHECK(dealcore_pipeline_update_stages(db, 0, sales, keep, 3, &move, 1) < 0);
  move.from_stage_id = s_talks;
  CHECK(last_seq() == seq);
  CHECK_OK(dealcore_deal_get(&d, db, deal2));
  CHECK(dealcore_deal_stage_id(d) == s_talks);
  dealcore_deal_free(d);

  move.to_stage_id = s_new;
  CHECK_OK(dealcore_pipeline_update_stages(db, 0, sales, keep, 3, &move, 1));
  dealcore_pipeline_free(p);
  CHECK_OK(dealcore_pipeline_get(&p, db, sales));
  CHECK(dealcore_pipeline_stage_count(p) == 3);
  dealcore_pipeline_free(p);
  CHECK_OK(dealcore_deal_get(&d, db, deal2));
  CHECK(dealcore_deal_stage_id(d) == s_new);
  dealcore_deal_free(d);
}

/* ---- a full disk: max_size_bytes --------------------------------------------------------- */

static void test_disk_full(void) {
  dealcore_open_options opts = DEALCORE_OPEN_OPTIONS_INIT;
  dealcore_db *small = NULL;
  dealcore_stage_spec stage = DEALCORE_STAGE_SPEC_INIT;
  dealcore_deal_spec spec = DEALCORE_DEAL_SPEC_INIT;
  dealcore_verify_report *report = NULL;
  char name[801];
  int64_t pipeline = 0, id = 0, before = 0, after = -1, seq = 0;
  int i, rc = DEALCORE_OK;

  remove(DEALCORE_TEST_DB ".small");
  remove(DEALCORE_TEST_DB ".small-wal");
  remove(DEALCORE_TEST_DB ".small-shm");
  opts.max_size_bytes = -1;
  CHECK_RC(dealcore_db_open(&small, DEALCORE_TEST_DB ".small", &opts), DEALCORE_EINVALID);
  opts.max_size_bytes = 256 * 1024;
  CHECK_OK(dealcore_db_open(&small, DEALCORE_TEST_DB ".small", &opts));
  if (small == NULL) return;
  stage.name = "Новая";
  CHECK_OK(dealcore_pipeline_create(&pipeline, small, 0, "Продажи", &stage, 1));
  memset(name, 'x', sizeof name - 1);
  name[sizeof name - 1] = '\0';
  spec.name = name;
  spec.pipeline_id = pipeline;
  /* Fill the file until a write is refused. */
  for (i = 0; i < 2000 && rc == DEALCORE_OK; ++i) {
    CHECK_OK(dealcore_deal_count(&before, small, DEALCORE_ARCHIVED_INCLUDE));
    CHECK_OK(dealcore_event_last_seq(&seq, small));
    rc = dealcore_deal_create(&id, small, 0, &spec);
  }
  CHECK_RC(rc, DEALCORE_EIO);
  CHECK(id == 0);
  CHECK_OK(dealcore_deal_count(&after, small, DEALCORE_ARCHIVED_INCLUDE));
  CHECK(after == before && before > 0);
  CHECK(last_seq_of(small) == seq);
  CHECK_OK(dealcore_db_verify(&report, small));
  CHECK(dealcore_verify_report_ok(report) == 1);
  dealcore_verify_report_free(report);
  dealcore_db_close(small);
}

static void test_create_many(void) {
  dealcore_db *imp = NULL;
  dealcore_stage_spec stage = DEALCORE_STAGE_SPEC_INIT;
  dealcore_deal_spec specs[3];
  dealcore_id_list *ids = NULL;
  dealcore_deal *d = NULL;
  int64_t pipeline = 0, count = -1, seq = 0;
  int i;

  remove(DEALCORE_TEST_DB ".import");
  remove(DEALCORE_TEST_DB ".import-wal");
  remove(DEALCORE_TEST_DB ".import-shm");
  CHECK_OK(dealcore_db_open(&imp, DEALCORE_TEST_DB ".import", NULL));
  if (imp == NULL) return;
  stage.name = "Новая";
  CHECK_OK(dealcore_pipeline_create(&pipeline, imp, 0, "Импорт", &stage, 1));
  for (i = 0; i < 3; ++i) {
    CHECK_OK(dealcore_deal_spec_init(&specs[i], DEALCORE_DEAL_SPEC_VERSION));
    specs[i].pipeline_id = pipeline;
    specs[i].amount = 100 * (i + 1);
  }
  specs[0].name = "Первая";
  specs[1].name = "\xff\xfe"; /* invalid UTF-8: the whole batch is refused */
  specs[2].name = "Третья";
  CHECK_OK(dealcore_event_last_seq(&seq, imp));
  CHECK_RC(dealcore_deal_create_many(&ids, imp, 0, specs, 3), DEALCORE_EINVALID);
  CHECK(ids == NULL);
  CHECK(strstr(dealcore_error_last(), "#1") != NULL);
  CHECK_OK(dealcore_deal_count(&count, imp, DEALCORE_ARCHIVED_INCLUDE));
  CHECK(count == 0);
  CHECK(last_seq_of(imp) == seq);
  CHECK_RC(dealcore_deal_create_many(NULL, imp, 0, specs, 3), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_create_many(&ids, imp, 0, NULL, 3), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_create_many(&ids, NULL, 0, specs, 3), DEALCORE_EINVALID);
  CHECK_RC(dealcore_deal_create_many(&ids, imp, 0, specs, 0), DEALCORE_EINVALID);

  specs[1].name = "Вторая";
  /* Every element carries the same version: a mixed array is refused. */
  specs[0].version = 1;
  CHECK_RC(dealcore_deal_create_many(&ids, imp, 0, specs, 3), DEALCORE_EINVALID);
  CHECK(strstr(dealcore_error_last(), "same version") != NULL);
  CHECK(last_seq_of(imp) == seq);
  specs[0].version = DEALCORE_DEAL_SPEC_VERSION;
  {
    /* An array laid out by the version 1 header: elements end where
     * set_updated_at begins (found by the C ABI fuzzer: they were read at
     * the current struct's stride). */
    const size_t v1 = offsetof(dealcore_deal_spec, set_updated_at);
    unsigned char *old = (unsigned char *)malloc(2 * v1);
    dealcore_deal_spec one;
    dealcore_id_list *old_ids = NULL;
    CHECK(old != NULL);
    if (old != NULL) {
      for (i = 0; i < 2; ++i) {
        CHECK_OK(dealcore_deal_spec_init(&one, 1));
        one.pipeline_id = pipeline;
        one.name = i == 0 ? "Старый заголовок 1" : "Старый заголовок 2";
        memcpy(old + (size_t)i * v1, &one, v1);
      }
      CHECK_OK(dealcore_deal_create_many(&old_ids, imp, 0, (const dealcore_deal_spec *)(void *)old, 2));
      CHECK(dealcore_id_list_count(old_ids) == 2);
      CHECK_OK(dealcore_deal_get(&d, imp, dealcore_id_list_at(old_ids, 1)));
      CHECK_STR(dealcore_deal_name(d), "Старый заголовок 2");
      dealcore_deal_free(d);
      dealcore_id_list_free(old_ids);
      free(old);
    }
  }
  /* Version 2 carries updated_at for imports. */
  specs[2].set_updated_at = 1;
  specs[2].updated_at = 1650000000000;
  CHECK_OK(dealcore_deal_create_many(&ids, imp, 0, specs, 3));
  CHECK_OK(dealcore_deal_get(&d, imp, dealcore_id_list_at(ids, 2)));
  CHECK(dealcore_deal_updated_at(d) == 1650000000000);
  dealcore_deal_free(d);
  CHECK(dealcore_id_list_count(ids) == 3);
  CHECK_OK(dealcore_deal_get(&d, imp, dealcore_id_list_at(ids, 1)));
  CHECK_STR(dealcore_deal_name(d), "Вторая");
  CHECK(dealcore_deal_amount(d) == 200);
  dealcore_deal_free(d);
  dealcore_id_list_free(ids);
  CHECK_OK(dealcore_deal_count(&count, imp, DEALCORE_ARCHIVED_INCLUDE));
  CHECK(count == 5);

  {
    dealcore_contact_spec cs[2];
    const char *phones[] = {"8 (912) 000-11-22"};
    const char *bad[] = {"12"};
    dealcore_id_list *found = NULL;
    CHECK_OK(dealcore_contact_spec_init(&cs[0], DEALCORE_CONTACT_SPEC_VERSION));
    CHECK_OK(dealcore_contact_spec_init(&cs[1], DEALCORE_CONTACT_SPEC_VERSION));
    cs[0].name = "Пётр";
    cs[0].phones = phones;
    cs[0].phone_count = 1;
    cs[1].name = "Павел";
    cs[1].phones = bad;
    cs[1].phone_count = 1;
    CHECK_RC(dealcore_contact_create_many(&ids, imp, 0, cs, 2), DEALCORE_EINVALID);
    CHECK(strstr(dealcore_error_last(), "#1") != NULL);
    CHECK_OK(dealcore_contact_find_by_phone(&found, imp, "+79120001122"));
    CHECK(dealcore_id_list_count(found) == 0);
    dealcore_id_list_free(found);
    cs[1].phones = NULL;
    cs[1].phone_count = 0;
    CHECK_OK(dealcore_contact_create_many(&ids, imp, 0, cs, 2));
    CHECK(dealcore_id_list_count(ids) == 2);
    CHECK_OK(dealcore_contact_find_by_phone(&found, imp, "+79120001122"));
    CHECK(dealcore_id_list_count(found) == 1 && dealcore_id_list_at(found, 0) == dealcore_id_list_at(ids, 0));
    dealcore_id_list_free(found);
    dealcore_id_list_free(ids);
    CHECK_RC(dealcore_contact_create_many(&ids, imp, 0, NULL, 2), DEALCORE_EINVALID);
  }
  dealcore_db_close(imp);
}

/* ---- events, verify, refresh ------------------------------------------------------------- */

static void test_events(void) {
  dealcore_events *ev = NULL;
  int64_t seq = -5;
  size_t i;
  int seen_created = 0;
  int64_t prev = 0;

  CHECK_OK(dealcore_event_last_seq(&seq, db));
  CHECK(seq > 0);
  CHECK_RC(dealcore_event_last_seq(NULL, db), DEALCORE_EINVALID);
  CHECK_RC(dealcore_event_last_seq(&seq, NULL), DEALCORE_EINVALID);
  CHECK(seq == 0);

  CHECK_OK(dealcore_event_list(&ev, db, 0, 10000));
  CHECK(dealcore_events_count(ev) > 0);
  for (i = 0; i < dealcore_events_count(ev); ++i) {
    const dealcore_event *e = dealcore_events_at(ev, i);
    CHECK(dealcore_event_seq(e) > prev);
    prev = dealcore_event_seq(e);
    CHECK(strlen(dealcore_event_kind(e)) > 0);
    CHECK(dealcore_event_payload(e)[0] == '{');
    if (dealcore_event_deal_id(e) == deal1 && strcmp(dealcore_event_kind(e), "deal.created") == 0) {
      seen_created = 1;
      CHECK(dealcore_event_actor_id(e) == ivan);
      CHECK(dealcore_event_at(e) == 1700000100000);
    }
  }
  CHECK(seen_created);
  CHECK(prev == last_seq());
  CHECK(dealcore_events_at(ev, dealcore_events_count(ev)) == NULL);
  dealcore_events_free(ev);

  CHECK_OK(dealcore_event_list(&ev, db, prev - 1, 5));
  CHECK(dealcore_events_count(ev) == 1);
  CHECK(dealcore_event_seq(dealcore_events_at(ev, 0)) == prev);
  dealcore_events_free(ev);
  CHECK_OK(dealcore_event_list(&ev, db, prev, 5));
  CHECK(dealcore_events_count(ev) == 0);
  dealcore_events_free(ev);

  CHECK_RC(dealcore_event_list(&ev, db, 0, 0), DEALCORE_EINVALID);
  CHECK(ev == NULL);
  CHECK_RC(dealcore_event_list(&ev, db, 0, 10001), DEALCORE_EINVALID);
  CHECK_RC(dealcore_event_list(&ev, db, -1, 10), DEALCORE_EINVALID);
  CHECK_RC(dealcore_event_list(NULL, db, 0, 10), DEALCORE_EINVALID);
  CHECK_RC(dealcore_event_list(&ev, NULL, 0, 10), DEALCORE_EINVALID);
}

static void test_verify_and_refresh(void) {
  dealcore_verify_report *report = NULL;
  dealcore_db *second = NULL;
  dealcore_deal_spec spec = DEALCORE_DEAL_SPEC_INIT;
  int32_t changed = 7;
  int64_t id = 0, before;
  size_t i;

  CHECK_OK(dealcore_db_verify(&report, db));
  CHECK(dealcore_verify_report_ok(report) == 1);
  CHECK(dealcore_verify_report_difference_count(report) == 0);
  for (i = 0; i < dealcore_verify_report_difference_count(report); ++i)
    fprintf(stderr, "verify: %s\n", dealcore_verify_report_difference_at(report, i));
  CHECK_STR(dealcore_verify_report_difference_at(report, 0), "");
  dealcore_verify_report_free(report);
  CHECK_RC(dealcore_db_verify(NULL, db), DEALCORE_EINVALID);
  CHECK_RC(dealcore_db_verify(&report, NULL), DEALCORE_EINVALID);
  CHECK(report == NULL);

  CHECK_OK(dealcore_db_refresh(&changed, db));
  CHECK(changed == 0);
  CHECK_RC(dealcore_db_refresh(NULL, db), DEALCORE_EINVALID);
  CHECK_RC(dealcore_db_refresh(&changed, NULL), DEALCORE_EINVALID);

  /* Another connection writes; refresh makes this one see it. */
  before = deal_count(DEALCORE_ARCHIVED_INCLUDE);
  CHECK_OK(dealcore_db_open(&second, DEALCORE_TEST_DB, NULL));
  spec.name = "Из другого соединения";
  spec.pipeline_id = sales;
  CHECK_OK(dealcore_deal_create(&id, second, 0, &spec));
  dealcore_db_close(second);
  CHECK_OK(dealcore_db_refresh(&changed, db));
  CHECK(changed == 1);
  CHECK(deal_count(DEALCORE_ARCHIVED_INCLUDE) == before + 1);
  CHECK_OK(dealcore_db_verify(&report, db));
  CHECK(dealcore_verify_report_ok(report) == 1);
  dealcore_verify_report_free(report);
}

static void test_close_and_reopen(void) {
  int64_t before = deal_count(DEALCORE_ARCHIVED_INCLUDE);
  dealcore_deal *d = NULL;
  dealcore_verify_report *report = NULL;

  CHECK(the_clock.calls > 0);
  dealcore_db_close(db);
  CHECK(the_clock.freed == 1); /* the payload is released once, at close */
  db = NULL;

  CHECK_OK(dealcore_db_open(&db, DEALCORE_TEST_DB, NULL));
  CHECK(deal_count(DEALCORE_ARCHIVED_INCLUDE) == before);
  {
    /* The views cache: written on demand, then loaded by the next open. */
    int32_t saved = -1, from_cache = -1;
    dealcore_open_options opts = DEALCORE_OPEN_OPTIONS_INIT;
    CHECK_RC(dealcore_db_save_views_cache(NULL, db), DEALCORE_EINVALID);
    CHECK_RC(dealcore_db_save_views_cache(&saved, NULL), DEALCORE_EINVALID);
    CHECK_RC(dealcore_db_views_from_cache(NULL, db), DEALCORE_EINVALID);
    CHECK_RC(dealcore_db_views_from_cache(&from_cache, NULL), DEALCORE_EINVALID);
    CHECK_OK(dealcore_db_views_from_cache(&from_cache, db));
    CHECK(from_cache == 0);
    CHECK_OK(dealcore_db_save_views_cache(&saved, db));
    CHECK(saved == 1);
    dealcore_db_close(db);
    db = NULL;
    opts.views_cache_min_deals = -1;
    CHECK_RC(dealcore_db_open(&db, DEALCORE_TEST_DB, &opts), DEALCORE_EINVALID);
    opts.views_cache_min_deals = 0;
    opts.views_cache = 0; /* not read: built from the tables */
    CHECK_OK(dealcore_db_open(&db, DEALCORE_TEST_DB, &opts));
    CHECK_OK(dealcore_db_views_from_cache(&from_cache, db));
    CHECK(from_cache == 0);
    dealcore_db_close(db);
    db = NULL;
    CHECK_OK(dealcore_db_open(&db, DEALCORE_TEST_DB, NULL));
    CHECK_OK(dealcore_db_views_from_cache(&from_cache, db));
    CHECK(from_cache == 1);
    CHECK(deal_count(DEALCORE_ARCHIVED_INCLUDE) == before);
  }
  CHECK_OK(dealcore_deal_get(&d, db, deal1));
  CHECK_STR(dealcore_deal_name(d), "Поставка кирпича М150");
  CHECK(dealcore_deal_amount(d) == 17000000);
  dealcore_deal_free(d);
  CHECK_OK(dealcore_db_verify(&report, db));
  CHECK(dealcore_verify_report_ok(report) == 1);
  dealcore_verify_report_free(report);
  dealcore_db_close(db);
  db = NULL;
}

int main(void) {
  test_library();
  test_init_functions();
  test_open();
  if (db == NULL) {
    fprintf(stderr, "cannot open %s: %s\n", DEALCORE_TEST_DB, dealcore_error_last());
    printf("%d passed, %d failed\n", passed, failed + 1);
    return 1;
  }
  test_departments();
  test_users();
  test_tags();
  test_pipelines();
  test_contacts();
  test_deals();
  test_links_and_lookup();
  test_bulk();
  test_list();
  test_board();
  test_stage_delete();
  test_events();
  test_verify_and_refresh();
  test_disk_full();
  test_create_many();
  test_close_and_reopen();

  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

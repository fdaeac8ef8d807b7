/*
 * c_api_threads_test.c — one dealcore_db shared by threads through the C ABI
 * (docs/threading.md): writers create and move deals while readers list and
 * read boards; every reader sees consistent snapshots, nothing is lost, the
 * views agree with the file at the end, and dealcore_error_last() belongs to
 * the thread that made the call.
 *
 * Prints "N passed, 0 failed" and exits 0, or lists the failures and exits 1.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "dealcore.h"

#ifndef DEALCORE_TEST_DB
#error "DEALCORE_TEST_DB must name the test database file"
#endif

enum { WRITERS = 2, READERS = 2, DEALS_PER_WRITER = 150 };

static pthread_mutex_t count_mu = PTHREAD_MUTEX_INITIALIZER;
static int passed = 0;
static int failed = 0;

static void record(int ok, const char *what, int line) {
  pthread_mutex_lock(&count_mu);
  if (ok) {
    ++passed;
  } else {
    ++failed;
    fprintf(stderr, "%s:%d: CHECK failed: %s (last error: %s)\n", __FILE__, line, what,
            dealcore_error_last());
  }
  pthread_mutex_unlock(&count_mu);
}

#define CHECK(cond) record((cond) ? 1 : 0, #cond, __LINE__)

static dealcore_db *db = NULL;
static int64_t pipeline = 0, stage_new = 0, stage_won = 0;
static pthread_barrier_t errors_set;
static int writers_finished = 0; /* guarded by count_mu */

static int all_writers_finished(void) {
  int done;
  pthread_mutex_lock(&count_mu);
  done = writers_finished == WRITERS;
  pthread_mutex_unlock(&count_mu);
  return done;
}

static void *writer(void *arg) {
  const int n = *(const int *)arg;
  dealcore_deal_spec spec = DEALCORE_DEAL_SPEC_INIT;
  dealcore_move_target target = DEALCORE_MOVE_TARGET_INIT;
  dealcore_deal *d = NULL;
  char name[64], expected[64];
  int64_t id = 0;
  int i;

  spec.pipeline_id = pipeline;
  target.stage_id = stage_won;
  for (i = 0; i < DEALS_PER_WRITER; ++i) {
    snprintf(name, sizeof name, "Сделка %d-%d", n, i);
    spec.name = name;
    spec.amount = 100 * (i + 1);
    if (dealcore_deal_create(&id, db, 0, &spec) != DEALCORE_OK) {
      CHECK(0);
      continue;
    }
    if (i % 3 == 0) CHECK(dealcore_deal_move(db, 0, &id, 1, &target) == DEALCORE_OK);
  }

  pthread_mutex_lock(&count_mu);
  ++writers_finished;
  pthread_mutex_unlock(&count_mu);

  /* The error message is per thread: fail, wait for everyone to fail, read. */
  snprintf(expected, sizeof expected, "%d", 900000 + n);
  CHECK(dealcore_deal_get(&d, db, 900000 + n) == DEALCORE_ENOTFOUND);
  pthread_barrier_wait(&errors_set);
  CHECK(strstr(dealcore_error_last(), expected) != NULL);
  CHECK(dealcore_error_last_code() == DEALCORE_ENOTFOUND);
  return NULL;
}

static void *reader(void *arg) {
  const int n = *(const int *)arg;
  dealcore_list_options options = DEALCORE_LIST_OPTIONS_INIT;
  dealcore_board_filter filter = DEALCORE_BOARD_FILTER_INIT;
  int64_t last_total = 0;
  int rounds = 0;

  options.limit = 1000;
  options.with_total = 1;
  filter.cards_per_stage = 1000;
  while (!all_writers_finished() || rounds < 5) {
    dealcore_deal_page *page = NULL;
    dealcore_board *board = NULL;
    int64_t sum = 0, cards = 0;
    size_t i;

    ++rounds;
    if (dealcore_deal_list(&page, db, NULL, &options) == DEALCORE_OK) {
      /* One snapshot: the page and its total agree, and deals only appear. */
      CHECK((int64_t)dealcore_deal_page_count(page) == dealcore_deal_page_total(page));
      CHECK(dealcore_deal_page_total(page) >= last_total);
      last_total = dealcore_deal_page_total(page);
    } else {
      CHECK(0);
    }
    dealcore_deal_page_free(page);

    if (dealcore_board_get(&board, db, pipeline, &filter) == DEALCORE_OK) {
      for (i = 0; i < dealcore_board_column_count(board); ++i) {
        const dealcore_board_column *c = dealcore_board_column_at(board, i);
        sum += dealcore_board_column_deal_count(c);
        cards += (int64_t)dealcore_board_column_card_count(c);
      }
      CHECK(sum == cards);
    } else {
      CHECK(0);
    }
    dealcore_board_free(board);
  }

  {
    char expected[64];
    dealcore_pipeline *p = NULL;
    snprintf(expected, sizeof expected, "%d", 800000 + n);
    CHECK(dealcore_pipeline_get(&p, db, 800000 + n) == DEALCORE_ENOTFOUND);
    pthread_barrier_wait(&errors_set);
    CHECK(strstr(dealcore_error_last(), expected) != NULL);
  }
  return NULL;
}

int main(void) {
  dealcore_stage_spec stages[2] = {DEALCORE_STAGE_SPEC_INIT, DEALCORE_STAGE_SPEC_INIT};
  dealcore_pipeline *p = NULL;
  dealcore_verify_report *report = NULL;
  pthread_t threads[WRITERS + READERS];
  int numbers[WRITERS + READERS];
  int64_t count = 0;
  int i;

  remove(DEALCORE_TEST_DB);
  remove(DEALCORE_TEST_DB "-wal");
  remove(DEALCORE_TEST_DB "-shm");
  CHECK(dealcore_db_open(&db, DEALCORE_TEST_DB, NULL) == DEALCORE_OK);
  if (db == NULL) {
    printf("%d passed, %d failed\n", passed, failed);
    return 1;
  }
  stages[0].name = "Новая";
  stages[1].name = "Успех";
  stages[1].kind = DEALCORE_STAGE_WON;
  CHECK(dealcore_pipeline_create(&pipeline, db, 0, "Продажи", stages, 2) == DEALCORE_OK);
  CHECK(dealcore_pipeline_get(&p, db, pipeline) == DEALCORE_OK);
  stage_new = dealcore_stage_id(dealcore_pipeline_stage_at(p, 0));
  stage_won = dealcore_stage_id(dealcore_pipeline_stage_at(p, 1));
  dealcore_pipeline_free(p);
  CHECK(stage_new > 0 && stage_won > 0);

  pthread_barrier_init(&errors_set, NULL, WRITERS + READERS);
  for (i = 0; i < WRITERS + READERS; ++i) {
    numbers[i] = i;
    CHECK(pthread_create(&threads[i], NULL, i < WRITERS ? writer : reader, &numbers[i]) == 0);
  }
  for (i = 0; i < WRITERS + READERS; ++i) pthread_join(threads[i], NULL);
  pthread_barrier_destroy(&errors_set);

  CHECK(dealcore_deal_count(&count, db, DEALCORE_ARCHIVED_INCLUDE) == DEALCORE_OK);
  CHECK(count == WRITERS * DEALS_PER_WRITER);
  CHECK(dealcore_db_verify(&report, db) == DEALCORE_OK);
  CHECK(dealcore_verify_report_ok(report) == 1);
  dealcore_verify_report_free(report);
  dealcore_db_close(db);

  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

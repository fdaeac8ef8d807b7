/* A tiny C host built with pkg-config: opens a file, makes a pipeline and a
 * deal, lists it, puts a task on it and reads the deal's timeline. */
#include <stdio.h>

#include <dealcore.h>

#define TRY(call)                                                        \
  do {                                                                   \
    int rc_ = (call);                                                    \
    if (rc_ != DEALCORE_OK) {                                            \
      fprintf(stderr, "%s: %s (%d)\n", #call, dealcore_error_last(), rc_); \
      return 1;                                                          \
    }                                                                    \
  } while (0)

int main(int argc, char **argv) {
  dealcore_db *db = NULL;
  dealcore_stage_spec stages[2] = {DEALCORE_STAGE_SPEC_INIT, DEALCORE_STAGE_SPEC_INIT};
  dealcore_deal_spec deal = DEALCORE_DEAL_SPEC_INIT;
  dealcore_deal_page *page = NULL;
  dealcore_task_spec task = DEALCORE_TASK_SPEC_INIT;
  dealcore_timeline_page *timeline = NULL;
  int64_t pipeline = 0, id = 0, task_id = 0;
  int ok;

  if (argc != 2) {
    fprintf(stderr, "usage: %s DB_FILE\n", argv[0]);
    return 2;
  }
  remove(argv[1]);
  if (dealcore_abi_version() != DEALCORE_ABI_VERSION) {
    fprintf(stderr, "ABI %d linked, %d expected\n", (int)dealcore_abi_version(),
            DEALCORE_ABI_VERSION);
    return 1;
  }
  TRY(dealcore_db_open(&db, argv[1], NULL));
  stages[0].name = "Новая";
  stages[1].name = "Успех";
  stages[1].kind = DEALCORE_STAGE_WON;
  TRY(dealcore_pipeline_create(&pipeline, db, 0, "Продажи", stages, 2));
  deal.name = "Поставка";
  deal.pipeline_id = pipeline;
  deal.amount = 1500000;
  TRY(dealcore_deal_create(&id, db, 0, &deal));
  TRY(dealcore_deal_list(&page, db, NULL, NULL));
  ok = dealcore_deal_page_count(page) == 1 &&
       dealcore_deal_id(dealcore_deal_page_at(page, 0)) == id;
  printf("dealcore %s via pkg-config: %d deal(s), %s\n", dealcore_version(),
         (int)dealcore_deal_page_count(page), ok ? "ok" : "MISMATCH");
  dealcore_deal_page_free(page);
  task.deal_id = id;
  task.type_id = DEALCORE_TASK_CALL;
  task.text = "Позвонить";
  task.due_at = 1700000000000;
  TRY(dealcore_task_create(&task_id, db, 0, &task));
  TRY(dealcore_task_complete(db, 0, task_id, "Дозвонились"));
  TRY(dealcore_timeline_get(&timeline, db, id, NULL));
  ok = ok && dealcore_timeline_page_count(timeline) == 3;
  printf("timeline: %d event(s), newest %s\n", (int)dealcore_timeline_page_count(timeline),
         dealcore_timeline_entry_kind(dealcore_timeline_page_at(timeline, 0)));
  dealcore_timeline_page_free(timeline);
  dealcore_db_close(db);
  return ok ? 0 : 1;
}

/* A tiny C host built with pkg-config: opens a file, makes a pipeline and a
 * deal, lists it. */
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
  int64_t pipeline = 0, id = 0;
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
  dealcore_db_close(db);
  return ok ? 0 : 1;
}

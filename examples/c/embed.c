/*
 * embed.c — embedding dealcore from C: open a file, make a pipeline, add two
 * deals, list them and print the kanban sums.
 *
 *   dealcore_embed_c [embed-example.db]     (the file is made anew)
 *
 * Every call returns a status; on failure dealcore_error_last() says why.
 * Objects the library returns are freed with their own *_free function.
 */
#include <stdio.h>

#include "dealcore.h"

#define CHECK(call)                                                          \
  do {                                                                       \
    int rc_ = (call);                                                        \
    if (rc_ != DEALCORE_OK) {                                                \
      fprintf(stderr, "%s failed: %s (%s)\n", #call, dealcore_error_last(),  \
              dealcore_status_str(rc_));                                     \
      goto done;                                                             \
    }                                                                        \
  } while (0)

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "embed-example.db";
  dealcore_db *db = NULL;
  dealcore_deal_page *page = NULL;
  dealcore_board *board = NULL;
  dealcore_stage_spec stages[3] = {DEALCORE_STAGE_SPEC_INIT, DEALCORE_STAGE_SPEC_INIT,
                                   DEALCORE_STAGE_SPEC_INIT};
  dealcore_deal_spec deal = DEALCORE_DEAL_SPEC_INIT;
  dealcore_list_options options = DEALCORE_LIST_OPTIONS_INIT;
  int64_t sales = 0, id = 0;
  size_t i, j;
  int status = 1;

  printf("dealcore %s\n", dealcore_version());
  remove(path);
  CHECK(dealcore_db_open(&db, path, NULL));

  /* A pipeline: one open stage, a won one and a lost one. */
  stages[0].name = "Новая";
  stages[0].probability = 20;
  stages[1].name = "Успех";
  stages[1].kind = DEALCORE_STAGE_WON;
  stages[2].name = "Отказ";
  stages[2].kind = DEALCORE_STAGE_LOST;
  CHECK(dealcore_pipeline_create(&sales, db, 0 /* system actor */, "Продажи", stages, 3));

  /* Two deals; the second is re-sent by the host with the same external_ref. */
  deal.name = "Поставка кирпича";
  deal.pipeline_id = sales;
  deal.amount = 1500000; /* 15 000.00 RUB in kopecks */
  deal.client_name = "ООО «Ромашка»";
  CHECK(dealcore_deal_create(&id, db, 0, &deal));
  deal.name = "Лицензии";
  deal.amount = 99000;
  deal.currency = "USD";
  deal.external_ref = "1c-0001";
  CHECK(dealcore_deal_upsert(&id, db, 0, &deal));
  CHECK(dealcore_deal_upsert(&id, db, 0, &deal)); /* no duplicate */

  /* The list: biggest amounts first, with the total. */
  options.sort = DEALCORE_SORT_AMOUNT;
  options.with_total = 1;
  CHECK(dealcore_deal_list(&page, db, NULL, &options));
  printf("%lld deal(s):\n", (long long)dealcore_deal_page_total(page));
  for (i = 0; i < dealcore_deal_page_count(page); ++i) {
    const dealcore_deal *d = dealcore_deal_page_at(page, i);
    printf("  #%lld  %lld %s  %s\n", (long long)dealcore_deal_id(d),
           (long long)dealcore_deal_amount(d), dealcore_deal_currency(d), dealcore_deal_name(d));
  }

  /* The kanban: per stage, the count and the sums per currency. */
  CHECK(dealcore_board_get(&board, db, sales, NULL));
  printf("board of %s:\n", dealcore_pipeline_name(dealcore_board_pipeline(board)));
  for (i = 0; i < dealcore_board_column_count(board); ++i) {
    const dealcore_board_column *c = dealcore_board_column_at(board, i);
    printf("  %s: %lld deal(s)", dealcore_stage_name(dealcore_board_column_stage(c)),
           (long long)dealcore_board_column_deal_count(c));
    for (j = 0; j < dealcore_board_column_sum_count(c); ++j)
      printf("  %lld %s", (long long)dealcore_board_column_sum_amount(c, j),
             dealcore_board_column_sum_currency(c, j));
    printf("\n");
  }
  status = 0;

done:
  dealcore_board_free(board);
  dealcore_deal_page_free(page);
  dealcore_db_close(db);
  return status;
}

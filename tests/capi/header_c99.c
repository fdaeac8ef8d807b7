/* header_c99.c — dealcore.h alone, as strict C99: it must be self-contained,
 * and its _INIT macros must initialize every field (-Wextra would say). */
#include "dealcore.h"

#include <stdio.h>
#include <string.h>

int main(void) {
  dealcore_open_options o = DEALCORE_OPEN_OPTIONS_INIT;
  dealcore_stage_spec s = DEALCORE_STAGE_SPEC_INIT;
  dealcore_user_patch up = DEALCORE_USER_PATCH_INIT;
  dealcore_contact_spec c = DEALCORE_CONTACT_SPEC_INIT;
  dealcore_deal_spec d = DEALCORE_DEAL_SPEC_INIT;
  dealcore_deal_patch p = DEALCORE_DEAL_PATCH_INIT;
  dealcore_move_target m = DEALCORE_MOVE_TARGET_INIT;
  dealcore_deal_filter f = DEALCORE_DEAL_FILTER_INIT;
  dealcore_list_options l = DEALCORE_LIST_OPTIONS_INIT;
  dealcore_board_filter b = DEALCORE_BOARD_FILTER_INIT;
  dealcore_task_spec ts = DEALCORE_TASK_SPEC_INIT;
  dealcore_task_patch tp = DEALCORE_TASK_PATCH_INIT;
  dealcore_task_block_query tb = DEALCORE_TASK_BLOCK_QUERY_INIT;
  dealcore_activity_options ao = DEALCORE_ACTIVITY_OPTIONS_INIT;
  dealcore_timeline_query tq = DEALCORE_TIMELINE_QUERY_INIT;
  dealcore_stage_move mv = {0, 0};
  int ok = o.version == 2 && o.views_cache == 1 && s.version == 1 && up.version == 1 && c.version == 1 &&
           d.version == 2 && p.version == 1 && m.version == 1 && f.version == 2 &&
           l.version == 2 && b.version == 2 && ts.version == 1 &&
           tp.version == 1 && tb.version == 1 && ao.version == 1 && tq.version == 1 &&
           f.rotting == DEALCORE_NONE && l.time_zone == NULL && b.time_zone == NULL &&
           ts.type_id == DEALCORE_TASK_FOLLOW_UP && tb.per_group_limit == 50 && mv.from_stage_id == 0 &&
           f.archived == DEALCORE_ARCHIVED_EXCLUDE && f.has_open_tasks == DEALCORE_NONE &&
           strcmp(dealcore_version(), DEALCORE_VERSION_STRING) == 0 &&
           dealcore_abi_version() == DEALCORE_ABI_VERSION;
  printf("dealcore %s (ABI %d) from C99: %s\n", dealcore_version(), (int)dealcore_abi_version(),
         ok ? "ok" : "MISMATCH");
  return ok ? 0 : 1;
}

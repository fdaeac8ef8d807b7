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
  dealcore_stage_move mv = {0, 0};
  int ok = o.version == 1 && s.version == 1 && up.version == 1 && c.version == 1 &&
           d.version == 1 && p.version == 1 && m.version == 1 && f.version == 1 &&
           l.version == 1 && b.version == 1 && mv.from_stage_id == 0 &&
           f.archived == DEALCORE_ARCHIVED_EXCLUDE && f.has_open_tasks == DEALCORE_NONE &&
           strcmp(dealcore_version(), DEALCORE_VERSION_STRING) == 0 &&
           dealcore_abi_version() == DEALCORE_ABI_VERSION;
  printf("dealcore %s (ABI %d) from C99: %s\n", dealcore_version(), (int)dealcore_abi_version(),
         ok ? "ok" : "MISMATCH");
  return ok ? 0 : 1;
}

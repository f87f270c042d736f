/* tui.c — placeholder until the console lands: prints the cluster summary. */
#include "tui/tui.h"
#include "conn/fleet.h"
#include "exec/summary.h"

#include <stdio.h>

int tui_run(struct fleet *fleet, const struct vd_options *opts)
{
	(void)opts;
	fleet_wait_initial(fleet, 12000);
	summary_print(stdout, fleet_cluster(fleet));
	return 0;
}

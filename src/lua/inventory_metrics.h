/* inventory_metrics.h — the metrics = { ... } field of the inventory
 * (defaults{} and host{}): read and checked at the declaration, merged
 * into each host once the file ran. */
#ifndef VD_INVENTORY_METRICS_H
#define VD_INVENTORY_METRICS_H

#include <lua.h>

#include "core/err.h"
#include "model/inventory.h"

/* Reads field "metrics" of the table at t into m (zeroed first; fields
 * not given stay unset for the merge).  Raises "FILE:LINE: what metrics:
 * ..." on a bad value. */
void inventory_read_metrics(lua_State *L, int t, const char *what, struct metrics_settings *m);
/* Completes h->metrics from the defaults' d: unset fields from d, d's
 * labels unless h names them, and for a Prometheus host without its own
 * match the default instance = "ADDRESS:9100".  -1 (VD_ECONFIG) when a
 * Prometheus host lacks its url or any label. */
int  inventory_merge_metrics(struct host_config *h, const struct metrics_settings *d, struct vd_err *err);

#endif

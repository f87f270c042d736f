/* summary.h — plain-text views of the cluster for headless use:
 * the one-screen summary and the --check reachability table. */
#ifndef VD_SUMMARY_H
#define VD_SUMMARY_H

#include <stdio.h>

#include "model/cluster.h"

void summary_print(FILE *out, const struct cluster *c);
/* Prints one row per host, then one per unfinished operation with where
 * its domain stands now (with json: one object per host, then one object
 * {"audit", "audit_error", "unfinished_dropped", "unfinished": [...]});
 * returns 0 when all hosts are up, 3 when any is down. */
int  check_print(FILE *out, const struct cluster *c, int json);

#endif

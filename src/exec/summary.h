/* summary.h — plain-text views of the cluster for headless use:
 * the one-screen summary and the --check reachability table. */
#ifndef VD_SUMMARY_H
#define VD_SUMMARY_H

#include <stdio.h>

#include "model/cluster.h"

void summary_print(FILE *out, const struct cluster *c);
/* Prints one row per host; returns 0 when all are up, 3 when any is down. */
int  check_print(FILE *out, const struct cluster *c, int json);

#endif

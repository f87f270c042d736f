/* switch_check.h — the distributed switches' part of --check: one line
 * per switch and host it selects, with its state and the drifted fields. */
#ifndef VD_SWITCH_CHECK_H
#define VD_SWITCH_CHECK_H

#include <stdio.h>

#include "model/cluster.h"

/* Nothing when the inventory declares no switch; with json, one object
 * {"switch", "hosts": [{"host", "state", "fields", "why"}]} per switch. */
void switch_check_print(FILE *out, const struct cluster *c, int json);

#endif

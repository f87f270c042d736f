/* inventory_load.h — reading a cluster.lua inventory file into struct
 * inventory.  Errors (syntax, unknown field, wrong type, duplicate name)
 * come back as "FILE:LINE: message" with code VD_ECONFIG. */
#ifndef VD_INVENTORY_LOAD_H
#define VD_INVENTORY_LOAD_H

#include "core/err.h"
#include "model/inventory.h"

int inventory_load(const char *path, struct inventory *inv, struct vd_err *err);
/* The same from a string (tests, -e); name is used in messages. */
int inventory_load_string(const char *text, const char *name, struct inventory *inv, struct vd_err *err);

#endif

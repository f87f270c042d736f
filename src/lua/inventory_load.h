/* inventory_load.h — reading a cluster.lua inventory file into struct
 * inventory.  Errors (syntax, unknown field, wrong type, duplicate name)
 * come back as "FILE:LINE: message" with code VD_ECONFIG. */
#ifndef VD_INVENTORY_LOAD_H
#define VD_INVENTORY_LOAD_H

#include "core/err.h"
#include "model/inventory.h"

struct lua_State;

int inventory_load(const char *path, struct inventory *inv, struct vd_err *err);
/* The same from a string (tests, -e); name is used in messages. */
int inventory_load_string(const char *text, const char *name, struct inventory *inv, struct vd_err *err);
/* A placement rule table at idx ({ keep_apart = { VM, ... } },
 * { keep_together = { ... } }, { pin_to = { vm = VM | { ... }, hosts =
 * PATTERNS | { ... } } }) into *r; -1 with msg on a bad one (r is then
 * partly filled: free it with placement_rule_free).  Never raises. */
int inventory_read_rule(struct lua_State *L, int idx, struct placement_rule *r, char *msg, size_t len);

#endif

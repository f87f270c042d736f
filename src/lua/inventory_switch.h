/* inventory_switch.h — the switch{} declaration of an inventory file: a
 * distributed virtual switch (one libvirt network on many hosts). */
#ifndef VD_INVENTORY_SWITCH_H
#define VD_INVENTORY_SWITCH_H

#include <lua.h>

#include "core/err.h"
#include "model/inventory.h"

/* Makes `switch` a global of the loader's state L, filling inv->switches. */
void inventory_switch_register(lua_State *L, struct inventory *inv);
/* After the whole file ran: every host a switch names by name exists. */
int  inventory_switch_check(const struct inventory *inv, struct vd_err *err);

#endif

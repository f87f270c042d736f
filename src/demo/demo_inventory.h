/* demo_inventory.h — the inventory of a generated demo cluster: one host per
 * generated tree, libvirt on its test:/// file, metrics read locally from its
 * simulated /proc and /sys through the sysroot, exactly like a real host. */
#ifndef VD_DEMO_INVENTORY_H
#define VD_DEMO_INVENTORY_H

#include "core/err.h"
#include "demo/demo.h"
#include "model/inventory.h"

/* Generates the demo under a new temporary directory and describes it. */
int  demo_inventory(const struct demo_spec *spec, struct inventory *inv, struct vd_err *err);
/* Removes the generated tree (inv->demo_dir). */
void demo_cleanup(struct inventory *inv);

#endif

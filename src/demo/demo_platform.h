/* demo_platform.h — the demo cluster as a platform: a generated cluster
 * that supplies its hosts the way real ones are supplied, through an
 * inventory and a transport class, so nothing outside src/demo/ knows it.
 *
 * Only main.c (and tests) use this.  The demo owns its generated tree: it
 * lives from demo_new() to demo_free(). */
#ifndef VD_DEMO_PLATFORM_H
#define VD_DEMO_PLATFORM_H

#include "conn/transport.h"
#include "core/err.h"
#include "demo/demo.h"
#include "model/inventory.h"

struct demo;

/* Generates the cluster of spec under a new temporary directory ($TMPDIR,
 * else /dev/shm, else /tmp). */
struct demo *demo_new(const struct demo_spec *spec, struct vd_err *err);
/* Fills inv (cleared first): one host per generated host, libvirt on its
 * test:/// file, transport local with its simulated tree as sysroot, tags
 * rackN and demo. */
void demo_inventory(const struct demo *d, struct inventory *inv);
/* The class serving those hosts (fleet_opts.local_transport): commands run
 * on this machine; every poll first moves the host's counters to the time
 * since demo_new(), so rates between two polls are those of a live host. */
const struct transport_class *demo_transport(const struct demo *d);
/* Removes the generated tree (kept when $VDECK_KEEP_DEMO is set). */
void demo_free(struct demo **d);
/* Removes the simulated hosts' files, leaving the demo itself (its
 * transport class) to workers that outlive the exit. */
void demo_remove_files(struct demo *d);

#endif

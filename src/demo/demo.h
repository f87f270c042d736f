/* demo.h — the embedded demo cluster: a generator of libvirt test-driver
 * node files and simulated host trees.
 *
 * `vdeck --demo=HOSTSxVMS` runs on files this module writes: for every host
 * DIR/hosts/cnaNN.xml (opened as test:///DIR/hosts/cnaNN.xml; domains,
 * network with VLAN portgroups, a storage pool, a bond, GPU node devices)
 * and DIR/hosts/cnaNN/root/ (proc/ and sys/ files in the kernel's own
 * formats, read through the same code path as a real host's sysroot).
 * Everything is a pure function of (spec, host index, t): two runs with the
 * same seed write the same bytes.  demo_platform.h makes a running cluster
 * of it. */
#ifndef VD_DEMO_H
#define VD_DEMO_H

#include <stddef.h>

#include "core/err.h"

#define DEMO_MAX_HOSTS 1024u
#define DEMO_MAX_VMS   100000u
#define DEMO_DEFAULT_HOSTS 8u
#define DEMO_DEFAULT_VMS   120u

struct demo_spec {
	unsigned hosts, vms;
	unsigned seed;
	unsigned skewed;   /* a few hosts overloaded, many VMs spanning NUMA nodes */
};

/* "8x120" (also "8X120"), optionally ":skewed"; NULL or "" gives 8x120
 * and seed 0. Hosts 1..1024, VMs 0..100000. The seed is left at 0. */
int demo_parse_spec(const char *text, struct demo_spec *out, struct vd_err *err);

/* Writes DIR/hosts/<name>.xml and DIR/hosts/<name>/root/ for every host;
 * DIR is created when missing. Existing files are overwritten. */
int demo_generate(const char *dir, const struct demo_spec *spec, struct vd_err *err);

/* "cna01".."cnaNN" (3 digits when hosts >= 100). Returns buf. */
const char *demo_host_name(unsigned index, unsigned hosts, char *buf, size_t len);

/* Rewrites the moving counters of host `index` (NIC statistics and
 * /proc/net/dev, /proc/stat, /proc/vmstat, ksm full_scans) as they are t
 * seconds after start. Monotonic in t; each file is replaced atomically. */
int demo_tick(const char *dir, unsigned index, const struct demo_spec *spec, double t,
	      struct vd_err *err);

#endif

/* vmnuma.h — where each running VM's memory sits, per host NUMA node.
 *
 * Two pure functions: numa_maps_sum() adds up one /proc/PID/numa_maps
 * (N<node>=<pages> × kernelpagesize_kB), and parse_vm_numa() reads the
 * poll's "vm-numa" record, one line per VM: "NAME N0=bytes N1=bytes". */
#ifndef VD_METRICS_VMNUMA_H
#define VD_METRICS_VMNUMA_H

#include <stddef.h>
#include <stdint.h>

#define VM_NUMA_MAX_NODES 16

struct vd_err;

struct vm_numa {
	char     name[128];
	uint64_t bytes[VM_NUMA_MAX_NODES];
	unsigned nodes;              /* highest node seen + 1 */
};

void numa_maps_sum(const char *buf, size_t len, uint64_t bytes[VM_NUMA_MAX_NODES], unsigned *nodes);
/* Appends to *out (x_grow'n array); bad lines are skipped. */
int  parse_vm_numa(const char *buf, size_t len, struct vm_numa **out, size_t *n, size_t *cap,
		   struct vd_err *err);

#endif

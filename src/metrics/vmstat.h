/* vmstat.h — /proc/vmstat swap counters.  Counts are pages since boot
 * (multiply by the page size for bytes). */
#ifndef VD_METRICS_VMSTAT_H
#define VD_METRICS_VMSTAT_H

#include <stddef.h>
#include <stdint.h>

struct vd_err;

struct vmstat {
	uint64_t pswpin, pswpout;   /* pages swapped in / out since boot */
	uint64_t pgmajfault;
	int      has_swap;          /* both pswpin and pswpout were present */
};

int parse_vmstat(const char *buf, size_t len, struct vmstat *out, struct vd_err *err);

#endif

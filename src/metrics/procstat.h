/* procstat.h — per-CPU time from /proc/stat.
 *
 * Times are jiffies (USER_HZ ticks, normally 1/100 s) since boot; only
 * their deltas matter.  Utilisation in percent is computed by
 * host_metrics_rates. */
#ifndef VD_METRICS_PROCSTAT_H
#define VD_METRICS_PROCSTAT_H

#include <stddef.h>
#include <stdint.h>

struct vd_err;

struct cpu_jiffies {
	int      cpu;     /* CPU number; -1 for the aggregate "cpu" line */
	uint64_t user, nice, system, idle, iowait, irq, softirq, steal, guest, guest_nice;
	double   util;    /* percent busy over the last interval, -1 unknown */
};

/* Idle time (idle + iowait) and total time (every field except guest and
 * guest_nice, which the kernel already counts inside user and nice). */
uint64_t cpu_jiffies_idle(const struct cpu_jiffies *c);
uint64_t cpu_jiffies_total(const struct cpu_jiffies *c);

/* The aggregate line goes to *total (cpu = -1); "cpuN" lines go to an
 * x_calloc'd array sorted by CPU number.  Offline CPUs have no line.
 * Old kernels print fewer columns: missing ones are 0.  -1 when there is
 * no "cpu" line at all. */
int parse_proc_stat(const char *buf, size_t len, struct cpu_jiffies *total,
		    struct cpu_jiffies **cpus, size_t *n, struct vd_err *err);

#endif

/* cpulist.h — kernel CPU lists ("0-3,8-11", "0,2,4-5") as sorted arrays.
 *
 * Used for nodeN/cpulist and /sys/devices/system/cpu/online.  No units. */
#ifndef VD_METRICS_CPULIST_H
#define VD_METRICS_CPULIST_H

#include <stddef.h>

struct vd_err;

/* Largest CPU number accepted: Linux builds with at most 8192 CPUs
 * (NR_CPUS); a list naming a higher one is refused, not truncated. */
#define CPULIST_MAX_CPU 8191

/* Fills *cpus (x_malloc'd, sorted, no duplicates; NULL when empty) and *n.
 * An empty or blank list is valid and gives n = 0. */
int parse_cpulist(const char *buf, size_t len, int **cpus, size_t *n, struct vd_err *err);
/* 1 when cpu is in the sorted array. */
int cpulist_has(const int *cpus, size_t n, int cpu);
/* Adds cpu keeping the array sorted and unique (*cap as for x_grow). */
void cpulist_add(int **cpus, size_t *n, size_t *cap, int cpu);

#endif

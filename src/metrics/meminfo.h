/* meminfo.h — /proc/meminfo.  All sizes in bytes; hugepage counts in pages. */
#ifndef VD_METRICS_MEMINFO_H
#define VD_METRICS_MEMINFO_H

#include <stddef.h>
#include <stdint.h>

struct vd_err;

struct meminfo {
	uint64_t total, free, available, buffers, cached;   /* bytes */
	uint64_t swap_total, swap_free, shmem, slab;         /* bytes */
	uint64_t anon_huge_pages, hugepage_size;             /* bytes */
	uint64_t hugepages_total, hugepages_free;            /* pages */
	int      has_available;  /* kernels before 3.14 lack MemAvailable */
};

/* Requires MemTotal; when MemAvailable is absent, available is estimated
 * as free + buffers + cached. */
int parse_meminfo(const char *buf, size_t len, struct meminfo *out, struct vd_err *err);

#endif

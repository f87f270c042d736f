/* ksm.h — kernel samepage merging, /sys/kernel/mm/ksm/<file>.
 *
 * Counts are pages; saved = pages_sharing * page size, in bytes (filled by
 * ksm_finish with the page size the caller knows, 4096 by default). */
#ifndef VD_METRICS_KSM_H
#define VD_METRICS_KSM_H

#include <stddef.h>
#include <stdint.h>

struct vd_err;

struct ksm {
	int      present;            /* at least one KSM file was seen */
	uint64_t run;                /* 0 stop, 1 run, 2 unmerge */
	uint64_t pages_shared, pages_sharing, pages_unshared, pages_volatile;
	uint64_t pages_to_scan, full_scans, sleep_millisecs;
	uint64_t merge_across_nodes;
	int64_t  general_profit;     /* bytes, kernel 6.1+; 0 when absent */
	int      has_merge_across_nodes, has_general_profit;
	uint64_t saved;              /* bytes */
};

/* Parses the single-value file `name` (e.g. "pages_sharing") into out.
 * Unknown names are ignored (0); bad numbers give -1. */
int  parse_ksm_file(const char *name, const char *buf, size_t len, struct ksm *out,
		    struct vd_err *err);
void ksm_finish(struct ksm *k, uint64_t page_size);

/* The name of the i-th file parse_ksm_file reads; NULL past the last.  The
 * poll script reads these, not the whole folder (metrics/bundle.c). */
const char *ksm_file_name(size_t i);

#endif

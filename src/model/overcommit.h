/* overcommit.h — how far a host's (and the cluster's) VM memory is
 * overcommitted, and what makes it fit: KSM page sharing, ballooning and
 * swap.  Pure: computed from the model's last poll.
 *
 * Sizes in bytes, swap rates in bytes/s (-1 unknown).  configured is the
 * memory of the running VMs' definitions (<memory>); ballooned the sum of
 * their current balloons.  The density gain is measured, not claimed: the
 * running VMs' configured memory over what it needs once KSM and the
 * balloons took their share, minus one (0.3 = 30 % more VMs in the same
 * memory than without them). */
#ifndef VD_OVERCOMMIT_H
#define VD_OVERCOMMIT_H

#include <stddef.h>
#include <stdint.h>

struct cluster;
struct host;

struct overcommit {
	uint64_t physical;           /* host memory */
	uint64_t configured;         /* running VMs' <memory> */
	uint64_t ballooned;          /* their current balloons */
	uint64_t balloon_reclaimed;  /* configured - ballooned */
	uint64_t ksm_saved;          /* pages_sharing x page size */
	uint64_t swap_used;          /* SwapTotal - SwapFree */
	double   swap_in_rate, swap_out_rate;   /* bytes/s, -1 unknown */
	unsigned running;            /* VMs counted */
	unsigned hosts;              /* hosts counted (the cluster's figure) */
	int      has_metrics;        /* KSM and swap are known (a shell poll answered) */
	double   ratio;              /* configured / physical, 0 when physical is unknown */
	double   density_gain;       /* configured / (configured - ksm_saved - balloon_reclaimed) - 1 */
};

void overcommit_host(const struct host *h, struct overcommit *out);
/* The cluster's sums (hosts without metrics add their VMs and memory only). */
void overcommit_cluster(const struct cluster *c, struct overcommit *out);

#endif

/* domain.h — one VM as the console knows it: its XML facts plus live state
 * and the per-poll statistics (sizes in bytes, rates per second). */
#ifndef VD_DOMAIN_H
#define VD_DOMAIN_H

#include <stdint.h>

#include "metrics/domxml.h"

enum dom_state {
	DOM_NOSTATE, DOM_RUNNING, DOM_BLOCKED, DOM_PAUSED, DOM_SHUTDOWN,
	DOM_SHUTOFF, DOM_CRASHED, DOM_PMSUSPENDED
};

#define DOM_MAX_NUMA 16

struct dom_stats {
	int      valid;
	uint64_t cpu_time_ns;
	double   cpu_util;           /* percent of one host CPU × vCPUs, 0..100*vcpus */
	uint64_t balloon_current, balloon_maximum, balloon_usable;
	uint64_t balloon_available, balloon_unused;  /* guest-reported (virtio balloon stats), 0 unknown */
	uint64_t rd_bytes, wr_bytes, rx_bytes, tx_bytes;
	double   rd_bps, wr_bps, rx_bps, tx_bps;     /* bytes/s (block), bits/s (net) */
	unsigned vcpus_online;
	unsigned numa_nodes;                         /* entries valid in numa_mem */
	uint64_t numa_mem[DOM_MAX_NUMA];             /* bytes resident per host node */
	double   t;                                  /* monotonic seconds when sampled */
	int      from_prometheus;                    /* filled from the host's libvirt exporter */
};

struct domain {
	struct dom_info  info;
	enum dom_state   state;
	int              id;          /* -1 when not running */
	int              persistent;
	int              snapshots;   /* count */
	struct dom_stats stats;
};

const char *dom_state_name(enum dom_state s);
void domain_free(struct domain *d);

#endif

/* placement.h — where a VM should go: free memory and NUMA fit.
 *
 * Pure over the model: no host is asked anything.  Used by d:migrate when
 * `to` is omitted and by the evacuate-host runbook. */
#ifndef VD_PLACEMENT_H
#define VD_PLACEMENT_H

#include <stdint.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "model/cluster.h"

struct placement_fit {
	uint64_t free;          /* bytes usable on the host, after reservations */
	uint64_t node_free;     /* largest free NUMA node, 0 unknown */
	int      node;          /* that node's id, -1 unknown */
	int      numa_fit;      /* the VM fits in one node */
	int      fits;          /* the VM fits on the host */
};

/* What d needs on a host: its maximum memory (current when none). */
uint64_t placement_vm_memory(const struct domain *d);
/* Memory usable on h before any reservation. */
uint64_t placement_host_free(const struct host *h);
/* Free memory and NUMA fit of d on h; reserved: bytes already promised. */
void placement_fit(const struct host *h, const struct domain *d, uint64_t reserved, struct placement_fit *out);
/* Best target other than src; reserved is per host index (may be NULL).
 * Appends one line per candidate and the reason of the choice to why. */
const struct host *placement_choose(const struct cluster *c, const struct host *src, const struct domain *d,
				    const uint64_t *reserved, struct strbuf *why, struct vd_err *err);

#endif

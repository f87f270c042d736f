/* sriov_use.h — which VM holds which SR-IOV VF of a host: the host's VFs
 * (host->metrics->sriov, from sysfs) joined with the domains whose XML
 * passes a PCI device through (<interface type='hostdev'> or a PCI
 * <hostdev>).  Read-only helpers for the Lua API, validation and the TUI. */
#ifndef VD_MODEL_SRIOV_USE_H
#define VD_MODEL_SRIOV_USE_H

#include "metrics/host_metrics.h"
#include "model/cluster.h"

/* The domain of h whose XML passes through PCI address addr; *mac gets its
 * NIC's MAC ("" for a plain <hostdev>) when mac is not NULL.  NULL none. */
const struct domain *host_vf_user(const struct host *h, const char *addr, const char **mac);
/* Free VFs of PF pf (NULL: of every PF): no domain of h holds them and no
 * host driver has made them an interface. */
size_t host_free_vfs(const struct host *h, const char *pf);
/* The first free VF of h (any PF; of pf when not NULL), NULL when none. */
const struct sriov_vf *host_first_free_vf(const struct host *h, const char *pf);
/* The PF of the VF at addr on h, NULL when the host does not know it. */
const char *host_vf_pf(const struct host *h, const char *addr);

#endif

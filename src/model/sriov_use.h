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

/* The SR-IOV VFs that d, a domain of h, holds: its <interface type='hostdev'>
 * NICs, and its PCI <hostdev>s at an address h knows as a VF.  A VF is a
 * function of this host's NIC, handed to the guest by VFIO: QEMU cannot
 * migrate it.  The one rule for "can this VM leave its host": d:migrate and
 * memory snapshots refuse on it (ops/op_sriov.c), the placement planner
 * keeps such a VM where it is. */
struct dom_vfs {
	size_t      nics;       /* VF NICs: re-attachable on a target by MAC (migrate force=true) */
	size_t      hostdevs;   /* plain PCI <hostdev> VFs: no MAC, no re-attach plan */
	const char *mac;        /* the first VF's NIC MAC, "" for a plain hostdev; NULL none */
	const char *address;    /* the first VF's PCI address (0000:3b:02.1); NULL none */
};
/* How many VFs d holds (out may be NULL). */
size_t domain_vfs(const struct host *h, const struct domain *d, struct dom_vfs *out);
/* Why d cannot migrate live because of a VF ("NIC 52:54:00:6b:3c:05 is SR-IOV
 * VF 0000:3b:02.1 of ens1f0 on hv-s, passed through (hostdev)"), written to buf;
 * NULL when it holds none: movable as far as VFs go. */
const char *domain_vf_reason(const struct host *h, const struct domain *d, char *buf, size_t len);

#endif

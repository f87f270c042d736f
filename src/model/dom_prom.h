/* dom_prom.h — per-VM figures from a libvirt exporter (through
 * Prometheus) into the host's domains.
 *
 * libvirt stays the source of the domain list, their state and every
 * operation; its bulk statistics win whenever they are live.  The
 * exporter's figures fill a domain's statistics only where libvirt gave
 * none (a driver without bulk statistics, a poll that could not read
 * them), and they stay until libvirt's are live again.  The exporter has
 * no per-VM NUMA placement and no guest balloon statistics: those stay
 * empty, and d:stats() says so (source, unavailable). */
#ifndef VD_DOM_PROM_H
#define VD_DOM_PROM_H

#include "model/cluster.h"

/* Takes *vms (NULL afterwards): rates against the host's previous
 * figures, then fills the stats of each domain libvirt has none for. */
void dom_prom_apply(struct host *h, struct prom_vms **vms);
/* A libvirt sample without statistics keeps the exporter's. */
void dom_prom_keep(const struct dom_stats *old, struct dom_stats *now);
void dom_prom_free(struct prom_vms **vms);

#endif

/* prom_source.h — hosts whose metrics come from Prometheus
 * (inventory metrics.source = "prometheus").
 *
 * One thread per Prometheus (url, credentials and the label names its hosts
 * are matched by) asks a few instant queries for all of its hosts at once,
 * with libcurl's multi interface so stopping never waits on a silent
 * server, and splits the answers per host (metrics/prom.h).  A host's
 * worker takes its share of the next answer the way it would read its
 * files: it waits on that thread, never the loop thread.  A Prometheus
 * that does not answer gives each of its hosts the error its worker
 * reports, so the hosts go down like hosts whose SSH went away. */
#ifndef VD_PROM_SOURCE_H
#define VD_PROM_SOURCE_H

#include "core/err.h"
#include "model/inventory.h"

struct host_metrics;
struct prom_vms;
struct prom_hub;      /* every Prometheus of one fleet */
struct prom_member;   /* one host of one of them */

struct prom_hub *prom_hub_new(int timeout_ms);
/* Adds the host cfg (metrics.source = prometheus) to the Prometheus its
 * settings name, creating it the first time.  NULL (err) when another
 * host of that Prometheus has the same label values. */
struct prom_member *prom_hub_join(struct prom_hub *hub, const struct host_config *cfg, struct vd_err *err);
int  prom_hub_start(struct prom_hub *hub, struct vd_err *err);
/* Ends every query at once and joins the threads; takes waiting on them
 * return an error from then on. */
void prom_hub_stop(struct prom_hub *hub);
void prom_hub_free(struct prom_hub **hub);

/* On the host's worker: this host's part of a poll newer than the last one
 * it took (asking for one if none is under way), waiting at most the
 * hub's timeout twice over, or until prom_hub_stop.  0 and *out
 * (caller frees with host_metrics_free and free) and *vms (the host's
 * domains from its libvirt exporter, NULL without libvirt_match or when
 * none were reported; prom_vms_free and free) or -1 and err. */
int  prom_member_take(struct prom_member *pm, struct host_metrics **out, struct prom_vms **vms, double *rtt_ms,
		      struct vd_err *err);

#endif

/* prom.h — Prometheus answers into the host model: pure functions, text
 * in, structs out, no I/O (conn/prom_source.c does the HTTP).
 *
 * One poll of one Prometheus serves every host it watches: a batch holds
 * the hosts whose series are selected by the same label names (each host
 * its own values, e.g. instance = "10.0.0.7:9100"); its queries select
 * them all at once with regex matchers (instance=~"a|b|c"), and each
 * series of the answer is routed back to its host by those labels.
 *
 * What node_exporter does not export is left unknown, never made up: per
 * node CPU lists and distances, per-CPU times, NIC kinds (physical,
 * SR-IOV), bond modes, ports and LACP partners.  Hugepages are known for
 * the default size only.  Bonds carry port counts (bond.counts_only). */
#ifndef VD_METRICS_PROM_H
#define VD_METRICS_PROM_H

#include <stddef.h>
#include <stdint.h>

#include "metrics/host_metrics.h"

struct vd_err;

/* A label, or a matcher name = "value". */
struct prom_label {
	char *name;
	char *value;
};

struct prom_sample {
	struct prom_label *labels;   /* as Prometheus sent them; borrowed from prom_vector.doc */
	size_t nlabels;
	double value;                /* NaN and infinities as parsed */
};

/* The answer to one instant query (/api/v1/query), resultType "vector". */
struct prom_vector {
	struct prom_sample *samples;
	size_t n;
	struct prom_label *labels;   /* every sample's labels, one array */
	void *doc;                   /* the parsed document the labels point into */
};

/* Answers past this many series are refused: one query of a large fleet
 * returns a few thousand; this bounds what a wrong match can make vdeck
 * hold. */
#define PROM_MAX_SERIES 2000000

/* Parses the JSON body of /api/v1/query.  -1 when it is not JSON, not
 * {"status":"success", "data":{"resultType":"vector",...}} (the error
 * Prometheus gave, when it gave one, is in the message) or too large. */
int  prom_vector_parse(const char *body, size_t len, struct prom_vector *out, struct vd_err *err);
void prom_vector_free(struct prom_vector *v);
/* The value of label name on s, NULL when absent. */
const char *prom_sample_label(const struct prom_sample *s, const char *name);

/* Hosts selected by one set of label names. */
struct prom_batch;

struct prom_batch *prom_batch_new(void);
void prom_batch_free(struct prom_batch **b);
/* Adds a host's matchers (copied, any order); returns its index in the
 * batch, or -1 (err) when its label names differ from the batch's or the
 * same values already name another host. */
long prom_batch_add(struct prom_batch *b, const struct prom_label *match, size_t n, struct vd_err *err);
size_t prom_batch_count(const struct prom_batch *b);
/* The host a series belongs to (its index), -1 when none. */
long prom_batch_route(const struct prom_batch *b, const struct prom_sample *s);
/* The queries of one poll (caller frees): every series the model reads,
 * and the CPU times summed per host and mode. */
char *prom_query_series(const struct prom_batch *b);
char *prom_query_cpu(const struct prom_batch *b);

/* One host's share of a poll. */
struct prom_host {
	struct host_metrics m;
	size_t nseries;   /* series routed here */
	int    up;        /* the scrape target's `up`: 1, 0, -1 when absent */
};

void prom_host_init(struct prom_host *h, double t);
/* Maps one series (of either query) into h; unknown names are ignored. */
void prom_host_add(struct prom_host *h, const struct prom_sample *s);
/* Sorts what needs sorting and completes derived values (KSM savings,
 * the implicit NUMA node, per-node hugepages).  Leaves h->m ready for
 * host_metrics_rates. */
void prom_host_finish(struct prom_host *h);

/* Per-VM figures from a libvirt exporter (prometheus-libvirt-exporter,
 * Debian 12's 0.2.0: libvirt_domain_* series, labelled domain=NAME).  The
 * host's exporter series are selected by their own batch (the inventory's
 * libvirt_match); prom_query_vms asks for all its hosts' domains at once,
 * prom_batch_route routes each series to its host, prom_vms_add files it
 * under its domain.  The exporter has no per-VM NUMA placement and no
 * guest balloon statistics: those stay unknown. */
char *prom_query_vms(const struct prom_batch *b);

struct prom_vm {
	char    *name;            /* the domain label */
	int      state;           /* libvirt_domain_state_code (virDomainState), -1 unknown */
	unsigned vcpus;           /* 0 unknown */
	uint64_t mem_bytes;       /* memory_usage_bytes: the balloon's current size */
	uint64_t max_mem_bytes;
	double   cpu_seconds;     /* -1 unknown */
	uint64_t rd_bytes, wr_bytes, rx_bytes, tx_bytes;   /* summed over devices */
	double   cpu_util;        /* percent of one host CPU, after prom_vm_rates */
	double   rd_bps, wr_bps, rx_bps, tx_bps;           /* bytes/s (block), bits/s (net) */
	double   seen_t;          /* the poll that first saw these counters */
};

struct prom_vms {
	struct prom_vm *v;        /* sorted by name after prom_vms_finish */
	size_t n;
	double t;                 /* when polled, monotonic seconds */
};

void prom_vms_init(struct prom_vms *vs, double t);
void prom_vms_free(struct prom_vms *vs);
/* Files one libvirt exporter series under its domain; others are ignored. */
void prom_vms_add(struct prom_vms *vs, const struct prom_sample *s);
void prom_vms_finish(struct prom_vms *vs);
/* The domain called name, NULL when the exporter did not report it. */
const struct prom_vm *prom_vms_find(const struct prom_vms *vs, const char *name);
/* Fills cur's rates from prev (the same domain one poll earlier).  A
 * poll between two scrapes sees the same counters: it keeps prev's rates
 * and the time they were first seen, so the next change is divided by
 * the time between the polls that saw the two scrapes.  A counter that
 * went back (a restarted domain) gives no rate, not a negative one. */
void prom_vm_rates(const struct prom_vm *prev, struct prom_vm *cur);

#endif

/* cluster.c — applying worker snapshots to the model, and lookups.
 * Which sources answered, and the state that follows: host_state.c. */
#include "model/cluster.h"
#include "model/dom_prom.h"
#include "core/xalloc.h"
#include "metrics/host_metrics.h"

#include <stdlib.h>
#include <string.h>

void cluster_init(struct cluster *c, struct inventory *inv)
{
	memset(c, 0, sizeof *c);
	c->inv = inv;
	c->nhosts = inv->nhosts;
	c->hosts = x_calloc(inv->nhosts, sizeof *c->hosts);
	for (size_t i = 0; i < inv->nhosts; i++) {
		c->hosts[i].cfg = &inv->hosts[i];
		c->hosts[i].state = HOST_CONNECTING;
	}
	c->connect_timeout_s = 10;
	eventlog_init(&c->events, 2000);
}

static void metrics_destroy(struct host_metrics **m)
{
	if (*m) {
		host_metrics_free(*m);
		x_free(m);
	}
}

static void free_domains(struct domain *doms, size_t n)
{
	for (size_t i = 0; i < n; i++)
		domain_free(&doms[i]);
	free(doms);
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void cluster_free(struct cluster *c)
{
	for (size_t i = 0; i < c->nhosts; i++) {
		struct host *h = &c->hosts[i];
		free_domains(h->doms, h->ndoms);
		free(h->libvirt_error);
		free(h->shell_error);
		metrics_destroy(&h->metrics);
		gpu_inv_free(&h->gpus);
		lun_list_free(&h->san_luns);
		free_strings(h->pool_dirs, h->npool_dirs);
		pool_infos_free(h->pools, h->npools);
		net_list_free(&h->nets);
		free(h->alerts);
		dom_prom_free(&h->vms);
	}
	free(c->hosts);
	jobs_free(&c->jobs);
	eventlog_free(&c->events);
	unfinished_list_free(&c->unfinished);
	plan_board_free(&c->plan);
	memset(c, 0, sizeof *c);
}

struct host *cluster_host(struct cluster *c, const char *name)
{
	for (size_t i = 0; i < c->nhosts; i++)
		if (!strcmp(c->hosts[i].cfg->name, name))
			return &c->hosts[i];
	return NULL;
}

struct host *cluster_host_by_index(struct cluster *c, size_t i)
{
	return i < c->nhosts ? &c->hosts[i] : NULL;
}

struct domain *host_find_domain_uuid(struct host *h, const char *uuid)
{
	for (size_t i = 0; i < h->ndoms; i++)
		if (!strcmp(h->doms[i].info.uuid, uuid))
			return &h->doms[i];
	return NULL;
}

struct domain *host_find_domain_name(struct host *h, const char *name)
{
	for (size_t i = 0; i < h->ndoms; i++)
		if (!strcmp(h->doms[i].info.name, name))
			return &h->doms[i];
	return NULL;
}

struct domain *cluster_find_domain(struct cluster *c, const char *name, struct host **host_out)
{
	for (size_t i = 0; i < c->nhosts; i++) {
		struct domain *d = host_find_domain_name(&c->hosts[i], name);
		if (d) {
			if (host_out)
				*host_out = &c->hosts[i];
			return d;
		}
	}
	return NULL;
}

/* Rates from two samples of one domain's counters. */
static void domain_rates(const struct dom_stats *a, struct dom_stats *b)
{
	double dt = b->t - a->t;
	if (!a->valid || !b->valid || dt <= 0)
		return;
	if (b->cpu_time_ns >= a->cpu_time_ns)
		b->cpu_util = (double)(b->cpu_time_ns - a->cpu_time_ns) / 1e9 / dt * 100.0;
	b->rd_bps = b->rd_bytes >= a->rd_bytes ? (double)(b->rd_bytes - a->rd_bytes) / dt : 0;
	b->wr_bps = b->wr_bytes >= a->wr_bytes ? (double)(b->wr_bytes - a->wr_bytes) / dt : 0;
	b->rx_bps = b->rx_bytes >= a->rx_bytes ? (double)(b->rx_bytes - a->rx_bytes) * 8 / dt : 0;
	b->tx_bps = b->tx_bytes >= a->tx_bytes ? (double)(b->tx_bytes - a->tx_bytes) * 8 / dt : 0;
}

/* The per-VM NUMA placement comes with the shell side; keep it across
 * libvirt-only updates. */
static void keep_numa(const struct dom_stats *old, struct dom_stats *now)
{
	if (!now->numa_nodes && old->numa_nodes) {
		now->numa_nodes = old->numa_nodes;
		memcpy(now->numa_mem, old->numa_mem, sizeof now->numa_mem);
	}
}

/* Keeps rates meaningful: a domain's previous counters feed the new sample. */
static void carry_domain_rates(const struct host *h, struct domain *nd, int keep_placement)
{
	for (size_t i = 0; i < h->ndoms; i++)
		if (!strcmp(h->doms[i].info.uuid, nd->info.uuid)) {
			domain_rates(&h->doms[i].stats, &nd->stats);
			if (keep_placement)
				keep_numa(&h->doms[i].stats, &nd->stats);
			dom_prom_keep(&h->doms[i].stats, &nd->stats);
			return;
		}
}

static int same_alert(const struct host_alert *a, const struct host_alert *b)
{
	return !strcmp(a->kind, b->kind) && !strcmp(a->message, b->message);
}

static int alert_in(const struct host_alert *a, const struct host_alert *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (same_alert(a, &set[i]))
			return 1;
	return 0;
}

/* Recomputes the host's alerts and logs each one raised or cleared. */
static void update_alerts(struct cluster *c, struct host *h)
{
	struct host_alert *now = NULL;
	size_t n = host_metrics_alerts(h->metrics, &now);
	for (size_t i = 0; i < n; i++)
		if (!alert_in(&now[i], h->alerts, h->nalerts))
			eventlog_add(&c->events, EV_ALERT, h->cfg->name, "%s", now[i].message);
	for (size_t i = 0; i < h->nalerts; i++)
		if (!alert_in(&h->alerts[i], now, n))
			eventlog_add(&c->events, EV_INFO, h->cfg->name, "cleared: %s", h->alerts[i].message);
	free(h->alerts);
	h->alerts = now;
	h->nalerts = n;
}

/* One domain re-read after an operation: replace it in place, keeping its
 * statistics; the host's poll bookkeeping is untouched (this was no poll). */
static void apply_domain_update(struct cluster *c, struct host *h, struct host_snapshot *s)
{
	struct domain *nd = &s->doms[0];
	struct domain *od = host_find_domain_uuid(h, nd->info.uuid);
	if (od) {
		nd->stats = od->stats;
		domain_free(od);
		*od = *nd;
	} else {
		h->doms = x_realloc(h->doms, (h->ndoms + 1) * sizeof *h->doms);
		h->doms[h->ndoms++] = *nd;
	}
	free(s->doms);
	s->doms = NULL;
	s->ndoms = 0;
	h->generation++;
	c->generation++;
}

int host_domains_settled(const struct host *h)
{
	return h->libvirt_polls > 0 || h->libvirt_error || h->state == HOST_DOWN;
}

void host_apply_snapshot(struct cluster *c, struct host *h, struct host_snapshot *s, double wall)
{
	if (s->dom_update && s->ndoms == 1) {
		apply_domain_update(c, h, s);
		return;
	}
	host_note_answers(h, s, wall);
	host_update_state(c, h);
	if (s->libvirt_ok) {
		memcpy(h->libvirt_version, s->libvirt_version, sizeof h->libvirt_version);
		memcpy(h->hypervisor, s->hypervisor, sizeof h->hypervisor);
		memcpy(h->hostname, s->hostname, sizeof h->hostname);
		memcpy(h->cpu_model, s->cpu_model, sizeof h->cpu_model);
		h->cpus = s->cpus;
		h->cpu_mhz = s->cpu_mhz;
		h->numa_cells = s->numa_cells;
		h->memory = s->memory;
		if (s->doms_same && s->ndoms == h->ndoms) {
			for (size_t i = 0; i < s->ndoms; i++) {
				domain_rates(&h->doms[i].stats, &s->stats[i]);
				if (s->shell_skipped)
					keep_numa(&h->doms[i].stats, &s->stats[i]);
				dom_prom_keep(&h->doms[i].stats, &s->stats[i]);
				h->doms[i].stats = s->stats[i];
			}
		} else {
			for (size_t i = 0; i < s->ndoms && s->doms; i++)
				carry_domain_rates(h, &s->doms[i], s->shell_skipped);
			free_domains(h->doms, h->ndoms);
			h->doms = s->doms;
			h->ndoms = s->ndoms;
			s->doms = NULL;
			s->ndoms = 0;
		}
		gpu_inv_free(&h->gpus);
		h->gpus = s->gpus;
		memset(&s->gpus, 0, sizeof s->gpus);
		lun_list_free(&h->san_luns);
		h->san_luns = s->san_luns;
		memset(&s->san_luns, 0, sizeof s->san_luns);
		free_strings(h->pool_dirs, h->npool_dirs);
		h->pool_dirs = s->pool_dirs;
		h->npool_dirs = s->npool_dirs;
		s->pool_dirs = NULL;
		s->npool_dirs = 0;
		if (s->pools_read) {
			pool_infos_free(h->pools, h->npools);
			h->pools = s->pools;
			h->npools = s->npools;
			s->pools = NULL;
			s->npools = 0;
		}
		if (s->nets_read) {
			net_list_free(&h->nets);
			h->nets = s->nets;
			memset(&s->nets, 0, sizeof s->nets);
			h->nets_known = 1;
		}
	}
	if (s->vms)
		dom_prom_apply(h, &s->vms);
	if (s->metrics) {
		host_metrics_rates(h->metrics, s->metrics);
		metrics_destroy(&h->metrics);
		h->metrics = s->metrics;
		s->metrics = NULL;
		h->rtt_ms = s->rtt_ms;
		update_alerts(c, h);
	}
	h->last_poll_wall = wall;
	h->last_poll_mono = s->t;
	h->polls++;
	h->generation++;
	c->generation++;
}

void host_snapshot_free(struct host_snapshot *s)
{
	free(s->libvirt_error);
	free(s->shell_error);
	free_domains(s->doms, s->doms ? s->ndoms : 0);
	free(s->stats);
	metrics_destroy(&s->metrics);
	gpu_inv_free(&s->gpus);
	lun_list_free(&s->san_luns);
	free_strings(s->pool_dirs, s->npool_dirs);
	pool_infos_free(s->pools, s->npools);
	net_list_free(&s->nets);
	dom_prom_free(&s->vms);
	memset(s, 0, sizeof *s);
}

const char *host_state_name(enum host_state s)
{
	switch (s) {
	case HOST_CONNECTING: return "connecting";
	case HOST_UP: return "up";
	case HOST_DEGRADED: return "degraded";
	case HOST_DOWN: return "down";
	}
	return "?";
}

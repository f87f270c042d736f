/* tui_model.c — the figures the views show, derived from the model: host
 * CPU, memory, NUMA balance, traffic and alerts (from the shell collector's
 * host metrics when present, else what libvirt's domain stats give), VM
 * NUMA placement, and the per-host history rings behind the sparklines. */
#include "tui/tui_priv.h"
#include "core/xalloc.h"
#include "metrics/host_metrics.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double host_cpu_pct(const struct host *h)
{
	const struct host_metrics *m = h->metrics;
	if (m && m->has_cpu && m->cpu_total.util >= 0)
		return m->cpu_total.util;
	if (!h->cpus)
		return -1;
	double sum = 0;
	int any = 0;
	for (size_t i = 0; i < h->ndoms; i++)
		if (h->doms[i].stats.valid && h->doms[i].stats.cpu_util >= 0) {
			sum += h->doms[i].stats.cpu_util;
			any = 1;
		}
	return any ? sum / h->cpus : -1;
}

int host_mem(const struct host *h, uint64_t *used, uint64_t *total)
{
	const struct host_metrics *m = h->metrics;
	if (m && m->has_mem && m->mem.total) {
		*total = m->mem.total;
		*used = m->mem.total - (m->mem.available < m->mem.total ? m->mem.available : m->mem.total);
		return 0;
	}
	if (!h->memory)
		return -1;
	/* libvirt only: what running guests were given. */
	uint64_t u = 0;
	for (size_t i = 0; i < h->ndoms; i++)
		if (h->doms[i].state == DOM_RUNNING || h->doms[i].state == DOM_PAUSED)
			u += h->doms[i].stats.valid && h->doms[i].stats.balloon_current ?
				h->doms[i].stats.balloon_current : h->doms[i].info.memory;
	*used = u;
	*total = h->memory;
	return 0;
}

double host_numa_spread(const struct host *h)
{
	const struct host_metrics *m = h->metrics;
	if (!m || m->numa.n < 2)
		return m ? 0 : -1;
	double lo = 101, hi = -1;
	for (size_t i = 0; i < m->numa.n; i++) {
		const struct numa_node *n = &m->numa.nodes[i];
		if (!n->has_meminfo || !n->mem.mem_total)
			continue;
		double f = 100.0 * (double)n->mem.mem_free / (double)n->mem.mem_total;
		if (f < lo)
			lo = f;
		if (f > hi)
			hi = f;
	}
	return hi < 0 ? -1 : hi - lo;
}

int host_net(const struct host *h, double *rx, double *tx)
{
	*rx = *tx = 0;
	int any = 0;
	const struct host_metrics *m = h->metrics;
	if (m && m->nnics) {
		for (size_t i = 0; i < m->nnics; i++) {
			const struct nic *n = &m->nics[i];
			if (!n->physical || n->rx_bps < 0)
				continue;
			*rx += n->rx_bps;
			*tx += n->tx_bps > 0 ? n->tx_bps : 0;
			any = 1;
		}
		return any ? 0 : -1;
	}
	for (size_t i = 0; i < h->ndoms; i++) {
		const struct dom_stats *s = &h->doms[i].stats;
		if (!s->valid || s->rx_bps < 0)
			continue;
		*rx += s->rx_bps;
		*tx += s->tx_bps > 0 ? s->tx_bps : 0;
		any = 1;
	}
	return any ? 0 : -1;
}

size_t host_alert_count(const struct host *h, int *worst)
{
	*worst = -1;
	size_t n = 0;
	if (h->state == HOST_DOWN || h->state == HOST_DEGRADED) {
		n++;
		*worst = h->state == HOST_DOWN ? ALERT_CRIT : ALERT_WARN;
	}
	if (h->metrics) {
		struct host_alert *a = NULL;
		size_t k = host_metrics_alerts(h->metrics, &a);
		for (size_t i = 0; i < k; i++)
			if ((int)a[i].severity > *worst)
				*worst = (int)a[i].severity;
		free(a);
		n += k;
	}
	return n;
}

/* Calls fn(a, b, ctx) for each range of a kernel list ("0-3,8,10-11");
 * stops at the first malformed piece.  (parse_cpulist allocates and scans
 * its whole CPU range per call: too slow for 3000 VMs x their pins.) */
static void each_range(const char *s, void (*fn)(long a, long b, void *ctx), void *ctx)
{
	while (*s) {
		char *end;
		long a = strtol(s, &end, 10), b = a;
		if (end == s || a < 0)
			return;
		s = end;
		if (*s == '-') {
			b = strtol(s + 1, &end, 10);
			if (end == s + 1 || b < a)
				return;
			s = end;
		}
		fn(a, b, ctx);
		if (*s == ',')
			s++;
		else if (*s)
			return;
	}
}

static void range_to_nodes(long a, long b, void *ctx)
{
	uint64_t *mask = ctx;
	for (long i = a; i <= b && i < 64; i++)
		*mask |= UINT64_C(1) << i;
}

struct cpu_ctx {
	const struct host_metrics *m;
	uint64_t mask;
};

static void range_to_cpu_nodes(long a, long b, void *ctx)
{
	struct cpu_ctx *cc = ctx;
	for (size_t i = 0; i < cc->m->numa.n; i++) {
		const struct numa_node *n = &cc->m->numa.nodes[i];
		if (n->id < 0 || n->id >= 64 || (cc->mask >> n->id & 1))
			continue;
		for (size_t k = 0; k < n->ncpus; k++)
			if (n->cpus[k] >= a && n->cpus[k] <= b) {
				cc->mask |= UINT64_C(1) << n->id;
				break;
			}
	}
}

uint64_t dom_numa_mask(const struct host *h, const struct domain *d)
{
	uint64_t mask = 0;
	if (d->info.numatune_nodeset[0])
		each_range(d->info.numatune_nodeset, range_to_nodes, &mask);
	if (h->metrics && d->info.npins) {
		struct cpu_ctx cc = { h->metrics, 0 };
		for (size_t p = 0; p < d->info.npins; p++)
			each_range(d->info.pins[p].cpuset, range_to_cpu_nodes, &cc);
		mask |= cc.mask;
	}
	if (!mask && d->stats.valid)
		for (unsigned i = 0; i < d->stats.numa_nodes && i < DOM_MAX_NUMA; i++)
			if (d->stats.numa_mem[i])
				mask |= UINT64_C(1) << i;
	return mask;
}

void numa_mask_text(uint64_t mask, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!mask) {
		snprintf(buf, len, "-");
		return;
	}
	size_t l = 0;
	for (int i = 0; i < 64 && l + 4 < len; i++)
		if (mask & (UINT64_C(1) << i))
			l += (size_t)snprintf(buf + l, len - l, "%s%d", l ? "," : "", i);
}

int state_elem(enum host_state s)
{
	switch (s) {
	case HOST_UP: return EL_UP;
	case HOST_DEGRADED: return EL_WARN;
	case HOST_DOWN: return EL_DOWN;
	default: return EL_DIM;
	}
}

static void push(float *ring, size_t *n, float v, int advance)
{
	if (advance && *n == HIST_LEN)
		memmove(ring, ring + 1, (HIST_LEN - 1) * sizeof *ring);
	ring[*n < HIST_LEN ? *n : HIST_LEN - 1] = v;
}

/* Appends one sample per host for every poll applied since the last call. */
void hist_update(struct tui *t)
{
	if (!t->hist)
		t->hist = x_calloc(t->c->nhosts ? t->c->nhosts : 1, sizeof *t->hist);
	for (size_t i = 0; i < t->c->nhosts; i++) {
		struct host *h = &t->c->hosts[i];
		struct host_hist *hh = &t->hist[i];
		if (h->polls == hh->polls)
			continue;
		hh->polls = h->polls;
		double rx, tx;
		double cpu = host_cpu_pct(h);
		float net = host_net(h, &rx, &tx) == 0 ? (float)(rx + tx) : -1;
		size_t n = hh->n;
		push(hh->cpu, &n, (float)cpu, 1);
		push(hh->net, &n, net, 1);
		if (hh->n < HIST_LEN)
			hh->n++;
	}
}

const char *age_text(double s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "never");
	else if (s < 100)
		snprintf(buf, len, "%.0fs", s);
	else if (s < 6000)
		snprintf(buf, len, "%.0fm", s / 60);
	else
		snprintf(buf, len, "%.0fh", s / 3600);
	return buf;
}

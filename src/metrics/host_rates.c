/* host_rates.c — rates and utilisations from two host_metrics samples.
 *
 * Counter rules: an increase is the delta; a decrease is a wrap only when
 * the previous value fitted in 32 bits (old drivers' counters) or sat in
 * the top 2^48 of the 64-bit range, otherwise a reset (driver reload, NIC
 * replaced) and the rate is 0 — for every counter of that NIC when one of
 * them was reset.  A NIC is matched by name and, when both
 * samples know it, ifindex: a renamed, new or re-created NIC gets no rate. */
#include "metrics/host_metrics.h"

#include <string.h>

/* 0 and *d on a usable delta, -1 on a reset. */
static int counter_delta(uint64_t prev, uint64_t cur, uint64_t *d)
{
	if (cur >= prev) {
		*d = cur - prev;
		return 0;
	}
	if (prev <= UINT32_MAX && cur <= UINT32_MAX) {
		*d = (UINT64_C(1) << 32) - prev + cur;
		return 0;
	}
	if (prev >= UINT64_MAX - (UINT64_C(1) << 48)) {
		*d = (UINT64_MAX - prev) + cur + 1;
		return 0;
	}
	return -1;
}

static double rate(uint64_t prev, uint64_t cur, double dt, double scale)
{
	uint64_t d;
	if (counter_delta(prev, cur, &d) < 0)
		return 0;
	return (double)d * scale / dt;
}

static void nic_rates(const struct nic *p, struct nic *c, double dt)
{
	c->rx_bps = c->tx_bps = c->rx_pps = c->tx_pps = -1;
	if (!p || !p->has_counters || !c->has_counters)
		return;
	if (p->ifindex >= 0 && c->ifindex >= 0 && p->ifindex != c->ifindex)
		return;
	uint64_t d[4];
	/* one counter that was reset means they all were: no rate from any */
	if (counter_delta(p->rx_bytes, c->rx_bytes, &d[0]) < 0 ||
	    counter_delta(p->tx_bytes, c->tx_bytes, &d[1]) < 0 ||
	    counter_delta(p->rx_packets, c->rx_packets, &d[2]) < 0 ||
	    counter_delta(p->tx_packets, c->tx_packets, &d[3]) < 0) {
		c->rx_bps = c->tx_bps = c->rx_pps = c->tx_pps = 0;
		return;
	}
	c->rx_bps = (double)d[0] * 8 / dt;
	c->tx_bps = (double)d[1] * 8 / dt;
	c->rx_pps = (double)d[2] / dt;
	c->tx_pps = (double)d[3] / dt;
}

/* Busy percent of one CPU between samples; -1 when unusable.  Adds the
 * deltas to *busy / *all for per-node sums. */
static double cpu_util(const struct cpu_jiffies *p, const struct cpu_jiffies *c,
		       uint64_t *busy, uint64_t *all)
{
	uint64_t tp = cpu_jiffies_total(p), tc = cpu_jiffies_total(c);
	uint64_t ip = cpu_jiffies_idle(p), ic = cpu_jiffies_idle(c);
	if (tc <= tp || ic < ip)
		return -1;
	uint64_t dt = tc - tp, di = ic - ip;
	if (di > dt)
		di = dt;
	if (busy) {
		*busy += dt - di;
		*all += dt;
	}
	return 100.0 * (double)(dt - di) / (double)dt;
}

static const struct cpu_jiffies *find_cpu(const struct host_metrics *m, int cpu)
{
	size_t lo = 0, hi = m->ncpus;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->cpus[mid].cpu == cpu)
			return &m->cpus[mid];
		if (m->cpus[mid].cpu < cpu)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void host_metrics_rates(const struct host_metrics *prev, struct host_metrics *cur)
{
	double dt = prev ? cur->t - prev->t : 0;
	int ok = prev && dt > 0;

	for (size_t i = 0; i < cur->nnics; i++)
		nic_rates(ok ? host_metrics_nic(prev, cur->nics[i].name) : NULL, &cur->nics[i], dt);
	host_net_rates(ok ? prev : NULL, cur, dt);

	cur->swap_in_rate = cur->swap_out_rate = -1;
	if (ok && prev->has_vmstat && cur->has_vmstat) {
		double ps = (double)cur->page_size;
		cur->swap_in_rate = rate(prev->vm.pswpin, cur->vm.pswpin, dt, ps);
		cur->swap_out_rate = rate(prev->vm.pswpout, cur->vm.pswpout, dt, ps);
	}

	cur->cpu_total.util = -1;
	for (size_t i = 0; i < cur->ncpus; i++)
		cur->cpus[i].util = -1;
	for (size_t i = 0; i < cur->numa.n; i++)
		cur->numa.nodes[i].cpu_util = -1;
	if (!ok || !prev->has_cpu || !cur->has_cpu)
		return;
	cur->cpu_total.util = cpu_util(&prev->cpu_total, &cur->cpu_total, NULL, NULL);
	for (size_t i = 0; i < cur->ncpus; i++) {
		const struct cpu_jiffies *p = find_cpu(prev, cur->cpus[i].cpu);
		if (p)
			cur->cpus[i].util = cpu_util(p, &cur->cpus[i], NULL, NULL);
	}
	for (size_t i = 0; i < cur->numa.n; i++) {
		struct numa_node *nd = &cur->numa.nodes[i];
		uint64_t busy = 0, all = 0;
		for (size_t k = 0; k < nd->ncpus; k++) {
			const struct cpu_jiffies *p = find_cpu(prev, nd->cpus[k]);
			const struct cpu_jiffies *c = find_cpu(cur, nd->cpus[k]);
			if (p && c)
				cpu_util(p, c, &busy, &all);
		}
		if (all)
			nd->cpu_util = 100.0 * (double)busy / (double)all;
	}
}

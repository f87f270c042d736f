/* fuzz_bundle.c — libFuzzer target: the whole host_metrics pipeline (bundle
 * split, every parser, rates, alerts) on arbitrary bytes.
 *
 * Invariants: parsing is deterministic; NICs, bonds, NUMA nodes, hugepage
 * sizes stay under their caps and under what the input can hold; every
 * array documented as sorted is sorted, and the look-ups find each entry;
 * rates between two samples of the same bytes are 0 (or -1 unknown);
 * rates against a sample whose counters moved are finite and >= 0,
 * utilisations within 0..100; the time per input byte is bounded. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "fuzz_check.h"
#include "metrics/bundle.h"
#include "metrics/cpulist.h"
#include "metrics/host_metrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* -1 (unknown) or a finite value in [lo, hi]. */
static int unknown_or_in(double v, double lo, double hi)
{
	return v == -1 || (isfinite(v) && v >= lo && v <= hi);
}

static void check_shape(const struct host_metrics *m, size_t size)
{
	/* the shortest record naming a NIC: "\036C ethtool -c X" */
	FUZZ_ASSERT(m->nnics <= HOST_MAX_NICS && m->nnics <= size / 15);
	FUZZ_ASSERT(m->nbonds <= HOST_MAX_NICS);
	for (size_t i = 0; i < m->nnics; i++) {
		FUZZ_ASSERT(FUZZ_TERMINATED(m->nics[i].name) && FUZZ_TERMINATED(m->nics[i].operstate));
		FUZZ_ASSERT(i == 0 || strcmp(m->nics[i - 1].name, m->nics[i].name) < 0);
		FUZZ_ASSERT(host_metrics_nic(m, m->nics[i].name) == &m->nics[i]);
	}
	for (size_t i = 0; i < m->nbonds; i++) {
		FUZZ_ASSERT(i == 0 || strcmp(m->bonds[i - 1].name, m->bonds[i].name) < 0);
		FUZZ_ASSERT(host_metrics_bond(m, m->bonds[i].name) == &m->bonds[i]);
		FUZZ_ASSERT(bond_ports_up(&m->bonds[i]) <= m->bonds[i].nports);
	}
	for (size_t i = 1; i < m->novs_ifaces; i++)
		FUZZ_ASSERT(strcmp(m->ovs_ifaces[i - 1].iface, m->ovs_ifaces[i].iface) <= 0);
	for (size_t i = 0; i < m->novs_ifaces; i++)
		FUZZ_ASSERT(host_metrics_ovs_iface(m, m->ovs_ifaces[i].iface) != NULL);
	/* at least the implicit node */
	FUZZ_ASSERT(m->numa.n >= 1 && m->numa.n <= NUMA_MAX_NODES);
	for (size_t i = 0; i < m->numa.n; i++) {
		const struct numa_node *nd = &m->numa.nodes[i];
		FUZZ_ASSERT(i == 0 || m->numa.nodes[i - 1].id < nd->id);
		FUZZ_ASSERT(nd->ncpus <= CPULIST_MAX_CPU + 1);
		for (size_t k = 0; k < nd->ncpus; k++)
			FUZZ_ASSERT(nd->cpus[k] >= 0 && nd->cpus[k] <= CPULIST_MAX_CPU &&
				    (k == 0 || nd->cpus[k - 1] < nd->cpus[k]));
		FUZZ_ASSERT(nd->nhugepages <= HUGEPAGE_MAX_SIZES);
	}
	FUZZ_ASSERT(m->nhugepages <= HUGEPAGE_MAX_SIZES);
	for (size_t i = 1; i < m->ncpus; i++)
		FUZZ_ASSERT(m->cpus[i - 1].cpu < m->cpus[i].cpu);
	FUZZ_ASSERT(FUZZ_TERMINATED(m->kernel) && FUZZ_TERMINATED(m->first_error));
}

static void check_rates(const struct host_metrics *m, int same)
{
	double hi = same ? 0 : INFINITY;
	for (size_t i = 0; i < m->nnics; i++) {
		const struct nic *n = &m->nics[i];
		FUZZ_ASSERT(unknown_or_in(n->rx_bps, 0, hi) && unknown_or_in(n->tx_bps, 0, hi));
		FUZZ_ASSERT(unknown_or_in(n->rx_pps, 0, hi) && unknown_or_in(n->tx_pps, 0, hi));
	}
	FUZZ_ASSERT(unknown_or_in(m->swap_in_rate, 0, hi) && unknown_or_in(m->swap_out_rate, 0, hi));
	FUZZ_ASSERT(same ? m->cpu_total.util == -1 : unknown_or_in(m->cpu_total.util, 0, 100));
	for (size_t i = 0; i < m->ncpus; i++)
		FUZZ_ASSERT(same ? m->cpus[i].util == -1 : unknown_or_in(m->cpus[i].util, 0, 100));
	for (size_t i = 0; i < m->numa.n; i++)
		FUZZ_ASSERT(same ? m->numa.nodes[i].cpu_util == -1 : unknown_or_in(m->numa.nodes[i].cpu_util, 0, 100));
}

static void check_alerts(const struct host_metrics *m)
{
	struct host_alert *al = NULL;
	size_t n = host_metrics_alerts(m, &al), most = 2;
	for (size_t i = 0; i < m->nbonds; i++)
		most += 3 + 10 * m->bonds[i].nports;
	FUZZ_ASSERT(n <= most);
	for (size_t i = 0; i < n; i++)
		FUZZ_ASSERT(FUZZ_TERMINATED(al[i].kind) && FUZZ_TERMINATED(al[i].message) && al[i].kind[0]);
	x_free(&al);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct vd_err e;
	err_clear(&e);
	struct host_metrics a, b, c;
	double t0 = fuzz_clock_start();
	int rc = host_metrics_parse(buf, size, 1.0, &a, &e);
	fuzz_clock_check(t0, size, "host_metrics_parse");
	if (rc < 0) {
		FUZZ_ASSERT(e.msg[0]);
		return 0;
	}
	check_shape(&a, size);
	/* the same bytes a second later: every counter stood still */
	FUZZ_ASSERT(host_metrics_parse(buf, size, 2.0, &b, &e) == 0);
	FUZZ_ASSERT(b.nnics == a.nnics && b.nbonds == a.nbonds && b.numa.n == a.numa.n &&
		    b.ncpus == a.ncpus && b.nerrors == a.nerrors);
	t0 = fuzz_clock_start();
	host_metrics_rates(&a, &b);
	fuzz_clock_check(t0, size, "host_metrics_rates");
	check_rates(&b, 1);
	check_alerts(&b);
	/* every digit one higher 1 ms later: counters moved (or reset, or wrapped) */
	char *moved = x_malloc(size);
	for (size_t i = 0; i < size; i++)
		moved[i] = buf[i] >= '0' && buf[i] < '9' ? (char)(buf[i] + 1) : buf[i];
	if (host_metrics_parse(moved, size, 1.001, &c, &e) == 0) {
		check_shape(&c, size);
		host_metrics_rates(&a, &c);
		check_rates(&c, 0);
		check_alerts(&c);
		host_metrics_free(&c);
	}
	x_free(&moved);
	host_metrics_free(&b);
	host_metrics_free(&a);
	return 0;
}

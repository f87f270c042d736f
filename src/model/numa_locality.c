/* numa_locality.c — a VM's NUMA locality and a host's NUMA imbalance. */
#include "model/numa_locality.h"
#include "metrics/cpulist.h"
#include "metrics/host_metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

uint32_t numa_vcpu_nodes(const struct host *h, const struct dom_info *info)
{
	if (!h->metrics || !info->npins)
		return 0;
	const struct numa_topo *t = &h->metrics->numa;
	uint32_t mask = 0;
	for (size_t p = 0; p < info->npins; p++) {
		int *cpus = NULL;
		size_t n = 0;
		const char *set = info->pins[p].cpuset;
		if (parse_cpulist(set, strlen(set), &cpus, &n, NULL) < 0)
			continue;
		for (size_t k = 0; k < t->n; k++) {
			const struct numa_node *nd = &t->nodes[k];
			if (nd->id < 0 || nd->id >= DOM_MAX_NUMA)
				continue;
			for (size_t c = 0; c < n; c++)
				if (cpulist_has(nd->cpus, nd->ncpus, cpus[c])) {
					mask |= 1u << nd->id;
					break;
				}
		}
		free(cpus);
	}
	return mask;
}

double numa_locality_of(const uint64_t *bytes, unsigned nodes, uint32_t mask)
{
	uint64_t total = 0, local = 0, top = 0;
	for (unsigned n = 0; n < nodes && n < DOM_MAX_NUMA; n++) {
		total += bytes[n];
		if (mask & (1u << n))
			local += bytes[n];
		if (bytes[n] > top)
			top = bytes[n];
	}
	if (!total)
		return -1;
	return (double)(mask ? local : top) / (double)total;
}

double domain_numa_locality(const struct host *h, const struct domain *d)
{
	if (d->state != DOM_RUNNING && d->state != DOM_PAUSED && d->state != DOM_BLOCKED)
		return -1;
	return numa_locality_of(d->stats.numa_mem, d->stats.numa_nodes, numa_vcpu_nodes(h, &d->info));
}

double host_numa_locality(const struct host *h)
{
	double sum = 0;
	unsigned n = 0;
	for (size_t i = 0; i < h->ndoms; i++) {
		double l = domain_numa_locality(h, &h->doms[i]);
		if (l >= 0) {
			sum += l;
			n++;
		}
	}
	return n ? sum / n : -1;
}

double coeff_variation(const double *x, unsigned n)
{
	if (n < 2)
		return 0;
	double sum = 0, sq = 0;
	for (unsigned i = 0; i < n; i++)
		sum += x[i];
	double mean = sum / n;
	if (mean <= 0)
		return 0;
	for (unsigned i = 0; i < n; i++)
		sq += (x[i] - mean) * (x[i] - mean);
	return sqrt(sq / n) / mean;
}

double host_numa_imbalance(const struct host *h)
{
	if (!h->metrics)
		return -1;
	const struct numa_topo *t = &h->metrics->numa;
	double used[DOM_MAX_NUMA];
	unsigned n = 0;
	for (size_t k = 0; k < t->n && n < DOM_MAX_NUMA; k++) {
		const struct numa_node *nd = &t->nodes[k];
		if (!nd->ncpus || !nd->has_meminfo || !nd->mem.has_total || !nd->mem.mem_total)
			continue;
		uint64_t free = nd->mem.has_free ? nd->mem.mem_free : 0;
		used[n++] = (double)(nd->mem.mem_total - (free < nd->mem.mem_total ? free : nd->mem.mem_total)) /
			    (double)nd->mem.mem_total;
	}
	return coeff_variation(used, n);
}

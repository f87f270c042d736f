/* placement.c — choosing a migration target by free memory and NUMA fit.
 *
 * Free memory is MemAvailable from the host's metrics when the shell side
 * answered, else libvirt's total memory minus what running VMs were given.
 * A host whose largest free NUMA node holds the whole VM beats one that
 * would split it across nodes; among equals, the most free memory wins.
 * A host in maintenance is never chosen. */
#include "ops/placement.h"
#include "core/units.h"
#include "metrics/host_metrics.h"

#include <string.h>

uint64_t placement_vm_memory(const struct domain *d)
{
	return d->info.max_memory ? d->info.max_memory : d->info.memory;
}

uint64_t placement_host_free(const struct host *h)
{
	const struct host_metrics *m = h->metrics;
	if (m && m->has_mem)
		return m->mem.available;
	uint64_t used = 0;
	for (size_t i = 0; i < h->ndoms; i++)
		if (h->doms[i].state == DOM_RUNNING || h->doms[i].state == DOM_PAUSED || h->doms[i].state == DOM_BLOCKED)
			used += placement_vm_memory(&h->doms[i]);
	return h->memory > used ? h->memory - used : 0;
}

void placement_fit(const struct host *h, const struct domain *d, uint64_t reserved, struct placement_fit *out)
{
	memset(out, 0, sizeof *out);
	out->node = -1;
	const struct host_metrics *m = h->metrics;
	uint64_t free = placement_host_free(h);
	out->free = free > reserved ? free - reserved : 0;
	for (size_t n = 0; m && n < m->numa.n; n++) {
		const struct numa_node *nd = &m->numa.nodes[n];
		if (nd->has_meminfo && nd->mem.has_free && nd->mem.mem_free > out->node_free) {
			out->node_free = nd->mem.mem_free;
			out->node = nd->id;
		}
	}
	uint64_t need = placement_vm_memory(d);
	out->fits = out->free >= need;
	/* Reservations are counted against the largest node too (worst case). */
	out->numa_fit = out->node >= 0 && out->node_free > reserved && out->node_free - reserved >= need;
}

const struct host *placement_choose(const struct cluster *c, const struct host *src, const struct domain *d,
				    const uint64_t *reserved, struct strbuf *why, struct vd_err *err)
{
	const struct host *best = NULL;
	struct placement_fit bf = { 0 };
	char a[32], b[32];
	for (size_t i = 0; i < c->nhosts; i++) {
		const struct host *h = &c->hosts[i];
		if (h == src)
			continue;
		if (h->maintenance) {
			if (why)
				sb_appendf(why, "  %s: skipped, in maintenance\n", h->cfg->name);
			continue;
		}
		if (h->state != HOST_UP && h->state != HOST_DEGRADED) {
			if (why)
				sb_appendf(why, "  %s: skipped, %s\n", h->cfg->name, host_state_name(h->state));
			continue;
		}
		if (src && strcmp(h->hypervisor, src->hypervisor)) {
			if (why)
				sb_appendf(why, "  %s: skipped, hypervisor %s differs from %s\n", h->cfg->name,
					   h->hypervisor, src->hypervisor);
			continue;
		}
		struct placement_fit f;
		placement_fit(h, d, reserved ? reserved[i] : 0, &f);
		if (why) {
			sb_appendf(why, "  %s: %s free", h->cfg->name, size_format(f.free, a, sizeof a));
			if (f.node >= 0)
				sb_appendf(why, ", largest NUMA node %d has %s free%s", f.node,
					   size_format(f.node_free, b, sizeof b), f.numa_fit ? " (fits)" : "");
			sb_append(why, f.fits ? "\n" : ", too little memory\n");
		}
		if (!f.fits)
			continue;
		if (!best || f.numa_fit > bf.numa_fit || (f.numa_fit == bf.numa_fit && f.free > bf.free)) {
			best = h;
			bf = f;
		}
	}
	if (!best) {
		err_set(err, VD_EINVAL, "no host has %s free for %s", size_format(placement_vm_memory(d), a, sizeof a),
			d->info.name);
		return NULL;
	}
	if (why)
		sb_appendf(why, "chose %s: %s%s free\n", best->cfg->name, bf.numa_fit ? "the VM fits in one NUMA node, " : "",
			   size_format(bf.free, a, sizeof a));
	return best;
}

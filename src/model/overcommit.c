/* overcommit.c — memory overcommit per host and for the cluster (see
 * overcommit.h). */
#include "model/overcommit.h"
#include "model/cluster.h"
#include "metrics/host_metrics.h"

#include <string.h>

static void finish(struct overcommit *o)
{
	o->balloon_reclaimed = o->configured > o->ballooned ? o->configured - o->ballooned : 0;
	o->ratio = o->physical ? (double)o->configured / (double)o->physical : 0;
	uint64_t saved = o->ksm_saved + o->balloon_reclaimed;
	o->density_gain = o->configured > saved ? (double)o->configured / (double)(o->configured - saved) - 1 : 0;
}

void overcommit_host(const struct host *h, struct overcommit *out)
{
	memset(out, 0, sizeof *out);
	out->swap_in_rate = out->swap_out_rate = -1;
	out->hosts = 1;
	const struct host_metrics *m = h->metrics;
	out->physical = h->memory ? h->memory : m && m->has_mem ? m->mem.total : 0;
	for (size_t i = 0; i < h->ndoms; i++) {
		const struct domain *d = &h->doms[i];
		if (d->state != DOM_RUNNING && d->state != DOM_BLOCKED && d->state != DOM_PAUSED)
			continue;
		out->running++;
		out->configured += d->info.max_memory;
		out->ballooned += d->stats.valid && d->stats.balloon_current ? d->stats.balloon_current : d->info.memory;
	}
	if (m) {
		out->has_metrics = 1;
		out->ksm_saved = m->ksm.saved;
		if (m->has_mem && m->mem.swap_total >= m->mem.swap_free)
			out->swap_used = m->mem.swap_total - m->mem.swap_free;
		out->swap_in_rate = m->swap_in_rate;
		out->swap_out_rate = m->swap_out_rate;
	}
	finish(out);
}

void overcommit_cluster(const struct cluster *c, struct overcommit *out)
{
	memset(out, 0, sizeof *out);
	out->swap_in_rate = out->swap_out_rate = -1;
	for (size_t i = 0; i < c->nhosts; i++) {
		struct overcommit h;
		overcommit_host(&c->hosts[i], &h);
		out->hosts++;
		out->physical += h.physical;
		out->configured += h.configured;
		out->ballooned += h.ballooned;
		out->ksm_saved += h.ksm_saved;
		out->swap_used += h.swap_used;
		out->running += h.running;
		out->has_metrics |= h.has_metrics;
		if (h.swap_in_rate >= 0)
			out->swap_in_rate = (out->swap_in_rate < 0 ? 0 : out->swap_in_rate) + h.swap_in_rate;
		if (h.swap_out_rate >= 0)
			out->swap_out_rate = (out->swap_out_rate < 0 ? 0 : out->swap_out_rate) + h.swap_out_rate;
	}
	finish(out);
}

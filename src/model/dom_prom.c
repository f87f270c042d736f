/* dom_prom.c — a libvirt exporter's per-VM figures into the host's
 * domains, where libvirt's own statistics are not live (see dom_prom.h). */
#include "model/dom_prom.h"

#include <stdlib.h>

void dom_prom_free(struct prom_vms **vms)
{
	if (!*vms)
		return;
	prom_vms_free(*vms);
	free(*vms);
	*vms = NULL;
}

static void fill(struct dom_stats *s, const struct prom_vm *vm, double t)
{
	*s = (struct dom_stats){
		.valid = 1,
		.from_prometheus = 1,
		.cpu_time_ns = vm->cpu_seconds > 0 ? (uint64_t)(vm->cpu_seconds * 1e9) : 0,
		.cpu_util = vm->cpu_util,
		.balloon_current = vm->mem_bytes,
		.balloon_maximum = vm->max_mem_bytes,
		.rd_bytes = vm->rd_bytes, .wr_bytes = vm->wr_bytes,
		.rx_bytes = vm->rx_bytes, .tx_bytes = vm->tx_bytes,
		.rd_bps = vm->rd_bps, .wr_bps = vm->wr_bps, .rx_bps = vm->rx_bps, .tx_bps = vm->tx_bps,
		.vcpus_online = vm->vcpus,
		.t = t,
	};
}

void dom_prom_apply(struct host *h, struct prom_vms **pvms)
{
	struct prom_vms *vms = *pvms;
	*pvms = NULL;
	if (h->vms)
		for (size_t i = 0; i < vms->n; i++) {
			const struct prom_vm *prev = prom_vms_find(h->vms, vms->v[i].name);
			if (prev)
				prom_vm_rates(prev, &vms->v[i]);
		}
	for (size_t i = 0; i < h->ndoms; i++) {
		struct dom_stats *s = &h->doms[i].stats;
		const struct prom_vm *vm = prom_vms_find(vms, h->doms[i].info.name);
		if (vm && (!s->valid || s->from_prometheus))
			fill(s, vm, vms->t);
	}
	dom_prom_free(&h->vms);
	h->vms = vms;
}

void dom_prom_keep(const struct dom_stats *old, struct dom_stats *now)
{
	if (!now->valid && old->from_prometheus)
		*now = *old;
}

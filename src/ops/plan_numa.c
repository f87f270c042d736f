/* plan_numa.c — NUMA placement inside one host: each VM's vCPUs and memory
 * on one node where it fits.
 *
 * Largest VM first, each to the node with room that already holds most of
 * its memory (the fewest pages to move), ties to the node with most room.
 * Room is a node's total less what is not VM memory (its used memory less
 * the VMs' resident pages there), less the VMs placed so far.  A VM with a
 * strict numatune stays where it is unless told; one no node can hold is
 * left spanning.  A placed VM's locality after is 1: vCPUs pinned to the
 * node's CPUs and a strict numatune on it, which moves its pages there.
 * A host with one node (with CPUs; or, without its own NUMA files, one
 * cell as libvirt reports) has nothing to place: every VM is kept as it
 * is, and the reason says so. */
#include "ops/plan.h"
#include "core/xalloc.h"
#include "model/numa_locality.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *plan_numa_action_name(enum plan_numa_action a)
{
	switch (a) {
	case PN_PIN: return "pin";
	case PN_KEEP: return "keep";
	case PN_STRICT: return "strict";
	case PN_SPANS: return "spans";
	}
	return "?";
}

static int cmp_vm_mem(const void *a, const void *b, void *arg)
{
	const struct plan_vm *vms = arg;
	const struct plan_vm *x = &vms[*(const size_t *)a], *y = &vms[*(const size_t *)b];
	return x->mem < y->mem ? 1 : x->mem > y->mem ? -1 : strcmp(x->name, y->name);
}

static double used_cv(const struct plan_host *h, const uint64_t *used)
{
	double f[PLAN_MAX_NODES];
	unsigned n = 0;
	for (unsigned k = 0; k < h->nnodes; k++)
		if (h->nodes[k].ncpus && h->nodes[k].total)
			f[n++] = (double)used[k] / (double)h->nodes[k].total;
	return coeff_variation(f, n);
}

/* Charges v's resident pages where they are now. */
static void charge_resident(const struct plan_host *h, const struct plan_vm *v, uint64_t *placed)
{
	for (unsigned k = 0; k < h->nnodes; k++)
		if (h->nodes[k].id < (int)v->nnodes)
			placed[k] += v->node_mem[h->nodes[k].id];
}

int plan_numa(const struct plan_cluster *pc, size_t host, int override_strict, struct plan_numa_result *out,
	      struct vd_err *err)
{
	memset(out, 0, sizeof *out);
	if (host >= pc->nhosts)
		return err_set(err, VD_EINVAL, "no such host");
	const struct plan_host *h = &pc->hosts[host];
	/* without the host's own files, libvirt's cell count still tells a
	 * one-node host, which has nothing to place */
	if (!h->nnodes && h->cells != 1)
		return err_set(err, VD_EUNSUPPORTED, "%s: NUMA topology unknown (no host metrics yet)", h->cfg->name);
	uint64_t base[PLAN_MAX_NODES] = { 0 }, placed[PLAN_MAX_NODES] = { 0 }, before[PLAN_MAX_NODES];
	for (unsigned k = 0; k < h->nnodes; k++) {
		const struct plan_node *nd = &h->nodes[k];
		before[k] = nd->total > nd->free ? nd->total - nd->free : 0;
		base[k] = before[k];
	}
	size_t *ord = x_malloc((pc->nvms ? pc->nvms : 1) * sizeof *ord), n = 0;
	for (size_t i = 0; i < pc->nvms; i++) {
		const struct plan_vm *v = &pc->vms[i];
		if (v->host != host)
			continue;
		ord[n++] = i;
		for (unsigned k = 0; k < h->nnodes; k++) {
			uint64_t r = h->nodes[k].id < (int)v->nnodes ? v->node_mem[h->nodes[k].id] : 0;
			base[k] = base[k] > r ? base[k] - r : 0;
		}
	}
	qsort_r(ord, n, sizeof *ord, cmp_vm_mem, pc->vms);
	int homes = h->nnodes ? 0 : 1, home = h->nnodes ? -1 : 0;
	for (unsigned k = 0; k < h->nnodes; k++)
		if (h->nodes[k].ncpus) {
			homes++;
			home = h->nodes[k].id;
		}
	/* strict VMs that stay are where they are before anything is placed */
	for (size_t oi = 0; oi < n && !override_strict; oi++)
		if (pc->vms[ord[oi]].strict_nodes)
			charge_resident(h, &pc->vms[ord[oi]], placed);
	double sb = 0, sa = 0;
	unsigned nb = 0;
	for (size_t oi = 0; oi < n; oi++) {
		const struct plan_vm *v = &pc->vms[ord[oi]];
		x_grow(&out->pins, &out->pins_cap, out->npins + 1, sizeof *out->pins);
		struct plan_pin *p = &out->pins[out->npins++];
		memset(p, 0, sizeof *p);
		p->vm = ord[oi];
		p->node = -1;
		p->before = plan_vm_locality(v);
		p->after = p->before;
		if (homes < 2) {
			p->action = PN_KEEP;
			p->node = home;
			snprintf(p->reason, sizeof p->reason, "%s has one NUMA node: nothing to place", h->cfg->name);
		} else if (v->strict_nodes && !override_strict) {
			p->action = PN_STRICT;
			snprintf(p->reason, sizeof p->reason, "strict numatune kept");
		} else {
			int best = -1;
			for (unsigned k = 0; k < h->nnodes; k++) {
				const struct plan_node *nd = &h->nodes[k];
				if (!nd->ncpus || base[k] + placed[k] + v->mem > nd->total)
					continue;
				uint64_t here = nd->id < (int)v->nnodes ? v->node_mem[nd->id] : 0;
				uint64_t bhere = best < 0 ? 0 : h->nodes[best].id < (int)v->nnodes
						 ? v->node_mem[h->nodes[best].id] : 0;
				uint64_t room = nd->total - base[k] - placed[k];
				uint64_t broom = best < 0 ? 0 : h->nodes[best].total - base[best] - placed[best];
				if (best < 0 || here > bhere || (here == bhere && room > broom))
					best = (int)k;
			}
			if (best < 0) {
				p->action = PN_SPANS;
				snprintf(p->reason, sizeof p->reason, "fits in no single node");
				charge_resident(h, v, placed);
			} else {
				const struct plan_node *nd = &h->nodes[best];
				placed[best] += v->mem;
				p->node = nd->id;
				p->after = 1;
				p->action = v->vcpu_nodes == (1u << nd->id) && p->before >= 0.999 ? PN_KEEP : PN_PIN;
				snprintf(p->reason, sizeof p->reason, p->action == PN_KEEP ? "already inside node %d"
					 : "vCPUs and memory to node %d (CPUs %s)", nd->id, nd->cpus);
			}
		}
		if (p->before >= 0) {
			sb += p->before;
			sa += p->after;
			nb++;
		}
	}
	out->locality_before = nb ? sb / nb : -1;
	out->locality_after = nb ? sa / nb : -1;
	out->imbalance_before = used_cv(h, before);
	for (unsigned k = 0; k < h->nnodes; k++)
		placed[k] += base[k];
	out->imbalance_after = used_cv(h, placed);
	free(ord);
	return 0;
}

void plan_numa_result_free(struct plan_numa_result *r)
{
	free(r->pins);
	memset(r, 0, sizeof *r);
}

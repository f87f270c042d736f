/* plan_model.c — the planners' scratch copy of the cluster, built from the
 * live model.
 *
 * A host's used memory is its total minus what placement.c counts as free
 * (MemAvailable, else libvirt's total minus running VMs), so the balancer
 * and d:migrate's target choice see the same figures.  A VM's CPU is its
 * measured utilisation when the poll had one, else its vCPU count.  A VM
 * that cannot migrate live carries the reason: not running, an SR-IOV VF
 * (the rule d:migrate refuses by, model/sriov_use.h), a vGPU or other host
 * device (PCI, SCSI), a raw LUN the host maps, snapshots (libvirt does not
 * migrate their metadata). */
#include "ops/plan.h"
#include "ops/placement.h"
#include "core/xalloc.h"
#include "metrics/cpulist.h"
#include "metrics/host_metrics.h"
#include "model/numa_locality.h"
#include "model/sriov_use.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int running(const struct domain *d)
{
	return d->state == DOM_RUNNING || d->state == DOM_PAUSED || d->state == DOM_BLOCKED;
}

static const char *fixed_reason(const struct host *h, const struct domain *d)
{
	if (d->state != DOM_RUNNING)
		return d->state == DOM_PAUSED ? "paused" : "not running";
	/* the rule d:migrate refuses by (model/sriov_use.h): a VF NIC, or a
	 * PCI hostdev the host's sysfs lists as a VF */
	if (domain_vfs(h, d, NULL))
		return "holds an SR-IOV VF (passed through; a VF does not migrate)";
	for (size_t i = 0; i < d->info.nhostdevs; i++) {
		const char *t = d->info.hostdevs[i].type;
		if (!strcmp(t, "mdev"))
			return "holds a vGPU (mdev)";
		if (!strcmp(t, "scsi"))
			return "holds a SCSI host device";
		return "holds a PCI host device (passthrough)";
	}
	for (size_t i = 0; i < d->info.ndisks; i++) {
		const struct dom_disk *dk = &d->info.disks[i];
		if (!strcmp(dk->device, "lun") && strcmp(dk->type, "network"))
			return "maps a raw LUN of its host";
	}
	if (d->snapshots > 0)
		return "has snapshots (libvirt does not migrate their metadata)";
	return NULL;
}

/* Node ids of a numatune nodeset ("0", "0-1", "0,2") as a mask. */
static uint32_t nodeset_mask(const char *set)
{
	int *ids = NULL;
	size_t n = 0;
	uint32_t mask = 0;
	if (*set && parse_cpulist(set, strlen(set), &ids, &n, NULL) == 0)
		for (size_t i = 0; i < n; i++)
			if (ids[i] >= 0 && ids[i] < PLAN_MAX_NODES)
				mask |= 1u << ids[i];
	free(ids);
	return mask;
}

static void cpus_text(const struct numa_node *nd, char *out, size_t len)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < nd->ncpus && o < len; ) {
		size_t j = i;
		while (j + 1 < nd->ncpus && nd->cpus[j + 1] == nd->cpus[j] + 1)
			j++;
		int w = j > i ? snprintf(out + o, len - o, "%s%d-%d", o ? "," : "", nd->cpus[i], nd->cpus[j])
			      : snprintf(out + o, len - o, "%s%d", o ? "," : "", nd->cpus[i]);
		if (w < 0 || (size_t)w >= len - o) {
			out[o] = '\0';   /* a list too long to keep whole is not kept at all */
			return;
		}
		o += (size_t)w;
		i = j + 1;
	}
}

static void fill_host(const struct host *h, struct plan_host *ph)
{
	ph->cfg = h->cfg;
	snprintf(ph->hypervisor, sizeof ph->hypervisor, "%s", h->hypervisor);
	ph->up = h->state == HOST_UP || h->state == HOST_DEGRADED;
	ph->in_scope = 1;
	ph->maintenance = h->maintenance;
	const struct host_metrics *m = h->metrics;
	ph->mem_total = m && m->has_mem && m->mem.total ? m->mem.total : h->memory;
	uint64_t free = placement_host_free(h);
	ph->mem_used = ph->mem_total > free ? ph->mem_total - free : 0;
	ph->cpu_total = h->cpus ? h->cpus : 1;
	ph->cells = h->numa_cells;
	for (size_t k = 0; m && k < m->numa.n && ph->nnodes < PLAN_MAX_NODES; k++) {
		const struct numa_node *nd = &m->numa.nodes[k];
		if (nd->id < 0 || nd->id >= PLAN_MAX_NODES || !nd->has_meminfo)
			continue;
		struct plan_node *pn = &ph->nodes[ph->nnodes++];
		pn->id = nd->id;
		pn->ncpus = (unsigned)nd->ncpus;
		cpus_text(nd, pn->cpus, sizeof pn->cpus);
		pn->total = nd->mem.mem_total;
		pn->free = nd->mem.has_free ? nd->mem.mem_free : 0;
	}
}

void plan_cluster_from(const struct cluster *c, struct plan_cluster *pc)
{
	memset(pc, 0, sizeof *pc);
	pc->nhosts = c->nhosts;
	pc->hosts = x_calloc(c->nhosts ? c->nhosts : 1, sizeof *pc->hosts);
	size_t nvms = 0;
	for (size_t i = 0; i < c->nhosts; i++)
		nvms += c->hosts[i].ndoms;
	pc->vms = x_calloc(nvms ? nvms : 1, sizeof *pc->vms);
	for (size_t i = 0; i < c->nhosts; i++) {
		const struct host *h = &c->hosts[i];
		struct plan_host *ph = &pc->hosts[i];
		fill_host(h, ph);
		for (size_t k = 0; k < h->ndoms; k++) {
			const struct domain *d = &h->doms[k];
			if (!running(d))
				continue;   /* takes no memory; a cold migration is not this planner's */
			struct plan_vm *v = &pc->vms[pc->nvms++];
			v->name = d->info.name;
			v->host = i;
			v->mem = placement_vm_memory(d);
			v->vcpus = d->info.vcpus;
			v->cpu = d->stats.valid && d->stats.cpu_util > 0 ? d->stats.cpu_util / 100.0 : d->info.vcpus;
			ph->cpu_used += v->cpu;
			v->nnodes = d->stats.numa_nodes < PLAN_MAX_NODES ? d->stats.numa_nodes : PLAN_MAX_NODES;
			memcpy(v->node_mem, d->stats.numa_mem, v->nnodes * sizeof v->node_mem[0]);
			v->vcpu_nodes = numa_vcpu_nodes(h, &d->info);
			if (!strcmp(d->info.numatune_mode, "strict"))
				v->strict_nodes = nodeset_mask(d->info.numatune_nodeset);
			v->fixed = fixed_reason(h, d);
		}
	}
	pc->rules = c->inv ? c->inv->rules : NULL;
	pc->nrules = c->inv ? c->inv->nrules : 0;
}

void plan_cluster_free(struct plan_cluster *pc)
{
	free(pc->hosts);
	free(pc->vms);
	memset(pc, 0, sizeof *pc);
}

long plan_host_index(const struct plan_cluster *pc, const char *name)
{
	for (size_t i = 0; i < pc->nhosts; i++)
		if (!strcmp(pc->hosts[i].cfg->name, name))
			return (long)i;
	return -1;
}

double plan_vm_locality(const struct plan_vm *v)
{
	return numa_locality_of(v->node_mem, v->nnodes, v->vcpu_nodes);
}

int plan_assume_move(struct plan_cluster *pc, const char *vm, const char *to, int node, struct vd_err *err)
{
	long t = plan_host_index(pc, to);
	if (t < 0)
		return err_set(err, VD_ENOTFOUND, "no host named '%s' in the inventory", to);
	struct plan_vm *v = NULL;
	for (size_t i = 0; i < pc->nvms && !v; i++)
		if (!strcmp(pc->vms[i].name, vm))
			v = &pc->vms[i];
	if (!v)
		return err_set(err, VD_ENOTFOUND, "no running VM named '%s'", vm);
	v->fixed = "its migration is under way";
	if (v->host == (size_t)t)
		return 0;   /* the poll saw it arrive already */
	struct plan_host *hs = &pc->hosts[v->host], *ht = &pc->hosts[t];
	hs->mem_used = hs->mem_used > v->mem ? hs->mem_used - v->mem : 0;
	hs->cpu_used -= v->cpu;
	for (unsigned k = 0; k < hs->nnodes; k++)
		if (hs->nodes[k].id < (int)v->nnodes)
			hs->nodes[k].free += v->node_mem[hs->nodes[k].id];
	ht->mem_used += v->mem;
	ht->cpu_used += v->cpu;
	memset(v->node_mem, 0, sizeof v->node_mem);
	v->nnodes = 0;
	for (unsigned k = 0; k < ht->nnodes; k++)
		if (ht->nodes[k].id == node) {
			ht->nodes[k].free = ht->nodes[k].free > v->mem ? ht->nodes[k].free - v->mem : 0;
			v->node_mem[node] = v->mem;
			v->nnodes = (unsigned)node + 1;
		}
	v->host = (size_t)t;
	return 0;
}

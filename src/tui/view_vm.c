/* view_vm.c — one VM: state and sizes, disks (capacity against
 * allocation), NICs, snapshots, vCPU pins, numatune and host devices. */
#include "tui/tui_priv.h"
#include "model/backing.h"
#include "core/units.h"
#include "model/sriov_use.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

struct vm_view {
	char host[64], name[128];
	int  scroll, height;   /* page lines: first shown, all */
};

void vm_view_open(struct tui *t, const char *host, const char *name)
{
	struct vm_view *v = view_state(t, V_VM);
	snprintf(v->host, sizeof v->host, "%s", host);
	snprintf(v->name, sizeof v->name, "%s", name);
	v->scroll = 0;
	tui_switch(t, V_VM, 1);
}

static void out(int *y, int y0, int h, int scroll, int x, int attr, const char *text)
{
	int r = y0 + *y - scroll;
	if (r >= y0 && r < y0 + h)
		put_text(r, x, COLS - x, text, attr, 0);
	(*y)++;
}

/* A disk's backing chain as a small tree under it: each layer's file,
 * format and size, and how many other disks stand on it. */
static void chain_tree(const struct domain *d, const struct dom_disk *k, const struct backing_index *ix, int *y,
		       int y0, int h, int s)
{
	char text[512], b1[32];
	size_t depth = k->nchain ? k->nchain : k->backing ? 1 : 0;
	for (size_t l = 0; ix && l < depth; l++) {
		const char *path = k->nchain ? k->chain[l].path : k->backing;
		const struct backing_file *f = backing_index_find(ix, path);
		const char *fmt = k->nchain && k->chain[l].format[0] ? k->chain[l].format : f ? f->format : "";
		uint64_t cap = k->nchain && k->chain[l].capacity ? k->chain[l].capacity : f ? f->capacity : 0;
		size_t others = 0;
		for (size_t u = 0; f && u < f->nusers; u++)
			others += f->users[u].domain && strcmp(f->users[u].uuid, d->info.uuid) != 0;
		char more[64] = "";
		if (others)
			snprintf(more, sizeof more, "  (%zu other disk%s on it)", others, others == 1 ? "" : "s");
		snprintf(text, sizeof text, "%*s%s %s  %s %s%s%s", (int)(2 * l), "", l + 1 < depth ? "\u251c\u2500" : "\u2514\u2500",
			 path ? path : "?", fmt[0] ? fmt : "-", cap ? size_format(cap, b1, sizeof b1) : "",
			 f && f->missing ? "  MISSING" : "", more);
		out(y, y0, h, s, 15, theme_attr(f && f->missing ? EL_CRIT : EL_NORMAL), text);
	}
}

/* Where the NIC lands on the host: the tap (or macvtap), or the VF and its
 * PF when the host's SR-IOV inventory knows it. */
static void vm_nic_host_device(const struct host *host, const struct dom_nic *n, char *buf, size_t len)
{
	if (n->mode == NIC_MODE_HOSTDEV) {
		const char *pf = host_vf_pf(host, n->vf_address);
		snprintf(buf, len, "VF %s%s%s", n->vf_address[0] ? n->vf_address : "?", pf ? " of " : "", pf ? pf : "");
		return;
	}
	snprintf(buf, len, "%s", n->target[0] ? n->target : "-");
}

/* One line of warning about the VM's NIC modes, 0 when none. */
static int vm_nic_warning(const struct domain *d, char *buf, size_t len)
{
	for (size_t i = 0; i < d->info.nnics; i++)
		if (d->info.nics[i].mode == NIC_MODE_VHOSTUSER && !d->info.shared_memory) {
			snprintf(buf, len, "warning: vhost-user NIC %s needs shared (hugepage) memory: "
				 "<memoryBacking><access mode='shared'/>", d->info.nics[i].mac);
			return 1;
		}
	return 0;
}

static void draw(struct tui *t, int y0, int h)
{
	struct vm_view *v = view_state(t, V_VM);
	struct host *host = cluster_host(t->c, v->host);
	struct domain *d = host ? host_find_domain_name(host, v->name) : NULL;
	if (!d) {
		char msg[256];
		snprintf(msg, sizeof msg, "VM %s on %s is gone (Esc goes back)", v->name, v->host);
		put_text(y0 + 1, 2, COLS - 4, msg, theme_attr(EL_WARN), 0);
		return;
	}
	int y = 0, s = v->scroll, N = theme_attr(EL_NORMAL), H = theme_attr(EL_HEADER);
	char text[512], b1[32], b2[32], b3[32], b4[32], b5[32], nodes[64];
	numa_mask_text(dom_numa_mask(host, d), nodes, sizeof nodes);
	snprintf(text, sizeof text, "%s on %s  %s  id %d  %s  uuid %s", d->info.name, host->cfg->name,
		 dom_state_name(d->state), d->id, d->persistent ? "persistent" : "transient", d->info.uuid);
	out(&y, y0, h, s, 0, theme_attr(EL_ACCENT) | A_BOLD, text);
	snprintf(text, sizeof text, "vCPUs %u (max %u)  memory %s (max %s, hotplug max %s, %u slots)  balloon %s",
		 d->info.vcpus, d->info.max_vcpus, size_format(d->info.memory, b1, sizeof b1),
		 size_format(d->info.max_memory, b2, sizeof b2), size_format(d->info.hotplug_memory, b3, sizeof b3),
		 d->info.memory_slots, d->stats.valid ? size_format(d->stats.balloon_current, b4, sizeof b4) : "-");
	out(&y, y0, h, s, 0, N, text);
	snprintf(text, sizeof text, "host NUMA nodes %s  numatune %s %s  guest NUMA cells %u  snapshots %d  DIMMs %u",
		 nodes, d->info.numatune_mode[0] ? d->info.numatune_mode : "-", d->info.numatune_nodeset,
		 d->info.guest_numa_cells, d->snapshots, d->info.dimms);
	out(&y, y0, h, s, 0, N, text);
	if (d->stats.valid) {
		snprintf(text, sizeof text, "CPU %.0f%%  disk rd %s/s wr %s/s  net rx %s tx %s b/s",
			 d->stats.cpu_util, size_format((uint64_t)(d->stats.rd_bps > 0 ? d->stats.rd_bps : 0), b1, sizeof b1),
			 size_format((uint64_t)(d->stats.wr_bps > 0 ? d->stats.wr_bps : 0), b2, sizeof b2),
			 rate_format(d->stats.rx_bps > 0 ? d->stats.rx_bps : 0, b3, sizeof b3),
			 rate_format(d->stats.tx_bps > 0 ? d->stats.tx_bps : 0, b5, sizeof b5));
		out(&y, y0, h, s, 0, N, text);
	}
	y++;
	/* the cluster's backing-file index, only when a disk has a chain */
	struct backing_index ixs, *ix = NULL;
	for (size_t i = 0; i < d->info.ndisks && !ix; i++)
		if (d->info.disks[i].backing) {
			backing_index_build(t->c, &ixs);
			ix = &ixs;
		}
	snprintf(text, sizeof text, "Disks: %zu   TARGET  DEVICE BUS     FORMAT  CAPACITY  ALLOCATED  USE                   SOURCE", d->info.ndisks);
	out(&y, y0, h, s, 0, H, text);
	for (size_t i = 0; i < d->info.ndisks; i++) {
		const struct dom_disk *k = &d->info.disks[i];
		snprintf(text, sizeof text, "%-6s %-6s %-7s %-7s %8s %10s", k->target, k->device, k->bus, k->format,
			 k->capacity ? size_format(k->capacity, b1, sizeof b1) : "-",
			 k->capacity ? size_format(k->allocation, b2, sizeof b2) : "-");
		int r = y0 + y - s;
		out(&y, y0, h, s, 13, N, text);
		if (r >= y0 && r < y0 + h) {
			if (k->capacity)
				put_bar(r, 68, 20, (double)k->allocation / (double)k->capacity, theme_attr(EL_BAR_USED),
					theme_attr(EL_BAR_FREE));
			put_text(r, 90, COLS - 90, k->source ? k->source : "", N, 0);
		}
		chain_tree(d, k, ix, &y, y0, h, s);
	}
	if (ix)
		backing_index_free(ix);
	y++;
	snprintf(text, sizeof text, "NICs: %zu   MAC                MODE       MODEL    Q  SOURCE            VLAN  "
		 "HOST DEVICE               FILTER", d->info.nnics);
	out(&y, y0, h, s, 0, H, text);
	for (size_t i = 0; i < d->info.nnics; i++) {
		const struct dom_nic *n = &d->info.nics[i];
		char vlan[16], q[16], dev[64];
		snprintf(vlan, sizeof vlan, "%u%s", n->vlan, n->vlan_trunk ? "+" : "");
		snprintf(q, sizeof q, "%u", n->queues ? n->queues : 1);
		vm_nic_host_device(host, n, dev, sizeof dev);
		snprintf(text, sizeof text, "%-18s %-10s %-8s %-2s %-17.17s %-5s %-25.25s %s", n->mac,
			 nic_mode_name(n->mode), n->model[0] ? n->model : "-", q, n->source ? n->source : "",
			 n->vlan ? vlan : "-", dev, n->filter[0] ? n->filter : "-");
		out(&y, y0, h, s, 12, N, text);
	}
	if (vm_nic_warning(d, text, sizeof text))
		out(&y, y0, h, s, 12, theme_attr(EL_WARN), text);
	y++;
	snprintf(text, sizeof text, "vCPU pins: %zu", d->info.npins);
	out(&y, y0, h, s, 0, H, text);
	for (size_t i = 0; i < d->info.npins; i++) {
		snprintf(text, sizeof text, "vcpu %u -> cpus %s", d->info.pins[i].vcpu, d->info.pins[i].cpuset);
		out(&y, y0, h, s, 4, N, text);
	}
	if (d->info.nhostdevs) {
		y++;
		out(&y, y0, h, s, 0, H, "Host devices");
		for (size_t i = 0; i < d->info.nhostdevs; i++) {
			const struct dom_hostdev *hd = &d->info.hostdevs[i];
			snprintf(text, sizeof text, "%-6s %s %s %s", hd->type, hd->uuid, hd->model, hd->address);
			out(&y, y0, h, s, 4, N, text);
		}
	}
	v->height = y;
}

static int key(struct tui *t, enum action a, int ch)
{
	(void)ch;
	struct vm_view *v = view_state(t, V_VM);
	return page_key(&v->scroll, v->height, a);
}

static const enum action help[] = { ACT_UP, ACT_DOWN, ACT_PGUP, ACT_PGDN, ACT_BACK, ACT_NONE };

const struct view_ops view_vm = {
	.name = "vm", .state_size = sizeof(struct vm_view), .draw = draw, .key = key, .help = help,
	.help_extra = "USE = allocation against capacity (thin provisioning).",
};

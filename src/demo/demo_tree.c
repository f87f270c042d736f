/* demo_tree.c — the static part of a simulated host's /proc and /sys:
 * memory (global and per NUMA node, consistent with the VMs placed on each
 * node), hugepages, KSM settings, CPU/node topology, NIC attributes, the
 * 802.3ad bond status and the kernel release, in the kernel's own formats
 * (modelled on the captures in the shared corpus). */
#include "demo/demo_priv.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct node_mem {
	uint64_t total, free, used, file, anon, slab, srecl, kstack, pt, shmem, huge;
};

static void node_mem(const struct demo_host *h, unsigned n, struct node_mem *m)
{
	const struct demo_node *d = &h->node[n];
	memset(m, 0, sizeof *m);
	m->total = d->mem_kib;
	m->huge = (uint64_t)d->huge_nr * 2048;
	uint64_t want = m->huge + d->vm_kib + d->overhead_kib;
	m->free = want + m->total / 100 < m->total ? m->total - want : m->total / 100;
	m->used = m->total - m->free;
	m->file = d->overhead_kib * 55 / 100;
	m->slab = d->overhead_kib * 12 / 100;
	m->srecl = m->slab * 2 / 3;
	m->kstack = d->ncpus ? 18000 + d->ncpus * 160 : 0;
	m->pt = d->vm_kib / 512 + 4096;
	m->shmem = d->overhead_kib / 100;
	uint64_t other = m->file + m->slab + m->kstack + m->pt + m->huge;
	m->anon = m->used > other ? m->used - other : 0;
}

static void write_node_meminfo(struct strbuf *sb, unsigned n, const struct node_mem *m,
			       const struct demo_node *d)
{
	const struct { const char *label; uint64_t v; } rows[] = {
		{ "MemTotal:", m->total }, { "MemFree:", m->free }, { "MemUsed:", m->used },
		{ "Active:", m->anon * 9 / 10 + m->file * 4 / 10 },
		{ "Inactive:", m->anon / 10 + m->file * 6 / 10 },
		{ "Active(anon):", m->anon * 9 / 10 }, { "Inactive(anon):", m->anon / 10 },
		{ "Active(file):", m->file * 4 / 10 }, { "Inactive(file):", m->file * 6 / 10 },
		{ "Unevictable:", 0 }, { "Mlocked:", 0 }, { "Dirty:", m->file / 2000 },
		{ "Writeback:", 0 }, { "FilePages:", m->file }, { "Mapped:", m->file / 8 },
		{ "AnonPages:", m->anon }, { "Shmem:", m->shmem }, { "KernelStack:", m->kstack },
		{ "PageTables:", m->pt }, { "NFS_Unstable:", 0 }, { "Bounce:", 0 },
		{ "WritebackTmp:", 0 }, { "KReclaimable:", m->srecl }, { "Slab:", m->slab },
		{ "SReclaimable:", m->srecl }, { "SUnreclaim:", m->slab - m->srecl },
		{ "AnonHugePages:", m->anon / 4 / 2048 * 2048 }, { "ShmemHugePages:", 0 },
		{ "ShmemPmdMapped:", 0 },
	};
	for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++)
		sb_appendf(sb, "Node %u %-16s%8" PRIu64 " kB\n", n, rows[i].label, rows[i].v);
	sb_appendf(sb, "Node %u FileHugePages: %8u kB\nNode %u FilePmdMapped: %8u kB\n", n, 0, n, 0);
	sb_appendf(sb, "Node %u HugePages_Total: %5u\nNode %u HugePages_Free:  %5u\n"
		       "Node %u HugePages_Surp:  %5u\n", n, d->huge_nr, n, d->huge_free, n, 0);
}

static void write_meminfo(struct strbuf *sb, const struct demo_host *h)
{
	struct node_mem s, m;
	memset(&s, 0, sizeof s);
	unsigned huge_nr = 0, huge_free = 0;
	for (unsigned n = 0; n < h->nnodes; n++) {
		node_mem(h, n, &m);
		s.total += m.total; s.free += m.free; s.file += m.file; s.anon += m.anon;
		s.slab += m.slab; s.srecl += m.srecl; s.kstack += m.kstack; s.pt += m.pt;
		s.shmem += m.shmem;
		huge_nr += h->node[n].huge_nr;
		huge_free += h->node[n].huge_free;
	}
	uint64_t swap_total = 8ull << 20, swap_free = h->swapping ? swap_total * 3 / 5 : swap_total - 2048;
	uint64_t buffers = s.file / 40;
	const struct { const char *label; uint64_t v; } rows[] = {
		{ "MemTotal:", s.total }, { "MemFree:", s.free },
		{ "MemAvailable:", s.free + s.file * 8 / 10 + s.srecl },
		{ "Buffers:", buffers }, { "Cached:", s.file - buffers },
		{ "SwapCached:", h->swapping ? 181244 : 0 },
		{ "Active:", s.anon * 9 / 10 + s.file * 4 / 10 },
		{ "Inactive:", s.anon / 10 + s.file * 6 / 10 },
		{ "Active(anon):", s.anon * 9 / 10 }, { "Inactive(anon):", s.anon / 10 },
		{ "Active(file):", s.file * 4 / 10 }, { "Inactive(file):", s.file * 6 / 10 },
		{ "Unevictable:", 0 }, { "Mlocked:", 0 },
		{ "SwapTotal:", swap_total }, { "SwapFree:", swap_free },
		{ "Dirty:", s.file / 2000 }, { "Writeback:", 0 }, { "AnonPages:", s.anon },
		{ "Mapped:", s.file / 8 }, { "Shmem:", s.shmem }, { "KReclaimable:", s.srecl },
		{ "Slab:", s.slab }, { "SReclaimable:", s.srecl }, { "SUnreclaim:", s.slab - s.srecl },
		{ "KernelStack:", s.kstack }, { "PageTables:", s.pt }, { "NFS_Unstable:", 0 },
		{ "Bounce:", 0 }, { "WritebackTmp:", 0 },
		{ "CommitLimit:", (s.total - (uint64_t)huge_nr * 2048) / 2 + swap_total },
		{ "Committed_AS:", s.anon + s.anon / 5 }, { "VmallocTotal:", 34359738367ull },
		{ "VmallocUsed:", 412632 }, { "VmallocChunk:", 0 }, { "Percpu:", h->ncpus * 1152ull },
		{ "HardwareCorrupted:", 0 }, { "AnonHugePages:", s.anon / 4 / 2048 * 2048 },
		{ "ShmemHugePages:", 0 }, { "ShmemPmdMapped:", 0 }, { "FileHugePages:", 0 },
		{ "FilePmdMapped:", 0 }, { "CmaTotal:", 0 }, { "CmaFree:", 0 },
	};
	for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++)
		sb_appendf(sb, "%-16s%8" PRIu64 " kB\n", rows[i].label, rows[i].v);
	sb_appendf(sb, "HugePages_Total:   %5u\nHugePages_Free:    %5u\nHugePages_Rsvd:    %5u\n"
		       "HugePages_Surp:    %5u\n", huge_nr, huge_free, 0, 0);
	sb_appendf(sb, "%-16s%8u kB\n%-16s%8" PRIu64 " kB\n", "Hugepagesize:", 2048,
		   "Hugetlb:", (uint64_t)huge_nr * 2048);
	sb_appendf(sb, "%-16s%8u kB\n%-16s%8" PRIu64 " kB\n%-16s%8" PRIu64 " kB\n",
		   "DirectMap4k:", 1046528, "DirectMap2M:", s.total / 4,
		   "DirectMap1G:", (s.total - s.total / 4) / 1048576 * 1048576);
}

static int put(const char *root, const char *rel, struct strbuf *sb, struct vd_err *err)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	int rc = demo_write(path, sb->buf, sb->len, false, err);
	sb_reset(sb);
	return rc;
}

static int mk(const char *root, const char *rel, struct vd_err *err)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	return demo_mkdirs(path, err);
}

static int write_numa(const char *root, const struct demo_host *h, struct strbuf *sb,
		      struct vd_err *err)
{
	char rel[256];
	for (unsigned n = 0; n < h->nnodes; n++) {
		const struct demo_node *d = &h->node[n];
		snprintf(rel, sizeof rel, "sys/devices/system/node/node%u/hugepages/hugepages-2048kB", n);
		if (mk(root, rel, err) < 0)
			return -1;
		struct node_mem m;
		node_mem(h, n, &m);
		write_node_meminfo(sb, n, &m, d);
		snprintf(rel, sizeof rel, "sys/devices/system/node/node%u/meminfo", n);
		if (put(root, rel, sb, err) < 0)
			return -1;
		demo_node_cpulist(h, n, sb);
		sb_appendc(sb, '\n');
		snprintf(rel, sizeof rel, "sys/devices/system/node/node%u/cpulist", n);
		if (put(root, rel, sb, err) < 0)
			return -1;
		for (unsigned k = 0; k < h->nnodes; k++)
			sb_appendf(sb, "%s%u", k ? " " : "", d->distance[k]);
		sb_appendc(sb, '\n');
		snprintf(rel, sizeof rel, "sys/devices/system/node/node%u/distance", n);
		if (put(root, rel, sb, err) < 0)
			return -1;
		static const char *const hp[] = { "nr_hugepages", "free_hugepages", "surplus_hugepages" };
		unsigned v[] = { d->huge_nr, d->huge_free, 0 };
		for (unsigned i = 0; i < 3; i++) {
			snprintf(rel, sizeof rel,
				 "sys/devices/system/node/node%u/hugepages/hugepages-2048kB/%s", n, hp[i]);
			if (demo_writef(root, rel, false, err, "%u\n", v[i]) < 0)
				return -1;
		}
	}
	unsigned last = h->nnodes - 1;
	if (demo_writef(root, "sys/devices/system/node/online", false, err, "0-%u\n", last) < 0 ||
	    demo_writef(root, "sys/devices/system/node/possible", false, err, "0-%u\n", last) < 0 ||
	    demo_writef(root, "sys/devices/system/node/has_memory", false, err, "0-%u\n", last) < 0 ||
	    demo_writef(root, "sys/devices/system/node/has_cpu", false, err, h->cpu_nodes > 1 ? "0-%u\n" : "%u\n",
			h->cpu_nodes - 1) < 0)
		return -1;
	if (mk(root, "sys/devices/system/cpu", err) < 0 ||
	    demo_writef(root, "sys/devices/system/cpu/online", false, err, "0-%u\n", h->ncpus - 1) < 0 ||
	    demo_writef(root, "sys/devices/system/cpu/possible", false, err, "0-%u\n", h->ncpus - 1) < 0 ||
	    demo_writef(root, "sys/devices/system/cpu/present", false, err, "0-%u\n", h->ncpus - 1) < 0)
		return -1;
	return 0;
}

static int write_mm(const char *root, const struct demo_host *h, struct vd_err *err)
{
	if (mk(root, "sys/kernel/mm/ksm", err) < 0 ||
	    mk(root, "sys/kernel/mm/hugepages/hugepages-2048kB", err) < 0)
		return -1;
	unsigned running_gib = 0;
	for (unsigned n = 0; n < h->nnodes; n++)
		running_gib += (unsigned)(h->node[n].vm_kib >> 20);
	bool on = h->index % 4 != 1;
	unsigned shared = on ? 2000 + running_gib * 150 : 0;
	const struct { const char *name; unsigned v; } ksm[] = {
		{ "run", on }, { "pages_shared", shared }, { "pages_sharing", shared * 5 },
		{ "pages_unshared", on ? running_gib * 900 : 0 }, { "pages_volatile", on ? 1234 : 0 },
		{ "merge_across_nodes", h->index % 2 }, { "sleep_millisecs", 20 },
		{ "pages_to_scan", 100 }, { "max_page_sharing", 256 }, { "use_zero_pages", 0 },
		{ "stable_node_chains", 0 }, { "stable_node_dups", 0 },
		{ "stable_node_chains_prune_millisecs", 2000 },
	};
	char rel[128];
	for (unsigned i = 0; i < sizeof ksm / sizeof ksm[0]; i++) {
		snprintf(rel, sizeof rel, "sys/kernel/mm/ksm/%s", ksm[i].name);
		if (demo_writef(root, rel, false, err, "%u\n", ksm[i].v) < 0)
			return -1;
	}
	unsigned nr = 0, fr = 0;
	for (unsigned n = 0; n < h->nnodes; n++) {
		nr += h->node[n].huge_nr;
		fr += h->node[n].huge_free;
	}
	const struct { const char *name; unsigned v; } hp[] = {
		{ "nr_hugepages", nr }, { "free_hugepages", fr }, { "resv_hugepages", 0 },
		{ "surplus_hugepages", 0 }, { "nr_overcommit_hugepages", 0 },
		{ "nr_hugepages_mempolicy", nr },
	};
	for (unsigned i = 0; i < sizeof hp / sizeof hp[0]; i++) {
		snprintf(rel, sizeof rel, "sys/kernel/mm/hugepages/hugepages-2048kB/%s", hp[i].name);
		if (demo_writef(root, rel, false, err, "%u\n", hp[i].v) < 0)
			return -1;
	}
	return 0;
}

static int write_nics(const char *root, const struct demo_host *h, struct vd_err *err)
{
	char rel[256];
	for (unsigned i = 0; i < h->nnics; i++) {
		const struct demo_nic *n = &h->nic[i];
		bool lo = strcmp(n->name, "lo") == 0;
		snprintf(rel, sizeof rel, "sys/class/net/%s/statistics", n->name);
		if (mk(root, rel, err) < 0)
			return -1;
#define ATTR(file, ...) do { snprintf(rel, sizeof rel, "sys/class/net/%s/" file, n->name); \
		if (demo_writef(root, rel, false, err, __VA_ARGS__) < 0) return -1; } while (0)
		ATTR("mtu", "%u\n", n->mtu);
		ATTR("operstate", "%s\n", lo ? "unknown" : n->up ? "up" : "down");
		ATTR("carrier", "%d\n", n->up ? 1 : 0);
		char mac[18];
		if (lo)
			snprintf(mac, sizeof mac, "00:00:00:00:00:00");
		else
			demo_host_mac(h, strcmp(n->name, "bond0") == 0 ? 1 : n->mac_id, mac);
		ATTR("address", "%s\n", mac);
		if (!lo) {
			if (n->speed && n->up)
				ATTR("speed", "%u\n", n->speed);
			else
				ATTR("speed", "-1\n");
			ATTR("duplex", "%s\n", n->up && n->speed ? "full" : "unknown");
		}
		if (n->physical) {
			snprintf(rel, sizeof rel, "sys/class/net/%s/device", n->name);
			if (mk(root, rel, err) < 0)
				return -1;
			ATTR("device/numa_node", "%u\n", i % h->cpu_nodes);
			if (n->sriov_total >= 0) {
				ATTR("device/sriov_totalvfs", "%d\n", n->sriov_total);
				ATTR("device/sriov_numvfs", "%d\n", n->sriov_num);
			}
		}
#undef ATTR
	}
	if (mk(root, "sys/class/net/bond0/bonding", err) < 0 ||
	    demo_writef(root, "sys/class/net/bond0/bonding/mode", false, err, "802.3ad 4\n") < 0 ||
	    demo_writef(root, "sys/class/net/bond0/bonding/slaves", false, err, "ens1f0 ens1f1\n") < 0 ||
	    demo_writef(root, "sys/class/net/bond0/bonding/lacp_rate", false, err, "fast 1\n") < 0 ||
	    demo_writef(root, "sys/class/net/bonding_masters", false, err, "bond0\n") < 0)
		return -1;
	return 0;
}

static void bond_slave(struct strbuf *sb, const struct demo_host *h, const char *name,
		       unsigned port, bool down, bool churned, const char *sysmac,
		       const char *partner)
{
	char mac[18];
	demo_host_mac(h, port, mac);
	sb_appendf(sb, "Slave Interface: %s\nMII Status: %s\nSpeed: %s\nDuplex: %s\n"
		       "Link Failure Count: %u\nPermanent HW addr: %s\nSlave queue ID: 0\n"
		       "Aggregator ID: %u\nActor Churn State: %s\nPartner Churn State: %s\n"
		       "Actor Churned Count: %u\nPartner Churned Count: %u\n",
		   name, down ? "down" : "up", down ? "Unknown" : "25000 Mbps",
		   down ? "Unknown" : "full", down ? 3 : churned ? 1 : 0, mac, churned ? 2 : 1,
		   churned ? "churned" : "none", churned ? "churned" : "none",
		   churned ? 1 : 0, churned ? 2 : 0);
	sb_appendf(sb, "details actor lacp pdu:\n    system priority: 65535\n"
		       "    system mac address: %s\n    port key: %u\n    port priority: 255\n"
		       "    port number: %u\n    port state: %u\n",
		   sysmac, churned ? 0 : 15, port, down ? 69 : churned ? 199 : 63);
	sb_appendf(sb, "details partner lacp pdu:\n    system priority: %u\n"
		       "    system mac address: %s\n    oper key: %u\n    port priority: %u\n"
		       "    port number: %u\n    port state: %u\n\n",
		   churned || down ? 65535 : 32768, churned || down ? "00:00:00:00:00:00" : partner,
		   churned || down ? 1 : 15, churned || down ? 255 : 32768,
		   churned || down ? 1 : 100 + h->index * 2 + port, churned || down ? 3 : 63);
}

static void write_bond(struct strbuf *sb, const struct demo_host *h)
{
	char sysmac[18], partner[18];
	demo_host_mac(h, 1, sysmac);
	snprintf(partner, sizeof partner, "00:1c:73:%02x:%02x:01", (h->index / 32) & 0xff,
		 (h->index / 32 * 7) & 0xff);
	bool ok = h->bond == DEMO_BOND_OK;
	sb_appendf(sb, "Ethernet Channel Bonding Driver: v3.7.1 (April 27, 2011)\n\n"
		       "Bonding Mode: IEEE 802.3ad Dynamic link aggregation\n"
		       "Transmit Hash Policy: layer3+4 (1)\nMII Status: up\n"
		       "MII Polling Interval (ms): 100\nUp Delay (ms): 0\nDown Delay (ms): 0\n"
		       "Peer Notification Delay (ms): 0\n\n802.3ad info\nLACP rate: fast\n"
		       "Min links: 0\nAggregator selection policy (ad_select): stable\n"
		       "System priority: 65535\nSystem MAC address: %s\nActive Aggregator Info:\n"
		       "\tAggregator ID: 1\n\tNumber of ports: %u\n\tActor Key: 15\n"
		       "\tPartner Key: 15\n\tPartner Mac Address: %s\n\n",
		   sysmac, ok ? 2 : 1, partner);
	bond_slave(sb, h, "ens1f0", 1, false, false, sysmac, partner);
	bond_slave(sb, h, "ens1f1", 2, h->bond == DEMO_BOND_PORT_DOWN,
		   h->bond == DEMO_BOND_CHURNED, sysmac, partner);
	sb->len--;   /* the last block has no blank line after it */
	sb->buf[sb->len] = '\0';
}

/* What the poll reads for per-VM NUMA placement: run/libvirt/qemu/NAME.pid
 * and the QEMU's proc/PID/numa_maps (guest RAM as one anonymous mapping). */
static int write_qemus(const char *root, const struct demo_host *h, const struct demo_vm *vms,
		       struct strbuf *sb, struct vd_err *err)
{
	if (!vms)
		return 0;
	if (mk(root, "run/libvirt/qemu", err) < 0)
		return -1;
	char rel[256];
	for (unsigned v = 0; v < h->nvms; v++) {
		const struct demo_vm *vm = &vms[v];
		if (vm->state != DEMO_RUNNING && vm->state != DEMO_PAUSED)
			continue;
		unsigned pid = 4000 + vm->gidx;
		snprintf(rel, sizeof rel, "run/libvirt/qemu/%s.pid", vm->name);
		if (demo_writef(root, rel, false, err, "%u\n", pid) < 0)
			return -1;
		snprintf(rel, sizeof rel, "proc/%u", pid);
		if (mk(root, rel, err) < 0)
			return -1;
		uint64_t pages = vm->cur_mem_kib / 4;
		sb_appendf(sb, "7f%010" PRIx64 " default anon=%" PRIu64 " dirty=%" PRIu64, (uint64_t)vm->gidx << 20,
			   pages, pages);
		for (unsigned n = 0; n < h->nnodes; n++)
			if (vm->node_kib[n])
				sb_appendf(sb, " N%u=%" PRIu64, n, vm->node_kib[n] / 4);
		sb_append(sb, " kernelpagesize_kB=4\n");
		snprintf(rel, sizeof rel, "proc/%u/numa_maps", pid);
		if (put(root, rel, sb, err) < 0)
			return -1;
	}
	return 0;
}

int demo_tree_write(const char *root, const struct demo_host *h, const struct demo_vm *vms, struct vd_err *err)
{
	struct strbuf sb;
	sb_init(&sb);
	int rc = -1;
	if (mk(root, "proc/net/bonding", err) < 0 || mk(root, "proc/sys/kernel", err) < 0)
		goto out;
	write_meminfo(&sb, h);
	if (put(root, "proc/meminfo", &sb, err) < 0)
		goto out;
	write_bond(&sb, h);
	if (put(root, "proc/net/bonding/bond0", &sb, err) < 0)
		goto out;
	if (demo_writef(root, "proc/sys/kernel/osrelease", false, err, "%s\n", h->kernel) < 0 ||
	    demo_writef(root, "proc/sys/kernel/hostname", false, err, "%s\n", h->name) < 0)
		goto out;
	if (write_numa(root, h, &sb, err) < 0 || write_mm(root, h, err) < 0 ||
	    write_nics(root, h, err) < 0 || write_qemus(root, h, vms, &sb, err) < 0)
		goto out;
	rc = 0;
out:
	sb_free(&sb);
	return rc;
}

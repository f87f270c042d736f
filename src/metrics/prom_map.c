/* prom_map.c — node_exporter's series into the host model, so a host read
 * from Prometheus has the shapes a host read over its shell has.
 *
 * Units follow host_metrics.h: node_exporter's bytes stay bytes, its
 * seconds of CPU become USER_HZ jiffies (100 per second, what /proc/stat
 * counts) so host_metrics_rates computes utilisation the same way; NIC
 * speeds come in bytes/s and go to Mbit/s.  Series vdeck does not map are
 * ignored; what node_exporter does not export stays unknown (prom.h). */
#include "metrics/prom.h"
#include "core/xalloc.h"
#include "metrics/text.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define USER_HZ 100.0
#define NIC_LIMIT HOST_MAX_NICS

void prom_host_init(struct prom_host *h, double t)
{
	memset(h, 0, sizeof *h);
	h->up = -1;
	struct host_metrics *m = &h->m;
	m->t = t;
	m->page_size = 4096;
	m->swap_in_rate = m->swap_out_rate = -1;
	m->cpu_total.cpu = -1;
	m->cpu_total.util = -1;
	m->from_prometheus = 1;
}

/* A counter or gauge as an unsigned count: negative, NaN and absurd values
 * give 0 (a counter Prometheus cannot give is not a reason to drop the
 * host). */
static uint64_t u64(double v)
{
	return isfinite(v) && v > 0 && v < 1.8e19 ? (uint64_t)v : 0;
}

static struct nic *nic_find(struct host_metrics *m, const char *name)
{
	if (!name || !*name || strlen(name) >= NIC_NAME_MAX)
		return NULL;
	for (size_t i = 0; i < m->nnics; i++)   /* sorted in prom_host_finish */
		if (!strcmp(m->nics[i].name, name))
			return &m->nics[i];
	if (m->nnics >= NIC_LIMIT)
		return NULL;
	x_grow(&m->nics, &m->nics_cap, m->nnics + 1, sizeof *m->nics);
	struct nic *n = &m->nics[m->nnics++];
	nic_init(n, name);
	return n;
}

static struct bond *bond_find(struct host_metrics *m, const char *name)
{
	if (!name || !*name || strlen(name) >= sizeof m->bonds[0].name)
		return NULL;
	for (size_t i = 0; i < m->nbonds; i++)
		if (!strcmp(m->bonds[i].name, name))
			return &m->bonds[i];
	if (m->nbonds >= NIC_LIMIT)
		return NULL;
	x_grow(&m->bonds, &m->bonds_cap, m->nbonds + 1, sizeof *m->bonds);
	struct bond *b = &m->bonds[m->nbonds++];
	memset(b, 0, sizeof *b);
	text_copy(b->name, sizeof b->name, name);
	b->aggregator_id = b->num_ports = b->actor_key = b->partner_key = -1;
	b->counts_only = 1;
	return b;
}

static void map_memory(struct host_metrics *m, const char *field, double v)
{
	static const struct { const char *name; size_t off; } bytes[] = {
		{ "MemTotal", offsetof(struct meminfo, total) }, { "MemFree", offsetof(struct meminfo, free) },
		{ "MemAvailable", offsetof(struct meminfo, available) },
		{ "Buffers", offsetof(struct meminfo, buffers) }, { "Cached", offsetof(struct meminfo, cached) },
		{ "SwapTotal", offsetof(struct meminfo, swap_total) },
		{ "SwapFree", offsetof(struct meminfo, swap_free) }, { "Shmem", offsetof(struct meminfo, shmem) },
		{ "Slab", offsetof(struct meminfo, slab) },
		{ "AnonHugePages", offsetof(struct meminfo, anon_huge_pages) },
		{ "Hugepagesize", offsetof(struct meminfo, hugepage_size) },
		{ "HugePages_Total", offsetof(struct meminfo, hugepages_total) },
		{ "HugePages_Free", offsetof(struct meminfo, hugepages_free) },
	};
	for (size_t i = 0; i < sizeof bytes / sizeof bytes[0]; i++) {
		size_t n = strlen(bytes[i].name);
		if (strncmp(field, bytes[i].name, n) || (field[n] && strcmp(field + n, "_bytes")))
			continue;
		*(uint64_t *)((char *)&m->mem + bytes[i].off) = u64(v);
		if (!strcmp(bytes[i].name, "MemTotal"))
			m->has_mem = 1;
		if (!strcmp(bytes[i].name, "MemAvailable"))
			m->mem.has_available = 1;
		return;
	}
}

static void map_numa(struct host_metrics *m, const char *field, const char *node, double v)
{
	static const struct { const char *name; size_t off; } f[] = {
		{ "MemTotal", offsetof(struct numa_meminfo, mem_total) },
		{ "MemFree", offsetof(struct numa_meminfo, mem_free) },
		{ "MemUsed", offsetof(struct numa_meminfo, mem_used) },
		{ "FilePages", offsetof(struct numa_meminfo, file_pages) },
		{ "AnonPages", offsetof(struct numa_meminfo, anon_pages) },
		{ "Active", offsetof(struct numa_meminfo, active) },
		{ "Inactive", offsetof(struct numa_meminfo, inactive) },
		{ "Shmem", offsetof(struct numa_meminfo, shmem) },
		{ "Slab", offsetof(struct numa_meminfo, slab) },
		{ "AnonHugePages", offsetof(struct numa_meminfo, anon_huge_pages) },
		{ "HugePages_Total", offsetof(struct numa_meminfo, hugepages_total) },
		{ "HugePages_Free", offsetof(struct numa_meminfo, hugepages_free) },
		{ "HugePages_Surp", offsetof(struct numa_meminfo, hugepages_surp) },
	};
	char *end;
	long id = node ? strtol(node, &end, 10) : -1;
	if (!node || end == node || *end || id < 0 || id >= NUMA_MAX_NODES)
		return;
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		if (strcmp(field, f[i].name))
			continue;
		struct numa_node *nd = numa_node_get(&m->numa, (int)id);
		nd->has_meminfo = 1;
		nd->mem.node = (int)id;
		*(uint64_t *)((char *)&nd->mem + f[i].off) = u64(v);
		nd->mem.has_total |= i == 0;
		nd->mem.has_free |= i == 1;
		nd->mem.has_used |= i == 2;
		return;
	}
}

static void map_ksm(struct host_metrics *m, const char *field, double v)
{
	struct ksm *k = &m->ksm;
	k->present = 1;
	if (!strcmp(field, "run")) k->run = u64(v);
	else if (!strcmp(field, "pages_shared")) k->pages_shared = u64(v);
	else if (!strcmp(field, "pages_sharing")) k->pages_sharing = u64(v);
	else if (!strcmp(field, "pages_unshared")) k->pages_unshared = u64(v);
	else if (!strcmp(field, "pages_volatile")) k->pages_volatile = u64(v);
	else if (!strcmp(field, "pages_to_scan")) k->pages_to_scan = u64(v);
	else if (!strcmp(field, "full_scans_total")) k->full_scans = u64(v);
	else if (!strcmp(field, "sleep_seconds")) k->sleep_millisecs = u64(round(v * 1000));
	else if (!strcmp(field, "merge_across_nodes")) {
		k->merge_across_nodes = u64(v);
		k->has_merge_across_nodes = 1;
	}
}

static void map_nic(struct host_metrics *m, const struct prom_sample *s, const char *field, double v)
{
	struct nic *n = nic_find(m, prom_sample_label(s, "device"));
	if (!n)
		return;
	if (!strcmp(field, "info")) {
		const char *state = prom_sample_label(s, "operstate");
		text_copy(n->operstate, sizeof n->operstate, state ? state : "");
		return;
	}
	if (!strcmp(field, "mtu_bytes")) {
		n->mtu = isfinite(v) && v >= 0 ? (int64_t)v : -1;
		return;
	}
	if (!strcmp(field, "speed_bytes")) {   /* bytes/s; the kernel's -1 (unknown) arrives as -125000 */
		n->speed_mbps = isfinite(v) && v > 0 ? (int64_t)llround(v * 8 / 1e6) : -1;
		return;
	}
	static const struct { const char *name; size_t off; } c[] = {
		{ "receive_bytes_total", offsetof(struct nic, rx_bytes) },
		{ "transmit_bytes_total", offsetof(struct nic, tx_bytes) },
		{ "receive_packets_total", offsetof(struct nic, rx_packets) },
		{ "transmit_packets_total", offsetof(struct nic, tx_packets) },
		{ "receive_drop_total", offsetof(struct nic, rx_dropped) },
		{ "transmit_drop_total", offsetof(struct nic, tx_dropped) },
		{ "receive_errs_total", offsetof(struct nic, rx_errors) },
		{ "transmit_errs_total", offsetof(struct nic, tx_errors) },
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		if (!strcmp(field, c[i].name)) {
			*(uint64_t *)((char *)n + c[i].off) = u64(v);
			n->has_counters = 1;
			return;
		}
}

static void map_cpu(struct host_metrics *m, const char *mode, double v)
{
	static const struct { const char *name; size_t off; } f[] = {
		{ "user", offsetof(struct cpu_jiffies, user) }, { "nice", offsetof(struct cpu_jiffies, nice) },
		{ "system", offsetof(struct cpu_jiffies, system) }, { "idle", offsetof(struct cpu_jiffies, idle) },
		{ "iowait", offsetof(struct cpu_jiffies, iowait) }, { "irq", offsetof(struct cpu_jiffies, irq) },
		{ "softirq", offsetof(struct cpu_jiffies, softirq) }, { "steal", offsetof(struct cpu_jiffies, steal) },
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (!strcmp(mode, f[i].name)) {
			*(uint64_t *)((char *)&m->cpu_total + f[i].off) = u64(round(v * USER_HZ));
			m->has_cpu = 1;
			return;
		}
}

void prom_host_add(struct prom_host *h, const struct prom_sample *s)
{
	struct host_metrics *m = &h->m;
	const char *name = prom_sample_label(s, "__name__");
	double v = s->value;
	h->nseries++;
	if (!name) {   /* the CPU query's sum by (..., mode) */
		const char *mode = prom_sample_label(s, "mode");
		if (mode)
			map_cpu(m, mode, v);
		return;
	}
	if (!strcmp(name, "up"))
		h->up = v == 1;
	else if (!strcmp(name, "node_uname_info")) {
		const char *rel = prom_sample_label(s, "release");
		text_copy(m->kernel, sizeof m->kernel, rel ? rel : "");
	} else if (!strncmp(name, "node_memory_numa_", 17))
		map_numa(m, name + 17, prom_sample_label(s, "node"), v);
	else if (!strncmp(name, "node_memory_", 12))
		map_memory(m, name + 12, v);
	else if (!strncmp(name, "node_ksmd_", 10))
		map_ksm(m, name + 10, v);
	else if (!strcmp(name, "node_vmstat_pswpin"))
		m->vm.pswpin = u64(v), m->has_vmstat = 1;
	else if (!strcmp(name, "node_vmstat_pswpout"))
		m->vm.pswpout = u64(v), m->has_vmstat = 1;
	else if (!strcmp(name, "node_vmstat_pgmajfault"))
		m->vm.pgmajfault = u64(v), m->has_vmstat = 1;
	else if (!strncmp(name, "node_network_", 13))
		map_nic(m, s, name + 13, v);
	else if (!strcmp(name, "node_bonding_slaves") || !strcmp(name, "node_bonding_active")) {
		struct bond *b = bond_find(m, prom_sample_label(s, "master"));
		if (b && name[13] == 's')
			b->ports_total = (int)(u64(v) < 100000 ? u64(v) : 100000);
		else if (b)
			b->ports_up = (int)(u64(v) < 100000 ? u64(v) : 100000);
	}
}

static int by_nic_name(const void *a, const void *b)
{
	return strcmp(((const struct nic *)a)->name, ((const struct nic *)b)->name);
}

static int by_bond_name(const void *a, const void *b)
{
	return strcmp(((const struct bond *)a)->name, ((const struct bond *)b)->name);
}

void prom_host_finish(struct prom_host *h)
{
	struct host_metrics *m = &h->m;
	m->vm.has_swap = m->has_vmstat;
	if (m->nnics)
		qsort(m->nics, m->nnics, sizeof *m->nics, by_nic_name);
	if (m->nbonds)
		qsort(m->bonds, m->nbonds, sizeof *m->bonds, by_bond_name);
	for (size_t i = 0; i < m->nbonds; i++) {
		struct bond *b = &m->bonds[i];
		text_copy(b->mii_status, sizeof b->mii_status, b->ports_up > 0 ? "up" : "down");
	}
	ksm_finish(&m->ksm, m->page_size);
	/* The default hugepage size, the only one /proc/meminfo counts. */
	uint64_t hsize = m->mem.hugepage_size;
	if (hsize) {
		hugepage_pool_set(&m->hugepages, &m->nhugepages, hsize, 0, m->mem.hugepages_total);
		hugepage_pool_set(&m->hugepages, &m->nhugepages, hsize, 1, m->mem.hugepages_free);
	}
	for (size_t i = 0; i < m->numa.n; i++) {
		struct numa_node *nd = &m->numa.nodes[i];
		nd->cpu_util = -1;
		if (hsize && nd->has_meminfo) {
			hugepage_pool_set(&nd->hugepages, &nd->nhugepages, hsize, 0, nd->mem.hugepages_total);
			hugepage_pool_set(&nd->hugepages, &nd->nhugepages, hsize, 1, nd->mem.hugepages_free);
		}
	}
	/* A host without NUMA series: one implicit node with the totals, as
	 * for a host whose sysfs has no node/ (its CPU list unknown here). */
	if (m->numa.n == 0 && m->has_mem) {
		struct numa_node *nd = numa_node_get(&m->numa, 0);
		nd->implicit = 1;
		nd->cpu_util = -1;
		nd->has_meminfo = 1;
		nd->mem.mem_total = m->mem.total;
		nd->mem.mem_free = m->mem.free;
		nd->mem.mem_used = m->mem.total >= m->mem.free ? m->mem.total - m->mem.free : 0;
		nd->mem.has_total = nd->mem.has_free = nd->mem.has_used = 1;
	}
}

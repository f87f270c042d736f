/* demo_layout.c — the simulated cluster as data: host hardware profiles,
 * how VMs spread over hosts, and each VM's shape and NUMA placement.
 *
 * Every value is drawn from a generator seeded with (spec seed, what, which),
 * so any one host can be rebuilt alone, in any order, with the same result. */
#include "demo/demo_priv.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

uint64_t demo_hash(uint64_t seed, uint64_t a, uint64_t b)
{
	uint64_t z = seed * 0x9E3779B97F4A7C15ull ^ (a + 0x632BE59BD9B4E019ull) * 0xBF58476D1CE4E5B9ull;
	z ^= (b + 0x2545F4914F6CDD1Dull) * 0x94D049BB133111EBull;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

void demo_rng_init(struct demo_rng *r, uint64_t seed, uint64_t a, uint64_t b)
{
	r->s = demo_hash(seed, a, b);
}

uint64_t demo_rng_next(struct demo_rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

unsigned demo_rng_range(struct demo_rng *r, unsigned lo, unsigned hi)
{
	return lo + (unsigned)(demo_rng_next(r) % ((uint64_t)hi - lo + 1));
}

double demo_rng_unit(struct demo_rng *r)
{
	return (double)(demo_rng_next(r) >> 11) / 9007199254740992.0;
}

void demo_uuid(uint64_t seed, unsigned kind, uint32_t id, char out[37])
{
	uint64_t a = demo_hash(seed, kind, id), b = demo_hash(seed, id, kind + 100);
	uint32_t c = (uint32_t)demo_hash(seed, kind, 0xfeed);
	uint32_t mixed = (id ^ c) * 2654435761u + (c >> 7);  /* bijective in id */
	snprintf(out, 37, "%08x-%04x-4%03x-%04x-%01x%03x%08x",
		 (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
		 0x8000u | ((unsigned)(b >> 48) & 0x3fff), kind & 0xf,
		 (unsigned)(b >> 20) & 0xfff, mixed);
}

void demo_mac(uint64_t seed, unsigned id, char out[18])
{
	uint32_t m = (id * 0x9E3779u + (uint32_t)seed * 0x1F3u) & 0xffffff;  /* bijective mod 2^24 */
	snprintf(out, 18, "52:54:00:%02x:%02x:%02x", m >> 16, (m >> 8) & 0xff, m & 0xff);
}

void demo_host_mac(const struct demo_host *h, unsigned nic, char out[18])
{
	unsigned id = h->index * 16 + nic;
	snprintf(out, 18, "b8:ce:f6:%02x:%02x:%02x", (id >> 16) & 0xff, (id >> 8) & 0xff, id & 0xff);
}

void demo_mdev_uuid(uint64_t seed, const struct demo_host *h, unsigned m, char out[37])
{
	demo_uuid(seed, DEMO_UUID_MDEV, h->index * DEMO_MAX_MDEVS + m, out);
}

/* ---- hosts ---- */

struct profile {
	const char *model;
	unsigned mhz, cpu_nodes, cores, threads;
	bool interleaved;
	unsigned mem_gib[DEMO_MAX_NODES];   /* 0 ends; a node past cpu_nodes has no CPUs */
	unsigned dist[DEMO_MAX_NODES][DEMO_MAX_NODES];
};

static const struct profile profiles[] = {
	{ "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", 2000, 2, 32, 2, true, { 256, 256 },
	  { { 10, 20 }, { 20, 10 } } },
	{ "Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz", 3000, 2, 24, 2, true, { 384, 192 },
	  { { 10, 21 }, { 21, 10 } } },
	{ "AMD EPYC 7543 32-Core Processor", 2800, 4, 8, 2, true, { 128, 96, 128, 160 },
	  { { 10, 12, 12, 12 }, { 12, 10, 12, 12 }, { 12, 12, 10, 12 }, { 12, 12, 12, 10 } } },
	{ "Intel(R) Xeon(R) CPU E5-2650 v4 @ 2.20GHz", 2200, 2, 12, 2, false, { 160, 96 },
	  { { 10, 21 }, { 21, 10 } } },
	/* Sapphire Rapids with a CXL memory expander: node 2 has memory only. */
	{ "Intel(R) Xeon(R) Gold 6430", 2100, 2, 32, 2, true, { 256, 256, 128 },
	  { { 10, 21, 14 }, { 21, 10, 24 }, { 14, 24, 10 } } },
};
#define MEMORY_ONLY_PROFILE 4

static const char *const kernels[] = {
	"6.1.0-18-amd64", "6.1.0-21-amd64", "5.15.0-105-generic", "6.1.0-18-amd64",
};

unsigned demo_node_cpu(const struct demo_host *h, unsigned n, unsigned k)
{
	if (h->interleaved) {
		unsigned t = k / h->cores, c = k % h->cores;
		return t * h->cores * h->cpu_nodes + n * h->cores + c;
	}
	return n * h->cores * h->threads + k;
}

void demo_node_cpulist(const struct demo_host *h, unsigned n, struct strbuf *sb)
{
	if (n >= h->cpu_nodes)
		return;
	if (!h->interleaved) {
		sb_appendf(sb, "%u-%u", demo_node_cpu(h, n, 0),
			   demo_node_cpu(h, n, h->cores * h->threads - 1));
		return;
	}
	for (unsigned t = 0; t < h->threads; t++)
		sb_appendf(sb, "%s%u-%u", t ? "," : "", demo_node_cpu(h, n, t * h->cores),
			   demo_node_cpu(h, n, t * h->cores + h->cores - 1));
}

bool demo_host_overloaded(const struct demo_spec *spec, unsigned index)
{
	return spec->skewed && index % 16 == 1 % spec->hosts;
}

void demo_vm_counts(const struct demo_spec *spec, unsigned *counts)
{
	double *w = x_malloc(spec->hosts * sizeof *w), sum = 0;
	for (unsigned i = 0; i < spec->hosts; i++) {
		struct demo_rng r;
		demo_rng_init(&r, spec->seed, 11, i);
		w[i] = 0.45 + 1.1 * demo_rng_unit(&r);  /* 0.45 .. 1.55 */
		if (demo_host_overloaded(spec, i))
			w[i] = 2.8;
		sum += w[i];
	}
	unsigned given = 0;
	for (unsigned i = 0; i < spec->hosts; i++) {
		counts[i] = (unsigned)((double)spec->vms * w[i] / sum);
		given += counts[i];
	}
	/* Hand out the remainder round-robin from a seeded start. */
	for (unsigned k = 0; given < spec->vms; k++, given++)
		counts[(k + spec->seed) % spec->hosts]++;
	x_free(&w);
}

static void build_nics(const struct demo_spec *spec, struct demo_host *h, struct demo_rng *r)
{
	static const struct { const char *name; unsigned speed, mtu; bool phys, member; } base[] = {
		{ "eno1", 1000, 1500, true, false },
		{ "ens1f0", 25000, 9000, true, true },
		{ "ens1f1", 25000, 9000, true, true },
		{ "ens2f0", 10000, 1500, true, false },
		{ "ens2f1", 10000, 1500, true, false },
		{ "bond0", 50000, 9000, false, false },
		{ "virbr0", 0, 1500, false, false },
		{ "lo", 0, 65536, false, false },
	};
	bool second_sriov = demo_rng_range(r, 0, 1);
	h->nnics = 0;
	for (unsigned i = 0; i < sizeof base / sizeof base[0]; i++) {
		if (i == 4 && !second_sriov)
			continue;
		struct demo_nic *n = &h->nic[h->nnics];
		memset(n, 0, sizeof *n);
		snprintf(n->name, sizeof n->name, "%s", base[i].name);
		n->speed = base[i].speed;
		n->mtu = base[i].mtu;
		n->up = true;
		n->physical = base[i].phys;
		n->bond_member = base[i].member;
		n->mac_id = h->nnics;
		n->sriov_total = -1;
		if (i == 3 || i == 4) {
			n->speed = demo_rng_range(r, 0, 1) ? 25000 : 10000;
			n->sriov_total = 64;
			static const int vfs[] = { 0, 0, 8, 16, 32 };
			n->sriov_num = vfs[demo_rng_range(r, 0, 4)];
		}
		double scale = 0.3 + demo_rng_unit(r);
		if (n->bond_member) {
			n->rx_rate = 6e7 * scale * (1 + h->nvms / 20.0);
			n->tx_rate = n->rx_rate * (0.5 + demo_rng_unit(r));
		} else if (i == 0) {
			n->rx_rate = 4e4 * scale;
			n->tx_rate = 1.5e5 * scale;
		} else if (i == 3 || i == 4) {
			n->rx_rate = n->sriov_num ? 2e7 * scale : 2e5 * scale;
			n->tx_rate = n->rx_rate * 0.7;
		} else if (i == 6) {
			n->rx_rate = 3e5 * scale;
			n->tx_rate = 4e5 * scale;
		} else if (i == 7) {
			n->rx_rate = n->tx_rate = 9e5 * scale;
		}
		n->drop_rate = n->physical && demo_rng_range(r, 0, 3) == 0 ? 0.05 : 0;
		h->nnics++;
	}
	(void)spec;
	/* One host in every eight loses a bond port, another has a churned one. */
	h->bond = h->index % 8 == 3 ? DEMO_BOND_PORT_DOWN :
		  h->index % 8 == 6 ? DEMO_BOND_CHURNED : DEMO_BOND_OK;
	for (unsigned i = 0; i < h->nnics; i++) {
		struct demo_nic *n = &h->nic[i];
		if (strcmp(n->name, "ens1f1") == 0 && h->bond == DEMO_BOND_PORT_DOWN)
			n->up = false;   /* its counters froze when the link went */
		if (strcmp(n->name, "ens1f1") == 0 && h->bond == DEMO_BOND_CHURNED)
			n->rx_rate = n->tx_rate = 4;   /* LACPDUs only: not in the active aggregator */
		if (strcmp(n->name, "bond0") == 0 && h->bond != DEMO_BOND_OK)
			n->speed = 25000;
	}
}

static const char *const roles[] = {
	"web", "db", "api", "cache", "batch", "mq", "ci", "vdi", "log", "k8s",
};
#define VDI_ROLE 7

static void build_vm(const struct demo_spec *spec, struct demo_host *h, unsigned g,
		     struct demo_vm *vm, unsigned *mdevs_used)
{
	struct demo_rng r;
	demo_rng_init(&r, spec->seed, 21, g);
	memset(vm, 0, sizeof *vm);
	vm->gidx = g;
	unsigned role = demo_rng_range(&r, 0, sizeof roles / sizeof roles[0] - 1);
	snprintf(vm->name, sizeof vm->name, "%s-%03u", roles[role], g + 1);
	demo_uuid(spec->seed, DEMO_UUID_VM, g, vm->uuid);

	static const unsigned vcpu_choice[] = { 1, 2, 2, 2, 4, 4, 4, 4, 8, 8, 12, 16 };
	static const unsigned mem_gib[] = { 1, 2, 2, 4, 4, 4, 8, 8, 8, 16, 16, 32 };
	vm->vcpus = vcpu_choice[demo_rng_range(&r, 0, 11)];
	vm->cur_vcpus = vm->vcpus;
	if (vm->vcpus >= 4 && demo_rng_range(&r, 0, 6) == 0)
		vm->cur_vcpus = vm->vcpus / 2;       /* room to hot-add */
	vm->mem_kib = (uint64_t)mem_gib[demo_rng_range(&r, 0, 11)] << 20;
	vm->cur_mem_kib = vm->mem_kib;
	unsigned b = demo_rng_range(&r, 0, 7);
	if (b == 0)
		vm->cur_mem_kib = vm->mem_kib / 2;   /* ballooned down */
	else if (b == 1)
		vm->cur_mem_kib = vm->mem_kib * 3 / 4;

	unsigned s = demo_rng_range(&r, 0, 99);
	vm->state = s < 80 ? DEMO_RUNNING : s < 87 ? DEMO_PAUSED : DEMO_SHUTOFF;

	/* Home node: the CPU node with the most free memory, ties by hash. */
	unsigned best = demo_rng_range(&r, 0, h->cpu_nodes - 1);
	for (unsigned n = 0; n < h->cpu_nodes; n++) {
		const struct demo_node *a = &h->node[n], *c = &h->node[best];
		if (a->mem_kib - a->vm_kib > c->mem_kib - c->vm_kib + (8ull << 20))
			best = n;
	}
	vm->home = best;
	vm->pinned = demo_rng_range(&r, 0, 9) < 3;
	vm->numatune = -1;
	unsigned mem_node = best;
	if (vm->pinned || demo_rng_range(&r, 0, 9) < 2)
		vm->numatune = (int)best;
	if (h->nnodes > h->cpu_nodes && (role == 4 || role == 5 || role == 6 || role == 8) &&
	    demo_rng_range(&r, 0, 1)) {
		vm->numatune = (int)h->cpu_nodes;    /* cold data on the CXL node */
		mem_node = h->cpu_nodes;
	}
	/* Skewed: most unpinned-memory VMs spread over two CPU nodes, as a
	 * busy host's allocations do when the home node fills up. */
	vm->node_kib[mem_node] = vm->cur_mem_kib;
	if (spec->skewed && vm->numatune < 0 && h->cpu_nodes > 1 && demo_rng_range(&r, 0, 9) < 6) {
		unsigned other = (best + 1 + demo_rng_range(&r, 0, h->cpu_nodes - 2)) % h->cpu_nodes;
		uint64_t away = vm->cur_mem_kib * demo_rng_range(&r, 25, 45) / 100;
		vm->node_kib[best] -= away;
		vm->node_kib[other] += away;
	}
	if (vm->state != DEMO_SHUTOFF)
		for (unsigned n = 0; n < h->nnodes; n++)
			h->node[n].vm_kib += vm->node_kib[n];
	if (vm->state == DEMO_RUNNING)
		h->running_vcpus += vm->cur_vcpus;

	static const unsigned vda_gib[] = { 20, 40, 40, 60, 100 };
	static const unsigned vdb_gib[] = { 100, 200, 500, 1000 };
	vm->ndisks = demo_rng_range(&r, 0, 9) < 4 ? 2 : 1;
	for (unsigned d = 0; d < vm->ndisks; d++) {
		struct demo_disk *dk = &vm->disk[d];
		snprintf(dk->target, sizeof dk->target, "vd%c", 'a' + d);
		char vol[sizeof dk->vol];   /* a copy: gcc -Wrestrict sees one object */
		snprintf(vol, sizeof vol, "%s-vd%c.qcow2", vm->name, 'a' + d);
		memcpy(dk->vol, vol, sizeof vol);
		dk->cap_mib = (uint64_t)(d ? vdb_gib[demo_rng_range(&r, 0, 3)]
					   : vda_gib[demo_rng_range(&r, 0, 4)]) * 1024;
		dk->alloc_mib = dk->cap_mib * demo_rng_range(&r, 5, 60) / 100;
	}
	static const unsigned vlans[] = { 100, 200, 300, 310 };
	vm->nnics = demo_rng_range(&r, 0, 9) < 3 ? 2 : 1;
	for (unsigned k = 0; k < vm->nnics; k++) {
		vm->mac_id[k] = g * 2 + k;
		vm->vlan[k] = vlans[demo_rng_range(&r, 0, 3)];
	}
	vm->mdev = -1;
	if (role == VDI_ROLE && *mdevs_used < h->mdevs)
		vm->mdev = (int)(*mdevs_used)++;
}

void demo_host_build(const struct demo_spec *spec, unsigned index, struct demo_host *h,
		     struct demo_vm **vms)
{
	struct demo_rng r;
	demo_rng_init(&r, spec->seed, 1, index);
	memset(h, 0, sizeof *h);
	h->index = index;
	demo_host_name(index, spec->hosts, h->name, sizeof h->name);
	h->profile = index % 8 == 2 ? MEMORY_ONLY_PROFILE : demo_rng_range(&r, 0, 3);
	h->overloaded = demo_host_overloaded(spec, index);
	if (h->overloaded)
		h->profile = 0;   /* crowded, but with the memory to hold it */
	const struct profile *p = &profiles[h->profile];
	h->cpu_model = p->model;
	h->mhz = p->mhz;
	h->cpu_nodes = p->cpu_nodes;
	h->cores = p->cores;
	h->threads = p->threads;
	h->interleaved = p->interleaved;
	for (h->nnodes = 0; h->nnodes < DEMO_MAX_NODES && p->mem_gib[h->nnodes]; h->nnodes++) {
		struct demo_node *n = &h->node[h->nnodes];
		n->ncpus = h->nnodes < h->cpu_nodes ? h->cores * h->threads : 0;
		/* Real MemTotal is a little under the installed size. */
		n->mem_kib = ((uint64_t)p->mem_gib[h->nnodes] << 20) - 180000 - 4096 * h->nnodes;
		n->overhead_kib = h->nnodes == 0 ? (6ull << 20) : n->ncpus ? (2ull << 20) : (256ull << 10);
		memcpy(n->distance, p->dist[h->nnodes], sizeof n->distance);
	}
	h->ncpus = h->cpu_nodes * h->cores * h->threads;
	if (demo_rng_range(&r, 0, 2) == 0) {
		for (unsigned n = 0; n < h->cpu_nodes; n++) {
			h->node[n].huge_nr = 8192;   /* 16 GiB per node for DPDK/hugepage VMs */
			h->node[n].huge_free = 8192 - demo_rng_range(&r, 0, 4) * 1024;
		}
	}
	h->kernel = kernels[demo_rng_range(&r, 0, 3)];
	h->uptime = 86400.0 * demo_rng_range(&r, 3, 180) + demo_rng_range(&r, 0, 86399);
	h->gpu = index % 3 == 0;
	h->mdevs = h->gpu ? (index % 2 == 0 ? demo_rng_range(&r, 1, DEMO_MAX_MDEVS) : 0) : 0;
	h->swapping = index % 5 == 4;
	h->ksm_period = demo_rng_range(&r, 20, 90);

	unsigned *counts = x_malloc(spec->hosts * sizeof *counts);
	demo_vm_counts(spec, counts);
	for (unsigned i = 0; i < index; i++)
		h->vm_first += counts[i];
	h->nvms = counts[index];
	x_free(&counts);

	build_nics(spec, h, &r);

	struct demo_vm *list = x_malloc((h->nvms ? h->nvms : 1) * sizeof *list);
	unsigned mdevs_used = 0;
	for (unsigned v = 0; v < h->nvms; v++)
		build_vm(spec, h, h->vm_first + v, &list[v], &mdevs_used);
	/* Thin pool: the test driver's pools hold 100 GiB, keep allocation
	 * under 90 GiB by scaling (capacity stays: overcommitted thin disks). */
	uint64_t total = 0;
	for (unsigned v = 0; v < h->nvms; v++)
		for (unsigned d = 0; d < list[v].ndisks; d++)
			total += list[v].disk[d].alloc_mib;
	const uint64_t budget = (uint64_t)demo_rng_range(&r, 55, 92) * 1024;
	if (total > budget)
		for (unsigned v = 0; v < h->nvms; v++)
			for (unsigned d = 0; d < list[v].ndisks; d++) {
				struct demo_disk *dk = &list[v].disk[d];
				dk->alloc_mib = dk->alloc_mib * budget / total;
				if (dk->alloc_mib == 0)
					dk->alloc_mib = 1;
			}
	if (vms)
		*vms = list;
	else
		x_free(&list);
}

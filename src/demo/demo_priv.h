/* demo_priv.h — what the demo generator's files share: a seeded hash, the
 * hardware layout of a simulated host, its VMs, and file writing.
 *
 * A host's layout and VMs are pure functions of (spec, index), recomputed
 * whenever needed, so demo_tick() needs nothing but the spec. */
#ifndef VD_DEMO_PRIV_H
#define VD_DEMO_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "demo/demo.h"

#define DEMO_MAX_NODES 4
#define DEMO_MAX_NICS  9
#define DEMO_MAX_MDEVS 4
#define DEMO_POOL_PATH "/var/lib/libvirt/images"
#define DEMO_NETWORK   "vmnet"
/* Shared storage: every other group of DEMO_SHARE_HOSTS consecutive hosts
 * declares one dir pool with one UUID and one path under DEMO_SHARED_PATH
 * (one datastore seen by the group) holding a golden template image; every
 * DEMO_CLONE_EVERY-th VM of those hosts is a linked clone of it: its first
 * disk, a thin overlay in the host's own pool, has the golden image as
 * backing file. */
#define DEMO_SHARE_HOSTS 4
#define DEMO_SHARED_PATH "/var/lib/libvirt/shared"
#define DEMO_GOLDEN      "golden.qcow2"
#define DEMO_CLONE_EVERY 16
#define DEMO_BOOT_EPOCH 1735689600u   /* 2025-01-01: "now" at t = 0 */

/* splitmix64-based hashing: demo_hash(seed, a, b) is well mixed. */
uint64_t demo_hash(uint64_t seed, uint64_t a, uint64_t b);
/* A small generator: r->s advances by splitmix64. */
struct demo_rng { uint64_t s; };
void     demo_rng_init(struct demo_rng *r, uint64_t seed, uint64_t a, uint64_t b);
uint64_t demo_rng_next(struct demo_rng *r);
unsigned demo_rng_range(struct demo_rng *r, unsigned lo, unsigned hi); /* [lo, hi] */
double   demo_rng_unit(struct demo_rng *r);                           /* [0, 1) */

/* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx": distinct for distinct (kind, id)
 * because the last 9 hex digits are kind and a bijection of id. */
void demo_uuid(uint64_t seed, unsigned kind, uint32_t id, char out[37]);
enum { DEMO_UUID_VM = 1, DEMO_UUID_NET, DEMO_UUID_POOL, DEMO_UUID_MDEV, DEMO_UUID_HOST, DEMO_UUID_SHARED };

struct demo_node {
	unsigned ncpus;          /* 0: memory-only node */
	uint64_t mem_kib;        /* MemTotal */
	uint64_t vm_kib;         /* memory of running/paused VMs placed here */
	uint64_t overhead_kib;   /* host OS, caches */
	unsigned huge_nr, huge_free;   /* 2 MiB pages */
	unsigned distance[DEMO_MAX_NODES];
};

enum demo_bond_state { DEMO_BOND_OK, DEMO_BOND_PORT_DOWN, DEMO_BOND_CHURNED };

struct demo_nic {
	char     name[16];
	unsigned speed;           /* Mb/s; 0: none (-1 in sysfs) */
	unsigned mtu;
	bool     up;
	bool     physical;
	int      sriov_total;     /* -1: no SR-IOV */
	int      sriov_num;
	double   rx_rate, tx_rate;/* bytes/s */
	double   drop_rate;       /* drops/s */
	unsigned mac_id;
	bool     bond_member;
};

struct demo_host {
	unsigned index;
	char     name[16];
	unsigned profile;
	const char *cpu_model;
	unsigned mhz;
	unsigned nnodes, cpu_nodes;        /* all nodes; nodes with CPUs */
	unsigned cores, threads;           /* per CPU node */
	bool     interleaved;              /* HT siblings numbered after all cores */
	struct demo_node node[DEMO_MAX_NODES];
	unsigned ncpus;
	const char *kernel;
	double   uptime;                   /* seconds at t = 0 */
	unsigned nnics;
	struct demo_nic nic[DEMO_MAX_NICS];
	enum demo_bond_state bond;
	bool     gpu;
	unsigned mdevs;                    /* mdev children of the GPU */
	bool     swapping;
	unsigned ksm_period;               /* seconds per KSM full scan */
	unsigned vm_first, nvms;           /* global VM index range */
	unsigned running_vcpus;
	bool     overloaded;               /* skewed demo: one of the few crowded hosts */
};

/* Skewed demo: the crowded hosts (one in sixteen, at least one). */
bool demo_host_overloaded(const struct demo_spec *spec, unsigned index);

/* CPU number of the k-th CPU of node n (k < cores * threads). */
unsigned demo_node_cpu(const struct demo_host *h, unsigned n, unsigned k);
/* "0-15,32-47" or "" for a memory-only node. */
void demo_node_cpulist(const struct demo_host *h, unsigned n, struct strbuf *sb);

enum { DEMO_RUNNING = 1, DEMO_PAUSED = 3, DEMO_SHUTOFF = 5 };  /* virDomainState */

struct demo_disk {
	char     target[8];
	char     vol[64];
	uint64_t cap_mib, alloc_mib;
};

struct demo_vm {
	unsigned gidx;
	char     name[32];
	char     uuid[37];
	unsigned vcpus, cur_vcpus;
	uint64_t mem_kib, cur_mem_kib;
	int      state;
	unsigned home;               /* NUMA node */
	uint64_t node_kib[DEMO_MAX_NODES];   /* resident memory per node (QEMU's numa_maps) */
	bool     pinned;
	int      numatune;           /* nodeset, -1 none */
	unsigned ndisks;
	struct demo_disk disk[2];
	unsigned nnics;
	unsigned mac_id[2];
	unsigned vlan[2];
	int      mdev;               /* index of the host's mdev, -1 none */
};

/* VMs per host: uneven, summing to spec->vms. counts has spec->hosts slots. */
void demo_vm_counts(const struct demo_spec *spec, unsigned *counts);
/* Layout of host `index` and its VMs (*vms: x_malloc'd, h->nvms entries,
 * may be NULL when vms is NULL: then only the VM-independent layout plus
 * node usage is computed). */
void demo_host_build(const struct demo_spec *spec, unsigned index, struct demo_host *h,
		     struct demo_vm **vms);

void demo_mac(uint64_t seed, unsigned id, char out[18]);
void demo_host_mac(const struct demo_host *h, unsigned nic, char out[18]);
void demo_mdev_uuid(uint64_t seed, const struct demo_host *h, unsigned m, char out[37]);

/* Libvirt node XML of one host. */
void demo_xml_host(const struct demo_spec *spec, const struct demo_host *h,
		   const struct demo_vm *vms, struct strbuf *sb);
/* The static part of the host tree under root (counters come from tick),
 * with the QEMU pid file and numa_maps of each of its VMs that run. */
int  demo_tree_write(const char *root, const struct demo_host *h, const struct demo_vm *vms,
		     struct vd_err *err);
/* The moving counters of h at time t under root (atomic: for demo_tick). */
int  demo_counters_write(const char *root, const struct demo_spec *spec,
			 const struct demo_host *h, double t, bool atomic, struct vd_err *err);

/* mkdir -p. */
int  demo_mkdirs(const char *path, struct vd_err *err);
/* Writes data to path (parent must exist); when atomic, through path.tmp
 * and rename() so that a concurrent reader never sees half a file. */
int  demo_write(const char *path, const char *data, size_t len, bool atomic, struct vd_err *err);
/* demo_write of a printf'd string, path = root/rel. */
int  demo_writef(const char *root, const char *rel, bool atomic, struct vd_err *err,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif

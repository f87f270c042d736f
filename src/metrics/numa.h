/* numa.h — NUMA topology from /sys/devices/system/node and cpu/online.
 *
 * Units: memory in bytes, hugepage sizes in bytes, hugepage counts in pages,
 * distances as the kernel prints them (10 = local), cpu_util in percent
 * (0..100, -1 until two polls gave a delta).
 *
 * The parser reports exactly the nodeN folders it was given: a host
 * without /sys/devices/system/node gives zero nodes here.  host_metrics
 * then adds one implicit node (implicit = 1) holding every CPU and the
 * /proc/meminfo totals, so callers always see at least one node.
 * A node's CPUs come from its cpulist, or, on kernels without cpulist,
 * from its cpuN entries; memory-only nodes have ncpus = 0.  Offline CPUs
 * stay listed in their node; cpu/online says which ones are online. */
#ifndef VD_METRICS_NUMA_H
#define VD_METRICS_NUMA_H

#include <stddef.h>
#include <stdint.h>

struct vd_err;

/* Linux has at most 1024 NUMA nodes (NODES_SHIFT 10); a file of a node
 * numbered higher is a parse error. */
#define NUMA_MAX_NODES 1024
/* Hugepage sizes kept per host or node (architectures have a handful);
 * more is a parse error. */
#define HUGEPAGE_MAX_SIZES 32

struct hugepage_pool {
	uint64_t page_size;   /* bytes */
	uint64_t nr;          /* pages configured (nr_hugepages) */
	uint64_t free;        /* pages free */
	int      has_nr, has_free;
};

struct numa_meminfo {
	int      node;                   /* id printed in the text, -1 if none */
	uint64_t mem_total, mem_free, mem_used, file_pages, anon_pages; /* bytes */
	uint64_t active, inactive, shmem, slab, anon_huge_pages;        /* bytes */
	uint64_t hugepages_total, hugepages_free, hugepages_surp;       /* pages */
	int      has_total, has_free, has_used;
};

struct numa_node {
	int       id;
	int       implicit;        /* synthesised for a host without node/ */
	int      *cpus;            /* sorted CPU numbers */
	size_t    ncpus, cpus_cap;
	int       has_cpulist;     /* cpus came from cpulist, not cpuN entries */
	int       has_meminfo;
	struct numa_meminfo mem;
	int      *distance;        /* distance[i] to the i-th node in id order */
	size_t    ndistance;
	struct hugepage_pool *hugepages;
	size_t    nhugepages;
	double    cpu_util;        /* percent, -1 unknown */
};

struct numa_topo {
	struct numa_node *nodes;   /* sorted by id */
	size_t    n, cap;
	int      *online;          /* /sys/devices/system/cpu/online */
	size_t    nonline;
	int       has_online;
};

/* "Node 0 MemTotal: 16742060 kB" lines. */
int  parse_node_meminfo(const char *buf, size_t len, struct numa_meminfo *out, struct vd_err *err);
/* "10 21 21" into an x_malloc'd array (NULL, 0 when empty). */
int  parse_node_distance(const char *buf, size_t len, int **dist, size_t *n, struct vd_err *err);
/* "hugepages-2048kB" → 2097152. */
int  parse_hugepages_dirname(const char *name, uint64_t *page_size);
/* Sets nr or free of the pool with that size (creating it), kept sorted.
 * -1 when it would be the HUGEPAGE_MAX_SIZES+1st size. */
int  hugepage_pool_set(struct hugepage_pool **pools, size_t *n, uint64_t page_size,
		       int is_free, uint64_t value);

/* Finds or creates node id (kept sorted by id). */
struct numa_node *numa_node_get(struct numa_topo *t, int id);
/* Feeds one file; rel is the path below /sys/devices/system/node/ (e.g.
 * "node3/cpulist", "node0/cpu4", "node1/hugepages/hugepages-2048kB/
 * nr_hugepages").  Unknown files are ignored.  -1 on bad content. */
int  numa_topo_add_file(struct numa_topo *t, const char *rel, const char *data, size_t n,
			struct vd_err *err);
/* Feeds /sys/devices/system/cpu/online. */
int  numa_topo_set_online(struct numa_topo *t, const char *data, size_t n, struct vd_err *err);
/* Online state of a CPU: 1 online, 0 offline (1 when cpu/online unknown). */
int  numa_cpu_online(const struct numa_topo *t, int cpu);
void numa_topo_free(struct numa_topo *t);

#endif

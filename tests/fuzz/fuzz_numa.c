/* fuzz_numa.c — libFuzzer target: the NUMA node files and cpu/online (the
 * first byte picks the file) on arbitrary bytes.  Invariants: nodes sorted
 * by id within 0..NUMA_MAX_NODES-1, each node's CPUs sorted and unique,
 * hugepage sizes sorted and capped, distances bounded by the input, a
 * refused file says why; time per byte is bounded. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "fuzz_check.h"
#include "metrics/cpulist.h"
#include "metrics/numa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct vd_err e;
	err_clear(&e);
	static const char *const rel[] = { "node0/cpulist", "node1/meminfo", "node2/distance",
		"node0/hugepages/hugepages-2048kB/nr_hugepages", "node3/cpu7", "online" };
	struct numa_topo t;
	if (!size)
		return 0;
	memset(&t, 0, sizeof(t));
	unsigned k = data[0] % 6;
	int rc;
	double t0 = fuzz_clock_start();
	if (k == 5)
		rc = numa_topo_set_online(&t, buf + 1, size - 1, &e);
	else
		rc = numa_topo_add_file(&t, rel[k], buf + 1, size - 1, &e);
	fuzz_clock_check(t0, size, "NUMA file");
	if (rc < 0)
		FUZZ_ASSERT(e.msg[0]);
	FUZZ_ASSERT(t.n <= 1 && t.nonline <= CPULIST_MAX_CPU + 1);
	for (size_t i = 0; i < t.n; i++) {
		const struct numa_node *nd = &t.nodes[i];
		FUZZ_ASSERT(nd->id >= 0 && nd->id < NUMA_MAX_NODES);
		for (size_t c = 0; c < nd->ncpus; c++)
			FUZZ_ASSERT(nd->cpus[c] >= 0 && nd->cpus[c] <= CPULIST_MAX_CPU &&
				    (c == 0 || nd->cpus[c - 1] < nd->cpus[c]));
		FUZZ_ASSERT(nd->ndistance <= size / 2 + 1 && nd->nhugepages <= 1);
	}
	for (size_t c = 0; c < t.nonline; c++)
		FUZZ_ASSERT(numa_cpu_online(&t, t.online[c]));
	numa_topo_free(&t);
	return 0;
}

/* fuzz_numa.c — libFuzzer target: the NUMA files, cpulist and cpu/online (first byte picks the file) on arbitrary bytes must not crash,
 * leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
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
	if (k == 5)
		numa_topo_set_online(&t, buf + 1, size - 1, &e);
	else
		numa_topo_add_file(&t, rel[k], buf + 1, size - 1, &e);
	numa_topo_free(&t);
	return 0;
}

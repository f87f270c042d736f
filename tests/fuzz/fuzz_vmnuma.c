/* fuzz_vmnuma.c — libFuzzer target: numa_maps_sum and parse_vm_numa on
 * arbitrary bytes.  Invariants: node counts within VM_NUMA_MAX_NODES and
 * no node past the count holds memory, no more VMs than lines, names
 * terminated and non-empty; time per byte is bounded. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/err.h"
#include "fuzz_check.h"
#include "metrics/vmnuma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t bytes[VM_NUMA_MAX_NODES] = { 0 };
	unsigned nodes = 0;
	double t0 = fuzz_clock_start();
	numa_maps_sum((const char *)data, size, bytes, &nodes);
	fuzz_clock_check(t0, size, "numa_maps_sum");
	FUZZ_ASSERT(nodes <= VM_NUMA_MAX_NODES);
	for (unsigned i = nodes; i < VM_NUMA_MAX_NODES; i++)
		FUZZ_ASSERT(bytes[i] == 0);
	struct vm_numa *v = NULL;
	size_t n = 0, cap = 0;
	struct vd_err e;
	err_clear(&e);
	t0 = fuzz_clock_start();
	parse_vm_numa((const char *)data, size, &v, &n, &cap, &e);
	fuzz_clock_check(t0, size, "parse_vm_numa");
	FUZZ_ASSERT(n <= fuzz_count((const char *)data, size, '\n') + 1);
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(FUZZ_TERMINATED(v[i].name) && v[i].name[0] && v[i].nodes <= VM_NUMA_MAX_NODES);
		for (unsigned k = v[i].nodes; k < VM_NUMA_MAX_NODES; k++)
			FUZZ_ASSERT(v[i].bytes[k] == 0);
	}
	free(v);
	return 0;
}

/* fuzz_vmnuma.c — libFuzzer target: numa_maps_sum and parse_vm_numa on
 * arbitrary bytes must not crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/err.h"
#include "metrics/vmnuma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t bytes[VM_NUMA_MAX_NODES] = { 0 };
	unsigned nodes = 0;
	numa_maps_sum((const char *)data, size, bytes, &nodes);
	struct vm_numa *v = NULL;
	size_t n = 0, cap = 0;
	struct vd_err e;
	err_clear(&e);
	parse_vm_numa((const char *)data, size, &v, &n, &cap, &e);
	free(v);
	return 0;
}

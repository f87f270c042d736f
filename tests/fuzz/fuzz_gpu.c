/* fuzz_gpu.c — libFuzzer target: the GPU inventory parsers (node device
 * XML, sysfs mdev files, the mdevs record) and the merge on arbitrary
 * bytes.  Invariants: counts bounded by the input, strings terminated, the
 * merge keeps every GPU, an accepted libvirt device name maps to an address
 * whose name maps back to the same address, and time per byte is bounded. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "fuzz_check.h"
#include "metrics/gpu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_inv(const struct gpu_inv *g, size_t size)
{
	FUZZ_ASSERT(g->ngpus <= size + 1 && g->nmdevs <= size + 1);
	for (size_t i = 0; i < g->ngpus; i++) {
		FUZZ_ASSERT(FUZZ_TERMINATED(g->gpus[i].name) && FUZZ_TERMINATED(g->gpus[i].address));
		FUZZ_ASSERT(g->gpus[i].ntypes <= size + 1);
		for (size_t k = 0; k < g->gpus[i].ntypes; k++)
			FUZZ_ASSERT(FUZZ_TERMINATED(g->gpus[i].types[k].id) &&
				    FUZZ_TERMINATED(g->gpus[i].types[k].description));
	}
	for (size_t i = 0; i < g->nmdevs; i++)
		FUZZ_ASSERT(FUZZ_TERMINATED(g->mdevs[i].uuid) && FUZZ_TERMINATED(g->mdevs[i].parent));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vd_err e;
	struct gpu_inv a = { 0 }, b = { 0 };
	const char *s = (const char *)data;
	err_clear(&e);
	double t0 = fuzz_clock_start();
	gpu_nodedev_add(&a, s, size, &e);
	gpu_sysfs_mdevs(&b, s, size, &e);
	/* the first line names the file, the rest is its content */
	const char *nl = memchr(s, '\n', size);
	if (nl && (size_t)(nl - s) < 200) {
		char rel[201];
		memcpy(rel, s, (size_t)(nl - s));
		rel[nl - s] = '\0';
		gpu_sysfs_file(&b, rel, nl + 1, size - (size_t)(nl - s) - 1, &e);
	}
	fuzz_clock_check(t0, size, "GPU parsers");
	check_inv(&a, size);
	check_inv(&b, size);
	size_t before = a.ngpus;
	gpu_inv_merge(&a, &b);
	gpu_inv_sort(&a);
	FUZZ_ASSERT(a.ngpus >= before);
	check_inv(&a, 2 * size);
	gpu_inv_free(&a);
	gpu_inv_free(&b);

	/* pci_DDDD_BB_SS_F <-> DDDD:BB:SS.F: the address form is stable */
	if (size < 64) {
		char name[64], addr[32], name2[64], addr2[32];
		memcpy(name, s, size);
		name[size] = '\0';
		if (gpu_name_to_address(name, addr, sizeof addr) == 0) {
			gpu_address_to_name(addr, name2, sizeof name2);
			FUZZ_ASSERT(gpu_name_to_address(name2, addr2, sizeof addr2) == 0);
			FUZZ_ASSERT(!strcmp(addr, addr2));
		}
	}
	return 0;
}

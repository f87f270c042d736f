/* fuzz_gpu.c — libFuzzer target: the GPU inventory parsers (node device
 * XML, sysfs mdev files, the mdevs record) and the merge must not crash or
 * leak on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "metrics/gpu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vd_err e;
	struct gpu_inv a = { 0 }, b = { 0 };
	const char *s = (const char *)data;
	err_clear(&e);
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
	gpu_inv_merge(&a, &b);
	gpu_inv_sort(&a);
	gpu_inv_free(&a);
	gpu_inv_free(&b);
	return 0;
}

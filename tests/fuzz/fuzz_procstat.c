/* fuzz_procstat.c — libFuzzer target: parse_proc_stat on arbitrary bytes must not crash,
 * leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "metrics/procstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct vd_err e;
	err_clear(&e);
	struct cpu_jiffies total, *cpus = NULL;
	size_t n = 0;
	if (parse_proc_stat(buf, size, &total, &cpus, &n, &e) == 0)
		x_free(&cpus);
	return 0;
}

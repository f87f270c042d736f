/* fuzz_procstat.c — libFuzzer target: parse_proc_stat on arbitrary bytes.
 * Invariants: no more CPUs than "cpuN " lines (about 14 bytes each with
 * four numbers), CPU numbers sorted and unique, the busy and idle sums
 * never above the total, a refused text says why; time per byte is
 * bounded. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "fuzz_check.h"
#include "metrics/procstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct vd_err e;
	err_clear(&e);
	struct cpu_jiffies total, *cpus = NULL;
	size_t n = 0;
	double t0 = fuzz_clock_start();
	int rc = parse_proc_stat(buf, size, &total, &cpus, &n, &e);
	fuzz_clock_check(t0, size, "parse_proc_stat");
	if (rc < 0) {
		FUZZ_ASSERT(e.msg[0] && !cpus && !n);
		return 0;
	}
	/* "cpu0 0 0 0 0" */
	FUZZ_ASSERT(n <= size / 12 && total.cpu == -1);
	FUZZ_ASSERT(cpu_jiffies_idle(&total) <= cpu_jiffies_total(&total));
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(cpus[i].cpu >= 0 && (i == 0 || cpus[i - 1].cpu < cpus[i].cpu));
		FUZZ_ASSERT(cpu_jiffies_idle(&cpus[i]) <= cpu_jiffies_total(&cpus[i]));
	}
	x_free(&cpus);
	return 0;
}

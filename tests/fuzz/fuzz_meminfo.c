/* fuzz_meminfo.c — libFuzzer target: parse_meminfo on arbitrary bytes.
 * Invariants: a failed parse says why, MemAvailable estimated on old
 * kernels (free + buffers + cached) saturates instead of wrapping, and
 * the time per byte is bounded. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "fuzz_check.h"
#include "metrics/meminfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct vd_err e;
	err_clear(&e);
	struct meminfo m;
	double t0 = fuzz_clock_start();
	int rc = parse_meminfo(buf, size, &m, &e);
	fuzz_clock_check(t0, size, "parse_meminfo");
	if (rc < 0) {
		FUZZ_ASSERT(e.msg[0]);
		return 0;
	}
	if (!m.has_available)
		FUZZ_ASSERT(m.available >= m.free && m.available >= m.buffers && m.available >= m.cached);
	return 0;
}

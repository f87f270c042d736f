/* fuzz_vmstat.c — libFuzzer target: parse_vmstat on arbitrary bytes.
 * Invariants: a counter whose name the text lacks stays 0, has_swap only
 * when both swap counters were read, a refused text says why; time per
 * byte is bounded. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "fuzz_check.h"
#include "metrics/vmstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct vd_err e;
	err_clear(&e);
	struct vmstat v;
	double t0 = fuzz_clock_start();
	int rc = parse_vmstat(buf, size, &v, &e);
	fuzz_clock_check(t0, size, "parse_vmstat");
	if (rc < 0)
		FUZZ_ASSERT(e.msg[0]);
	if (!memmem(buf, size, "pswpin", 6))
		FUZZ_ASSERT(!v.has_swap && v.pswpin == 0);
	if (!memmem(buf, size, "pswpout", 7))
		FUZZ_ASSERT(!v.has_swap && v.pswpout == 0);
	if (!memmem(buf, size, "pgmajfault", 10))
		FUZZ_ASSERT(v.pgmajfault == 0);
	return 0;
}

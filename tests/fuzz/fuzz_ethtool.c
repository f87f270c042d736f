/* fuzz_ethtool.c — libFuzzer target: parse_ethtool_coalesce on arbitrary
 * bytes.  Invariants: the adaptive flags are -1, 0 or 1, the interface
 * name is terminated, a report that is not parsed is not supported
 * either, and the time per byte is bounded. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "fuzz_check.h"
#include "metrics/ethtool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct vd_err e;
	err_clear(&e);
	struct coalesce c;
	double t0 = fuzz_clock_start();
	parse_ethtool_coalesce(buf, size, &c, &e);
	fuzz_clock_check(t0, size, "parse_ethtool_coalesce");
	FUZZ_ASSERT(c.adaptive_rx >= -1 && c.adaptive_rx <= 1 && c.adaptive_tx >= -1 && c.adaptive_tx <= 1);
	FUZZ_ASSERT(FUZZ_TERMINATED(c.iface));
	FUZZ_ASSERT(c.parsed || !c.supported);
	return 0;
}

/* fuzz_ksm.c — libFuzzer target: parse_ksm_file (the first byte picks the
 * file name) on arbitrary bytes.  Invariants: one file touches only its
 * own field (the others stay 0), the saved bytes are pages_sharing times
 * the page size (saturating), and the time per byte is bounded. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "fuzz_check.h"
#include "metrics/ksm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct vd_err e;
	err_clear(&e);
	static const char *const names[] = { "run", "pages_shared", "pages_sharing", "full_scans",
		"merge_across_nodes", "general_profit", "pages_unshared", "other" };
	struct ksm k;
	if (!size)
		return 0;
	memset(&k, 0, sizeof(k));
	unsigned which = data[0] % 8;
	double t0 = fuzz_clock_start();
	parse_ksm_file(names[which], buf + 1, size - 1, &k, &e);
	fuzz_clock_check(t0, size, "parse_ksm_file");
	if (which != 2)
		FUZZ_ASSERT(k.pages_sharing == 0);
	if (which != 0)
		FUZZ_ASSERT(k.run == 0);
	ksm_finish(&k, 4096);
	if (k.pages_sharing <= UINT64_MAX / 4096)
		FUZZ_ASSERT(k.saved == k.pages_sharing * 4096);
	else
		FUZZ_ASSERT(k.saved == UINT64_MAX);
	return 0;
}

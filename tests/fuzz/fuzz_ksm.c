/* fuzz_ksm.c — libFuzzer target: parse_ksm_file (first byte picks the file name) on arbitrary bytes must not crash,
 * leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
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
	parse_ksm_file(names[data[0] % 8], buf + 1, size - 1, &k, &e);
	ksm_finish(&k, 4096);
	return 0;
}

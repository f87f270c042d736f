/* fuzz_ethtool.c — libFuzzer target: parse_ethtool_coalesce on arbitrary bytes must not crash,
 * leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "metrics/ethtool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct vd_err e;
	err_clear(&e);
	struct coalesce c;
	parse_ethtool_coalesce(buf, size, &c, &e);
	return 0;
}

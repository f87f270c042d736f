/* fuzz_netdev.c — libFuzzer target: parse_netdev on arbitrary bytes must not crash,
 * leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "metrics/netdev.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct vd_err e;
	err_clear(&e);
	struct netdev_stat *s = NULL;
	size_t n = 0;
	if (parse_netdev(buf, size, &s, &n, &e) == 0)
		x_free(&s);
	return 0;
}

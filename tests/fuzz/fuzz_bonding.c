/* fuzz_bonding.c — libFuzzer target: parse_bonding on arbitrary bytes must not crash,
 * leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "metrics/bonding.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct vd_err e;
	err_clear(&e);
	struct bond b;
	if (parse_bonding("bond0", buf, size, &b, &e) == 0) {
		bond_ports_up(&b);
		bond_free(&b);
	}
	return 0;
}

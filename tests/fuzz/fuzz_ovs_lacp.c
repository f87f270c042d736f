/* fuzz_ovs_lacp.c — libFuzzer target: the Open vSwitch parsers (bond/show,
 * lacp/show, vsctl show) on arbitrary bytes must not crash, leak or read out
 * of bounds.  The input is cut in two at the first 0x1E: bond/show text,
 * then lacp/show text; the whole input also goes to the vsctl parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "metrics/ovs_lacp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	const char *sep = memchr(buf, '\036', size);
	size_t l1 = sep ? (size_t)(sep - buf) : size;
	const char *second = sep ? sep + 1 : buf;
	size_t l2 = sep ? size - l1 - 1 : size;
	struct bond *v = NULL;
	size_t n = 0, cap = 0;
	parse_ovs_bonds(buf, l1, second, l2, &v, &n, &cap);
	for (size_t i = 0; i < n; i++) {
		bond_ports_up(&v[i]);
		bond_free(&v[i]);
	}
	free(v);
	struct ovs_iface *f = NULL;
	parse_ovs_vsctl_show(buf, size, &f);
	free(f);
	return 0;
}

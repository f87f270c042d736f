/* fuzz_bonding.c — libFuzzer target: parse_bonding on arbitrary bytes.
 * Invariants: ports bounded by the "Slave Interface:" lines the input can
 * hold and by BOND_MAX_PORTS, ports up never more than ports, strings
 * terminated, the name kept, time per byte bounded. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "fuzz_check.h"
#include "metrics/bonding.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct vd_err e;
	err_clear(&e);
	struct bond b;
	double t0 = fuzz_clock_start();
	int rc = parse_bonding("bond0", buf, size, &b, &e);
	fuzz_clock_check(t0, size, "parse_bonding");
	if (rc < 0) {
		FUZZ_ASSERT(e.msg[0]);
		return 0;
	}
	FUZZ_ASSERT(!strcmp(b.name, "bond0"));
	FUZZ_ASSERT(b.nports <= BOND_MAX_PORTS);
	FUZZ_ASSERT(b.nports <= size / sizeof("Slave Interface:"));
	FUZZ_ASSERT(bond_ports_up(&b) <= b.nports);
	FUZZ_ASSERT(FUZZ_TERMINATED(b.mode) && FUZZ_TERMINATED(b.mii_status) && FUZZ_TERMINATED(b.partner_mac));
	for (size_t i = 0; i < b.nports; i++)
		FUZZ_ASSERT(FUZZ_TERMINATED(b.ports[i].name) && FUZZ_TERMINATED(b.ports[i].mii_status));
	bond_free(&b);
	return 0;
}

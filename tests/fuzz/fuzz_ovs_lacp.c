/* fuzz_ovs_lacp.c — libFuzzer target: the Open vSwitch parsers (bond/show,
 * lacp/show, vsctl show) on arbitrary bytes.  The input is cut in two at
 * the first 0x1E: bond/show text, then lacp/show text; the whole input
 * also goes to the vsctl parser.
 * Invariants: no more bonds than "---- NAME ----" headers (11 bytes or
 * more each), bond names unique, at most 64 members a bond and no more
 * than member lines; a member's link is "up" or "down"; the aggregator
 * never holds more members than the bond; interfaces no more than
 * "Interface X" lines; strings terminated; time per byte is bounded. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "fuzz_check.h"
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
	double t0 = fuzz_clock_start();
	size_t added = parse_ovs_bonds(buf, l1, second, l2, &v, &n, &cap);
	fuzz_clock_check(t0, size, "parse_ovs_bonds");
	FUZZ_ASSERT(added == n && n <= (l1 + l2) / 11);
	for (size_t i = 0; i < n; i++) {
		const struct bond *b = &v[i];
		FUZZ_ASSERT(b->ovs && FUZZ_TERMINATED(b->name) && FUZZ_TERMINATED(b->mode));
		for (size_t k = 0; k < i; k++)
			FUZZ_ASSERT(strcmp(v[k].name, b->name) != 0);
		/* "member X:" is 10 bytes or more */
		FUZZ_ASSERT(b->nports <= 64 && b->nports <= (l1 + l2) / 10);
		FUZZ_ASSERT(bond_ports_up(b) <= b->nports);
		FUZZ_ASSERT(b->num_ports <= (int)b->nports);
		for (size_t k = 0; k < b->nports; k++) {
			const struct bond_port *p = &b->ports[k];
			FUZZ_ASSERT(!p->mii_status[0] || !strcmp(p->mii_status, "up") || !strcmp(p->mii_status, "down"));
			FUZZ_ASSERT(FUZZ_TERMINATED(p->lacp_state) && FUZZ_TERMINATED(p->partner_mac));
		}
	}
	for (size_t i = 0; i < n; i++)
		bond_free(&v[i]);
	free(v);

	struct ovs_iface *f = NULL;
	t0 = fuzz_clock_start();
	size_t nf = parse_ovs_vsctl_show(buf, size, &f);
	fuzz_clock_check(t0, size, "parse_ovs_vsctl_show");
	FUZZ_ASSERT(nf <= size / 11 && (nf == 0) == (f == NULL));
	for (size_t i = 0; i < nf; i++) {
		FUZZ_ASSERT(FUZZ_TERMINATED(f[i].bridge) && FUZZ_TERMINATED(f[i].port) &&
			    FUZZ_TERMINATED(f[i].iface) && FUZZ_TERMINATED(f[i].type));
		FUZZ_ASSERT(f[i].bridge[0] || f[i].port[0]);
	}
	free(f);
	return 0;
}

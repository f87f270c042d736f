/* fuzz_netxml.c — libFuzzer target: network XML (as a host's libvirt might
 * dump it, or anything else) into struct net_def must not crash or leak;
 * what it gives is bounded, compares with itself as converged, and is a
 * fixed point of build-then-parse: vdeck's XML of the parsed network,
 * parsed and built again, is the same text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "metrics/netxml.h"
#include "ops/xml_network.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	double t0 = fuzz_clock_start();
	struct net_def a;
	if (netxml_parse((const char *)data, size, &a, NULL) < 0)
		return 0;
	FUZZ_ASSERT(a.npgs <= NET_MAX_PORTGROUPS);
	for (size_t i = 0; i < a.npgs; i++) {
		FUZZ_ASSERT(a.pgs[i].ntags <= NET_MAX_TAGS);
		for (size_t k = 0; k < a.pgs[i].ntags; k++)
			FUZZ_ASSERT(a.pgs[i].tags[k] <= 4095);
	}
	struct net_def copy;
	net_def_copy(&copy, &a);
	copy.active = copy.autostart = 1;
	char why[256];
	unsigned d = net_compare(&copy, &copy, why, sizeof why);
	/* duplicate portgroup names compare against the first of the name */
	int dups = 0;
	for (size_t i = 0; i < a.npgs; i++)
		dups |= net_def_portgroup(&a, a.pgs[i].name) != &a.pgs[i];
	FUZZ_ASSERT(dups || d == 0);
	FUZZ_ASSERT(strlen(why) < sizeof why);
	struct strbuf x1, x2;
	sb_init(&x1);
	sb_init(&x2);
	xml_network(&a, &x1);
	struct net_def b;
	if (netxml_parse(x1.buf, x1.len, &b, NULL) == 0) {
		xml_network(&b, &x2);
		FUZZ_ASSERT(!strcmp(x1.buf, x2.buf));
		net_def_free(&b);
	}
	sb_free(&x1);
	sb_free(&x2);
	net_def_free(&copy);
	net_def_free(&a);
	fuzz_clock_check(t0, size, "netxml_parse");
	return 0;
}

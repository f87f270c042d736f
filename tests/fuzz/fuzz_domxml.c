/* fuzz_domxml.c — libFuzzer target: domxml_parse on arbitrary bytes must
 * not crash, leak, or follow external entities.  Invariants: each device
 * list is bounded by the elements the input can hold ("<disk" and the like
 * are at least 5 bytes), strings are terminated, a copy equals the
 * original, and the time per byte is bounded. */
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "fuzz_check.h"
#include "metrics/domxml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vd_err e;
	struct dom_info d;
	err_clear(&e);
	double t0 = fuzz_clock_start();
	int rc = domxml_parse((const char *)data, size, &d, &e);
	fuzz_clock_check(t0, size, "domxml_parse");
	if (rc < 0) {
		FUZZ_ASSERT(e.msg[0]);
		return 0;
	}
	/* entities can multiply elements, but libxml2 bounds their expansion */
	size_t most = size / 5 + 1;
	FUZZ_ASSERT(d.ndisks <= most && d.nnics <= most && d.npins <= most && d.nhostdevs <= most);
	FUZZ_ASSERT(FUZZ_TERMINATED(d.name) && FUZZ_TERMINATED(d.uuid) && FUZZ_TERMINATED(d.numatune_nodeset));
	struct dom_info copy;
	dom_info_copy(&copy, &d);
	FUZZ_ASSERT(copy.ndisks == d.ndisks && copy.nnics == d.nnics && !strcmp(copy.name, d.name));
	for (size_t i = 0; i < d.ndisks; i++) {
		FUZZ_ASSERT(FUZZ_TERMINATED(d.disks[i].target) && FUZZ_TERMINATED(d.disks[i].format));
		FUZZ_ASSERT(same_str(copy.disks[i].source, d.disks[i].source) &&
			    same_str(copy.disks[i].backing, d.disks[i].backing));
	}
	for (size_t i = 0; i < d.nnics; i++) {
		const struct dom_nic *c = &d.nics[i];
		FUZZ_ASSERT(same_str(copy.nics[i].source, c->source) && FUZZ_TERMINATED(c->mac));
		/* the mode is one of the names, and the NIC mode facts are strings */
		FUZZ_ASSERT(c->mode >= NIC_MODE_OTHER && c->mode <= NIC_MODE_VHOSTUSER && nic_mode_name(c->mode)[0]);
		FUZZ_ASSERT(FUZZ_TERMINATED(c->vf_address) && FUZZ_TERMINATED(c->filter) &&
			    FUZZ_TERMINATED(c->direct_mode));
		FUZZ_ASSERT(c->coalesce_rx_frames >= -1 && c->coalesce_rx_frames <= 0xffffffffLL);
		FUZZ_ASSERT(!c->vf_address[0] || strlen(c->vf_address) == 12);
	}
	dom_info_free(&copy);
	dom_info_free(&d);
	return 0;
}

/* fuzz_sriov.c — libFuzzer target: the SR-IOV parsers (sysfs links, ip -d
 * link, OVS other_config) on arbitrary bytes, fed in that order as a poll
 * does.  Invariants: at most one VF per "virtfn" in the input, every VF's
 * PCI address is 12 characters, strings are terminated, VLANs are < 4096,
 * a found VF is found again by its address; time per byte is bounded. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "fuzz_check.h"
#include "metrics/sriov.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t count(const char *buf, size_t size, const char *word)
{
	size_t n = 0, wl = strlen(word);
	for (size_t i = 0; i + wl <= size; i++)
		n += !memcmp(buf + i, word, wl);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct vd_err e;
	struct sriov_inv inv;
	memset(&inv, 0, sizeof inv);
	err_clear(&e);
	double t0 = fuzz_clock_start();
	sriov_links_parse("ens1f0", buf, size, &inv, &e);
	int lines = sriov_ip_link_parse("ens1f0", buf, size, &inv, &e);
	sriov_ovs_config_parse(buf, size, &inv, &e);
	sriov_finish(&inv);
	fuzz_clock_check(t0, size, "sriov parsers");
	FUZZ_ASSERT(inv.npfs == 1 && lines >= 0);
	FUZZ_ASSERT(inv.nvfs <= count(buf, size, "virtfn"));
	FUZZ_ASSERT(FUZZ_TERMINATED(inv.pmd_cpu_mask) && FUZZ_TERMINATED(inv.dpdk_socket_mem));
	FUZZ_ASSERT(FUZZ_TERMINATED(inv.pfs[0].address));
	for (size_t i = 0; i < inv.nvfs; i++) {
		const struct sriov_vf *vf = &inv.vfs[i];
		FUZZ_ASSERT(strlen(vf->address) == 12 && FUZZ_TERMINATED(vf->mac) && FUZZ_TERMINATED(vf->netdev));
		FUZZ_ASSERT(FUZZ_TERMINATED(vf->link_state) && vf->vlan < 4096);
		FUZZ_ASSERT(vf->trust >= -1 && vf->trust <= 1 && vf->spoofchk >= -1 && vf->spoofchk <= 1);
		FUZZ_ASSERT(sriov_find_vf(&inv, vf->address) != NULL);
	}
	sriov_free(&inv);
	return 0;
}

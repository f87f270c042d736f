/* fuzz_netclass.c — libFuzzer target: netclass_set (the first byte picks
 * the attribute) on arbitrary bytes.  Invariants: speed is -1 or positive,
 * mtu and ifindex are -1 or not negative, a refused value says why, the
 * name stays, and the time per byte is bounded. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "fuzz_check.h"
#include "metrics/netclass.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct vd_err e;
	err_clear(&e);
	static const char *const attrs[] = { "speed", "mtu", "operstate", "ifindex",
		"statistics/rx_bytes", "device/sriov_numvfs", "device/sriov_totalvfs",
		"bonding_slave/mii_status" };
	struct nic nic;
	if (!size)
		return 0;
	nic_init(&nic, "eth0");
	double t0 = fuzz_clock_start();
	int rc = netclass_set(&nic, attrs[data[0] % 8], buf + 1, size - 1, &e);
	fuzz_clock_check(t0, size, "netclass_set");
	if (rc < 0)
		FUZZ_ASSERT(e.msg[0]);
	FUZZ_ASSERT(!strcmp(nic.name, "eth0"));
	FUZZ_ASSERT(nic.speed_mbps == -1 || nic.speed_mbps > 0);
	FUZZ_ASSERT(nic.mtu >= -1 && nic.ifindex >= -1 && nic.sriov_numvfs >= -1 && nic.sriov_totalvfs >= -1);
	FUZZ_ASSERT(FUZZ_TERMINATED(nic.operstate) && FUZZ_TERMINATED(nic.bond_mii));
	return 0;
}

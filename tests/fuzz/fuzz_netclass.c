/* fuzz_netclass.c — libFuzzer target: netclass_set (first byte picks the attribute) on arbitrary bytes must not crash,
 * leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
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
	netclass_set(&nic, attrs[data[0] % 8], buf + 1, size - 1, &e);
	return 0;
}

/* netclass.c — single-value files of /sys/class/net/<if>. */
#include "metrics/netclass.h"

#include "core/err.h"
#include "core/xalloc.h"
#include "metrics/text.h"

#include <string.h>

#define NC(k, f) { k, offsetof(struct nic, f) }
static const struct { const char *attr; size_t off; } counters[] = {
	NC("statistics/rx_bytes", rx_bytes), NC("statistics/tx_bytes", tx_bytes),
	NC("statistics/rx_packets", rx_packets), NC("statistics/tx_packets", tx_packets),
	NC("statistics/rx_dropped", rx_dropped), NC("statistics/tx_dropped", tx_dropped),
	NC("statistics/rx_errors", rx_errors), NC("statistics/tx_errors", tx_errors),
};

void nic_init(struct nic *nic, const char *name)
{
	memset(nic, 0, sizeof(*nic));
	text_copy(nic->name, sizeof(nic->name), name);
	nic->speed_mbps = nic->mtu = nic->ifindex = -1;
	nic->sriov_numvfs = nic->sriov_totalvfs = -1;
	nic->rx_bps = nic->tx_bps = nic->rx_pps = nic->tx_pps = -1;
	nic->irq_rate = -1;
}

static int signed_value(const char *text, int64_t *v)
{
	char *p = (char *)text;
	if (text_i64(&p, v) < 0)
		return -1;
	return *text_skip_ws(text_rtrim(p)) ? -1 : 0;
}

int netclass_set(struct nic *nic, const char *attr, const char *buf, size_t len,
		 struct vd_err *err)
{
	char *text = text_dup(buf, len);
	int rc = 0;
	int64_t v;
	text_rtrim(text);
	if (strcmp(attr, "operstate") == 0) {
		text_copy(nic->operstate, sizeof(nic->operstate), text);
	} else if (strcmp(attr, "bonding_slave/mii_status") == 0) {
		text_copy(nic->bond_mii, sizeof(nic->bond_mii), text);
	} else if (strcmp(attr, "device") == 0) {
		nic->physical = 1;
	} else if (strcmp(attr, "speed") == 0) {
		/* virtual and down links report -1 or fail to read */
		if (signed_value(text, &v) < 0)
			goto bad;
		nic->speed_mbps = v > 0 ? v : -1;
	} else if (strcmp(attr, "ifindex") == 0) {
		if (signed_value(text, &v) < 0 || v < 0)
			goto bad;
		nic->ifindex = v;
	} else if (strcmp(attr, "mtu") == 0) {
		if (signed_value(text, &v) < 0 || v < 0)
			goto bad;
		nic->mtu = v;
	} else if (strcmp(attr, "device/sriov_numvfs") == 0 ||
		   strcmp(attr, "device/sriov_totalvfs") == 0) {
		if (signed_value(text, &v) < 0 || v < 0)
			goto bad;
		if (attr[13] == 'n')
			nic->sriov_numvfs = v;
		else
			nic->sriov_totalvfs = v;
		nic->physical = 1;
	} else {
		for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
			uint64_t u;
			if (strcmp(attr, counters[i].attr) != 0)
				continue;
			if (text_u64_full(text, &u) < 0)
				goto bad;
			*(uint64_t *)((char *)nic + counters[i].off) = u;
			nic->has_counters = 2;   /* 2: from sysfs */
		}
	}
	goto out;
bad:
	rc = err_set(err, VD_EINVAL, "%s/%s: bad value \"%.32s\"", nic->name, attr, text);
out:
	x_free(&text);
	return rc;
}

void nic_apply_netdev(struct nic *nic, const struct netdev_stat *s)
{
	if (nic->has_counters == 2)
		return;
	nic->rx_bytes = s->rx_bytes;
	nic->tx_bytes = s->tx_bytes;
	nic->rx_packets = s->rx_packets;
	nic->tx_packets = s->tx_packets;
	nic->rx_dropped = s->rx_dropped;
	nic->tx_dropped = s->tx_dropped;
	nic->rx_errors = s->rx_errors;
	nic->tx_errors = s->tx_errors;
	nic->has_counters = 1;
}

/* netclass.h — one network interface: the values of /sys/class/net/IF merged
 * with its /proc/net/dev line.
 *
 * Units: speed in Mbit/s (-1 unknown, e.g. link down or virtual), mtu in
 * bytes, counters in bytes / packets since the interface appeared, rates
 * in bits per second and packets per second (-1 until two polls gave a
 * valid delta), SR-IOV counts in VFs (-1 when not an SR-IOV device). */
#ifndef VD_METRICS_NETCLASS_H
#define VD_METRICS_NETCLASS_H

#include <stddef.h>
#include <stdint.h>

#include "metrics/ethtool.h"
#include "metrics/netdev.h"

struct vd_err;

struct nic {
	char     name[NIC_NAME_MAX];
	char     operstate[16];         /* "up", "down", "unknown", ... ("" unknown) */
	int64_t  speed_mbps;
	int64_t  mtu;                   /* -1 unknown */
	int64_t  ifindex;               /* -1 unknown; tells a renamed NIC apart */
	int      physical;              /* has a device/ link (a real or VF NIC) */
	int64_t  sriov_numvfs, sriov_totalvfs;
	uint64_t rx_bytes, tx_bytes, rx_packets, tx_packets;
	uint64_t rx_dropped, tx_dropped, rx_errors, tx_errors;
	int      has_counters;
	char     bond_master[NIC_NAME_MAX];   /* set when a bond port */
	char     bond_mii[16];          /* sysfs bonding_slave/mii_status */
	double   rx_bps, tx_bps, rx_pps, tx_pps;
	struct coalesce coalesce;       /* coalesce.parsed = 0 when not collected */
	char     device[24];            /* last part of its device link (0000:3b:00.0, virtio0), "" unknown */
	unsigned irq_queues;            /* interrupts of its queues in /proc/interrupts (host_net.c) */
	size_t   irq_first;             /* the first of them in host_metrics.nic_queues */
	uint64_t irq_count;             /* their total since boot */
	double   irq_rate;              /* interrupts/s, -1 unknown */
};

void nic_init(struct nic *nic, const char *name);
/* Applies one file below /sys/class/net/<if>/: attr is "operstate",
 * "speed", "mtu", "statistics/rx_bytes", "device/sriov_numvfs", ...
 * Unknown attributes are ignored (0); bad values give -1. */
int  netclass_set(struct nic *nic, const char *attr, const char *buf, size_t len,
		  struct vd_err *err);
/* Copies /proc/net/dev counters in (sysfs statistics take precedence when
 * both were read: they are 64-bit on every kernel). */
void nic_apply_netdev(struct nic *nic, const struct netdev_stat *s);

#endif

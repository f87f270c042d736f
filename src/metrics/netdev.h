/* netdev.h — /proc/net/dev interface counters.
 *
 * Counters are totals since the interface appeared: bytes and packets.
 * They may be 32-bit on old drivers and wrap; see host_metrics_rates. */
#ifndef VD_METRICS_NETDEV_H
#define VD_METRICS_NETDEV_H

#include <stddef.h>
#include <stdint.h>

struct vd_err;

#define NIC_NAME_MAX 32

struct netdev_stat {
	char     name[NIC_NAME_MAX];
	uint64_t rx_bytes, rx_packets, rx_errors, rx_dropped;
	uint64_t tx_bytes, tx_packets, tx_errors, tx_dropped;
};

/* Fills an x_calloc'd array (*out, *n).  The two header lines and lines
 * that are not "name: 16 numbers" are skipped; a name longer than
 * NIC_NAME_MAX-1 is an error. */
int parse_netdev(const char *buf, size_t len, struct netdev_stat **out, size_t *n,
		 struct vd_err *err);

#endif

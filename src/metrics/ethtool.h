/* ethtool.h — `ethtool -c IFACE` (interrupt coalescing) output.
 *
 * Both the ioctl-era ("Adaptive RX: off  TX: off", "rx-usecs: 0") and the
 * netlink-era ("rx-usecs:\t3", "n/a" values, "CQE mode RX: n/a  TX: n/a")
 * formats.  Times in microseconds, frames in packets; -1 means "n/a" or
 * absent.  "Operation not supported" gives supported = 0 and is not an
 * error. */
#ifndef VD_METRICS_ETHTOOL_H
#define VD_METRICS_ETHTOOL_H

#include <stddef.h>
#include <stdint.h>

struct vd_err;

struct coalesce {
	int     parsed;          /* a coalesce report was found */
	int     supported;       /* 0: driver refused ("Operation not supported") */
	char    iface[32];
	int     adaptive_rx, adaptive_tx;   /* 1 on, 0 off, -1 n/a */
	int64_t rx_usecs, rx_frames, rx_usecs_irq, rx_frames_irq;
	int64_t tx_usecs, tx_frames, tx_usecs_irq, tx_frames_irq;
	int64_t stats_block_usecs, sample_interval, pkt_rate_low, pkt_rate_high;
	int64_t rx_usecs_low, rx_frames_low, tx_usecs_low, tx_frames_low;
	int64_t rx_usecs_high, rx_frames_high, tx_usecs_high, tx_frames_high;
};

/* -1 on output that is neither a report nor a known refusal (e.g. "No
 * such device", an empty buffer). */
int parse_ethtool_coalesce(const char *buf, size_t len, struct coalesce *out, struct vd_err *err);

#endif

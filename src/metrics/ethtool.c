/* ethtool.c — parse `ethtool -c` output in its legacy and netlink forms. */
#include "metrics/ethtool.h"

#include "core/err.h"
#include "core/xalloc.h"
#include "metrics/text.h"

#include <string.h>

#define CO(k, f) { k, offsetof(struct coalesce, f) }
static const struct { const char *key; size_t off; } fields[] = {
	CO("rx-usecs", rx_usecs), CO("rx-frames", rx_frames),
	CO("rx-usecs-irq", rx_usecs_irq), CO("rx-frames-irq", rx_frames_irq),
	CO("tx-usecs", tx_usecs), CO("tx-frames", tx_frames),
	CO("tx-usecs-irq", tx_usecs_irq), CO("tx-frames-irq", tx_frames_irq),
	CO("stats-block-usecs", stats_block_usecs), CO("sample-interval", sample_interval),
	CO("pkt-rate-low", pkt_rate_low), CO("pkt-rate-high", pkt_rate_high),
	CO("rx-usecs-low", rx_usecs_low), CO("rx-frames-low", rx_frames_low),
	CO("rx-frame-low", rx_frames_low), CO("tx-usecs-low", tx_usecs_low),
	CO("tx-frames-low", tx_frames_low), CO("tx-frame-low", tx_frames_low),
	CO("rx-usecs-high", rx_usecs_high), CO("rx-frames-high", rx_frames_high),
	CO("rx-frame-high", rx_frames_high), CO("tx-usecs-high", tx_usecs_high),
	CO("tx-frames-high", tx_frames_high), CO("tx-frame-high", tx_frames_high),
};

static int on_off(const char *s)
{
	if (text_prefix(s, "on"))
		return 1;
	if (text_prefix(s, "off"))
		return 0;
	return -1;
}

int parse_ethtool_coalesce(const char *buf, size_t len, struct coalesce *out, struct vd_err *err)
{
	char *text = text_dup(buf, len), *cur = text, *line;
	int refused = 0, other_error = 0;
	memset(out, 0, sizeof(*out));
	out->adaptive_rx = out->adaptive_tx = -1;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		*(int64_t *)((char *)out + fields[i].off) = -1;

	while ((line = text_next_line(&cur))) {
		char *p = text_skip_ws(line);
		if (strstr(p, "Operation not supported")) {
			refused = 1;
			continue;
		}
		if (text_prefix(p, "Cannot ") || text_prefix(p, "netlink error")) {
			other_error = 1;
			continue;
		}
		if (text_prefix(p, "Coalesce parameters for ")) {
			char *name = p + 24;
			char *colon = strrchr(name, ':');
			if (colon)
				*colon = '\0';
			text_copy(out->iface, sizeof(out->iface), name);
			out->parsed = 1;
			continue;
		}
		if (text_prefix(p, "Adaptive RX:")) {
			char *tx = strstr(p, "TX:");
			out->adaptive_rx = on_off(text_skip_ws(p + 12));
			if (tx)
				out->adaptive_tx = on_off(text_skip_ws(tx + 3));
			out->parsed = 1;
			continue;
		}
		char *colon = strchr(p, ':');
		if (!colon)
			continue;
		*colon = '\0';
		char *v = text_rtrim(text_skip_ws(colon + 1));
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
			if (strcmp(p, fields[i].key) != 0)
				continue;
			int64_t x = -1;
			char *q = v;
			if (strcmp(v, "n/a") != 0 && text_i64(&q, &x) < 0)
				x = -1;
			*(int64_t *)((char *)out + fields[i].off) = x;
			out->parsed = 1;
		}
	}
	x_free(&text);
	if (refused) {
		out->supported = 0;
		out->parsed = 1;
		return 0;
	}
	out->supported = out->parsed;
	if (!out->parsed || other_error) {
		out->supported = 0;
		return err_set(err, VD_EINVAL, "not ethtool -c output");
	}
	return 0;
}

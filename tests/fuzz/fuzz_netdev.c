/* fuzz_netdev.c — libFuzzer target: parse_netdev on arbitrary bytes.
 * Invariants: no more interfaces than lines, each name non-empty, short
 * and free of ':' and blanks at its ends; the records written back in
 * /proc/net/dev form parse to the same records (round trip); time per
 * byte is bounded. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "fuzz_check.h"
#include "metrics/netdev.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void format(const struct netdev_stat *s, size_t n, struct strbuf *sb)
{
	sb_append(sb, "Inter-|   Receive\n face |bytes    packets\n");
	for (size_t i = 0; i < n; i++)
		sb_appendf(sb, "%s: %llu %llu %llu %llu 0 0 0 0 %llu %llu %llu %llu 0 0 0 0\n", s[i].name,
			   (unsigned long long)s[i].rx_bytes, (unsigned long long)s[i].rx_packets,
			   (unsigned long long)s[i].rx_errors, (unsigned long long)s[i].rx_dropped,
			   (unsigned long long)s[i].tx_bytes, (unsigned long long)s[i].tx_packets,
			   (unsigned long long)s[i].tx_errors, (unsigned long long)s[i].tx_dropped);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct vd_err e;
	err_clear(&e);
	struct netdev_stat *s = NULL, *s2 = NULL;
	size_t n = 0, n2 = 0;
	double t0 = fuzz_clock_start();
	int rc = parse_netdev(buf, size, &s, &n, &e);
	fuzz_clock_check(t0, size, "parse_netdev");
	if (rc < 0) {
		FUZZ_ASSERT(e.msg[0] && !s && !n);
		return 0;
	}
	/* "a:" and 16 numbers: at least 33 bytes a line */
	FUZZ_ASSERT(n <= size / 33);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(s[i].name);
		FUZZ_ASSERT(l > 0 && l < NIC_NAME_MAX && !strchr(s[i].name, ':'));
		FUZZ_ASSERT(s[i].name[0] != ' ' && s[i].name[l - 1] != ' ');
	}
	struct strbuf sb;
	sb_init(&sb);
	format(s, n, &sb);
	FUZZ_ASSERT(parse_netdev(sb.buf, sb.len, &s2, &n2, &e) == 0);
	FUZZ_ASSERT(n2 == n && (n == 0 || memcmp(s, s2, n * sizeof(*s)) == 0));
	sb_free(&sb);
	x_free(&s);
	x_free(&s2);
	return 0;
}

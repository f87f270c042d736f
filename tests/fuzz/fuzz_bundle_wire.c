/* fuzz_bundle_wire.c — libFuzzer target: the poll script's reply decoded
 * into a bundle (metrics/bundle_wire.c), then parsed.
 *
 * Invariants: decoding is deterministic and idempotent (a decoded bundle
 * decodes to itself: no G or P section survives, no file keeps a 0x1E);
 * the output is bounded by the input (each VM line is at most 16 node
 * sums, and each VM needs a few input bytes); the parsers take the result;
 * the time per input byte is bounded. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "fuzz_check.h"
#include "metrics/bundle.h"
#include "metrics/host_metrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct strbuf a, b, c;
	sb_init(&a);
	sb_init(&b);
	sb_init(&c);
	double t0 = fuzz_clock_start();
	bundle_wire_decode(buf, size, &a);
	fuzz_clock_check(t0, size, "bundle_wire_decode");
	bundle_wire_decode(buf, size, &b);
	FUZZ_ASSERT(a.len == b.len && (!a.len || !memcmp(a.buf, b.buf, a.len)));
	FUZZ_ASSERT(a.len <= 64 * size + 64);
	bundle_wire_decode(a.buf, a.len, &c);
	FUZZ_ASSERT(c.len == a.len && (!a.len || !memcmp(a.buf, c.buf, a.len)));
	struct host_metrics m;
	struct vd_err e;
	err_clear(&e);
	if (host_metrics_parse(a.buf, a.len, 1.0, &m, &e) == 0)
		host_metrics_free(&m);
	sb_free(&a);
	sb_free(&b);
	sb_free(&c);
	return 0;
}

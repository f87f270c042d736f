/* fuzz_bundle.c — libFuzzer target: bundle_split and the whole host_metrics pipeline (parse, rates, alerts) on arbitrary bytes must not crash,
 * leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "metrics/bundle.h"
#include "metrics/host_metrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct vd_err e;
	err_clear(&e);
	struct host_metrics a, b;
	struct host_alert *al = NULL;
	if (host_metrics_parse(buf, size, 1.0, &a, &e) < 0)
		return 0;
	/* the same bundle a second later: rates over every counter path */
	if (host_metrics_parse(buf, size, 2.0, &b, &e) == 0) {
		host_metrics_rates(&a, &b);
		host_metrics_alerts(&b, &al);
		x_free(&al);
		host_metrics_free(&b);
	}
	host_metrics_free(&a);
	return 0;
}

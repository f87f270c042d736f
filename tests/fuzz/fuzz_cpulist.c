/* fuzz_cpulist.c — libFuzzer target: parse_cpulist on arbitrary bytes.
 * Invariants: the result is sorted, unique and within 0..CPULIST_MAX_CPU;
 * written back as ranges ("0-3,8") it parses to the same CPUs (round
 * trip); cpulist_has finds each of them; a refused list says why; time
 * per byte is bounded (a range costs its width over 64, not a loop per
 * CPU). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "fuzz_check.h"
#include "metrics/cpulist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void format(const int *c, size_t n, struct strbuf *sb)
{
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && c[j + 1] == c[j] + 1)
			j++;
		if (j > i)
			sb_appendf(sb, "%s%d-%d", sb->len ? "," : "", c[i], c[j]);
		else
			sb_appendf(sb, "%s%d", sb->len ? "," : "", c[i]);
		i = j + 1;
	}
	sb_appendc(sb, '\n');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vd_err e;
	int *c = NULL, *c2 = NULL;
	size_t n = 0, n2 = 0;
	err_clear(&e);
	double t0 = fuzz_clock_start();
	int rc = parse_cpulist((const char *)data, size, &c, &n, &e);
	fuzz_clock_check(t0, size, "parse_cpulist");
	if (rc < 0) {
		FUZZ_ASSERT(e.msg[0] && !c && !n);
		return 0;
	}
	FUZZ_ASSERT(n <= CPULIST_MAX_CPU + 1 && (n == 0) == (c == NULL));
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(c[i] >= 0 && c[i] <= CPULIST_MAX_CPU && (i == 0 || c[i - 1] < c[i]));
		FUZZ_ASSERT(cpulist_has(c, n, c[i]));
	}
	struct strbuf sb;
	sb_init(&sb);
	format(c, n, &sb);
	FUZZ_ASSERT(parse_cpulist(sb.buf, sb.len, &c2, &n2, &e) == 0);
	FUZZ_ASSERT(n2 == n && (n == 0 || memcmp(c, c2, n * sizeof(*c)) == 0));
	/* the same CPUs added one by one, highest first, give the same array */
	int *c3 = NULL;
	size_t n3 = 0, cap3 = 0;
	for (size_t i = n; i-- > 0;)
		cpulist_add(&c3, &n3, &cap3, c[i]);
	FUZZ_ASSERT(n3 == n && (n == 0 || memcmp(c, c3, n * sizeof(*c)) == 0));
	sb_free(&sb);
	x_free(&c);
	x_free(&c2);
	x_free(&c3);
	return 0;
}

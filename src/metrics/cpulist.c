/* cpulist.c — parse "0-3,8-11" CPU lists into sorted unique arrays. */
#include "metrics/cpulist.h"

#include "core/err.h"
#include "core/xalloc.h"
#include "metrics/text.h"

#include <stdint.h>
#include <string.h>

int cpulist_has(const int *cpus, size_t n, int cpu)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cpus[mid] == cpu)
			return 1;
		if (cpus[mid] < cpu)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

void cpulist_add(int **cpus, size_t *n, size_t *cap, int cpu)
{
	size_t i = *n;
	if (*n && (*cpus)[*n - 1] < cpu) {
		/* common case: ascending input */
	} else {
		if (cpulist_has(*cpus, *n, cpu))
			return;
		for (i = 0; i < *n && (*cpus)[i] < cpu; i++)
			;
	}
	x_grow(cpus, cap, *n + 1, sizeof(**cpus));
	memmove(*cpus + i + 1, *cpus + i, (*n - i) * sizeof(**cpus));
	(*cpus)[i] = cpu;
	(*n)++;
}

/* Two passes: ranges first (to learn the highest CPU), then a bitmap just
 * that large, so "0-3" costs a few bytes, not a 64K-bit scan. */
int parse_cpulist(const char *buf, size_t len, int **cpus, size_t *n, struct vd_err *err)
{
	char *text = text_dup(buf, len);
	char *p = text;
	uint64_t (*ranges)[2] = NULL;
	size_t nranges = 0, rcap = 0;
	uint64_t max = 0;
	unsigned char *bits = NULL;
	int rc = -1;

	p = text_skip_ws(text_rtrim(p));
	while (*p) {
		uint64_t a, b;
		if (text_u64(&p, &a) < 0 || a > CPULIST_MAX_CPU)
			goto bad;
		b = a;
		if (*p == '-') {
			p++;
			if (text_u64(&p, &b) < 0 || b > CPULIST_MAX_CPU || b < a)
				goto bad;
		}
		x_grow(&ranges, &rcap, nranges + 1, sizeof(*ranges));
		ranges[nranges][0] = a;
		ranges[nranges][1] = b;
		nranges++;
		if (b > max)
			max = b;
		if (*p == ',')
			p++;
		else if (*p)
			goto bad;
	}
	size_t cnt = 0, cap = 0;
	int *out = NULL;
	if (nranges) {
		bits = x_calloc(max / 8 + 1, 1);
		for (size_t r = 0; r < nranges; r++)
			for (uint64_t c = ranges[r][0]; c <= ranges[r][1]; c++)
				bits[c / 8] |= (unsigned char)(1u << (c % 8));
		for (uint64_t c = 0; c <= max; c++)
			if (bits[c / 8] & (1u << (c % 8))) {
				x_grow(&out, &cap, cnt + 1, sizeof(*out));
				out[cnt++] = (int)c;
			}
	}
	*cpus = out;
	*n = cnt;
	rc = 0;
	goto out;
bad:
	err_set(err, VD_EINVAL, "bad CPU list near \"%.20s\"", p);
out:
	x_free(&ranges);
	x_free(&bits);
	x_free(&text);
	return rc;
}

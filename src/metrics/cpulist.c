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

/* First position whose CPU is not below cpu. */
static size_t lower_bound(const int *cpus, size_t n, int cpu)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cpus[mid] < cpu)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void cpulist_add(int **cpus, size_t *n, size_t *cap, int cpu)
{
	size_t i = lower_bound(*cpus, *n, cpu);
	if (i < *n && (*cpus)[i] == cpu)
		return;
	x_grow(cpus, cap, *n + 1, sizeof(**cpus));
	memmove(*cpus + i + 1, *cpus + i, (*n - i) * sizeof(**cpus));
	(*cpus)[i] = cpu;
	(*n)++;
}

#define WORDS ((CPULIST_MAX_CPU + 64) / 64)

/* Sets bits a..b of the bitmap a word at a time: a range costs its width
 * over 64, however many times the text repeats it. */
static void set_span(uint64_t *bits, unsigned a, unsigned b)
{
	unsigned wa = a / 64, wb = b / 64;
	uint64_t first = ~UINT64_C(0) << (a % 64);
	uint64_t last = ~UINT64_C(0) >> (63 - b % 64);
	if (wa == wb) {
		bits[wa] |= first & last;
		return;
	}
	bits[wa] |= first;
	for (unsigned w = wa + 1; w < wb; w++)
		bits[w] = ~UINT64_C(0);
	bits[wb] |= last;
}

/* One pass into a fixed bitmap of every CPU number the kernel can have. */
int parse_cpulist(const char *buf, size_t len, int **cpus, size_t *n, struct vd_err *err)
{
	char *text = text_dup(buf, len);
	char *p = text_skip_ws(text_rtrim(text));
	uint64_t bits[WORDS] = { 0 }, a, b;
	unsigned max = 0;
	int any = 0, rc = -1;

	*cpus = NULL;
	*n = 0;
	while (*p) {
		if (text_u64(&p, &a) < 0)
			goto bad;
		b = a;
		if (*p == '-') {
			p++;
			if (text_u64(&p, &b) < 0 || b < a)
				goto bad;
		}
		if (b > CPULIST_MAX_CPU) {
			err_set(err, VD_EINVAL, "bad CPU list: CPU number %llu above %d (the largest Linux has)",
				(unsigned long long)b, CPULIST_MAX_CPU);
			goto out;
		}
		set_span(bits, (unsigned)a, (unsigned)b);
		if (!any || b > max)
			max = (unsigned)b;
		any = 1;
		if (*p == ',')
			p++;
		else if (*p)
			goto bad;
	}
	if (any) {
		size_t cnt = 0;
		int *out = x_malloc(((size_t)max + 1) * sizeof(*out));
		for (unsigned w = 0; w <= max / 64; w++)
			for (uint64_t x = bits[w]; x; x &= x - 1)
				out[cnt++] = (int)(w * 64 + (unsigned)__builtin_ctzll(x));
		*cpus = out;
		*n = cnt;
	}
	rc = 0;
	goto out;
bad:
	err_set(err, VD_EINVAL, "bad CPU list near \"%.20s\"", p);
out:
	x_free(&text);
	return rc;
}

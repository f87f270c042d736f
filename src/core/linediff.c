/* linediff.c — line diff by longest common subsequence (quadratic table,
 * bounded by LINEDIFF_MAX_LINES: network XML is a few dozen lines). */
#include "core/linediff.h"
#include "core/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct lines {
	const char **at;
	size_t      *len;
	size_t       n;
};

static void split(const char *s, struct lines *l)
{
	size_t cap = 0;
	memset(l, 0, sizeof *l);
	size_t lcap = 0;
	while (s && *s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		x_grow(&l->at, &cap, l->n + 1, sizeof *l->at);
		x_grow(&l->len, &lcap, l->n + 1, sizeof *l->len);
		l->at[l->n] = s;
		l->len[l->n++] = n;
		s += n + (nl ? 1 : 0);
	}
}

static int same(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && !memcmp(a->at[i], b->at[j], a->len[i]);
}

static void emit(struct strbuf *out, const char *mark, const struct lines *l, size_t i)
{
	sb_append(out, mark);
	sb_append_n(out, l->at[i], l->len[i]);
	sb_append(out, "\n");
}

size_t line_diff(const char *a, const char *b, struct strbuf *out)
{
	struct lines la, lb;
	split(a, &la);
	split(b, &lb);
	size_t changed = 0;
	if (la.n > LINEDIFF_MAX_LINES || lb.n > LINEDIFF_MAX_LINES) {
		for (size_t i = 0; i < la.n; i++, changed++)
			emit(out, "- ", &la, i);
		for (size_t j = 0; j < lb.n; j++, changed++)
			emit(out, "+ ", &lb, j);
		goto out;
	}
	/* lcs[i][j]: common lines of a[i..] and b[j..] */
	size_t w = lb.n + 1;
	uint32_t *lcs = x_calloc((la.n + 1) * w, sizeof *lcs);
	for (size_t i = la.n; i-- > 0;)
		for (size_t j = lb.n; j-- > 0;)
			lcs[i * w + j] = same(&la, i, &lb, j) ? lcs[(i + 1) * w + j + 1] + 1
				       : lcs[(i + 1) * w + j] > lcs[i * w + j + 1] ? lcs[(i + 1) * w + j]
				       : lcs[i * w + j + 1];
	size_t i = 0, j = 0;
	while (i < la.n || j < lb.n) {
		if (i < la.n && j < lb.n && same(&la, i, &lb, j)) {
			emit(out, "  ", &la, i++);
			j++;
		} else if (i < la.n && (j == lb.n || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
			emit(out, "- ", &la, i++);
			changed++;
		} else {
			emit(out, "+ ", &lb, j++);
			changed++;
		}
	}
	free(lcs);
out:
	free(la.at);
	free(la.len);
	free(lb.at);
	free(lb.len);
	return changed;
}

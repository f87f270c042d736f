/* nameidx.c — a sorted index of record positions, searched by name. */
#include "metrics/nameidx.h"

#include "core/xalloc.h"

#include <string.h>

static const char *name_at(const struct name_index *ix, const void *base, size_t pos)
{
	return (const char *)base + pos * ix->stride + ix->name_off;
}

long name_index_find(const struct name_index *ix, const void *base, const char *name, size_t *slot)
{
	size_t lo = 0, hi = ix->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name_at(ix, base, ix->pos[mid]), name);
		if (c == 0) {
			*slot = mid;
			return (long)ix->pos[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*slot = lo;
	return -1;
}

void name_index_insert(struct name_index *ix, size_t slot, size_t pos)
{
	x_grow(&ix->pos, &ix->cap, ix->n + 1, sizeof(*ix->pos));
	memmove(ix->pos + slot + 1, ix->pos + slot, (ix->n - slot) * sizeof(*ix->pos));
	ix->pos[slot] = (uint32_t)pos;
	ix->n++;
}

void name_index_free(struct name_index *ix)
{
	x_free(&ix->pos);
	ix->n = ix->cap = 0;
}

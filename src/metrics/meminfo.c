/* meminfo.c — parse /proc/meminfo ("MemTotal:  16318392 kB"). */
#include "metrics/meminfo.h"

#include "core/err.h"
#include "core/xalloc.h"
#include "metrics/text.h"

#include <string.h>

static const struct { const char *key; size_t off; } keys[] = {
	{ "MemTotal", offsetof(struct meminfo, total) },
	{ "MemFree", offsetof(struct meminfo, free) },
	{ "MemAvailable", offsetof(struct meminfo, available) },
	{ "Buffers", offsetof(struct meminfo, buffers) },
	{ "Cached", offsetof(struct meminfo, cached) },
	{ "SwapTotal", offsetof(struct meminfo, swap_total) },
	{ "SwapFree", offsetof(struct meminfo, swap_free) },
	{ "Shmem", offsetof(struct meminfo, shmem) },
	{ "Slab", offsetof(struct meminfo, slab) },
	{ "AnonHugePages", offsetof(struct meminfo, anon_huge_pages) },
	{ "Hugepagesize", offsetof(struct meminfo, hugepage_size) },
	{ "HugePages_Total", offsetof(struct meminfo, hugepages_total) },
	{ "HugePages_Free", offsetof(struct meminfo, hugepages_free) },
};

int parse_meminfo(const char *buf, size_t len, struct meminfo *out, struct vd_err *err)
{
	char *text = text_dup(buf, len), *cur = text, *line;
	int has_total = 0;
	memset(out, 0, sizeof(*out));
	while ((line = text_next_line(&cur))) {
		char *colon = strchr(line, ':');
		uint64_t v;
		if (!colon)
			continue;
		*colon = '\0';
		char *p = colon + 1;
		if (text_u64(&p, &v) < 0)
			continue;
		p = text_skip_ws(p);
		if (p[0] == 'k' && p[1] == 'B')
			v = text_mul_sat(v, 1024);
		char *key = text_skip_ws(line);
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			if (strcmp(key, keys[i].key) != 0)
				continue;
			*(uint64_t *)((char *)out + keys[i].off) = v;
			if (i == 0)
				has_total = 1;
			if (i == 2)
				out->has_available = 1;
		}
	}
	x_free(&text);
	if (!has_total)
		return err_set(err, VD_EINVAL, "meminfo without MemTotal");
	if (!out->has_available) {
		uint64_t a = out->free + out->buffers;
		a = a < out->free ? UINT64_MAX : a;
		out->available = a + out->cached < a ? UINT64_MAX : a + out->cached;
	}
	return 0;
}

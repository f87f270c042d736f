/* vmnuma.c — per-VM NUMA memory from numa_maps. */
#include "metrics/vmnuma.h"
#include "core/err.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Next whitespace-separated word in [p, end): sets *w and *wl, returns the rest. */
static const char *word(const char *p, const char *end, const char **w, size_t *wl)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	const char *s = p;
	while (p < end && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	*w = s;
	*wl = (size_t)(p - s);
	return p;
}

static int node_value(const char *w, size_t wl, unsigned *node, uint64_t *value)
{
	if (wl < 4 || w[0] != 'N')
		return -1;
	char tmp[48];
	if (wl >= sizeof tmp)
		return -1;
	memcpy(tmp, w, wl);
	tmp[wl] = '\0';
	char *eq = strchr(tmp, '='), *end;
	if (!eq)
		return -1;
	unsigned long n = strtoul(tmp + 1, &end, 10);
	if (end != eq || end == tmp + 1 || n >= VM_NUMA_MAX_NODES)
		return -1;
	unsigned long long v = strtoull(eq + 1, &end, 10);
	if (*end || end == eq + 1)
		return -1;
	*node = (unsigned)n;
	*value = v;
	return 0;
}

void numa_maps_sum(const char *buf, size_t len, uint64_t bytes[VM_NUMA_MAX_NODES], unsigned *nodes)
{
	const char *p = buf, *end = buf + len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		uint64_t page_kb = 4, pages[VM_NUMA_MAX_NODES] = { 0 };
		unsigned seen = 0;
		const char *q = p, *w;
		size_t wl;
		while ((q = word(q, eol, &w, &wl)), wl) {
			unsigned node;
			uint64_t v;
			if (wl > 18 && !strncmp(w, "kernelpagesize_kB=", 18))
				page_kb = strtoull(w + 18, NULL, 10);
			else if (node_value(w, wl, &node, &v) == 0) {
				pages[node] += v;
				if (node + 1 > seen)
					seen = node + 1;
			}
		}
		for (unsigned i = 0; i < seen; i++)
			bytes[i] += pages[i] * page_kb * 1024;
		if (seen > *nodes)
			*nodes = seen;
		p = eol + 1;
	}
}

int parse_vm_numa(const char *buf, size_t len, struct vm_numa **out, size_t *n, size_t *cap,
		  struct vd_err *err)
{
	(void)err;
	const char *p = buf, *end = buf + len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		const char *w;
		size_t wl;
		const char *q = word(p, eol, &w, &wl);
		/* a name with a NUL in it would read as a shorter, other name */
		if (wl && wl < sizeof((*out)->name) && !memchr(w, '\0', wl)) {
			struct vm_numa v;
			memset(&v, 0, sizeof v);
			memcpy(v.name, w, wl);
			int ok = 1;
			while ((q = word(q, eol, &w, &wl)), wl) {
				unsigned node;
				uint64_t bytes;
				if (node_value(w, wl, &node, &bytes) < 0) {
					ok = 0;
					break;
				}
				v.bytes[node] = bytes;
				if (node + 1 > v.nodes)
					v.nodes = node + 1;
			}
			if (ok) {
				x_grow(out, cap, *n + 1, sizeof **out);
				(*out)[(*n)++] = v;
			}
		}
		p = eol + 1;
	}
	return 0;
}

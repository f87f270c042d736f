/* numa.c — NUMA node files (cpulist, cpuN, meminfo, distance, hugepages). */
#include "metrics/numa.h"

#include "core/err.h"
#include "core/xalloc.h"
#include "metrics/cpulist.h"
#include "metrics/text.h"

#include <string.h>

#define NUMA_MAX_NODE (NUMA_MAX_NODES - 1)

struct meminfo_key {
	const char *key;
	size_t      off;
	int         has_off;  /* offset of a has_ flag, or -1 */
};

#define MI(k, f) { k, offsetof(struct numa_meminfo, f), -1 }
#define MIH(k, f, h) { k, offsetof(struct numa_meminfo, f), (int)offsetof(struct numa_meminfo, h) }
static const struct meminfo_key node_keys[] = {
	MIH("MemTotal", mem_total, has_total),
	MIH("MemFree", mem_free, has_free),
	MIH("MemUsed", mem_used, has_used),
	MI("FilePages", file_pages),
	MI("AnonPages", anon_pages),
	MI("Active", active),
	MI("Inactive", inactive),
	MI("Shmem", shmem),
	MI("Slab", slab),
	MI("AnonHugePages", anon_huge_pages),
	MI("HugePages_Total", hugepages_total),
	MI("HugePages_Free", hugepages_free),
	MI("HugePages_Surp", hugepages_surp),
};

int parse_node_meminfo(const char *buf, size_t len, struct numa_meminfo *out, struct vd_err *err)
{
	char *text = text_dup(buf, len), *cur = text, *line;
	memset(out, 0, sizeof(*out));
	out->node = -1;
	while ((line = text_next_line(&cur))) {
		char *p = text_skip_ws(line);
		uint64_t id, v;
		if (!text_prefix(p, "Node "))
			continue;
		p += 5;
		if (text_u64(&p, &id) < 0 || id > NUMA_MAX_NODE)
			continue;
		p = text_skip_ws(p);
		char *colon = strchr(p, ':');
		if (!colon)
			continue;
		*colon = '\0';
		char *vp = colon + 1;
		if (text_u64(&vp, &v) < 0)
			continue;
		vp = text_skip_ws(vp);
		if (vp[0] == 'k' && vp[1] == 'B')
			v = text_mul_sat(v, 1024);
		if (out->node < 0)
			out->node = (int)id;
		for (size_t i = 0; i < sizeof(node_keys) / sizeof(node_keys[0]); i++) {
			if (strcmp(p, node_keys[i].key) != 0)
				continue;
			*(uint64_t *)((char *)out + node_keys[i].off) = v;
			if (node_keys[i].has_off >= 0)
				*(int *)((char *)out + node_keys[i].has_off) = 1;
		}
	}
	x_free(&text);
	if (!out->has_total) {
		return err_set(err, VD_EINVAL, "node meminfo without MemTotal");
	}
	if (!out->has_used && out->mem_total >= out->mem_free)
		out->mem_used = out->mem_total - out->mem_free;
	return 0;
}

int parse_node_distance(const char *buf, size_t len, int **dist, size_t *n, struct vd_err *err)
{
	char *text = text_dup(buf, len), *p = text;
	int *out = NULL;
	size_t cnt = 0, cap = 0;
	for (;;) {
		uint64_t v;
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		if (text_u64(&p, &v) < 0 || v > 1000000 || cnt > NUMA_MAX_NODE) {
			x_free(&out);
			x_free(&text);
			return err_set(err, VD_EINVAL, "bad NUMA distance list");
		}
		x_grow(&out, &cap, cnt + 1, sizeof(*out));
		out[cnt++] = (int)v;
	}
	x_free(&text);
	*dist = out;
	*n = cnt;
	return 0;
}

int parse_hugepages_dirname(const char *name, uint64_t *page_size)
{
	char *p = (char *)name;
	uint64_t kb;
	if (!text_prefix(p, "hugepages-"))
		return -1;
	p += 10;
	if (text_u64(&p, &kb) < 0 || strcmp(p, "kB") != 0 || kb == 0 || kb > (UINT64_MAX >> 10))
		return -1;
	*page_size = kb << 10;
	return 0;
}

int hugepage_pool_set(struct hugepage_pool **pools, size_t *n, uint64_t page_size,
		      int is_free, uint64_t value)
{
	size_t i;
	for (i = 0; i < *n && (*pools)[i].page_size < page_size; i++)
		;
	if (i == *n || (*pools)[i].page_size != page_size) {
		if (*n >= HUGEPAGE_MAX_SIZES)
			return -1;
		*pools = x_realloc(*pools, (*n + 1) * sizeof(**pools));
		memmove(*pools + i + 1, *pools + i, (*n - i) * sizeof(**pools));
		memset(*pools + i, 0, sizeof(**pools));
		(*pools)[i].page_size = page_size;
		(*n)++;
	}
	if (is_free) {
		(*pools)[i].free = value;
		(*pools)[i].has_free = 1;
	} else {
		(*pools)[i].nr = value;
		(*pools)[i].has_nr = 1;
	}
	return 0;
}

struct numa_node *numa_node_get(struct numa_topo *t, int id)
{
	size_t i = 0, hi = t->n;
	while (i < hi) {
		size_t mid = i + (hi - i) / 2;
		if (t->nodes[mid].id < id)
			i = mid + 1;
		else
			hi = mid;
	}
	if (i < t->n && t->nodes[i].id == id)
		return &t->nodes[i];
	x_grow(&t->nodes, &t->cap, t->n + 1, sizeof(*t->nodes));
	memmove(t->nodes + i + 1, t->nodes + i, (t->n - i) * sizeof(*t->nodes));
	memset(&t->nodes[i], 0, sizeof(t->nodes[i]));
	t->nodes[i].id = id;
	t->nodes[i].mem.node = -1;
	t->nodes[i].cpu_util = -1;
	t->n++;
	return &t->nodes[i];
}

/* "nodeN" then '/' or end: returns N, or -1 for another name, -2 for a
 * node number Linux cannot have; *rest after the slash. */
static int node_prefix(const char *rel, const char **rest)
{
	char *p = (char *)rel;
	uint64_t id;
	if (!text_prefix(p, "node"))
		return -1;
	p += 4;
	if (*p < '0' || *p > '9' || text_u64(&p, &id) < 0)
		return -1;
	if (*p == '/')
		p++;
	else if (*p)
		return -1;
	if (id > NUMA_MAX_NODE)
		return -2;
	*rest = p;
	return (int)id;
}

static int node_hugepages(struct numa_node *nd, const char *rest, const char *data, size_t n,
			  struct vd_err *err)
{
	char dir[64];
	const char *slash = strchr(rest, '/');
	uint64_t size, v;
	if (!slash || (size_t)(slash - rest) >= sizeof(dir))
		return 0;
	memcpy(dir, rest, (size_t)(slash - rest));
	dir[slash - rest] = '\0';
	if (parse_hugepages_dirname(dir, &size) < 0)
		return 0;
	int is_free = strcmp(slash + 1, "free_hugepages") == 0;
	if (!is_free && strcmp(slash + 1, "nr_hugepages") != 0)
		return 0;
	char *text = text_dup(data, n);
	int rc = text_u64_full(text, &v);
	x_free(&text);
	if (rc < 0)
		return err_set(err, VD_EINVAL, "node%d: bad hugepage count", nd->id);
	if (hugepage_pool_set(&nd->hugepages, &nd->nhugepages, size, is_free, v) < 0)
		return err_set(err, VD_EINVAL, "node%d: more than %d hugepage sizes", nd->id, HUGEPAGE_MAX_SIZES);
	return 0;
}

int numa_topo_add_file(struct numa_topo *t, const char *rel, const char *data, size_t n,
		       struct vd_err *err)
{
	const char *rest;
	int id = node_prefix(rel, &rest);
	if (id == -2)
		return err_set(err, VD_EINVAL, "NUMA node number above %d (the largest Linux has)", NUMA_MAX_NODE);
	if (id < 0)
		return 0;
	struct numa_node *nd = numa_node_get(t, id);
	if (strcmp(rest, "cpulist") == 0) {
		int *cpus;
		size_t cnt;
		if (parse_cpulist(data, n, &cpus, &cnt, err) < 0)
			return -1;
		x_free(&nd->cpus);
		nd->cpus = cpus;
		nd->ncpus = nd->cpus_cap = cnt;
		nd->has_cpulist = 1;
	} else if (text_prefix(rest, "cpu") && rest[3] >= '0' && rest[3] <= '9') {
		char *p = (char *)rest + 3;
		uint64_t cpu;
		if (text_u64(&p, &cpu) < 0 || *p || cpu > CPULIST_MAX_CPU)
			return 0;
		if (!nd->has_cpulist)
			cpulist_add(&nd->cpus, &nd->ncpus, &nd->cpus_cap, (int)cpu);
	} else if (strcmp(rest, "meminfo") == 0) {
		if (parse_node_meminfo(data, n, &nd->mem, err) < 0)
			return -1;
		nd->has_meminfo = 1;
	} else if (strcmp(rest, "distance") == 0) {
		x_free(&nd->distance);
		nd->ndistance = 0;
		return parse_node_distance(data, n, &nd->distance, &nd->ndistance, err);
	} else if (text_prefix(rest, "hugepages/")) {
		return node_hugepages(nd, rest + 10, data, n, err);
	}
	return 0;
}

int numa_topo_set_online(struct numa_topo *t, const char *data, size_t n, struct vd_err *err)
{
	int *cpus;
	size_t cnt;
	if (parse_cpulist(data, n, &cpus, &cnt, err) < 0)
		return -1;
	x_free(&t->online);
	t->online = cpus;
	t->nonline = cnt;
	t->has_online = 1;
	return 0;
}

int numa_cpu_online(const struct numa_topo *t, int cpu)
{
	return !t->has_online || cpulist_has(t->online, t->nonline, cpu);
}

void numa_topo_free(struct numa_topo *t)
{
	for (size_t i = 0; i < t->n; i++) {
		x_free(&t->nodes[i].cpus);
		x_free(&t->nodes[i].distance);
		x_free(&t->nodes[i].hugepages);
	}
	x_free(&t->nodes);
	x_free(&t->online);
	memset(t, 0, sizeof(*t));
}

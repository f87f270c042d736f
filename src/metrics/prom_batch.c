/* prom_batch.c — the hosts one set of queries serves, the queries, and
 * the routing of each answered series back to its host.
 *
 * Every host of a batch is selected by the same label names; the queries
 * match each name against the alternation of all hosts' values
 * (instance=~"10\\.0\\.0\\.7:9100|10\\.0\\.0\\.8:9100"), which may select
 * a few series of no host (a cross product of two labels): routing keeps
 * only series whose values are exactly one host's. */
#include "metrics/prom.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct batch_key {
	char *key;     /* the host's values in name order, '\x1f'-separated */
	size_t index;
};

struct prom_batch {
	char **names;              /* sorted label names */
	size_t nnames;
	struct prom_label *values; /* nhosts * nnames, in name order */
	struct batch_key *keys;    /* sorted by key */
	size_t nhosts;
};

/* Every series the model reads (metrics/prom_map.c), by name. */
static const char series_names[] =
	"up|node_uname_info"
	"|node_memory_(MemTotal|MemFree|MemAvailable|Buffers|Cached|SwapTotal|SwapFree|Shmem|Slab"
	"|AnonHugePages|Hugepagesize)_bytes|node_memory_HugePages_(Total|Free)"
	"|node_memory_numa_(MemTotal|MemFree|MemUsed|FilePages|AnonPages|Active|Inactive|Shmem|Slab"
	"|AnonHugePages|HugePages_Total|HugePages_Free|HugePages_Surp)"
	"|node_ksmd_(run|pages_shared|pages_sharing|pages_unshared|pages_volatile|pages_to_scan"
	"|full_scans_total|sleep_seconds|merge_across_nodes)"
	"|node_vmstat_(pswpin|pswpout|pgmajfault)"
	"|node_network_(info|mtu_bytes|speed_bytes)"
	"|node_network_(receive|transmit)_(bytes|packets|drop|errs)_total"
	"|node_bonding_(slaves|active)";

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct batch_key *)a)->key, ((const struct batch_key *)b)->key);
}

struct prom_batch *prom_batch_new(void)
{
	return x_calloc(1, sizeof(struct prom_batch));
}

void prom_batch_free(struct prom_batch **pb)
{
	struct prom_batch *b = *pb;
	if (!b)
		return;
	for (size_t i = 0; i < b->nnames; i++)
		free(b->names[i]);
	free(b->names);
	for (size_t i = 0; i < b->nhosts * b->nnames; i++)
		free(b->values[i].value);
	free(b->values);
	for (size_t i = 0; i < b->nhosts; i++)
		free(b->keys[i].key);
	free(b->keys);
	free(b);
	*pb = NULL;
}

size_t prom_batch_count(const struct prom_batch *b) { return b->nhosts; }

static const char *match_value(const struct prom_label *m, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(m[i].name, name))
			return m[i].value;
	return NULL;
}

long prom_batch_add(struct prom_batch *b, const struct prom_label *match, size_t n, struct vd_err *err)
{
	if (!n)
		return err_set(err, VD_EINVAL, "prometheus: a host needs at least one label matcher");
	if (!b->nhosts) {
		b->names = x_calloc(n, sizeof *b->names);
		for (size_t i = 0; i < n; i++)
			b->names[i] = x_strdup(match[i].name);
		b->nnames = n;
		qsort(b->names, n, sizeof *b->names, cmp_str);
	}
	if (n != b->nnames)
		return err_set(err, VD_EINVAL, "prometheus: hosts of one batch must use the same labels");
	for (size_t i = 0; i < n; i++)
		if (!match_value(match, n, b->names[i]))
			return err_set(err, VD_EINVAL, "prometheus: hosts of one batch must use the same labels");
	struct strbuf key;
	sb_init(&key);
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_appendc(&key, '\x1f');
		sb_append(&key, match_value(match, n, b->names[i]));
	}
	for (size_t i = 0; i < b->nhosts; i++)
		if (!strcmp(b->keys[i].key, key.buf)) {
			sb_free(&key);
			return err_set(err, VD_EINVAL, "prometheus: two hosts have the same label values");
		}
	size_t idx = b->nhosts;
	b->values = x_realloc(b->values, (idx + 1) * n * sizeof *b->values);
	for (size_t i = 0; i < n; i++) {
		b->values[idx * n + i].name = b->names[i];
		b->values[idx * n + i].value = x_strdup(match_value(match, n, b->names[i]));
	}
	b->keys = x_realloc(b->keys, (idx + 1) * sizeof *b->keys);
	b->keys[idx] = (struct batch_key){ .key = sb_detach(&key), .index = idx };
	b->nhosts++;
	qsort(b->keys, b->nhosts, sizeof *b->keys, cmp_key);
	return (long)idx;
}

long prom_batch_route(const struct prom_batch *b, const struct prom_sample *s)
{
	char buf[1024];
	size_t len = 0;
	for (size_t i = 0; i < b->nnames; i++) {
		const char *v = prom_sample_label(s, b->names[i]);
		size_t vl = v ? strlen(v) : 0;
		if (!v || len + vl + 2 > sizeof buf)
			return -1;
		if (i)
			buf[len++] = '\x1f';
		memcpy(buf + len, v, vl);
		len += vl;
	}
	buf[len] = '\0';
	struct batch_key want = { .key = buf };
	const struct batch_key *k = bsearch(&want, b->keys, b->nhosts, sizeof *b->keys, cmp_key);
	return k ? (long)k->index : -1;
}

/* A value as an RE2 literal inside a PromQL double-quoted string: regex
 * metacharacters get a backslash, then backslashes and quotes are escaped
 * for the string; control characters as \xHH. */
static void append_regex_literal(struct strbuf *sb, const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (strchr("\\.+*?()|[]{}^$", *p))
			sb_append(sb, "\\\\");
		if (*p == '\\' || *p == '"')
			sb_appendc(sb, '\\');
		if (*p < 0x20)
			sb_appendf(sb, "\\x%02x", *p);
		else
			sb_appendc(sb, (char)*p);
	}
}

/* name=~"v1|v2|...", each value once, for every label name. */
static void append_selector(struct strbuf *sb, const struct prom_batch *b)
{
	for (size_t i = 0; i < b->nnames; i++) {
		if (i)
			sb_appendc(sb, ',');
		sb_appendf(sb, "%s=~\"", b->names[i]);
		size_t written = 0;
		for (size_t h = 0; h < b->nhosts; h++) {
			const char *v = b->values[h * b->nnames + i].value;
			int dup = 0;
			for (size_t o = 0; o < h && !dup; o++)
				dup = !strcmp(b->values[o * b->nnames + i].value, v);
			if (dup)
				continue;
			if (written++)
				sb_appendc(sb, '|');
			append_regex_literal(sb, v);
		}
		sb_appendc(sb, '"');
	}
}

/* The labels prom_map.c reads besides the batch's own: the series query
 * keeps only these (max by), so node_exporter's other labels (a NIC's
 * address and duplex, the uname strings, job, ...) are neither sent,
 * parsed nor held, at every poll, for every series. */
static const char *const kept_labels[] = { "__name__", "device", "master", "node", "operstate", "release" };

char *prom_query_series(const struct prom_batch *b)
{
	struct strbuf sb;
	sb_init(&sb);
	sb_append(&sb, "max by (");
	for (size_t i = 0; i < sizeof kept_labels / sizeof kept_labels[0]; i++)
		sb_appendf(&sb, "%s%s", i ? "," : "", kept_labels[i]);
	for (size_t i = 0; i < b->nnames; i++) {
		int kept = 0;
		for (size_t k = 0; k < sizeof kept_labels / sizeof kept_labels[0]; k++)
			kept |= !strcmp(b->names[i], kept_labels[k]);
		if (!kept)
			sb_appendf(&sb, ",%s", b->names[i]);
	}
	sb_appendf(&sb, ") ({__name__=~\"%s\",", series_names);
	append_selector(&sb, b);
	sb_append(&sb, "})");
	return sb_detach(&sb);
}

char *prom_query_cpu(const struct prom_batch *b)
{
	struct strbuf sb;
	sb_init(&sb);
	sb_append(&sb, "sum by (");
	for (size_t i = 0; i < b->nnames; i++)
		sb_appendf(&sb, "%s,", b->names[i]);
	sb_append(&sb, "mode) (node_cpu_seconds_total{");
	append_selector(&sb, b);
	sb_append(&sb, "})");
	return sb_detach(&sb);
}

/* The libvirt exporter's series vdeck reads (metrics/prom_vm.c); only the
 * labels that tell domains and devices apart are kept. */
static const char vm_series_names[] =
	"libvirt_domain_state_code"
	"|libvirt_domain_info_(virtual_cpus|memory_usage_bytes|maximum_memory_bytes|cpu_time_seconds_total)"
	"|libvirt_domain_block_stats_(read|write)_bytes_total"
	"|libvirt_domain_interface_stats_(receive|transmit)_bytes_total";

char *prom_query_vms(const struct prom_batch *b)
{
	struct strbuf sb;
	sb_init(&sb);
	sb_append(&sb, "max by (__name__,domain,target_device");
	for (size_t i = 0; i < b->nnames; i++)
		if (strcmp(b->names[i], "__name__") && strcmp(b->names[i], "domain")
		    && strcmp(b->names[i], "target_device"))
			sb_appendf(&sb, ",%s", b->names[i]);
	sb_appendf(&sb, ") ({__name__=~\"%s\",", vm_series_names);
	append_selector(&sb, b);
	sb_append(&sb, "})");
	return sb_detach(&sb);
}

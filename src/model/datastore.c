/* datastore.c — merging the hosts' pools into datastores (rules in
 * datastore.h), their sizes and VMs, and their alerts. */
#include "model/datastore.h"
#include "model/cluster.h"
#include "core/xalloc.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The pool's source hosts, lower-cased, sorted, comma-joined: the order a
 * host's definition lists monitors in does not make another storage. */
static void hosts_text(const struct pool_info *p, char *buf, size_t len)
{
	char *sorted[16];
	size_t n = p->nsource_hosts < 16 ? p->nsource_hosts : 16, o = 0;
	for (size_t i = 0; i < n; i++) {
		sorted[i] = x_strdup(p->source_hosts[i]);
		for (char *c = sorted[i]; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	}
	qsort(sorted, n, sizeof *sorted, by_str);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (o < len)
			o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "," : "", sorted[i]);
		free(sorted[i]);
	}
}

/* dir without trailing '/' (kept when it is all). */
static int trimmed(const char *dir)
{
	size_t l = strlen(dir);
	while (l > 1 && dir[l - 1] == '/')
		l--;
	return (int)l;
}

void datastore_key(const char *host_name, const struct pool_info *p, char *buf, size_t len)
{
	char hosts[256];
	hosts_text(p, hosts, sizeof hosts);
	const char *t = p->type;
	if (!strcmp(t, "netfs") && hosts[0] && p->source_dir)
		snprintf(buf, len, "netfs:%s:%.*s", hosts, trimmed(p->source_dir), p->source_dir);
	else if (!strcmp(t, "gluster") && hosts[0] && p->source_name)
		snprintf(buf, len, "gluster:%s/%s%s", hosts, p->source_name, p->source_dir ? p->source_dir : "/");
	else if ((!strcmp(t, "iscsi") || !strcmp(t, "iscsi-direct")) && hosts[0] && p->source_device)
		snprintf(buf, len, "iscsi:%s/%s", hosts, p->source_device);
	else if (!strcmp(t, "rbd") && p->source_name)
		snprintf(buf, len, "rbd:%s@%s", p->source_name, hosts);
	else if ((!strcmp(t, "dir") || !strcmp(t, "fs")) && p->uuid[0] && p->target_path)
		snprintf(buf, len, "path:%s:%s", p->uuid, p->target_path);
	else
		snprintf(buf, len, "local:%s:%s", host_name, p->name);
}

/* 1 when path is a volume of p, or a file under p's directory. */
static int pool_holds(const struct pool_info *p, const char *path)
{
	if (pool_type_holds_files(p->type) && p->target_path) {
		size_t l = strlen(p->target_path);
		if (!strncmp(path, p->target_path, l) && (path[l] == '/' || (l == 1 && p->target_path[0] == '/')))
			return 1;
	}
	for (size_t v = 0; v < p->nvols; v++)
		if (p->vols[v].path && !strcmp(p->vols[v].path, path))
			return 1;
	return 0;
}

struct vol_ref {
	size_t      ds;
	const char *path;
	uint64_t    capacity, allocation;
};

static int by_ds_path(const void *a, const void *b)
{
	const struct vol_ref *x = a, *y = b;
	if (x->ds != y->ds)
		return x->ds < y->ds ? -1 : 1;
	return strcmp(x->path, y->path);
}

static size_t find_or_add(struct datastore_list *l, size_t *cap, const char *key, const struct pool_info *p)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].key, key))
			return i;
	x_grow(&l->v, cap, l->n + 1, sizeof *l->v);
	struct datastore *d = &l->v[l->n];
	memset(d, 0, sizeof *d);
	snprintf(d->key, sizeof d->key, "%s", key);
	snprintf(d->name, sizeof d->name, "%s", p->name);
	snprintf(d->type, sizeof d->type, "%s", p->type);
	return l->n++;
}

static void add_member(struct datastore *d, size_t host, size_t pool, const struct pool_info *p)
{
	d->members = x_realloc(d->members, (d->nmembers + 1) * sizeof *d->members);
	d->members[d->nmembers++] = (struct ds_member){ host, pool };
	if (p->capacity > d->capacity)
		d->capacity = p->capacity;
	if (p->allocation > d->allocation)
		d->allocation = p->allocation;
	if (p->available > d->available)
		d->available = p->available;
}

static int is_member(const struct datastore *d, size_t host)
{
	for (size_t i = 0; i < d->nmembers; i++)
		if (d->members[i].host == host)
			return 1;
	return 0;
}

/* The datastore of path for a VM on host h: its own host's pools first,
 * then a shared datastore whose directory holds it (h mounts it outside
 * libvirt, or lacks the pool). */
static struct datastore *holder(struct datastore_list *l, const struct cluster *c, const size_t *const *ds_of,
				size_t h, const char *path)
{
	const struct host *host = &c->hosts[h];
	for (size_t p = 0; p < host->npools; p++)
		if (pool_holds(&host->pools[p], path))
			return &l->v[ds_of[h][p]];
	for (size_t i = 0; i < l->n; i++) {
		struct datastore *d = &l->v[i];
		for (size_t m = 0; d->shared && m < d->nmembers; m++) {
			const struct pool_info *p = &c->hosts[d->members[m].host].pools[d->members[m].pool];
			if (pool_type_holds_files(p->type) && pool_holds(p, path))
				return d;
		}
	}
	return NULL;
}

static void add_vm(struct datastore *d, size_t h, size_t dom)
{
	if (d->nvms && d->vms[d->nvms - 1].host == h && d->vms[d->nvms - 1].dom == dom)
		return;
	d->vms = x_realloc(d->vms, (d->nvms + 1) * sizeof *d->vms);
	d->vms[d->nvms++] = (struct ds_vm){ h, dom };
	if (is_member(d, h))
		return;
	for (size_t i = 0; i < d->nstrangers; i++)
		if (d->strangers[i] == h)
			return;
	d->strangers = x_realloc(d->strangers, (d->nstrangers + 1) * sizeof *d->strangers);
	d->strangers[d->nstrangers++] = h;
}

void datastores_build(const struct cluster *c, struct datastore_list *out)
{
	memset(out, 0, sizeof *out);
	size_t cap = 0, nrefs = 0, refcap = 0;
	struct vol_ref *refs = NULL;
	size_t **ds_of = x_calloc(c->nhosts + 1, sizeof *ds_of);
	for (size_t h = 0; h < c->nhosts; h++) {
		const struct host *host = &c->hosts[h];
		ds_of[h] = x_calloc(host->npools + 1, sizeof **ds_of);
		for (size_t p = 0; p < host->npools; p++) {
			const struct pool_info *pi = &host->pools[p];
			char key[512];
			datastore_key(host->cfg->name, pi, key, sizeof key);
			size_t i = find_or_add(out, &cap, key, pi);
			ds_of[h][p] = i;
			add_member(&out->v[i], h, p, pi);
			for (size_t v = 0; v < pi->nvols; v++) {
				if (!pi->vols[v].path)
					continue;
				x_grow(&refs, &refcap, nrefs + 1, sizeof *refs);
				refs[nrefs++] = (struct vol_ref){ i, pi->vols[v].path, pi->vols[v].capacity,
								  pi->vols[v].allocation };
			}
		}
	}
	/* network storage is shared by nature; a directory when several hosts declare it */
	for (size_t i = 0; i < out->n; i++) {
		const char *k = out->v[i].key;
		out->v[i].shared = !strncmp(k, "path:", 5) ? out->v[i].nmembers > 1 : strncmp(k, "local:", 6) != 0;
	}
	if (nrefs)
		qsort(refs, nrefs, sizeof *refs, by_ds_path);
	for (size_t i = 0; i < nrefs; i++) {
		if (i && refs[i].ds == refs[i - 1].ds && !strcmp(refs[i].path, refs[i - 1].path))
			continue;   /* the same volume seen from another host */
		struct datastore *d = &out->v[refs[i].ds];
		d->virtual_size += refs[i].capacity;
		d->volume_allocation += refs[i].allocation;
		d->nvolumes++;
	}
	free(refs);
	for (size_t h = 0; h < c->nhosts; h++) {
		const struct host *host = &c->hosts[h];
		for (size_t di = 0; di < host->ndoms; di++) {
			const struct dom_info *info = &host->doms[di].info;
			for (size_t k = 0; k < info->ndisks; k++) {
				const struct dom_disk *dk = &info->disks[k];
				for (size_t l = 0; dk->source && l <= dk->nchain; l++) {
					const char *path = l ? dk->chain[l - 1].path : dk->source;
					struct datastore *d = path ? holder(out, c, (const size_t *const *)ds_of, h, path) : NULL;
					if (d)
						add_vm(d, h, di);
				}
			}
		}
	}
	for (size_t h = 0; h < c->nhosts; h++)
		free(ds_of[h]);
	free(ds_of);
}

void datastore_list_free(struct datastore_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].members);
		free(l->v[i].vms);
		free(l->v[i].strangers);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

double datastore_overcommit(const struct datastore *d)
{
	return d->capacity ? (double)d->virtual_size / (double)d->capacity : 0;
}

const struct datastore *datastore_of_path(const struct datastore_list *l, const struct cluster *c, size_t h,
					  const char *path)
{
	if (!path || h >= c->nhosts)
		return NULL;
	const struct host *host = &c->hosts[h];
	for (size_t p = 0; p < host->npools; p++) {
		if (!pool_holds(&host->pools[p], path))
			continue;
		for (size_t i = 0; i < l->n; i++)
			for (size_t m = 0; m < l->v[i].nmembers; m++)
				if (l->v[i].members[m].host == h && l->v[i].members[m].pool == p)
					return &l->v[i];
	}
	for (size_t i = 0; i < l->n; i++)
		for (size_t m = 0; l->v[i].shared && m < l->v[i].nmembers; m++) {
			const struct ds_member *mb = &l->v[i].members[m];
			const struct pool_info *p = &c->hosts[mb->host].pools[mb->pool];
			if (pool_type_holds_files(p->type) && pool_holds(p, path))
				return &l->v[i];
		}
	return NULL;
}

/* One alert line; a long one is cut at the buffer's end. */
__attribute__((format(printf, 2, 3))) static void alert_line(char *dst, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst, 256, fmt, ap);
	va_end(ap);
}

size_t datastore_alerts(const struct datastore *d, const struct cluster *c, unsigned full_pct, double max_ratio,
			char (*msgs)[256], size_t max)
{
	size_t n = 0;
	if (d->capacity && n < max && d->allocation * 100 > (uint64_t)full_pct * d->capacity)
		alert_line(msgs[n++], "datastore %s is %.0f%% allocated (over %u%%)", d->name,
			 100.0 * (double)d->allocation / (double)d->capacity, full_pct);
	double r = datastore_overcommit(d);
	if (max_ratio > 0 && r > max_ratio && n < max)
		alert_line(msgs[n++], "datastore %s: thin overcommit %.2f (virtual sizes over capacity) is over %.2f",
			 d->name, r, max_ratio);
	if (d->nstrangers && n < max) {
		char who[160] = "";
		size_t o = 0;
		for (size_t i = 0; i < d->nstrangers && o < sizeof who; i++)
			o += (size_t)snprintf(who + o, sizeof who - o, "%s%s", i ? ", " : "",
					      c->hosts[d->strangers[i]].cfg->name);
		alert_line(msgs[n++], "datastore %s is seen by %zu host(s) but VMs on it run on %s, which "
			 "has no pool for it (migration will fail)", d->name, d->nmembers, who);
	}
	return n;
}

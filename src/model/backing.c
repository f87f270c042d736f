/* backing.c — building and reading the cluster-wide backing-file index:
 * one pass over every disk chain and pool volume collects (path, user)
 * pairs, a sort groups them by path. */
#include "model/backing.h"
#include "model/cluster.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct use {
	const char *path, *format, *below;
	uint64_t    capacity, allocation;
	int         is_backing;         /* named as somebody's backing file */
	int         is_volume;          /* a pool volume of that path exists on host */
	int         in_pool_dir;        /* lies in a file pool's directory of host */
	struct backing_user user;
	int         has_user;
	size_t      seq;                /* order found: users listed in cluster order */
};

struct uses {
	struct use *v;
	size_t      n, cap;
};

static struct use *add(struct uses *u, const char *path)
{
	x_grow(&u->v, &u->cap, u->n + 1, sizeof *u->v);
	struct use *x = &u->v[u->n++];
	memset(x, 0, sizeof *x);
	x->path = path;
	x->format = "";
	x->seq = u->n - 1;
	return x;
}

static int in_dir(const struct host *h, const char *path)
{
	for (size_t i = 0; i < h->npools; i++) {
		const char *d = h->pools[i].target_path;
		size_t l = d ? strlen(d) : 0;
		if (l && pool_type_holds_files(h->pools[i].type) && !strncmp(path, d, l) && path[l] == '/' &&
		    !strchr(path + l + 1, '/'))
			return 1;
	}
	return 0;
}

static const struct pool_volume *volume_of(const struct host *h, const char *path)
{
	for (size_t p = 0; p < h->npools; p++)
		for (size_t v = 0; v < h->pools[p].nvols; v++)
			if (h->pools[p].vols[v].path && !strcmp(h->pools[p].vols[v].path, path))
				return &h->pools[p].vols[v];
	return NULL;
}

static void disk_uses(struct uses *u, const struct host *h, size_t hi, size_t di, const struct domain *d)
{
	for (size_t k = 0; k < d->info.ndisks; k++) {
		const struct dom_disk *dk = &d->info.disks[k];
		if (!dk->source || strcmp(dk->device, "cdrom") == 0)
			continue;
		/* a disk built by hand may name its backing file without a chain */
		size_t depth = dk->nchain ? dk->nchain : dk->backing ? 1 : 0;
		for (size_t l = 0; l <= depth; l++) {
			const struct dom_layer *layer = l && dk->nchain ? &dk->chain[l - 1] : NULL;
			const char *path = !l ? dk->source : layer ? layer->path : dk->backing;
			if (!path)
				break;
			struct use *x = add(u, path);
			x->format = !l ? dk->format : layer ? layer->format : "";
			x->capacity = !l ? dk->capacity : layer ? layer->capacity : 0;
			x->allocation = !l ? dk->allocation : layer ? layer->allocation : 0;
			x->below = l < dk->nchain ? dk->chain[l].path : !l ? dk->backing : NULL;
			x->is_backing = l > 0;
			x->is_volume = volume_of(h, path) != NULL;
			x->in_pool_dir = in_dir(h, path);
			x->has_user = 1;
			x->user = (struct backing_user){ hi, di, d->info.name, d->info.uuid, dk->target, (unsigned)l };
		}
	}
}

/* A volume stands on its backing file; the volume itself is a file too. */
static void volume_uses(struct uses *u, const struct host *h, size_t hi)
{
	for (size_t p = 0; p < h->npools; p++)
		for (size_t v = 0; v < h->pools[p].nvols; v++) {
			const struct pool_volume *vol = &h->pools[p].vols[v];
			if (!vol->path)
				continue;
			struct use *x = add(u, vol->path);
			x->format = vol->format;
			x->capacity = vol->capacity;
			x->allocation = vol->allocation;
			x->below = vol->backing;
			x->is_volume = 1;
			if (!vol->backing)
				continue;
			x = add(u, vol->backing);
			x->format = vol->backing_format;
			x->is_backing = 1;
			x->is_volume = volume_of(h, vol->backing) != NULL;
			x->in_pool_dir = in_dir(h, vol->backing);
			x->has_user = 1;
			x->user = (struct backing_user){ hi, (size_t)-1, NULL, NULL, vol->path, 1 };
		}
}

static int by_path(const void *a, const void *b)
{
	const struct use *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int user_same(const struct backing_user *a, const struct backing_user *b)
{
	return a->host == b->host && a->dom == b->dom && a->depth == b->depth && !strcmp(a->target, b->target);
}

void backing_index_build(const struct cluster *c, struct backing_index *ix)
{
	memset(ix, 0, sizeof *ix);
	struct uses u = { 0 };
	for (size_t hi = 0; hi < c->nhosts; hi++) {
		const struct host *h = &c->hosts[hi];
		for (size_t di = 0; di < h->ndoms; di++)
			disk_uses(&u, h, hi, di, &h->doms[di]);
		volume_uses(&u, h, hi);
	}
	if (u.n)
		qsort(u.v, u.n, sizeof *u.v, by_path);
	ix->files = u.n ? x_calloc(u.n, sizeof *ix->files) : NULL;
	for (size_t i = 0; i < u.n;) {
		size_t j = i;
		while (j < u.n && !strcmp(u.v[j].path, u.v[i].path))
			j++;
		struct backing_file *f = &ix->files[ix->n++];
		f->path = u.v[i].path;
		f->format = "";
		int backing = 0, volume = 0, in_pool = 0;
		size_t cap = 0;
		for (size_t k = i; k < j; k++) {
			const struct use *x = &u.v[k];
			if (!f->format[0] && x->format && x->format[0])
				f->format = x->format;
			if (!f->capacity)
				f->capacity = x->capacity;
			if (!f->allocation)
				f->allocation = x->allocation;
			if (!f->below)
				f->below = x->below;
			backing |= x->is_backing;
			volume |= x->is_volume;
			in_pool |= x->in_pool_dir;
			int dup = 0;
			for (size_t m = 0; x->has_user && m < f->nusers && !dup; m++)
				dup = user_same(&f->users[m], &x->user);
			if (x->has_user && !dup) {
				x_grow(&f->users, &cap, f->nusers + 1, sizeof *f->users);
				f->users[f->nusers++] = x->user;
			}
		}
		/* A base that no pool lists, in a directory a pool lists: the
		 * chain above it is broken (or the pool was not refreshed). */
		f->missing = backing && !volume && in_pool;
		i = j;
	}
	free(u.v);
}

void backing_index_free(struct backing_index *ix)
{
	for (size_t i = 0; i < ix->n; i++)
		free(ix->files[i].users);
	free(ix->files);
	memset(ix, 0, sizeof *ix);
}

const struct backing_file *backing_index_find(const struct backing_index *ix, const char *path)
{
	size_t lo = 0, hi = ix->n;
	while (path && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(ix->files[mid].path, path);
		if (!cmp)
			return &ix->files[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int counts(const struct backing_user *u, const char *exclude_uuid, int stands_on)
{
	if (stands_on && u->depth == 0)
		return 0;
	return !exclude_uuid || !u->uuid || strcmp(u->uuid, exclude_uuid) != 0;
}

const struct backing_user *backing_index_user(const struct backing_index *ix, const char *path,
					      const char *exclude_uuid, int stands_on)
{
	const struct backing_file *f = backing_index_find(ix, path);
	for (size_t i = 0; f && i < f->nusers; i++)
		if (counts(&f->users[i], exclude_uuid, stands_on))
			return &f->users[i];
	return NULL;
}

size_t backing_index_users_text(const struct backing_index *ix, const char *path, const char *exclude_uuid,
				char *buf, size_t len)
{
	const struct backing_file *f = backing_index_find(ix, path);
	size_t n = 0, o = 0;
	if (len)
		buf[0] = '\0';
	for (size_t i = 0; f && i < f->nusers; i++) {
		const struct backing_user *u = &f->users[i];
		if (!counts(u, exclude_uuid, 0))
			continue;
		if (o < len) {
			int w = u->domain ? snprintf(buf + o, len - o, "%s%s (%s)", n ? ", " : "", u->domain, u->target)
					  : snprintf(buf + o, len - o, "%svolume %s", n ? ", " : "", u->target);
			o += w > 0 ? (size_t)w : 0;
		}
		n++;
	}
	return n;
}

/* op_volume.c — h:create_volume, h:delete_volume and h:resize_volume:
 * storage pool volumes.
 *
 * A new volume is thin unless asked otherwise: its XML says allocation 0,
 * so a qcow2 holds only its header and a raw file is sparse; the guest
 * sees capacity.  A volume is not deleted while a VM's disk is it or a
 * disk or volume stands on it (the cluster's backing-file index,
 * model/backing.h): the refusal names them.  A volume only grows: a
 * smaller size would cut off what a guest wrote at its end; and a volume
 * a running VM has open grows through that VM (d:resize_disk), so QEMU
 * sees the new size. */
#include "ops/op_impl.h"
#include "model/backing.h"
#include "ops/xml_storage.h"
#include "core/xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const struct pool_info *find_pool(const struct host *h, const char *name)
{
	for (size_t i = 0; name && i < h->npools; i++)
		if (!strcmp(h->pools[i].name, name))
			return &h->pools[i];
	return NULL;
}

static const struct pool_volume *find_volume(const struct pool_info *p, const char *name)
{
	for (size_t i = 0; p && name && i < p->nvols; i++)
		if (p->vols[i].name && !strcmp(p->vols[i].name, name))
			return &p->vols[i];
	return NULL;
}

const struct pool_volume *op_find_volume_path(const struct host *h, const char *path,
					      const struct pool_info **pool)
{
	for (size_t i = 0; path && i < h->npools; i++)
		for (size_t k = 0; k < h->pools[i].nvols; k++)
			if (h->pools[i].vols[k].path && !strcmp(h->pools[i].vols[k].path, path)) {
				if (pool)
					*pool = &h->pools[i];
				return &h->pools[i].vols[k];
			}
	return NULL;
}

/* "a, b, c" of the host's pool names, for a message. */
static void pool_names(const struct host *h, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < h->npools && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", h->pools[i].name);
	if (!h->npools)
		snprintf(buf, len, "none");
}

/* The pool named by "pool", active; fails naming the host's pools. */
static const struct pool_info *need_pool(const struct op_ctx *ctx, struct vd_err *err)
{
	const struct pool_info *p = find_pool(ctx->host, op_str(ctx, "pool"));
	char names[256];
	if (!p) {
		pool_names(ctx->host, names, sizeof names);
		op_fail(ctx, err, VD_ENOTFOUND, "%s has no storage pool '%s' (pools: %s)", ctx->host->cfg->name,
			op_str(ctx, "pool"), names);
		return NULL;
	}
	if (!p->active) {
		op_fail(ctx, err, VD_EINVAL, "pool '%s' is not active", p->name);
		return NULL;
	}
	return p;
}

int create_volume_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const struct pool_info *p = need_pool(ctx, err);
	if (!p)
		return -1;
	const char *name = op_str(ctx, "name");
	if (!name[0] || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return op_fail(ctx, err, VD_EINVAL, "volume name '%s' is not a plain file name", name);
	if (find_volume(p, name))
		return op_fail(ctx, err, VD_EINVAL, "pool '%s' already has a volume '%s'", p->name, name);
	const struct op_value *size = op_get(ctx, "size"), *alloc = op_get(ctx, "allocation");
	if (size->i <= 0)
		return op_fail(ctx, err, VD_EINVAL, "size must be more than 0");
	if (alloc && alloc->i > size->i)
		return op_fail(ctx, err, VD_EINVAL, "allocation (%lld) is more than the size (%lld)",
			       (long long)alloc->i, (long long)size->i);
	if (p->available && (uint64_t)(alloc ? alloc->i : 0) > p->available)
		return op_fail(ctx, err, VD_EREFUSED, "pool '%s' has %" PRIu64 " bytes available, the volume "
			       "needs %lld now", p->name, p->available, (long long)alloc->i);
	if (p->available && (uint64_t)size->i > p->available)
		op_note(ctx, "pool '%s' has %" PRIu64 " bytes available: the thin volume can outgrow it", p->name,
			p->available);
	return 0;
}

int create_volume_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	(void)err;
	const struct op_value *alloc = op_get(ctx, "allocation");
	struct xml_volume v = {
		.name = op_str(ctx, "name"), .format = op_str(ctx, "format"),
		.capacity = (uint64_t)op_get(ctx, "size")->i, .allocation = alloc ? (uint64_t)alloc->i : 0,
	};
	struct strbuf sb;
	sb_init(&sb);
	xml_volume(&v, &sb);
	req->kind = VOP_VOL_CREATE;
	req->xml = sb_detach(&sb);
	snprintf(req->target, sizeof req->target, "%s", op_str(ctx, "pool"));
	return 0;
}

int delete_volume_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const struct pool_info *p = need_pool(ctx, err);
	if (!p)
		return -1;
	const struct pool_volume *v = find_volume(p, op_str(ctx, "name"));
	if (!v)
		return op_fail(ctx, err, VD_ENOTFOUND, "pool '%s' has no volume '%s'", p->name, op_str(ctx, "name"));
	struct backing_index ix;
	backing_index_build(ctx->cluster, &ix);
	char users[512];
	size_t n = backing_index_users_text(&ix, v->path, NULL, users, sizeof users);
	backing_index_free(&ix);
	if (n)
		return op_fail(ctx, err, VD_EREFUSED, "volume %s is in use: %s; delete or flatten them first",
			       v->path, users);
	return 0;
}

int delete_volume_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	(void)err;
	req->kind = VOP_VOL_DELETE;
	snprintf(req->target, sizeof req->target, "%s", op_str(ctx, "pool"));
	req->volume = x_strdup(op_str(ctx, "name"));
	return 0;
}

int resize_volume_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const struct pool_info *p = need_pool(ctx, err);
	if (!p)
		return -1;
	const struct pool_volume *v = find_volume(p, op_str(ctx, "name"));
	if (!v)
		return op_fail(ctx, err, VD_ENOTFOUND, "pool '%s' has no volume '%s'", p->name, op_str(ctx, "name"));
	uint64_t size = (uint64_t)op_get(ctx, "size")->i;
	if (size < v->capacity)
		return op_fail(ctx, err, VD_EREFUSED, "volume %s is %" PRIu64 " bytes: shrinking it to %" PRIu64
			       " would cut off what the guest wrote at its end (volumes only grow)", v->path,
			       v->capacity, size);
	if (size == v->capacity)
		return op_fail(ctx, err, VD_EINVAL, "volume %s is already %" PRIu64 " bytes", v->path, size);
	for (size_t i = 0; i < ctx->host->ndoms; i++) {
		const struct domain *d = &ctx->host->doms[i];
		for (size_t k = 0; op_dom_running(d) && k < d->info.ndisks; k++)
			if (d->info.disks[k].source && !strcmp(d->info.disks[k].source, v->path))
				return op_fail(ctx, err, VD_EREFUSED, "running VM %s has %s open as %s: grow it through "
					       "the VM so the guest sees it (vdeck.domain(\"%s\"):resize_disk{\"%s\", ...})",
					       d->info.name, v->path, d->info.disks[k].target, d->info.name,
					       d->info.disks[k].target);
	}
	if (p->available && size - v->capacity > p->available)
		op_note(ctx, "pool '%s' has %" PRIu64 " bytes available: the volume can outgrow it", p->name,
			p->available);
	return 0;
}

int resize_volume_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	(void)err;
	req->kind = VOP_VOL_RESIZE;
	snprintf(req->target, sizeof req->target, "%s", op_str(ctx, "pool"));
	req->volume = x_strdup(op_str(ctx, "name"));
	req->value = (uint64_t)op_get(ctx, "size")->i;
	return 0;
}

/* op_clone.c — d:clone: a new VM with its own name, UUID, MACs and disks.
 *
 * Linked (the default): each disk of the clone is a new, empty qcow2
 * overlay volume whose backing file is the source's disk — a differencing
 * disk; full: each disk is a copy libvirt makes of the source's volume
 * (virStorageVolCreateXMLFrom).  The source's disks must not change under
 * the clone, so the source is shut off; or snapshot= names an external
 * snapshot of it, and the files that were current when it was taken (now
 * read-only under the running VM's overlays) are the bases, with the
 * definition saved in the snapshot.
 *
 * Every file is a volume of a storage pool of the clone's host: the bases
 * must be volumes the clone's host sees (its datastores), the new ones are
 * made in pool= or beside their base.  The definition is the source's with
 * the new name, UUID, MACs and disks (xml_restore_domain, pure); another
 * host than the source's gets it only when every path it names lies in its
 * pools.  The clone's volumes and definition name their base, so the
 * backing-file index refuses deleting a base while a clone stands on it. */
#include "ops/op_impl.h"
#include "ops/xml_restore.h"
#include "ops/xml_storage.h"
#include "core/xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLONE_MACS 32

/* One disk of the clone. */
struct clone_disk {
	const char *target;
	const char *base;              /* the source's file (or the snapshot's base) */
	const char *base_format;
	const struct pool_info *pool;  /* where the new volume is made */
	uint64_t    capacity;
	char       *volume;            /* the new volume's name */
	char       *file;              /* and its path */
};

struct clone_plan {
	const struct host *host;       /* the clone's */
	int                linked;
	const char        *xml;        /* the source definition */
	struct clone_disk *disks;
	size_t             ndisks;
};

static void plan_free(struct clone_plan *p)
{
	for (size_t i = 0; i < p->ndisks; i++) {
		free(p->disks[i].volume);
		free(p->disks[i].file);
	}
	free(p->disks);
	memset(p, 0, sizeof *p);
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static const struct pool_info *host_pool(const struct host *h, const char *name)
{
	for (size_t i = 0; name && i < h->npools; i++)
		if (!strcmp(h->pools[i].name, name))
			return &h->pools[i];
	return NULL;
}

static int pool_has(const struct pool_info *p, const char *volume)
{
	for (size_t i = 0; i < p->nvols; i++)
		if (p->vols[i].name && !strcmp(p->vols[i].name, volume))
			return 1;
	return 0;
}

static void add_disk(struct clone_plan *p, const char *target, const char *base, const char *format)
{
	p->disks = x_realloc(p->disks, (p->ndisks + 1) * sizeof *p->disks);
	p->disks[p->ndisks++] = (struct clone_disk){ .target = target, .base = base, .base_format = format };
}

/* The disks to clone and the definition to copy: the snapshot's, or the
 * shut-off source's own writable file disks. */
static int plan_source(const struct op_ctx *ctx, struct clone_plan *p, struct vd_err *err)
{
	const char *sname = op_str(ctx, "snapshot");
	const struct domain *d = ctx->dom;
	if (sname) {
		const struct op_snapshot *s = op_find_snapshot(ctx, sname);
		if (!s)
			return op_fail(ctx, err, VD_ENOTFOUND, "no snapshot named '%s'", sname);
		if (!s->external || !s->ndisks)
			return op_fail(ctx, err, VD_EREFUSED, "'%s' is no external disk snapshot: its data lives inside "
				       "the files of %s, which keep changing; take one with d:snapshot{name=..., "
				       "disk_only=true} and clone from it", s->name, d->info.name);
		for (size_t i = 0; i < s->ndisks; i++) {
			const struct dom_disk *k = op_find_disk(d, s->disk_targets[i]);
			if (!s->disk_bases[i][0] || !s->disk_formats[i][0])
				return op_fail(ctx, err, VD_EINVAL, "snapshot '%s' does not say which file (and format) "
					       "disk %s was on", s->name, s->disk_targets[i]);
			if (op_dom_running(d) && k && k->source && !strcmp(k->source, s->disk_bases[i]))
				return op_fail(ctx, err, VD_EREFUSED, "disk %s of %s runs on %s again (its overlay was "
					       "merged): that file changes under a clone", k->target, d->info.name,
					       s->disk_bases[i]);
			add_disk(p, s->disk_targets[i], s->disk_bases[i], s->disk_formats[i]);
		}
		p->xml = s->domain_xml;
		return 0;
	}
	if (d->state != DOM_SHUTOFF)
		return op_fail(ctx, err, VD_EREFUSED, "%s is %s: its disks change under a clone; shut it off, or "
			       "take an external snapshot (d:snapshot{name=..., disk_only=true}) and clone from it "
			       "(snapshot=NAME), which leaves the running VM untouched", d->info.name,
			       dom_state_name(d->state));
	for (size_t i = 0; i < d->info.ndisks; i++) {
		const struct dom_disk *k = &d->info.disks[i];
		if (strcmp(k->device, "disk") || !k->source || k->shareable)
			continue;   /* cdroms, empty drives and shared disks are the clone's as they are */
		if (strcmp(k->type, "file"))
			return op_fail(ctx, err, VD_EUNSUPPORTED, "disk %s of %s is a %s disk: only file disks "
				       "are cloned", k->target, d->info.name, k->type);
		add_disk(p, k->target, k->source, k->format[0] ? k->format : "raw");
	}
	if (!p->ndisks)
		return op_fail(ctx, err, VD_EINVAL, "%s has no file disk to clone", d->info.name);
	p->xml = ctx->domain_xml;
	return 0;
}

/* Where each new volume goes on the clone's host, and its name. */
static int plan_volumes(const struct op_ctx *ctx, struct clone_plan *p, struct vd_err *err)
{
	const struct host *t = p->host;
	const char *name = op_str(ctx, "name"), *want = op_str(ctx, "pool");
	const struct pool_info *chosen = want ? host_pool(t, want) : NULL;
	if (want && !chosen)
		return op_fail(ctx, err, VD_ENOTFOUND, "%s has no storage pool '%s'", t->cfg->name, want);
	for (size_t i = 0; i < p->ndisks; i++) {
		struct clone_disk *k = &p->disks[i];
		if (!op_disk_target_ok(k->target, NULL))
			return op_fail(ctx, err, VD_EREFUSED, "disk '%s' is no guest disk name (vdX, sdX, hdX): "
				       "refusing to build a file name from it",
				       has_control(k->target) ? "(with a control character)" : k->target);
		const struct pool_info *bp = NULL;
		const struct pool_volume *bv = op_find_volume_path(t, k->base, &bp);
		if (!bv)
			return op_fail(ctx, err, VD_EREFUSED, "host %s has no volume at %s (disk %s): the base of a "
				       "clone must be a volume of a storage pool its host sees (a datastore shared "
				       "with %s, or a pool of the same host)", t->cfg->name, k->base, k->target,
				       ctx->host->cfg->name);
		k->capacity = bv->capacity ? bv->capacity : op_find_disk(ctx->dom, k->target) ?
			      op_find_disk(ctx->dom, k->target)->capacity : 0;
		k->pool = chosen ? chosen : bp;
		if (!k->pool->active || !pool_type_holds_files(k->pool->type) || !k->pool->target_path)
			return op_fail(ctx, err, VD_EREFUSED, "pool '%s' on %s is %s: clones are made as files of an "
				       "active dir, fs or netfs pool", k->pool->name, t->cfg->name,
				       k->pool->active ? k->pool->type : "inactive");
		const char *ext = p->linked || !strcmp(k->base_format, "qcow2") ? "qcow2" : "raw";
		struct strbuf sb;
		sb_init(&sb);
		restore_overlay_path("", name, k->target, &sb);   /* "NAME-vda.qcow2", NAME made safe */
		if (strcmp(ext, "qcow2")) {   /* a full copy of a raw disk stays raw: NAME-vdb.raw */
			sb.len -= strlen("qcow2");
			sb_append(&sb, ext);
		}
		k->volume = sb_detach(&sb);
		if (pool_has(k->pool, k->volume))
			return op_fail(ctx, err, VD_EINVAL, "pool '%s' on %s already has a volume '%s'", k->pool->name,
				       t->cfg->name, k->volume);
		for (size_t j = 0; j < i; j++)
			if (p->disks[j].pool == k->pool && !strcmp(p->disks[j].volume, k->volume))
				return op_fail(ctx, err, VD_EINVAL, "two disks would both be '%s'", k->volume);
		sb_init(&sb);
		sb_appendf(&sb, "%s/%s", strcmp(k->pool->target_path, "/") ? k->pool->target_path : "", k->volume);
		k->file = sb_detach(&sb);
	}
	return 0;
}

/* The whole plan; fails as validate should. */
static int plan(const struct op_ctx *ctx, struct clone_plan *p, struct vd_err *err)
{
	memset(p, 0, sizeof *p);
	const char *h = op_str(ctx, "host"), *name = op_str(ctx, "name");
	const struct op_value *linked = op_get(ctx, "linked");
	p->linked = !linked || linked->b;
	p->host = h ? cluster_host((struct cluster *)ctx->cluster, h) : ctx->host;
	if (!p->host)
		return op_fail(ctx, err, VD_ENOTFOUND, "no host named '%s' in the inventory", h);
	if (p->host->state != HOST_UP && p->host->state != HOST_DEGRADED)
		return op_fail(ctx, err, VD_EUNREACH, "host %s is %s", p->host->cfg->name,
			       host_state_name(p->host->state));
	if (has_control(name) || !*name || strchr(name, '/') || strlen(name) > 100)
		return op_fail(ctx, err, VD_EINVAL, "the clone's name is empty, too long, or has a '/' or a "
			       "control character");
	if (cluster_find_domain((struct cluster *)ctx->cluster, name, NULL))
		return op_fail(ctx, err, VD_EINVAL, "a domain named '%s' already exists", name);
	if (plan_source(ctx, p, err) < 0 || plan_volumes(ctx, p, err) < 0)
		return -1;
	if (!p->xml)
		return op_fail(ctx, err, VD_EINVAL, "no saved definition of %s to copy", ctx->dom->info.name);
	return 0;
}

/* The clone's definition (uuid and macs NULL: left out). */
static int plan_xml(const struct op_ctx *ctx, const struct clone_plan *p, const char *uuid,
		    const char *const *macs, struct strbuf *out, struct vd_err *err)
{
	struct restore_disk *d = x_calloc(p->ndisks + 1, sizeof *d);
	for (size_t i = 0; i < p->ndisks; i++)
		d[i] = (struct restore_disk){ p->disks[i].target, p->disks[i].file,
					      p->linked ? p->disks[i].base : NULL, p->disks[i].base_format,
					      p->linked ? "qcow2" : strcmp(p->disks[i].base_format, "qcow2") ? "raw" : "qcow2" };
	struct restore_spec spec = { op_str(ctx, "name"), d, p->ndisks, p->host != ctx->host,
				     (const char *const *)p->host->pool_dirs, p->host->npool_dirs,
				     uuid, macs, macs ? CLONE_MACS : 0 };
	size_t dropped = 0;
	int rc = restore_check(&spec, err);
	if (rc == 0)
		rc = xml_restore_domain(p->xml, strlen(p->xml), &spec, out, &dropped, err);
	free(d);
	if (rc < 0) {
		char why[sizeof err->msg];
		snprintf(why, sizeof why, "%s", err->msg);
		return op_fail(ctx, err, err->code, "clone of %s onto host %s: %s", ctx->dom->info.name,
			       p->host->cfg->name, why);
	}
	if (dropped && uuid)
		op_note(ctx, "%zu host device(s) (vGPU, LUN, PCI) left out: they belong to %s", dropped,
			ctx->dom->info.name);
	return 0;
}

int clone_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	struct clone_plan p;
	struct strbuf xml;
	sb_init(&xml);
	int rc = plan(ctx, &p, err);
	if (rc == 0)
		rc = plan_xml(ctx, &p, NULL, NULL, &xml, err);
	if (rc == 0 && p.linked)
		op_note(ctx, "linked: the clone's disks stand on %s%s; it cannot be deleted while the clone exists",
			p.disks[0].base, p.ndisks > 1 ? " (and the other disks' files)" : "");
	sb_free(&xml);
	plan_free(&p);
	return rc;
}

int clone_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	struct clone_plan p;
	struct strbuf xml;
	sb_init(&xml);
	char uuid[37], mac[CLONE_MACS][18];
	const char *macs[CLONE_MACS];
	op_new_uuid(uuid);
	for (size_t i = 0; i < CLONE_MACS; i++) {
		op_new_mac(mac[i]);
		macs[i] = mac[i];
	}
	if (plan(ctx, &p, err) < 0 || plan_xml(ctx, &p, uuid, macs, &xml, err) < 0) {
		sb_free(&xml);
		plan_free(&p);
		return -1;
	}
	req->kind = VOP_CLONE;
	snprintf(req->dom_name, sizeof req->dom_name, "%s", op_str(ctx, "name"));
	snprintf(req->target, sizeof req->target, "%s", p.host->cfg->name);
	req->xml = sb_detach(&xml);
	req->vols = x_calloc(p.ndisks, sizeof *req->vols);
	req->nvols = p.ndisks;
	for (size_t i = 0; i < p.ndisks; i++) {
		const struct clone_disk *k = &p.disks[i];
		struct xml_volume v = {
			.name = k->volume, .format = p.linked || !strcmp(k->base_format, "qcow2") ? "qcow2" : "raw",
			.capacity = k->capacity, .allocation = 0,
			.backing = p.linked ? k->base : NULL, .backing_format = k->base_format,
		};
		struct strbuf sb;
		sb_init(&sb);
		xml_volume(&v, &sb);
		req->vols[i] = (struct vop_volume_step){ x_strdup(k->pool->name), sb_detach(&sb),
							 p.linked ? NULL : x_strdup(k->base) };
	}
	if (op_flag(ctx, "start"))
		req->flags |= VOPF_START;
	plan_free(&p);
	return 0;
}

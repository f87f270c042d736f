/* op_snapshot.c — snapshots: take, revert, delete, live merge, restore_to.
 *
 * The dangerous combinations are refused here, before anything is sent:
 * mixing internal and external snapshots on one domain, reverting an
 * internal memory snapshot taken after a vCPU hot-add (QEMU 7.2 cannot load
 * it and leaves the domain shut off), reverting an external snapshot
 * (libvirt 9.0 cannot), and deleting or merging files another VM uses. */
#include "ops/op_impl.h"
#include "ops/xml.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int want_external(const struct op_ctx *ctx)
{
	const struct op_value *e = op_get(ctx, "external");
	if (e)
		return e->b;
	return op_flag(ctx, "disk_only") || op_str(ctx, "memory_file");
}

static int want_memory(const struct op_ctx *ctx)
{
	const struct op_value *m = op_get(ctx, "memory");
	if (m)
		return m->b;
	return op_dom_running(ctx->dom) && !op_flag(ctx, "disk_only");
}

/* Disks that get an external overlay: plain disks that are not shared. */
static int overlay_disk(const struct dom_disk *k)
{
	return (!k->device[0] || !strcmp(k->device, "disk")) && !k->shareable && k->source;
}

int snapshot_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const char *name = op_str(ctx, "name");
	int external = want_external(ctx), memory = want_memory(ctx);
	if (!*name || strchr(name, '/') || strlen(name) > 100)
		return op_fail(ctx, err, VD_EINVAL, "snapshot name '%s' is empty, too long or has a '/'", name);
	if (op_find_snapshot(ctx, name))
		return op_fail(ctx, err, VD_EINVAL, "snapshot name '%s' is already taken", name);
	if (op_flag(ctx, "disk_only") && memory)
		return op_fail(ctx, err, VD_EINVAL, "disk_only=true excludes memory=true");
	if (op_flag(ctx, "disk_only") && !external)
		return op_fail(ctx, err, VD_EINVAL, "disk_only snapshots are external (external=false contradicts it)");
	if (memory && !op_dom_running(ctx->dom))
		return op_fail(ctx, err, VD_EINVAL, "the domain is %s: it has no memory state to save",
			       dom_state_name(ctx->dom->state));
	if (!memory && !external && op_dom_running(ctx->dom))
		return op_fail(ctx, err, VD_EINVAL, "an internal snapshot of a running domain always includes "
			       "memory; use memory=true, or disk_only=true for external overlays");
	for (size_t i = 0; i < ctx->nsnaps; i++)
		if (ctx->snaps[i].external != external)
			return op_fail(ctx, err, VD_EREFUSED, "refusing to mix snapshot kinds: '%s' is %s and this "
				       "one would be %s; libvirt cannot revert or delete across such a chain "
				       "safely (delete or merge the existing snapshots first)", ctx->snaps[i].name,
				       ctx->snaps[i].external ? "external" : "internal", external ? "external" : "internal");
	if (external) {
		size_t n = 0;
		for (size_t i = 0; i < ctx->dom->info.ndisks; i++)
			n += overlay_disk(&ctx->dom->info.disks[i]);
		if (!n)
			return op_fail(ctx, err, VD_EINVAL, "the domain has no disk that can take an external overlay");
		if (memory && !op_str(ctx, "memory_file"))
			op_note(ctx, "memory state goes beside the first disk");
	}
	return 0;
}

int snapshot_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	const struct dom_info *in = &ctx->dom->info;
	int external = want_external(ctx), memory = want_memory(ctx);
	const char **disks = x_calloc(in->ndisks + 1, sizeof *disks);
	const char **skip = x_calloc(in->ndisks + 1, sizeof *skip);
	size_t nd = 0, ns = 0;
	const char *first = NULL;
	for (size_t i = 0; i < in->ndisks; i++) {
		if (overlay_disk(&in->disks[i])) {
			disks[nd++] = in->disks[i].target;
			if (!first)
				first = in->disks[i].source;
		} else {
			skip[ns++] = in->disks[i].target;
		}
	}
	char *memfile = NULL;
	if (external && memory && !op_str(ctx, "memory_file") && first) {
		const char *slash = strrchr(first, '/');
		memfile = x_asprintf("%.*s/%s.%s.mem", (int)(slash ? slash - first : 1), slash ? first : "/",
				     in->name, op_str(ctx, "name"));
	}
	struct xml_snapshot s = {
		.name = op_str(ctx, "name"), .description = op_str(ctx, "description"), .memory = memory,
		.external = external, .memory_file = op_str(ctx, "memory_file") ? op_str(ctx, "memory_file") : memfile,
		.disks = disks, .ndisks = nd, .skip = skip, .nskip = ns,
	};
	struct strbuf sb;
	sb_init(&sb);
	xml_snapshot(&s, &sb);
	req->kind = VOP_SNAPSHOT_CREATE;
	op_req_domain(ctx, req);
	snprintf(req->target, sizeof req->target, "%s", s.name);
	req->xml = sb_detach(&sb);
	req->flags = (external && !memory ? VOPF_DISK_ONLY : 0) | (external ? VOPF_ATOMIC : 0);
	free(memfile);
	free(disks);
	free(skip);
	return 0;
}

static const struct op_snapshot *need_snapshot(const struct op_ctx *ctx, struct vd_err *err)
{
	const char *name = op_str(ctx, "name");
	const struct op_snapshot *s = op_find_snapshot(ctx, name);
	if (!s)
		op_fail(ctx, err, VD_ENOTFOUND, "no snapshot named '%s'", name);
	return s;
}

int revert_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const struct op_snapshot *s = need_snapshot(ctx, err);
	if (!s)
		return -1;
	if (s->external)
		return op_fail(ctx, err, VD_EUNSUPPORTED, "'%s' is an external snapshot: libvirt 9.0 cannot revert "
			       "to those; restore_to{snapshot='%s', name=...} builds a new VM from its disks",
			       s->name, s->name);
	if (s->memory && s->vcpus_hotplugged && !op_flag(ctx, "force"))
		return op_fail(ctx, err, VD_EREFUSED, "'%s' was taken after a vCPU hot-add: QEMU 7.2 cannot load "
			       "its memory state and the domain would be left shut off (force=true to try anyway)",
			       s->name);
	if (s->memory && s->vcpus_hotplugged)
		op_note(ctx, "forced: '%s' was taken after a vCPU hot-add and may fail to load", s->name);
	return 0;
}

int revert_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	req->kind = VOP_SNAPSHOT_REVERT;
	op_req_domain(ctx, req);
	snprintf(req->target, sizeof req->target, "%s", op_str(ctx, "name"));
	const struct op_value *r = op_get(ctx, "running");
	if (r && r->b)
		req->flags |= VOPF_START;
	return 0;
}

/* Another domain (anywhere in the cluster) that uses one of the snapshot's
 * files or an overlay restore_to built on them; NULL when none. */
static const struct domain *dependent_domain(const struct op_ctx *ctx, const struct op_snapshot *s,
					     const char **file)
{
	for (size_t h = 0; h < ctx->cluster->nhosts; h++) {
		const struct host *host = &ctx->cluster->hosts[h];
		for (size_t d = 0; d < host->ndoms; d++) {
			const struct domain *o = &host->doms[d];
			if (!strcmp(o->info.uuid, ctx->dom->info.uuid))
				continue;
			for (size_t k = 0; k < o->info.ndisks; k++) {
				const char *src = o->info.disks[k].source;
				for (size_t f = 0; src && f < s->ndisks; f++) {
					size_t n = strlen(s->disk_sources[f]);
					if (!strncmp(src, s->disk_sources[f], n) &&
					    (!src[n] || !strncmp(src + n, ".restore.", 9))) {
						*file = s->disk_sources[f];
						return o;
					}
				}
			}
		}
	}
	return NULL;
}

int delete_snapshot_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const struct op_snapshot *s = need_snapshot(ctx, err);
	if (!s)
		return -1;
	const char *file = NULL;
	const struct domain *o = dependent_domain(ctx, s, &file);
	if (o && !op_flag(ctx, "force"))
		return op_fail(ctx, err, VD_EREFUSED, "domain %s uses %s, a file of snapshot '%s'; deleting it "
			       "would break that VM (force=true to delete anyway)", o->info.name, file, s->name);
	size_t kids = 0;
	for (size_t i = 0; i < ctx->nsnaps; i++)
		kids += ctx->snaps[i].parent && !strcmp(ctx->snaps[i].parent, s->name);
	if (kids && !op_flag(ctx, "children"))
		op_note(ctx, "'%s' has %zu child snapshot(s); they are re-parented (children=true deletes them)",
			s->name, kids);
	return 0;
}

int delete_snapshot_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	req->kind = VOP_SNAPSHOT_DELETE;
	op_req_domain(ctx, req);
	snprintf(req->target, sizeof req->target, "%s", op_str(ctx, "name"));
	if (op_flag(ctx, "children"))
		req->flags |= VOPF_CHILDREN;
	return 0;
}

/* The disk to merge: the one asked for, else the first with an overlay. */
static const char *merge_disk(const struct op_ctx *ctx)
{
	const char *disk = op_str(ctx, "disk");
	if (disk)
		return disk;
	for (size_t i = 0; i < ctx->nsnaps; i++)
		if (ctx->snaps[i].external && ctx->snaps[i].ndisks)
			return ctx->snaps[i].disk_targets[0];
	return NULL;
}

int merge_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const char *disk = merge_disk(ctx);
	if (!disk)
		return op_fail(ctx, err, VD_EINVAL, "no external snapshot: there is no overlay to merge");
	if (!op_find_disk(ctx->dom, disk))
		return op_fail(ctx, err, VD_ENOTFOUND, "the domain has no disk %s", disk);
	if (!op_dom_running(ctx->dom))
		return op_fail(ctx, err, VD_EINVAL, "a live merge needs a running domain (it is %s)",
			       dom_state_name(ctx->dom->state));
	int overlay = 0;
	for (size_t i = 0; i < ctx->nsnaps; i++) {
		const struct op_snapshot *s = &ctx->snaps[i];
		for (size_t d = 0; s->external && d < s->ndisks; d++)
			overlay |= !strcmp(s->disk_targets[d], disk);
		const char *file = NULL;
		const struct domain *o = s->external ? dependent_domain(ctx, s, &file) : NULL;
		if (o)
			return op_fail(ctx, err, VD_EREFUSED, "domain %s uses %s from snapshot '%s'; merging would "
				       "change that VM's base under it", o->info.name, file, s->name);
	}
	if (!overlay)
		return op_fail(ctx, err, VD_EINVAL, "disk %s has no external snapshot overlay to merge", disk);
	return 0;
}

int merge_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	req->kind = VOP_BLOCK_COMMIT;
	op_req_domain(ctx, req);
	snprintf(req->target, sizeof req->target, "%s", merge_disk(ctx));
	req->flags = VOPF_COMMIT_ACTIVE;
	const struct op_value *bw = op_get(ctx, "bandwidth");
	req->bandwidth_mib = bw && bw->i > 0 ? (uint64_t)bw->i : 0;
	return 0;
}

int restore_to_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const struct op_snapshot *s = op_find_snapshot(ctx, op_str(ctx, "snapshot"));
	if (!s)
		return op_fail(ctx, err, VD_ENOTFOUND, "no snapshot named '%s'", op_str(ctx, "snapshot"));
	if (cluster_find_domain((struct cluster *)ctx->cluster, op_str(ctx, "name"), NULL))
		return op_fail(ctx, err, VD_EINVAL, "a domain named '%s' already exists", op_str(ctx, "name"));
	return op_fail(ctx, err, VD_EUNSUPPORTED, "restore_to is not implemented yet");
}

int restore_to_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	return op_fail(ctx, err, VD_EUNSUPPORTED, "restore_to is not implemented yet");
}

/* op_snapshot.c — snapshots: take, revert, delete, live merge, restore_to.
 *
 * The dangerous combinations are refused here, before anything is sent:
 * mixing internal and external snapshots on one domain, reverting an
 * internal memory snapshot taken after a vCPU hot-add (QEMU 7.2 cannot load
 * it and leaves the domain shut off), reverting an external snapshot
 * (libvirt 9.0 cannot), and deleting or merging files another VM uses or
 * stands on (a VM restore_to built: its disks are backed by the snapshot's
 * base files).  A merge also drops the metadata of the snapshots whose
 * overlays it folds away, so the VM stays migratable.
 *
 * restore_to builds file names from the snapshot's XML, the source host's
 * word: its disk names must be guest disk names and its paths plain, and
 * onto another host every file must lie in that host's file pools
 * (ops/xml_restore.c). */
#include "ops/op_impl.h"
#include "ops/xml.h"
#include "ops/xml_restore.h"
#include "core/xalloc.h"
#include "model/backing.h"

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
	if (op_sriov_snapshot_check(ctx, memory, err) < 0)
		return -1;
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
	req->external_snapshot = external;
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

/* Another domain (anywhere in the cluster) whose disk is one of the
 * snapshot's files — an overlay it created, or the base that overlay
 * stands on — or stands on one at any depth of its backing chain (a VM
 * restore_to or a linked clone built on it): the cluster's backing-file
 * index (model/backing.h) answers; NULL when none. */
static const struct domain *dependent_domain(const struct op_ctx *ctx, const struct op_snapshot *s,
					     const char **file)
{
	struct backing_index ix;
	backing_index_build(ctx->cluster, &ix);
	const struct domain *found = NULL;
	for (size_t f = 0; f < s->ndisks && !found; f++) {
		const char *paths[2] = { s->disk_sources[f], s->disk_bases ? s->disk_bases[f] : NULL };
		for (int k = 0; k < 2 && !found; k++) {
			const struct backing_file *bf = paths[k] && *paths[k] ? backing_index_find(&ix, paths[k]) : NULL;
			for (size_t u = 0; bf && u < bf->nusers && !found; u++) {
				const struct backing_user *bu = &bf->users[u];
				if (!bu->domain || !strcmp(bu->uuid, ctx->dom->info.uuid))
					continue;
				found = &ctx->cluster->hosts[bu->host].doms[bu->dom];
				*file = paths[k];
			}
		}
	}
	backing_index_free(&ix);
	return found;
}

int delete_snapshot_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const struct op_snapshot *s = need_snapshot(ctx, err);
	if (!s)
		return -1;
	const char *file = NULL;
	const struct domain *o = dependent_domain(ctx, s, &file);
	if (o && !op_flag(ctx, "force"))
		return op_fail(ctx, err, VD_EREFUSED, "domain %s depends on %s, a file of snapshot '%s'; deleting "
			       "the snapshot would break that VM (force=true to delete anyway)", o->info.name, file,
			       s->name);
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
			return op_fail(ctx, err, VD_EREFUSED, "domain %s depends on %s from snapshot '%s'; merging "
				       "would change that VM's base under it", o->info.name, file, s->name);
	}
	if (!overlay)
		return op_fail(ctx, err, VD_EINVAL, "disk %s has no external snapshot overlay to merge", disk);
	return 0;
}

/* Orders names so that a snapshot comes before its parent: libvirt 9.0
 * fails a metadata-only delete of a parent whose child names a disk the
 * persistent definition lacks (one attached live), but not the reverse. */
static void children_first(char **names, size_t n, const struct op_ctx *ctx)
{
	for (size_t done = 0; done < n; done++) {
		/* pick, among names[done..], one that is no remaining name's parent */
		size_t pick = done;
		for (size_t i = done; i < n; i++) {
			int is_parent = 0;
			for (size_t j = done; j < n && !is_parent; j++) {
				const struct op_snapshot *c = op_find_snapshot(ctx, names[j]);
				is_parent = j != i && c && c->parent && !strcmp(c->parent, names[i]);
			}
			if (!is_parent) {
				pick = i;
				break;
			}
		}
		char *t = names[done];
		names[done] = names[pick];
		names[pick] = t;
	}
}

/* The domain's disk runs on an overlay one of its external snapshots made. */
static int on_overlay(const struct op_ctx *ctx, const char *target)
{
	const struct dom_disk *k = op_find_disk(ctx->dom, target);
	for (size_t i = 0; k && k->source && i < ctx->nsnaps; i++)
		for (size_t d = 0; ctx->snaps[i].external && d < ctx->snaps[i].ndisks; d++)
			if (!strcmp(ctx->snaps[i].disk_targets[d], target) &&
			    !strcmp(ctx->snaps[i].disk_sources[d], k->source))
				return 1;
	return 0;
}

int merge_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	req->kind = VOP_BLOCK_COMMIT;
	op_req_domain(ctx, req);
	snprintf(req->target, sizeof req->target, "%s", merge_disk(ctx));
	const struct op_value *bw = op_get(ctx, "bandwidth");
	req->bandwidth_mib = bw && bw->i > 0 ? (uint64_t)bw->i : 0;
	/* The commit folds every overlay of the disk into its bottom base: the
	 * external snapshots covering it no longer describe anything, and their
	 * metadata would keep libvirt from migrating the VM.  One that also
	 * covers a disk still on its overlay keeps it (that disk is merged later). */
	const char *disk = merge_disk(ctx);
	for (size_t i = 0; i < ctx->nsnaps; i++) {
		const struct op_snapshot *s = &ctx->snaps[i];
		int covers = 0;
		for (size_t d = 0; s->external && d < s->ndisks; d++)
			covers |= !strcmp(s->disk_targets[d], disk);
		if (!covers)
			continue;
		const char *still = NULL;
		for (size_t d = 0; d < s->ndisks; d++)
			if (strcmp(s->disk_targets[d], disk) && on_overlay(ctx, s->disk_targets[d]))
				still = s->disk_targets[d];
		if (still) {
			op_note(ctx, "snapshot '%s' keeps its metadata: %s is still on its overlay (merge it too)",
				s->name, still);
			continue;
		}
		req->drop_snapshots = x_realloc(req->drop_snapshots, (req->ndrop_snapshots + 1) * sizeof *req->drop_snapshots);
		req->drop_snapshots[req->ndrop_snapshots++] = x_strdup(s->name);
	}
	children_first(req->drop_snapshots, req->ndrop_snapshots, ctx);
	return 0;
}

/* The new VM's host: host= or the domain's own. */
static const struct host *restore_host(const struct op_ctx *ctx)
{
	const char *h = op_str(ctx, "host");
	return h ? cluster_host((struct cluster *)ctx->cluster, h) : ctx->host;
}

/* The overlays restore_to creates, one per disk of the snapshot. */
static struct restore_disk *restore_disks(const struct op_ctx *ctx, const struct op_snapshot *s)
{
	struct restore_disk *d = x_calloc(s->ndisks + 1, sizeof *d);
	for (size_t i = 0; i < s->ndisks; i++) {
		struct strbuf sb;
		sb_init(&sb);
		restore_overlay_path(s->disk_bases[i], op_str(ctx, "name"), s->disk_targets[i], &sb);
		d[i] = (struct restore_disk){ s->disk_targets[i], sb_detach(&sb), s->disk_bases[i], s->disk_formats[i], NULL };
	}
	return d;
}

static void restore_disks_free(struct restore_disk *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)d[i].file);
	free(d);
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* Builds the definition and the shell steps for host t; fails as validate
 * should, naming t, the VM, the disk and the path. */
static int restore_plan(const struct op_ctx *ctx, const struct host *t, const struct op_snapshot *s,
			struct strbuf *xml, struct strbuf *make, struct strbuf *undo, struct vd_err *err)
{
	for (size_t i = 0; i < s->ndisks; i++)
		if (!op_disk_target_ok(s->disk_targets[i], NULL))
			return op_fail(ctx, err, VD_EREFUSED, "restore_to onto host %s: snapshot '%s' of VM %s names a "
				       "disk '%s', which is no guest disk name (vdX, sdX, hdX): refusing to build file "
				       "names from it", t->cfg->name, s->name, ctx->dom->info.name,
				       has_control(s->disk_targets[i]) ? "(with a control character)" : s->disk_targets[i]);
	struct restore_disk *d = restore_disks(ctx, s);
	struct restore_spec spec = { op_str(ctx, "name"), d, s->ndisks, t != ctx->host,
				     (const char *const *)t->pool_dirs, t->npool_dirs, NULL, NULL, 0 };
	size_t dropped = 0;
	int rc = restore_check(&spec, err);
	if (rc == 0)
		rc = xml_restore_domain(s->domain_xml, s->domain_xml ? strlen(s->domain_xml) : 0, &spec, xml,
					&dropped, err);
	if (rc < 0) {
		char why[sizeof err->msg];
		snprintf(why, sizeof why, "%s", err->msg);
		op_fail(ctx, err, err->code, "restore_to onto host %s: snapshot '%s' of VM %s: %s", t->cfg->name,
			s->name, ctx->dom->info.name, why);
	} else if (make) {
		restore_shell(&spec, make, undo);
	}
	if (rc == 0 && dropped && make)
		op_note(ctx, "%zu host device(s) (vGPU, LUN, PCI) left out: they belong to %s", dropped,
			ctx->dom->info.name);
	restore_disks_free(d, s->ndisks);
	return rc;
}

int restore_to_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const char *sname = op_str(ctx, "snapshot"), *name = op_str(ctx, "name");
	const struct op_snapshot *s = op_find_snapshot(ctx, sname);
	if (!s)
		return op_fail(ctx, err, VD_ENOTFOUND, "no snapshot named '%s'", sname);
	if (!s->external)
		return op_fail(ctx, err, VD_EREFUSED, "'%s' is an internal snapshot: its data lives inside the "
			       "qcow2 files of %s and cannot back another VM; take an external one "
			       "(snapshot{name=..., disk_only=true}) and restore from that", s->name,
			       ctx->dom->info.name);
	if (!s->ndisks)
		return op_fail(ctx, err, VD_EINVAL, "snapshot '%s' has no external disk", s->name);
	for (size_t i = 0; i < s->ndisks; i++) {
		if (!s->disk_bases[i][0] || s->disk_bases[i][0] != '/')
			return op_fail(ctx, err, VD_EINVAL, "snapshot '%s' does not say which file disk %s was on "
				       "(only file-backed disks can be restored)", s->name, s->disk_targets[i]);
		if (!s->disk_formats[i][0])
			return op_fail(ctx, err, VD_EINVAL, "snapshot '%s' does not give the format of %s", s->name,
				       s->disk_bases[i]);
	}
	if (has_control(name))
		return op_fail(ctx, err, VD_EINVAL, "the new VM's name has a control character");
	if (!*name || strchr(name, '/') || strlen(name) > 100)
		return op_fail(ctx, err, VD_EINVAL, "VM name '%s' is empty, too long or has a '/'", name);
	const struct host *t = restore_host(ctx);
	if (!t)
		return op_fail(ctx, err, VD_ENOTFOUND, "no host named '%s' in the inventory", op_str(ctx, "host"));
	if (t->state != HOST_UP && t->state != HOST_DEGRADED)
		return op_fail(ctx, err, VD_EUNREACH, "target host %s is %s", t->cfg->name, host_state_name(t->state));
	if (t->cfg->transport == HT_NONE)
		return op_fail(ctx, err, VD_EUNSUPPORTED, "host %s has no shell transport (transport = \"none\"): "
			       "vdeck creates the new VM's overlays with qemu-img over it", t->cfg->name);
	for (size_t i = 0; i < t->ndoms; i++)
		if (!strcmp(t->doms[i].info.name, name))
			return op_fail(ctx, err, VD_EINVAL, "%s already has a domain named '%s'", t->cfg->name, name);
	if (cluster_find_domain((struct cluster *)ctx->cluster, name, NULL))
		return op_fail(ctx, err, VD_EINVAL, "a domain named '%s' already exists", name);
	struct strbuf xml;
	sb_init(&xml);
	int rc = restore_plan(ctx, t, s, &xml, NULL, NULL, err);
	sb_free(&xml);
	if (rc < 0)
		return -1;
	if (s->memory)
		op_note(ctx, "the new VM boots from the disks as they were; the snapshot's memory state is not used");
	if (t != ctx->host)
		op_note(ctx, "the base files must be at the same paths on %s (shared storage); the saved "
			"<emulator> is left out, %s runs its default one", t->cfg->name, t->cfg->name);
	return 0;
}

int restore_to_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	const struct op_snapshot *s = op_find_snapshot(ctx, op_str(ctx, "snapshot"));
	struct strbuf xml, make, undo;
	sb_init(&xml);
	sb_init(&make);
	sb_init(&undo);
	if (restore_plan(ctx, restore_host(ctx), s, &xml, &make, &undo, err) < 0) {
		sb_free(&xml);
		sb_free(&make);
		sb_free(&undo);
		return -1;
	}
	req->kind = VOP_DEFINE;
	snprintf(req->dom_name, sizeof req->dom_name, "%s", op_str(ctx, "name"));
	snprintf(req->target, sizeof req->target, "%s", restore_host(ctx)->cfg->name);
	req->xml = sb_detach(&xml);
	req->shell = sb_detach(&make);
	req->undo_shell = sb_detach(&undo);
	if (op_flag(ctx, "start"))
		req->flags |= VOPF_START;
	return 0;
}

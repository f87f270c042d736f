/* op_gpu.c — vGPUs: create and remove mediated devices on a host, attach
 * and detach them to domains, and refuse migrating a domain that holds one.
 *
 * Validation reads the host's GPU inventory (libvirt node devices joined
 * with the sysfs mdev tree, model/devices.h). */
#include "ops/op_impl.h"
#include "ops/op_impl_gpu.h"
#include "ops/xml.h"
#include "ops/xml_gpu.h"
#include "model/devices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void list_gpus(const struct gpu_inv *inv, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < inv->ngpus && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "", inv->gpus[i].name);
	if (!inv->ngpus)
		snprintf(buf, len, "none");
}

static void list_types(const struct gpu_dev *g, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < g->ntypes && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s (%d free)", i ? ", " : "", g->types[i].id,
					g->types[i].available);
	if (!g->ntypes)
		snprintf(buf, len, "none");
}

int create_mdev_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const char *parent = op_str(ctx, "parent"), *type = op_str(ctx, "type"), *uuid = op_str(ctx, "uuid");
	struct gpu_inv inv;
	char list[512];
	int rc = 0;
	host_gpus(ctx->host, &inv);
	const struct gpu_dev *g = gpu_find(&inv, parent);
	const struct gpu_type *t = g ? gpu_find_type(g, type) : NULL;
	const struct host *other;
	if (!g) {
		list_gpus(&inv, list, sizeof list);
		rc = op_fail(ctx, err, VD_ENOTFOUND, "%s has no GPU '%s' that offers vGPU types (GPUs: %s)",
			     ctx->host->cfg->name, parent, list);
	} else if (!t) {
		list_types(g, list, sizeof list);
		rc = op_fail(ctx, err, VD_ENOTFOUND, "GPU %s has no vGPU type '%s' (types: %s)", g->name, type, list);
	} else if (t->available == 0) {
		rc = op_fail(ctx, err, VD_EREFUSED, "no free instance of %s (%s) on %s: 0 available%s", t->id,
			     t->name[0] ? t->name : "?", g->name,
			     g->ntypes > 1 ? " (a GPU may run one vGPU type at a time)" : "");
	} else if (uuid && !gpu_uuid_valid(uuid)) {
		rc = op_fail(ctx, err, VD_EINVAL, "'%s' is not a UUID (8-4-4-4-12 hex digits)", uuid);
	} else if (uuid && gpu_find_mdev(&inv, uuid)) {
		rc = op_fail(ctx, err, VD_EINVAL, "mdev %s already exists on %s", uuid, ctx->host->cfg->name);
	} else if (uuid && (other = cluster_mdev_host(ctx->cluster, uuid, ctx->host))) {
		rc = op_fail(ctx, err, VD_EINVAL, "mdev %s already exists on %s", uuid, other->cfg->name);
	} else if (t->available < 0) {
		op_note(ctx, "free instances of %s on %s unknown; the kernel decides", t->id, g->name);
	}
	gpu_inv_free(&inv);
	return rc;
}

int create_mdev_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	(void)err;
	struct gpu_inv inv;
	host_gpus(ctx->host, &inv);
	const struct gpu_dev *g = gpu_find(&inv, op_str(ctx, "parent"));
	char uuid[37];
	if (op_str(ctx, "uuid"))
		snprintf(uuid, sizeof uuid, "%s", op_str(ctx, "uuid"));
	else
		op_new_uuid(uuid);
	struct xml_mdev m = { .parent = g ? g->name : op_str(ctx, "parent"), .type = op_str(ctx, "type"), .uuid = uuid };
	struct strbuf sb;
	sb_init(&sb);
	xml_mdev_nodedev(&m, &sb);
	req->kind = VOP_NODEDEV_CREATE;
	req->xml = sb_detach(&sb);
	snprintf(req->target, sizeof req->target, "%s", uuid);
	if (op_flag(ctx, "persistent"))
		req->flags |= VOPF_NODEDEV_DEFINE;
	gpu_inv_free(&inv);
	return 0;
}

int remove_mdev_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const char *uuid = op_str(ctx, "uuid");
	struct gpu_inv inv;
	int rc = 0;
	host_gpus(ctx->host, &inv);
	const struct domain *user = host_mdev_user(ctx->host, uuid);
	const struct host *other;
	if (!gpu_uuid_valid(uuid))
		rc = op_fail(ctx, err, VD_EINVAL, "'%s' is not a UUID", uuid);
	else if (!gpu_find_mdev(&inv, uuid) && (other = cluster_mdev_host(ctx->cluster, uuid, ctx->host)))
		rc = op_fail(ctx, err, VD_ENOTFOUND, "mdev %s is on %s, not on %s", uuid, other->cfg->name,
			     ctx->host->cfg->name);
	else if (!gpu_find_mdev(&inv, uuid))
		rc = op_fail(ctx, err, VD_ENOTFOUND, "%s has no mdev %s", ctx->host->cfg->name, uuid);
	else if (user)
		rc = op_fail(ctx, err, VD_EREFUSED, "mdev %s is used by %s (%s); detach it first (d:detach_mdev)",
			     uuid, user->info.name, dom_state_name(user->state));
	gpu_inv_free(&inv);
	return rc;
}

int remove_mdev_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	(void)err;
	req->kind = VOP_NODEDEV_REMOVE;
	snprintf(req->target, sizeof req->target, "%s", op_str(ctx, "uuid"));
	for (char *p = req->target; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			*p = (char)(*p - 'A' + 'a');
	return 0;
}

static const struct dom_hostdev *dom_mdev(const struct domain *d, const char *uuid)
{
	for (size_t i = 0; uuid && i < d->info.nhostdevs; i++)
		if (!strcmp(d->info.hostdevs[i].type, "mdev") && !strcasecmp(d->info.hostdevs[i].uuid, uuid))
			return &d->info.hostdevs[i];
	return NULL;
}

static int live_ok(const struct op_ctx *ctx, struct vd_err *err)
{
	if ((op_affect(ctx) & VOPF_LIVE) && !op_dom_running(ctx->dom))
		return op_fail(ctx, err, VD_EINVAL, "live=true but the domain is %s", dom_state_name(ctx->dom->state));
	return 0;
}

int attach_mdev_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const char *uuid = op_str(ctx, "uuid");
	if (!gpu_uuid_valid(uuid))
		return op_fail(ctx, err, VD_EINVAL, "'%s' is not a UUID", uuid);
	if (dom_mdev(ctx->dom, uuid))
		return op_fail(ctx, err, VD_EINVAL, "the domain already has mdev %s", uuid);
	struct gpu_inv inv;
	host_gpus(ctx->host, &inv);
	int here = gpu_find_mdev(&inv, uuid) != NULL;
	gpu_inv_free(&inv);
	const struct host *other = here ? NULL : cluster_mdev_host(ctx->cluster, uuid, ctx->host);
	if (other)
		return op_fail(ctx, err, VD_EREFUSED, "mdev %s is on %s but %s runs on %s: a vGPU serves only VMs "
			       "of its GPU's host", uuid, other->cfg->name, ctx->dom->info.name, ctx->host->cfg->name);
	if (!here && !ctx->dry_run)
		return op_fail(ctx, err, VD_ENOTFOUND, "%s has no mdev %s (h:gpus() lists them; h:create_mdev makes one)",
			       ctx->host->cfg->name, uuid);
	if (!here)
		op_note(ctx, "mdev %s is not on %s yet (dry-run: assumed created by an earlier step)", uuid,
			ctx->host->cfg->name);
	const struct domain *user = host_mdev_user(ctx->host, uuid);
	if (user && user != ctx->dom)
		return op_fail(ctx, err, VD_EREFUSED, "mdev %s is already assigned to %s (%s)", uuid, user->info.name,
			       dom_state_name(user->state));
	return live_ok(ctx, err);
}

int attach_mdev_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	(void)err;
	const char *uuid = op_str(ctx, "uuid");
	struct gpu_inv inv;
	host_gpus(ctx->host, &inv);
	const struct gpu_mdev *m = gpu_find_mdev(&inv, uuid);
	const struct gpu_type *t = m ? gpu_find_type(gpu_find(&inv, m->parent), m->type) : NULL;
	struct strbuf sb;
	sb_init(&sb);
	xml_mdev_hostdev(uuid, t && t->device_api[0] ? t->device_api : "vfio-pci", &sb);
	gpu_inv_free(&inv);
	req->kind = VOP_ATTACH_DEVICE;
	op_req_domain(ctx, req);
	req->xml = sb_detach(&sb);
	req->flags = op_affect(ctx);
	return 0;
}

int detach_mdev_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const char *uuid = op_str(ctx, "uuid");
	if (!dom_mdev(ctx->dom, uuid))
		return op_fail(ctx, err, VD_ENOTFOUND, "the domain has no mdev %s", uuid);
	return live_ok(ctx, err);
}

int detach_mdev_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	(void)err;
	const struct dom_hostdev *hd = dom_mdev(ctx->dom, op_str(ctx, "uuid"));
	struct strbuf sb;
	sb_init(&sb);
	xml_mdev_hostdev(hd->uuid, hd->model[0] ? hd->model : "vfio-pci", &sb);
	req->kind = VOP_DETACH_DEVICE;
	op_req_domain(ctx, req);
	req->xml = sb_detach(&sb);
	req->flags = op_affect(ctx);
	sb_append(&sb, "/domain/devices/hostdev[@type='mdev'][source/address/@uuid=");
	xml_xpath_literal(hd->uuid, &sb);
	sb_append(&sb, "]/alias/@name");
	req->alias_xpath = sb_detach(&sb);
	req->wait_ms = (int)(op_get(ctx, "timeout")->n * 1000);
	sb_free(&sb);
	return 0;
}

int op_gpu_migrate_check(const struct op_ctx *ctx, struct vd_err *err)
{
	for (size_t i = 0; i < ctx->dom->info.nhostdevs; i++) {
		const struct dom_hostdev *hd = &ctx->dom->info.hostdevs[i];
		if (strcmp(hd->type, "mdev"))
			continue;
		return op_fail(ctx, err, VD_EREFUSED, "the domain holds vGPU mdev %s, which is bound to a GPU of %s "
			       "and does not migrate; detach it (d:detach_mdev), migrate, then attach one created "
			       "on the target", hd->uuid, ctx->host->cfg->name);
	}
	return 0;
}

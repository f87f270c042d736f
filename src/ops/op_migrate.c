/* op_migrate.c — live migration and aborting a domain's job. */
#include "ops/op_impl.h"
#include "ops/op_impl_gpu.h"
#include "ops/placement.h"
#include "core/units.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

static const struct host *target_host(const struct op_ctx *ctx, struct strbuf *why, struct vd_err *err)
{
	const char *to = op_str(ctx, "to");
	if (!to)
		return placement_choose(ctx->cluster, ctx->host, ctx->dom, ctx->reserved, why, err);
	const struct host *h = cluster_host((struct cluster *)ctx->cluster, to);
	if (!h)
		err_set(err, VD_ENOTFOUND, "no host named '%s' in the inventory", to);
	return h;
}

int migrate_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	if (!op_dom_running(ctx->dom))
		return op_fail(ctx, err, VD_EINVAL, "only a running domain migrates live (it is %s)",
			       dom_state_name(ctx->dom->state));
	if (op_gpu_migrate_check(ctx, err) < 0)
		return -1;
	struct strbuf why;
	sb_init(&why);
	const struct host *t = target_host(ctx, &why, err);
	if (!t) {
		/* op_fail writes err->msg: pass a copy, not the buffer itself. */
		char msg[sizeof err->msg];
		snprintf(msg, sizeof msg, "%s", err->msg);
		op_fail(ctx, err, err->code, "%s", msg);
		sb_free(&why);
		return -1;
	}
	if (!op_str(ctx, "to")) {
		op_note(ctx, "target chosen by free memory and NUMA fit:");
		sb_append(ctx->notes, why.buf);
	}
	sb_free(&why);
	if (t == ctx->host)
		return op_fail(ctx, err, VD_EINVAL, "the domain is already on %s", t->cfg->name);
	if (t->state != HOST_UP && t->state != HOST_DEGRADED)
		return op_fail(ctx, err, VD_EUNREACH, "target host %s is %s", t->cfg->name, host_state_name(t->state));
	if (op_sriov_migrate_check(ctx, t, err) < 0)
		return -1;
	op_vhostuser_note(ctx);
	for (size_t i = 0; i < t->ndoms; i++)
		if (!strcmp(t->doms[i].info.name, ctx->dom->info.name) || !strcmp(t->doms[i].info.uuid, ctx->dom->info.uuid))
			return op_fail(ctx, err, VD_EINVAL, "%s already has a domain named %s", t->cfg->name,
				       ctx->dom->info.name);
	if (op_str(ctx, "to")) {
		struct placement_fit f;
		size_t idx = (size_t)(t - ctx->cluster->hosts);
		placement_fit(t, ctx->dom, ctx->reserved ? ctx->reserved[idx] : 0, &f);
		char a[32];
		if (!f.fits)
			return op_fail(ctx, err, VD_EINVAL, "%s has only %s free", t->cfg->name, size_format(f.free, a, sizeof a));
		if (f.node >= 0 && !f.numa_fit)
			op_note(ctx, "%s: no single NUMA node has room; the VM's memory will span nodes", t->cfg->name);
	}
	op_rdm_migrate_note(ctx, t);
	if (ctx->nsnaps)
		return op_fail(ctx, err, VD_EREFUSED, "the domain has %zu snapshot(s) and libvirt will not migrate "
			       "snapshot metadata; delete or merge them first ('%s'...)", ctx->nsnaps, ctx->snaps[0].name);
	return 0;
}

int migrate_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	const struct host *t = target_host(ctx, NULL, err);
	if (!t)
		return -1;
	req->kind = VOP_MIGRATE;
	op_req_domain(ctx, req);
	snprintf(req->target, sizeof req->target, "%s", t->cfg->name);
	req->dest_uri = x_strdup(t->cfg->libvirt_uri);
	if (op_str(ctx, "migrate_uri"))
		req->migrate_uri = x_strdup(op_str(ctx, "migrate_uri"));
	if (op_flag(ctx, "live"))
		req->flags |= VOPF_MIG_LIVE;
	if (op_flag(ctx, "persistent"))
		req->flags |= VOPF_MIG_PERSIST | VOPF_MIG_UNDEFINE;
	if (op_flag(ctx, "unsafe"))
		req->flags |= VOPF_MIG_UNSAFE;
	const struct op_value *bw = op_get(ctx, "bandwidth"), *dt = op_get(ctx, "max_downtime");
	req->bandwidth_mib = bw ? (uint64_t)bw->i : 0;
	req->max_downtime_ms = dt ? (uint64_t)dt->i : 0;
	return 0;
}

int abort_job_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	if (!op_dom_running(ctx->dom))
		return op_fail(ctx, err, VD_EINVAL, "the domain is %s: it runs no job", dom_state_name(ctx->dom->state));
	return 0;
}

int abort_job_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	req->kind = VOP_ABORT_JOB;
	op_req_domain(ctx, req);
	return 0;
}

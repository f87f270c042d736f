/* opexec_host.c — the operation path for host targets (h:create_bond ...).
 *
 * The same steps as op_invoke for domains: --readonly refusal, arguments,
 * validate over the model (the host's last poll), build, dry-run (print the
 * exact script, change nothing), run on the host's worker, refresh, one
 * audit record whatever happened.  A build_change operation becomes a
 * host_change run with commit-confirm; a build one a libvirt request. */
#include "ops/opexec.h"
#include "ops/opexec_priv.h"
#include "conn/bond_apply.h"
#include "core/timeutil.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

int op_invoke_host(struct op_env *env, const struct op_def *def, size_t hi, struct op_args *args,
		   struct op_outcome *out, struct vd_err *err)
{
	/* libvirt-side host operations (create_mdev ...) share the domain path. */
	if (def->target == OP_HOST && !def->build_change && def->build)
		return op_invoke(env, def, hi, NULL, args, 0, NULL, NULL, out, err);
	double started = now_mono_s();
	memset(out, 0, sizeof *out);
	out->dry_run = env->opts->dry_run;
	struct host *h = cluster_host_by_index(env->cluster, hi);
	err_where(err, def->name, h ? h->cfg->name : NULL, NULL);
	if (!h)
		return err_set(err, VD_ESTALE, "no such host");
	if (def->target != OP_HOST || (!def->build_change && !def->build))
		return err_set(err, VD_EINVAL, "%s is not a host operation", def->name);
	const char *hname = h->cfg->name;
	struct strbuf aj, notes, call;
	sb_init(&aj);
	sb_init(&notes);
	sb_init(&call);
	op_args_json(def, args, &aj);
	struct host_change chg = { 0 };
	struct vop_request req = { 0 };
	int rc = -1;
	const char *result = "refused";
	if ((def->flags & OPF_MUTATES) && env->opts->readonly) {
		err_set(err, VD_EREFUSED, "--readonly: refusing to %s", def->summary);
		goto audit_out;
	}
	if (op_args_finish(def, args, err) < 0)
		goto audit_out;
	struct op_ctx ctx = {
		.def = def, .args = args, .cluster = env->cluster, .host = h, .notes = &notes,
		.reserved = env->reserved,
	};
	if (def->validate(&ctx, err) < 0)
		goto audit_out;
	if (def->build_change) {
		if (h->cfg->transport == HT_NONE) {
			err_set(err, VD_EUNSUPPORTED, "host has no shell transport (transport = \"none\")");
			goto audit_out;
		}
		if (def->build_change(&ctx, &chg, err) < 0)
			goto audit_out;
		host_change_describe(&chg, &call);
	} else {
		if (def->build(&ctx, &req, err) < 0)
			goto audit_out;
		vop_describe(&req, &call);
	}
	out->call = x_strdup(call.buf);
	if (env->opts->dry_run) {
		rc = 0;
		result = "dry-run";
		goto audit_out;
	}
	if (def->build_change) {
		struct host_change_result res = { 0 };
		sb_init(&res.log);
		struct host_change_call hcc = { &chg, &res };
		rc = fleet_call(env->fleet, h, host_change_call, &hcc, err);
		if (rc == 0)
			snprintf(out->message, sizeof out->message, "%s%s", res.outcome,
				 !strcmp(res.outcome, "trial") ? ": applied; the host rolls it back unless confirmed" : "");
		if (res.log.len) {
			sb_append(&notes, "host log:\n");
			sb_append(&notes, res.log.buf);
		}
		sb_free(&res.log);
	} else {
		struct vop_result vres = { 0 };
		struct vop_call vc = { &req, &vres };
		rc = fleet_call(env->fleet, h, vop_call, &vc, err);
		snprintf(out->message, sizeof out->message, "%s", vres.message);
		vop_result_free(&vres);
	}
	err_where(err, def->name, hname, NULL);
	result = rc == 0 ? "ok" : "failed";
	{
		struct vd_err e;
		err_clear(&e);
		fleet_refresh(env->fleet, h, env->refresh_timeout_ms, &e);
	}
audit_out:
	op_audit(env, def, hname, NULL, aj.buf, call.len ? call.buf : NULL, result, rc < 0 ? err : NULL,
			started);
	if (notes.len)
		out->notes = sb_detach(&notes);
	host_change_free(&chg);
	vop_request_free(&req);
	sb_free(&aj);
	sb_free(&notes);
	sb_free(&call);
	return rc;
}

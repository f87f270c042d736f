/* op_run.c — the one path an operation takes from arguments to audit, as a
 * small state machine so that it can be driven without blocking:
 *
 *   --readonly refusal → defaults → [snapshot list] → validate → build →
 *   dry-run (describe only) | host call (answered after the worker re-read
 *   what changed) | long task → audit.
 *
 * Nothing reaches a host before validate() passed: the only call made
 * earlier is a read (the snapshot list).  Every mutating operation that got
 * this far writes exactly one audit record, whatever its outcome (a long
 * task writes its own).  op_invoke drives the machine to the end, pumping
 * the fleet; a coroutine calls op_run_step after each pump instead. */
#include "ops/opexec.h"
#include "ops/opexec_priv.h"
#include "ops/snapxml.h"
#include "core/timeutil.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum phase { PH_SNAPS, PH_PREPARE, PH_SLOT, PH_TASK, PH_CALL, PH_DONE };

/* A host call in flight: owns what the worker reads and writes, so that it
 * outlives a run freed early (then the done callback frees it). */
struct call_box {
	struct vop_request req;
	struct vop_result  res;
	struct vop_call    vc;
	int                done, rc, orphan;
	struct vd_err      err;
};

struct op_run {
	struct op_env       *env;
	const struct op_def *def;
	size_t               hi;
	char                 uuid[37], hname[64], dname[128];
	struct op_args       args;
	int                  async;
	op_progress_fn       progress;
	void                *pctx;
	double               started, last_progress;
	enum phase           phase;
	struct strbuf        aj, notes, call;
	struct op_snapshot  *snaps;
	size_t               nsnaps;
	struct vop_request   req;
	struct call_box     *box;
	unsigned             task_job;
	int                  audit_due, rc;
	const char          *result;
	struct vd_err        err;
	struct op_outcome    out;
};

static void box_done(void *ctx, int rc, const struct vd_err *err)
{
	struct call_box *b = ctx;
	if (b->orphan) {
		vop_request_free(&b->req);
		vop_result_free(&b->res);
		free(b);
		return;
	}
	b->done = 1;
	b->rc = rc;
	if (rc < 0 && err)
		b->err = *err;
}

static void box_send_to(struct op_run *r, struct vop_request *req, struct host *h)
{
	struct call_box *b = x_calloc(1, sizeof *b);
	b->req = *req;
	memset(req, 0, sizeof *req);
	b->vc.req = &b->req;
	b->vc.res = &b->res;
	r->box = b;
	fleet_call_async(r->env->fleet, h, vop_call, &b->vc, box_done, b);
}

static void box_send(struct op_run *r, struct vop_request *req)
{
	box_send_to(r, req, cluster_host_by_index(r->env->cluster, r->hi));
}

static void box_free(struct call_box **pb)
{
	struct call_box *b = *pb;
	if (!b)
		return;
	*pb = NULL;
	if (!b->done) {
		b->orphan = 1;
		return;
	}
	vop_request_free(&b->req);
	vop_result_free(&b->res);
	free(b);
}

static int finish(struct op_run *r, int rc, const char *result)
{
	r->rc = rc;
	r->result = result;
	r->audit_due = 1;
	r->phase = PH_DONE;
	return 1;
}

struct op_run *op_run_start(struct op_env *env, const struct op_def *def, size_t hi, const char *uuid,
			    struct op_args *args, int async, op_progress_fn progress, void *pctx)
{
	struct op_run *r = x_calloc(1, sizeof *r);
	r->env = env;
	r->def = def;
	r->hi = hi;
	snprintf(r->uuid, sizeof r->uuid, "%s", uuid ? uuid : "");
	r->args = *args;
	memset(args, 0, sizeof *args);
	r->async = async;
	r->progress = progress;
	r->pctx = pctx;
	r->started = now_mono_s();
	r->out.dry_run = env->opts->dry_run;
	r->result = "refused";
	r->rc = -1;
	err_clear(&r->err);
	sb_init(&r->aj);
	sb_init(&r->notes);
	sb_init(&r->call);
	struct host *h = cluster_host_by_index(env->cluster, hi);
	int host_op = def->target == OP_HOST;
	struct domain *d = h && !host_op ? host_find_domain_uuid(h, uuid) : NULL;
	err_where(&r->err, def->name, h ? h->cfg->name : NULL, d ? d->info.name : NULL);
	r->phase = PH_DONE;
	if (!h) {
		err_set(&r->err, VD_ESTALE, "no such host");
		return r;
	}
	if (!d && !host_op) {
		err_set(&r->err, VD_ESTALE, "the domain is no longer on this host");
		return r;   /* nothing to audit: no domain */
	}
	if (host_op && (def->flags & (OPF_LONG | OPF_SNAPSHOTS))) {
		err_set(&r->err, VD_EUNSUPPORTED, "host operations cannot be long or need snapshots");
		return r;
	}
	snprintf(r->hname, sizeof r->hname, "%s", h->cfg->name);
	snprintf(r->dname, sizeof r->dname, "%s", d ? d->info.name : "");
	op_args_json(def, &r->args, &r->aj);
	if ((def->flags & OPF_MUTATES) && env->opts->readonly) {
		err_set(&r->err, VD_EREFUSED, "--readonly: refusing to %s", def->summary);
		finish(r, -1, "refused");
		return r;
	}
	if (op_args_finish(def, &r->args, &r->err) < 0) {
		finish(r, -1, "refused");
		return r;
	}
	if (def->flags & OPF_SNAPSHOTS) {
		struct vop_request req = { .kind = VOP_SNAPSHOT_LIST };
		snprintf(req.uuid, sizeof req.uuid, "%s", uuid);
		box_send(r, &req);
		r->phase = PH_SNAPS;
	} else {
		r->phase = PH_PREPARE;
	}
	return r;
}

static void take_snapshots(struct op_run *r)
{
	struct vop_result *res = &r->box->res;
	struct op_snapshot *s = x_calloc(res->nsnapshots + 1, sizeof *s);
	size_t k = 0;
	for (size_t i = 0; i < res->nsnapshots; i++) {
		struct vd_err perr;
		err_clear(&perr);
		if (snapxml_parse(res->snapshots[i].xml, strlen(res->snapshots[i].xml), &s[k], &perr) < 0)
			continue;
		s[k].current = res->snapshots[i].current;
		if (!s[k].parent && res->snapshots[i].parent)
			s[k].parent = x_strdup(res->snapshots[i].parent);
		k++;
	}
	r->snaps = s;
	r->nsnaps = k;
}

static int step_prepare(struct op_run *r)
{
	struct op_env *env = r->env;
	struct host *h = cluster_host_by_index(env->cluster, r->hi);
	/* The snapshot read pumped the loop: the domain may have moved. */
	int host_op = r->def->target == OP_HOST;
	struct domain *d = host_op ? NULL : host_find_domain_uuid(h, r->uuid);
	if (!d && !host_op) {
		err_set(&r->err, VD_ESTALE, "the domain is no longer on this host");
		return finish(r, -1, "refused");
	}
	struct op_ctx ctx = {
		.def = r->def, .args = &r->args, .cluster = env->cluster, .host = h, .dom = d,
		.snaps = r->snaps, .nsnaps = r->nsnaps, .notes = &r->notes, .reserved = env->reserved,
		.dry_run = env->opts->dry_run,
	};
	if (r->def->validate(&ctx, &r->err) < 0 || r->def->build(&ctx, &r->req, &r->err) < 0)
		return finish(r, -1, "refused");
	vop_describe(&r->req, &r->call);
	r->out.call = x_strdup(r->call.buf);
	if (r->req.kind == VOP_NODEDEV_CREATE)
		snprintf(r->out.created, sizeof r->out.created, "%s", r->req.target);
	if (env->opts->dry_run) {
		if (r->req.kind == VOP_MIGRATE) {
			struct host *dh = cluster_host(env->cluster, r->req.target);
			r->out.new_host = dh ? (size_t)(dh - env->cluster->hosts) : r->hi;
		}
		return finish(r, 0, "dry-run");
	}
	if (r->def->flags & OPF_LONG) {
		r->phase = PH_SLOT;
		return 0;
	}
	/* A new VM (restore_to) is defined on the host its build named. */
	struct host *target = r->req.kind == VOP_DEFINE ? cluster_host(env->cluster, r->req.target) : h;
	if (!target) {
		err_set(&r->err, VD_ESTALE, "host %s is no longer in the inventory", r->req.target);
		return finish(r, -1, "failed");
	}
	box_send_to(r, &r->req, target);
	r->phase = PH_CALL;
	return 0;
}

static int step_slot(struct op_run *r)
{
	struct op_env *env = r->env;
	if (op_running_on(env, r->hi) >= env->limit_per_host) {
		op_tasks_step(env);
		if (op_running_on(env, r->hi) >= env->limit_per_host)
			return 0;
	}
	struct host *h = cluster_host_by_index(env->cluster, r->hi);
	struct domain *d = host_find_domain_uuid(h, r->uuid);
	if (!d) {
		err_set(&r->err, VD_ESTALE, "the domain is no longer on this host");
		return finish(r, -1, "refused");
	}
	r->rc = op_start_task(env, r->def, r->hi, d, &r->req, r->aj.buf, r->call.buf, r->started, &r->out, &r->err);
	r->task_job = r->out.job_id;
	if (r->rc < 0 || r->async) {
		r->phase = PH_DONE;   /* the task audits (or audited its failure) */
		return 1;
	}
	r->phase = PH_TASK;
	return 0;
}

static int step_task(struct op_run *r)
{
	struct op_env *env = r->env;
	struct op_task *t = op_task_find(env, r->task_job);
	if (!t) {
		err_set(&r->err, VD_ESTALE, "the task of job %u vanished", r->task_job);
		r->rc = -1;
		r->phase = PH_DONE;
		return 1;
	}
	struct vop_progress p;
	memset(&p, 0, sizeof p);
	int rc = 0;
	if (!op_task_step(env, t, &p, &rc, &r->err)) {
		if (r->progress && p.valid && now_mono_s() - r->last_progress >= 0.25) {
			r->last_progress = now_mono_s();
			r->progress(r->pctx, t, &p);
		}
		return 0;
	}
	if (!op_task_refreshed(env, t))
		return 0;
	/* Always a last report on success, however short the job was. */
	if (r->progress && rc == 0) {
		struct vop_progress last;
		memset(&last, 0, sizeof last);
		last.valid = 1;
		last.fraction = 1;
		snprintf(last.phase, sizeof last.phase, "done");
		r->progress(r->pctx, t, &last);
	}
	r->rc = rc;
	r->out.job_id = op_task_job(t);
	r->out.new_host = op_task_new_host(t);
	if (rc == 0)
		op_task_done_message(t, r->out.message, sizeof r->out.message);
	r->phase = PH_DONE;
	return 1;
}

static int step_call(struct op_run *r)
{
	if (!r->box->done)
		return 0;
	struct call_box *b = r->box;
	if (r->phase == PH_SNAPS) {
		if (b->rc < 0) {
			r->err = b->err;
			err_where(&r->err, r->def->name, r->hname, r->dname);
			box_free(&r->box);
			return finish(r, -1, "failed");
		}
		take_snapshots(r);
		box_free(&r->box);
		r->phase = PH_PREPARE;
		return step_prepare(r);
	}
	r->rc = b->rc;
	if (b->rc < 0)
		r->err = b->err;
	snprintf(r->out.message, sizeof r->out.message, "%s", b->res.message);
	err_where(&r->err, r->def->name, r->hname, r->dname);
	r->result = r->rc == 0 ? "ok" : "failed";
	box_free(&r->box);
	/* No refresh to wait for: the worker re-read what changed before it
	 * answered, and that snapshot was applied before this reply. */
	r->audit_due = 1;
	r->phase = PH_DONE;
	return 1;
}

int op_run_step(struct op_run *r)
{
	for (;;) {
		enum phase before = r->phase;
		int done = 0;
		switch (r->phase) {
		case PH_SNAPS:
		case PH_CALL: done = step_call(r); break;
		case PH_PREPARE: done = step_prepare(r); break;
		case PH_SLOT: done = step_slot(r); break;
		case PH_TASK: done = step_task(r); break;
		case PH_DONE: done = 1; break;
		}
		if (done || r->phase == PH_DONE) {
			if (r->audit_due) {
				r->audit_due = 0;
				op_audit(r->env, r->def, r->hname, r->dname, r->aj.buf, r->call.len ? r->call.buf : NULL,
					 r->result, r->rc < 0 ? &r->err : NULL, r->started);
			}
			return 1;
		}
		if (r->phase == before)
			return 0;   /* waiting */
	}
}

int op_run_result(struct op_run *r, struct op_outcome *out, struct vd_err *err)
{
	*out = r->out;
	memset(&r->out, 0, sizeof r->out);
	if (r->notes.len)
		out->notes = sb_detach(&r->notes);
	if (r->rc < 0 && err)
		*err = r->err;
	return r->rc;
}

void op_run_abort(struct op_run *r)
{
	struct op_task *t = r->task_job ? op_task_find(r->env, r->task_job) : NULL;
	if (t)
		op_task_abort(t);
}

void op_run_free(struct op_run **pr)
{
	struct op_run *r = *pr;
	if (!r)
		return;
	*pr = NULL;
	box_free(&r->box);
	op_args_free(&r->args);
	op_outcome_free(&r->out);
	op_snapshots_free(r->snaps, r->nsnaps);
	vop_request_free(&r->req);
	sb_free(&r->aj);
	sb_free(&r->notes);
	sb_free(&r->call);
	free(r);
}

int op_invoke(struct op_env *env, const struct op_def *def, size_t hi, const char *uuid,
	      struct op_args *args, int async, op_progress_fn progress, void *pctx,
	      struct op_outcome *out, struct vd_err *err)
{
	struct op_run *r = op_run_start(env, def, hi, uuid, args, async, progress, pctx);
	while (!op_run_step(r))
		fleet_pump(env->fleet, 100);
	int rc = op_run_result(r, out, err);
	op_run_free(&r);
	return rc;
}

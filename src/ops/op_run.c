/* op_run.c — the one path every call to a host takes, from arguments to
 * audit, as a small state machine that never waits:
 *
 *   --readonly refusal → defaults → [snapshot list] → [definition] → [disk size] →
 *   validate → build → dry-run (describe only) | host call (answered after
 *   the worker re-read what changed) | long task → [refresh] → audit.
 *
 * A host call is whatever the operation built: a libvirt request, a
 * commit-confirm change of the host's configuration, or a command on the
 * host's shell.  Reads (d:snapshots()) take the same path and stop after the
 * snapshot list.  The disk size is read (virDomainGetBlockInfo) only for an
 * OPF_BLOCKINFO operation whose disk's size the model does not know.
 * Nothing reaches a host before validate() passed: the only calls made
 * earlier are reads.  A mutating operation that got this far is
 * audited (ops/audit.h): one that is sent writes a started record first —
 * and is refused, nothing sent, when that record cannot be written — then
 * a result record with the same id (a long task writes its own); one
 * refused or dry-run writes only its result.  A run freed before its host
 * call answered (vdeck exits) records it as abandoned.  The caller steps
 * the machine after each fleet_pump — in
 * practice a coroutine of the scheduler (lua/sched.c) whose await calls
 * op_run_step until it says finished. */
#include "ops/opexec.h"
#include "ops/opexec_priv.h"
#include "ops/snapxml.h"
#include "conn/host_run.h"
#include "core/timeutil.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum phase { PH_SNAPS, PH_DOMXML, PH_BLOCKINFO, PH_PREPARE, PH_SLOT, PH_TASK, PH_CALL, PH_REFRESH, PH_DONE };

enum call_kind { CALL_VIRT, CALL_CHANGE, CALL_COMMAND };

/* A host call in flight: owns what the worker reads and writes, so that it
 * outlives a run freed early (then the done callback frees it). */
struct call_box {
	enum call_kind             kind;
	struct vop_request         req;
	struct vop_result          res;
	struct vop_call            vc;
	struct host_change         chg;
	struct host_change_result  chres;
	struct host_change_call    hcc;
	struct op_command          cmd;
	struct host_run            run;
	int                        done, rc, orphan;
	struct vd_err              err;
};

struct op_run {
	struct op_env       *env;
	const struct op_def *def;       /* NULL: the snapshot list only */
	const char          *name;      /* operation name for errors */
	size_t               hi;
	char                 uuid[37], hname[64], dname[128];
	struct op_args       args;
	int                  async;
	double               started, last_progress, refresh_since;
	uint64_t             refresh_ticket;   /* fleet_refresh_request, after a change */
	enum phase           phase;
	struct strbuf        aj, notes, call;
	struct strbuf        previous;      /* JSON of the values changed, as they were ("" none) */
	struct op_snapshot  *snaps;
	size_t               nsnaps;
	uint64_t             disk_capacity;   /* OPF_BLOCKINFO: what libvirt said, 0 not read */
	char                *domain_xml;      /* OPF_DOMXML: the inactive definition, owned */
	struct vop_request   req;
	struct host_change   chg;
	struct op_command    cmd;
	struct call_box     *box;
	unsigned             task_job;
	int                  audit_due, rc;
	int                  audit_open;    /* its started record is written, its result not yet */
	char                 audit_id[AUDIT_ID_MAX];
	const char          *result;
	struct vd_err        err;
	struct op_outcome    out;
	struct vop_progress  progress;
	int                  progress_due;
};

static void box_release(struct call_box *b)
{
	vop_request_free(&b->req);
	vop_result_free(&b->res);
	host_change_free(&b->chg);
	sb_free(&b->chres.log);
	free(b->cmd.cmd);
	sb_free(&b->run.out);
	sb_free(&b->run.err);
	free(b);
}

static void box_done(void *ctx, int rc, const struct vd_err *err)
{
	struct call_box *b = ctx;
	if (b->orphan) {
		box_release(b);
		return;
	}
	b->done = 1;
	b->rc = rc;
	if (rc < 0 && err)
		b->err = *err;
}

static struct call_box *box_new(enum call_kind kind)
{
	struct call_box *b = x_calloc(1, sizeof *b);
	b->kind = kind;
	sb_init(&b->chres.log);
	sb_init(&b->run.out);
	sb_init(&b->run.err);
	return b;
}

/* Sends what r built (taking it over) to host h. */
static void box_send(struct op_run *r, enum call_kind kind, struct host *h)
{
	struct call_box *b = box_new(kind);
	host_call_fn fn = NULL;
	void *arg = NULL;
	switch (kind) {
	case CALL_VIRT:
		b->req = r->req;
		memset(&r->req, 0, sizeof r->req);
		b->vc = (struct vop_call){ &b->req, &b->res };
		fn = vop_call;
		arg = &b->vc;
		break;
	case CALL_CHANGE:
		b->chg = r->chg;
		memset(&r->chg, 0, sizeof r->chg);
		b->hcc = (struct host_change_call){ &b->chg, &b->chres };
		fn = host_change_call;
		arg = &b->hcc;
		break;
	case CALL_COMMAND:
		b->cmd = r->cmd;
		memset(&r->cmd, 0, sizeof r->cmd);
		b->run.cmd = b->cmd.cmd;
		b->run.timeout_ms = b->cmd.timeout_ms;
		b->run.max_bytes = b->cmd.max_bytes;
		fn = host_run_call;
		arg = &b->run;
		break;
	}
	r->box = b;
	fleet_call_async(r->env->fleet, h, fn, arg, box_done, b);
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
	box_release(b);
}

static int finish(struct op_run *r, int rc, const char *result)
{
	r->rc = rc;
	r->result = result;
	r->audit_due = r->def && (r->def->flags & OPF_MUTATES);
	r->phase = PH_DONE;
	return 1;
}

/* The started record, right before the first byte of r goes to a host:
 * 0, or -1 with r finished as refused (and nothing sent) when it cannot
 * be written. */
static int audit_start(struct op_run *r)
{
	if (!(r->def->flags & OPF_MUTATES))
		return 0;
	if (op_audit_started(r->env, r->def, r->hname, r->dname[0] ? r->dname : NULL, r->aj.buf,
			     r->call.len ? r->call.buf : NULL, r->started, r->audit_id, &r->err) == 0) {
		r->audit_open = 1;
		return 0;
	}
	finish(r, -1, "refused");
	r->audit_due = 0;   /* the file that refused the first record will not take this one */
	return -1;
}

static struct op_run *run_new(struct op_env *env, const struct op_def *def, const char *name, size_t hi,
			      const char *uuid)
{
	struct op_run *r = x_calloc(1, sizeof *r);
	r->env = env;
	r->def = def;
	r->name = name;
	r->hi = hi;
	snprintf(r->uuid, sizeof r->uuid, "%s", uuid ? uuid : "");
	r->started = now_mono_s();
	r->out.dry_run = env->opts->dry_run;
	r->result = "refused";
	r->rc = -1;
	r->phase = PH_DONE;
	err_clear(&r->err);
	sb_init(&r->aj);
	sb_init(&r->notes);
	sb_init(&r->call);
	sb_init(&r->previous);
	return r;
}

/* Resolves host and domain into r's names; 0, or -1 with r->err set. */
static int resolve(struct op_run *r, int need_domain)
{
	struct host *h = cluster_host_by_index(r->env->cluster, r->hi);
	struct domain *d = h && need_domain ? host_find_domain_uuid(h, r->uuid) : NULL;
	err_where(&r->err, r->name, h ? h->cfg->name : NULL, d ? d->info.name : NULL);
	if (!h)
		return err_set(&r->err, VD_ESTALE, "no such host");
	if (need_domain && !d)
		return err_set(&r->err, VD_ESTALE, "the domain is no longer on this host");
	snprintf(r->hname, sizeof r->hname, "%s", h->cfg->name);
	snprintf(r->dname, sizeof r->dname, "%s", d ? d->info.name : "");
	return 0;
}

static void send_snapshot_list(struct op_run *r)
{
	r->req = (struct vop_request){ .kind = VOP_SNAPSHOT_LIST };
	snprintf(r->req.uuid, sizeof r->req.uuid, "%s", r->uuid);
	box_send(r, CALL_VIRT, cluster_host_by_index(r->env->cluster, r->hi));
	r->phase = PH_SNAPS;
}

/* The disk an OPF_BLOCKINFO operation changes, when the model does not know
 * its size (no block statistics, no pool volume); NULL otherwise, also when
 * the domain has no such disk (validate says so). */
static const char *disk_of_unknown_size(struct op_run *r)
{
	if (!(r->def->flags & OPF_BLOCKINFO))
		return NULL;
	int i = op_arg_index(r->def, "target");
	const char *target = i >= 0 && r->args.v[i].set ? r->args.v[i].s : NULL;
	struct domain *d = host_find_domain_uuid(cluster_host_by_index(r->env->cluster, r->hi), r->uuid);
	for (size_t k = 0; d && target && k < d->info.ndisks; k++)
		if (!strcmp(d->info.disks[k].target, target))
			return d->info.disks[k].capacity ? NULL : target;
	return NULL;
}

/* The last read before validate: the disk's size when needed. */
static void read_disk_size_or_prepare(struct op_run *r)
{
	const char *disk = disk_of_unknown_size(r);
	if (!disk) {
		r->phase = PH_PREPARE;
		return;
	}
	r->req = (struct vop_request){ .kind = VOP_BLOCK_INFO };
	snprintf(r->req.uuid, sizeof r->req.uuid, "%s", r->uuid);
	snprintf(r->req.dom_name, sizeof r->req.dom_name, "%s", r->dname);
	snprintf(r->req.target, sizeof r->req.target, "%s", disk);
	box_send(r, CALL_VIRT, cluster_host_by_index(r->env->cluster, r->hi));
	r->phase = PH_BLOCKINFO;
}

/* The reads before validate, in order: the definition when needed, then
 * the disk size. */
static void read_domxml_or_next(struct op_run *r)
{
	if (!(r->def->flags & OPF_DOMXML)) {
		read_disk_size_or_prepare(r);
		return;
	}
	r->req = (struct vop_request){ .kind = VOP_DOMAIN_XML };
	snprintf(r->req.uuid, sizeof r->req.uuid, "%s", r->uuid);
	snprintf(r->req.dom_name, sizeof r->req.dom_name, "%s", r->dname);
	box_send(r, CALL_VIRT, cluster_host_by_index(r->env->cluster, r->hi));
	r->phase = PH_DOMXML;
}

struct op_run *op_run_start(struct op_env *env, const struct op_def *def, size_t hi, const char *uuid,
			    struct op_args *args, int async)
{
	struct op_run *r = run_new(env, def, def->name, hi, uuid);
	r->args = *args;
	memset(args, 0, sizeof *args);
	r->async = async;
	int host_op = def->target == OP_HOST;
	if (resolve(r, !host_op) < 0)
		return r;   /* nothing to audit: no such object */
	if (host_op && (def->flags & (OPF_LONG | OPF_SNAPSHOTS | OPF_BLOCKINFO | OPF_DOMXML))) {
		err_set(&r->err, VD_EUNSUPPORTED, "host operations cannot be long or need snapshots, definitions or disk sizes");
		return r;
	}
	if (!def->build + !def->build_change + !def->build_command != 2) {
		err_set(&r->err, VD_EUNSUPPORTED, "%s has no single way to run (table error)", def->name);
		return r;
	}
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
	if (def->flags & OPF_SNAPSHOTS)
		send_snapshot_list(r);
	else
		read_domxml_or_next(r);
	return r;
}

struct op_run *op_run_start_snapshots(struct op_env *env, size_t hi, const char *uuid)
{
	struct op_run *r = run_new(env, NULL, "snapshots", hi, uuid);
	if (resolve(r, 1) == 0)
		send_snapshot_list(r);
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

/* Builds what the operation sends, and its description; 0 or -1. */
static int build(struct op_run *r, const struct op_ctx *ctx, enum call_kind *kind)
{
	const struct op_def *def = r->def;
	if (def->build_change) {
		*kind = CALL_CHANGE;
		if (ctx->host->cfg->transport == HT_NONE)
			return err_set(&r->err, VD_EUNSUPPORTED, "host has no shell transport (transport = \"none\")");
		if (def->build_change(ctx, &r->chg, &r->err) < 0)
			return -1;
		host_change_describe(&r->chg, &r->call);
		return 0;
	}
	if (def->build_command) {
		*kind = CALL_COMMAND;
		if (def->build_command(ctx, &r->cmd, &r->err) < 0)
			return -1;
		sb_append(&r->call, "sh -c ");
		sb_append_shell(&r->call, r->cmd.cmd);
		sb_appendc(&r->call, '\n');
		return 0;
	}
	*kind = CALL_VIRT;
	if (def->build(ctx, &r->req, &r->err) < 0)
		return -1;
	vop_describe(&r->req, &r->call);
	return 0;
}

static int step_prepare(struct op_run *r)
{
	struct op_env *env = r->env;
	struct host *h = cluster_host_by_index(env->cluster, r->hi);
	/* The snapshot read took a while: the domain may have moved. */
	int host_op = r->def->target == OP_HOST;
	struct domain *d = host_op ? NULL : host_find_domain_uuid(h, r->uuid);
	if (!d && !host_op) {
		err_set(&r->err, VD_ESTALE, "the domain is no longer on this host");
		return finish(r, -1, "refused");
	}
	struct op_ctx ctx = {
		.def = r->def, .args = &r->args, .cluster = env->cluster, .host = h, .dom = d,
		.snaps = r->snaps, .nsnaps = r->nsnaps, .notes = &r->notes, .reserved = env->reserved,
		.disk_capacity = r->disk_capacity, .dry_run = env->opts->dry_run, .domain_xml = r->domain_xml,
	};
	enum call_kind kind;
	if (r->def->validate(&ctx, &r->err) < 0 || build(r, &ctx, &kind) < 0)
		return finish(r, -1, "refused");
	r->out.call = x_strdup(r->call.buf);
	if (kind == CALL_VIRT && r->req.kind == VOP_NODEDEV_CREATE)
		snprintf(r->out.created, sizeof r->out.created, "%s", r->req.target);
	if (env->opts->dry_run) {
		if (kind == CALL_VIRT && r->req.kind == VOP_MIGRATE) {
			struct host *dh = cluster_host(env->cluster, r->req.target);
			r->out.new_host = dh ? (size_t)(dh - env->cluster->hosts) : r->hi;
		}
		return finish(r, 0, "dry-run");
	}
	if (r->def->flags & OPF_LONG) {
		r->phase = PH_SLOT;
		return 0;
	}
	/* A new VM (restore_to, clone) is defined on the host its build named. */
	int elsewhere = kind == CALL_VIRT && (r->req.kind == VOP_DEFINE || r->req.kind == VOP_CLONE);
	struct host *target = elsewhere ? cluster_host(env->cluster, r->req.target) : h;
	if (!target) {
		err_set(&r->err, VD_ESTALE, "host %s is no longer in the inventory", r->req.target);
		return finish(r, -1, "failed");
	}
	if (audit_start(r) < 0)
		return 1;
	box_send(r, kind, target);
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
	if (audit_start(r) < 0)
		return 1;
	r->audit_open = 0;   /* the task writes the result record */
	r->rc = op_start_task(env, r->def, r->hi, d, &r->req, r->aj.buf, r->call.buf, r->audit_id, r->started,
			      &r->out, &r->err);
	r->task_job = r->out.job_id;
	if (r->rc < 0 || r->async) {
		r->phase = PH_DONE;   /* the task audits (or audited its failure) */
		return 1;
	}
	r->phase = PH_TASK;
	return 0;
}

static void report_progress(struct op_run *r, const struct vop_progress *p)
{
	r->progress = *p;
	r->progress_due = 1;
	r->last_progress = now_mono_s();
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
		if (p.valid && now_mono_s() - r->last_progress >= 0.25)
			report_progress(r, &p);
		return 0;
	}
	if (!op_task_refreshed(env, t))
		return 0;
	/* Always a last report on success, however short the job was. */
	if (rc == 0) {
		struct vop_progress last;
		memset(&last, 0, sizeof last);
		last.valid = 1;
		last.fraction = 1;
		snprintf(last.phase, sizeof last.phase, "done");
		report_progress(r, &last);
	}
	r->rc = rc;
	r->out.job_id = op_task_job(t);
	r->out.new_host = op_task_new_host(t);
	if (rc == 0)
		op_task_done_message(t, r->out.message, sizeof r->out.message);
	r->phase = PH_DONE;
	return 1;
}

/* What the box brought back, into the outcome. */
static void take_reply(struct op_run *r, struct call_box *b)
{
	switch (b->kind) {
	case CALL_VIRT:
		snprintf(r->out.message, sizeof r->out.message, "%s", b->res.message);
		break;
	case CALL_CHANGE:
		if (b->rc == 0)
			snprintf(r->out.message, sizeof r->out.message, "%s%s", b->chres.outcome,
				 !strcmp(b->chres.outcome, "trial") ? ": applied; the host rolls it back unless confirmed" : "");
		if (b->chres.log.len) {
			sb_append(&r->notes, "host log:\n");
			sb_append(&r->notes, b->chres.log.buf);
		}
		break;
	case CALL_COMMAND:
		if (r->def->command_result && b->rc == 0) {
			/* the output decides: a refusal is the operation's failure */
			b->rc = r->def->command_result(r->def, &r->args, &b->run, &r->out, &b->err);
			if (r->out.nprevious)
				op_previous_json(&r->out, &r->previous);
		}
		r->out.cmd_out = sb_detach(&b->run.out);
		r->out.cmd_err = sb_detach(&b->run.err);
		r->out.cmd_status = b->run.status;
		break;
	}
}

/* A settings command: its exit status decides, its output is the message. */
static void setting_reply(struct op_run *r, const struct call_box *b)
{
	size_t n = 0;
	for (const char *p = r->out.cmd_out ? r->out.cmd_out : ""; *p && n + 3 < sizeof r->out.message; p++) {
		if (*p == '\n' && !p[1])
			break;
		if (*p == '\n')
			r->out.message[n++] = ';', r->out.message[n++] = ' ';
		else
			r->out.message[n++] = *p;
	}
	r->out.message[n] = '\0';
	if (r->rc == 0 && b->run.status != 0) {
		const char *e = r->out.cmd_err && *r->out.cmd_err ? r->out.cmd_err : "no message";
		r->rc = -1;
		err_set(&r->err, VD_ESSH, "the host's script exited with %d: %.*s", b->run.status,
			(int)strcspn(e, "\n"), e);
	}
}

static int step_call(struct op_run *r)
{
	if (!r->box->done)
		return 0;
	struct call_box *b = r->box;
	if (r->phase == PH_SNAPS) {
		if (b->rc < 0) {
			r->err = b->err;
			err_where(&r->err, r->name, r->hname, r->dname);
			box_free(&r->box);
			return finish(r, -1, "failed");
		}
		take_snapshots(r);
		box_free(&r->box);
		if (!r->def) {   /* the read was all that was asked */
			r->out.snapshots = r->snaps;
			r->out.nsnapshots = r->nsnaps;
			r->snaps = NULL;
			r->nsnaps = 0;
			return finish(r, 0, "ok");
		}
		read_domxml_or_next(r);
		return 0;
	}
	if (r->phase == PH_DOMXML) {
		if (b->rc < 0) {
			r->err = b->err;
			err_where(&r->err, r->name, r->hname, r->dname);
			box_free(&r->box);
			return finish(r, -1, "failed");
		}
		r->domain_xml = b->res.xml;
		b->res.xml = NULL;
		box_free(&r->box);
		read_disk_size_or_prepare(r);
		return 0;
	}
	if (r->phase == PH_BLOCKINFO) {
		if (b->rc < 0) {
			/* Without the size a resize could shrink the disk: refused. */
			err_set(&r->err, b->err.code, "cannot read the current size of disk %s of VM %s on host %s: %s",
				r->box->req.target, r->dname, r->hname, b->err.msg);
			err_where(&r->err, r->name, r->hname, r->dname);
			box_free(&r->box);
			return finish(r, -1, "refused");
		}
		r->disk_capacity = b->res.capacity;
		box_free(&r->box);
		r->phase = PH_PREPARE;
		return 0;
	}
	take_reply(r, b);
	r->rc = b->rc;
	if (b->rc < 0)
		r->err = b->err;
	if (b->kind == CALL_COMMAND && (r->def->flags & OPF_SETTING))
		setting_reply(r, b);
	err_where(&r->err, r->name, r->hname, r->dname);
	r->result = r->rc == 0 ? "ok" : "failed";
	enum call_kind kind = b->kind;
	box_free(&r->box);
	if (kind == CALL_CHANGE || (kind == CALL_COMMAND && (r->def->flags & OPF_SETTING))) {
		/* A change of the host's own configuration shows in its files:
		 * answer once the host was polled again (or the wait timed out). */
		r->refresh_since = now_mono_s();
		r->refresh_ticket = fleet_refresh_request(r->env->fleet, cluster_host_by_index(r->env->cluster, r->hi), 1);
		r->phase = PH_REFRESH;
		return 0;
	}
	/* Otherwise no refresh to wait for: the worker re-read what changed
	 * before it answered, and that snapshot was applied before this reply. */
	return finish(r, r->rc, r->result);
}

static int step_refresh(struct op_run *r)
{
	struct host *h = cluster_host_by_index(r->env->cluster, r->hi);
	if (!fleet_refresh_answered(r->env->fleet, h, r->refresh_ticket) &&
	    now_mono_s() - r->refresh_since < r->env->refresh_timeout_ms / 1000.0)
		return 0;
	return finish(r, r->rc, r->result);
}

int op_run_step(struct op_run *r)
{
	for (;;) {
		enum phase before = r->phase;
		int done = 0;
		switch (r->phase) {
		case PH_SNAPS:
		case PH_DOMXML:
		case PH_BLOCKINFO:
		case PH_CALL: done = step_call(r); break;
		case PH_PREPARE: done = step_prepare(r); break;
		case PH_SLOT: done = step_slot(r); break;
		case PH_TASK: done = step_task(r); break;
		case PH_REFRESH: done = step_refresh(r); break;
		case PH_DONE: done = 1; break;
		}
		if (done || r->phase == PH_DONE) {
			if (r->audit_due) {
				r->audit_due = 0;
				op_audit(r->env, r->audit_open ? r->audit_id : NULL, r->def, r->hname,
					 r->dname[0] ? r->dname : NULL, r->aj.buf, r->call.len ? r->call.buf : NULL,
					 r->result, r->rc < 0 ? &r->err : NULL, r->started,
					 r->previous.len ? r->previous.buf : NULL);
				r->audit_open = 0;
			}
			return 1;
		}
		if (r->phase == before)
			return 0;   /* waiting */
	}
}

int op_run_progress_due(const struct op_run *r)
{
	return r->progress_due;
}

int op_run_progress(struct op_run *r, struct vop_progress *p)
{
	if (!r->progress_due)
		return 0;
	r->progress_due = 0;
	*p = r->progress;
	return 1;
}

unsigned op_run_job(const struct op_run *r)
{
	return r->task_job;
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

/* A run freed after its started record and before its result: vdeck is
 * going away (or nobody waits for it any more).  What is known is written:
 * the answer when it landed, else "abandoned". */
static void audit_abandoned(struct op_run *r)
{
	const char *result = r->result;
	if (r->phase == PH_CALL && r->box && r->box->done) {
		r->rc = r->box->rc;
		if (r->rc < 0)
			r->err = r->box->err;
		result = r->rc == 0 ? "ok" : "failed";
	} else if (r->phase == PH_CALL) {
		r->rc = -1;
		err_set(&r->err, VD_ETIMEOUT, "vdeck stopped waiting for the host's answer; the outcome is not recorded");
		result = "abandoned";
	}   /* else PH_REFRESH: the host answered, only the re-read was pending */
	err_where(&r->err, r->name, r->hname, r->dname);
	op_audit(r->env, r->audit_id, r->def, r->hname, r->dname[0] ? r->dname : NULL, r->aj.buf,
		 r->call.len ? r->call.buf : NULL, result, r->rc < 0 ? &r->err : NULL, r->started, NULL);
	r->audit_open = 0;
}

void op_run_free(struct op_run **pr)
{
	struct op_run *r = *pr;
	if (!r)
		return;
	*pr = NULL;
	if (r->audit_open)
		audit_abandoned(r);
	box_free(&r->box);
	op_args_free(&r->args);
	op_outcome_free(&r->out);
	op_snapshots_free(r->snaps, r->nsnaps);
	free(r->domain_xml);
	vop_request_free(&r->req);
	host_change_free(&r->chg);
	free(r->cmd.cmd);
	sb_free(&r->aj);
	sb_free(&r->notes);
	sb_free(&r->call);
	sb_free(&r->previous);
	free(r);
}

/* opexec.c — what operations share once they run: the audit records, the
 * tasks of long operations (start, per-host limit, poll, abort).  The step-by-step path of one
 * operation is op_run.c. */
#include "ops/opexec.h"
#include "ops/opexec_priv.h"
#include "ops/audit.h"
#include "ops/audit_syslog.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct op_task {
	struct vop_job     *job;
	unsigned            job_id;
	size_t              host, dest;     /* dest = host when not a migration */
	uint64_t            reserved;
	const struct op_def *def;
	char               *args_json, *call;
	char                domain[128];
	char                audit_id[AUDIT_ID_MAX];   /* of its started record */
	double              started;
	int                 finished, rc;
	int                 abort_asked;    /* t:abort or a cancelled job: a failure is "aborted" */
	int                 refreshed;      /* the model was re-read after it finished */
	double              refresh_since;  /* when the re-read was asked: its deadline */
	uint64_t            refresh_ticket, dest_ticket;   /* fleet_refresh_request */
	struct vd_err       err;
};

void op_env_init(struct op_env *env, struct fleet *fleet, const struct vd_options *opts, int refresh_timeout_ms)
{
	memset(env, 0, sizeof *env);
	env->fleet = fleet;
	env->cluster = fleet_cluster(fleet);
	env->opts = opts;
	env->refresh_timeout_ms = refresh_timeout_ms > 0 ? refresh_timeout_ms : 15000;
	env->limit_per_host = 2;
	env->reserved = x_calloc(env->cluster->nhosts + 1, sizeof *env->reserved);
	if (opts->audit_syslog)
		env->syslog = audit_syslog_new(opts->audit_syslog_socket);
}

static void task_free(struct op_task *t)
{
	vop_job_free(&t->job);
	free(t->args_json);
	free(t->call);
	free(t);
}

/* A task still running when its environment goes (vdeck exits): its end
 * is recorded now, before the abort and the wait for its thread, so that
 * even a kill during that wait leaves the record. */
static void task_abandon(struct op_env *env, struct op_task *t)
{
	struct vd_err jerr;
	err_clear(&jerr);
	int jrc = 0;
	struct host *h = cluster_host_by_index(env->cluster, t->host);
	const char *result = "abandoned";
	if (vop_job_poll(t->job, NULL, &jrc, &jerr)) {   /* it ended; nobody looked yet */
		result = jrc == 0 ? "ok" : t->abort_asked ? "aborted" : "failed";
	} else {
		err_set(&jerr, VD_EREFUSED, "vdeck exited while the task ran; it was asked to abort, "
			"its outcome is not recorded");
		jrc = -1;
	}
	if (jrc < 0)
		err_where(&jerr, t->def->name, h->cfg->name, t->domain);
	op_audit(env, t->audit_id, t->def, h->cfg->name, t->domain, t->args_json, t->call, result,
		 jrc < 0 ? &jerr : NULL, t->started, NULL);
	t->finished = 1;
}

void op_env_free(struct op_env *env)
{
	for (size_t i = 0; i < env->ntasks; i++) {
		if (!env->tasks[i]->finished && env->tasks[i]->job) {
			task_abandon(env, env->tasks[i]);
			vop_job_abort(env->tasks[i]->job);
		}
		task_free(env->tasks[i]);
	}
	free(env->tasks);
	free(env->reserved);
	audit_syslog_free(&env->syslog);
	env->tasks = NULL;
	env->reserved = NULL;
	env->ntasks = env->cap = 0;
}

void op_previous_json(const struct op_outcome *out, struct strbuf *sb)
{
	sb_appendc(sb, '{');
	for (size_t i = 0; i < out->nprevious; i++) {
		const char *v = out->previous[i].value;
		if (i)
			sb_appendc(sb, ',');
		sb_append_json(sb, out->previous[i].name);
		sb_appendc(sb, ':');
		/* values are "true", "false" or digits (op_coalesce.c), so JSON as they are */
		if (v[0] && strspn(v, "0123456789-") == strlen(v))
			sb_append(sb, v);
		else if (!strcmp(v, "true") || !strcmp(v, "false"))
			sb_append(sb, v);
		else
			sb_append_json(sb, v);
	}
	sb_appendc(sb, '}');
}

void op_outcome_free(struct op_outcome *out)
{
	free(out->call);
	free(out->notes);
	free(out->cmd_out);
	free(out->cmd_err);
	op_snapshots_free(out->snapshots, out->nsnapshots);
	memset(out, 0, sizeof *out);
}

/* The syslog copy of a record (after the file's): never waits, never
 * refuses; syslog going away is said once in the Log view. */
static void audit_copy_to_syslog(struct op_env *env, const struct audit_record *r)
{
	struct vd_err serr;
	err_clear(&serr);
	if (env->syslog && audit_syslog_send(env->syslog, r, &serr) < 0) {
		log_warn("%s", serr.msg);
		eventlog_add(&env->cluster->events, EV_WARN, NULL, "%s", serr.msg);
	}
}

int op_audit_started(struct op_env *env, const struct op_def *def, const char *host, const char *domain,
		     const char *args_json, const char *call, double started, char id[AUDIT_ID_MAX],
		     struct vd_err *err)
{
	audit_new_id(id);
	struct audit_record r = {
		.time = now_wall_s(), .id = id, .kind = AUDIT_STARTED, .user = audit_user(),
		.sudo_user = audit_sudo_user(), .pid = (long)getpid(), .host = host, .domain = domain,
		.operation = def->name, .args_json = args_json, .call = call, .dry_run = env->opts->dry_run,
		.duration = now_mono_s() - started,
	};
	struct vd_err aerr;
	err_clear(&aerr);
	int rc = audit_append(env->opts->audit_path, &r, &aerr);
	audit_copy_to_syslog(env, &r);
	if (rc == 0)
		return 0;
	eventlog_add(&env->cluster->events, EV_ERROR, host, "%s", aerr.msg);
	return err_set(err, VD_EIO, "%s: refusing to %s without a record of it (nothing was sent)", aerr.msg,
		       def->summary);
}

void op_audit(struct op_env *env, const char *id, const struct op_def *def, const char *host, const char *domain,
	      const char *args_json, const char *call, const char *result, const struct vd_err *e,
	      double started, const char *previous)
{
	char buf[1200], own[AUDIT_ID_MAX];
	if (!id) {
		audit_new_id(own);
		id = own;
	}
	struct audit_record r = {
		.time = now_wall_s(), .id = id, .kind = AUDIT_RESULT, .user = audit_user(),
		.sudo_user = audit_sudo_user(), .pid = (long)getpid(), .host = host, .domain = domain,
		.operation = def->name, .args_json = args_json, .call = call, .dry_run = env->opts->dry_run,
		.result = result, .error = e ? err_format(e, buf, sizeof buf) : NULL,
		.duration = now_mono_s() - started, .previous = previous,
	};
	struct vd_err aerr;
	err_clear(&aerr);
	int rc = audit_append(env->opts->audit_path, &r, &aerr);
	audit_copy_to_syslog(env, &r);
	if (rc < 0) {
		/* What happened stays what it was; the missing record is said
		 * on stderr (the console's Log view). */
		log_error("%s: the %s record of %s %s (id %s) is missing", aerr.msg, result, def->name,
			  domain ? domain : "", id);
	}
	eventlog_add(&env->cluster->events, EV_AUDIT, host, "%s %s: %s%s%s", def->name, domain ? domain : "",
		     result, e ? ": " : "", e ? e->msg : "");
}

size_t op_running_on(struct op_env *env, size_t host)
{
	size_t n = 0;
	for (size_t i = 0; i < env->ntasks; i++)
		n += !env->tasks[i]->finished && env->tasks[i]->host == host;
	return n;
}

int op_start_task(struct op_env *env, const struct op_def *def, size_t hi, const struct domain *d,
		  const struct vop_request *req, const char *args_json, const char *call, const char *audit_id,
		  double started, struct op_outcome *out, struct vd_err *err)
{
	struct host *h = cluster_host_by_index(env->cluster, hi);
	struct op_task *t = x_calloc(1, sizeof *t);
	t->def = def;
	t->host = t->dest = hi;
	if (req->kind == VOP_MIGRATE) {
		struct host *dh = cluster_host(env->cluster, req->target);
		t->dest = dh ? (size_t)(dh - env->cluster->hosts) : hi;
		t->reserved = d->info.max_memory ? d->info.max_memory : d->info.memory;
		env->reserved[t->dest] += t->reserved;
	}
	t->args_json = x_strdup(args_json);
	t->call = x_strdup(call);
	snprintf(t->domain, sizeof t->domain, "%s", d->info.name);
	snprintf(t->audit_id, sizeof t->audit_id, "%s", audit_id);
	t->started = started;
	char desc[400];
	snprintf(desc, sizeof desc, "%s %s%s%s", def->name, d->info.name, req->kind == VOP_MIGRATE ? " to " : "",
		 req->kind == VOP_MIGRATE ? req->target : "");
	struct job *j = jobs_add(&env->cluster->jobs, def->name, h->cfg->name, d->info.name, desc);
	t->job_id = j->id;
	t->job = vop_job_start(h->cfg->libvirt_uri, req, err);
	if (!t->job) {
		jobs_finish(&env->cluster->jobs, j, JOB_FAILED, err->msg);
		env->reserved[t->dest] -= t->reserved;
		op_audit(env, audit_id, def, h->cfg->name, d->info.name, args_json, call, "failed", err, started, NULL);
		task_free(t);
		return -1;
	}
	jobs_progress(&env->cluster->jobs, j, -1, "starting");
	x_grow(&env->tasks, &env->cap, env->ntasks + 1, sizeof *env->tasks);
	env->tasks[env->ntasks++] = t;
	out->job_id = t->job_id;
	out->new_host = t->dest;
	return 0;
}

struct op_task *op_task_find(struct op_env *env, unsigned job_id)
{
	for (size_t i = 0; i < env->ntasks; i++)
		if (env->tasks[i]->job_id == job_id)
			return env->tasks[i];
	return NULL;
}

static void progress_text(const struct vop_progress *p, char *buf, size_t len)
{
	if (p->data_total)
		snprintf(buf, len, "%s: %llu of %llu MiB, %llu MiB left%s", p->phase,
			 (unsigned long long)(p->data_processed >> 20), (unsigned long long)(p->data_total >> 20),
			 (unsigned long long)(p->data_remaining >> 20), "");
	else
		snprintf(buf, len, "%s", p->phase);
}

static void ignore_done(void *ctx, int rc, const struct vd_err *err)
{
	(void)ctx;
	(void)rc;
	(void)err;
}

int op_task_step(struct op_env *env, struct op_task *t, struct vop_progress *p, int *rc, struct vd_err *err)
{
	struct vop_progress local;
	if (!p)
		p = &local;
	if (t->finished) {
		vop_job_poll(t->job, p, NULL, NULL);
		if (rc)
			*rc = t->rc;
		if (err && t->rc < 0)
			*err = t->err;
		return 1;
	}
	int jrc = 0;
	struct vd_err jerr;
	err_clear(&jerr);
	int done = vop_job_poll(t->job, p, &jrc, &jerr);
	struct job *j = jobs_find(&env->cluster->jobs, t->job_id);
	char msg[200];
	progress_text(p, msg, sizeof msg);
	if (!done) {
		if (j)
			jobs_progress(&env->cluster->jobs, j, p->fraction, msg);
		return 0;
	}
	t->finished = 1;
	t->rc = jrc;
	struct host *h = cluster_host_by_index(env->cluster, t->host);
	err_clear(&t->err);
	if (jrc < 0) {
		t->err = jerr;
		err_where(&t->err, t->def->name, h->cfg->name, t->domain);
	}
	env->reserved[t->dest] -= t->reserved;
	if (j)
		jobs_finish(&env->cluster->jobs, j, jrc == 0 ? JOB_DONE : JOB_FAILED, jrc == 0 ? msg : t->err.msg);
	/* The domain changed (or moved): re-read both ends (without waiting;
	 * the queue keeps the mark before the refresh). */
	fleet_call_async(env->fleet, h, vop_mark_changed, NULL, ignore_done, NULL);
	t->refresh_since = now_mono_s();
	t->refresh_ticket = t->dest_ticket = fleet_refresh_request(env->fleet, h, 0);
	if (t->dest != t->host)
		t->dest_ticket = fleet_refresh_request(env->fleet, cluster_host_by_index(env->cluster, t->dest), 0);
	op_audit(env, t->audit_id, t->def, h->cfg->name, t->domain, t->args_json, t->call,
		 jrc == 0 ? "ok" : t->abort_asked ? "aborted" : "failed", jrc < 0 ? &t->err : NULL, t->started, NULL);
	if (rc)
		*rc = t->rc;
	if (err && t->rc < 0)
		*err = t->err;
	return 1;
}

int op_task_refreshed(struct op_env *env, struct op_task *t)
{
	if (!t->finished)
		return 0;
	if (t->refreshed)
		return 1;
	struct host *h = cluster_host_by_index(env->cluster, t->host);
	struct host *d = cluster_host_by_index(env->cluster, t->dest);
	if ((fleet_refresh_answered(env->fleet, h, t->refresh_ticket) &&
	     fleet_refresh_answered(env->fleet, d, t->dest_ticket)) ||
	    now_mono_s() - t->refresh_since > env->refresh_timeout_ms / 1000.0)
		t->refreshed = 1;
	return t->refreshed;
}

void op_task_done_message(const struct op_task *t, char *buf, size_t len)
{
	struct vop_progress p;
	vop_job_poll(t->job, &p, NULL, NULL);
	if (t->def && !strcmp(t->def->name, "migrate"))
		snprintf(buf, len, "migrated in %.1f s, downtime %llu ms", now_mono_s() - t->started,
			 (unsigned long long)p.downtime_ms);
	else
		snprintf(buf, len, "done in %.1f s", now_mono_s() - t->started);
}

void op_task_abort(struct op_task *t)
{
	if (!t->finished && !vop_job_poll(t->job, NULL, NULL, NULL)) {   /* a job that already failed was not aborted */
		t->abort_asked = 1;
		vop_job_abort(t->job);
	}
}

unsigned op_task_job(const struct op_task *t) { return t->job_id; }
size_t op_task_new_host(const struct op_task *t) { return t->dest; }

size_t op_tasks_step(struct op_env *env)
{
	size_t running = 0;
	for (size_t i = 0; i < env->ntasks; i++)
		if (!env->tasks[i]->finished)
			running += !op_task_step(env, env->tasks[i], NULL, NULL, NULL);
	return running;
}

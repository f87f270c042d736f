/* opexec.h — running one operation from the table: the single path every
 * face (Lua, REPL, TUI, --exec) goes through.
 *
 *   --readonly refusal → resolve the domain → fetch facts (snapshots) →
 *   validate → build → dry-run (describe, change nothing) or run →
 *   refresh the model → one audit record.
 *
 * Long operations (OPF_LONG) become tasks: a job in cluster->jobs with
 * progress, at most `limit_per_host` running per source host. */
#ifndef VD_OPEXEC_H
#define VD_OPEXEC_H

#include <stddef.h>

#include "conn/fleet.h"
#include "conn/virt_ops.h"
#include "core/options.h"
#include "ops/optable.h"

struct op_task;
struct audit_syslog;

struct op_env {
	struct fleet            *fleet;
	struct cluster          *cluster;
	const struct vd_options *opts;
	int                      refresh_timeout_ms;
	unsigned                 limit_per_host;   /* long operations per source host (default 2) */
	/* private */
	struct op_task         **tasks;
	size_t                   ntasks, cap;
	uint64_t                *reserved;         /* per host: memory of running migrations */
	struct audit_syslog     *syslog;           /* opts->audit_syslog: a copy of each record */
};

/* A value an operation changed, as it was before (set_coalesce): named as
 * the operation's argument, so giving it back undoes the change. */
#define OP_MAX_PREVIOUS 16
struct op_previous {
	char name[24];
	char value[32];    /* "true", "false" or a number */
};

struct op_outcome {
	char     *call;       /* the request as libvirt calls (dry-run output), owned */
	char     *notes;      /* explanations and warnings, owned, may be NULL */
	int       dry_run;
	char      message[256];
	unsigned  job_id;     /* long operations: the job (0 none) */
	size_t    new_host;   /* migrate: index of the target host */
	char      created[128];   /* what a host operation creates (an mdev uuid), "" none */
	struct op_snapshot *snapshots;   /* filled only by op_run_start_snapshots */
	size_t    nsnapshots;
	char     *cmd_out, *cmd_err;      /* a command's output (h:run), owned */
	int       cmd_status;             /* its exit status */
	struct op_previous previous[OP_MAX_PREVIOUS];   /* also in the audit record */
	size_t    nprevious;
};

/* previous[] as a JSON object, "{}" when empty. */
void op_previous_json(const struct op_outcome *out, struct strbuf *sb);

void op_env_init(struct op_env *env, struct fleet *fleet, const struct vd_options *opts, int refresh_timeout_ms);
/* Aborts running tasks, waits for them, frees. */
void op_env_free(struct op_env *env);

void op_outcome_free(struct op_outcome *out);

/* The one path of every call to a host, as a step machine that never
 * waits.  op_run_start runs def on the domain (host_index, uuid), or on the
 * host for an OP_HOST operation (uuid NULL), and takes over args (the
 * caller's struct is left empty); async: a long operation finishes once
 * started (out->job_id names its task).  op_run_step advances without
 * waiting and returns 1 once finished (call it again after fleet_pump while
 * it returns 0); op_run_result then gives 0, or -1 with err naming host,
 * domain and cause.  Freeing a run whose host call is still in flight is
 * safe (the call's buffers are released when it lands); a started long
 * task goes on and is audited when op_tasks_step sees it end. */
struct op_run;
struct op_run *op_run_start(struct op_env *env, const struct op_def *def, size_t host_index, const char *uuid,
			    struct op_args *args, int async);
/* The same path for a read: the domain's snapshots, parsed, in
 * out->snapshots (allowed under --readonly, never audited). */
struct op_run *op_run_start_snapshots(struct op_env *env, size_t host_index, const char *uuid);
int  op_run_step(struct op_run *r);
/* A long operation's progress, at most every 0.25 s and once more with
 * fraction 1 and phase "done" when it succeeded: 1 when p was filled. */
int  op_run_progress(struct op_run *r, struct vop_progress *p);
int  op_run_progress_due(const struct op_run *r);
/* The job of the long task the run started, 0 none. */
unsigned op_run_job(const struct op_run *r);
int  op_run_result(struct op_run *r, struct op_outcome *out, struct vd_err *err);
/* Aborts the long task the run waits for (it then finishes as failed). */
void op_run_abort(struct op_run *r);
void op_run_free(struct op_run **r);

/* Tasks of long operations, by job id.  op_task_step polls one without
 * waiting: 1 finished (rc/err final, audit written), 0 running; a finished
 * task asks for the model re-read, and op_task_refreshed says when that
 * arrived (or timed out).  op_tasks_step polls every task once and returns
 * how many still run. */
struct op_task *op_task_find(struct op_env *env, unsigned job_id);
int  op_task_step(struct op_env *env, struct op_task *t, struct vop_progress *p, int *rc, struct vd_err *err);
int  op_task_refreshed(struct op_env *env, struct op_task *t);
size_t op_tasks_step(struct op_env *env);
/* "migrated in 3.1 s, downtime 20 ms" / "done in 1.2 s" for a finished task. */
void op_task_done_message(const struct op_task *t, char *buf, size_t len);
void op_task_abort(struct op_task *t);
unsigned op_task_job(const struct op_task *t);
size_t op_task_new_host(const struct op_task *t);

#endif

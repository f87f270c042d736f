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
};

typedef void (*op_progress_fn)(void *ctx, const struct op_task *t, const struct vop_progress *p);

struct op_outcome {
	char     *call;       /* the request as libvirt calls (dry-run output), owned */
	char     *notes;      /* explanations and warnings, owned, may be NULL */
	int       dry_run;
	char      message[256];
	unsigned  job_id;     /* long operations: the job (0 none) */
	size_t    new_host;   /* migrate: index of the target host */
	char      created[128];   /* what a host operation creates (an mdev uuid), "" none */
	struct op_snapshot *snapshots;   /* filled only by op_list_snapshots */
	size_t    nsnapshots;
};

void op_env_init(struct op_env *env, struct fleet *fleet, const struct vd_options *opts, int refresh_timeout_ms);
/* Aborts running tasks, waits for them, frees. */
void op_env_free(struct op_env *env);

/* Runs def on the domain (host_index, uuid), or on the host for an
 * OP_HOST operation (uuid NULL).  async: a long operation
 * returns after starting (out->job_id names it); else it is waited for,
 * calling progress.  Returns 0 or -1 with err naming host, domain, cause. */
int  op_invoke(struct op_env *env, const struct op_def *def, size_t host_index, const char *uuid,
	       struct op_args *args, int async, op_progress_fn progress, void *pctx,
	       struct op_outcome *out, struct vd_err *err);
void op_outcome_free(struct op_outcome *out);

/* Runs a host operation (def->target == OP_HOST) on host host_index: the
 * same path (readonly, validate, build, dry-run, run, refresh, audit).
 * build_change operations run with commit-confirm over the host's shell
 * transport (conn/bond_apply.h); build ones as a libvirt request. */
int  op_invoke_host(struct op_env *env, const struct op_def *def, size_t host_index, struct op_args *args,
		    struct op_outcome *out, struct vd_err *err);
/* The same path, one step at a time, for callers that must not block (a
 * runbook coroutine in the TUI).  op_run_start takes over args (the
 * caller's struct is left empty); op_run_step advances without waiting and
 * returns 1 once finished (call it again after fleet_pump while it returns
 * 0); op_run_result then gives what op_invoke would have returned.  Freeing
 * a run whose host call is still in flight is safe (the call's buffers are
 * released when it lands); a started long task goes on and is audited when
 * op_tasks_step sees it end. */
struct op_run;
struct op_run *op_run_start(struct op_env *env, const struct op_def *def, size_t host_index, const char *uuid,
			    struct op_args *args, int async, op_progress_fn progress, void *pctx);
int  op_run_step(struct op_run *r);
int  op_run_result(struct op_run *r, struct op_outcome *out, struct vd_err *err);
/* Aborts the long task the run waits for (it then finishes as failed). */
void op_run_abort(struct op_run *r);
void op_run_free(struct op_run **r);

/* Reads and parses the domain's snapshots (allowed under --readonly). */
int  op_list_snapshots(struct op_env *env, size_t host_index, const char *uuid,
		       struct op_snapshot **out, size_t *n, struct vd_err *err);

/* Tasks by job id. poll: 1 finished (rc/err final, audit written), 0 running. */
struct op_task *op_task_find(struct op_env *env, unsigned job_id);
int  op_task_poll(struct op_env *env, struct op_task *t, struct vop_progress *p, int *rc, struct vd_err *err);
/* Pumps the fleet until t finished; returns its rc.  progress (may be NULL)
 * is called at most every 0.25 s while it runs, and once more with
 * fraction 1 and phase "done" when it succeeded. */
int  op_task_wait(struct op_env *env, struct op_task *t, op_progress_fn progress, void *pctx,
		  struct op_outcome *out, struct vd_err *err);
void op_task_abort(struct op_task *t);
unsigned op_task_job(const struct op_task *t);
size_t op_task_new_host(const struct op_task *t);
/* Polls every task once (finishing those done); returns how many still run. */
size_t op_tasks_pump(struct op_env *env);
/* Non-blocking forms: a finished task asks for the model re-read without
 * waiting for it; op_task_refreshed says when it arrived (or timed out). */
int  op_task_step(struct op_env *env, struct op_task *t, struct vop_progress *p, int *rc, struct vd_err *err);
int  op_task_refreshed(struct op_env *env, struct op_task *t);
size_t op_tasks_step(struct op_env *env);

#endif

/* vlua.h — the embedded Lua runtime, as the top layers (exec, repl, tui)
 * see it.  They never include Lua headers: they hand over code and get back
 * exit codes, text and completions. */
#ifndef VD_VLUA_H
#define VD_VLUA_H

#include <stddef.h>

#include "core/err.h"
#include "core/options.h"
#include "core/strbuf.h"

struct fleet;
struct vlua;

/* Exit codes shared by every face of vdeck. */
enum vd_exit {
	EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3,
	EXIT_LOCKED = 4, EXIT_INTERRUPTED = 130,
};

struct vlua *vlua_new(struct fleet *fleet, const struct vd_options *opts, struct vd_err *err);
void vlua_free(struct vlua **vl);

/* Runs a script or runbook file with k=v arguments; prints errors on stderr;
 * returns an enum vd_exit. */
int  vlua_run_file(struct vlua *vl, const char *path, int argc, char **argv);
/* Waits (running the scheduler) until every host answered its first poll
 * or was marked down after the connect timeout: for --check and the
 * summary, which report every host. */
void vlua_settle(struct vlua *vl);
/* Runs a one-liner (-e). */
int  vlua_run_string(struct vlua *vl, const char *code, const char *name);

/* REPL: evaluates one chunk; results and errors are written to out.
 * Returns 1 when the chunk is incomplete (more lines needed), else 0. */
int  vlua_repl_eval(struct vlua *vl, const char *chunk, struct strbuf *out);
/* The status a script asked for with os.exit (the run then ended: every
 * task stopped); -1 when none did.  The REPL quits on it. */
int  vlua_exit_status(const struct vlua *vl);
/* Completions for the word ending the line (e.g. "vdeck.ho", "h:nu").
 * Returns a NULL-terminated heap array of heap strings. */
char **vlua_complete(struct vlua *vl, const char *line);

/* Async-signal-safe: makes the running script raise "interrupted" (exit 130). */
void vlua_interrupt(void);

/* Runbooks found on the search path: prints a table (or JSON lines). */
int  vlua_list_runbooks(struct vlua *vl, int json);
/* The file of runbook NAME (a name without a slash, ".lua" optional) in the
 * runbook directories, never the current directory; NULL and err (naming
 * the directories searched) when none has it. */
char *vlua_runbook_find(const char *name, struct vd_err *err);

/* ---- jobs: what the TUI runs without blocking its loop (vlua_job.c) ----
 *
 * A job is a coroutine on the runtime's state with a row in the cluster's
 * job list (the Jobs view).  Where a script would block (an operation,
 * refresh, h:run, t:wait) it yields, and vlua_jobs_step resumes it once the
 * work finished; a long pure-Lua stretch yields every few milliseconds too.
 * Inside a job print, ctx.log, vdeck.emit and dry-run text go to the job's
 * log, never to the terminal.  All of this runs on the loop thread. */

/* Starts the runbook file with k=v arguments.  Bad arguments fail here with
 * err (nothing started, nothing changed).  *job_id names the job. */
int  vlua_job_runbook(struct vlua *vl, const char *path, int argc, char **argv, unsigned *job_id,
		      struct vd_err *err);
/* Starts operation op (from the operation table) on domain dom of host with
 * k=v arguments (booleans as true/false, sizes as "8G"). */
int  vlua_job_op(struct vlua *vl, const char *op, const char *host, const char *dom, int argc, char **argv,
		 unsigned *job_id, struct vd_err *err);
/* Resumes the jobs whose wait is over (call after each fleet_pump), for a
 * few milliseconds at most; returns how many still run, and sets *more
 * when some can go on at once (step again without waiting). */
size_t vlua_jobs_step(struct vlua *vl, int *more);
/* Cancels a running job: its long operation is aborted; an operation
 * already sent is let finish (and audited), then the job stops there.
 * -1 when job_id is not a running job of vl. */
int  vlua_job_cancel(struct vlua *vl, unsigned job_id);
/* The job's output so far (NULL: not a job of vl). */
const char *vlua_job_log(struct vlua *vl, unsigned job_id);

#endif

/* sched.h — the one scheduler: every Lua chunk vdeck runs is a task.
 *
 * An --exec script, a -e one-liner, a REPL line, a console job and each
 * item of vdeck.each are all coroutines of one scheduler per Lua runtime.
 * A binding that talks to a host starts the work and calls sched_await:
 * the coroutine yields with a ready() predicate and a continuation, and the
 * scheduler resumes it once ready() says so — as tmux's command queue
 * continues a command that returned WAIT.  Nothing here blocks except
 * sched_run's poll on the fleet's wake-up fd, which is the headless faces'
 * event loop; the console has its own loop and calls sched_step.  lua/ only. */
#ifndef VD_SCHED_H
#define VD_SCHED_H

#include <lua.h>
#include <stddef.h>

struct fleet;
struct sched;
struct sched_task;

/* Where a task's print, ctx.log, vdeck.emit and dry-run text go. */
struct sched_sink {
	void (*write)(void *ud, int is_err, const char *s, size_t n);   /* NULL: stdout/stderr */
	void  *ud;
};

/* Called once when a task ended (on the loop, no coroutine running):
 * status is LUA_OK with nres results on co's stack, or an error status
 * with the error value on top.  The task is freed right after. */
typedef void (*sched_end_fn)(void *ud, lua_State *co, int status, int nres);

struct sched_spawn_opts {
	struct sched_sink sink;
	unsigned          job_id;   /* the job row ctx.progress moves, 0 none */
	sched_end_fn      on_end;
	void             *end_ud;
};

struct sched *sched_new(lua_State *L, struct fleet *fleet);
/* Ends every task without resuming it (their on_end is not called). */
void sched_free(struct sched **s);

/* Starts a task running the function under nargs arguments on top of L
 * (L is the main state or the running task's coroutine; they are moved).
 * It first runs at the next sched_step. */
struct sched_task *sched_spawn(struct sched *s, lua_State *L, int nargs, const struct sched_spawn_opts *o);
/* Resumes the tasks whose wait is over, for a few milliseconds at most
 * (the next step goes on from there); returns how many tasks remain. */
size_t sched_step(struct sched *s);
/* Whether a task can run at once (a step stopped short, or a task was
 * spawned): the caller steps again without waiting. */
int sched_runnable(const struct sched *s);
/* The headless loop: pumps the fleet and steps until *until is non-zero. */
void sched_run(struct sched *s, const int *until);
/* Asks a task to stop: what it waits for is cancelled where it can be (a
 * long operation is aborted), an operation already sent is let finish
 * (and audited), then the task ends with an error "why" at once. */
void sched_cancel(struct sched_task *t, const char *why);

/* For bindings: waits for ready(ud) to say 1, then continues with k
 * (lua_yieldk's continuation).  ud lives on the coroutine's stack (a
 * userdata below k_ctx's reach).  Raises a clear error where a wait is
 * impossible (inside a metamethod, a table.sort comparator, or a coroutine
 * of the script's own). */
int  sched_await(lua_State *L, int (*ready)(void *ud), void (*cancel)(void *ud), void *ud,
		 lua_KContext k_ctx, lua_KFunction k);
/* Whether a binding running on L may wait here (sched_await would not raise). */
int  sched_can_wait(lua_State *L);
/* The scheduler of L's runtime, and the task running now (NULL outside). */
struct sched *sched_of(lua_State *L);
struct sched_task *sched_current(struct sched *s);
/* The running task's sink and job (an each item inherits its parent's). */
const struct sched_sink *sched_task_sink(const struct sched_task *t);
unsigned sched_task_job(const struct sched_task *t);

/* Async-signal-safe: the running script stops at its next instruction
 * count with an "interrupted" error, and sched_run cancels every task. */
void sched_interrupt(void);
/* os.exit: every task is cancelled and the run ends with status (the
 * first asked), in order — the workers stopped, temporary files removed,
 * a task's operations recorded — where _exit() skipped all of it. */
void sched_exit(struct sched *s, int status);
/* -1 when no task asked to exit. */
int  sched_exit_status(const struct sched *s);

#endif

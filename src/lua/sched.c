/* sched.c — the one scheduler (see sched.h).
 *
 * Tasks are Lua threads anchored in the registry.  sched_step resumes a task
 * when the work it awaited is ready, or at once when it yielded only because
 * its time slice (a count hook, ~20 ms) ran out, so a long stretch of pure
 * Lua never holds the console's loop either.  Nor do many tasks: a step
 * stops after ~8 ms and the next one goes on from there (round robin), so
 * a bulk run of thousands of operations leaves the console's loop turning
 * between steps, reading keys and drawing.  A cancelled task is not
 * resumed again: when it waits on an operation already sent, that operation
 * is let finish (so its audit record is written) and only then does the
 * task end.  Everything here runs on the loop thread. */
#include "lua/sched.h"
#include "lua/lvdeck.h"
#include "lua/ops_lua.h"
#include "core/timeutil.h"
#include "core/xalloc.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLICE_S 0.02
#define STEP_S  0.008

struct sched_task {
	struct sched           *s;
	lua_State              *co;        /* NULL once ended */
	int                     ref;       /* keeps co alive */
	int                     nargs;     /* arguments of the first resume */
	int                     started, waiting, cancelled;
	char                    why[64];
	int                   (*ready)(void *ud);
	void                  (*cancel)(void *ud);
	void                   *ud;
	struct sched_spawn_opts o;
};

struct sched {
	lua_State          *L;
	struct fleet       *fleet;
	struct sched_task **tasks;
	size_t              n, cap;
	struct sched_task  *current;
	size_t              next;      /* where the next step starts */
	int                 stepping, runnable, cancelled_all;
	int                 exit_status;   /* os.exit's; -1: none asked */
};

static volatile sig_atomic_t interrupted;
static double slice_start;
static struct sched *running_sched;   /* whose task the hook is watching */

struct sched *sched_new(lua_State *L, struct fleet *fleet)
{
	struct sched *s = x_calloc(1, sizeof *s);
	s->L = L;
	s->fleet = fleet;
	s->exit_status = -1;
	return s;
}

static void task_free(struct sched *s, struct sched_task *t)
{
	if (t->co)
		luaL_unref(s->L, LUA_REGISTRYINDEX, t->ref);
	free(t);
}

void sched_free(struct sched **ps)
{
	struct sched *s = *ps;
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		task_free(s, s->tasks[i]);
	free(s->tasks);
	x_free(ps);
}

struct sched *sched_of(lua_State *L) { return lctx_get(L)->sched; }
struct sched_task *sched_current(struct sched *s) { return s ? s->current : NULL; }
const struct sched_sink *sched_task_sink(const struct sched_task *t) { return &t->o.sink; }
unsigned sched_task_job(const struct sched_task *t) { return t->o.job_id; }

struct sched_task *sched_spawn(struct sched *s, lua_State *L, int nargs, const struct sched_spawn_opts *o)
{
	struct sched_task *t = x_calloc(1, sizeof *t);
	t->s = s;
	t->o = *o;
	t->nargs = nargs;
	t->co = lua_newthread(L);
	lua_insert(L, -(nargs + 2));
	lua_xmove(L, t->co, nargs + 1);
	t->ref = luaL_ref(L, LUA_REGISTRYINDEX);
	x_grow(&s->tasks, &s->cap, s->n + 1, sizeof *s->tasks);
	s->tasks[s->n++] = t;
	s->runnable++;
	return t;
}

/* Runs every ~1000 instructions of a task: the time slice and ^C. */
static void task_hook(lua_State *L, lua_Debug *ar)
{
	(void)ar;
	if (interrupted)
		lvd_raisef(L, VD_EINVAL, NULL, NULL, NULL, "interrupted");
	struct sched *s = running_sched;
	if (s && s->exit_status >= 0)   /* a script that caught os.exit's error still ends */
		lvd_raisef(L, VD_EINVAL, NULL, NULL, NULL, "exit");
	if (s && s->current && s->current->co == L && now_mono_s() - slice_start > SLICE_S && lua_isyieldable(L))
		lua_yield(L, 0);
}

static void end_task(struct sched *s, struct sched_task *t, int status, int nres)
{
	s->current = t;   /* on_end's output goes to the task's sink */
	if (t->o.on_end)
		t->o.on_end(t->o.end_ud, t->co, status, nres);
	s->current = NULL;
	luaL_unref(s->L, LUA_REGISTRYINDEX, t->ref);
	t->co = NULL;
}

static void resume(struct sched *s, struct sched_task *t)
{
	t->waiting = 0;
	t->ready = NULL;
	t->cancel = NULL;
	t->ud = NULL;
	int nargs = t->started ? 0 : t->nargs;
	t->started = 1;
	s->current = t;
	running_sched = s;
	slice_start = now_mono_s();
	lua_sethook(t->co, task_hook, LUA_MASKCOUNT, 1000);
	int nres = 0;
	int st = lua_resume(t->co, s->L, nargs, &nres);
	lua_sethook(t->co, NULL, 0, 0);
	s->current = NULL;
	running_sched = NULL;
	if (st == LUA_YIELD) {
		lua_pop(t->co, nres);
		t->waiting = t->ready != NULL;
		return;
	}
	end_task(s, t, st, nres);
}

/* A cancelled task ends with an error without being resumed. */
static void end_cancelled(struct sched *s, struct sched_task *t)
{
	struct vd_err e;
	err_clear(&e);
	err_set(&e, VD_EINVAL, "%s", t->why);
	lvd_push_error(t->co, &e);
	end_task(s, t, LUA_ERRRUN, 0);
}

/* Resumes t when its wait is over. */
static void visit(struct sched *s, struct sched_task *t)
{
	if (!t->co)
		return;
	if (t->waiting && !t->ready(t->ud))
		return;
	t->waiting = 0;
	if (t->cancelled)
		end_cancelled(s, t);
	else
		resume(s, t);
	if (t->co && !t->waiting)
		s->runnable++;
}

size_t sched_step(struct sched *s)
{
	if (s->stepping)
		return s->n;
	s->stepping = 1;
	/* Long operations started with async=true and never waited for end here. */
	op_tasks_step(lvd_ops_env(s->L));
	s->runnable = 0;
	/* From where the last step stopped to the end, then from the start;
	 * tasks spawned meanwhile (vdeck.each items) run in the step too. */
	double t0 = now_mono_s();
	size_t start = s->next < s->n ? s->next : 0, i = start, visited = 0, cut = SIZE_MAX;
	int wrapped = !start;
	for (;;) {
		if (i >= s->n) {
			if (wrapped)
				break;
			wrapped = 1;
			i = 0;
		}
		if (wrapped && start && i >= start)
			break;
		if (visited && now_mono_s() - t0 >= STEP_S) {
			cut = i;
			s->runnable++;   /* the rest: at the next step, without waiting */
			break;
		}
		visit(s, s->tasks[i++]);
		visited++;
	}
	size_t k = 0;
	s->next = 0;
	for (size_t j = 0; j < s->n; j++) {
		if (j == cut)
			s->next = k;
		if (s->tasks[j]->co)
			s->tasks[k++] = s->tasks[j];
		else
			task_free(s, s->tasks[j]);
	}
	s->n = k;
	s->stepping = 0;
	return s->n;
}

int sched_runnable(const struct sched *s)
{
	return s->runnable > 0;
}

static void sched_cancel_all(struct sched *s, const char *why);

void sched_run(struct sched *s, const int *until)
{
	while (!*until) {
		if (interrupted && !s->cancelled_all)
			sched_cancel_all(s, "interrupted");
		if (!sched_step(s) || *until)
			break;
		/* Replies wake the pump at once; the timeout bounds how late a
		 * deadline or a polled job's progress is seen. */
		fleet_pump(s->fleet, sched_runnable(s) ? 0 : 20);
	}
}

void sched_cancel(struct sched_task *t, const char *why)
{
	if (!t->co || t->cancelled)
		return;
	t->cancelled = 1;
	snprintf(t->why, sizeof t->why, "%s", why);
	if (t->waiting && t->cancel)
		t->cancel(t->ud);
}

static void sched_cancel_all(struct sched *s, const char *why)
{
	s->cancelled_all = 1;
	for (size_t i = 0; i < s->n; i++)
		sched_cancel(s->tasks[i], why);
}

int sched_can_wait(lua_State *L)
{
	struct sched_task *t = sched_current(sched_of(L));
	return t && t->co == L && lua_isyieldable(L);
}

int sched_await(lua_State *L, int (*ready)(void *ud), void (*cancel)(void *ud), void *ud,
		lua_KContext k_ctx, lua_KFunction k)
{
	if (ready(ud))
		return k(L, LUA_OK, k_ctx);
	struct sched *s = sched_of(L);
	struct sched_task *t = sched_current(s);
	const char *why = !t ? "no task of the scheduler is running"
		: t->co != L ? "inside a coroutine of the script's own (run such work with vdeck.each)"
		: !lua_isyieldable(L) ? "inside a metamethod or a C function such as table.sort's comparator"
		: NULL;
	if (why) {
		if (cancel)
			cancel(ud);
		return lvd_raisef(L, VD_EUNSUPPORTED, NULL, NULL, NULL, "cannot wait for a host here: %s", why);
	}
	t->ready = ready;
	t->cancel = cancel;
	t->ud = ud;
	return lua_yieldk(L, 0, k_ctx, k);
}

void sched_interrupt(void)
{
	interrupted = 1;
}

void sched_exit(struct sched *s, int status)
{
	if (s->exit_status < 0)
		s->exit_status = status;
	if (!s->cancelled_all)
		sched_cancel_all(s, "exit");
}

int sched_exit_status(const struct sched *s)
{
	return s->exit_status;
}


/* ops_tasks.c — the Lua side of operations beyond the generated methods:
 * tasks of long operations (t:wait([fn]), t:done(), t:progress(), t:abort();
 * an on_progress given with async=true is kept and called by t:wait()),
 * d:snapshots() as a tree, vdeck.operations() (the table's metadata),
 * vdeck.jobs(), vdeck.wait_any{...} and vdeck.op_limit(n). */
#include "lua/ops_lua.h"
#include "lua/sched.h"
#include "core/timeutil.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

struct task_handle { unsigned job; };

void lvd_push_progress(lua_State *L, const struct vop_progress *p, unsigned job)
{
	lua_createtable(L, 0, 10);
	lua_pushstring(L, p->phase);
	lua_setfield(L, -2, "phase");
	lua_pushnumber(L, p->fraction);
	lua_setfield(L, -2, "fraction");
#define SETI(k, v) (lua_pushinteger(L, (lua_Integer)(v)), lua_setfield(L, -2, k))
	SETI("data_total", p->data_total);
	SETI("data_processed", p->data_processed);
	SETI("data_remaining", p->data_remaining);
	SETI("dirty_rate", p->mem_dirty_rate * (p->mem_page_size ? p->mem_page_size : 4096));
	SETI("expected_downtime_ms", p->expected_downtime_ms);
	SETI("downtime_ms", p->downtime_ms);
	SETI("elapsed_ms", p->time_elapsed_ms);
	SETI("job", job);
#undef SETI
}

void lvd_push_task(lua_State *L, unsigned job, int dom_idx)
{
	dom_idx = dom_idx ? lua_absindex(L, dom_idx) : 0;
	struct task_handle *th = lua_newuserdatauv(L, sizeof *th, 2);
	th->job = job;
	if (dom_idx) {
		lua_pushvalue(L, dom_idx);
		lua_setiuservalue(L, -2, 1);
	}
	luaL_setmetatable(L, TASK_MT);
}

static struct op_task *check_task(lua_State *L, int idx)
{
	struct task_handle *th = luaL_checkudata(L, idx, TASK_MT);
	struct op_task *t = op_task_find(lvd_ops_env(L), th->job);
	if (!t)
		lvd_raisef(L, VD_ESTALE, NULL, NULL, NULL, "no task for job %u", th->job);
	return t;
}

/* After a migration finished: the domain handle follows the VM. */
static void follow(lua_State *L, int task_idx, struct op_task *t)
{
	if (lua_getiuservalue(L, task_idx, 1) == LUA_TUSERDATA) {
		struct dom_handle *dh = luaL_testudata(L, -1, DOMAIN_MT);
		if (dh)
			dh->host = op_task_new_host(t);
	}
	lua_pop(L, 1);
}

/* Waiting for tasks: job ids polled from the loop. */
struct tasks_wait {
	struct op_env *env;
	size_t         n;
	unsigned       jobs[];
};

/* Whether t ended and the model was re-read after it. */
static int task_finished(struct op_env *env, struct op_task *t, struct vop_progress *p, int *rc,
			 struct vd_err *err)
{
	return op_task_step(env, t, p, rc, err) && op_task_refreshed(env, t);
}

/* Index (1-based) of the first finished task, 0 none. */
static size_t first_finished(struct tasks_wait *w)
{
	for (size_t i = 0; i < w->n; i++) {
		struct op_task *t = op_task_find(w->env, w->jobs[i]);
		if (!t || task_finished(w->env, t, NULL, NULL, NULL))
			return i + 1;
	}
	return 0;
}

static int tasks_ready(void *ud)
{
	return first_finished(ud) != 0;
}

static void tasks_cancel(void *ud)
{
	struct tasks_wait *w = ud;
	for (size_t i = 0; i < w->n; i++) {
		struct op_task *t = op_task_find(w->env, w->jobs[i]);
		if (t)
			op_task_abort(t);
	}
}

static struct tasks_wait *push_tasks_wait(lua_State *L, size_t n)
{
	struct tasks_wait *w = lua_newuserdatauv(L, sizeof *w + n * sizeof w->jobs[0], 0);
	w->env = lvd_ops_env(L);
	w->n = n;
	return w;
}

void lvd_task_set_progress(lua_State *L, int task_idx, int fn_idx)
{
	task_idx = lua_absindex(L, task_idx);
	lua_pushvalue(L, fn_idx);
	lua_setiuservalue(L, task_idx, 2);
}

/* t:wait([fn]) while it runs: the task, and the progress fn gets. */
struct one_wait {
	struct op_env      *env;
	unsigned            job;
	int                 have_fn, due, finished, rc, reported_last;
	double              last;
	struct vop_progress p;
	struct vd_err       err;
};

static int one_ready(void *ud)
{
	struct one_wait *w = ud;
	struct op_task *t = op_task_find(w->env, w->job);
	struct vop_progress p;
	memset(&p, 0, sizeof p);
	if (!t || task_finished(w->env, t, &p, &w->rc, &w->err)) {
		w->finished = 1;
		return 1;
	}
	if (w->have_fn && p.valid && now_mono_s() - w->last >= 0.25) {
		w->p = p;
		w->due = 1;
	}
	return w->due;
}

static void one_cancel(void *ud)
{
	struct one_wait *w = ud;
	struct op_task *t = op_task_find(w->env, w->job);
	if (t)
		op_task_abort(t);
}

/* Stack: 1 task, 2 fn or nil, 3 the one_wait. */
static int task_wait_k(lua_State *L, int status, lua_KContext k)
{
	(void)status;
	(void)k;
	struct one_wait *w = lua_touserdata(L, 3);
	if (!w->finished && !one_ready(w))
		return sched_await(L, one_ready, one_cancel, w, 0, task_wait_k);
	if (w->finished && w->rc == 0 && w->have_fn && !w->reported_last) {
		/* Always a last report on success, however short the job was. */
		memset(&w->p, 0, sizeof w->p);
		w->p.valid = 1;
		w->p.fraction = 1;
		snprintf(w->p.phase, sizeof w->p.phase, "done");
		w->due = 1;
		w->reported_last = 1;
	}
	if (w->due) {
		w->due = 0;
		w->last = now_mono_s();
		lua_pushvalue(L, 2);
		lvd_push_progress(L, &w->p, w->job);
		lua_callk(L, 1, 0, 0, task_wait_k);
		return task_wait_k(L, LUA_OK, 0);
	}
	struct op_task *t = check_task(L, 1);
	if (w->rc < 0)
		return lvd_raise(L, &w->err);
	follow(L, 1, t);
	char msg[256];
	op_task_done_message(t, msg, sizeof msg);
	lua_createtable(L, 0, 3);
	lua_pushboolean(L, 1);
	lua_setfield(L, -2, "ok");
	lua_pushinteger(L, op_task_job(t));
	lua_setfield(L, -2, "job");
	lua_pushstring(L, msg);
	lua_setfield(L, -2, "message");
	return 1;
}

/* t:wait([fn]) — fn, else the on_progress given with async=true, gets progress. */
static int task_wait(lua_State *L)
{
	struct op_task *t = check_task(L, 1);
	if (!lua_isnoneornil(L, 2))
		luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_settop(L, 2);
	if (lua_isnil(L, 2)) {
		lua_getiuservalue(L, 1, 2);
		lua_replace(L, 2);
	}
	struct one_wait *w = lua_newuserdatauv(L, sizeof *w, 0);
	memset(w, 0, sizeof *w);
	w->env = lvd_ops_env(L);
	w->job = op_task_job(t);
	w->have_fn = lua_isfunction(L, 2);
	err_clear(&w->err);
	return task_wait_k(L, LUA_OK, 0);
}

/* t:done() → false while running; true, or false plus the error when finished. */
static int task_done(lua_State *L)
{
	struct op_task *t = check_task(L, 1);
	int rc = 0;
	struct vd_err err;
	err_clear(&err);
	if (!task_finished(lvd_ops_env(L), t, NULL, &rc, &err)) {
		lua_pushboolean(L, 0);
		return 1;
	}
	follow(L, 1, t);
	lua_pushboolean(L, 1);
	lua_pushboolean(L, rc == 0);
	if (rc < 0) {
		char buf[1200];
		lua_pushstring(L, err_format(&err, buf, sizeof buf));
		return 3;
	}
	return 2;
}

static int task_progress(lua_State *L)
{
	struct op_task *t = check_task(L, 1);
	struct vop_progress p;
	memset(&p, 0, sizeof p);
	op_task_step(lvd_ops_env(L), t, &p, NULL, NULL);
	lvd_push_progress(L, &p, op_task_job(t));
	return 1;
}

static int task_abort(lua_State *L)
{
	op_task_abort(check_task(L, 1));
	return 0;
}

static int task_index(lua_State *L)
{
	struct task_handle *th = luaL_checkudata(L, 1, TASK_MT);
	const char *k = luaL_checkstring(L, 2);
	if (!strcmp(k, "job")) {
		lua_pushinteger(L, th->job);
		return 1;
	}
	luaL_getmetafield(L, 1, "methods");
	lua_getfield(L, -1, k);
	return 1;
}

static int task_tostring(lua_State *L)
{
	struct task_handle *th = luaL_checkudata(L, 1, TASK_MT);
	lua_pushfstring(L, "task (job %d)", (int)th->job);
	return 1;
}

static int wait_any_k(lua_State *L, int status, lua_KContext wi)
{
	(void)status;
	lua_pushinteger(L, (lua_Integer)first_finished(lua_touserdata(L, (int)wi)));
	return 1;
}

/* vdeck.wait_any{t1, t2, ...} → index of the first finished. */
static int l_wait_any(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
	if (n == 0)
		return 0;
	struct tasks_wait *w = push_tasks_wait(L, (size_t)n);
	int wi = lua_gettop(L);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, 1, i);
		w->jobs[i - 1] = op_task_job(check_task(L, -1));
		lua_pop(L, 1);
	}
	return sched_await(L, tasks_ready, tasks_cancel, w, wi, wait_any_k);
}

static int l_op_limit(lua_State *L)
{
	struct op_env *env = lvd_ops_env(L);
	if (!lua_isnoneornil(L, 1)) {
		lua_Integer n = luaL_checkinteger(L, 1);
		luaL_argcheck(L, n >= 1 && n <= 64, 1, "limit must be 1-64");
		env->limit_per_host = (unsigned)n;
	}
	lua_pushinteger(L, env->limit_per_host);
	return 1;
}

static int l_operations(lua_State *L)
{
	static const struct { unsigned bit; const char *name; } flags[] = {
		{ OPF_MUTATES, "mutates" }, { OPF_LIVE, "live" }, { OPF_CONFIG, "config" },
		{ OPF_DESTRUCTIVE, "destructive" }, { OPF_LONG, "long" },
	};
	lua_createtable(L, (int)optable_count(), 0);
	for (size_t i = 0; i < optable_count(); i++) {
		const struct op_def *d = optable_at(i);
		lua_createtable(L, 0, 5);
		lua_pushstring(L, d->name);
		lua_setfield(L, -2, "name");
		lua_pushstring(L, d->target == OP_DOMAIN ? "domain" : "host");
		lua_setfield(L, -2, "target");
		lua_pushstring(L, d->summary);
		lua_setfield(L, -2, "summary");
		lua_newtable(L);
		for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++) {
			lua_pushboolean(L, (d->flags & flags[f].bit) != 0);
			lua_setfield(L, -2, flags[f].name);
		}
		lua_setfield(L, -2, "flags");
		lua_createtable(L, (int)d->nargs, 0);
		for (size_t a = 0; a < d->nargs; a++) {
			const struct op_arg *arg = &d->args[a];
			lua_createtable(L, 0, 7);
			lua_pushstring(L, arg->name);
			lua_setfield(L, -2, "name");
			lua_pushstring(L, op_type_name(arg->type));
			lua_setfield(L, -2, "type");
			lua_pushboolean(L, (arg->flags & OAF_REQUIRED) != 0);
			lua_setfield(L, -2, "required");
			lua_pushboolean(L, (arg->flags & OAF_POSITIONAL) != 0);
			lua_setfield(L, -2, "positional");
			if (arg->def) {
				lua_pushstring(L, arg->def);
				lua_setfield(L, -2, "default");
			}
			lua_pushstring(L, arg->doc);
			lua_setfield(L, -2, "doc");
			if (arg->values) {
				lua_newtable(L);
				for (int v = 0; arg->values[v]; v++) {
					lua_pushstring(L, arg->values[v]);
					lua_rawseti(L, -2, v + 1);
				}
				lua_setfield(L, -2, "values");
			}
			lua_rawseti(L, -2, (lua_Integer)a + 1);
		}
		lua_setfield(L, -2, "args");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

static int l_jobs(lua_State *L)
{
	struct op_env *env = lvd_ops_env(L);
	op_tasks_step(env);
	const struct job_list *jl = &env->cluster->jobs;
	lua_createtable(L, (int)jl->n, 0);
	for (size_t i = 0; i < jl->n; i++) {
		const struct job *j = &jl->items[i];
		lua_createtable(L, 0, 9);
		lua_pushinteger(L, j->id);
		lua_setfield(L, -2, "id");
		lua_pushstring(L, j->kind);
		lua_setfield(L, -2, "kind");
		lua_pushstring(L, j->host);
		lua_setfield(L, -2, "host");
		lua_pushstring(L, j->domain);
		lua_setfield(L, -2, "domain");
		lua_pushstring(L, j->description);
		lua_setfield(L, -2, "description");
		lua_pushstring(L, job_state_name(j->state));
		lua_setfield(L, -2, "state");
		lua_pushnumber(L, j->progress);
		lua_setfield(L, -2, "progress");
		lua_pushstring(L, j->message);
		lua_setfield(L, -2, "message");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

/* A read of the snapshot list in flight. */
struct snaps_box { struct op_run *run; };

static int snaps_gc(lua_State *L)
{
	op_run_free(&((struct snaps_box *)lua_touserdata(L, 1))->run);
	return 0;
}

static int snaps_ready(void *ud)
{
	return op_run_step(((struct snaps_box *)ud)->run);
}

static int dom_snapshots_k(lua_State *L, int status, lua_KContext bi);

/* d:snapshots() → list ordered by creation, each with its parent and children. */
static int dom_snapshots(lua_State *L)
{
	lvd_check_domain(L, 1, NULL);
	struct dom_handle *dh = luaL_checkudata(L, 1, DOMAIN_MT);
	lua_settop(L, 1);
	struct snaps_box *b = lvd_new_owner(L, sizeof *b, snaps_gc);
	b->run = op_run_start_snapshots(lvd_ops_env(L), dh->host, dh->uuid);
	return sched_await(L, snaps_ready, NULL, b, 2, dom_snapshots_k);
}

static int dom_snapshots_k(lua_State *L, int status, lua_KContext bi)
{
	(void)status;
	struct snaps_box *b = lua_touserdata(L, (int)bi);
	struct op_outcome out;
	struct vd_err err;
	err_clear(&err);
	int rc = op_run_result(b->run, &out, &err);
	op_run_free(&b->run);
	if (rc < 0) {
		op_outcome_free(&out);
		return lvd_raise(L, &err);
	}
	struct op_snapshot *s = out.snapshots;
	size_t n = out.nsnapshots;
	/* order by creation time, then name (stable across runs) */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && (s[j].created < s[j - 1].created ||
			(s[j].created == s[j - 1].created && strcmp(s[j].name, s[j - 1].name) < 0)); j--) {
			struct op_snapshot tmp = s[j];
			s[j] = s[j - 1];
			s[j - 1] = tmp;
		}
	lua_createtable(L, (int)n, 0);
	for (size_t i = 0; i < n; i++) {
		lua_createtable(L, 0, 10);
		lua_pushstring(L, s[i].name);
		lua_setfield(L, -2, "name");
		if (s[i].parent) {
			lua_pushstring(L, s[i].parent);
			lua_setfield(L, -2, "parent");
		}
		if (s[i].description) {
			lua_pushstring(L, s[i].description);
			lua_setfield(L, -2, "description");
		}
		lua_pushstring(L, s[i].state);
		lua_setfield(L, -2, "state");
		lua_pushboolean(L, s[i].memory);
		lua_setfield(L, -2, "memory");
		lua_pushstring(L, s[i].external ? "external" : "internal");
		lua_setfield(L, -2, "kind");
		lua_pushboolean(L, s[i].current);
		lua_setfield(L, -2, "current");
		lua_pushinteger(L, s[i].created);
		lua_setfield(L, -2, "created");
		lua_pushboolean(L, s[i].vcpus_hotplugged);
		lua_setfield(L, -2, "vcpus_hotplugged");
		lua_newtable(L);
		int k = 0;
		for (size_t c = 0; c < n; c++)
			if (s[c].parent && !strcmp(s[c].parent, s[i].name)) {
				lua_pushstring(L, s[c].name);
				lua_rawseti(L, -2, ++k);
			}
		lua_setfield(L, -2, "children");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	op_outcome_free(&out);
	return 1;
}

static const luaL_Reg task_methods[] = {
	{ "wait", task_wait }, { "done", task_done }, { "progress", task_progress }, { "abort", task_abort },
	{ NULL, NULL },
};

static const luaL_Reg vdeck_extra[] = {
	{ "operations", l_operations }, { "jobs", l_jobs }, { "wait_any", l_wait_any }, { "op_limit", l_op_limit },
	{ NULL, NULL },
};

void lvd_ops_register_extra(lua_State *L)
{
	luaL_newmetatable(L, TASK_MT);
	lua_pushcfunction(L, task_index);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, task_tostring);
	lua_setfield(L, -2, "__tostring");
	luaL_newlib(L, task_methods);
	lua_setfield(L, -2, "methods");
	lua_pop(L, 1);

	luaL_getmetatable(L, DOMAIN_MT);
	lua_getfield(L, -1, "methods");
	lua_pushcfunction(L, dom_snapshots);
	lua_setfield(L, -2, "snapshots");
	lua_pop(L, 2);

	lua_getglobal(L, "vdeck");
	if (lua_istable(L, -1))
		luaL_setfuncs(L, vdeck_extra, 0);
	lua_pop(L, 1);
}

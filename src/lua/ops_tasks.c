/* ops_tasks.c — the Lua side of operations beyond the generated methods:
 * tasks of long operations (t:wait([fn]), t:done(), t:progress(), t:abort();
 * an on_progress given with async=true is kept and called by t:wait()),
 * d:snapshots() as a tree, vdeck.operations() (the table's metadata),
 * vdeck.jobs(), vdeck.wait_any{...} and vdeck.op_limit(n). */
#include "lua/ops_lua.h"
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

/* Waiting for tasks inside a TUI job: job ids polled from the loop. */
struct tasks_wait {
	struct op_env *env;
	size_t         n;
	unsigned       jobs[];
};

/* Index (1-based) of the first finished task, 0 none. */
static size_t first_finished(struct tasks_wait *w)
{
	for (size_t i = 0; i < w->n; i++) {
		struct op_task *t = op_task_find(w->env, w->jobs[i]);
		if (!t || (op_task_step(w->env, t, NULL, NULL, NULL) && op_task_refreshed(w->env, t)))
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

static int task_wait_k(lua_State *L, int status, lua_KContext k);

void lvd_task_set_progress(lua_State *L, int task_idx, int fn_idx)
{
	task_idx = lua_absindex(L, task_idx);
	lua_pushvalue(L, fn_idx);
	lua_setiuservalue(L, task_idx, 2);
}

struct wait_progress {
	lua_State *L;
	int        fn, failed;
};

static void wait_progress(void *ctx, const struct op_task *t, const struct vop_progress *p)
{
	struct wait_progress *wp = ctx;
	if (wp->failed)
		return;
	lua_pushvalue(wp->L, wp->fn);
	lvd_push_progress(wp->L, p, op_task_job(t));
	if (lua_pcall(wp->L, 1, 0, 0) != LUA_OK) {
		fprintf(stderr, "vdeck: on_progress: %s (the operation goes on)\n", lvd_error_string(wp->L, -1));
		lua_pop(wp->L, 1);
		wp->failed = 1;
	}
}

/* t:wait([fn]) — fn, else the on_progress given with async=true, gets progress. */
static int task_wait(lua_State *L)
{
	struct op_task *t = check_task(L, 1);
	if (lvd_can_yield(L)) {
		struct tasks_wait *w = push_tasks_wait(L, 1);
		w->jobs[0] = op_task_job(t);
		return lvd_await(L, tasks_ready, tasks_cancel, w, 0, task_wait_k);
	}
	return task_wait_k(L, LUA_OK, 0);
}

/* The task finished (or, outside a job, is waited for here). */
static int task_wait_k(lua_State *L, int status, lua_KContext k)
{
	(void)status;
	(void)k;
	struct op_task *t = check_task(L, 1);
	struct op_env *env = lvd_ops_env(L);
	if (!lua_isnoneornil(L, 2))
		luaL_checktype(L, 2, LUA_TFUNCTION);
	else
		lua_getiuservalue(L, 1, 2);
	struct wait_progress wp = { L, lua_gettop(L), 0 };
	int have_fn = lua_isfunction(L, wp.fn);
	struct op_outcome out;
	memset(&out, 0, sizeof out);
	struct vd_err err;
	err_clear(&err);
	int rc = op_task_wait(env, t, have_fn ? wait_progress : NULL, &wp, &out, &err);
	if (rc < 0)
		return lvd_raise(L, &err);
	follow(L, 1, t);
	lua_createtable(L, 0, 3);
	lua_pushboolean(L, 1);
	lua_setfield(L, -2, "ok");
	lua_pushinteger(L, op_task_job(t));
	lua_setfield(L, -2, "job");
	lua_pushstring(L, out.message);
	lua_setfield(L, -2, "message");
	op_outcome_free(&out);
	return 1;
}

/* t:done() → false while running; true, or false plus the error when finished. */
static int task_done(lua_State *L)
{
	struct op_task *t = check_task(L, 1);
	int rc = 0;
	struct vd_err err;
	err_clear(&err);
	if (!op_task_poll(lvd_ops_env(L), t, NULL, &rc, &err)) {
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
	op_task_poll(lvd_ops_env(L), t, &p, NULL, NULL);
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

/* vdeck.wait_any{t1, t2, ...} → index of the first finished (pumping). */
static int l_wait_any(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	struct op_env *env = lvd_ops_env(L);
	lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
	if (n == 0)
		return 0;
	if (lvd_can_yield(L)) {
		struct tasks_wait *w = push_tasks_wait(L, (size_t)n);
		int wi = lua_gettop(L);
		for (lua_Integer i = 1; i <= n; i++) {
			lua_rawgeti(L, 1, i);
			w->jobs[i - 1] = op_task_job(check_task(L, -1));
			lua_pop(L, 1);
		}
		return lvd_await(L, tasks_ready, tasks_cancel, w, wi, wait_any_k);
	}
	for (;;) {
		for (lua_Integer i = 1; i <= n; i++) {
			lua_rawgeti(L, 1, i);
			struct op_task *t = check_task(L, -1);
			int done = op_task_poll(env, t, NULL, NULL, NULL);
			lua_pop(L, 1);
			if (done) {
				lua_pushinteger(L, i);
				return 1;
			}
		}
		fleet_pump(env->fleet, 100);
		op_tasks_pump(env);
	}
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
	op_tasks_pump(env);
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

/* d:snapshots() → list ordered by creation, each with its parent and children. */
static int dom_snapshots(lua_State *L)
{
	struct host *h;
	lvd_check_domain(L, 1, &h);
	struct dom_handle *dh = luaL_checkudata(L, 1, DOMAIN_MT);
	struct op_snapshot *s = NULL;
	size_t n = 0;
	struct vd_err err;
	err_clear(&err);
	if (op_list_snapshots(lvd_ops_env(L), dh->host, dh->uuid, &s, &n, &err) < 0) {
		err_where(&err, "snapshots", h->cfg->name, dh->name);
		return lvd_raise(L, &err);
	}
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
	op_snapshots_free(s, n);
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

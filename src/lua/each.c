/* each.c — vdeck.each(items, fn, { per_host =, limit = }): run fn(item) for
 * many items at once, a bounded number per host.
 *
 * Each item runs as a task of the scheduler (sched.h), a child of the
 * calling task: its waits are the scheduler's, so items on different hosts
 * progress in parallel while the caller awaits "an item ended", then starts
 * the next ones the limits allow.  The same code serves a console job and
 * --exec.  The result lists { ok, value | error } per item, in order, and
 * says per host how many items ran and ended well (coverage) and which
 * hosts could not be reached. */
#include "lua/lvdeck.h"
#include "lua/sched.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct each_group;

struct each_item {
	struct each_group *g;
	lua_Integer        index;     /* 1-based */
	int                host;      /* index for the per-host limit, -1 none */
	struct sched_task *task;      /* while it runs */
	int                started, ended;
};

struct each_group {
	struct sched     *s;
	lua_State        *L;          /* the main state: items end on the loop */
	int               items_ref, fn_ref, results_ref;
	lua_Integer       n, next, ended;
	lua_Integer       per_host, limit, running;
	int              *busy;       /* per host: items running */
	size_t            nhosts;
	struct each_item *items;
	int               woken;      /* an item ended since the caller last looked */
};

static int item_host(lua_State *L, int idx)
{
	struct dom_handle *dh = luaL_testudata(L, idx, DOMAIN_MT);
	if (dh)
		return (int)dh->host;
	struct host_handle *hh = luaL_testudata(L, idx, HOST_MT);
	return hh ? (int)hh->index : -1;
}

static void group_release(struct each_group *g)
{
	int *refs[] = { &g->items_ref, &g->fn_ref, &g->results_ref };
	for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
		if (*refs[i] != LUA_NOREF)
			luaL_unref(g->L, LUA_REGISTRYINDEX, *refs[i]);
		*refs[i] = LUA_NOREF;
	}
	free(g->busy);
	free(g->items);
	g->busy = NULL;
	g->items = NULL;
}

static int group_gc(lua_State *L)
{
	group_release(lua_touserdata(L, 1));
	return 0;
}

/* results[i] = { ok = true, value = ... } or { ok = false, error = err } */
static void item_end(void *ud, lua_State *co, int status, int nres)
{
	struct each_item *it = ud;
	struct each_group *g = it->g;
	lua_State *L = g->L;
	lua_rawgeti(L, LUA_REGISTRYINDEX, g->results_ref);
	lua_createtable(L, 0, 2);
	lua_pushboolean(L, status == LUA_OK);
	lua_setfield(L, -2, "ok");
	if (status != LUA_OK || nres > 0) {
		if (status == LUA_OK)
			lua_settop(co, lua_gettop(co) - nres + 1);   /* the first result */
		lua_xmove(co, L, 1);
		lua_setfield(L, -2, status == LUA_OK ? "value" : "error");
	}
	lua_rawseti(L, -2, it->index);
	lua_pop(L, 1);
	it->ended = 1;
	it->task = NULL;
	g->ended++;
	g->running--;
	if (it->host >= 0)
		g->busy[it->host]--;
	g->woken = 1;
}

/* Starts what the limits allow, in order, skipping full hosts. */
static void start_items(lua_State *L, struct each_group *g)
{
	struct sched_task *self = sched_current(g->s);
	struct sched_spawn_opts o = {
		.sink = *sched_task_sink(self), .job_id = sched_task_job(self), .on_end = item_end,
	};
	while (g->next < g->n && g->items[g->next].started)
		g->next++;
	for (lua_Integer i = g->next; i < g->n && g->running < g->limit; i++) {
		struct each_item *it = &g->items[i];
		if (it->started || (it->host >= 0 && g->busy[it->host] >= g->per_host))
			continue;
		it->started = 1;
		g->running++;
		if (it->host >= 0)
			g->busy[it->host]++;
		o.end_ud = it;
		lua_rawgeti(L, LUA_REGISTRYINDEX, g->fn_ref);
		lua_rawgeti(L, LUA_REGISTRYINDEX, g->items_ref);
		lua_rawgeti(L, -1, i + 1);
		lua_remove(L, -2);
		it->task = sched_spawn(g->s, L, 1, &o);
	}
}

static int group_ready(void *ud)
{
	struct each_group *g = ud;
	return g->woken || g->ended == g->n;
}

static void group_cancel(void *ud)
{
	struct each_group *g = ud;
	g->next = g->n;   /* start nothing more */
	for (lua_Integer i = 0; i < g->n; i++) {
		struct each_item *it = &g->items[i];
		if (!it->started) {
			it->started = it->ended = 1;
			g->ended++;
		} else if (it->task) {
			sched_cancel(it->task, "cancelled");
		}
	}
}

static void bump(lua_State *L, int tbl, const char *key)
{
	lua_getfield(L, tbl, key);
	lua_Integer v = lua_tointeger(L, -1) + 1;
	lua_pop(L, 1);
	lua_pushinteger(L, v);
	lua_setfield(L, tbl, key);
}

/* Whether results[i] failed because its host could not be reached. */
static int item_unreachable(lua_State *L, int results, lua_Integer i, int *ok)
{
	lua_rawgeti(L, results, i);
	lua_getfield(L, -1, "ok");
	*ok = lua_toboolean(L, -1);
	lua_getfield(L, -2, "error");
	int down = 0;
	if (lua_istable(L, -1)) {
		lua_getfield(L, -1, "code");
		down = lua_isstring(L, -1) && !strcmp(lua_tostring(L, -1), err_code_name(VD_EUNREACH));
		lua_pop(L, 1);
	}
	lua_pop(L, 3);
	return down;
}

/* results.coverage[host] = { items =, ok =, failed = [, unreachable = true] };
 * results.unreachable = the hosts whose items failed because the host did
 * not answer, in order of first appearance. */
static void add_coverage(lua_State *L, int results, struct each_group *g)
{
	struct lctx *ctx = lctx_get(L);
	lua_newtable(L);
	int cov = lua_gettop(L);
	lua_newtable(L);
	int unreach = lua_gettop(L);
	lua_Integer nunreach = 0;
	for (lua_Integer i = 0; i < g->n; i++) {
		int h = g->items[i].host;
		if (h < 0)
			continue;
		const char *name = ctx->cluster->hosts[h].cfg->name;
		int ok;
		int down = item_unreachable(L, results, i + 1, &ok);
		if (lua_getfield(L, cov, name) != LUA_TTABLE) {
			lua_pop(L, 1);
			lua_createtable(L, 0, 4);
			lua_pushinteger(L, 0);
			lua_setfield(L, -2, "ok");
			lua_pushinteger(L, 0);
			lua_setfield(L, -2, "failed");
			lua_pushvalue(L, -1);
			lua_setfield(L, cov, name);
		}
		int e = lua_gettop(L);
		bump(L, e, "items");
		bump(L, e, ok ? "ok" : "failed");
		if (down && lua_getfield(L, e, "unreachable") == LUA_TNIL) {
			lua_pushboolean(L, 1);
			lua_setfield(L, e, "unreachable");
			lua_pushstring(L, name);
			lua_rawseti(L, unreach, ++nunreach);
		}
		lua_settop(L, unreach);
	}
	lua_setfield(L, results, "unreachable");
	lua_setfield(L, results, "coverage");
}

static int each_k(lua_State *L, int status, lua_KContext gi)
{
	(void)status;
	struct each_group *g = lua_touserdata(L, (int)gi);
	g->woken = 0;
	if (g->ended < g->n) {
		start_items(L, g);
		return sched_await(L, group_ready, group_cancel, g, gi, each_k);
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, g->results_ref);
	add_coverage(L, lua_gettop(L), g);
	group_release(g);
	return 1;
}

int lvd_each(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_Integer per_host = 1, limit = 64;
	if (lua_istable(L, 3)) {
		lua_getfield(L, 3, "per_host");
		per_host = luaL_optinteger(L, -1, 1);
		lua_getfield(L, 3, "limit");
		limit = luaL_optinteger(L, -1, 64);
		lua_pop(L, 2);
	}
	luaL_argcheck(L, per_host >= 1 && limit >= 1, 3, "per_host and limit must be at least 1");
	lua_settop(L, 2);
	struct lctx *ctx = lctx_get(L);
	if (!sched_current(ctx->sched))
		return luaL_error(L, "vdeck.each: no task of the scheduler is running");
	struct each_group *g = lvd_new_owner(L, sizeof *g, group_gc);
	g->items_ref = g->fn_ref = g->results_ref = LUA_NOREF;
	int gi = lua_gettop(L);
	g->s = ctx->sched;
	lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
	g->L = lua_tothread(L, -1);
	lua_pop(L, 1);
	g->n = (lua_Integer)lua_rawlen(L, 1);
	g->per_host = per_host;
	g->limit = limit;
	g->nhosts = ctx->cluster->nhosts;
	g->busy = x_calloc(g->nhosts + 1, sizeof *g->busy);
	g->items = x_calloc((size_t)g->n + 1, sizeof *g->items);
	for (lua_Integer i = 0; i < g->n; i++) {
		lua_rawgeti(L, 1, i + 1);
		g->items[i].g = g;
		g->items[i].index = i + 1;
		g->items[i].host = item_host(L, -1);
		if ((size_t)g->items[i].host >= g->nhosts)
			g->items[i].host = -1;
		lua_pop(L, 1);
	}
	lua_pushvalue(L, 1);
	g->items_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_pushvalue(L, 2);
	g->fn_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_createtable(L, (int)g->n, 2);
	g->results_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	return each_k(L, LUA_OK, gi);
}

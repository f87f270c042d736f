/* each.c — vdeck.each(items, fn, { per_host =, limit = }): run fn(item) for
 * many items at once, a bounded number per host.
 *
 * Each item runs as its own coroutine.  The bindings that would block
 * (operations, refresh, h:run) already know how to yield inside a TUI job
 * (lwait.c); here the same wait slot is given to each coroutine in turn,
 * and this function is their scheduler: start items while their host has a
 * free slot, pump the fleet, resume those whose work finished.  Workers are
 * one per host, so the hosts really do progress in parallel while this
 * (the loop) thread only dispatches.  Inside a TUI job, where the job itself
 * is a coroutine, the items simply run one after another. */
#include "lua/lvdeck.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

enum item_state { IT_PENDING, IT_RUNNING, IT_DONE };

struct item {
	lua_State      *co;
	int             ref;       /* keeps co alive */
	int             host;      /* index for the per-host limit, -1 none */
	enum item_state state;
	int             waiting;
	struct lvd_wait wait;
};

static int item_host(lua_State *L, int idx)
{
	struct dom_handle *dh = luaL_testudata(L, idx, DOMAIN_MT);
	if (dh)
		return (int)dh->host;
	struct host_handle *hh = luaL_testudata(L, idx, HOST_MT);
	return hh ? (int)hh->index : -1;
}

/* results[i] = { ok = true, value = ... } or { ok = false, error = err } */
static void store(lua_State *L, int results, lua_Integer i, int ok, lua_State *from, int nres)
{
	lua_createtable(L, 0, 2);
	lua_pushboolean(L, ok);
	lua_setfield(L, -2, "ok");
	if (nres > 0) {
		lua_xmove(from, L, 1);   /* top of from: the first result or the error */
		lua_setfield(L, -2, ok ? "value" : "error");
	}
	lua_rawseti(L, results, i);
}

static void resume(lua_State *L, struct lctx *ctx, struct item *it, int nargs, int results, lua_Integer i,
		   int *running, int *per_host_running)
{
	memset(&it->wait, 0, sizeof it->wait);
	ctx->wait = &it->wait;
	int nres = 0;
	int st = lua_resume(it->co, L, nargs, &nres);
	ctx->wait = NULL;
	if (st == LUA_YIELD) {
		lua_pop(it->co, nres);
		it->waiting = it->wait.ready != NULL;
		return;
	}
	if (st == LUA_OK) {
		if (nres > 1)
			lua_pop(it->co, nres - 1);
		store(L, results, i, 1, it->co, nres);
	} else {
		store(L, results, i, 0, it->co, 1);
	}
	it->state = IT_DONE;
	luaL_unref(L, LUA_REGISTRYINDEX, it->ref);
	it->co = NULL;
	(*running)--;
	if (it->host >= 0)
		per_host_running[it->host]--;
}

static int sequential(lua_State *L, lua_Integer n)
{
	lua_createtable(L, (int)n, 0);
	int results = lua_gettop(L);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_pushvalue(L, 2);
		lua_rawgeti(L, 1, i);
		int ok = lua_pcall(L, 1, 1, 0) == LUA_OK;
		lua_createtable(L, 0, 2);
		lua_pushboolean(L, ok);
		lua_setfield(L, -2, "ok");
		lua_insert(L, -2);
		lua_setfield(L, -2, ok ? "value" : "error");
		lua_rawseti(L, results, i);
	}
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
	lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
	struct lctx *ctx = lctx_get(L);
	if (ctx->wait)
		return sequential(L, n);   /* already a coroutine of a TUI job */
	lua_createtable(L, (int)n, 0);
	int results = lua_gettop(L);
	struct item *items = x_calloc((size_t)n + 1, sizeof *items);
	int *busy = x_calloc(ctx->cluster->nhosts + 1, sizeof *busy);
	for (lua_Integer i = 0; i < n; i++) {
		lua_rawgeti(L, 1, i + 1);
		items[i].host = item_host(L, -1);
		if ((size_t)items[i].host >= ctx->cluster->nhosts)
			items[i].host = -1;
		lua_pop(L, 1);
	}
	int running = 0;
	lua_Integer done = 0, first_pending = 0;
	while (done < n) {
		/* Start what the limits allow, in order, skipping full hosts. */
		for (lua_Integer i = first_pending; i < n && running < limit; i++) {
			struct item *it = &items[i];
			if (it->state != IT_PENDING || (it->host >= 0 && busy[it->host] >= per_host))
				continue;
			it->co = lua_newthread(L);
			it->ref = luaL_ref(L, LUA_REGISTRYINDEX);
			it->state = IT_RUNNING;
			running++;
			if (it->host >= 0)
				busy[it->host]++;
			lua_pushvalue(L, 2);
			lua_rawgeti(L, 1, i + 1);
			lua_xmove(L, it->co, 2);
			resume(L, ctx, it, 1, results, i + 1, &running, busy);
		}
		while (first_pending < n && items[first_pending].state != IT_PENDING)
			first_pending++;
		/* Resume every item whose work is done (or that yielded bare). */
		int progressed = 0;
		for (lua_Integer i = 0; i < n; i++) {
			struct item *it = &items[i];
			if (it->state != IT_RUNNING)
				continue;
			if (it->waiting && !it->wait.ready(it->wait.ud))
				continue;
			it->waiting = 0;
			resume(L, ctx, it, 0, results, i + 1, &running, busy);
			progressed = 1;
		}
		done = 0;
		for (lua_Integer i = 0; i < n; i++)
			done += items[i].state == IT_DONE;
		if (done < n && !progressed)
			fleet_pump(ctx->fleet, 20);
	}
	free(items);
	free(busy);
	lua_settop(L, results);
	return 1;
}

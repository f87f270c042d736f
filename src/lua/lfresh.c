/* lfresh.c — old data is not passed off as current.
 *
 * A reader of a host's data (h:mem(), h:domains(), ...) first asks whether
 * the sources it reads are stale (model/host_state.c: older than the
 * connect timeout while the source does not answer).  Stale data raises a
 * "stale" error naming the host, the source and the age (exit 3: the host
 * does not answer); with { allow_stale = true } the reader returns it,
 * marked stale = true. */
#include "lua/lvdeck.h"
#include "core/timeutil.h"

#include <string.h>

int lvd_allow_stale(lua_State *L, int idx)
{
	if (lua_isnoneornil(L, idx))
		return 0;
	luaL_checktype(L, idx, LUA_TTABLE);
	lua_getfield(L, idx, "allow_stale");
	int allow = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return allow;
}

/* The first stale source of h among those in mask, or -1. */
static int stale_source(lua_State *L, const struct host *h, unsigned mask, double now)
{
	const struct cluster *c = lctx_get(L)->cluster;
	for (int s = 0; s < HOST_NSRC; s++)
		if ((mask & LVD_SRC(s)) && host_source_stale(c, h, (enum host_source)s, now))
			return s;
	return -1;
}

int lvd_host_stale(lua_State *L, struct host *h, unsigned mask)
{
	fleet_note_waits(lctx_get(L)->fleet);   /* the state as of now, not as of the last pump */
	return stale_source(L, h, mask, now_mono_s()) >= 0;
}

int lvd_raise_stale(lua_State *L, const struct host *h, unsigned mask, const char *op)
{
	double now = now_mono_s();
	int s = stale_source(L, h, mask, now);
	enum host_source src = (enum host_source)(s < 0 ? 0 : s);
	double age = host_source_age(h, src, now);
	const char *why = host_source_error(h, src);
	struct vd_err e;
	err_clear(&e);
	err_where(&e, op, h->cfg->name, NULL);
	err_set(&e, VD_ESTALE, "stale data: %s last answered %.1f s ago (connect timeout %g s)%s%s",
		host_source_name(src), age, lctx_get(L)->cluster->connect_timeout_s, why ? ": " : "",
		why ? why : "");
	lvd_push_error(L, &e);
	lua_pushstring(L, host_source_name(src));
	lua_setfield(L, -2, "source");
	lua_pushnumber(L, age);
	lua_setfield(L, -2, "age");
	return lua_error(L);
}

int lvd_check_fresh(lua_State *L, struct host *h, unsigned mask, int opts_idx, const char *op)
{
	int allow = lvd_allow_stale(L, opts_idx);
	if (!lvd_host_stale(L, h, mask))
		return 0;
	if (!allow)
		return lvd_raise_stale(L, h, mask, op);
	return 1;
}

void lvd_mark_stale(lua_State *L, int stale)
{
	if (!stale)
		return;
	lua_pushboolean(L, 1);
	lua_setfield(L, -2, "stale");
}

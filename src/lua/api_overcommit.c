/* api_overcommit.c — vdeck.overcommit(): memory overcommit per host and for
 * the cluster (model/overcommit.h), as { cluster = {...}, hosts = { {...} } }.
 * Sizes in bytes, swap rates in bytes/s (absent while unknown); ksm_saved and
 * swap are absent for hosts never polled over their shell.  It waits until
 * every host settled its domain list, as vdeck.domains() does. */
#include "lua/lvdeck.h"
#include "model/overcommit.h"

static void push(lua_State *L, const struct overcommit *o)
{
	lua_createtable(L, 0, 14);
	lvd_set_int(L, "physical", (long long)o->physical);
	lvd_set_int(L, "configured", (long long)o->configured);
	lvd_set_int(L, "ballooned", (long long)o->ballooned);
	lvd_set_int(L, "balloon_reclaimed", (long long)o->balloon_reclaimed);
	lvd_set_int(L, "running", o->running);
	lvd_set_num(L, "ratio", o->ratio);
	lvd_set_num(L, "density_gain", o->density_gain);
	if (o->has_metrics) {
		lvd_set_int(L, "ksm_saved", (long long)o->ksm_saved);
		lvd_set_int(L, "swap_used", (long long)o->swap_used);
		lvd_set_num(L, "swap_in_rate", o->swap_in_rate);
		lvd_set_num(L, "swap_out_rate", o->swap_out_rate);
	}
}

static int overcommit_k(lua_State *L, int status, lua_KContext k)
{
	(void)status;
	(void)k;
	const struct cluster *c = lctx_get(L)->cluster;
	struct overcommit o;
	lua_createtable(L, 0, 2);
	overcommit_cluster(c, &o);
	push(L, &o);
	lvd_set_int(L, "hosts", o.hosts);
	lua_setfield(L, -2, "cluster");
	lua_createtable(L, (int)c->nhosts, 0);
	for (size_t i = 0; i < c->nhosts; i++) {
		overcommit_host(&c->hosts[i], &o);
		push(L, &o);
		lvd_set_str(L, "host", c->hosts[i].cfg->name);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "hosts");
	return 1;
}

/* Once every host said what it runs. */
int lvd_overcommit(lua_State *L)
{
	return lvd_await_hosts(L, NULL, NULL, 0, overcommit_k);
}

/* api_switch.c — h:networks(), vdeck.switches() and
 * vdeck.switch_status(name): the distributed switches of the inventory
 * and where each stands on its hosts (model/switch_state.h). */
#include "lua/lvdeck.h"
#include "model/switch_state.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static void set_bool(lua_State *L, const char *k, int v)
{
	lua_pushboolean(L, v);
	lua_setfield(L, -2, k);
}

static void push_rate(lua_State *L, const char *k, const struct net_rate *r)
{
	if (!r->average && !r->peak && !r->burst)
		return;
	lua_createtable(L, 0, 3);
	lvd_set_int(L, "average", (long long)r->average);
	if (r->peak)
		lvd_set_int(L, "peak", (long long)r->peak);
	if (r->burst)
		lvd_set_int(L, "burst", (long long)r->burst);
	lua_setfield(L, -2, k);
}

/* { {name, default, vlan = {ids} | nil, trunk, inbound, outbound, filter} } */
static void push_portgroups(lua_State *L, const struct net_def *d)
{
	lua_createtable(L, (int)d->npgs, 0);
	for (size_t i = 0; i < d->npgs; i++) {
		const struct net_portgroup *pg = &d->pgs[i];
		lua_createtable(L, 0, 7);
		lvd_set_str(L, "name", pg->name);
		set_bool(L, "default", pg->is_default);
		if (pg->ntags) {
			lua_createtable(L, (int)pg->ntags, 0);
			for (size_t t = 0; t < pg->ntags; t++) {
				lua_pushinteger(L, pg->tags[t]);
				lua_rawseti(L, -2, (lua_Integer)t + 1);
			}
			lua_setfield(L, -2, "vlan");
		}
		set_bool(L, "trunk", pg->trunk);
		push_rate(L, "inbound", &pg->in);
		push_rate(L, "outbound", &pg->out);
		lvd_set_str(L, "filter", pg->filter);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "portgroups");
}

static void push_network(lua_State *L, const struct net_def *d)
{
	lua_createtable(L, 0, 9);
	lvd_set_str(L, "name", d->name);
	lvd_set_str(L, "uuid", d->uuid);
	lvd_set_str(L, "forward", d->forward);
	lvd_set_str(L, "bridge", d->bridge);
	lvd_set_str(L, "virtualport", d->virtualport);
	set_bool(L, "active", d->active);
	set_bool(L, "autostart", d->autostart);
	push_portgroups(L, d);
}

/* h:networks([{allow_stale=}]) → { {name, uuid, forward, bridge,
 *   virtualport, active, autostart, portgroups} } */
static int host_networks(lua_State *L)
{
	struct host *h = lvd_check_host(L, 1);
	if (!h->libvirt_polls)
		return lvd_raise_unreachable(L, h, "networks");
	int stale = lvd_check_fresh(L, h, LVD_SRC(HOST_SRC_LIBVIRT), 2, "networks");
	lua_createtable(L, (int)h->nets.n, 0);
	lvd_mark_stale(L, stale);
	for (size_t i = 0; i < h->nets.n; i++) {
		push_network(L, &h->nets.nets[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

/* vdeck.switches() → { {name, uplink, backend, hosts = {selected names},
 *   tag, portgroups} } */
static int vdeck_switches(lua_State *L)
{
	const struct cluster *c = lctx_get(L)->cluster;
	const struct inventory *inv = c->inv;
	lua_createtable(L, (int)inv->nswitches, 0);
	for (size_t i = 0; i < inv->nswitches; i++) {
		const struct switch_config *sw = &inv->switches[i];
		lua_createtable(L, 0, 6);
		lvd_set_str(L, "name", sw->name);
		lvd_set_str(L, "uplink", sw->uplink);
		lvd_set_str(L, "backend", sw->backend);
		lvd_set_str(L, "tag", sw->host_tag);
		lua_newtable(L);
		int n = 0;
		for (size_t h = 0; h < c->nhosts; h++)
			if (switch_selects(sw, c->hosts[h].cfg)) {
				lua_pushstring(L, c->hosts[h].cfg->name);
				lua_rawseti(L, -2, ++n);
			}
		lua_setfield(L, -2, "hosts");
		push_portgroups(L, &sw->net);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

/* vdeck.switch_status(name) → { {host, state = "converged" | "missing" |
 *   "drifted" | "unknown", fields = {"vlan", ...}, why} }, one per host
 *   the switch selects. */
static int vdeck_switch_status(lua_State *L)
{
	const struct cluster *c = lctx_get(L)->cluster;
	const char *name = luaL_checkstring(L, 1);
	const struct switch_config *sw = inventory_switch(c->inv, name);
	if (!sw)
		return lvd_raisef(L, VD_ENOTFOUND, "switch_status", NULL, NULL,
				  "the inventory declares no switch '%s'", name);
	struct switch_host_status *st;
	size_t n = switch_status(c, sw, &st);
	lua_createtable(L, (int)n, 0);
	for (size_t i = 0; i < n; i++) {
		lua_createtable(L, 0, 4);
		lvd_set_str(L, "host", c->hosts[st[i].host].cfg->name);
		lvd_set_str(L, "state", switch_state_name(st[i].state));
		lua_newtable(L);
		int k = 0;
		for (unsigned bit = 1; bit <= NETD_AUTOSTART; bit <<= 1)
			if (st[i].fields & bit) {
				lua_pushstring(L, net_drift_name(bit));
				lua_rawseti(L, -2, ++k);
			}
		lua_setfield(L, -2, "fields");
		lvd_set_str(L, "why", st[i].why);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	free(st);
	return 1;
}

static const luaL_Reg host_methods[] = {
	{ "networks", host_networks }, { NULL, NULL },
};

static const luaL_Reg vdeck_funcs[] = {
	{ "switches", vdeck_switches }, { "switch_status", vdeck_switch_status }, { NULL, NULL },
};

void lvd_switch_register(lua_State *L)
{
	luaL_getmetatable(L, HOST_MT);
	lua_getfield(L, -1, "methods");
	luaL_setfuncs(L, host_methods, 0);
	static const char *const host_readers[] = { "networks", NULL };
	lvd_wait_for_answer(L, -1, host_readers);
	lua_pop(L, 2);
	lua_getglobal(L, "vdeck");
	luaL_setfuncs(L, vdeck_funcs, 0);
	static const char *const readers[] = { "switch_status", NULL };
	lvd_wait_for_answer(L, -1, readers);
	lua_pop(L, 1);
}

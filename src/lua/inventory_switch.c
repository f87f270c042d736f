/* inventory_switch.c — switch { name =, hosts =, uplink =, backend =,
 * portgroups = { ... } } in an inventory file.
 *
 * Validated at the call, so an error names the file and line, the switch
 * and the field: "cluster.lua:12: switch dvs0: portgroup web: field 'vlan'
 * must be an integer between 1 and 4094".  The declaration becomes the
 * libvirt network every selected host should have (struct net_def): forward
 * mode bridge over the uplink, <virtualport type='openvswitch'/> for OVS,
 * and the portgroups with their VLANs, bandwidth and filter. */
#include "lua/inventory_switch.h"
#include "core/xalloc.h"

#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sw_error(lua_State *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sw_error(lua_State *L, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	luaL_where(L, 1);
	lua_pushstring(L, msg);
	lua_concat(L, 2);
	return lua_error(L);
}

static void check_fields(lua_State *L, int t, const char *what, const char *const *known)
{
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING)
			sw_error(L, "%s: keys must be field names", what);
		const char *k = lua_tostring(L, -1);
		int ok = 0;
		for (const char *const *p = known; *p && !ok; p++)
			ok = !strcmp(*p, k);
		if (!ok)
			sw_error(L, "%s: unknown field '%s'", what, k);
	}
}

/* Letters, digits, '-', '_', '.' (and ':' when colon), 1..max bytes. */
static int plain_name(const char *s, size_t max, int colon)
{
	size_t n = strlen(s);
	if (!n || n > max)
		return 0;
	for (; *s; s++)
		if (!(('a' <= *s && *s <= 'z') || ('A' <= *s && *s <= 'Z') || ('0' <= *s && *s <= '9') ||
		      *s == '-' || *s == '_' || *s == '.' || (colon && *s == ':')))
			return 0;
	return 1;
}

/* The string field, checked as a plain name; NULL when absent. */
static const char *name_field(lua_State *L, int t, const char *what, const char *field, size_t max,
			      char *buf, size_t len)
{
	lua_getfield(L, t, field);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return NULL;
	}
	if (lua_type(L, -1) != LUA_TSTRING)
		sw_error(L, "%s: field '%s' must be a string, not %s", what, field, luaL_typename(L, -1));
	size_t n = 0;
	const char *v = lua_tolstring(L, -1, &n);
	snprintf(buf, len, "%s", v);
	lua_pop(L, 1);
	if (!plain_name(buf, max, 0) || n >= len || n != strlen(buf))
		sw_error(L, "%s: field '%s' must be 1-%zu letters, digits, '-', '_' or '.'", what, field, max);
	return buf;
}

static lua_Integer int_value(lua_State *L, int idx, const char *what, const char *field, lua_Integer min,
			     lua_Integer max)
{
	int isnum = 0;
	lua_Integer v = lua_tointegerx(L, idx, &isnum);
	if (!isnum || lua_type(L, idx) != LUA_TNUMBER || v < min || v > max)
		sw_error(L, "%s: field '%s' must be an integer between %lld and %lld", what, field, (long long)min,
			 (long long)max);
	return v;
}

/* inbound/outbound = { average =, peak =, burst = } in KiB/s and KiB. */
static void read_rate(lua_State *L, int bw, const char *what, const char *dir, struct net_rate *r)
{
	static const char *const known[] = { "average", "peak", "burst", NULL };
	char sub[256];
	snprintf(sub, sizeof sub, "%s bandwidth.%s", what, dir);
	lua_getfield(L, bw, dir);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1))
		sw_error(L, "%s: must be a table { average =, peak =, burst = } (KiB/s, KiB)", sub);
	int t = lua_gettop(L);
	check_fields(L, t, sub, known);
	uint64_t *dst[] = { &r->average, &r->peak, &r->burst };
	for (size_t i = 0; i < 3; i++) {
		lua_getfield(L, t, known[i]);
		if (!lua_isnil(L, -1))
			*dst[i] = (uint64_t)int_value(L, -1, sub, known[i], 1, (lua_Integer)1 << 40);
		lua_pop(L, 1);
	}
	if (!r->average)
		sw_error(L, "%s: field 'average' is required (libvirt needs it)", sub);
	if (r->peak && r->peak < r->average)
		sw_error(L, "%s: peak (%llu) is below average (%llu)", sub, (unsigned long long)r->peak,
			 (unsigned long long)r->average);
	lua_pop(L, 1);
}

static void read_vlan(lua_State *L, int t, const char *what, struct net_portgroup *pg)
{
	lua_getfield(L, t, "vlan");
	lua_getfield(L, t, "trunk");
	if (!lua_isnil(L, -2) && !lua_isnil(L, -1))
		sw_error(L, "%s: give vlan = or trunk =, not both", what);
	if (!lua_isnil(L, -2)) {
		pg->tags[pg->ntags++] = (unsigned)int_value(L, -2, what, "vlan", 1, 4094);
	} else if (!lua_isnil(L, -1)) {
		if (!lua_istable(L, -1))
			sw_error(L, "%s: field 'trunk' must be a list of VLAN ids", what);
		lua_Integer n = luaL_len(L, -1);
		if (n < 1 || n > NET_MAX_TAGS)
			sw_error(L, "%s: field 'trunk' must list 1 to %d VLAN ids", what, NET_MAX_TAGS);
		for (lua_Integer i = 1; i <= n; i++) {
			lua_rawgeti(L, -1, i);
			unsigned id = (unsigned)int_value(L, -1, what, "trunk", 1, 4094);
			for (size_t k = 0; k < pg->ntags; k++)
				if (pg->tags[k] == id)
					sw_error(L, "%s: trunk lists VLAN %u twice", what, id);
			pg->tags[pg->ntags++] = id;
			lua_pop(L, 1);
		}
		pg->trunk = 1;
	}
	lua_pop(L, 2);
}

static void read_portgroup(lua_State *L, int t, const char *swwhat, struct switch_config *sw)
{
	static const char *const known[] = { "name", "vlan", "trunk", "bandwidth", "filter", "default", NULL };
	char name[64], what[192];
	if (!lua_istable(L, t))
		sw_error(L, "%s: portgroups must be tables { name =, vlan =, ... }", swwhat);
	snprintf(what, sizeof what, "%s: a portgroup", swwhat);
	check_fields(L, t, what, known);
	if (!name_field(L, t, swwhat, "name", 63, name, sizeof name))
		sw_error(L, "%s: a portgroup needs a name", swwhat);
	snprintf(what, sizeof what, "%s: portgroup %s", swwhat, name);
	if (net_def_portgroup(&sw->net, name))
		sw_error(L, "%s: declared twice", what);
	struct net_portgroup *pg = net_def_add_portgroup(&sw->net, name);
	if (!pg)
		sw_error(L, "%s: more than %d portgroups", swwhat, NET_MAX_PORTGROUPS);
	read_vlan(L, t, what, pg);
	if (pg->ntags && !strcmp(sw->backend, "bridge"))
		sw_error(L, "%s: VLANs need backend \"ovs\" (libvirt tags VLANs on Open vSwitch ports, "
			 "not on a Linux bridge)", what);
	lua_getfield(L, t, "bandwidth");
	if (!lua_isnil(L, -1)) {
		static const char *const dirs[] = { "inbound", "outbound", NULL };
		char sub[224];
		snprintf(sub, sizeof sub, "%s bandwidth", what);
		if (!lua_istable(L, -1))
			sw_error(L, "%s: field 'bandwidth' must be a table { inbound =, outbound = }", what);
		check_fields(L, lua_gettop(L), sub, dirs);
		read_rate(L, lua_gettop(L), what, "inbound", &pg->in);
		read_rate(L, lua_gettop(L), what, "outbound", &pg->out);
	}
	lua_pop(L, 1);
	char filter[64];
	if (name_field(L, t, what, "filter", 63, filter, sizeof filter))
		snprintf(pg->filter, sizeof pg->filter, "%s", filter);
	lua_getfield(L, t, "default");
	if (!lua_isnil(L, -1) && !lua_isboolean(L, -1))
		sw_error(L, "%s: field 'default' must be true or false", what);
	if (lua_toboolean(L, -1)) {
		const struct net_portgroup *d = net_def_default_portgroup(&sw->net);
		if (d)
			sw_error(L, "%s: portgroup %s is already the default", what, d->name);
		pg->is_default = 1;
	}
	lua_pop(L, 1);
}

static void read_hosts(lua_State *L, const char *what, struct switch_config *sw)
{
	lua_getfield(L, 1, "hosts");
	if (!lua_istable(L, -1))
		sw_error(L, "%s: field 'hosts' must be { tag = \"x\" } or a list of host names", what);
	lua_getfield(L, -1, "tag");
	if (!lua_isnil(L, -1)) {
		if (lua_type(L, -1) != LUA_TSTRING)
			sw_error(L, "%s: hosts.tag must be a string", what);
		sw->host_tag = x_strdup(lua_tostring(L, -1));
		lua_pop(L, 1);
		if (luaL_len(L, -1) > 0)
			sw_error(L, "%s: hosts takes a tag or a list of names, not both", what);
		lua_pop(L, 1);
		return;
	}
	lua_pop(L, 1);
	lua_Integer n = luaL_len(L, -1);
	if (n < 1)
		sw_error(L, "%s: field 'hosts' selects no host (give { tag = \"x\" } or names)", what);
	sw->hosts = x_calloc((size_t)n, sizeof *sw->hosts);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		if (lua_type(L, -1) != LUA_TSTRING)
			sw_error(L, "%s: hosts must be host names (strings)", what);
		sw->hosts[sw->nhosts++] = x_strdup(lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

static int l_switch(lua_State *L)
{
	static const char *const known[] = { "name", "hosts", "uplink", "backend", "portgroups", NULL };
	struct inventory *inv = lua_touserdata(L, lua_upvalueindex(1));
	luaL_checktype(L, 1, LUA_TTABLE);
	check_fields(L, 1, "switch", known);
	char name[64], what[96], uplink[16], backend[16];
	if (!name_field(L, 1, "switch", "name", 63, name, sizeof name))
		return sw_error(L, "switch: field 'name' is required (it names the libvirt network)");
	snprintf(what, sizeof what, "switch %s", name);
	if (inventory_switch(inv, name))
		return sw_error(L, "%s: declared twice (first at %s)", what, inventory_switch(inv, name)->source);
	if (!name_field(L, 1, what, "uplink", 15, uplink, sizeof uplink))
		return sw_error(L, "%s: field 'uplink' is required (the host bridge the network forwards to)", what);
	lua_getfield(L, 1, "backend");
	const char *be = lua_tostring(L, -1);
	if (lua_type(L, -1) != LUA_TSTRING || (strcmp(be, "ovs") && strcmp(be, "bridge")))
		return sw_error(L, "%s: field 'backend' must be \"ovs\" or \"bridge\"", what);
	snprintf(backend, sizeof backend, "%s", be);
	lua_pop(L, 1);

	x_grow(&inv->switches, &(size_t){ inv->nswitches }, inv->nswitches + 1, sizeof *inv->switches);
	struct switch_config *sw = &inv->switches[inv->nswitches++];
	memset(sw, 0, sizeof *sw);
	sw->name = x_strdup(name);
	luaL_where(L, 1);
	const char *where = lua_tostring(L, -1);
	size_t wl = strlen(where);
	sw->source = x_strndup(where, wl >= 2 ? wl - 2 : wl);
	lua_pop(L, 1);
	sw->uplink = x_strdup(uplink);
	sw->backend = x_strdup(backend);
	snprintf(sw->net.name, sizeof sw->net.name, "%s", name);
	snprintf(sw->net.forward, sizeof sw->net.forward, "bridge");
	snprintf(sw->net.bridge, sizeof sw->net.bridge, "%s", uplink);
	if (!strcmp(backend, "ovs"))
		snprintf(sw->net.virtualport, sizeof sw->net.virtualport, "openvswitch");
	read_hosts(L, what, sw);
	lua_getfield(L, 1, "portgroups");
	if (!lua_isnil(L, -1)) {
		if (!lua_istable(L, -1))
			return sw_error(L, "%s: field 'portgroups' must be a list of tables", what);
		lua_Integer n = luaL_len(L, -1);
		for (lua_Integer i = 1; i <= n; i++) {
			lua_rawgeti(L, -1, i);
			read_portgroup(L, lua_gettop(L), what, sw);
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	return 0;
}

void inventory_switch_register(lua_State *L, struct inventory *inv)
{
	lua_pushlightuserdata(L, inv);
	lua_pushcclosure(L, l_switch, 1);
	lua_setglobal(L, "switch");
}

int inventory_switch_check(const struct inventory *inv, struct vd_err *err)
{
	for (size_t i = 0; i < inv->nswitches; i++) {
		const struct switch_config *sw = &inv->switches[i];
		for (size_t k = 0; k < sw->nhosts; k++)
			if (!inventory_find(inv, sw->hosts[k]))
				return err_set(err, VD_ECONFIG, "%s: switch %s: host '%s' is not declared", sw->source,
					       sw->name, sw->hosts[k]);
	}
	return 0;
}

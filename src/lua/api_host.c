/* api_host.c — host handles: fields read live from the model, methods.
 *
 * A handle holds only the host's index in the inventory, which never changes
 * during a run, so it can never dangle. */
#include "lua/lvdeck.h"
#include "lua/sched.h"
#include "core/timeutil.h"

#include <string.h>

struct host *lvd_check_host(lua_State *L, int idx)
{
	struct host_handle *hh = luaL_checkudata(L, idx, HOST_MT);
	struct host *h = cluster_host_by_index(lctx_get(L)->cluster, hh->index);
	if (!h)
		lvd_raisef(L, VD_ESTALE, NULL, NULL, NULL, "host handle no longer valid");
	return h;
}

void lvd_push_host(lua_State *L, size_t index)
{
	struct host_handle *hh = lua_newuserdatauv(L, sizeof *hh, 0);
	hh->index = index;
	luaL_setmetatable(L, HOST_MT);
}

static void push_tags(lua_State *L, const struct host_config *cfg)
{
	lua_createtable(L, (int)cfg->ntags, 0);
	for (size_t i = 0; i < cfg->ntags; i++) {
		lua_pushstring(L, cfg->tags[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
}

/* Fields the inventory gives, known before the host answers. */
static int inventory_field(const char *k)
{
	static const char *const keys[] = { "name", "uri", "address", "transport", "sysroot", "tags", "maintenance", NULL };
	for (const char *const *p = keys; *p; p++)
		if (!strcmp(k, *p))
			return 1;
	return 0;
}

static int host_field(lua_State *L, int status, lua_KContext kctx);

/* h.age = { libvirt = s, shell = s }: seconds since each source last
 * answered; a source the host does not use, or that never answered, is
 * left out. */
static void push_ages(lua_State *L, const struct host *h)
{
	double now = now_mono_s();
	lua_createtable(L, 0, HOST_NSRC);
	for (int i = 0; i < HOST_NSRC; i++)
		lvd_set_num(L, host_source_name((enum host_source)i), host_source_age(h, (enum host_source)i, now));
}

/* Fields first, then methods: h.name, h:domains().  A field the host's
 * answer fills (state, cpus, memory, ...) waits for its first answer, as
 * h:domains() does, where the caller can wait: never 0 for "not yet". */
static int host_index(lua_State *L)
{
	struct host *h = lvd_check_host(L, 1);
	const char *k = luaL_checkstring(L, 2);
	lua_settop(L, 2);
	if (!host_domains_settled(h) && !inventory_field(k) && sched_can_wait(L) &&
	    (!luaL_getmetafield(L, 1, "methods") || lua_getfield(L, -1, k) == LUA_TNIL)) {
		lua_settop(L, 2);
		return lvd_await_hosts(L, h, NULL, 0, host_field);
	}
	lua_settop(L, 2);
	return host_field(L, LUA_OK, 0);
}

static int host_field(lua_State *L, int status, lua_KContext kctx)
{
	(void)status;
	(void)kctx;
	struct host *h = lvd_check_host(L, 1);
	const char *k = luaL_checkstring(L, 2);
	const struct host_config *cfg = h->cfg;
	if (!strcmp(k, "name")) lua_pushstring(L, cfg->name);
	else if (!strcmp(k, "state")) {
		fleet_note_waits(lctx_get(L)->fleet);   /* as of now: a stuck poll counts */
		lua_pushstring(L, host_state_name(h->state));
	} else if (!strcmp(k, "age")) push_ages(L, h);
	else if (!strcmp(k, "uri")) lua_pushstring(L, cfg->libvirt_uri);
	else if (!strcmp(k, "address")) lua_pushstring(L, cfg->address);
	else if (!strcmp(k, "transport")) lua_pushstring(L, transport_name(cfg->transport));
	else if (!strcmp(k, "sysroot")) lua_pushstring(L, cfg->sysroot);
	else if (!strcmp(k, "tags")) push_tags(L, cfg);
	else if (!strcmp(k, "maintenance")) lua_pushboolean(L, h->maintenance);
	else if (!strcmp(k, "cpus")) lua_pushinteger(L, h->cpus);
	else if (!strcmp(k, "memory")) lua_pushinteger(L, (lua_Integer)h->memory);
	else if (!strcmp(k, "cpu_model")) lua_pushstring(L, h->cpu_model);
	else if (!strcmp(k, "hostname")) lua_pushstring(L, h->hostname);
	else if (!strcmp(k, "hypervisor")) lua_pushstring(L, h->hypervisor);
	else if (!strcmp(k, "libvirt_version")) lua_pushstring(L, h->libvirt_version);
	else if (!strcmp(k, "error")) {
		if (h->libvirt_error && h->shell_error && strcmp(h->libvirt_error, h->shell_error))
			lua_pushfstring(L, "libvirt: %s; shell: %s", h->libvirt_error, h->shell_error);
		else if (h->libvirt_error)
			lua_pushstring(L, h->libvirt_error);
		else
			lua_pushstring(L, h->shell_error);
	} else if (!strcmp(k, "libvirt_error")) lua_pushstring(L, h->libvirt_error);
	else if (!strcmp(k, "shell_error")) lua_pushstring(L, h->shell_error);
	else if (!strcmp(k, "last_poll")) {
		if (h->last_full_wall > 0)   /* every source answered in it */
			lua_pushnumber(L, h->last_full_wall);
		else
			lua_pushnil(L);
	} else if (!strcmp(k, "vm_count")) {
		if (h->libvirt_polls)   /* unknown until libvirt answered: nil, never 0 */
			lua_pushinteger(L, (lua_Integer)h->ndoms);
		else
			lua_pushnil(L);
	}
	else {
		luaL_getmetafield(L, 1, "methods");
		lua_getfield(L, -1, k);
	}
	return 1;
}

static int host_domains_k(lua_State *L, int status, lua_KContext k)
{
	(void)status;
	(void)k;
	struct host *h = lvd_check_host(L, 1);
	if (!h->libvirt_polls)
		return lvd_raise_unreachable(L, h, "domains");
	int stale = lvd_check_fresh(L, h, LVD_SRC(HOST_SRC_LIBVIRT), 2, "domains");
	size_t index = (size_t)(h - lctx_get(L)->cluster->hosts);
	lua_createtable(L, (int)h->ndoms, 0);
	lvd_mark_stale(L, stale);
	for (size_t i = 0; i < h->ndoms; i++) {
		lvd_push_domain(L, index, &h->doms[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

/* h:domains([{allow_stale=}]): waits for the host's first answer; unknown
 * is an error, and so is a list libvirt gave too long ago. */
static int host_domains(lua_State *L)
{
	struct host *h = lvd_check_host(L, 1);
	lua_settop(L, 2);
	return lvd_await_hosts(L, h, NULL, 0, host_domains_k);
}

static int host_refresh(lua_State *L)
{
	struct host *h = lvd_check_host(L, 1);
	lua_settop(L, 1);
	return lvd_refresh(L, h, 1);
}

static int host_tostring(lua_State *L)
{
	struct host *h = lvd_check_host(L, 1);
	fleet_note_waits(lctx_get(L)->fleet);
	lua_pushfstring(L, "host %s (%s)", h->cfg->name, host_state_name(h->state));
	return 1;
}

static int host_eq(lua_State *L)
{
	struct host_handle *a = luaL_checkudata(L, 1, HOST_MT), *b = luaL_checkudata(L, 2, HOST_MT);
	lua_pushboolean(L, a->index == b->index);
	return 1;
}

static const luaL_Reg host_methods[] = {
	{ "domains", host_domains },
	{ "refresh", host_refresh },
	{ NULL, NULL },
};

void lvd_host_register(lua_State *L)
{
	luaL_newmetatable(L, HOST_MT);
	lua_pushcfunction(L, host_index);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, host_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pushcfunction(L, host_eq);
	lua_setfield(L, -2, "__eq");
	lua_pushliteral(L, "vdeck.host");
	lua_setfield(L, -2, "__name");
	luaL_newlib(L, host_methods);
	lua_setfield(L, -2, "methods");
	lua_pop(L, 1);
}

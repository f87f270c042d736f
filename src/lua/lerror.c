/* lerror.c — vdeck errors as Lua values.
 *
 * An error is a table { op, host, domain, message, code, libvirt_code }
 * with a metatable whose __tostring reads "op: host/domain: message", so a
 * script can pcall and inspect it, and an uncaught one prints well. */
#include "lua/lvdeck.h"

#include <stdio.h>
#include <string.h>

static void set_field(lua_State *L, const char *k, const char *v)
{
	if (v && *v) {
		lua_pushstring(L, v);
		lua_setfield(L, -2, k);
	}
}

static int error_tostring(lua_State *L)
{
	struct vd_err e;
	err_clear(&e);
	lua_getfield(L, 1, "op");
	lua_getfield(L, 1, "host");
	lua_getfield(L, 1, "domain");
	lua_getfield(L, 1, "message");
	err_where(&e, lua_tostring(L, -4), lua_tostring(L, -3), lua_tostring(L, -2));
	snprintf(e.msg, sizeof e.msg, "%s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "error");
	char buf[1200];
	lua_pushstring(L, err_format(&e, buf, sizeof buf));
	return 1;
}

void lvd_error_register(lua_State *L)
{
	luaL_newmetatable(L, ERROR_MT);
	lua_pushcfunction(L, error_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);
}

void lvd_push_error(lua_State *L, const struct vd_err *err)
{
	lua_createtable(L, 0, 6);
	set_field(L, "op", err->op);
	set_field(L, "host", err->host);
	set_field(L, "domain", err->domain);
	set_field(L, "message", err->msg[0] ? err->msg : "failed");
	set_field(L, "code", err_code_name(err->code));
	if (err->sys_code) {
		lua_pushinteger(L, err->sys_code);
		lua_setfield(L, -2, "libvirt_code");
	}
	luaL_setmetatable(L, ERROR_MT);
}

int lvd_raise(lua_State *L, const struct vd_err *err)
{
	lvd_push_error(L, err);
	return lua_error(L);
}

int lvd_raisef(lua_State *L, enum vd_errcode code, const char *op, const char *host,
	       const char *domain, const char *fmt, ...)
{
	struct vd_err e;
	err_clear(&e);
	err_where(&e, op, host, domain);
	va_list ap;
	va_start(ap, fmt);
	err_setv(&e, code, fmt, ap);
	va_end(ap);
	return lvd_raise(L, &e);
}

const char *lvd_error_string(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	if (luaL_callmeta(L, idx, "__tostring") && lua_isstring(L, -1))
		return lua_tostring(L, -1);
	if (lua_isstring(L, idx)) {
		lua_pushvalue(L, idx);
		return lua_tostring(L, -1);
	}
	lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, idx));
	return lua_tostring(L, -1);
}

int lvd_error_exit(lua_State *L, int idx)
{
	int code = 1;
	idx = lua_absindex(L, idx);
	if (lua_istable(L, idx)) {
		lua_getfield(L, idx, "code");
		const char *c = lua_tostring(L, -1);
		if (c && (!strcmp(c, "usage") || !strcmp(c, "config")))
			code = 2;
		else if (c && !strcmp(c, "unreachable"))
			code = 3;
		/* Stale data (lfresh.c, it names a source): a host that does not
		 * answer, unlike a stale handle (a VM that went away). */
		lua_getfield(L, idx, "source");
		if (c && !strcmp(c, "stale") && lua_isstring(L, -1))
			code = 3;
		lua_pop(L, 2);
	}
	return code;
}

struct lctx *lctx_get(lua_State *L)
{
	lua_getfield(L, LUA_REGISTRYINDEX, "vdeck.ctx");
	struct lctx *ctx = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return ctx;
}

void lctx_set(lua_State *L, struct lctx *ctx)
{
	lua_pushlightuserdata(L, ctx);
	lua_setfield(L, LUA_REGISTRYINDEX, "vdeck.ctx");
}

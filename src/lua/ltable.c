/* ltable.c — filling the result tables the bindings return: fields are set
 * only when they mean something (an empty string or an unknown rate is
 * left out rather than shown as "" or -1). */
#include "lua/lvdeck.h"

void lvd_set_str(lua_State *L, const char *k, const char *v)
{
	if (v && *v) {
		lua_pushstring(L, v);
		lua_setfield(L, -2, k);
	}
}

void lvd_set_int(lua_State *L, const char *k, long long v)
{
	lua_pushinteger(L, (lua_Integer)v);
	lua_setfield(L, -2, k);
}

void lvd_set_num(lua_State *L, const char *k, double v)
{
	if (v < 0)
		return;   /* unknown yet */
	lua_pushnumber(L, v);
	lua_setfield(L, -2, k);
}

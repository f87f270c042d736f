/* lowner.c — userdata that own C state: the one way a binding keeps a
 * buffer, a run in flight or a wait alive for as long as Lua can reach it,
 * and releases it however the Lua side ends (return, error, a cancelled
 * task collected). */
#include "lua/lvdeck.h"

#include <string.h>

void *lvd_new_owner(lua_State *L, size_t size, lua_CFunction gc)
{
	void *p = lua_newuserdatauv(L, size, 0);
	memset(p, 0, size);
	lua_createtable(L, 0, 1);
	lua_pushcfunction(L, gc);
	lua_setfield(L, -2, "__gc");
	lua_setmetatable(L, -2);
	return p;
}

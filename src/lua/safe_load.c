/* safe_load.c — the permission check in front of every luaL_loadfile of
 * code from a file (see safe_load.h). */
#include "lua/safe_load.h"
#include "core/filesafe.h"

#include <lauxlib.h>

int safe_loadfile(lua_State *L, const char *what, const char *path)
{
	struct vd_err err;
	err_clear(&err);
	if (filesafe_check(what, path, &err) < 0) {
		lua_pushstring(L, err.msg);
		return LUA_ERRFILE;
	}
	return luaL_loadfile(L, path);
}

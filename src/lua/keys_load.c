/* keys_load.c — runs keys.lua in a fresh Lua state without libraries (it
 * is configuration, not a script) and copies out its action = key pairs. */
#include "lua/keys_load.h"
#include "core/xalloc.h"
#include "lua/safe_load.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdlib.h>
#include <string.h>

static int cmp_binding(const void *a, const void *b)
{
	return strcmp(((const struct key_binding *)a)->action, ((const struct key_binding *)b)->action);
}

int keys_load(const char *path, struct key_binding **out, size_t *n, struct vd_err *err)
{
	*out = NULL;
	*n = 0;
	lua_State *L = luaL_newstate();
	if (!L)
		return err_set(err, VD_EIO, "keys: cannot create a Lua state");
	int rc = -1;
	size_t cap = 0;
	if (safe_loadfile(L, "file", path) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK) {
		err_set(err, VD_ECONFIG, "%s", lua_tostring(L, -1));
		goto out;
	}
	if (!lua_istable(L, -1)) {
		err_set(err, VD_ECONFIG, "%s: must return a table of action = \"key\"", path);
		goto out;
	}
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING) {
			err_set(err, VD_ECONFIG, "%s: every entry must be action = \"key\" (strings)", path);
			lua_pop(L, 2);
			keys_free(*out, *n);
			*out = NULL;
			*n = 0;
			goto out;
		}
		x_grow(out, &cap, *n + 1, sizeof **out);
		(*out)[*n].action = x_strdup(lua_tostring(L, -2));
		(*out)[*n].key = x_strdup(lua_tostring(L, -1));
		(*n)++;
		lua_pop(L, 1);
	}
	if (*n)
		qsort(*out, *n, sizeof **out, cmp_binding);
	rc = 0;
out:
	lua_close(L);
	return rc;
}

void keys_free(struct key_binding *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(b[i].action);
		free(b[i].key);
	}
	free(b);
}

/* safe_load.h — luaL_loadfile for the files whose code vdeck runs: the
 * inventory, keys.lua and runbooks.  A file that someone other than root
 * or the user running vdeck could have written is refused before it is
 * read (core/filesafe.h says what counts). */
#ifndef VD_SAFE_LOAD_H
#define VD_SAFE_LOAD_H

#include <lua.h>

/* As luaL_loadfile: LUA_OK with the chunk pushed, or an error status with
 * the message pushed ("WHAT PATH: refused: ..." for an unsafe file). */
int safe_loadfile(lua_State *L, const char *what, const char *path);

#endif

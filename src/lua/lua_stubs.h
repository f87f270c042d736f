/* lua_stubs.h — LuaLS annotations of vdeck's Lua API (`vdeck --lua-stubs`):
 * a `---@meta` file runbook authors' editors read for completion and type
 * checks.  The operations come from the operation table (ops/optable.c):
 * every method with its typed positional arguments and its options
 * table; the read API (handles' fields, h:numa(), d:disks(), ...) from the
 * declarations in lua_stubs_read.c, which test_lua_stubs holds to the
 * methods the running binary registers. */
#ifndef VD_LUA_STUBS_H
#define VD_LUA_STUBS_H

#include <stdio.h>

void lua_stubs_write(FILE *out);

#endif

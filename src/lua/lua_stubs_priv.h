/* lua_stubs_priv.h — the hand-declared read API (lua_stubs_read.c) the
 * generator (lua_stubs.c) writes beside the operations. */
#ifndef VD_LUA_STUBS_PRIV_H
#define VD_LUA_STUBS_PRIV_H

extern const char lua_stubs_read[];

#endif

/* api_ops.c — placeholder: operations register their Lua methods here. */
#include "lua/lvdeck.h"

void lvd_ops_register(lua_State *L)
{
	(void)L;
}

/* vlua_priv.h — the runtime's state, shared by vlua.c (scripts, REPL) and
 * vlua_job.c (the TUI's coroutine jobs); lua/ only. */
#ifndef VD_VLUA_PRIV_H
#define VD_VLUA_PRIV_H

#include "lua/lvdeck.h"
#include "lua/vlua.h"

struct vjob;

struct vlua {
	lua_State   *L;
	struct lctx  ctx;
	struct vjob **jobs;   /* TUI jobs, finished ones kept for their log */
	size_t       njobs, jobs_cap;
};

void vlua_jobs_free(struct vlua *vl);

#endif

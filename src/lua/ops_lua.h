/* ops_lua.h — shared by the Lua files of operations (api_ops.c, ops_*.c). */
#ifndef VD_OPS_LUA_H
#define VD_OPS_LUA_H

#include "lua/lvdeck.h"
#include "ops/opexec.h"

#define TASK_MT "vdeck.task"

/* The state's operation environment (created by lvd_ops_register). */
struct op_env *lvd_ops_env(lua_State *L);
/* { phase, fraction, data_total, data_processed, data_remaining,
 *   dirty_rate (bytes/s), expected_downtime_ms, downtime_ms, elapsed_ms, job } */
void lvd_push_progress(lua_State *L, const struct vop_progress *p, unsigned job);
/* A task handle for job id; the domain handle at dom_idx (0: none) follows
 * a migrated VM when the task finishes. */
void lvd_push_task(lua_State *L, unsigned job, int dom_idx);
/* Keeps the function at fn_idx as the task's progress callback for t:wait(). */
void lvd_task_set_progress(lua_State *L, int task_idx, int fn_idx);
void lvd_push_outcome(lua_State *L, const struct op_def *def, const char *host, const char *dom,
		      const struct op_outcome *out);
/* vdeck.operations/jobs/wait_any/op_limit, d:snapshots(), the task type. */
void lvd_ops_register_extra(lua_State *L);

#endif

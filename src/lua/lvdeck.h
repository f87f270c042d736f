/* lvdeck.h — internals shared by the Lua binding files (lua/ only). */
#ifndef VD_LVDECK_H
#define VD_LVDECK_H

#include <lauxlib.h>
#include <lua.h>

#include "conn/fleet.h"
#include "core/err.h"
#include "core/options.h"
#include "core/strbuf.h"
#include "model/cluster.h"

#define HOST_MT   "vdeck.host"
#define DOMAIN_MT "vdeck.domain"
#define ERROR_MT  "vdeck.error"

/* Per-state context, kept in the registry (never a C global). */
struct lctx {
	struct fleet      *fleet;
	struct cluster    *cluster;
	const struct vd_options *opts;
	int                refresh_timeout_ms;
	struct sched      *sched;    /* every chunk runs as one of its tasks (sched.h) */
};

struct host_handle { size_t index; };
struct dom_handle  { size_t host; char uuid[37]; char name[128]; };

struct lctx *lctx_get(lua_State *L);
void lctx_set(lua_State *L, struct lctx *ctx);

/* Pushes the vdeck error table built from err. */
void lvd_push_error(lua_State *L, const struct vd_err *err);
/* Raises a vdeck error table built from err (never returns). */
int  lvd_raise(lua_State *L, const struct vd_err *err);
/* Raises a vdeck error from op/host/domain/code/format. */
int  lvd_raisef(lua_State *L, enum vd_errcode code, const char *op, const char *host,
		const char *domain, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void lvd_error_register(lua_State *L);
/* Formats any error value (table or string) for the user. */
const char *lvd_error_string(lua_State *L, int idx);
/* Exit code for an error value: 2 for parameter errors, 3 for a host that
 * does not answer (unreachable, stale data), else 1. */
int  lvd_error_exit(lua_State *L, int idx);

void lvd_host_register(lua_State *L);
void lvd_domain_register(lua_State *L);
void lvd_push_host(lua_State *L, size_t index);
void lvd_push_domain(lua_State *L, size_t host, const struct domain *d);
/* Resolves handles; raise a stale-handle error when the object is gone. */
struct host *lvd_check_host(lua_State *L, int idx);
struct domain *lvd_check_domain(lua_State *L, int idx, struct host **host_out);

/* Fields of the table on top of the stack (ltable.c): a NULL or empty
 * string, or a negative (unknown) number, leaves the field out. */
void lvd_set_str(lua_State *L, const char *k, const char *v);
void lvd_set_int(lua_State *L, const char *k, long long v);
void lvd_set_num(lua_State *L, const char *k, double v);
/* Pushes a zeroed userdata of size bytes whose __gc is gc: the owner of C
 * state that must be released however the Lua side ends (ltable.c). */
void *lvd_new_owner(lua_State *L, size_t size, lua_CFunction gc);

/* vdeck.emit and the JSON encoder. */
void lvd_to_json(lua_State *L, int idx, struct strbuf *sb, int depth);
int  lvd_emit(lua_State *L);
void lvd_push_domain_table(lua_State *L, const struct host *h, const struct domain *d);

/* Adds operation methods to the host/domain method tables and vdeck.*
 * (api_ops.c); called once the metatables exist. */
void lvd_ops_register(lua_State *L);
/* Adds h:numa, h:mem, h:nics, h:bonds, h:alerts, h:run (api_metrics.c). */
void lvd_metrics_register(lua_State *L);

/* Adds vdeck.plan_numa, vdeck.plan_balance, h:set_maintenance (api_plan.c). */
void lvd_plan_register(lua_State *L);

/* Adds h:gpus, h:luns, vdeck.gpus, vdeck.luns (api_devices.c). */
void lvd_devices_register(lua_State *L);
/* Adds h:pools, vdeck.datastores (api_storage.c). */
void lvd_storage_register(lua_State *L);
/* Adds h:networks, vdeck.switches, vdeck.switch_status (api_switch.c). */
void lvd_switch_register(lua_State *L);
/* Adds the storage fields (physical, provisioning, thin, used_by, chain) of
 * disk k of d to the disk table on top (api_storage.c). */
void lvd_disk_storage(lua_State *L, const struct domain *d, const struct dom_disk *k);
/* h:sriov(), vdeck.sriov() (api_sriov.c). */
void lvd_sriov_register(lua_State *L);


/* Waits (yields) until host h — else every host marked in want (per host
 * index), else all — settled its domain list (host_domains_settled), then
 * continues with k on the stack as the caller left it; k runs at once when
 * that is already so (lwait.c). */
int  lvd_await_hosts(lua_State *L, const struct host *h, const unsigned char *want, lua_KContext k_ctx,
		     lua_KFunction k);
/* Old data (lfresh.c).  A mask has a bit per source, LVD_SRC(HOST_SRC_...).
 * lvd_check_fresh: 0 when the sources in mask of h are fresh; 1 when one
 * is stale and the options table at opts_idx (may be none) says
 * allow_stale = true (mark the result with lvd_mark_stale); else raises
 * a "stale" error naming op, the host, the source and its age. */
#define LVD_SRC(s) (1u << (s))
#define LVD_SRC_BOTH (LVD_SRC(HOST_SRC_LIBVIRT) | LVD_SRC(HOST_SRC_SHELL))
int  lvd_check_fresh(lua_State *L, struct host *h, unsigned mask, int opts_idx, const char *op);
int  lvd_allow_stale(lua_State *L, int opts_idx);
/* 1 when a source of h in mask is stale now (the fleet's waits noted first). */
int  lvd_host_stale(lua_State *L, struct host *h, unsigned mask);
int  lvd_raise_stale(lua_State *L, const struct host *h, unsigned mask, const char *op);
/* Sets stale = true on the table on top when stale. */
void lvd_mark_stale(lua_State *L, int stale);
/* Wraps the functions named in the table at tbl so that they first wait for
 * the host given as their first argument (any other: every host) to answer. */
void lvd_wait_for_answer(lua_State *L, int tbl, const char *const *names);
/* Raises an unreachable error (exit 3) for h, whose domains are unknown. */
int  lvd_raise_unreachable(lua_State *L, const struct host *h, const char *op);
/* Script output (print, ctx.log, emit, dry-run text): the running task's
 * sink (a console job's log) or stdio.  Text has its control characters
 * made visible (core/safe_text.h: it may quote a host); LVD_JSON is
 * written exactly, as sb_append_json already escaped it. */
enum lvd_stream { LVD_OUT, LVD_ERR, LVD_JSON };
void lvd_write(lua_State *L, enum lvd_stream to, const char *s, size_t n);
/* Re-reads h (NULL: every host), yielding while it waits; returns the number
 * of results: 0, or the handle at index 1 when ret_self (a domain handle is
 * checked to still exist). */
int  lvd_refresh(lua_State *L, struct host *h, int ret_self);
/* print() through lvd_write. */
int  lvd_print(lua_State *L);

/* vdeck.overcommit() (api_overcommit.c). */
int  lvd_overcommit(lua_State *L);
/* vdeck.each(items, fn, {per_host=, limit=}) (each.c). */
int  lvd_each(lua_State *L);

/* vdeck module table onto the stack. */
int  luaopen_vdeck(lua_State *L);
/* Runbook helpers (runbook.c). */
int  lvd_runbook_decl(lua_State *L);
int  lvd_is_runbook(lua_State *L, int idx);
void lvd_runbook_prepare(lua_State *L, int rb, int argc, char **argv);
void lvd_runbook_paths(struct strbuf *sb);

#endif

/* lwait.c — how a call that would block behaves inside a TUI job, and where
 * a script's output goes.
 *
 * The TUI runs a runbook as a coroutine on its loop thread (vlua_job.c).
 * While it runs, the state's context carries a wait slot: a binding that
 * would pump the fleet until something finished (an operation, a refresh,
 * h:run) starts the work, records a ready() function there and yields with
 * a continuation.  The loop calls ready() after each fleet_pump and resumes
 * the coroutine when it says 1, so the screen never waits.  Outside a job
 * (--exec, -e, the REPL) the same bindings block as before. */
#include "lua/lvdeck.h"
#include "conn/host_run.h"
#include "core/timeutil.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lvd_can_yield(lua_State *L)
{
	return lctx_get(L)->wait != NULL && lua_isyieldable(L);
}

int lvd_await(lua_State *L, int (*ready)(void *), void (*cancel)(void *), void *ud,
	      lua_KContext k_ctx, lua_KFunction k)
{
	struct lctx *ctx = lctx_get(L);
	ctx->wait->ready = ready;
	ctx->wait->cancel = cancel;
	ctx->wait->ud = ud;
	return lua_yieldk(L, 0, k_ctx, k);
}

void lvd_write(lua_State *L, int is_err, const char *s, size_t n)
{
	struct lctx *ctx = lctx_get(L);
	if (ctx->out) {
		ctx->out(ctx->out_ud, is_err, s, n);
		return;
	}
	FILE *f = is_err ? stderr : stdout;
	fwrite(s, 1, n, f);
	fflush(f);
}

int lvd_print(lua_State *L)
{
	int n = lua_gettop(L);
	struct strbuf sb;
	sb_init(&sb);
	for (int i = 1; i <= n; i++) {
		size_t len;
		const char *s = luaL_tolstring(L, i, &len);
		if (i > 1)
			sb_appendc(&sb, '\t');
		sb_append_n(&sb, s, len);
		lua_pop(L, 1);
	}
	sb_appendc(&sb, '\n');
	lvd_write(L, 0, sb.buf, sb.len);
	sb_free(&sb);
	return 0;
}

/* ---- refresh ---------------------------------------------------------- */

struct refresh_wait {
	struct fleet *fleet;
	struct host  *host;
	double        since, deadline;
};

static int refresh_ready(void *ud)
{
	struct refresh_wait *w = ud;
	return fleet_refresh_answered(w->fleet, w->host, w->since) || now_mono_s() >= w->deadline;
}

static int refresh_results(lua_State *L, int ret_self)
{
	if (!ret_self)
		return 0;
	if (luaL_testudata(L, 1, DOMAIN_MT))
		lvd_check_domain(L, 1, NULL);   /* raises if it vanished */
	lua_pushvalue(L, 1);
	return 1;
}

static int refresh_k(lua_State *L, int status, lua_KContext kctx)
{
	(void)status;
	int ret_self = (int)(kctx & 1), wi = (int)(kctx >> 1);
	struct refresh_wait *w = lua_touserdata(L, wi);
	struct lctx *ctx = lctx_get(L);
	struct vd_err err;
	err_clear(&err);
	err_where(&err, "refresh", w->host ? w->host->cfg->name : NULL, NULL);
	if (!fleet_refresh_answered(w->fleet, w->host, w->since)) {
		err_set(&err, VD_ETIMEOUT, "host(s) did not answer within %d ms", ctx->refresh_timeout_ms);
		return lvd_raise(L, &err);
	}
	if (w->host && w->host->state == HOST_DOWN) {
		err_set(&err, VD_EUNREACH, "%s", w->host->libvirt_error ? w->host->libvirt_error :
			w->host->shell_error ? w->host->shell_error : "host is down");
		return lvd_raise(L, &err);
	}
	return refresh_results(L, ret_self);
}

int lvd_refresh(lua_State *L, struct host *h, int ret_self)
{
	struct lctx *ctx = lctx_get(L);
	if (!lvd_can_yield(L)) {
		struct vd_err err;
		err_clear(&err);
		err_where(&err, "refresh", h ? h->cfg->name : NULL, NULL);
		if (fleet_refresh(ctx->fleet, h, ctx->refresh_timeout_ms, &err) < 0)
			return lvd_raise(L, &err);
		return refresh_results(L, ret_self);
	}
	struct refresh_wait *w = lua_newuserdatauv(L, sizeof *w, 0);
	w->fleet = ctx->fleet;
	w->host = h;
	w->since = fleet_refresh_request(ctx->fleet, h);
	w->deadline = w->since + ctx->refresh_timeout_ms / 1000.0;
	lua_KContext k = ((lua_KContext)lua_gettop(L) << 1) | (ret_self ? 1 : 0);
	return lvd_await(L, refresh_ready, NULL, w, k, refresh_k);
}

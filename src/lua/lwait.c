/* lwait.c — the waits that are not operations (a refresh, a host's first
 * answer), and where a script's output goes.
 *
 * Each waits through the scheduler's one await (sched.h): the binding asks
 * the fleet for what it needs, then yields until the model shows it.  A
 * host that has not answered yet is never read as empty: readers of its
 * domains wait for its first answer, up to its connect timeout, and then
 * raise an "unreachable" error naming the host and the cause (exit 3). */
#include "lua/lvdeck.h"
#include "lua/sched.h"
#include "core/safe_text.h"
#include "core/timeutil.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lvd_write(lua_State *L, enum lvd_stream to, const char *s, size_t n)
{
	struct strbuf safe;
	sb_init(&safe);
	if (to != LVD_JSON) {
		sb_append_safe(&safe, s, n, SAFE_TEXT_LINES);
		s = safe.buf;
		n = safe.len;
	}
	int is_err = to == LVD_ERR;
	struct sched_task *t = sched_current(sched_of(L));
	const struct sched_sink *sink = t ? sched_task_sink(t) : NULL;
	if (sink && sink->write) {
		sink->write(sink->ud, is_err, s, n);
	} else {
		FILE *f = is_err ? stderr : stdout;
		fwrite(s, 1, n, f);
		fflush(f);
	}
	sb_free(&safe);
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
	lvd_write(L, LVD_OUT, sb.buf, sb.len);
	sb_free(&sb);
	return 0;
}

/* ---- a host's first answer -------------------------------------------- */

struct hosts_wait {
	struct cluster *cluster;
	double          deadline;
	lua_KFunction   k;          /* the caller's continuation */
	lua_KContext    k_ctx;
	unsigned char   want[];     /* per host: 1 waited for */
};

static int hosts_k(lua_State *L, int status, lua_KContext wi)
{
	struct hosts_wait *w = lua_touserdata(L, (int)wi);
	lua_KFunction k = w->k;
	lua_KContext k_ctx = w->k_ctx;
	lua_remove(L, (int)wi);
	return k(L, status, k_ctx);
}

static int hosts_settled(void *ud)
{
	struct hosts_wait *w = ud;
	if (now_mono_s() >= w->deadline)
		return 1;
	for (size_t i = 0; i < w->cluster->nhosts; i++)
		if (w->want[i] && !host_domains_settled(&w->cluster->hosts[i]))
			return 0;
	return 1;
}

int lvd_await_hosts(lua_State *L, const struct host *h, const unsigned char *want, lua_KContext k_ctx,
		    lua_KFunction k)
{
	struct lctx *ctx = lctx_get(L);
	size_t n = ctx->cluster->nhosts;
	struct hosts_wait *w = lua_newuserdatauv(L, sizeof *w + n + 1, 0);
	w->cluster = ctx->cluster;
	for (size_t i = 0; i < n; i++)
		w->want[i] = h ? &ctx->cluster->hosts[i] == h : want ? want[i] : 1;
	/* The fleet marks a silent host down after its connect timeout; this
	 * bound only covers a host that keeps failing in another way. */
	w->deadline = now_mono_s() + (ctx->opts->connect_timeout_ms > 0 ? ctx->opts->connect_timeout_ms : 10000) / 1000.0 + 1;
	w->k = k;
	w->k_ctx = k_ctx;
	/* w stays on the stack while it waits; hosts_k takes it off again, so
	 * the caller's continuation sees its stack as it left it. */
	return sched_await(L, hosts_settled, NULL, w, lua_gettop(L), hosts_k);
}

/* Runs the function in upvalue 1 once the host given as argument 1 (any
 * host when it is not a host handle) answered. */
static int answered_k(lua_State *L, int status, lua_KContext k)
{
	(void)status;
	(void)k;
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

static int after_answer(lua_State *L)
{
	struct host *h = luaL_testudata(L, 1, HOST_MT) ? lvd_check_host(L, 1) : NULL;
	return lvd_await_hosts(L, h, NULL, 0, answered_k);
}

void lvd_wait_for_answer(lua_State *L, int tbl, const char *const *names)
{
	tbl = lua_absindex(L, tbl);
	for (const char *const *n = names; *n; n++) {
		lua_getfield(L, tbl, *n);
		lua_pushcclosure(L, after_answer, 1);
		lua_setfield(L, tbl, *n);
	}
}

int lvd_raise_unreachable(lua_State *L, const struct host *h, const char *op)
{
	struct vd_err e;
	err_clear(&e);
	err_where(&e, op, h->cfg->name, NULL);
	const char *cause = h->libvirt_error ? h->libvirt_error : h->shell_error ? h->shell_error
		: h->state == HOST_DOWN ? "host is down" : "no answer yet";
	err_set(&e, VD_EUNREACH, "the host's domains are unknown: %s", cause);
	return lvd_raise(L, &e);
}

/* ---- refresh ---------------------------------------------------------- */

struct refresh_wait {
	struct fleet *fleet;
	struct host  *host;
	uint64_t      ticket;   /* fleet_refresh_request */
	double        deadline;
};

static int refresh_ready(void *ud)
{
	struct refresh_wait *w = ud;
	return fleet_refresh_answered(w->fleet, w->host, w->ticket) || now_mono_s() >= w->deadline;
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
	if (!fleet_refresh_answered(w->fleet, w->host, w->ticket)) {
		err_set(&err, VD_ETIMEOUT, "host(s) did not answer within %d ms", ctx->refresh_timeout_ms);
		return lvd_raise(L, &err);
	}
	if (w->host && w->host->state == HOST_DOWN) {
		err_set(&err, VD_EUNREACH, "%s", w->host->libvirt_error ? w->host->libvirt_error :
			w->host->shell_error ? w->host->shell_error : "host is down");
		return lvd_raise(L, &err);
	}
	if (!ret_self)
		return 0;
	if (luaL_testudata(L, 1, DOMAIN_MT))
		lvd_check_domain(L, 1, NULL);   /* raises if it vanished */
	lua_pushvalue(L, 1);
	return 1;
}

int lvd_refresh(lua_State *L, struct host *h, int ret_self)
{
	struct lctx *ctx = lctx_get(L);
	struct refresh_wait *w = lua_newuserdatauv(L, sizeof *w, 0);
	w->fleet = ctx->fleet;
	w->host = h;
	w->ticket = fleet_refresh_request(ctx->fleet, h, 0);
	w->deadline = now_mono_s() + ctx->refresh_timeout_ms / 1000.0;
	lua_KContext k = ((lua_KContext)lua_gettop(L) << 1) | (ret_self ? 1 : 0);
	return sched_await(L, refresh_ready, NULL, w, k, refresh_k);
}

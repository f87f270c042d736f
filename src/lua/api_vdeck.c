/* api_vdeck.c — the vdeck module: cluster-wide lookups and helpers. */
#include "lua/lvdeck.h"
#include "core/strbuf.h"
#include "core/timeutil.h"

#include <fnmatch.h>
#include <regex.h>
#include <string.h>

/* A filter is a glob string (name or tag), or a table { name=, tag=, state=,
 * host= }; vdeck.domains also takes partial = true there. */
struct filter {
	const char *name, *tag, *state, *host;
	int         partial, allow_stale;
};

static void read_filter(lua_State *L, int idx, struct filter *f)
{
	memset(f, 0, sizeof *f);
	if (lua_isnoneornil(L, idx))
		return;
	if (lua_type(L, idx) == LUA_TSTRING) {
		f->name = lua_tostring(L, idx);
		return;
	}
	luaL_checktype(L, idx, LUA_TTABLE);
	static const char *const keys[] = { "name", "tag", "state", "host" };
	const char **slots[] = { &f->name, &f->tag, &f->state, &f->host };
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
		int ok = !strcmp(k, "partial") || !strcmp(k, "allow_stale");
		for (unsigned i = 0; i < 4; i++)
			ok |= !strcmp(k, keys[i]);
		if (!ok)
			luaL_error(L, "filter: unknown field '%s' (name, tag, state, host, partial, allow_stale)", k);
	}
	lua_getfield(L, idx, "partial");
	f->partial = lua_toboolean(L, -1);
	lua_pop(L, 1);
	f->allow_stale = lvd_allow_stale(L, idx);
	for (unsigned i = 0; i < 4; i++) {
		lua_getfield(L, idx, keys[i]);
		*slots[i] = luaL_optstring(L, -1, NULL);
		lua_pop(L, 1);   /* the string stays alive in the filter table */
	}
}

static int host_passes(const struct host *h, const struct filter *f, int name_or_tag)
{
	if (f->name && fnmatch(f->name, h->cfg->name, 0)) {
		if (!name_or_tag || !host_matches(h->cfg, f->name))
			return 0;
	}
	if (f->tag && !host_has_tag(h->cfg, f->tag))
		return 0;
	if (f->host && fnmatch(f->host, h->cfg->name, 0))
		return 0;
	return 1;
}

static int hosts_k(lua_State *L, int status, lua_KContext k)
{
	(void)status;
	(void)k;
	struct lctx *ctx = lctx_get(L);
	struct filter f;
	read_filter(L, 1, &f);
	if (f.state)
		fleet_note_waits(ctx->fleet);   /* states as of now, as h.state reads them */
	lua_newtable(L);
	lua_Integer n = 0;
	for (size_t i = 0; i < ctx->cluster->nhosts; i++) {
		struct host *h = &ctx->cluster->hosts[i];
		if (!host_passes(h, &f, 1))
			continue;
		if (f.state && strcmp(f.state, host_state_name(h->state)))
			continue;
		lvd_push_host(L, i);
		lua_rawseti(L, -2, ++n);
	}
	return 1;
}

/* vdeck.hosts([filter]): a state filter first waits for each host's first
 * answer ("connecting" is not a state to select on). */
static int l_hosts(lua_State *L)
{
	struct filter f;
	lua_settop(L, 1);
	read_filter(L, 1, &f);
	if (f.state)
		return lvd_await_hosts(L, NULL, NULL, 0, hosts_k);
	return hosts_k(L, LUA_OK, 0);
}

static int l_host(lua_State *L)
{
	struct lctx *ctx = lctx_get(L);
	const char *name = luaL_checkstring(L, 1);
	struct host *h = cluster_host(ctx->cluster, name);
	if (!h)
		return lvd_raisef(L, VD_ENOTFOUND, "host", name, NULL, "no such host in the inventory");
	lvd_push_host(L, (size_t)(h - ctx->cluster->hosts));
	return 1;
}

/* Raises an unreachable error naming the hosts in `missing` (a list). */
static int raise_missing(lua_State *L, int missing, const char *what)
{
	struct lctx *ctx = lctx_get(L);
	struct strbuf sb;
	sb_init(&sb);
	lua_Integer n = (lua_Integer)lua_rawlen(L, missing);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, missing, i);
		const struct host *h = cluster_host(ctx->cluster, lua_tostring(L, -1));
		lua_pop(L, 1);
		const char *cause = h->libvirt_error ? h->libvirt_error : h->shell_error ? h->shell_error
			: h->state == HOST_DOWN ? "host is down" : "no answer yet";
		sb_appendf(&sb, "%s%s (%s)", i > 1 ? ", " : "", h->cfg->name, cause);
	}
	struct vd_err e;
	err_clear(&e);
	if (n == 1) {
		lua_rawgeti(L, missing, 1);
		err_where(&e, what, lua_tostring(L, -1), NULL);
		lua_pop(L, 1);
	}
	err_set(&e, VD_EUNREACH, "%s: %s did not answer", n == 1 ? "1 host" : lua_pushfstring(L, "%d hosts", (int)n), sb.buf);
	sb_free(&sb);
	return lvd_raise(L, &e);
}

/* The names of the wanted hosts whose domains are unknown, as a list. */
static void push_missing(lua_State *L, const unsigned char *want)
{
	struct lctx *ctx = lctx_get(L);
	lua_newtable(L);
	lua_Integer n = 0;
	for (size_t i = 0; i < ctx->cluster->nhosts; i++) {
		if (want && !want[i])
			continue;
		if (ctx->cluster->hosts[i].libvirt_polls == 0) {
			lua_pushstring(L, ctx->cluster->hosts[i].cfg->name);
			lua_rawseti(L, -2, ++n);
		}
	}
}

/* Among the wanted hosts (want[i] is 1) those whose domain list libvirt
 * gave too long ago: raises "stale" for the first; with partial, adds
 * them to the list at missing and drops them from want; with allow_stale,
 * keeps them and returns 1. */
static int sort_out_stale(lua_State *L, const struct filter *f, unsigned char *want, int missing)
{
	struct lctx *ctx = lctx_get(L);
	int any = 0;
	for (size_t i = 0; i < ctx->cluster->nhosts; i++) {
		struct host *h = &ctx->cluster->hosts[i];
		if (!want[i] || !h->libvirt_polls || !lvd_host_stale(L, h, LVD_SRC(HOST_SRC_LIBVIRT)))
			continue;
		any = 1;
		if (f->allow_stale)
			continue;
		if (!f->partial)
			return lvd_raise_stale(L, h, LVD_SRC(HOST_SRC_LIBVIRT), "domains");
		want[i] = 0;
		lua_pushstring(L, h->cfg->name);
		lua_rawseti(L, missing, (lua_Integer)lua_rawlen(L, missing) + 1);
	}
	return any && f->allow_stale;
}

/* Hosts a domain filter looks at, as a per-host mask in a userdata. */
static unsigned char *filter_hosts(lua_State *L, const struct filter *f)
{
	struct lctx *ctx = lctx_get(L);
	struct filter hf = { .tag = f->tag, .host = f->host };
	unsigned char *want = lua_newuserdatauv(L, ctx->cluster->nhosts + 1, 0);
	for (size_t i = 0; i < ctx->cluster->nhosts; i++)
		want[i] = (unsigned char)host_passes(&ctx->cluster->hosts[i], &hf, 0);
	return want;
}

/* Stack: 1 filter, 2 host mask (then the wait). */
static int domains_k(lua_State *L, int status, lua_KContext k)
{
	(void)status;
	(void)k;
	struct lctx *ctx = lctx_get(L);
	struct filter f;
	read_filter(L, 1, &f);
	unsigned char *want = lua_touserdata(L, 2);
	push_missing(L, want);
	int missing = lua_gettop(L);
	if (lua_rawlen(L, missing) && !f.partial)
		return raise_missing(L, missing, "domains");
	int stale = sort_out_stale(L, &f, want, missing);
	lua_newtable(L);
	lvd_mark_stale(L, stale);
	lua_Integer n = 0;
	for (size_t i = 0; i < ctx->cluster->nhosts; i++) {
		struct host *h = &ctx->cluster->hosts[i];
		if (!want[i])
			continue;
		for (size_t j = 0; j < h->ndoms; j++) {
			const struct domain *d = &h->doms[j];
			if (f.name && fnmatch(f.name, d->info.name, 0))
				continue;
			if (f.state && strcmp(f.state, dom_state_name(d->state)))
				continue;
			lvd_push_domain(L, i, d);
			lua_rawseti(L, -2, ++n);
		}
	}
	if (!f.partial)
		return 1;
	lua_pushvalue(L, missing);
	return 2;
}

/* vdeck.domains([filter]): waits for the hosts it looks at to answer; a
 * host that did not is an error, or with partial = true a second result
 * listing the hosts left out.  A host whose list is stale is an error too,
 * left out with partial, or kept with allow_stale (the result then has
 * stale = true). */
static int l_domains(lua_State *L)
{
	struct filter f;
	lua_settop(L, 1);
	read_filter(L, 1, &f);
	unsigned char *want = filter_hosts(L, &f);
	return lvd_await_hosts(L, NULL, want, 0, domains_k);
}

/* Stack: 1 name. */
static int domain_k(lua_State *L, int status, lua_KContext k)
{
	(void)status;
	(void)k;
	struct lctx *ctx = lctx_get(L);
	const char *name = luaL_checkstring(L, 1);
	struct host *h = NULL;
	struct domain *d = cluster_find_domain(ctx->cluster, name, &h);
	if (d) {
		lvd_push_domain(L, (size_t)(h - ctx->cluster->hosts), d);
		return 1;
	}
	push_missing(L, NULL);
	if (lua_rawlen(L, -1))
		return raise_missing(L, lua_gettop(L), "domain");
	return lvd_raisef(L, VD_ENOTFOUND, "domain", NULL, name, "no such domain on any host");
}

/* vdeck.domain(name): found at once when a host that answered has it; else
 * waits for the others before saying it does not exist. */
static int l_domain(lua_State *L)
{
	struct lctx *ctx = lctx_get(L);
	const char *name = luaL_checkstring(L, 1);
	lua_settop(L, 1);
	if (cluster_find_domain(ctx->cluster, name, NULL))
		return domain_k(L, LUA_OK, 0);
	return lvd_await_hosts(L, NULL, NULL, 0, domain_k);
}

static int l_refresh(lua_State *L)
{
	return lvd_refresh(L, NULL, 0);
}

static int unfinished_k(lua_State *L, int status, lua_KContext k)
{
	(void)status;
	(void)k;
	struct lctx *ctx = lctx_get(L);
	const struct unfinished_list *l = &ctx->cluster->unfinished;
	lua_createtable(L, (int)l->n, 0);
	for (size_t i = 0; i < l->n; i++) {
		const struct unfinished_op *u = &l->items[i];
		struct unfinished_now now;
		char text[200];
		unfinished_now(ctx->cluster, u, &now);
		unfinished_now_text(&now, u, text, sizeof text);
		lua_createtable(L, 0, 12);
		lvd_set_str(L, "id", u->id);
		lvd_set_str(L, "time", u->time);
		lvd_set_str(L, "user", u->user);
		lvd_set_str(L, "sudo_user", u->sudo_user);
		lvd_set_int(L, "pid", u->pid);
		lua_pushboolean(L, u->running);
		lua_setfield(L, -2, "running");
		lvd_set_str(L, "host", u->host);
		lvd_set_str(L, "domain", u->domain);
		lvd_set_str(L, "operation", u->operation);
		lvd_set_str(L, "args", u->args_json);
		lua_createtable(L, 0, 4);
		lvd_set_str(L, "host_state", now.host_state);
		lvd_set_str(L, "domain_host", now.dom_host);
		lvd_set_str(L, "domain_state", now.dom_state);
		lvd_set_str(L, "text", text);
		lua_setfield(L, -2, "now");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

/* vdeck.unfinished(): the operations the audit trail showed started and
 * never ended when vdeck started, each with where its domain stands now
 * (the model, once every host answered or timed out). */
static int l_unfinished(lua_State *L)
{
	lua_settop(L, 0);
	if (!lctx_get(L)->cluster->unfinished.n)
		return unfinished_k(L, LUA_OK, 0);
	return lvd_await_hosts(L, NULL, NULL, 0, unfinished_k);
}

static int l_json(lua_State *L)
{
	luaL_checkany(L, 1);
	struct strbuf sb;
	sb_init(&sb);
	lvd_to_json(L, 1, &sb, 0);
	lua_pushlstring(L, sb.buf, sb.len);
	sb_free(&sb);
	return 1;
}

/* vdeck.error{ message=, op=, host=, domain=, code= }: scripts raise the same shape. */
static int l_error(lua_State *L)
{
	struct vd_err e;
	err_clear(&e);
	if (lua_type(L, 1) == LUA_TSTRING) {
		err_set(&e, VD_EINVAL, "%s", lua_tostring(L, 1));
		return lvd_raise(L, &e);
	}
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_getfield(L, 1, "op");
	lua_getfield(L, 1, "host");
	lua_getfield(L, 1, "domain");
	err_where(&e, lua_tostring(L, -3), lua_tostring(L, -2), lua_tostring(L, -1));
	lua_getfield(L, 1, "message");
	err_set(&e, VD_EINVAL, "%s", luaL_optstring(L, -1, "failed"));
	lua_getfield(L, 1, "code");
	const char *code = lua_tostring(L, -1);
	for (int c = VD_OK; code && c <= VD_EUSAGE; c++)
		if (!strcmp(code, err_code_name((enum vd_errcode)c)))
			e.code = (enum vd_errcode)c;
	return lvd_raise(L, &e);
}

/* vdeck.clock(): monotonic seconds (with fraction), for measuring how long
 * something took; os.clock is CPU time and os.time whole seconds. */
static int l_clock(lua_State *L)
{
	lua_pushnumber(L, now_mono_s());
	return 1;
}

static const luaL_Reg vdeck_funcs[] = {
	{ "hosts", l_hosts },
	{ "host", l_host },
	{ "domains", l_domains },
	{ "domain", l_domain },
	{ "refresh", l_refresh },
	{ "emit", lvd_emit },
	{ "json", l_json },
	{ "error", l_error },
	{ "runbook", lvd_runbook_decl },
	{ "each", lvd_each },
	{ "unfinished", l_unfinished },
	{ "clock", l_clock },
	{ "overcommit", lvd_overcommit },
	{ NULL, NULL },
};

int luaopen_vdeck(lua_State *L)
{
	struct lctx *ctx = lctx_get(L);
	luaL_newlib(L, vdeck_funcs);
	lua_pushliteral(L, VD_VERSION);
	lua_setfield(L, -2, "version");
	lua_pushboolean(L, ctx->opts->dry_run);
	lua_setfield(L, -2, "dry_run");
	lua_pushboolean(L, ctx->opts->json);
	lua_setfield(L, -2, "json_output");
	return 1;
}

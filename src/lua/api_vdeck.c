/* api_vdeck.c — the vdeck module: cluster-wide lookups and helpers. */
#include "lua/lvdeck.h"
#include "core/strbuf.h"

#include <fnmatch.h>
#include <regex.h>
#include <string.h>

/* A filter is a glob string (name or tag), or a table { name=, tag=, state=, host= }. */
struct filter {
	const char *name, *tag, *state, *host;
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
		int ok = 0;
		for (unsigned i = 0; i < 4; i++)
			ok |= !strcmp(k, keys[i]);
		if (!ok)
			luaL_error(L, "filter: unknown field '%s' (name, tag, state, host)", k);
	}
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

static int l_hosts(lua_State *L)
{
	struct lctx *ctx = lctx_get(L);
	struct filter f;
	read_filter(L, 1, &f);
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

static int l_domains(lua_State *L)
{
	struct lctx *ctx = lctx_get(L);
	struct filter f;
	read_filter(L, 1, &f);
	struct filter hf = { .tag = f.tag, .host = f.host };
	lua_newtable(L);
	lua_Integer n = 0;
	for (size_t i = 0; i < ctx->cluster->nhosts; i++) {
		struct host *h = &ctx->cluster->hosts[i];
		if (!host_passes(h, &hf, 0))
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
	return 1;
}

static int l_domain(lua_State *L)
{
	struct lctx *ctx = lctx_get(L);
	const char *name = luaL_checkstring(L, 1);
	struct host *h = NULL;
	struct domain *d = cluster_find_domain(ctx->cluster, name, &h);
	if (!d)
		return lvd_raisef(L, VD_ENOTFOUND, "domain", NULL, name, "no such domain on any host");
	lvd_push_domain(L, (size_t)(h - ctx->cluster->hosts), d);
	return 1;
}

static int l_refresh(lua_State *L)
{
	return lvd_refresh(L, NULL, 0);
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

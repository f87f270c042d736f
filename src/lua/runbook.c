/* runbook.c — declaring, finding and running runbooks.
 *
 * A runbook file returns vdeck.runbook{ name, description, params, run }.
 * Its declared params are the single source for `--exec FILE k=v` parsing,
 * `--list-runbooks` and the TUI form; they are validated (types, ranges,
 * that hosts and domains exist) before run() is called, and a bad value
 * exits 2 with nothing changed (a VM not found while a host has not
 * answered exits 3: it may be there). */
#include "lua/lvdeck.h"
#include "lua/sched.h"
#include "core/paths.h"
#include "core/units.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUNBOOK_MT "vdeck.runbook"

static const char *const param_types[] = {
	"string", "integer", "number", "boolean", "size", "host", "domain", "hosts", "enum", NULL,
};

static int usage_error(lua_State *L, const char *rb, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int usage_error(lua_State *L, const char *rb, const char *fmt, ...)
{
	struct vd_err e;
	err_clear(&e);
	err_where(&e, rb, NULL, NULL);
	va_list ap;
	va_start(ap, fmt);
	err_setv(&e, VD_EUSAGE, fmt, ap);
	va_end(ap);
	return lvd_raise(L, &e);
}

static void check_param_decl(lua_State *L, int p, lua_Integer i)
{
	if (!lua_istable(L, p))
		luaL_error(L, "runbook: params[%d] must be a table", (int)i);
	lua_getfield(L, p, "name");
	if (lua_type(L, -1) != LUA_TSTRING)
		luaL_error(L, "runbook: params[%d] needs a string 'name'", (int)i);
	lua_getfield(L, p, "type");
	const char *t = luaL_optstring(L, -1, "string");
	int ok = 0;
	for (const char *const *k = param_types; *k; k++)
		ok |= !strcmp(*k, t);
	if (!ok)
		luaL_error(L, "runbook: param '%s' has unknown type '%s'", lua_tostring(L, -2), t);
	if (!strcmp(t, "enum")) {
		lua_getfield(L, p, "values");
		if (!lua_istable(L, -1))
			luaL_error(L, "runbook: enum param '%s' needs 'values'", lua_tostring(L, -3));
		lua_pop(L, 1);
	}
	lua_pop(L, 2);
}

/* vdeck.runbook{...}: validates the declaration and marks it. */
int lvd_runbook_decl(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_getfield(L, 1, "name");
	if (lua_type(L, -1) != LUA_TSTRING)
		return luaL_error(L, "runbook: 'name' (string) is required");
	lua_getfield(L, 1, "run");
	if (!lua_isfunction(L, -1))
		return luaL_error(L, "runbook %s: 'run' (function) is required", lua_tostring(L, -2));
	lua_pop(L, 2);
	lua_getfield(L, 1, "params");
	if (lua_isnil(L, -1)) {
		lua_newtable(L);
		lua_setfield(L, 1, "params");
	} else {
		luaL_checktype(L, -1, LUA_TTABLE);
		lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
		for (lua_Integer i = 1; i <= n; i++) {
			lua_rawgeti(L, -1, i);
			check_param_decl(L, lua_gettop(L), i);
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	luaL_setmetatable(L, RUNBOOK_MT);
	lua_settop(L, 1);
	return 1;
}

int lvd_is_runbook(lua_State *L, int idx)
{
	if (!lua_istable(L, idx) || !lua_getmetatable(L, idx))
		return 0;
	luaL_getmetatable(L, RUNBOOK_MT);
	int same = lua_rawequal(L, -1, -2);
	lua_pop(L, 2);
	return same;
}

static int parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on", NULL };
	static const char *const no[] = { "0", "false", "no", "off", NULL };
	for (const char *const *p = yes; *p; p++)
		if (!strcmp(v, *p))
			return *out = 1, 0;
	for (const char *const *p = no; *p; p++)
		if (!strcmp(v, *p))
			return *out = 0, 0;
	return -1;
}

/* Raises for a domain parameter naming a VM no host has: a usage error
 * when every host answered, else "unreachable" naming the hosts whose
 * domains are unknown (the VM may be on one of them). */
static void unknown_domain(lua_State *L, const char *rb, const char *pname, const char *text)
{
	struct lctx *ctx = lctx_get(L);
	struct strbuf silent;
	sb_init(&silent);
	for (size_t i = 0; i < ctx->cluster->nhosts; i++) {
		const struct host *h = &ctx->cluster->hosts[i];
		if (h->libvirt_polls == 0)
			sb_appendf(&silent, "%s%s", silent.len ? ", " : "", h->cfg->name);
	}
	if (!silent.len) {
		sb_free(&silent);
		usage_error(L, rb, "parameter %s: no domain named '%s' on any host", pname, text);
	}
	struct vd_err e;
	err_clear(&e);
	err_where(&e, rb, NULL, NULL);
	err_set(&e, VD_EUNREACH, "parameter %s: no domain named '%s' on the hosts that answered; did not answer: %s",
		pname, text, silent.buf);
	sb_free(&silent);
	lvd_raise(L, &e);
}

/* Converts text (or a default value already on the stack) to the param's
 * type and pushes it; raises a usage error naming the param on failure. */
static void push_converted(lua_State *L, const char *rb, int decl, const char *pname, const char *type,
			   const char *text)
{
	struct lctx *ctx = lctx_get(L);
	if (!strcmp(type, "integer") || !strcmp(type, "number")) {
		char *end;
		errno = 0;
		double v = strtod(text, &end);
		if (errno || end == text || *end || (!strcmp(type, "integer") && v != (double)(long long)v))
			usage_error(L, rb, "parameter %s: '%s' is not %s", pname, text,
				    !strcmp(type, "integer") ? "an integer" : "a number");
		lua_getfield(L, decl, "min");
		if (!lua_isnil(L, -1) && v < lua_tonumber(L, -1))
			usage_error(L, rb, "parameter %s: %s is below the minimum %s", pname, text, lua_tostring(L, -1));
		lua_getfield(L, decl, "max");
		if (!lua_isnil(L, -1) && v > lua_tonumber(L, -1))
			usage_error(L, rb, "parameter %s: %s is above the maximum %s", pname, text, lua_tostring(L, -1));
		lua_pop(L, 2);
		if (!strcmp(type, "integer"))
			lua_pushinteger(L, (lua_Integer)v);
		else
			lua_pushnumber(L, v);
	} else if (!strcmp(type, "boolean")) {
		int b = 0;
		if (parse_bool(text, &b) < 0)
			usage_error(L, rb, "parameter %s: '%s' is not a boolean (true/false)", pname, text);
		lua_pushboolean(L, b);
	} else if (!strcmp(type, "size")) {
		uint64_t bytes;
		if (size_parse(text, &bytes) < 0)
			usage_error(L, rb, "parameter %s: '%s' is not a size (e.g. 512M, 8G)", pname, text);
		lua_pushinteger(L, (lua_Integer)bytes);
	} else if (!strcmp(type, "host")) {
		if (!cluster_host(ctx->cluster, text))
			usage_error(L, rb, "parameter %s: no host named '%s' in the inventory", pname, text);
		lua_pushstring(L, text);
	} else if (!strcmp(type, "domain")) {
		if (!cluster_find_domain(ctx->cluster, text, NULL))
			unknown_domain(L, rb, pname, text);
		lua_pushstring(L, text);
	} else if (!strcmp(type, "enum")) {
		lua_getfield(L, decl, "values");
		int ok = 0;
		lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
		for (lua_Integer i = 1; i <= n && !ok; i++) {
			lua_rawgeti(L, -1, i);
			ok = lua_isstring(L, -1) && !strcmp(lua_tostring(L, -1), text);
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
		if (!ok)
			usage_error(L, rb, "parameter %s: '%s' is not one of the allowed values", pname, text);
		lua_pushstring(L, text);
	} else {
		lua_pushstring(L, text);
	}
}

/* Builds the params table from k=v arguments and the declarations. */
static void build_params(lua_State *L, int rb, const char *rbname, int argc, char **argv)
{
	lua_getfield(L, rb, "params");
	int decls = lua_gettop(L);
	lua_newtable(L);
	int params = lua_gettop(L);
	lua_Integer n = (lua_Integer)lua_rawlen(L, decls);
	for (int a = 0; a < argc; a++) {
		const char *eq = strchr(argv[a], '=');
		if (!eq || eq == argv[a])
			usage_error(L, rbname, "argument '%s' is not of the form name=value", argv[a]);
		size_t klen = (size_t)(eq - argv[a]);
		int found = 0;
		for (lua_Integer i = 1; i <= n && !found; i++) {
			lua_rawgeti(L, decls, i);
			int decl = lua_gettop(L);
			lua_getfield(L, decl, "name");
			const char *pname = lua_tostring(L, -1);
			if (strlen(pname) == klen && !strncmp(pname, argv[a], klen)) {
				found = 1;
				lua_getfield(L, decl, "type");
				const char *type = luaL_optstring(L, -1, "string");
				push_converted(L, rbname, decl, pname, type, eq + 1);
				lua_setfield(L, params, pname);
				lua_pop(L, 1);
			}
			lua_pop(L, 2);
		}
		if (!found)
			usage_error(L, rbname, "unknown parameter '%.*s' (see --list-runbooks)", (int)klen, argv[a]);
	}
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, decls, i);
		int decl = lua_gettop(L);
		lua_getfield(L, decl, "name");
		const char *pname = lua_tostring(L, -1);
		lua_getfield(L, params, pname);
		if (lua_isnil(L, -1)) {
			lua_getfield(L, decl, "default");
			if (!lua_isnil(L, -1)) {
				lua_setfield(L, params, pname);
			} else {
				lua_pop(L, 1);
				lua_getfield(L, decl, "required");
				if (lua_toboolean(L, -1))
					usage_error(L, rbname, "parameter %s is required", pname);
				lua_pop(L, 1);
			}
		}
		lua_pop(L, 3);
	}
	lua_remove(L, decls);
}

static int ctx_log(lua_State *L)
{
	const char *name = lua_tostring(L, lua_upvalueindex(1));
	int n = lua_gettop(L);
	struct strbuf sb;
	sb_init(&sb);
	sb_appendf(&sb, "[%s]", name);
	for (int i = 1; i <= n; i++)
		sb_appendf(&sb, " %s", luaL_tolstring(L, i, NULL));
	sb_appendc(&sb, '\n');
	lvd_write(L, 1, sb.buf, sb.len);
	sb_free(&sb);
	return 0;
}

/* ctx.progress(fraction [, message]): the Jobs view's bar of a TUI job. */
static int ctx_progress(lua_State *L)
{
	struct lctx *ctx = lctx_get(L);
	double f = luaL_checknumber(L, 1);
	const char *msg = luaL_optstring(L, 2, NULL);
	struct sched_task *t = sched_current(ctx->sched);
	unsigned id = t ? sched_task_job(t) : 0;
	struct job *j = id ? jobs_find(&ctx->cluster->jobs, id) : NULL;
	if (j)
		jobs_progress(&ctx->cluster->jobs, j, f < 0 ? -1 : f > 1 ? 1 : f, msg ? msg : j->message);
	return 0;
}

/* Pushes run, ctx and params of the runbook at rb (3 values), ready for a
 * call; raises a usage error when an argument is bad. */
void lvd_runbook_prepare(lua_State *L, int rb, int argc, char **argv)
{
	rb = lua_absindex(L, rb);
	struct lctx *ctx = lctx_get(L);
	lua_getfield(L, rb, "name");
	const char *name = lua_tostring(L, -1);
	build_params(L, rb, name, argc, argv);
	int params = lua_gettop(L);
	lua_createtable(L, 0, 4);
	lua_pushboolean(L, ctx->opts->dry_run);
	lua_setfield(L, -2, "dry_run");
	lua_pushvalue(L, -3);
	lua_pushcclosure(L, ctx_log, 1);
	lua_setfield(L, -2, "log");
	lua_pushcfunction(L, lvd_emit);
	lua_setfield(L, -2, "emit");
	lua_pushvalue(L, -3);
	lua_setfield(L, -2, "name");
	lua_pushcfunction(L, ctx_progress);
	lua_setfield(L, -2, "progress");
	int c = lua_gettop(L);
	lua_getfield(L, rb, "run");
	lua_pushvalue(L, c);
	lua_pushvalue(L, params);
	/* name params ctx run ctx params -> run ctx params */
	int base = params - 1, top = lua_gettop(L);
	for (int i = 0; i < 3; i++)
		lua_copy(L, top - 2 + i, base + i);
	lua_settop(L, base + 2);
	(void)c;
}

void lvd_runbook_paths(struct strbuf *sb)
{
	char *user = path_xdg("config", "runbooks");
	sb_appendf(sb, "%s:%s/lua/runbooks", user, path_datadir());
	free(user);
}

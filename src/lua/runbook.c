/* runbook.c — declaring, finding and running runbooks.
 *
 * A runbook file returns vdeck.runbook{ name, description, params, run }.
 * Its declared params are the single source for `--exec FILE k=v` parsing,
 * `--list-runbooks` and the TUI form.  A param is declared with the types
 * of operation arguments and parsed by the same code (ops/value.c: strict
 * text, min/max); the declaration itself (bounds, default) is checked when
 * the file is loaded.  Values are validated, and hosts and domains looked
 * up, before run() is called: a bad value exits 2 with nothing changed (a VM
 * not found while a host has not answered exits 3: it may be there). */
#include "lua/lvdeck.h"
#include "lua/sched.h"
#include "lua/vlua.h"
#include "core/paths.h"
#include "core/xalloc.h"
#include "ops/value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RUNBOOK_MT "vdeck.runbook"

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

/* A param declaration read as an operation argument (ops/value.h), so that
 * its values are parsed and bounded by the same code.  The strings are
 * borrowed from DECL_SLOTS values read_decl pushes (min and max converted
 * to text in place): pop them after use. */
#define DECL_SLOTS 5
#define DECL_MAX_VALUES 64

struct param_decl {
	struct op_arg arg;
	const char   *values[DECL_MAX_VALUES + 1];
};

/* Reads the declaration at index decl; NULL, or what is wrong with it
 * (then the stack is left for the caller to raise). */
static const char *read_decl(lua_State *L, int decl, struct param_decl *pd)
{
	memset(pd, 0, sizeof *pd);
	lua_getfield(L, decl, "name");
	lua_getfield(L, decl, "type");
	lua_getfield(L, decl, "min");
	lua_getfield(L, decl, "max");
	lua_getfield(L, decl, "values");
	int top = lua_gettop(L);
	if (lua_type(L, top - 4) != LUA_TSTRING)
		return "needs a string 'name'";
	pd->arg.name = lua_tostring(L, top - 4);
	const char *type = lua_isnil(L, top - 3) ? "string" : lua_tostring(L, top - 3);
	if (!type || op_type_parse(type, &pd->arg.type) < 0)   /* one more value: the caller raises */
		return lua_pushfstring(L, "has an unknown type '%s' (string, integer, number, boolean, size, host, "
				       "domain, enum, list)", type ? type : luaL_typename(L, top - 3));
	for (int k = 0; k < 2; k++) {
		int t = lua_type(L, top - 2 + k);
		if (t == LUA_TNIL)
			continue;
		if (t != LUA_TNUMBER && t != LUA_TSTRING)
			return "has a min or max that is neither a number nor text";
		*(k ? &pd->arg.max : &pd->arg.min) = lua_tostring(L, top - 2 + k);
	}
	if (lua_istable(L, top)) {
		size_t n = lua_rawlen(L, top);
		if (n > DECL_MAX_VALUES)
			return "has too many values";
		for (size_t v = 0; v < n; v++) {
			/* a string kept by the values table on the stack */
			int t = lua_rawgeti(L, top, (lua_Integer)v + 1);
			pd->values[v] = t == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
			lua_pop(L, 1);
			if (!pd->values[v])
				return "has 'values' that are not all strings";
		}
		pd->arg.values = pd->values;
	}
	return NULL;
}

/* Raises unless text parses as b (a bound or the default of param). */
static void check_decl_text(lua_State *L, const char *param, const struct op_arg *b, const char *text)
{
	struct op_value v;
	struct vd_err e;
	err_clear(&e);
	if (op_value_parse(b, text, &v, &e) < 0)
		luaL_error(L, "runbook: param '%s': %s", param, e.msg);
	free(v.s);
}

/* Types, enum values, bounds and the default of one declared param. */
static void check_param_decl(lua_State *L, int p, lua_Integer i)
{
	if (!lua_istable(L, p))
		luaL_error(L, "runbook: params[%d] must be a table", (int)i);
	struct param_decl pd;
	const char *bad = read_decl(L, p, &pd);
	if (bad)
		luaL_error(L, "runbook: param '%s' %s", pd.arg.name ? pd.arg.name : lua_pushfstring(L, "[%d]", (int)i), bad);
	const struct op_arg *a = &pd.arg;
	if (a->type == OT_ENUM && !pd.values[0])
		luaL_error(L, "runbook: enum param '%s' needs 'values'", a->name);
	int numeric = a->type == OT_INTEGER || a->type == OT_NUMBER || a->type == OT_SIZE;
	if ((a->min || a->max) && !numeric)
		luaL_error(L, "runbook: param '%s': min and max apply to integer, number and size", a->name);
	struct op_arg bound = *a;
	bound.min = NULL;
	bound.name = "min";
	if (a->min)
		check_decl_text(L, a->name, &bound, a->min);   /* also: min <= max */
	bound.max = NULL;
	bound.name = "max";
	if (a->max)
		check_decl_text(L, a->name, &bound, a->max);
	lua_getfield(L, p, "default");
	int t = lua_type(L, -1);
	if (t == LUA_TBOOLEAN || t == LUA_TNUMBER || t == LUA_TSTRING) {
		struct op_arg def = *a;
		def.name = "default";
		check_decl_text(L, a->name, &def, t == LUA_TBOOLEAN ? (lua_toboolean(L, -1) ? "true" : "false")
									: lua_tostring(L, -1));
	} else if (t != LUA_TNIL && !(t == LUA_TTABLE && a->type == OT_LIST)) {
		luaL_error(L, "runbook: param '%s': default of the wrong type (%s)", a->name, luaL_typename(L, -1));
	}
	lua_pop(L, DECL_SLOTS + 1);
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

/* Parses text as the param declared at decl (ops/value.c) and pushes the
 * value; raises a usage error naming the param on failure. */
static void push_converted(lua_State *L, const char *rb, int decl, const char *text)
{
	struct lctx *ctx = lctx_get(L);
	struct param_decl pd;
	const char *bad = read_decl(L, decl, &pd);
	if (bad)
		usage_error(L, rb, "parameter %s %s", pd.arg.name ? pd.arg.name : "?", bad);
	struct op_value v;
	struct vd_err e;
	err_clear(&e);
	if (op_value_parse(&pd.arg, text, &v, &e) < 0)
		usage_error(L, rb, "parameter %s", e.msg);
	lua_pop(L, DECL_SLOTS);
	switch (pd.arg.type) {
	case OT_INTEGER:
	case OT_SIZE:
		lua_pushinteger(L, v.i);
		break;
	case OT_NUMBER:
		lua_pushnumber(L, v.n);
		break;
	case OT_BOOLEAN:
		lua_pushboolean(L, v.b);
		break;
	case OT_LIST: {
		lua_newtable(L);
		lua_Integer n = 0;
		for (const char *s = v.s; *s;) {
			size_t len = strcspn(s, " ");
			lua_pushlstring(L, s, len);
			lua_rawseti(L, -2, ++n);
			s += len + (s[len] == ' ');
		}
		break;
	}
	default:
		lua_pushstring(L, v.s);
	}
	free(v.s);
	if (pd.arg.type != OT_HOST && pd.arg.type != OT_DOMAIN)
		return;
	const char *name = lua_tostring(L, -1);
	lua_getfield(L, decl, "name");
	const char *pname = lua_tostring(L, -1);
	if (pd.arg.type == OT_HOST && !cluster_host(ctx->cluster, name))
		usage_error(L, rb, "parameter %s: no host named '%s' in the inventory", pname, name);
	if (pd.arg.type == OT_DOMAIN && !cluster_find_domain(ctx->cluster, name, NULL))
		unknown_domain(L, rb, pname, name);
	lua_pop(L, 1);
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
				push_converted(L, rbname, decl, eq + 1);
				lua_setfield(L, params, pname);
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
			if (lua_type(L, -1) == LUA_TSTRING) {
				/* text defaults ("8G", "a,b") are typed like arguments */
				push_converted(L, rbname, decl, lua_tostring(L, -1));
				lua_setfield(L, params, pname);
				lua_pop(L, 1);
			} else if (!lua_isnil(L, -1)) {
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
	lvd_write(L, LVD_ERR, sb.buf, sb.len);
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

char *vlua_runbook_find(const char *name, struct vd_err *err)
{
	struct strbuf dirs;
	sb_init(&dirs);
	lvd_runbook_paths(&dirs);
	size_t len = strlen(name);
	const char *ext = len > 4 && !strcmp(name + len - 4, ".lua") ? "" : ".lua";
	char *found = NULL, *save = NULL;
	for (char *dir = strtok_r(dirs.buf, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		struct stat st;
		char *p = x_asprintf("%s/%s%s", dir, name, ext);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			found = p;
		else
			free(p);
	}
	sb_free(&dirs);
	if (!found) {
		char *user = path_xdg("config", "runbooks");
		err_set(err, VD_EUSAGE, "no runbook %s in %s or %s/lua/runbooks (a file in the current "
			"directory runs only when named with a slash: ./%s)", name, user, path_datadir(), name);
		free(user);
	}
	return found;
}

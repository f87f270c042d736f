/* vlua.c — the Lua state behind --exec, -e, the REPL and the TUI's runbooks.
 *
 * Scripts are the operator's own code and get Lua's whole standard library;
 * `vdeck` is a global and also what require "vdeck" returns.  Errors are
 * printed once, here, with a traceback only under -v. */
#include "lua/vlua.h"
#include "lua/lvdeck.h"
#include "lua/vlua_priv.h"
#include "core/log.h"
#include "core/paths.h"
#include "core/xalloc.h"

#include <ctype.h>
#include <dirent.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static lua_State *volatile interrupt_target;

static int traceback(lua_State *L)
{
	if (log_get_level() >= LOG_DEBUG && lua_type(L, 1) == LUA_TSTRING)
		luaL_traceback(L, L, lua_tostring(L, 1), 1);
	return 1;   /* keep error tables intact */
}

static void set_package_path(lua_State *L)
{
	lua_getglobal(L, "package");
	lua_getfield(L, -1, "path");
	lua_pushfstring(L, "%s/lua/?.lua;%s/lua/?/init.lua;%s", path_datadir(), path_datadir(), lua_tostring(L, -1));
	lua_setfield(L, -3, "path");
	lua_pop(L, 2);
}

struct vlua *vlua_new(struct fleet *fleet, const struct vd_options *opts, struct vd_err *err)
{
	struct vlua *vl = x_calloc(1, sizeof *vl);
	vl->L = luaL_newstate();
	if (!vl->L) {
		free(vl);
		err_set(err, VD_EIO, "cannot create a Lua state");
		return NULL;
	}
	vl->ctx.fleet = fleet;
	vl->ctx.cluster = fleet_cluster(fleet);
	vl->ctx.opts = opts;
	vl->ctx.refresh_timeout_ms = (opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 10000) + 5000;
	lua_State *L = vl->L;
	luaL_openlibs(L);
	lctx_set(L, &vl->ctx);
	lua_register(L, "print", lvd_print);
	lvd_error_register(L);
	lvd_host_register(L);
	lvd_domain_register(L);
	luaL_newmetatable(L, "vdeck.runbook");
	lua_pop(L, 1);
	luaL_requiref(L, "vdeck", luaopen_vdeck, 1);
	lua_pop(L, 1);
	lvd_metrics_register(L);
	lvd_devices_register(L);
	lvd_ops_register(L);
	set_package_path(L);
	interrupt_target = L;
	return vl;
}

lua_State *vlua_state(struct vlua *vl)
{
	return vl->L;
}

void vlua_free(struct vlua **pvl)
{
	if (!*pvl)
		return;
	if (interrupt_target == (*pvl)->L)
		interrupt_target = NULL;
	lua_close((*pvl)->L);
	vlua_jobs_free(*pvl);
	x_free(pvl);
}

static int report(lua_State *L, int status)
{
	if (status == LUA_OK)
		return EXIT_OK;
	int code = lvd_error_exit(L, -1);
	if (lua_istable(L, -1)) {
		lua_getfield(L, -1, "message");
		if (lua_isstring(L, -1) && !strcmp(lua_tostring(L, -1), "interrupted"))
			code = EXIT_INTERRUPTED;
		lua_pop(L, 1);
	}
	fprintf(stderr, "vdeck: %s\n", lvd_error_string(L, -1));
	lua_settop(L, 0);
	return code;
}

/* Emits what a script or runbook returned, so `return {...}` is output. */
static void emit_results(lua_State *L, int base)
{
	for (int i = base + 1; i <= lua_gettop(L); i++) {
		if (lua_isnil(L, i) || (lua_isboolean(L, i) && lua_toboolean(L, i)))
			continue;
		lua_pushcfunction(L, lvd_emit);
		lua_pushvalue(L, i);
		lua_call(L, 1, 0);
	}
}

struct run_args {
	const char *path;
	int         argc;
	char      **argv;
};

/* Protected body of vlua_run_file: load, run, and run a returned runbook. */
static int run_file_body(lua_State *L)
{
	struct run_args *ra = lua_touserdata(L, 1);
	lua_settop(L, 0);
	if (luaL_loadfile(L, ra->path) != LUA_OK) {
		struct vd_err e;
		err_clear(&e);
		err_set(&e, VD_EUSAGE, "%s", lua_tostring(L, -1));
		return lvd_raise(L, &e);
	}
	/* arg table and ... carry the raw k=v words, as lua(1) does. */
	lua_createtable(L, ra->argc, 1);
	lua_pushstring(L, ra->path);
	lua_rawseti(L, -2, 0);
	for (int i = 0; i < ra->argc; i++) {
		lua_pushstring(L, ra->argv[i]);
		lua_rawseti(L, -2, i + 1);
	}
	lua_setglobal(L, "arg");
	for (int i = 0; i < ra->argc; i++)
		lua_pushstring(L, ra->argv[i]);
	lua_call(L, ra->argc, LUA_MULTRET);
	if (lua_gettop(L) >= 1 && lvd_is_runbook(L, 1)) {
		int nres = lvd_runbook_run(L, 1, ra->argc, ra->argv);
		emit_results(L, lua_gettop(L) - nres);
	} else {
		emit_results(L, 0);
	}
	return 0;
}

int vlua_run_file(struct vlua *vl, const char *path, int argc, char **argv)
{
	lua_State *L = vl->L;
	struct run_args ra = { path, argc, argv };
	lua_pushcfunction(L, traceback);
	lua_pushcfunction(L, run_file_body);
	lua_pushlightuserdata(L, &ra);
	int status = lua_pcall(L, 1, 0, 1);
	int rc = report(L, status);
	lua_settop(L, 0);
	return rc;
}

/* From a signal handler: the running script stops at its next hook with an
 * "interrupted" error (lua_sethook is async-signal-safe, as lua.c relies on). */

static void interrupt_hook(lua_State *L, lua_Debug *ar)
{
	(void)ar;
	lua_sethook(L, NULL, 0, 0);
	struct vd_err e;
	err_clear(&e);
	err_set(&e, VD_EINVAL, "interrupted");
	lvd_raise(L, &e);
}

void vlua_interrupt(void)
{
	if (interrupt_target)
		lua_sethook(interrupt_target, interrupt_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}


int vlua_run_string(struct vlua *vl, const char *code, const char *name)
{
	lua_State *L = vl->L;
	lua_pushcfunction(L, traceback);
	int status = luaL_loadbuffer(L, code, strlen(code), name);
	if (status != LUA_OK) {
		fprintf(stderr, "vdeck: %s\n", lua_tostring(L, -1));
		lua_settop(L, 0);
		return EXIT_USAGE;
	}
	status = lua_pcall(L, 0, LUA_MULTRET, 1);
	if (status == LUA_OK) {
		int n = lua_gettop(L);
		for (int i = 2; i <= n; i++) {
			if (lua_isnil(L, i))
				continue;
			lua_pushcfunction(L, lvd_emit);
			lua_pushvalue(L, i);
			if (lua_pcall(L, 1, 0, 0) != LUA_OK)
				status = LUA_ERRRUN;
		}
	}
	int rc = report(L, status);
	lua_settop(L, 0);
	return rc;
}

/* ---- REPL support ---------------------------------------------------- */

static int incomplete(lua_State *L, int status)
{
	if (status != LUA_ERRSYNTAX)
		return 0;
	size_t len;
	const char *msg = lua_tolstring(L, -1, &len);
	static const char eof[] = "<eof>";
	return len >= sizeof eof - 1 && !strcmp(msg + len - (sizeof eof - 1), eof);
}

static void describe(lua_State *L, int idx, struct strbuf *out)
{
	if (lua_type(L, idx) == LUA_TTABLE && luaL_getmetafield(L, idx, "__tostring") == LUA_TNIL) {
		lvd_to_json(L, idx, out, 0);
	} else {
		if (lua_type(L, idx) == LUA_TTABLE)
			lua_pop(L, 1);
		sb_append(out, luaL_tolstring(L, idx, NULL));
		lua_pop(L, 1);
	}
}

int vlua_repl_eval(struct vlua *vl, const char *chunk, struct strbuf *out)
{
	lua_State *L = vl->L;
	lua_settop(L, 0);
	lua_pushcfunction(L, traceback);
	/* Try "return <chunk>" first so that expressions print their value. */
	char *ret = x_asprintf("return %s;", chunk);
	int status = luaL_loadbuffer(L, ret, strlen(ret), "=repl");
	free(ret);
	if (status != LUA_OK) {
		lua_pop(L, 1);
		status = luaL_loadbuffer(L, chunk, strlen(chunk), "=repl");
		if (incomplete(L, status)) {
			lua_settop(L, 0);
			return 1;
		}
	}
	if (status == LUA_OK)
		status = lua_pcall(L, 0, LUA_MULTRET, 1);
	if (status != LUA_OK) {
		sb_appendf(out, "error: %s\n", lvd_error_string(L, -1));
	} else {
		int n = lua_gettop(L);
		for (int i = 2; i <= n; i++) {
			describe(L, i, out);
			sb_append(out, i < n ? "\t" : "\n");
		}
	}
	lua_settop(L, 0);
	return 0;
}

static void add_completion(char ***list, size_t *n, size_t *cap, const char *prefix, const char *word)
{
	x_grow(list, cap, *n + 2, sizeof **list);
	(*list)[(*n)++] = x_asprintf("%s%s", prefix, word);
	(*list)[*n] = NULL;
}

/* Completes "a.b.c" (fields) and "x:m" (methods of a handle). */
char **vlua_complete(struct vlua *vl, const char *line)
{
	lua_State *L = vl->L;
	size_t n = 0, cap = 0;
	char **list = NULL;
	const char *start = line + strlen(line);
	while (start > line && (isalnum((unsigned char)start[-1]) || start[-1] == '_' || start[-1] == '.' || start[-1] == ':'))
		start--;
	const char *sep = NULL;
	for (const char *p = start; *p; p++)
		if (*p == '.' || *p == ':')
			sep = p;
	lua_settop(L, 0);
	char *head = sep ? x_strndup(start, (size_t)(sep - start)) : NULL;
	const char *partial = sep ? sep + 1 : start;
	char *prefix = x_strndup(start, (size_t)(partial - start));
	if (!head) {
		lua_pushglobaltable(L);
	} else {
		/* Evaluate the head expression (only names and dots: no calls). */
		char *expr = x_asprintf("return %s", head);
		for (char *p = expr; *p; p++)
			if (*p == ':')
				*p = '.';
		if (luaL_loadstring(L, expr) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK)
			lua_pushnil(L);
		free(expr);
		if (lua_type(L, -1) == LUA_TUSERDATA) {
			luaL_getmetafield(L, -1, "methods");
			lua_remove(L, -2);
		} else if (lua_type(L, -1) != LUA_TTABLE) {
			lua_pop(L, 1);
			lua_pushnil(L);
		}
	}
	if (lua_istable(L, -1)) {
		int is_method = sep && *sep == ':';
		lua_pushnil(L);
		while (lua_next(L, -2)) {
			if (lua_type(L, -2) == LUA_TSTRING) {
				const char *k = lua_tostring(L, -2);
				if (!strncmp(k, partial, strlen(partial)) && (!is_method || lua_isfunction(L, -1)))
					add_completion(&list, &n, &cap, prefix, k);
			}
			lua_pop(L, 1);
		}
	}
	lua_settop(L, 0);
	free(head);
	free(prefix);
	if (!list) {
		list = x_calloc(1, sizeof *list);
	}
	return list;
}

/* ---- runbook listing --------------------------------------------------- */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_dir(lua_State *L, const char *dir, int json, int *count)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len > 4 && !strcmp(e->d_name + len - 4, ".lua")) {
			x_grow(&names, &cap, n + 1, sizeof *names);
			names[n++] = x_asprintf("%s/%s", dir, e->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n; i++) {
		lua_settop(L, 0);
		if (luaL_loadfile(L, names[i]) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK || !lvd_is_runbook(L, 1)) {
			log_warn("%s: not a runbook (%s)", names[i], lua_isstring(L, -1) ? lua_tostring(L, -1) : "no vdeck.runbook returned");
			free(names[i]);
			continue;
		}
		lua_getfield(L, 1, "name");
		lua_getfield(L, 1, "description");
		lua_getfield(L, 1, "params");
		struct strbuf sb;
		sb_init(&sb);
		if (json) {
			lua_createtable(L, 0, 4);
			lua_pushvalue(L, 2);
			lua_setfield(L, -2, "name");
			lua_pushvalue(L, 3);
			lua_setfield(L, -2, "description");
			lua_pushstring(L, names[i]);
			lua_setfield(L, -2, "path");
			lua_pushvalue(L, 4);
			lua_setfield(L, -2, "params");
			lvd_to_json(L, -1, &sb, 0);
			printf("%s\n", sb.buf);
		} else {
			lua_Integer np = (lua_Integer)lua_rawlen(L, 4);
			for (lua_Integer p = 1; p <= np; p++) {
				lua_rawgeti(L, 4, p);
				lua_getfield(L, -1, "name");
				lua_getfield(L, -2, "type");
				lua_getfield(L, -3, "required");
				lua_getfield(L, -4, "default");
				sb_appendf(&sb, "%s%s%s:%s", p > 1 ? " " : "", lua_toboolean(L, -2) ? "" : "[",
					   lua_tostring(L, -4), lua_tostring(L, -3) ? lua_tostring(L, -3) : "string");
				if (!lua_isnil(L, -1))
					sb_appendf(&sb, "=%s", luaL_tolstring(L, -1, NULL)), lua_pop(L, 1);
				if (!lua_toboolean(L, -2))
					sb_appendc(&sb, ']');
				lua_pop(L, 5);
			}
			printf("%-16s %s\n%16s %s\n", lua_tostring(L, 2), lua_tostring(L, 3) ? lua_tostring(L, 3) : "",
			       "", sb.len ? sb.buf : "(no parameters)");
		}
		sb_free(&sb);
		(*count)++;
		free(names[i]);
	}
	free(names);
}

int vlua_list_runbooks(struct vlua *vl, int json)
{
	struct strbuf paths;
	sb_init(&paths);
	lvd_runbook_paths(&paths);
	int count = 0;
	char *save = NULL;
	for (char *dir = strtok_r(paths.buf, ":", &save); dir; dir = strtok_r(NULL, ":", &save))
		list_dir(vl->L, dir, json, &count);
	sb_free(&paths);
	lua_settop(vl->L, 0);
	if (!count) {
		fprintf(stderr, "vdeck: no runbooks found\n");
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

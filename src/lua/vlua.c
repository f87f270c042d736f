/* vlua.c — the Lua state behind --exec, -e, the REPL and the TUI's runbooks.
 *
 * Scripts are the operator's own code and get Lua's whole standard library;
 * `vdeck` is a global and also what require "vdeck" returns.  Every chunk
 * runs as a task of the state's scheduler (sched.h), driven here by
 * sched_run until it ended, so a script waits for hosts exactly as a
 * console job does.  Errors are printed once, here, with a traceback only
 * under -v. */
#include "lua/vlua.h"
#include "lua/lvdeck.h"
#include "lua/vlua_priv.h"
#include "lua/sched.h"
#include "lua/safe_load.h"
#include "core/log.h"
#include "core/paths.h"
#include "core/safe_text.h"
#include "core/xalloc.h"

#include <ctype.h>
#include <dirent.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* package[field] = first, then the absolute entries of its current value.
 * Lua's defaults begin with "./?.lua" and "./?.so": require must not let
 * the directory vdeck happens to start in supply code (or a shared object). */
static void set_search_path(lua_State *L, const char *field, const char *first)
{
	struct strbuf sb;
	sb_init(&sb);
	if (first)
		sb_append(&sb, first);
	lua_getfield(L, -1, field);
	for (const char *p = lua_tostring(L, -1); p && *p; ) {
		size_t n = strcspn(p, ";");
		if (n && p[0] == '/') {
			if (sb.len)
				sb_appendc(&sb, ';');
			sb_append_n(&sb, p, n);
		}
		p += n + (p[n] == ';');
	}
	lua_pop(L, 1);
	lua_pushstring(L, sb.buf);
	lua_setfield(L, -2, field);
	sb_free(&sb);
}

static void set_package_path(lua_State *L)
{
	char *first = x_asprintf("%s/lua/?.lua;%s/lua/?/init.lua", path_datadir(), path_datadir());
	lua_getglobal(L, "package");
	set_search_path(L, "path", first);
	set_search_path(L, "cpath", NULL);
	lua_pop(L, 1);
	free(first);
}

/* os.exit for scripts ends the run, not the process: the hosts' worker
 * threads may be inside libssh2 or OpenSSL, where the C library's exit
 * handlers would free locks under them (a SIGSEGV in RAND_bytes), and
 * leaving at once would also leave temporary files behind and a running
 * operation unrecorded.  Every task is stopped (sched_exit), the face
 * that ran the script returns the status, and main exits with it after
 * its cleanup.  A console job cannot end the console. */
static int script_exit(lua_State *L)
{
	int status;
	if (lua_isboolean(L, 1))
		status = lua_toboolean(L, 1) ? EXIT_SUCCESS : EXIT_FAILURE;
	else
		status = (int)luaL_optinteger(L, 1, EXIT_SUCCESS);
	struct sched *s = sched_of(L);
	struct sched_task *t = sched_current(s);
	if (t && sched_task_job(t))
		return lvd_raisef(L, VD_EUNSUPPORTED, NULL, NULL, NULL,
				  "os.exit would end the console: a runbook ends with return or error()");
	sched_exit(s, status & 0xff);
	return lvd_raisef(L, VD_EINVAL, NULL, NULL, NULL, "exit");
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
	lua_getglobal(L, "os");
	lua_pushcfunction(L, script_exit);
	lua_setfield(L, -2, "exit");
	lua_pop(L, 1);
	vl->ctx.sched = sched_new(L, fleet);
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
	lvd_storage_register(L);
	lvd_sriov_register(L);
	lvd_switch_register(L);
	lvd_ops_register(L);
	lvd_plan_register(L);
	set_package_path(L);
	return vl;
}

void vlua_free(struct vlua **pvl)
{
	if (!*pvl)
		return;
	/* Tasks first: their coroutines' userdata are then collected by close. */
	sched_free(&(*pvl)->ctx.sched);
	lua_close((*pvl)->L);
	vlua_jobs_free(*pvl);
	x_free(pvl);
}

/* How a chunk's task ended, for the face that runs it. */
struct chunk_end {
	int            ended, rc;
	int            skip_true;   /* scripts and runbooks: `return true` is no output */
	struct strbuf *repl;        /* the REPL: results described here, not emitted */
};

static int report(lua_State *co, int status)
{
	if (status == LUA_OK)
		return EXIT_OK;
	int code = lvd_error_exit(co, -1);
	if (lua_istable(co, -1)) {
		lua_getfield(co, -1, "message");
		if (lua_isstring(co, -1) && !strcmp(lua_tostring(co, -1), "interrupted"))
			code = EXIT_INTERRUPTED;
		lua_pop(co, 1);
	}
	/* The message may quote a host (a libvirt error, a VM name). */
	fputs("vdeck: ", stderr);
	safe_text_fputs(lvd_error_string(co, -1), stderr);
	fputc('\n', stderr);
	if (log_get_level() >= LOG_DEBUG) {
		luaL_traceback(co, co, NULL, 0);
		safe_text_fputs(lua_tostring(co, -1), stderr);
		fputc('\n', stderr);
	}
	return code;
}

static void describe(lua_State *L, int idx, struct strbuf *out);

/* Emits what a chunk returned, so `return {...}` is output. */
static void chunk_ended(void *ud, lua_State *co, int status, int nres)
{
	struct chunk_end *e = ud;
	e->ended = 1;
	int exit_status = sched_exit_status(sched_of(co));
	if (exit_status >= 0) {   /* os.exit: its status, and nothing to report */
		e->rc = exit_status;
		return;
	}
	if (status != LUA_OK) {
		if (e->repl) {
			sb_appendf(e->repl, "error: %s\n", lvd_error_string(co, -1));
			e->rc = EXIT_FAILED;
		} else {
			e->rc = report(co, status);
		}
		return;
	}
	int top = lua_gettop(co);
	for (int i = top - nres + 1; i <= top; i++) {
		if (e->repl) {
			describe(co, i, e->repl);
			sb_append(e->repl, i < top ? "\t" : "\n");
			continue;
		}
		if (lua_isnil(co, i) || (e->skip_true && lua_isboolean(co, i) && lua_toboolean(co, i)))
			continue;
		lua_pushcfunction(co, lvd_emit);
		lua_pushvalue(co, i);
		if (lua_pcall(co, 1, 0, 0) != LUA_OK) {
			e->rc = report(co, LUA_ERRRUN);
			lua_pop(co, 1);
		}
	}
}

/* Runs the function and nargs arguments on top of L as a task, to its end. */
static void run_task(struct vlua *vl, int nargs, struct chunk_end *e)
{
	struct sched_spawn_opts o = { .on_end = chunk_ended, .end_ud = e };
	sched_spawn(vl->ctx.sched, vl->L, nargs, &o);
	sched_run(vl->ctx.sched, &e->ended);
	lua_settop(vl->L, 0);
}

/* rt.load(path): the script's chunk, or a usage error. */
static int rt_load(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	if (safe_loadfile(L, "--exec", path) != LUA_OK) {
		struct vd_err e;
		err_clear(&e);
		err_set(&e, VD_EUSAGE, "%s", lua_tostring(L, -1));
		return lvd_raise(L, &e);
	}
	return 1;
}

/* rt.args(path, ...): the arg table carries the raw k=v words, as lua(1)'s. */
static int rt_args(lua_State *L)
{
	int n = lua_gettop(L);
	lua_createtable(L, n - 1, 1);
	for (int i = 1; i <= n; i++) {
		lua_pushvalue(L, i);
		lua_rawseti(L, -2, i - 1);
	}
	lua_setglobal(L, "arg");
	return 0;
}

static int rt_is_runbook(lua_State *L)
{
	lua_pushboolean(L, lvd_is_runbook(L, 1));
	return 1;
}

static int settled_k(lua_State *L, int status, lua_KContext k)
{
	(void)L;
	(void)status;
	(void)k;
	return 0;
}

/* 1 when one of the k=v words at stack slots first..last gives the
 * parameter pname a VM that no host that answered has (yet). */
static int names_unseen_domain(lua_State *L, const char *pname, int first, int last)
{
	struct lctx *ctx = lctx_get(L);
	size_t len = strlen(pname);
	for (int i = first; i <= last; i++) {
		const char *word = lua_tostring(L, i);
		if (word && !strncmp(word, pname, len) && word[len] == '=' &&
		    !cluster_find_domain(ctx->cluster, word + len + 1, NULL))
			return 1;
	}
	return 0;
}

/* rt.settle(rb, k=v...): a domain parameter is resolved against every host,
 * so when one is given a VM that no host that answered has, it first waits
 * for each host's first answer (or its timeout).  Otherwise the runbook
 * starts at once: it does not wait on hosts it may never touch. */
static int rt_settle(lua_State *L)
{
	int nargs = lua_gettop(L);
	lua_getfield(L, 1, "params");
	int decls = lua_gettop(L), wait = 0;
	lua_Integer n = lua_istable(L, decls) ? (lua_Integer)lua_rawlen(L, decls) : 0;
	for (lua_Integer i = 1; i <= n && !wait; i++) {
		lua_rawgeti(L, decls, i);
		lua_getfield(L, -1, "type");
		lua_getfield(L, -2, "name");
		if (lua_isstring(L, -2) && !strcmp(lua_tostring(L, -2), "domain") && lua_isstring(L, -1))
			wait = names_unseen_domain(L, lua_tostring(L, -1), 2, nargs);
		lua_pop(L, 3);
	}
	lua_settop(L, nargs);
	return wait ? lvd_await_hosts(L, NULL, NULL, 0, settled_k) : 0;
}

/* rt.prepare(rb, k=v...): run, ctx, params — or a usage error. */
static int rt_prepare(lua_State *L)
{
	int argc = lua_gettop(L) - 1;
	/* The words stay on the stack; the array is collected even if this raises. */
	char **argv = lua_newuserdatauv(L, ((size_t)argc + 1) * sizeof *argv, 0);
	for (int i = 0; i < argc; i++)
		argv[i] = (char *)luaL_checkstring(L, i + 2);
	argv[argc] = NULL;
	int base = lua_gettop(L);
	lvd_runbook_prepare(L, 1, argc, argv);
	return lua_gettop(L) - base;
}

/* The body of --exec: load, run, and run a returned runbook. */
static const char exec_body[] =
	"local rt, path = ...\n"
	"local chunk = rt.load(path)\n"
	"rt.args(path, select(3, ...))\n"
	"local r = table.pack(chunk(select(3, ...)))\n"
	"if r.n >= 1 and rt.is_runbook(r[1]) then\n"
	"  rt.settle(r[1], select(3, ...))\n"
	"  local run, ctx, params = rt.prepare(r[1], select(3, ...))\n"
	"  return run(ctx, params)\n"
	"end\n"
	"return table.unpack(r, 1, r.n)\n";

int vlua_run_file(struct vlua *vl, const char *path, int argc, char **argv)
{
	lua_State *L = vl->L;
	lua_settop(L, 0);
	if (luaL_loadbuffer(L, exec_body, sizeof exec_body - 1, "=exec") != LUA_OK) {
		fprintf(stderr, "vdeck: %s\n", lua_tostring(L, -1));
		lua_settop(L, 0);
		return EXIT_FAILED;
	}
	static const luaL_Reg rt[] = {
		{ "load", rt_load }, { "args", rt_args }, { "is_runbook", rt_is_runbook },
		{ "settle", rt_settle }, { "prepare", rt_prepare }, { NULL, NULL },
	};
	luaL_newlib(L, rt);
	lua_pushstring(L, path);
	for (int i = 0; i < argc; i++)
		lua_pushstring(L, argv[i]);
	struct chunk_end e = { .skip_true = 1 };
	run_task(vl, argc + 2, &e);
	return e.rc;
}

static int settle_body(lua_State *L)
{
	return lvd_await_hosts(L, NULL, NULL, 0, settled_k);
}

void vlua_settle(struct vlua *vl)
{
	lua_settop(vl->L, 0);
	lua_pushcfunction(vl->L, settle_body);
	struct chunk_end e = { 0 };
	run_task(vl, 0, &e);
}

/* From a signal handler: the running script stops at its next instruction
 * count, and a script waiting for a host is cancelled. */
void vlua_interrupt(void)
{
	sched_interrupt();
}

int vlua_exit_status(const struct vlua *vl)
{
	return sched_exit_status(vl->ctx.sched);
}

int vlua_run_string(struct vlua *vl, const char *code, const char *name)
{
	lua_State *L = vl->L;
	lua_settop(L, 0);
	if (luaL_loadbuffer(L, code, strlen(code), name) != LUA_OK) {
		fprintf(stderr, "vdeck: %s\n", lua_tostring(L, -1));
		lua_settop(L, 0);
		return EXIT_USAGE;
	}
	struct chunk_end e = { 0 };
	run_task(vl, 0, &e);
	return e.rc;
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
	if (status != LUA_OK) {
		sb_appendf(out, "error: %s\n", lvd_error_string(L, -1));
		lua_settop(L, 0);
		return 0;
	}
	struct chunk_end e = { .repl = out };
	run_task(vl, 0, &e);
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
		if (safe_loadfile(L, "runbook", names[i]) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK || !lvd_is_runbook(L, 1)) {
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

/* api_ops.c — operation methods generated from the operation table.
 *
 * For every entry of ops/optable.c one C closure is registered as a method
 * of the domain (or host) handle: d:set_vcpus(4, {live=true}).  Positional
 * arguments come first in table order, then an options table; each value is
 * converted by the argument's declared type, so a wrong type or an unknown
 * option raises before anything is validated or sent.  The result is a
 * table { ok, operation, host, domain, dry_run, call, message, notes,
 * created }, or a task for long operations given async=true.  A table given
 * for an option the operation does not have, say iscsi = { portal=, iqn= },
 * sets the arguments iscsi_portal and iscsi_iqn.  Host operations (OP_HOST)
 * are methods of host handles and have no domain. */
#include "lua/lvdeck.h"
#include "lua/ops_lua.h"
#include "lua/sched.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENV_KEY "vdeck.ops.env"

struct env_box {
	struct op_env env;
	int           ready;
};

static int env_gc(lua_State *L)
{
	struct env_box *b = lua_touserdata(L, 1);
	if (b->ready)
		op_env_free(&b->env);
	b->ready = 0;
	return 0;
}

struct op_env *lvd_ops_env(lua_State *L)
{
	lua_getfield(L, LUA_REGISTRYINDEX, ENV_KEY);
	struct env_box *b = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return &b->env;
}

static int arg_error(lua_State *L, const struct op_def *def, const char *fmt, const char *name, const char *what)
{
	return lvd_raisef(L, VD_EINVAL, def->name, NULL, NULL, fmt, name, what);
}

/* Converts the Lua value at idx for argument a; OT_CALLBACK leaves the
 * function's stack index in *fn. */
static void convert(lua_State *L, const struct op_def *def, const struct op_arg *a, int idx,
		    struct op_value *v, int *fn)
{
	memset(v, 0, sizeof *v);
	int t = lua_type(L, idx);
	struct vd_err e;
	err_clear(&e);
	switch (a->type) {
	case OT_INTEGER:
	case OT_NUMBER:
	case OT_SIZE:
		/* text ("8G", "2.5") by the one parser; numbers within the same bounds */
		if (t == LUA_TSTRING) {
			if (op_value_parse(a, lua_tostring(L, idx), v, &e) < 0) {
				err_where(&e, def->name, NULL, NULL);
				lvd_raise(L, &e);
			}
			return;
		}
		if (t != LUA_TNUMBER)
			lvd_raisef(L, VD_EINVAL, def->name, NULL, NULL, "argument '%s' must be %s, not a %s", a->name,
				   a->type == OT_INTEGER ? "an integer" : a->type == OT_NUMBER ? "a number" :
				   "a size (bytes or \"8G\")", luaL_typename(L, idx));
		if (a->type == OT_NUMBER) {
			v->n = lua_tonumber(L, idx);
		} else {
			int whole = 0;
			v->i = lua_tointegerx(L, idx, &whole);
			if (!whole)
				arg_error(L, def, "argument '%s' must be a whole number, not %s", a->name, lua_tostring(L, idx));
		}
		if (op_value_check(a, v, &e) < 0) {
			err_where(&e, def->name, NULL, NULL);
			lvd_raise(L, &e);
		}
		break;
	case OT_BOOLEAN:
		if (t != LUA_TBOOLEAN)
			arg_error(L, def, "argument '%s' must be a boolean, not a %s", a->name, luaL_typename(L, idx));
		v->b = lua_toboolean(L, idx);
		break;
	case OT_HOST:
		if (t == LUA_TUSERDATA && luaL_testudata(L, idx, HOST_MT)) {
			v->s = x_strdup(lvd_check_host(L, idx)->cfg->name);
		} else if (t == LUA_TSTRING) {
			v->s = x_strdup(lua_tostring(L, idx));
		} else {
			arg_error(L, def, "argument '%s' must be a host name or handle, not a %s", a->name, luaL_typename(L, idx));
		}
		break;
	case OT_LIST:
		if (t == LUA_TTABLE) {
			struct strbuf sb;
			sb_init(&sb);
			lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
			for (lua_Integer k = 1; k <= n; k++) {
				lua_rawgeti(L, idx, k);
				const char *item = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
				if (!item || !*item || strpbrk(item, " ,\t\n")) {
					sb_free(&sb);
					arg_error(L, def, "argument '%s' must be a list of names, item %s is not", a->name,
						  lua_pushfstring(L, "%d", (int)k));
				}
				if (sb.len)
					sb_appendc(&sb, ' ');
				sb_append(&sb, item);
				lua_pop(L, 1);
			}
			v->s = sb_detach(&sb);
			sb_free(&sb);
		} else if (t == LUA_TSTRING) {
			if (op_value_parse(a, lua_tostring(L, idx), v, &e) < 0) {
				err_where(&e, def->name, NULL, NULL);
				lvd_raise(L, &e);
			}
			return;
		} else {
			arg_error(L, def, "argument '%s' must be a list of names, not a %s", a->name, luaL_typename(L, idx));
		}
		break;
	case OT_CALLBACK:
		if (t != LUA_TFUNCTION)
			arg_error(L, def, "argument '%s' must be a function, not a %s", a->name, luaL_typename(L, idx));
		*fn = lua_absindex(L, idx);
		return;
	case OT_ENUM:
	case OT_STRING:
	case OT_DOMAIN:
		if (t != LUA_TSTRING && t != LUA_TNUMBER)
			arg_error(L, def, "argument '%s' must be a string, not a %s", a->name, luaL_typename(L, idx));
		if (a->type == OT_ENUM) {
			if (op_value_parse(a, lua_tostring(L, idx), v, &e) < 0) {
				err_where(&e, def->name, NULL, NULL);
				lvd_raise(L, &e);
			}
			return;
		}
		v->s = x_strdup(lua_tostring(L, idx));
		break;
	}
	v->set = 1;
}

/* An options sub-table k = { a = v, ... }: each entry is the argument k_a
 * (a table in it, k_a_b, and so on). */
static void read_nested(lua_State *L, const struct op_def *def, const char *k, struct op_args *args, int *fn)
{
	int tbl = lua_gettop(L);
	lua_pushnil(L);
	while (lua_next(L, tbl)) {
		char name[64];
		if (lua_type(L, -2) != LUA_TSTRING)
			lvd_raisef(L, VD_EINVAL, def->name, NULL, NULL, "%s: options must be name = value pairs", k);
		snprintf(name, sizeof name, "%s_%s", k, lua_tostring(L, -2));
		int ai = op_arg_index(def, name);
		if (ai < 0 && lua_istable(L, -1)) {   /* bandwidth = { inbound = { average = } } */
			read_nested(L, def, name, args, fn);
			lua_pop(L, 1);
			continue;
		}
		if (ai < 0)
			lvd_raisef(L, VD_EINVAL, def->name, NULL, NULL, "unknown argument '%s.%s' (see vdeck.operations())",
				   k, lua_tostring(L, -2));
		if (args->v[ai].set)
			lvd_raisef(L, VD_EINVAL, def->name, NULL, NULL, "argument '%s' given twice", name);
		convert(L, def, &def->args[ai], -1, &args->v[ai], fn);
		lua_pop(L, 1);
	}
}

/* The integer keys of table tbl as "K:V;K:V" (ascending K) into the
 * operation's OAF_INDEXED argument: 1 when it has one and tbl has such keys. */
static int read_indexed(lua_State *L, const struct op_def *def, int tbl, struct op_args *args)
{
	int ai = -1;
	for (size_t k = 0; k < def->nargs && ai < 0; k++)
		if (def->args[k].flags & OAF_INDEXED)
			ai = (int)k;
	if (ai < 0)
		return 0;
	lua_Integer lo = 0, hi = -1;
	lua_pushnil(L);
	while (lua_next(L, tbl)) {
		lua_pop(L, 1);
		if (!lua_isinteger(L, -1))
			continue;
		lua_Integer k = lua_tointeger(L, -1);
		if (k < 0 || k > 16383)
			lvd_raisef(L, VD_EINVAL, def->name, NULL, NULL, "%s: key %d is out of range (0..16383)",
				   def->args[ai].name, (int)k);
		if (hi < lo || k < lo)
			lo = k;
		if (k > hi)
			hi = k;
	}
	if (hi < lo)
		return 0;
	if (args->v[ai].set)
		lvd_raisef(L, VD_EINVAL, def->name, NULL, NULL, "argument '%s' given twice", def->args[ai].name);
	struct strbuf sb;
	sb_init(&sb);
	for (lua_Integer k = lo; k <= hi; k++) {
		int t = lua_rawgeti(L, tbl, k);
		if (t != LUA_TNIL && t != LUA_TSTRING && t != LUA_TNUMBER) {
			sb_free(&sb);
			lvd_raisef(L, VD_EINVAL, def->name, NULL, NULL, "%s: the value of [%d] must be a string, not a %s",
				   def->args[ai].name, (int)k, luaL_typename(L, -1));
		}
		if (t != LUA_TNIL)
			sb_appendf(&sb, "%s%d:%s", sb.len ? ";" : "", (int)k, lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	args->v[ai].s = sb_detach(&sb);
	args->v[ai].set = 1;
	sb_free(&sb);
	return 1;
}

/* Reads positional arguments then the options table into args.  Values are
 * heap strings: args must be freed even when this raises, so they live in a
 * userdata with __gc (see op_method). */
static void read_args(lua_State *L, const struct op_def *def, int first, int top, struct op_args *args, int *async)
{
	int i = first, fn = 0;
	for (size_t k = 0; k < def->nargs && i <= top && !lua_istable(L, i); k++) {
		if (!(def->args[k].flags & OAF_POSITIONAL))
			continue;
		if (!lua_isnil(L, i))
			convert(L, def, &def->args[k], i, &args->v[k], &fn);
		i++;
	}
	if (i <= top && lua_istable(L, i)) {
		int tbl = i++;
		int indexed = read_indexed(L, def, tbl, args);
		lua_pushnil(L);
		while (lua_next(L, tbl)) {
			if (indexed && lua_type(L, -2) == LUA_TNUMBER) {
				lua_pop(L, 1);
				continue;
			}
			if (lua_type(L, -2) != LUA_TSTRING)
				lvd_raisef(L, VD_EINVAL, def->name, NULL, NULL, "options must be name = value pairs");
			const char *k = lua_tostring(L, -2);
			int ai = op_arg_index(def, k);
			if (ai >= 0 && (def->args[ai].flags & OAF_INDEXED) && lua_istable(L, -1)) {
				if (!read_indexed(L, def, lua_gettop(L), args))
					lvd_raisef(L, VD_EINVAL, def->name, NULL, NULL, "%s: give { [0] = \"0-3\", ... }", k);
			} else if (ai < 0 && lua_istable(L, -1)) {
				read_nested(L, def, k, args, &fn);
			} else if (ai < 0 && !strcmp(k, "async")) {
				*async = lua_toboolean(L, -1);
			} else if (ai < 0) {
				lvd_raisef(L, VD_EINVAL, def->name, NULL, NULL, "unknown argument '%s' (see vdeck.operations())", k);
			} else {
				if (args->v[ai].set)
					lvd_raisef(L, VD_EINVAL, def->name, NULL, NULL, "argument '%s' given twice", k);
				/* a callback is only type-checked here; op_method fetches it */
				convert(L, def, &def->args[ai], -1, &args->v[ai], &fn);
			}
			lua_pop(L, 1);
		}
	}
	if (i <= top)
		lvd_raisef(L, VD_EINVAL, def->name, NULL, NULL, "too many arguments (%d given)", top - first + 1);
	int ai = op_arg_index(def, "async");
	if (ai >= 0 && args->v[ai].set)
		*async = args->v[ai].b;
}

static int args_gc(lua_State *L)
{
	op_args_free(lua_touserdata(L, 1));
	return 0;
}

/* Pushes the callback found in the options table (by name) or nil. */
static void push_callback(lua_State *L, const struct op_def *def, int first, int last)
{
	for (size_t k = 0; k < def->nargs; k++) {
		if (def->args[k].type != OT_CALLBACK)
			continue;
		for (int i = first; i <= last; i++) {
			if (lua_istable(L, i)) {
				lua_getfield(L, i, def->args[k].name);
				if (lua_isfunction(L, -1))
					return;
				lua_pop(L, 1);
			}
		}
	}
	lua_pushnil(L);
}

static void print_dry_run(lua_State *L, const struct op_def *def, const struct host *h, const char *dom,
			  const struct op_outcome *out)
{
	const struct lctx *ctx = lctx_get(L);
	if (ctx->opts->json) {
		struct strbuf sb;
		sb_init(&sb);
		sb_append(&sb, "{\"dry_run\":true,\"operation\":");
		sb_append_json(&sb, def->name);
		sb_append(&sb, ",\"host\":");
		sb_append_json(&sb, h->cfg->name);
		sb_append(&sb, ",\"domain\":");
		if (dom)
			sb_append_json(&sb, dom);
		else
			sb_append(&sb, "null");
		sb_append(&sb, ",\"call\":");
		sb_append_json(&sb, out->call ? out->call : "");
		sb_append(&sb, "}\n");
		lvd_write(L, LVD_JSON, sb.buf, sb.len);
		sb_free(&sb);
	} else {
		char *m = x_asprintf("# dry-run: %s on %s%s%s\n%s", def->name, h->cfg->name, dom ? "/" : "",
				     dom ? dom : "", out->call ? out->call : "");
		lvd_write(L, LVD_OUT, m, strlen(m));
		free(m);
	}
}

static void print_notes(lua_State *L, const char *notes)
{
	if (!notes || lctx_get(L)->opts->json)
		return;
	for (const char *p = notes; *p;) {
		size_t n = strcspn(p, "\n");
		char *m = x_asprintf("note: %.*s\n", (int)n, p);
		lvd_write(L, LVD_ERR, m, strlen(m));
		free(m);
		p += n + (p[n] == '\n');
	}
}

void lvd_push_outcome(lua_State *L, const struct op_def *def, const char *host, const char *dom,
		      const struct op_outcome *out)
{
	lua_createtable(L, 0, 9);
	lua_pushboolean(L, 1);
	lua_setfield(L, -2, "ok");
	lua_pushstring(L, def->name);
	lua_setfield(L, -2, "operation");
	lua_pushstring(L, host);
	lua_setfield(L, -2, "host");
	lua_pushstring(L, dom);
	lua_setfield(L, -2, "domain");
	lua_pushboolean(L, out->dry_run);
	lua_setfield(L, -2, "dry_run");
	if (out->call) {
		lua_pushstring(L, out->call);
		lua_setfield(L, -2, "call");
	}
	if (out->message[0]) {
		lua_pushstring(L, out->message);
		lua_setfield(L, -2, "message");
	}
	if (out->notes) {
		lua_pushstring(L, out->notes);
		lua_setfield(L, -2, "notes");
	}
	if (out->job_id) {
		lua_pushinteger(L, out->job_id);
		lua_setfield(L, -2, "job");
	}
	if (out->created[0]) {
		lua_pushstring(L, out->created);
		lua_setfield(L, -2, "created");
	}
	if (out->nprevious) {
		/* { rx_frames = 0, adaptive_rx = false, ... }: given back, they undo */
		lua_createtable(L, 0, (int)out->nprevious);
		for (size_t i = 0; i < out->nprevious; i++) {
			const char *v = out->previous[i].value;
			if (!strcmp(v, "true") || !strcmp(v, "false"))
				lua_pushboolean(L, v[0] == 't');
			else
				lua_pushinteger(L, strtoll(v, NULL, 10));
			lua_setfield(L, -2, out->previous[i].name);
		}
		lua_setfield(L, -2, "previous");
	}
}

/* Pushes a userdata holding struct op_args whose __gc frees its strings. */
static struct op_args *new_args(lua_State *L)
{
	return lvd_new_owner(L, sizeof(struct op_args), args_gc);
}

/* An operation in flight: the run, and what its results need. */
struct run_box {
	struct op_run       *run;
	const struct op_def *def;
	size_t               hi;
	int                  async;
	int                  fn_idx;      /* on_progress on the stack, 0 none */
	char                 dname[128];
};

static int run_box_gc(lua_State *L)
{
	struct run_box *b = lua_touserdata(L, 1);
	op_run_free(&b->run);
	return 0;
}

/* Ready when finished, or when a progress report waits for on_progress. */
static int run_ready(void *ud)
{
	struct run_box *b = ud;
	return op_run_step(b->run) || (b->fn_idx && op_run_progress_due(b->run));
}

static void run_cancel(void *ud)
{
	op_run_abort(((struct run_box *)ud)->run);
}

/* What an operation returns once it finished (either way): the outcome
 * table; a task for async long operations; stdout, stderr and status for
 * a command (h:run). */
static int run_results(lua_State *L, struct run_box *b)
{
	struct op_outcome out;
	struct vd_err err;
	err_clear(&err);
	int rc = op_run_result(b->run, &out, &err);
	op_run_free(&b->run);
	const struct op_def *def = b->def;
	struct host *h = cluster_host_by_index(lctx_get(L)->cluster, b->hi);
	print_notes(L, out.notes);
	if (rc < 0) {
		op_outcome_free(&out);
		return lvd_raise(L, &err);
	}
	const char *dname = def->target == OP_DOMAIN ? b->dname : NULL;
	if (out.dry_run)
		print_dry_run(L, def, h, dname, &out);
	if (def->build_command && !def->command_result && !(def->flags & OPF_SETTING)) {
		lua_pushstring(L, out.cmd_out ? out.cmd_out : "");
		lua_pushstring(L, out.cmd_err ? out.cmd_err : "");
		lua_pushinteger(L, out.cmd_status);
		op_outcome_free(&out);
		return 3;
	}
	if (b->async && out.job_id && !out.dry_run) {
		lvd_push_task(L, out.job_id, 1);
		if (b->fn_idx)   /* t:wait() reports to the on_progress given here */
			lvd_task_set_progress(L, -1, b->fn_idx);
		op_outcome_free(&out);
		return 1;
	}
	if (!out.dry_run && !strcmp(def->name, "migrate") && rc == 0)
		((struct dom_handle *)luaL_checkudata(L, 1, DOMAIN_MT))->host = out.new_host;   /* the handle follows the VM */
	lvd_push_outcome(L, def, h->cfg->name, dname, &out);
	op_outcome_free(&out);
	return 1;
}

static int run_k(lua_State *L, int status, lua_KContext bi)
{
	(void)status;
	struct run_box *b = lua_touserdata(L, (int)bi);
	struct vop_progress p;
	if (b->fn_idx && op_run_progress(b->run, &p)) {
		/* on_progress runs in the task: it may print, or even wait. */
		lua_pushvalue(L, b->fn_idx);
		lvd_push_progress(L, &p, op_run_job(b->run));
		lua_callk(L, 1, 0, bi, run_k);
		return run_k(L, LUA_OK, bi);
	}
	if (!op_run_step(b->run))
		return sched_await(L, run_ready, run_cancel, b, bi, run_k);
	return run_results(L, b);
}

/* Starts def on the host (uuid NULL) or the domain and awaits the end. */
static int run_op(lua_State *L, const struct op_def *def, size_t hi, const char *uuid, const char *dname,
		  struct op_args *args, int async, int fn_idx)
{
	struct run_box *b = lvd_new_owner(L, sizeof *b, run_box_gc);
	int bi = lua_gettop(L);
	b->def = def;
	b->hi = hi;
	b->async = async;
	b->fn_idx = fn_idx;
	snprintf(b->dname, sizeof b->dname, "%s", dname ? dname : "");
	b->run = op_run_start(lvd_ops_env(L), def, hi, uuid, args, async);
	return run_k(L, LUA_OK, bi);
}

/* Whether def reads other hosts than the domain's (a target host). */
static int reads_cluster(const struct op_def *def)
{
	for (size_t i = 0; i < def->nargs; i++)
		if (def->args[i].type == OT_HOST)
			return 1;
	return 0;
}

/* k: the arguments' userdata index, and on_progress's (0 none) << 16. */
static int op_method_k(lua_State *L, int status, lua_KContext k)
{
	(void)status;
	const struct op_def *def = lua_touserdata(L, lua_upvalueindex(1));
	struct domain *d = lvd_check_domain(L, 1, NULL);   /* it may have gone while we waited */
	struct dom_handle *dh = luaL_checkudata(L, 1, DOMAIN_MT);
	struct op_args *args = lua_touserdata(L, (int)(k & 0xffff));
	return run_op(L, def, dh->host, dh->uuid, d->info.name, args, (int)(k >> 32), (int)((k >> 16) & 0xffff));
}

/* d:set_vcpus(...) and every other OP_DOMAIN entry of the table.  An
 * operation that picks or names a target host first waits for every host's
 * first answer: a host not heard from yet is no place to choose from. */
static int op_method(lua_State *L)
{
	const struct op_def *def = lua_touserdata(L, lua_upvalueindex(1));
	lvd_check_domain(L, 1, NULL);
	int nargs = lua_gettop(L);
	struct op_args *args = new_args(L);
	int ai = lua_gettop(L);
	int async = 0;
	read_args(L, def, 2, nargs, args, &async);
	push_callback(L, def, 2, nargs);
	int fn_idx = lua_isnil(L, -1) ? 0 : lua_gettop(L);
	lua_KContext k = (lua_KContext)ai | ((lua_KContext)fn_idx << 16) | ((lua_KContext)async << 32);
	if (reads_cluster(def))
		return lvd_await_hosts(L, NULL, NULL, k, op_method_k);
	return op_method_k(L, LUA_OK, k);
}

/* k: the arguments' userdata index, and async << 32. */
static int op_host_method_k(lua_State *L, int status, lua_KContext k)
{
	(void)status;
	const struct op_def *def = lua_touserdata(L, lua_upvalueindex(1));
	struct host *h = lvd_check_host(L, 1);
	struct op_args *args = lua_touserdata(L, (int)(k & 0xffff));
	size_t hi = (size_t)(h - lctx_get(L)->cluster->hosts);
	return run_op(L, def, hi, NULL, NULL, args, (int)(k >> 32), 0);
}

/* h:create_bond{...}, h:run(cmd) and every other OP_HOST entry.  It is
 * validated against what the host said, so it first waits for the host's
 * first answer (an operation that reads other hosts, for all of them). */
static int op_host_method(lua_State *L)
{
	const struct op_def *def = lua_touserdata(L, lua_upvalueindex(1));
	struct host *h = lvd_check_host(L, 1);
	int nargs = lua_gettop(L);
	struct op_args *args = new_args(L);
	int ai = lua_gettop(L);
	int async = 0;
	read_args(L, def, 2, nargs, args, &async);
	lua_KContext k = (lua_KContext)ai | ((lua_KContext)async << 32);
	return lvd_await_hosts(L, reads_cluster(def) ? NULL : h, NULL, k, op_host_method_k);
}

void lvd_ops_register(lua_State *L)
{
	struct lctx *ctx = lctx_get(L);
	struct env_box *b = lua_newuserdatauv(L, sizeof *b, 0);
	memset(b, 0, sizeof *b);
	op_env_init(&b->env, ctx->fleet, ctx->opts, ctx->refresh_timeout_ms);
	b->ready = 1;
	lua_newtable(L);
	lua_pushcfunction(L, env_gc);
	lua_setfield(L, -2, "__gc");
	lua_setmetatable(L, -2);
	lua_setfield(L, LUA_REGISTRYINDEX, ENV_KEY);

	for (size_t i = 0; i < optable_count(); i++) {
		const struct op_def *def = optable_at(i);
		luaL_getmetatable(L, def->target == OP_DOMAIN ? DOMAIN_MT : HOST_MT);
		lua_getfield(L, -1, "methods");
		lua_pushlightuserdata(L, (void *)def);
		lua_pushcclosure(L, def->target == OP_DOMAIN ? op_method : op_host_method, 1);
		lua_setfield(L, -2, def->name);
		lua_pop(L, 2);
	}
	lvd_ops_register_extra(L);
}

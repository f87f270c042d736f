/* api_plan.c — the placement planners in Lua: vdeck.plan_numa{},
 * vdeck.plan_balance{}, h:set_maintenance(), and vdeck.plan_publish() /
 * vdeck.plan_mark() which show a plan and its progress in the console's
 * Plan view (model/plan_board.h), and vdeck.plan_board() which reads it.
 *
 * A plan is a table of facts (ops/plan.h computed it over a copy of the
 * model); nothing is changed by planning.  The numa-place and rebalance
 * runbooks apply plans with d:pin_vcpus, d:set_numatune and d:migrate.
 * Both wait for the hosts' first answers, as vdeck.domains() does. */
#include "lua/lvdeck.h"
#include "lua/inventory_load.h"
#include "core/xalloc.h"
#include "ops/maintenance.h"
#include "ops/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* CPU seconds of this thread: what planning cost, whatever else the
 * machine runs (a wall clock would count the other threads' turns). */
static double thread_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Everything a call allocates, released by __gc whatever happens. */
struct plan_call {
	struct plan_cluster pc;
	struct placement_rule *rules;
	size_t nrules;
	char **exclude;
	size_t nexclude;
	char **hostv;              /* hosts = as given, joined into hosts */
	size_t nhostv;
	char *hosts;
	struct plan_result res;
	struct plan_numa_result nres;
};

static int plan_call_gc(lua_State *L)
{
	struct plan_call *c = lua_touserdata(L, 1);
	plan_cluster_free(&c->pc);
	for (size_t i = 0; i < c->nrules; i++)
		placement_rule_free(&c->rules[i]);
	free(c->rules);
	for (size_t i = 0; i < c->nexclude; i++)
		free(c->exclude[i]);
	free(c->exclude);
	for (size_t i = 0; i < c->nhostv; i++)
		free(c->hostv[i]);
	free(c->hostv);
	free(c->hosts);
	plan_result_free(&c->res);
	plan_numa_result_free(&c->nres);
	memset(c, 0, sizeof *c);
	return 0;
}

static void check_fields(lua_State *L, int t, const char *op, const char *const *known)
{
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
		int ok = 0;
		for (const char *const *p = known; *p && !ok; p++)
			ok = !strcmp(*p, k);
		if (!ok)
			lvd_raisef(L, VD_EINVAL, op, NULL, NULL, "unknown field '%s'", k);
	}
}

/* A string or a list of strings at field k, into *v (appended). */
static void strings(lua_State *L, int t, const char *k, const char *op, char ***v, size_t *n)
{
	lua_getfield(L, t, k);
	if (lua_type(L, -1) == LUA_TSTRING) {
		*v = x_realloc(*v, (*n + 1) * sizeof **v);
		(*v)[(*n)++] = x_strdup(lua_tostring(L, -1));
	} else if (lua_istable(L, -1)) {
		lua_Integer len = (lua_Integer)lua_rawlen(L, -1);
		for (lua_Integer i = 1; i <= len; i++) {
			lua_rawgeti(L, -1, i);
			if (lua_type(L, -1) != LUA_TSTRING)
				lvd_raisef(L, VD_EINVAL, op, NULL, NULL, "%s must be a string or a list of strings", k);
			*v = x_realloc(*v, (*n + 1) * sizeof **v);
			(*v)[(*n)++] = x_strdup(lua_tostring(L, -1));
			lua_pop(L, 1);
		}
	} else if (!lua_isnil(L, -1)) {
		lvd_raisef(L, VD_EINVAL, op, NULL, NULL, "%s must be a string or a list of strings", k);
	}
	lua_pop(L, 1);
}

static double opt_num(lua_State *L, int t, const char *k, double dflt, double lo, double hi, const char *op)
{
	lua_getfield(L, t, k);
	double v = dflt;
	if (!lua_isnil(L, -1)) {
		if (!lua_isnumber(L, -1))
			lvd_raisef(L, VD_EINVAL, op, NULL, NULL, "%s must be a number", k);
		v = lua_tonumber(L, -1);
		if (v < lo || v > hi)
			lvd_raisef(L, VD_EINVAL, op, NULL, NULL, "%s must be %g..%g, not %g", k, lo, hi, v);
	}
	lua_pop(L, 1);
	return v;
}

static const char *opt_str(lua_State *L, int t, const char *k, const char *op)
{
	lua_getfield(L, t, k);
	const char *s = NULL;
	if (lua_type(L, -1) == LUA_TSTRING)
		s = lua_tostring(L, -1);   /* stays alive in the options table */
	else if (!lua_isnil(L, -1))
		lvd_raisef(L, VD_EINVAL, op, NULL, NULL, "%s must be a string", k);
	lua_pop(L, 1);
	return s;
}

static const char *by_text(enum plan_by by)
{
	return by == PLAN_BY_MEMORY ? "memory" : by == PLAN_BY_CPU ? "cpu" : "both";
}

static void push_balance(lua_State *L, const struct plan_call *c, const struct plan_balance_opts *o)
{
	const struct plan_result *r = &c->res;
	lua_createtable(L, 0, 10);
	lua_pushstring(L, by_text(o->by));
	lua_setfield(L, -2, "by");
	lua_pushstring(L, o->greedy ? "greedy" : "best");
	lua_setfield(L, -2, "method");
	lua_pushnumber(L, r->before);
	lua_setfield(L, -2, "before");
	lua_pushnumber(L, r->after);
	lua_setfield(L, -2, "after");
	lua_pushnumber(L, o->threshold);
	lua_setfield(L, -2, "threshold");
	lvd_set_int(L, "hosts", r->hosts);
	lvd_set_str(L, "stop", r->stop);
	if (o->evacuate >= 0)
		lvd_set_str(L, "evacuate", c->pc.hosts[o->evacuate].cfg->name);
	lua_createtable(L, (int)r->nmoves, 0);
	for (size_t i = 0; i < r->nmoves; i++) {
		const struct plan_move *m = &r->moves[i];
		lua_createtable(L, 0, 8);
		lvd_set_int(L, "step", (long long)i + 1);
		lvd_set_str(L, "vm", c->pc.vms[m->vm].name);
		lvd_set_str(L, "from", c->pc.hosts[m->from].cfg->name);
		lvd_set_str(L, "to", c->pc.hosts[m->to].cfg->name);
		lvd_set_int(L, "node", m->node);
		lvd_set_int(L, "memory", (long long)c->pc.vms[m->vm].mem);
		lua_pushnumber(L, m->imbalance);
		lua_setfield(L, -2, "imbalance");
		lvd_set_str(L, "reason", m->reason);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "moves");
	lua_createtable(L, (int)r->nskips, 0);
	for (size_t i = 0; i < r->nskips; i++) {
		lua_createtable(L, 0, 3);
		lvd_set_str(L, "vm", c->pc.vms[r->skips[i].vm].name);
		lvd_set_str(L, "host", c->pc.hosts[c->pc.vms[r->skips[i].vm].host].cfg->name);
		lvd_set_str(L, "reason", r->skips[i].reason);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "skipped");
}

static int plan_balance_k(lua_State *L, int status, lua_KContext kctx)
{
	(void)status;
	(void)kctx;
	static const char *const op = "plan_balance";
	static const char *const known[] = { "by", "threshold", "margin", "max_moves", "hosts", "tag", "exclude",
					     "rules", "method", "evacuate", "assume", NULL };
	struct lctx *ctx = lctx_get(L);
	if (lua_isnoneornil(L, 1))
		lua_newtable(L), lua_replace(L, 1);
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	check_fields(L, 1, op, known);
	struct plan_call *c = lvd_new_owner(L, sizeof *c, plan_call_gc);
	struct plan_balance_opts o;
	plan_balance_defaults(&o);
	const char *by = opt_str(L, 1, "by", op);
	if (by && !strcmp(by, "cpu"))
		o.by = PLAN_BY_CPU;
	else if (by && !strcmp(by, "both"))
		o.by = PLAN_BY_BOTH;
	else if (by && strcmp(by, "memory"))
		lvd_raisef(L, VD_EINVAL, op, NULL, NULL, "by must be \"memory\", \"cpu\" or \"both\", not \"%s\"", by);
	o.threshold = opt_num(L, 1, "threshold", o.threshold, 0, 10, op);
	o.margin = opt_num(L, 1, "margin", o.margin, 0, 10, op);
	o.max_moves = (unsigned)opt_num(L, 1, "max_moves", 0, 0, 100000, op);
	strings(L, 1, "hosts", op, &c->hostv, &c->nhostv);
	if (c->nhostv) {
		size_t len = 1;
		for (size_t i = 0; i < c->nhostv; i++)
			len += strlen(c->hostv[i]) + 1;
		c->hosts = x_calloc(len, 1);
		for (size_t i = 0; i < c->nhostv; i++) {
			if (i)
				strcat(c->hosts, ",");
			strcat(c->hosts, c->hostv[i]);
		}
	}
	o.hosts = c->hosts;
	o.tag = opt_str(L, 1, "tag", op);
	strings(L, 1, "exclude", op, &c->exclude, &c->nexclude);
	o.exclude = (const char *const *)c->exclude;
	o.nexclude = c->nexclude;
	lua_getfield(L, 1, "rules");
	if (lua_istable(L, -1)) {
		lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
		c->rules = x_calloc((size_t)n + 1, sizeof *c->rules);
		for (lua_Integer i = 1; i <= n; i++) {
			char msg[256];
			lua_rawgeti(L, -1, i);
			int rc = inventory_read_rule(L, -1, &c->rules[c->nrules++], msg, sizeof msg);
			lua_pop(L, 1);
			if (rc < 0)
				lvd_raisef(L, VD_EINVAL, op, NULL, NULL, "rules[%lld]: %s", (long long)i, msg);
		}
	} else if (!lua_isnil(L, -1)) {
		lvd_raisef(L, VD_EINVAL, op, NULL, NULL, "rules must be a list of rule tables");
	}
	lua_pop(L, 1);
	o.rules = c->rules;
	o.nrules = c->nrules;
	const char *method = opt_str(L, 1, "method", op);
	if (method && strcmp(method, "best") && strcmp(method, "greedy"))
		lvd_raisef(L, VD_EINVAL, op, NULL, NULL, "method must be \"best\" or \"greedy\", not \"%s\"", method);
	o.greedy = method && !strcmp(method, "greedy");
	double t0 = thread_cpu_s();
	plan_cluster_from(ctx->cluster, &c->pc);
	lua_getfield(L, 1, "assume");
	if (lua_istable(L, -1)) {
		lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
		for (lua_Integer i = 1; i <= n; i++) {
			lua_rawgeti(L, -1, i);
			if (!lua_istable(L, -1))
				lvd_raisef(L, VD_EINVAL, op, NULL, NULL, "assume[%lld] must be a table { vm =, to =, node = }",
					   (long long)i);
			lua_getfield(L, -1, "vm");
			lua_getfield(L, -2, "to");
			lua_getfield(L, -3, "node");
			const char *vm = lua_tostring(L, -3), *to = lua_tostring(L, -2);
			int node = lua_isinteger(L, -1) ? (int)lua_tointeger(L, -1) : -1;
			if (!vm || !to)
				lvd_raisef(L, VD_EINVAL, op, NULL, NULL, "assume[%lld] needs vm and to", (long long)i);
			struct vd_err aerr;
			err_clear(&aerr);
			if (plan_assume_move(&c->pc, vm, to, node, &aerr) < 0)
				lvd_raisef(L, aerr.code, op, to, vm, "assume[%lld]: %s", (long long)i, aerr.msg);
			lua_pop(L, 4);
		}
	} else if (!lua_isnil(L, -1)) {
		lvd_raisef(L, VD_EINVAL, op, NULL, NULL, "assume must be a list of { vm =, to =, node = }");
	}
	lua_pop(L, 1);
	const char *ev = opt_str(L, 1, "evacuate", op);
	if (ev && (o.evacuate = plan_host_index(&c->pc, ev)) < 0)
		lvd_raisef(L, VD_ENOTFOUND, op, ev, NULL, "no host named '%s' in the inventory", ev);
	struct vd_err err;
	err_clear(&err);
	if (plan_balance(&c->pc, &o, &c->res, &err) < 0) {
		err_where(&err, op, NULL, NULL);
		return lvd_raise(L, &err);
	}
	double ms = (thread_cpu_s() - t0) * 1000;
	push_balance(L, c, &o);
	lvd_set_num(L, "plan_cpu_ms", ms);
	return 1;
}

/* vdeck.plan_balance{ by=, threshold=, margin=, max_moves=, hosts=, tag=,
 * exclude=, rules=, method=, evacuate=, assume= }; assume: migrations under
 * way ({ vm =, to =, node = }), counted as done and not moved again. */
static int l_plan_balance(lua_State *L)
{
	lua_settop(L, 1);
	return lvd_await_hosts(L, NULL, NULL, 0, plan_balance_k);
}

static int plan_numa_k(lua_State *L, int status, lua_KContext kctx)
{
	(void)status;
	(void)kctx;
	static const char *const op = "plan_numa";
	static const char *const known[] = { "host", "override_strict", NULL };
	struct lctx *ctx = lctx_get(L);
	check_fields(L, 1, op, known);
	const char *name = opt_str(L, 1, "host", op);
	lua_getfield(L, 1, "override_strict");
	int override = lua_toboolean(L, -1);
	lua_pop(L, 1);
	struct plan_call *c = lvd_new_owner(L, sizeof *c, plan_call_gc);
	double t0 = thread_cpu_s();
	plan_cluster_from(ctx->cluster, &c->pc);
	long hi = plan_host_index(&c->pc, name);
	struct vd_err err;
	err_clear(&err);
	if (plan_numa(&c->pc, (size_t)hi, override, &c->nres, &err) < 0) {
		err_where(&err, op, name, NULL);
		return lvd_raise(L, &err);
	}
	double ms = (thread_cpu_s() - t0) * 1000;
	const struct plan_numa_result *r = &c->nres;
	const struct plan_host *h = &c->pc.hosts[hi];
	lua_createtable(L, 0, 7);
	lvd_set_num(L, "plan_cpu_ms", ms);
	lvd_set_str(L, "host", name);
	lvd_set_num(L, "locality_before", r->locality_before);
	lvd_set_num(L, "locality_after", r->locality_after);
	lvd_set_num(L, "imbalance_before", r->imbalance_before);
	lvd_set_num(L, "imbalance_after", r->imbalance_after);
	lua_createtable(L, (int)r->npins, 0);
	for (size_t i = 0; i < r->npins; i++) {
		const struct plan_pin *p = &r->pins[i];
		const struct plan_vm *v = &c->pc.vms[p->vm];
		lua_createtable(L, 0, 9);
		lvd_set_str(L, "vm", v->name);
		lvd_set_str(L, "action", plan_numa_action_name(p->action));
		if (p->node >= 0) {
			lvd_set_int(L, "node", p->node);
			for (unsigned k = 0; k < h->nnodes; k++)
				if (h->nodes[k].id == p->node)
					lvd_set_str(L, "cpus", h->nodes[k].cpus);
			lua_pushfstring(L, "%d", p->node);
			lua_setfield(L, -2, "nodeset");
		}
		lvd_set_int(L, "vcpus", v->vcpus);
		lvd_set_int(L, "memory", (long long)v->mem);
		lvd_set_num(L, "before", p->before);
		lvd_set_num(L, "after", p->after);
		lvd_set_str(L, "reason", p->reason);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "vms");
	return 1;
}

/* vdeck.plan_numa{ host=, override_strict= } */
static int l_plan_numa(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	lua_getfield(L, 1, "host");
	const char *name = lua_tostring(L, -1);
	if (!name)
		lvd_raisef(L, VD_EINVAL, "plan_numa", NULL, NULL, "host is required");
	const struct host *h = cluster_host(lctx_get(L)->cluster, name);
	if (!h)
		lvd_raisef(L, VD_ENOTFOUND, "plan_numa", name, NULL, "no host named '%s' in the inventory", name);
	lua_pop(L, 1);
	return lvd_await_hosts(L, h, NULL, 0, plan_numa_k);
}

/* Field k of the table on top as text ("" when absent); numbers in fmt. */
static const char *cell(lua_State *L, const char *k, const char *fmt, double scale, char *buf, size_t len)
{
	lua_getfield(L, -1, k);
	buf[0] = '\0';
	if (lua_type(L, -1) == LUA_TNUMBER && fmt)
		snprintf(buf, len, fmt, lua_tonumber(L, -1) * scale);
	else if (lua_type(L, -1) == LUA_TNUMBER || lua_type(L, -1) == LUA_TSTRING)
		snprintf(buf, len, "%s", lua_tostring(L, -1));
	lua_pop(L, 1);
	return buf;
}

static double num_field(lua_State *L, int t, const char *k)
{
	lua_getfield(L, t, k);
	double v = lua_isnumber(L, -1) ? lua_tonumber(L, -1) : -1;
	lua_pop(L, 1);
	return v;
}

/* vdeck.plan_publish(plan [, { keep = n }]): the Plan view shows plan (a
 * plan_balance or plan_numa result); keep: the first n rows already shown
 * stay (moves under way when a runbook planned again). */
static int l_plan_publish(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	size_t keep = 0;
	if (lua_istable(L, 2)) {
		lua_getfield(L, 2, "keep");
		keep = (size_t)luaL_optinteger(L, -1, 0);
		lua_pop(L, 1);
	}
	struct plan_board *b = &lctx_get(L)->cluster->plan;
	char title[256], c[PLAN_BOARD_COLS][160];
	const char *cells[PLAN_BOARD_COLS];
	for (int i = 0; i < PLAN_BOARD_COLS; i++)
		cells[i] = c[i];
	int balance = lua_getfield(L, 1, "moves") == LUA_TTABLE;
	lua_pop(L, 1);
	if (balance) {
		static const char *const cols[] = { "STEP", "VM", "MEM", "FROM", "TO", "NODE", "IMBALANCE", "REASON" };
		lua_getfield(L, 1, "by");
		snprintf(title, sizeof title, "plan_balance by %s: imbalance %.3f -> %.3f", luaL_optstring(L, -1, "?"),
			 num_field(L, 1, "before"), num_field(L, 1, "after"));
		lua_pop(L, 1);
		plan_board_reset(b, title, cols, PLAN_BOARD_COLS, keep);
		lua_getfield(L, 1, "moves");
	} else {
		static const char *const cols[] = { "VM", "MEM", "ACTION", "NODE", "CPUS", "BEFORE", "AFTER", "REASON" };
		lua_getfield(L, 1, "host");
		snprintf(title, sizeof title, "plan_numa %s: mean locality %.0f%% -> %.0f%%", luaL_optstring(L, -1, "?"),
			 100 * num_field(L, 1, "locality_before"), 100 * num_field(L, 1, "locality_after"));
		lua_pop(L, 1);
		plan_board_reset(b, title, cols, PLAN_BOARD_COLS, keep);
		lua_getfield(L, 1, "vms");
	}
	luaL_checktype(L, -1, LUA_TTABLE);
	lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		if (!lua_istable(L, -1))
			luaL_error(L, "plan_publish: row %d is not a table", (int)i);
		if (balance) {
			cell(L, "step", NULL, 1, c[0], sizeof c[0]);
			cell(L, "vm", NULL, 1, c[1], sizeof c[1]);
			cell(L, "memory", "%.1fG", 1.0 / (1 << 30), c[2], sizeof c[2]);
			cell(L, "from", NULL, 1, c[3], sizeof c[3]);
			cell(L, "to", NULL, 1, c[4], sizeof c[4]);
			cell(L, "node", "%.0f", 1, c[5], sizeof c[5]);
			if (!strcmp(c[5], "-1"))
				snprintf(c[5], sizeof c[5], "spans");
			cell(L, "imbalance", "%.3f", 1, c[6], sizeof c[6]);
			cell(L, "reason", NULL, 1, c[7], sizeof c[7]);
		} else {
			cell(L, "vm", NULL, 1, c[0], sizeof c[0]);
			cell(L, "memory", "%.1fG", 1.0 / (1 << 30), c[1], sizeof c[1]);
			cell(L, "action", NULL, 1, c[2], sizeof c[2]);
			cell(L, "node", "%.0f", 1, c[3], sizeof c[3]);
			cell(L, "cpus", NULL, 1, c[4], sizeof c[4]);
			cell(L, "before", "%.0f%%", 100, c[5], sizeof c[5]);
			cell(L, "after", "%.0f%%", 100, c[6], sizeof c[6]);
			cell(L, "reason", NULL, 1, c[7], sizeof c[7]);
		}
		plan_board_add(b, cells);
		lua_pop(L, 1);
	}
	return 0;
}

/* vdeck.plan_mark(row, "running"|"done"|"failed"|"planned" [, note]) */
static int l_plan_mark(lua_State *L)
{
	static const char *const states[] = { "planned", "running", "done", "failed", NULL };
	lua_Integer row = luaL_checkinteger(L, 1);
	int s = luaL_checkoption(L, 2, NULL, states);
	const char *note = luaL_optstring(L, 3, NULL);
	struct plan_board *b = &lctx_get(L)->cluster->plan;
	if (row < 1 || plan_board_mark(b, (size_t)row - 1, (enum plan_row_state)s, note) < 0)
		luaL_error(L, "plan_mark: no row %d in the published plan", (int)row);
	return 0;
}

/* vdeck.plan_board() -> { title =, columns = { ... }, rows = { { cells = { ... },
 * state =, note = }, ... } }: the published plan as the Plan view shows it
 * (nil when none), so a script or a test can follow a runbook's progress. */
static int l_plan_board(lua_State *L)
{
	const struct plan_board *b = &lctx_get(L)->cluster->plan;
	if (!b->title) {
		lua_pushnil(L);
		return 1;
	}
	lua_createtable(L, 0, 3);
	lvd_set_str(L, "title", b->title);
	lua_createtable(L, (int)b->ncols, 0);
	for (size_t c = 0; c < b->ncols; c++) {
		lua_pushstring(L, b->cols[c]);
		lua_rawseti(L, -2, (lua_Integer)c + 1);
	}
	lua_setfield(L, -2, "columns");
	lua_createtable(L, (int)b->nrows, 0);
	for (size_t i = 0; i < b->nrows; i++) {
		const struct plan_row *r = &b->rows[i];
		lua_createtable(L, 0, 3);
		lua_createtable(L, (int)b->ncols, 0);
		for (size_t c = 0; c < b->ncols; c++) {
			lua_pushstring(L, r->cells[c] ? r->cells[c] : "");
			lua_rawseti(L, -2, (lua_Integer)c + 1);
		}
		lua_setfield(L, -2, "cells");
		lvd_set_str(L, "state", plan_row_state_name(r->state));
		if (r->note)
			lvd_set_str(L, "note", r->note);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "rows");
	return 1;
}

/* h:set_maintenance(on): true when the state changed. */
static int host_set_maintenance(lua_State *L)
{
	struct host *h = lvd_check_host(L, 1);
	luaL_checktype(L, 2, LUA_TBOOLEAN);
	struct lctx *ctx = lctx_get(L);
	struct vd_err err;
	err_clear(&err);
	int changed;
	if (maintenance_set(NULL, ctx->cluster, h, lua_toboolean(L, 2), ctx->opts, &changed, &err) < 0) {
		err_where(&err, "set_maintenance", h->cfg->name, NULL);
		return lvd_raise(L, &err);
	}
	if (ctx->opts->dry_run) {
		char line[200];
		int n = snprintf(line, sizeof line, "dry-run: %s: set_maintenance(%s)\n", h->cfg->name,
				 lua_toboolean(L, 2) ? "true" : "false");
		lvd_write(L, LVD_OUT, line, (size_t)n);
	}
	lua_pushboolean(L, changed);
	return 1;
}

void lvd_plan_register(lua_State *L)
{
	lua_getglobal(L, "vdeck");
	lua_pushcfunction(L, l_plan_numa);
	lua_setfield(L, -2, "plan_numa");
	lua_pushcfunction(L, l_plan_balance);
	lua_setfield(L, -2, "plan_balance");
	lua_pushcfunction(L, l_plan_publish);
	lua_setfield(L, -2, "plan_publish");
	lua_pushcfunction(L, l_plan_mark);
	lua_setfield(L, -2, "plan_mark");
	lua_pushcfunction(L, l_plan_board);
	lua_setfield(L, -2, "plan_board");
	lua_pop(L, 1);
	luaL_getmetatable(L, HOST_MT);
	lua_getfield(L, -1, "methods");
	lua_pushcfunction(L, host_set_maintenance);
	lua_setfield(L, -2, "set_maintenance");
	lua_pop(L, 2);
}

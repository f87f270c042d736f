/* vlua_job.c — runbooks and operations run as console jobs.
 *
 * A job is a task of the runtime's scheduler (sched.h) with a row in
 * cluster->jobs and a log: its print, ctx.log, vdeck.emit and dry-run text
 * go to the log, never to the terminal.  vlua_jobs_step is the scheduler's
 * step, called from the console's loop after each fleet_pump, so the loop
 * thread never waits on a script or a host. */
#include "lua/vlua_priv.h"
#include "lua/ops_lua.h"
#include "lua/sched.h"
#include "lua/safe_load.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MAX (256 * 1024)

struct vjob {
	struct vlua       *vl;
	unsigned           id;
	struct sched_task *task;        /* NULL once ended */
	int                cancelled;
	struct strbuf      log;
	int                log_full;
	char               shown[256];  /* the log line last put in the job's MESSAGE */
};

/* The last non-empty line of the log, for the Jobs view's MESSAGE. */
static void last_line(const struct vjob *j, char *buf, size_t len)
{
	const char *s = j->log.buf, *e = s + j->log.len;
	while (e > s && (e[-1] == '\n' || e[-1] == ' '))
		e--;
	const char *b = e;
	while (b > s && b[-1] != '\n')
		b--;
	snprintf(buf, len, "%.*s", (int)(e - b), b);
}

static void job_out(void *ud, int is_err, const char *s, size_t n)
{
	(void)is_err;
	struct vjob *j = ud;
	if (j->log_full)
		return;
	if (j->log.len + n > LOG_MAX) {
		sb_append(&j->log, "\n[log truncated]\n");
		j->log_full = 1;
		return;
	}
	sb_append_n(&j->log, s, n);
	/* The last output line is the job's message, unless ctx.progress
	 * said something since. */
	struct job_list *jl = &j->vl->ctx.cluster->jobs;
	struct job *row = jobs_find(jl, j->id);
	char line[sizeof j->shown];
	last_line(j, line, sizeof line);
	if (row && row->state == JOB_RUNNING && line[0] && (!row->message[0] || !strcmp(row->message, j->shown) ||
							    !strcmp(row->message, "starting"))) {
		jobs_progress(jl, row, row->progress, line);
		snprintf(j->shown, sizeof j->shown, "%s", line);
	}
}

static struct vjob *find(struct vlua *vl, unsigned id)
{
	for (size_t i = 0; i < vl->njobs; i++)
		if (vl->jobs[i]->id == id)
			return vl->jobs[i];
	return NULL;
}

/* The task ended: what run() returned is output, as with --exec. */
static void job_ended(void *ud, lua_State *co, int status, int nres)
{
	struct vjob *j = ud;
	struct job_list *jl = &j->vl->ctx.cluster->jobs;
	j->task = NULL;
	char msg[256];
	if (status == LUA_OK) {
		for (int i = lua_gettop(co) - nres + 1; i <= lua_gettop(co); i++) {
			if (lua_isnil(co, i) || (lua_isboolean(co, i) && lua_toboolean(co, i)))
				continue;
			lua_pushcfunction(co, lvd_emit);
			lua_pushvalue(co, i);
			if (lua_pcall(co, 1, 0, 0) != LUA_OK)
				lua_pop(co, 1);
		}
		last_line(j, msg, sizeof msg);
		struct job *row = jobs_find(jl, j->id);
		if (row)
			jobs_finish(jl, row, JOB_DONE, msg[0] ? msg : "done");
		return;
	}
	snprintf(msg, sizeof msg, "%s", j->cancelled ? "cancelled by the user" : lvd_error_string(co, -1));
	if (!j->cancelled) {
		job_out(j, 1, "error: ", 7);
		job_out(j, 1, msg, strlen(msg));
		job_out(j, 1, "\n", 1);
	}
	struct job *row = jobs_find(jl, j->id);
	if (row)
		jobs_finish(jl, row, j->cancelled ? JOB_CANCELLED : JOB_FAILED, msg);
}

/* Creates the job row and its task, which gets the function and nargs
 * arguments on top of vl->L. */
static struct vjob *job_new(struct vlua *vl, const char *kind, const char *host, const char *dom,
			    const char *desc, int nargs)
{
	struct vjob *j = x_calloc(1, sizeof *j);
	j->vl = vl;
	sb_init(&j->log);
	struct job *row = jobs_add(&vl->ctx.cluster->jobs, kind, host, dom, desc);
	j->id = row->id;
	jobs_progress(&vl->ctx.cluster->jobs, row, -1, "starting");
	struct sched_spawn_opts o = {
		.sink = { job_out, j }, .job_id = j->id, .on_end = job_ended, .end_ud = j,
	};
	j->task = sched_spawn(vl->ctx.sched, vl->L, nargs, &o);
	x_grow(&vl->jobs, &vl->jobs_cap, vl->njobs + 1, sizeof *vl->jobs);
	vl->jobs[vl->njobs++] = j;
	return j;
}

size_t vlua_jobs_step(struct vlua *vl, int *more)
{
	size_t n = sched_step(vl->ctx.sched);
	if (sched_runnable(vl->ctx.sched))
		*more = 1;
	return n;
}

int vlua_job_cancel(struct vlua *vl, unsigned id)
{
	struct vjob *j = find(vl, id);
	if (!j || !j->task || j->cancelled)
		return -1;
	j->cancelled = 1;
	job_out(j, 1, "cancelling\n", 11);
	sched_cancel(j->task, "cancelled by the user");
	struct job *row = jobs_find(&vl->ctx.cluster->jobs, id);
	if (row)
		jobs_progress(&vl->ctx.cluster->jobs, row, row->progress, "cancelling");
	return 0;
}

const char *vlua_job_log(struct vlua *vl, unsigned id)
{
	struct vjob *j = find(vl, id);
	return j ? j->log.buf : NULL;
}

void vlua_jobs_free(struct vlua *vl)
{
	for (size_t i = 0; i < vl->njobs; i++) {
		sb_free(&vl->jobs[i]->log);
		free(vl->jobs[i]);
	}
	free(vl->jobs);
	vl->jobs = NULL;
	vl->njobs = vl->jobs_cap = 0;
}

/* ---- starting ---------------------------------------------------------- */

struct rb_args {
	const char *path;
	int         argc;
	char      **argv;
};

/* Protected: loads the runbook and leaves run, ctx, params and its name. */
static int rb_prepare(lua_State *L)
{
	struct rb_args *a = lua_touserdata(L, 1);
	lua_settop(L, 0);
	struct vd_err e;
	err_clear(&e);
	if (safe_loadfile(L, "runbook", a->path) != LUA_OK) {
		err_set(&e, VD_EUSAGE, "%s", lua_tostring(L, -1));
		return lvd_raise(L, &e);
	}
	lua_call(L, 0, 1);
	if (!lvd_is_runbook(L, 1)) {
		err_set(&e, VD_EUSAGE, "%s does not return vdeck.runbook{...}", a->path);
		return lvd_raise(L, &e);
	}
	lvd_runbook_prepare(L, 1, a->argc, a->argv);
	lua_getfield(L, 1, "name");
	lua_remove(L, 1);
	return 4;
}

static void err_from_lua(lua_State *L, struct vd_err *err)
{
	err_set(err, lvd_error_exit(L, -1) == EXIT_USAGE ? VD_EUSAGE : VD_EINVAL, "%s", lvd_error_string(L, -1));
	lua_settop(L, 0);
}

int vlua_job_runbook(struct vlua *vl, const char *path, int argc, char **argv, unsigned *job_id,
		     struct vd_err *err)
{
	lua_State *L = vl->L;
	lua_settop(L, 0);
	struct rb_args a = { path, argc, argv };
	lua_pushcfunction(L, rb_prepare);
	lua_pushlightuserdata(L, &a);
	if (lua_pcall(L, 1, 4, 0) != LUA_OK) {
		err_from_lua(L, err);
		return -1;
	}
	struct strbuf desc;
	sb_init(&desc);
	sb_append(&desc, lua_tostring(L, 4));
	for (int i = 0; i < argc; i++)
		sb_appendf(&desc, " %s", argv[i]);
	lua_pop(L, 1);
	struct vjob *j = job_new(vl, vl->ctx.opts->dry_run ? "dry-run" : "runbook", "", "", desc.buf, 2);
	sb_free(&desc);
	lua_settop(L, 0);
	*job_id = j->id;
	return 0;
}

/* The body of an operation job: d[op](d, opts), its result as output. */
static const char op_body[] =
	"local d, op, opts = ...\n"
	"local r = d[op](d, opts)\n"
	"if r.call then print(r.call) end\n"
	"return (r.message and r.message ~= '' and r.message) or 'ok'\n";

int vlua_job_op(struct vlua *vl, const char *op, const char *host, const char *dom, int argc, char **argv,
		unsigned *job_id, struct vd_err *err)
{
	lua_State *L = vl->L;
	const struct op_def *def = optable_find(op);
	struct host *h = cluster_host(vl->ctx.cluster, host);
	struct domain *d = h ? host_find_domain_name(h, dom) : NULL;
	if (!def || def->target != OP_DOMAIN)
		return err_set(err, VD_EINVAL, "%s: not an operation on a VM", op);
	if (!d)
		return err_set(err, VD_ENOTFOUND, "no VM %s on host %s", dom, host);
	lua_settop(L, 0);
	if (luaL_loadbuffer(L, op_body, sizeof op_body - 1, "=op") != LUA_OK) {
		err_from_lua(L, err);
		return -1;
	}
	lvd_push_domain(L, (size_t)(h - vl->ctx.cluster->hosts), d);
	lua_pushstring(L, op);
	lua_newtable(L);
	struct strbuf desc;
	sb_init(&desc);
	sb_append(&desc, op);
	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		char name[64];
		snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - argv[i]) : 0, argv[i]);
		int ai = eq ? op_arg_index(def, name) : -1;
		if (ai < 0) {
			sb_free(&desc);
			lua_settop(L, 0);
			return err_set(err, VD_EUSAGE, "%s: unknown argument '%s'", op, argv[i]);
		}
		struct op_value pv;
		if (op_value_parse(&def->args[ai], eq + 1, &pv, err) < 0) {
			sb_free(&desc);
			lua_settop(L, 0);
			err_where(err, op, host, dom);
			err->code = VD_EUSAGE;
			return -1;
		}
		free(pv.s);
		/* the op method parses the text again; a boolean must arrive as one */
		if (def->args[ai].type == OT_BOOLEAN)
			lua_pushboolean(L, pv.b);
		else
			lua_pushstring(L, eq + 1);
		lua_setfield(L, -2, name);
		sb_appendf(&desc, " %s", argv[i]);
	}
	struct vjob *j = job_new(vl, op, host, dom, desc.buf, 3);
	sb_free(&desc);
	lua_settop(L, 0);
	*job_id = j->id;
	return 0;
}

/* view_runbooks.c — runbooks found on the search path, a form for the
 * parameters a runbook declares, a dry-run preview and a confirmation.
 *
 * `d` runs the runbook with dry_run forced (a job of the TUI's dry-run
 * runtime) and shows its output — the calls it would make — in the preview
 * pane; `r` asks for confirmation, naming the runbook, its parameters and
 * the marked VMs, then starts the job(s): one run, or one per marked VM when
 * VMs are marked and the runbook takes a `domain` parameter.  The jobs run
 * as coroutines (lua/vlua_job.c): the screen never waits for them. */
#include "tui/tui_priv.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "lua/runbook_info.h"
#include "lua/vlua.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { C_NAME, C_PARAMS, C_DESC, C_N };
static const struct tcol cols[C_N] = {
	[C_NAME] = { "RUNBOOK", 22, 0 },
	[C_PARAMS] = { "PARAMS", 30, 0 },
	[C_DESC] = { "DESCRIPTION", 30, 0 },
};

/* What the view shows. */
enum rb_mode {
	RB_LIST,      /* the runbooks found */
	RB_FORM,      /* one runbook's parameters */
	RB_PREVIEW,   /* the form over a dry run's output */
	RB_CONFIRM,   /* the form, asking y/n before the run */
};

struct runbooks_view {
	struct table         tb;
	struct runbook_info *rbs;
	size_t               nrbs;
	int                  loaded;
	enum rb_mode         mode;
	size_t               cur;        /* runbook of the form */
	char               **values;     /* the form's values, one per parameter */
	size_t               nvalues;
	size_t               field;      /* selected parameter */
	unsigned             preview;    /* dry-run job shown in the preview */
};

static struct runbooks_view *self(struct tui *t)
{
	return view_state(t, V_RUNBOOKS);
}

static void init(struct tui *t, void *state)
{
	(void)t;
	struct runbooks_view *v = state;
	table_init(&v->tb, cols, C_N, C_NAME);
}

static void free_values(struct runbooks_view *v)
{
	for (size_t i = 0; i < v->nvalues; i++)
		free(v->values[i]);
	free(v->values);
	v->values = NULL;
	v->nvalues = 0;
}

static void fini(void *state)
{
	struct runbooks_view *v = state;
	table_free(&v->tb);
	if (v->rbs)
		runbook_info_free(v->rbs, v->nrbs);
	free_values(v);
}

static void reload(struct runbooks_view *v)
{
	if (v->rbs)
		runbook_info_free(v->rbs, v->nrbs);
	v->nrbs = runbook_info_list(&v->rbs);
	v->loaded = 1;
	struct table *tb = &v->tb;
	table_clear(tb);
	for (size_t i = 0; i < v->nrbs; i++) {
		const struct runbook_info *rb = &v->rbs[i];
		struct trow *r = table_add(tb, rb->name, i);
		struct strbuf sb;
		sb_init(&sb);
		for (size_t p = 0; p < rb->nparams; p++)
			sb_appendf(&sb, "%s%s:%s%s", p ? " " : "", rb->params[p].name, rb->params[p].type,
				   rb->params[p].required ? "!" : "");
		row_cell(tb, r, C_NAME, 0, "%s", rb->name);
		row_cell(tb, r, C_PARAMS, (double)rb->nparams, "%s", sb.buf);
		row_cell(tb, r, C_DESC, 0, "%s", rb->error ? rb->error : rb->description);
		if (rb->error)
			r->style = EL_CRIT;
		row_done(tb, r);
		sb_free(&sb);
	}
}

void runbooks_view_open(struct tui *t)
{
	struct runbooks_view *v = self(t);
	reload(v);
	v->mode = RB_LIST;
	tui_switch(t, V_RUNBOOKS, 1);
}

static void open_form(struct runbooks_view *v, size_t i)
{
	free_values(v);
	v->cur = i;
	const struct runbook_info *rb = &v->rbs[i];
	v->nvalues = rb->nparams;
	v->values = x_calloc(rb->nparams + 1, sizeof *v->values);
	for (size_t p = 0; p < rb->nparams; p++)
		v->values[p] = x_strdup(rb->params[p].def ? rb->params[p].def : "");
	v->field = 0;
	v->mode = RB_FORM;
}

static void command_line(const struct runbooks_view *v, struct strbuf *sb)
{
	const struct runbook_info *rb = &v->rbs[v->cur];
	sb_appendf(sb, "vdeck --exec %s", rb->name);
	for (size_t p = 0; p < rb->nparams; p++)
		if (v->values[p][0]) {
			sb_appendf(sb, " %s=", rb->params[p].name);
			sb_append_shell(sb, v->values[p]);
		}
}

static ssize_t domain_param(const struct runbooks_view *v);
static size_t marked_targets(struct tui *t);

static const char *missing_param(struct tui *t)
{
	const struct runbooks_view *v = self(t);
	const struct runbook_info *rb = &v->rbs[v->cur];
	for (size_t p = 0; p < rb->nparams; p++)
		if (rb->params[p].required && !v->values[p][0] &&
		    !((ssize_t)p == domain_param(v) && marked_targets(t)))
			return rb->params[p].name;
	return NULL;
}

/* name=value words of the filled-in fields; override replaces param k. */
static int form_argv(const struct runbooks_view *v, char **argv, int max, ssize_t k, const char *override)
{
	const struct runbook_info *rb = &v->rbs[v->cur];
	int n = 0;
	for (size_t p = 0; p < rb->nparams && n < max; p++) {
		const char *val = (ssize_t)p == k ? override : v->values[p];
		if (val && val[0])
			argv[n++] = x_asprintf("%s=%s", rb->params[p].name, val);
	}
	return n;
}

static void free_argv(char **argv, int n)
{
	for (int i = 0; i < n; i++)
		free(argv[i]);
}

/* The runbook's first `domain` parameter, -1 none. */
static ssize_t domain_param(const struct runbooks_view *v)
{
	const struct runbook_info *rb = &v->rbs[v->cur];
	for (size_t p = 0; p < rb->nparams; p++)
		if (!strcmp(rb->params[p].type, "domain"))
			return (ssize_t)p;
	return -1;
}

/* The VMs marked in the VMs view: "host/vm" keys. */
static const struct table *vms_marked(struct tui *t)
{
	return view_vms.table(t);
}

/* Marked VMs the run applies to (0 when none or no domain parameter). */
static size_t marked_targets(struct tui *t)
{
	return domain_param(self(t)) >= 0 ? vms_marked(t)->nmarks : 0;
}

static void edit_done(struct tui *t, void *ctx, const char *line)
{
	struct runbooks_view *v = ctx;
	if (v->mode != RB_FORM || v->field >= v->nvalues)
		return;
	free(v->values[v->field]);
	v->values[v->field] = x_strdup(line ? line : "");
	/* said at once; the run refuses it the same way (lua/runbook.c) */
	struct vd_err err;
	err_clear(&err);
	if (line && *line && runbook_param_check(&v->rbs[v->cur].params[v->field], line, &err) < 0)
		tui_status(t, 1, "%s", err.msg);
}

static const struct prompt edit_prompt = { .done = edit_done };

static void update(struct tui *t)
{
	struct runbooks_view *v = self(t);
	if (!v->loaded)
		reload(v);
}

static void draw_form(struct tui *t, int y0, int h)
{
	const struct runbooks_view *v = self(t);
	const struct runbook_info *rb = &v->rbs[v->cur];
	int y = y0;
	char text[512];
	snprintf(text, sizeof text, "Runbook %s — %s", rb->name, rb->description);
	put_text(y++, 0, COLS, text, theme_attr(EL_ACCENT) | A_BOLD, 0);
	put_text(y++, 0, COLS, rb->path, theme_attr(EL_DIM), 0);
	y++;
	put_text(y++, 0, COLS, "  PARAMETER            TYPE      VALUE                     DESCRIPTION", theme_attr(EL_HEADER), 0);
	for (size_t p = 0; p < rb->nparams && y < y0 + h - 6; p++) {
		const struct runbook_param *rp = &rb->params[p];
		char vals[128] = "";
		for (size_t i = 0; rp->values && rp->values[i] && strlen(vals) + 20 < sizeof vals; i++)
			snprintf(vals + strlen(vals), sizeof vals - strlen(vals), "%s%s", i ? "|" : " [", rp->values[i]);
		if (vals[0])
			strcat(vals, "]");
		snprintf(text, sizeof text, "  %-20.20s %-9.9s %-25.25s %s%s%s", rp->name, rp->type,
			 v->values[p][0] ? v->values[p] : rp->required ? "(required)" : "",
			 rp->description ? rp->description : "", vals, rp->required ? " *" : "");
		put_text(y++, 0, COLS, text, theme_attr(p == v->field && v->mode == RB_FORM ? EL_SELECTED : EL_NORMAL), 1);
	}
	if (!rb->nparams)
		put_text(y++, 2, COLS - 2, "(no parameters)", theme_attr(EL_DIM), 0);
	y++;
	struct strbuf sb;
	sb_init(&sb);
	command_line(v, &sb);
	size_t marked = marked_targets(t);
	if (marked) {
		char list[400] = "";
		for (size_t i = 0; i < marked && strlen(list) + 2 < sizeof list; i++)
			snprintf(list + strlen(list), sizeof list - strlen(list), " %s", vms_marked(t)->marks[i]);
		put_textf(y++, 0, COLS, theme_attr(EL_ACCENT), "Marked VMs (%s = each):%s",
			  rb->params[domain_param(v)].name, list);
	}
	if (v->mode == RB_FORM) {
		int ro = t->opts->readonly && rb->mutating;
		put_text(y++, 0, COLS, ro ? "Enter edits a value (enum: cycles), d dry-run preview, Esc back   [read-only session]" :
			 "Enter edits a value (enum: cycles), d dry-run preview, r run, Esc back", theme_attr(EL_DIM), 0);
	} else if (v->mode == RB_PREVIEW) {
		struct job *j = jobs_find(&t->c->jobs, v->preview);
		put_textf(y++, 0, COLS, theme_attr(EL_HEADER), "Dry-run preview%s%s — nothing is changed (Esc back)",
			  j ? ": " : "", j ? job_state_name(j->state) : "");
		const char *log = t->vl_dry ? vlua_job_log(t->vl_dry, v->preview) : NULL;
		/* the last lines that fit */
		int rows = y0 + h - y;
		size_t nl = 0;
		for (const char *s = log; s && *s; s++)
			nl += *s == '\n';
		const char *s = log ? log : "";
		for (long skip = (long)nl - rows; skip > 0 && *s; skip--) {
			const char *e = strchr(s, '\n');
			s = e ? e + 1 : s + strlen(s);
		}
		while (*s && y < y0 + h) {
			const char *e = strchr(s, '\n');
			size_t n = e ? (size_t)(e - s) : strlen(s);
			char line[512];
			snprintf(line, sizeof line, "%.*s", (int)n, s);
			put_text(y++, 2, COLS - 2, line, theme_attr(!strncmp(line, "error:", 6) ? EL_CRIT : EL_NORMAL), 0);
			s += n + (e ? 1 : 0);
		}
	} else if (v->mode == RB_CONFIRM) {
		put_textf(y++, 0, COLS, theme_attr(EL_CRIT), "Run %s%s? This may change the cluster.  y = run, any other key = no",
			  rb->name, marked ? " on every marked VM" : "");
		put_textf(y++, 2, COLS - 2, theme_attr(EL_NORMAL), "%s", sb.buf);
	}
	sb_free(&sb);
}

static void draw(struct tui *t, int y0, int h)
{
	struct runbooks_view *v = self(t);
	if (v->mode != RB_LIST && v->cur < v->nrbs) {
		for (int y = y0; y < y0 + h; y++)
			put_text(y, 0, COLS, "", theme_attr(EL_NORMAL), 1);
		draw_form(t, y0, h);
		return;
	}
	table_draw(t, &v->tb, y0, h);
	if (!v->nrbs) {
		struct strbuf sb;
		sb_init(&sb);
		put_text(y0 + 2, 2, COLS - 4, "No runbooks found.  Runbooks are *.lua files returning vdeck.runbook{...} in",
			 theme_attr(EL_DIM), 0);
		put_text(y0 + 3, 4, COLS - 6, "$XDG_CONFIG_HOME/vdeck/runbooks or <datadir>/lua/runbooks (:runbooks rescans).",
			 theme_attr(EL_DIM), 0);
		sb_free(&sb);
	}
}

/* Starts one job (override: the domain parameter's value, or NULL). */
static int start_one(struct tui *t, struct vlua *vl, const char *override, unsigned *id)
{
	const struct runbooks_view *v = self(t);
	const struct runbook_info *rb = &v->rbs[v->cur];
	char *argv[64];
	int argc = form_argv(v, argv, 64, override ? domain_param(v) : -1, override);
	struct vd_err err;
	err_clear(&err);
	int rc = vlua_job_runbook(vl, rb->path, argc, argv, id, &err);
	free_argv(argv, argc);
	if (rc < 0)
		tui_status(t, 1, "%s: %s", rb->name, err.msg);
	return rc;
}

static void dry_run(struct tui *t)
{
	struct runbooks_view *v = self(t);
	if (!t->vl_dry)
		return;
	const char *miss = missing_param(t);
	if (miss) {
		tui_status(t, 1, "parameter '%s' is required", miss);
		return;
	}
	size_t marked = marked_targets(t);
	const char *first = marked ? vms_marked(t)->marks[0] : NULL;
	unsigned id = 0;
	if (start_one(t, t->vl_dry, first ? first + strcspn(first, "/") + 1 : NULL, &id) < 0)
		return;
	v->preview = id;
	v->mode = RB_PREVIEW;
	if (marked > 1)
		tui_status(t, 0, "preview shows the first of %zu marked VMs", marked);
}

static void run_confirmed(struct tui *t)
{
	struct runbooks_view *v = self(t);
	if (!t->vl)
		return;
	size_t marked = marked_targets(t), started = 0;
	unsigned first = 0, id = 0;
	if (!marked) {
		if (start_one(t, t->vl, NULL, &id) == 0)
			first = id, started = 1;
	}
	for (size_t i = 0; i < marked; i++) {
		const char *key = vms_marked(t)->marks[i];
		if (start_one(t, t->vl, key + strcspn(key, "/") + 1, &id) < 0)
			break;
		if (!first)
			first = id;
		started++;
	}
	if (started) {
		v->mode = RB_FORM;
		tui_jobs_started(t, first, started);
	}
}

static int key(struct tui *t, enum action a, int ch)
{
	struct runbooks_view *v = self(t);
	if (v->mode == RB_LIST) {
		if (a == ACT_ENTER) {
			const struct trow *r = table_selected(&v->tb);
			if (r && !v->rbs[r->ref].error)
				open_form(v, r->ref);
			else if (r)
				tui_status(t, 1, "%s: %s", v->rbs[r->ref].name, v->rbs[r->ref].error);
			return 1;
		}
		return table_key(&v->tb, a);
	}
	const struct runbook_info *rb = &v->rbs[v->cur];
	if (v->mode == RB_CONFIRM) {
		v->mode = RB_FORM;
		if (ch == 'y' || ch == 'Y')
			run_confirmed(t);
		else
			tui_status(t, 0, "not run");
		return 1;
	}
	if (a == ACT_BACK) {
		v->mode = v->mode == RB_PREVIEW ? RB_FORM : RB_LIST;
		return 1;
	}
	if (a == ACT_UP && v->field > 0) {
		v->field--;
		return 1;
	}
	if (a == ACT_DOWN && v->field + 1 < rb->nparams) {
		v->field++;
		return 1;
	}
	if (a == ACT_TOP || a == ACT_BOTTOM) {
		v->field = a == ACT_TOP || !rb->nparams ? 0 : rb->nparams - 1;
		return 1;
	}
	if (a == ACT_ENTER && v->mode == RB_FORM && v->field < rb->nparams) {
		const struct runbook_param *rp = &rb->params[v->field];
		if (rp->values && rp->values[0]) {
			size_t i = 0;
			while (rp->values[i] && strcmp(rp->values[i], v->values[v->field]))
				i++;
			i = rp->values[i] && rp->values[i + 1] ? i + 1 : 0;
			free(v->values[v->field]);
			v->values[v->field] = x_strdup(rp->values[i]);
			return 1;
		}
		char prompt[80];
		snprintf(prompt, sizeof prompt, "%s = ", rp->name);
		tui_prompt(t, prompt, v->values[v->field], &edit_prompt, v);
		return 1;
	}
	if (a == ACT_DRYRUN) {
		dry_run(t);
		return 1;
	}
	if (a == ACT_RUN) {
		const char *miss = missing_param(t);
		if (t->opts->readonly && rb->mutating)
			tui_status(t, 1, "read-only session: %s changes the cluster and is refused (d previews)", rb->name);
		else if (miss)
			tui_status(t, 1, "parameter '%s' is required", miss);
		else
			v->mode = RB_CONFIRM;
		return 1;
	}
	return 0;
}

static struct table *table(struct tui *t)
{
	struct runbooks_view *v = self(t);
	return v->mode == RB_LIST ? &v->tb : NULL;
}

static const enum action help[] = {
	ACT_ENTER, ACT_DRYRUN, ACT_RUN, ACT_BACK, ACT_FILTER, ACT_SORT, ACT_UP, ACT_DOWN, ACT_TOP, ACT_BOTTOM, ACT_NONE,
};

const struct view_ops view_runbooks = {
	.name = "runbooks", .state_size = sizeof(struct runbooks_view), .init = init, .fini = fini, .update = update, .draw = draw, .key = key, .table = table, .help = help,
	.help_extra = "Enter opens a runbook's parameter form; in the form Enter edits the value.\n"
		      "d runs it with dry-run forced and shows what it would do; r asks, then runs it as a job.\n"
		      "With VMs marked (VMs view, space), r runs it once per marked VM (its domain parameter).\n"
		      "--readonly refuses runbooks that change the cluster.",
};

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
#include "repl/cmdline.h"

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

enum { RB_LIST, RB_FORM, RB_PREVIEW, RB_CONFIRM };

void runbooks_reload(struct tui *t)
{
	if (t->rbs)
		runbook_info_free(t->rbs, t->nrbs);
	t->nrbs = runbook_info_list(&t->rbs);
	t->rb_loaded = 1;
	struct table *tb = &t->rb_tb;
	if (!tb->cols)
		table_init(tb, cols, C_N, C_NAME);
	table_clear(tb);
	for (size_t i = 0; i < t->nrbs; i++) {
		const struct runbook_info *rb = &t->rbs[i];
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

static void free_values(struct tui *t)
{
	for (size_t i = 0; i < t->rb_nvalues; i++)
		free(t->rb_values[i]);
	free(t->rb_values);
	t->rb_values = NULL;
	t->rb_nvalues = 0;
}

static void open_form(struct tui *t, size_t i)
{
	free_values(t);
	t->rb_cur = i;
	const struct runbook_info *rb = &t->rbs[i];
	t->rb_nvalues = rb->nparams;
	t->rb_values = x_calloc(rb->nparams + 1, sizeof *t->rb_values);
	for (size_t p = 0; p < rb->nparams; p++)
		t->rb_values[p] = x_strdup(rb->params[p].def ? rb->params[p].def : "");
	t->rb_field = 0;
	t->rb_form = RB_FORM;
}

static void command_line(const struct tui *t, struct strbuf *sb)
{
	const struct runbook_info *rb = &t->rbs[t->rb_cur];
	sb_appendf(sb, "vdeck --exec %s", rb->name);
	for (size_t p = 0; p < rb->nparams; p++)
		if (t->rb_values[p][0]) {
			sb_appendf(sb, " %s=", rb->params[p].name);
			sb_append_shell(sb, t->rb_values[p]);
		}
}

static ssize_t domain_param(const struct tui *t);
static size_t marked_targets(const struct tui *t);

static const char *missing_param(const struct tui *t)
{
	const struct runbook_info *rb = &t->rbs[t->rb_cur];
	for (size_t p = 0; p < rb->nparams; p++)
		if (rb->params[p].required && !t->rb_values[p][0] &&
		    !((ssize_t)p == domain_param(t) && marked_targets(t)))
			return rb->params[p].name;
	return NULL;
}

/* name=value words of the filled-in fields; override replaces param k. */
static int form_argv(const struct tui *t, char **argv, int max, ssize_t k, const char *override)
{
	const struct runbook_info *rb = &t->rbs[t->rb_cur];
	int n = 0;
	for (size_t p = 0; p < rb->nparams && n < max; p++) {
		const char *v = (ssize_t)p == k ? override : t->rb_values[p];
		if (v && v[0])
			argv[n++] = x_asprintf("%s=%s", rb->params[p].name, v);
	}
	return n;
}

static void free_argv(char **argv, int n)
{
	for (int i = 0; i < n; i++)
		free(argv[i]);
}

/* The runbook's first `domain` parameter, -1 none. */
static ssize_t domain_param(const struct tui *t)
{
	const struct runbook_info *rb = &t->rbs[t->rb_cur];
	for (size_t p = 0; p < rb->nparams; p++)
		if (!strcmp(rb->params[p].type, "domain"))
			return (ssize_t)p;
	return -1;
}

/* Marked VMs the run applies to (0 when none or no domain parameter). */
static size_t marked_targets(const struct tui *t)
{
	return domain_param(t) >= 0 ? t->vms_tb.nmarks : 0;
}

void runbooks_edit_done(struct tui *t, const char *line)
{
	if (t->rb_form != RB_FORM || t->rb_field >= t->rb_nvalues)
		return;
	free(t->rb_values[t->rb_field]);
	t->rb_values[t->rb_field] = x_strdup(line ? line : "");
	/* said at once; the run refuses it the same way (lua/runbook.c) */
	struct vd_err err;
	err_clear(&err);
	if (line && *line && runbook_param_check(&t->rbs[t->rb_cur].params[t->rb_field], line, &err) < 0)
		tui_status(t, 1, "%s", err.msg);
}

static void update(struct tui *t)
{
	if (!t->rb_loaded)
		runbooks_reload(t);
}

static void draw_form(struct tui *t, int y0, int h)
{
	const struct runbook_info *rb = &t->rbs[t->rb_cur];
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
		for (size_t v = 0; rp->values && rp->values[v] && strlen(vals) + 20 < sizeof vals; v++)
			snprintf(vals + strlen(vals), sizeof vals - strlen(vals), "%s%s", v ? "|" : " [", rp->values[v]);
		if (vals[0])
			strcat(vals, "]");
		snprintf(text, sizeof text, "  %-20.20s %-9.9s %-25.25s %s%s%s", rp->name, rp->type,
			 t->rb_values[p][0] ? t->rb_values[p] : rp->required ? "(required)" : "",
			 rp->description ? rp->description : "", vals, rp->required ? " *" : "");
		put_text(y++, 0, COLS, text, theme_attr(p == t->rb_field && t->rb_form == RB_FORM ? EL_SELECTED : EL_NORMAL), 1);
	}
	if (!rb->nparams)
		put_text(y++, 2, COLS - 2, "(no parameters)", theme_attr(EL_DIM), 0);
	y++;
	struct strbuf sb;
	sb_init(&sb);
	command_line(t, &sb);
	size_t marked = marked_targets(t);
	if (marked) {
		char list[400] = "";
		for (size_t i = 0; i < marked && strlen(list) + 2 < sizeof list; i++)
			snprintf(list + strlen(list), sizeof list - strlen(list), " %s", t->vms_tb.marks[i]);
		put_textf(y++, 0, COLS, theme_attr(EL_ACCENT), "Marked VMs (%s = each):%s",
			  rb->params[domain_param(t)].name, list);
	}
	if (t->rb_form == RB_FORM) {
		int ro = t->opts->readonly && rb->mutating;
		put_text(y++, 0, COLS, ro ? "Enter edits a value (enum: cycles), d dry-run preview, Esc back   [read-only session]" :
			 "Enter edits a value (enum: cycles), d dry-run preview, r run, Esc back", theme_attr(EL_DIM), 0);
	} else if (t->rb_form == RB_PREVIEW) {
		struct job *j = jobs_find(&t->c->jobs, t->rb_preview);
		put_textf(y++, 0, COLS, theme_attr(EL_HEADER), "Dry-run preview%s%s — nothing is changed (Esc back)",
			  j ? ": " : "", j ? job_state_name(j->state) : "");
		const char *log = t->vl_dry ? vlua_job_log(t->vl_dry, t->rb_preview) : NULL;
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
	} else if (t->rb_form == RB_CONFIRM) {
		put_textf(y++, 0, COLS, theme_attr(EL_CRIT), "Run %s%s? This may change the cluster.  y = run, any other key = no",
			  rb->name, marked ? " on every marked VM" : "");
		put_textf(y++, 2, COLS - 2, theme_attr(EL_NORMAL), "%s", sb.buf);
	}
	sb_free(&sb);
}

static void draw(struct tui *t, int y0, int h)
{
	if (t->rb_form != RB_LIST && t->rb_cur < t->nrbs) {
		for (int y = y0; y < y0 + h; y++)
			put_text(y, 0, COLS, "", theme_attr(EL_NORMAL), 1);
		draw_form(t, y0, h);
		return;
	}
	table_draw(t, &t->rb_tb, y0, h);
	if (!t->nrbs) {
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
	const struct runbook_info *rb = &t->rbs[t->rb_cur];
	char *argv[64];
	int argc = form_argv(t, argv, 64, override ? domain_param(t) : -1, override);
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
	if (!t->vl_dry)
		return;
	const char *miss = missing_param(t);
	if (miss) {
		tui_status(t, 1, "parameter '%s' is required", miss);
		return;
	}
	size_t marked = marked_targets(t);
	unsigned id = 0;
	if (start_one(t, t->vl_dry, marked ? t->vms_tb.marks[0] + strcspn(t->vms_tb.marks[0], "/") + 1 : NULL, &id) < 0)
		return;
	t->rb_preview = id;
	t->rb_form = RB_PREVIEW;
	if (marked > 1)
		tui_status(t, 0, "preview shows the first of %zu marked VMs", marked);
}

static void run_confirmed(struct tui *t)
{
	if (!t->vl)
		return;
	size_t marked = marked_targets(t), started = 0;
	unsigned first = 0, id = 0;
	if (!marked) {
		if (start_one(t, t->vl, NULL, &id) == 0)
			first = id, started = 1;
	}
	for (size_t i = 0; i < marked; i++) {
		const char *key = t->vms_tb.marks[i];
		if (start_one(t, t->vl, key + strcspn(key, "/") + 1, &id) < 0)
			break;
		if (!first)
			first = id;
		started++;
	}
	if (started) {
		t->rb_form = RB_FORM;
		tui_jobs_started(t, first, started);
	}
}

static int key(struct tui *t, enum action a, int ch)
{
	if (t->rb_form == RB_LIST) {
		if (a == ACT_ENTER) {
			const struct trow *r = table_selected(&t->rb_tb);
			if (r && !t->rbs[r->ref].error)
				open_form(t, r->ref);
			else if (r)
				tui_status(t, 1, "%s: %s", t->rbs[r->ref].name, t->rbs[r->ref].error);
			return 1;
		}
		return table_key(&t->rb_tb, a);
	}
	const struct runbook_info *rb = &t->rbs[t->rb_cur];
	if (t->rb_form == RB_CONFIRM) {
		t->rb_form = RB_FORM;
		if (ch == 'y' || ch == 'Y')
			run_confirmed(t);
		else
			tui_status(t, 0, "not run");
		return 1;
	}
	if (a == ACT_BACK) {
		t->rb_form = t->rb_form == RB_PREVIEW ? RB_FORM : RB_LIST;
		return 1;
	}
	if (a == ACT_UP && t->rb_field > 0) {
		t->rb_field--;
		return 1;
	}
	if (a == ACT_DOWN && t->rb_field + 1 < rb->nparams) {
		t->rb_field++;
		return 1;
	}
	if (a == ACT_TOP || a == ACT_BOTTOM) {
		t->rb_field = a == ACT_TOP || !rb->nparams ? 0 : rb->nparams - 1;
		return 1;
	}
	if (a == ACT_ENTER && t->rb_form == RB_FORM && t->rb_field < rb->nparams) {
		const struct runbook_param *rp = &rb->params[t->rb_field];
		if (rp->values && rp->values[0]) {
			size_t v = 0;
			while (rp->values[v] && strcmp(rp->values[v], t->rb_values[t->rb_field]))
				v++;
			v = rp->values[v] && rp->values[v + 1] ? v + 1 : 0;
			free(t->rb_values[t->rb_field]);
			t->rb_values[t->rb_field] = x_strdup(rp->values[v]);
			return 1;
		}
		char prompt[80];
		snprintf(prompt, sizeof prompt, "%s = ", rp->name);
		cmdline_begin(prompt);
		for (const char *s = t->rb_values[t->rb_field]; *s; s++)
			cmdline_feed((unsigned char)*s);
		t->cmd_mode = 'e';
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
			t->rb_form = RB_CONFIRM;
		return 1;
	}
	return 0;
}

static struct table *table(struct tui *t)
{
	return t->rb_form == RB_LIST ? &t->rb_tb : NULL;
}

static const enum action help[] = {
	ACT_ENTER, ACT_DRYRUN, ACT_RUN, ACT_BACK, ACT_FILTER, ACT_SORT, ACT_UP, ACT_DOWN, ACT_NONE,
};

const struct view_ops view_runbooks = {
	.name = "runbooks", .update = update, .draw = draw, .key = key, .table = table, .help = help,
	.help_extra = "Enter opens a runbook's parameter form; in the form Enter edits the value.\n"
		      "d runs it with dry-run forced and shows what it would do; r asks, then runs it as a job.\n"
		      "With VMs marked (VMs view, space), r runs it once per marked VM (its domain parameter).\n"
		      "--readonly refuses runbooks that change the cluster.",
};

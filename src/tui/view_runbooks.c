/* view_runbooks.c — runbooks found on the search path, a form for the
 * parameters a runbook declares, a dry-run preview and a confirmation.
 *
 * TODO(runner): the TUI does not execute runbooks yet.  Running one needs
 * the Lua runtime to run it as a coroutine on the loop thread (operations
 * through fleet_call_async) so the screen keeps drawing; until that lands
 * a confirmed run is recorded as a cancelled job plus an audit event, and
 * the preview shows the equivalent `vdeck --exec` command line. */
#include "tui/tui_priv.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "lua/runbook_info.h"
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

static const char *missing_param(const struct tui *t)
{
	const struct runbook_info *rb = &t->rbs[t->rb_cur];
	for (size_t p = 0; p < rb->nparams; p++)
		if (rb->params[p].required && !t->rb_values[p][0])
			return rb->params[p].name;
	return NULL;
}

void runbooks_edit_done(struct tui *t, const char *line)
{
	if (t->rb_form != RB_FORM || t->rb_field >= t->rb_nvalues)
		return;
	free(t->rb_values[t->rb_field]);
	t->rb_values[t->rb_field] = x_strdup(line ? line : "");
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
	if (t->rb_form == RB_FORM) {
		put_text(y++, 0, COLS, "Enter edits a value (enum: cycles), d dry-run preview, r run, Esc back",
			 theme_attr(EL_DIM), 0);
	} else if (t->rb_form == RB_PREVIEW) {
		put_text(y++, 0, COLS, "Dry-run preview", theme_attr(EL_HEADER), 0);
		put_textf(y++, 2, COLS - 2, theme_attr(EL_NORMAL), "%s --dry-run", sb.buf);
		put_text(y++, 2, COLS - 2, "TODO(runner): the TUI does not run runbooks yet; the line above prints every change",
			 theme_attr(EL_WARN), 0);
		put_text(y++, 2, COLS - 2, "the runbook would make (libvirt XML, host commands) and makes none.",
			 theme_attr(EL_WARN), 0);
	} else if (t->rb_form == RB_CONFIRM) {
		put_textf(y++, 0, COLS, theme_attr(EL_CRIT), "Run %s? This may change the cluster.  y = run, any other key = no",
			  rb->name);
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

static void run_confirmed(struct tui *t)
{
	const struct runbook_info *rb = &t->rbs[t->rb_cur];
	struct strbuf sb;
	sb_init(&sb);
	command_line(t, &sb);
	struct job *j = jobs_add(&t->c->jobs, "runbook", "", "", rb->name);
	if (j)
		jobs_finish(&t->c->jobs, j, JOB_CANCELLED, "not run: the TUI runbook runner is a TODO; use vdeck --exec");
	eventlog_add(&t->c->events, EV_AUDIT, "", "runbook %s requested from the TUI (not run: runner TODO): %s",
		     rb->name, sb.buf);
	tui_status(t, 1, "runbook runner not wired into the TUI yet: run `%s` from a shell", sb.buf);
	sb_free(&sb);
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
		if (ch == 'y' || ch == 'Y')
			run_confirmed(t);
		else
			tui_status(t, 0, "not run");
		t->rb_form = RB_FORM;
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
		const char *miss = missing_param(t);
		if (miss)
			tui_status(t, 1, "parameter '%s' is required", miss);
		else
			t->rb_form = RB_PREVIEW;
		return 1;
	}
	if (a == ACT_RUN) {
		const char *miss = missing_param(t);
		if (t->opts->readonly && rb->mutating)
			tui_status(t, 1, "--readonly: %s changes the cluster and is refused", rb->name);
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
		      "--readonly refuses runbooks that change the cluster.",
};

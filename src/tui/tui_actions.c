/* tui_actions.c — the VMs view's action menu: the operations of the
 * operation table that act on a VM, applied to the marked VMs (or the
 * selected one when none is marked).
 *
 *   a → menu (name, summary, flags) → Enter → one command-line prompt for
 *   the arguments (required ones pre-filled as "name=") → confirmation:
 *   y/n naming the operation and the targets, or typing `yes` for a
 *   destructive operation → one job per target (see the Jobs view).
 *
 * Under --readonly the menu does not open: the key says why. */
#include "tui/tui_priv.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "lua/vlua.h"
#include "ops/optable.h"
#include "tui/cmdline.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The i-th operation offered (domain operations that change something). */
static const struct op_def *menu_at(size_t i)
{
	size_t k = 0;
	for (size_t n = 0; n < optable_count(); n++) {
		const struct op_def *d = optable_at(n);
		if (d->target != OP_DOMAIN || !(d->flags & OPF_MUTATES))
			continue;
		if (k++ == i)
			return d;
	}
	return NULL;
}

static size_t menu_count(void)
{
	size_t n = 0;
	while (menu_at(n))
		n++;
	return n;
}

static void free_targets(struct tui *t)
{
	for (size_t i = 0; i < t->nact_targets; i++)
		free(t->act_targets[i]);
	free(t->act_targets);
	t->act_targets = NULL;
	t->nact_targets = 0;
}

void actions_free(struct tui *t)
{
	free_targets(t);
	free(t->act_args);
	t->act_args = NULL;
	t->act_state = 0;
}

static void collect_targets(struct tui *t)
{
	free_targets(t);
	struct table *tb = &t->vms_tb;
	if (tb->nmarks) {
		t->act_targets = x_calloc(tb->nmarks, sizeof *t->act_targets);
		for (size_t i = 0; i < tb->nmarks; i++)
			t->act_targets[t->nact_targets++] = x_strdup(tb->marks[i]);
		return;
	}
	const struct trow *r = table_selected(tb);
	if (r) {
		t->act_targets = x_calloc(1, sizeof *t->act_targets);
		t->act_targets[t->nact_targets++] = x_strdup(r->key);
	}
}

static void targets_text(const struct tui *t, char *buf, size_t len)
{
	if (t->nact_targets == 1) {
		snprintf(buf, len, "%s", t->act_targets[0]);
		return;
	}
	size_t n = (size_t)snprintf(buf, len, "%zu VMs:", t->nact_targets);
	for (size_t i = 0; i < t->nact_targets && n + 2 < len; i++)
		n += (size_t)snprintf(buf + n, len - n, " %s", t->act_targets[i]);
}

/* Splits "a=1 b=2" into words (no quoting: values have no spaces). */
static size_t split_words(char *s, char **words, size_t max)
{
	size_t n = 0;
	for (char *save = NULL, *w = strtok_r(s, " \t", &save); w && n < max; w = strtok_r(NULL, " \t", &save))
		words[n++] = w;
	return n;
}

static void start_jobs(struct tui *t)
{
	char *args = x_strdup(t->act_args ? t->act_args : "");
	char *words[OP_MAX_ARGS];
	int nw = (int)split_words(args, words, OP_MAX_ARGS);
	unsigned first = 0;
	size_t started = 0;
	for (size_t i = 0; i < t->nact_targets; i++) {
		char host[64];
		const char *key = t->act_targets[i], *slash = strchr(key, '/');
		if (!slash)
			continue;
		snprintf(host, sizeof host, "%.*s", (int)(slash - key), key);
		unsigned id = 0;
		struct vd_err err;
		err_clear(&err);
		if (vlua_job_op(t->vl, t->act_op->name, host, slash + 1, nw, words, &id, &err) < 0) {
			tui_status(t, 1, "%s on %s: %s", t->act_op->name, key, err.msg);
			break;
		}
		if (!first)
			first = id;
		started++;
	}
	free(args);
	if (started)
		tui_jobs_started(t, first, started);
	table_clear_marks(&t->vms_tb);
	actions_free(t);
}

static void ask_confirmation(struct tui *t)
{
	if (t->act_op->flags & OPF_DESTRUCTIVE) {
		char tg[200], prompt[320];
		targets_text(t, tg, sizeof tg);
		snprintf(prompt, sizeof prompt, "%s is destructive (%s) on %s — type yes to go on: ", t->act_op->name,
			 t->act_op->summary, tg);
		cmdline_begin(prompt);
		t->cmd_mode = 'Y';
		t->act_state = 0;
		return;
	}
	t->act_state = 2;
}

void actions_args_done(struct tui *t, const char *line)
{
	if (!t->act_op)
		return;
	free(t->act_args);
	t->act_args = x_strdup(line ? line : "");
	ask_confirmation(t);
	t->dirty = 1;
}

void actions_yes_done(struct tui *t, const char *line)
{
	if (t->act_op && line && !strcmp(line, "yes")) {
		start_jobs(t);
	} else {
		tui_status(t, 0, "%s not run (type yes to confirm)", t->act_op ? t->act_op->name : "operation");
		actions_free(t);
	}
}

static void choose(struct tui *t)
{
	t->act_op = menu_at(t->act_sel);
	if (!t->act_op)
		return;
	collect_targets(t);
	if (!t->nact_targets) {
		tui_status(t, 1, "no VM selected");
		actions_free(t);
		return;
	}
	/* One prompt for the arguments; required ones are pre-filled. */
	struct strbuf sb;
	sb_init(&sb);
	int any = 0;
	for (size_t i = 0; i < t->act_op->nargs; i++) {
		const struct op_arg *a = &t->act_op->args[i];
		if (a->type == OT_CALLBACK)
			continue;
		any = 1;
		if (a->flags & OAF_REQUIRED)
			sb_appendf(&sb, "%s%s=", sb.len ? " " : "", a->name);
	}
	t->act_state = 0;
	if (!any) {
		free(t->act_args);
		t->act_args = x_strdup("");
		ask_confirmation(t);
		sb_free(&sb);
		return;
	}
	char prompt[200];
	snprintf(prompt, sizeof prompt, "%s (name=value ...): ", t->act_op->name);
	cmdline_begin(prompt);
	for (const char *s = sb.buf; *s; s++)
		cmdline_feed((unsigned char)*s);
	t->cmd_mode = 'A';
	sb_free(&sb);
}

int actions_key(struct tui *t, enum action a, int ch)
{
	if (t->act_state == 2) {
		if (ch == 'y' || ch == 'Y')
			start_jobs(t);
		else {
			tui_status(t, 0, "%s not run", t->act_op ? t->act_op->name : "operation");
			actions_free(t);
		}
		return 1;
	}
	if (t->act_state == 1) {
		size_t n = menu_count();
		if (a == ACT_UP && t->act_sel > 0)
			t->act_sel--;
		else if (a == ACT_DOWN && t->act_sel + 1 < n)
			t->act_sel++;
		else if (a == ACT_TOP)
			t->act_sel = 0;
		else if (a == ACT_BOTTOM)
			t->act_sel = n ? n - 1 : 0;
		else if (a == ACT_ENTER)
			choose(t);
		else if (a == ACT_BACK || a == ACT_ACTIONS || a == ACT_QUIT)
			actions_free(t);
		return 1;
	}
	if (a == ACT_ACTIONS) {
		if (t->opts->readonly) {
			tui_status(t, 1, "read-only session: operations are disabled (--readonly)");
			return 1;
		}
		t->act_state = 1;
		t->act_sel = 0;
		return 1;
	}
	return 0;
}

static void flags_text(unsigned f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", f & OPF_LIVE ? "live " : "", f & OPF_CONFIG ? "config " : "",
		 f & OPF_LONG ? "long " : "", f & OPF_DESTRUCTIVE ? "DESTRUCTIVE" : "");
}

void actions_draw(struct tui *t, int y0, int h)
{
	if (!t->act_state)
		return;
	int attr = theme_attr(EL_HELP);
	if (t->act_state == 2) {
		char tg[300], line[512];
		targets_text(t, tg, sizeof tg);
		snprintf(line, sizeof line, "Apply %s %s to %s?  y = run, any other key = no", t->act_op->name,
			 t->act_args ? t->act_args : "", tg);
		int w = COLS - 4;
		for (int r = -2; r < 2; r++)
			put_text(y0 + h / 2 + r, 2, w, "", attr, 1);
		put_box(y0 + h / 2 - 2, 2, 4, w, "Confirm", attr);
		put_text(y0 + h / 2 - 1, 4, w - 4, line, attr | A_BOLD, 1);
		put_text(y0 + h / 2, 4, w - 4, t->act_op->summary, attr, 1);
		return;
	}
	size_t n = menu_count();
	int w = COLS - 8 < 100 ? COLS - 8 : 100, bh = (int)n + 2;
	if (bh > h)
		bh = h;
	int x0 = (COLS - w) / 2, by = y0 + 1;
	for (int r = 0; r < bh; r++)
		put_text(by + r, x0, w, "", attr, 1);
	struct table *tb = &t->vms_tb;
	char title[96];
	if (tb->nmarks)
		snprintf(title, sizeof title, "Operations on %zu marked VMs (Enter chooses, Esc closes)", tb->nmarks);
	else
		snprintf(title, sizeof title, "Operations on the selected VM (Enter chooses, Esc closes)");
	put_box(by, x0, bh, w, title, attr);
	for (size_t i = 0; i < n && (int)i < bh - 2; i++) {
		const struct op_def *d = menu_at(i);
		char fl[64], line[256];
		flags_text(d->flags, fl, sizeof fl);
		snprintf(line, sizeof line, " %-16s %-44.44s %s", d->name, d->summary, fl);
		put_text(by + 1 + (int)i, x0 + 1, w - 2, line,
			 i == t->act_sel ? theme_attr(EL_SELECTED) : (d->flags & OPF_DESTRUCTIVE) ? theme_attr(EL_WARN) : attr, 1);
	}
}

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

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum actions_state {
	ACTIONS_CLOSED,
	ACTIONS_MENU,      /* choosing an operation */
	ACTIONS_CONFIRM,   /* y/n over the VMs (a destructive one asks on the command line) */
};

struct actions_menu {
	enum actions_state  state;
	struct table       *vms;        /* whose marks, else selection, are the targets */
	size_t              sel;        /* menu line */
	const struct op_def *op;
	char               *args;       /* "name=value ..." as typed */
	char              **targets;    /* "host/vm" */
	size_t              ntargets;
};

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

static void free_targets(struct actions_menu *m)
{
	for (size_t i = 0; i < m->ntargets; i++)
		free(m->targets[i]);
	free(m->targets);
	m->targets = NULL;
	m->ntargets = 0;
}

/* Back to closed, forgetting the targets and arguments. */
static void close_menu(struct actions_menu *m)
{
	free_targets(m);
	free(m->args);
	m->args = NULL;
	m->state = ACTIONS_CLOSED;
}

struct actions_menu *actions_new(struct table *vms)
{
	struct actions_menu *m = x_calloc(1, sizeof *m);
	m->vms = vms;
	return m;
}

void actions_free(struct actions_menu **pm)
{
	if (!*pm)
		return;
	close_menu(*pm);
	x_free(pm);
}

static void collect_targets(struct actions_menu *m)
{
	free_targets(m);
	struct table *tb = m->vms;
	if (tb->nmarks) {
		m->targets = x_calloc(tb->nmarks, sizeof *m->targets);
		for (size_t i = 0; i < tb->nmarks; i++)
			m->targets[m->ntargets++] = x_strdup(tb->marks[i]);
		return;
	}
	const struct trow *r = table_selected(tb);
	if (r) {
		m->targets = x_calloc(1, sizeof *m->targets);
		m->targets[m->ntargets++] = x_strdup(r->key);
	}
}

static void targets_text(const struct actions_menu *m, char *buf, size_t len)
{
	if (m->ntargets == 1) {
		snprintf(buf, len, "%s", m->targets[0]);
		return;
	}
	size_t n = (size_t)snprintf(buf, len, "%zu VMs:", m->ntargets);
	for (size_t i = 0; i < m->ntargets && n + 2 < len; i++)
		n += (size_t)snprintf(buf + n, len - n, " %s", m->targets[i]);
}

/* Splits "a=1 b=2" into words (no quoting: values have no spaces). */
static size_t split_words(char *s, char **words, size_t max)
{
	size_t n = 0;
	for (char *save = NULL, *w = strtok_r(s, " \t", &save); w && n < max; w = strtok_r(NULL, " \t", &save))
		words[n++] = w;
	return n;
}

static void start_jobs(struct tui *t, struct actions_menu *m)
{
	char *args = x_strdup(m->args ? m->args : "");
	char *words[OP_MAX_ARGS];
	int nw = (int)split_words(args, words, OP_MAX_ARGS);
	unsigned first = 0;
	size_t started = 0;
	for (size_t i = 0; i < m->ntargets; i++) {
		char host[64];
		const char *key = m->targets[i], *slash = strchr(key, '/');
		if (!slash)
			continue;
		snprintf(host, sizeof host, "%.*s", (int)(slash - key), key);
		unsigned id = 0;
		struct vd_err err;
		err_clear(&err);
		if (vlua_job_op(t->vl, m->op->name, host, slash + 1, nw, words, &id, &err) < 0) {
			tui_status(t, 1, "%s on %s: %s", m->op->name, key, err.msg);
			break;
		}
		if (!first)
			first = id;
		started++;
	}
	free(args);
	if (started)
		tui_jobs_started(t, first, started);
	table_clear_marks(m->vms);
	close_menu(m);
}

static void cancelled(struct tui *t, void *ctx)
{
	(void)t;
	close_menu(ctx);
}

static void yes_done(struct tui *t, void *ctx, const char *line)
{
	struct actions_menu *m = ctx;
	if (m->op && line && !strcmp(line, "yes")) {
		start_jobs(t, m);
	} else {
		tui_status(t, 0, "%s not run (type yes to confirm)", m->op ? m->op->name : "operation");
		close_menu(m);
	}
}

static const struct prompt yes_prompt = { .done = yes_done, .cancel = cancelled };

static void ask_confirmation(struct tui *t, struct actions_menu *m)
{
	if (m->op->flags & OPF_DESTRUCTIVE) {
		char tg[200], prompt[320];
		targets_text(m, tg, sizeof tg);
		snprintf(prompt, sizeof prompt, "%s is destructive (%s) on %s — type yes to go on: ", m->op->name,
			 m->op->summary, tg);
		m->state = ACTIONS_CLOSED;
		tui_prompt(t, prompt, NULL, &yes_prompt, m);
		return;
	}
	m->state = ACTIONS_CONFIRM;
}

static void args_done(struct tui *t, void *ctx, const char *line)
{
	struct actions_menu *m = ctx;
	if (!m->op)
		return;
	free(m->args);
	m->args = x_strdup(line ? line : "");
	ask_confirmation(t, m);
	t->dirty = 1;
}

static const struct prompt args_prompt = { .done = args_done, .cancel = cancelled };

static void choose(struct tui *t, struct actions_menu *m)
{
	m->op = menu_at(m->sel);
	if (!m->op)
		return;
	collect_targets(m);
	if (!m->ntargets) {
		tui_status(t, 1, "no VM selected");
		close_menu(m);
		return;
	}
	/* One prompt for the arguments; required ones are pre-filled. */
	struct strbuf sb;
	sb_init(&sb);
	int any = 0;
	for (size_t i = 0; i < m->op->nargs; i++) {
		const struct op_arg *a = &m->op->args[i];
		if (a->type == OT_CALLBACK)
			continue;
		any = 1;
		if (a->flags & OAF_REQUIRED)
			sb_appendf(&sb, "%s%s=", sb.len ? " " : "", a->name);
	}
	m->state = ACTIONS_CLOSED;
	if (!any) {
		free(m->args);
		m->args = x_strdup("");
		ask_confirmation(t, m);
		sb_free(&sb);
		return;
	}
	char prompt[200];
	snprintf(prompt, sizeof prompt, "%s (name=value ...): ", m->op->name);
	tui_prompt(t, prompt, sb.buf, &args_prompt, m);
	sb_free(&sb);
}

int actions_key(struct tui *t, struct actions_menu *m, enum action a, int ch)
{
	if (m->state == ACTIONS_CONFIRM) {
		if (ch == 'y' || ch == 'Y')
			start_jobs(t, m);
		else {
			tui_status(t, 0, "%s not run", m->op ? m->op->name : "operation");
			close_menu(m);
		}
		return 1;
	}
	if (m->state == ACTIONS_MENU) {
		size_t n = menu_count();
		if (a == ACT_UP && m->sel > 0)
			m->sel--;
		else if (a == ACT_DOWN && m->sel + 1 < n)
			m->sel++;
		else if (a == ACT_TOP)
			m->sel = 0;
		else if (a == ACT_BOTTOM)
			m->sel = n ? n - 1 : 0;
		else if (a == ACT_ENTER)
			choose(t, m);
		else if (a == ACT_BACK || a == ACT_ACTIONS || a == ACT_QUIT)
			close_menu(m);
		return 1;
	}
	if (a == ACT_ACTIONS) {
		if (t->opts->readonly) {
			tui_status(t, 1, "read-only session: operations are disabled (--readonly)");
			return 1;
		}
		m->state = ACTIONS_MENU;
		m->sel = 0;
		return 1;
	}
	return 0;
}

static void flags_text(unsigned f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", f & OPF_LIVE ? "live " : "", f & OPF_CONFIG ? "config " : "",
		 f & OPF_LONG ? "long " : "", f & OPF_DESTRUCTIVE ? "DESTRUCTIVE" : "");
}

void actions_draw(const struct actions_menu *m, int y0, int h)
{
	if (m->state == ACTIONS_CLOSED)
		return;
	int attr = theme_attr(EL_HELP);
	if (m->state == ACTIONS_CONFIRM) {
		char tg[300], line[512];
		targets_text(m, tg, sizeof tg);
		snprintf(line, sizeof line, "Apply %s %s to %s?  y = run, any other key = no", m->op->name,
			 m->args ? m->args : "", tg);
		int w = COLS - 4;
		for (int r = -2; r < 2; r++)
			put_text(y0 + h / 2 + r, 2, w, "", attr, 1);
		put_box(y0 + h / 2 - 2, 2, 4, w, "Confirm", attr);
		put_text(y0 + h / 2 - 1, 4, w - 4, line, attr | A_BOLD, 1);
		put_text(y0 + h / 2, 4, w - 4, m->op->summary, attr, 1);
		return;
	}
	size_t n = menu_count();
	int w = COLS - 8 < 100 ? COLS - 8 : 100, bh = (int)n + 2;
	if (bh > h)
		bh = h;
	int x0 = (COLS - w) / 2, by = y0 + 1;
	for (int r = 0; r < bh; r++)
		put_text(by + r, x0, w, "", attr, 1);
	const struct table *tb = m->vms;
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
			 i == m->sel ? theme_attr(EL_SELECTED) : (d->flags & OPF_DESTRUCTIVE) ? theme_attr(EL_WARN) : attr, 1);
	}
}

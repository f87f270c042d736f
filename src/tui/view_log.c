/* view_log.c — alerts, host state changes and the audit trail from
 * cluster->events, and the console's own log lines (-v), newest first. */
#include "tui/tui_priv.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { C_TIME, C_KIND, C_HOST, C_TEXT, C_N };

static const struct tcol cols[C_N] = {
	[C_TIME] = { "TIME", 8, TC_NUM },
	[C_KIND] = { "KIND", 6, 0 },
	[C_HOST] = { "HOST", 12, 0 },
	[C_TEXT] = { "EVENT", 40, 0 },
};

struct log_view {
	struct table tb;
	unsigned     gen;    /* events.generation the rows show */
};

static struct table *table(struct tui *t)
{
	struct log_view *v = view_state(t, V_LOG);
	return &v->tb;
}

static void init(struct tui *t, void *state)
{
	struct log_view *v = state;
	table_init(&v->tb, cols, C_N, C_TIME);
	v->tb.sort_rev = 1;
	v->gen = t->c->events.generation - 1;   /* not built yet */
}

static void fini(void *state)
{
	struct log_view *v = state;
	table_free(&v->tb);
}

static void update(struct tui *t)
{
	struct log_view *v = view_state(t, V_LOG);
	struct table *tb = &v->tb;
	if (v->gen == t->c->events.generation)
		return;
	v->gen = t->c->events.generation;
	table_clear(tb);
	const struct eventlog *log = &t->c->events;
	for (size_t i = 0; i < log->n; i++) {
		const struct event *e = eventlog_get(log, i);
		char key[32], when[16];
		snprintf(key, sizeof key, "%.6f/%zu", e->t, i);
		struct trow *r = table_add(tb, key, i);
		time_t st = (time_t)e->t;
		struct tm tm;
		localtime_r(&st, &tm);
		strftime(when, sizeof when, "%H:%M:%S", &tm);
		row_cell(tb, r, C_TIME, e->t + i * 1e-9, "%s", when);
		row_cell(tb, r, C_KIND, e->kind, "%s", event_kind_name(e->kind));
		row_cell(tb, r, C_HOST, 0, "%s", e->host);
		row_cell(tb, r, C_TEXT, 0, "%s", e->text);
		r->style = e->kind == EV_ALERT || e->kind == EV_ERROR ? EL_CRIT : e->kind == EV_WARN ? EL_WARN :
			e->kind == EV_AUDIT ? EL_ACCENT : EL_NORMAL;
		row_done(tb, r);
	}
}

static void draw(struct tui *t, int y0, int h)
{
	table_draw(t, table(t), y0, h);
}

static int key(struct tui *t, enum action a, int ch)
{
	(void)ch;
	return table_key(table(t), a);
}

static const enum action help[] = {
	ACT_FILTER, ACT_SORT, ACT_REVERSE, ACT_UP, ACT_DOWN, ACT_PGUP, ACT_PGDN, ACT_TOP, ACT_BOTTOM, ACT_NONE,
};

const struct view_ops view_log = {
	.name = "log", .state_size = sizeof(struct log_view), .init = init, .fini = fini, .update = update, .draw = draw, .key = key, .table = table, .help = help,
	.help_extra = "Newest first.  Red: alerts and errors; yellow: warnings; accent: audit records.",
};

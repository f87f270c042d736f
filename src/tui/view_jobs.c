/* view_jobs.c — running and finished operations (cluster->jobs) with
 * progress bars. */
#include "tui/tui_priv.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { C_ID, C_KIND, C_TARGET, C_STATE, C_PROGRESS, C_STARTED, C_TIME, C_MESSAGE, C_N };

static const struct tcol cols[C_N] = {
	[C_ID] = { "ID", 4, TC_RIGHT | TC_NUM },
	[C_KIND] = { "KIND", 9, 0 },
	[C_TARGET] = { "TARGET", 24, 0 },
	[C_STATE] = { "STATE", 9, 0 },
	[C_PROGRESS] = { "PROGRESS", 24, TC_CUSTOM | TC_NUM },
	[C_STARTED] = { "STARTED", 8, TC_NUM },
	[C_TIME] = { "TIME", 6, TC_RIGHT | TC_NUM },
	[C_MESSAGE] = { "MESSAGE", 20, 0 },
};

static void draw_progress(struct tui *t, const struct trow *r, int col, int y, int x, int w, int attr)
{
	(void)t;
	double p = r->num[col];
	if (p < 0) {
		put_text(y, x, w, "?", attr, 1);
		return;
	}
	char pct[8];
	snprintf(pct, sizeof pct, "%3.0f%%", p * 100);
	put_bar(y, x, w - 5, p, theme_attr(EL_BAR_USED), theme_attr(EL_BAR_FREE));
	put_text(y, x + w - 4, 4, pct, attr, 0);
}

static void update(struct tui *t)
{
	struct table *tb = &t->jobs_tb;
	if (!tb->cols) {
		table_init(tb, cols, C_N, C_ID);
		tb->sort_rev = 1;
		tb->draw_cell = draw_progress;
	}
	/* Few rows: rebuilt every frame so running times stay live. */
	table_clear(tb);
	const struct job_list *jl = &t->c->jobs;
	for (size_t i = 0; i < jl->n; i++) {
		const struct job *j = &jl->items[i];
		char key[32], when[16];
		snprintf(key, sizeof key, "%u", j->id);
		struct trow *r = table_add(tb, key, i);
		row_cell(tb, r, C_ID, j->id, "%u", j->id);
		row_cell(tb, r, C_KIND, 0, "%s", j->kind);
		row_cell(tb, r, C_TARGET, 0, "%s%s%s", j->host, j->domain[0] ? "/" : "", j->domain);
		row_cell(tb, r, C_STATE, j->state, "%s", job_state_name(j->state));
		r->cell_style[C_STATE] = j->state == JOB_FAILED ? EL_CRIT : j->state == JOB_RUNNING ? EL_ACCENT :
			j->state == JOB_DONE ? EL_UP : EL_DIM;
		double p = j->state == JOB_DONE ? 1.0 : j->progress;
		row_cell(tb, r, C_PROGRESS, p, "%s", "");
		time_t st = (time_t)j->started;
		struct tm tm;
		localtime_r(&st, &tm);
		strftime(when, sizeof when, "%H:%M:%S", &tm);
		row_cell(tb, r, C_STARTED, j->started, "%s", when);
		double dur = (j->finished > 0 ? j->finished : t->now_wall) - j->started;
		row_cell(tb, r, C_TIME, dur, "%s", age_text(dur, key, sizeof key));
		row_cell(tb, r, C_MESSAGE, 0, "%s%s%s", j->description, j->message[0] ? ": " : "", j->message);
		row_done(tb, r);
	}
}

static void draw(struct tui *t, int y0, int h)
{
	table_draw(t, &t->jobs_tb, y0, h);
	if (!t->c->jobs.n)
		put_text(y0 + 2, 2, COLS - 4, "No jobs yet: migrations, merges and runbook runs appear here.",
			 theme_attr(EL_DIM), 0);
}

static int key(struct tui *t, enum action a, int ch)
{
	(void)ch;
	return table_key(&t->jobs_tb, a);
}

static struct table *table(struct tui *t)
{
	return &t->jobs_tb;
}

static const enum action help[] = {
	ACT_FILTER, ACT_SORT, ACT_REVERSE, ACT_UP, ACT_DOWN, ACT_PGUP, ACT_PGDN, ACT_NONE,
};

const struct view_ops view_jobs = {
	.name = "jobs", .update = update, .draw = draw, .key = key, .table = table, .help = help,
	.help_extra = "Newest first.  PROGRESS is ? when the operation reports none.",
};

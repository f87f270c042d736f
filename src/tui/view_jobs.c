/* view_jobs.c — running and finished operations (cluster->jobs) with
 * progress bars; Enter shows a job's live log (runbooks and operations run
 * from the TUI), x cancels a running one. */
#include "tui/tui_priv.h"
#include "lua/vlua.h"

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

struct jobs_view {
	struct table tb;
	unsigned     log;          /* job whose log is shown, 0 the list */
	int          log_scroll;   /* lines up from the end */
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

static void init(struct tui *t, void *state)
{
	(void)t;
	struct jobs_view *v = state;
	table_init(&v->tb, cols, C_N, C_ID);
	v->tb.sort_rev = 1;
	v->tb.draw_cell = draw_progress;
}

static void fini(void *state)
{
	struct jobs_view *v = state;
	table_free(&v->tb);
}

static void update(struct tui *t)
{
	struct jobs_view *v = view_state(t, V_JOBS);
	struct table *tb = &v->tb;
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

void tui_jobs_started(struct tui *t, unsigned first, size_t n)
{
	struct jobs_view *v = view_state(t, V_JOBS);
	v->log = 0;
	tui_switch(t, V_JOBS, 1);
	char key[32];
	snprintf(key, sizeof key, "%u", first);
	update(t);
	table_reindex(&v->tb);
	table_select_key(&v->tb, key);
	if (n == 1)
		tui_status(t, 0, "job %u started (Enter shows its log, x cancels)", first);
	else
		tui_status(t, 0, "%zu jobs started, %u..%u (Enter shows a log, x cancels)", n, first,
			   first + (unsigned)n - 1);
}

static const char *job_log_text(struct tui *t, unsigned id)
{
	const char *s = t->vl ? vlua_job_log(t->vl, id) : NULL;
	if (!s && t->vl_dry)
		s = vlua_job_log(t->vl_dry, id);
	return s;
}

/* Where the log page is in a job's log. */
struct log_pos {
	const char *s;      /* the next byte to show */
	const char *line;   /* the start of its line (which gives the colour) */
};

/* The next screen row of the log at width w: a line longer than w breaks
 * at its last space that fits, else at w (never inside a UTF-8 sequence).
 * 0 at the end of the log. */
static int next_row(struct log_pos *p, size_t w, const char **row, size_t *len, const char **line)
{
	if (!*p->s)
		return 0;
	const char *e = strchr(p->s, '\n');
	size_t n = e ? (size_t)(e - p->s) : strlen(p->s), k = n;
	if (n > w) {
		for (k = w; k > 0 && p->s[k] != ' '; k--)
			;
		if (!k)
			for (k = w; k > 1 && ((unsigned char)p->s[k] & 0xC0) == 0x80; k--)
				;
	}
	*row = p->s;
	*len = k;
	*line = p->line;
	if (k == n) {
		p->s += n + (e ? 1 : 0);
		p->line = p->s;
	} else {
		p->s += k + (p->s[k] == ' ');
	}
	return 1;
}

/* The log page: a header, then the lines, following the end unless scrolled. */
static void draw_log(struct tui *t, const struct jobs_view *v, int y0, int h)
{
	for (int y = y0; y < y0 + h; y++)
		put_text(y, 0, COLS, "", theme_attr(EL_NORMAL), 1);
	struct job *j = jobs_find(&t->c->jobs, v->log);
	if (!j) {
		put_text(y0, 0, COLS, "job gone", theme_attr(EL_DIM), 1);
		return;
	}
	put_textf(y0, 0, COLS, theme_attr(EL_HEADER), " Job %u  %s  %s%s%s  %s  %s", j->id, j->kind, j->host,
		  j->domain[0] ? "/" : "", j->domain, job_state_name(j->state), j->description);
	double p = j->state == JOB_DONE ? 1.0 : j->progress;
	if (p >= 0)
		put_bar(y0 + 1, 1, COLS / 3, p, theme_attr(EL_BAR_USED), theme_attr(EL_BAR_FREE));
	put_textf(y0 + 1, COLS / 3 + 2, COLS - COLS / 3 - 2, theme_attr(EL_DIM), "%s", j->message);
	const char *log = job_log_text(t, j->id);
	if (!log) {
		put_text(y0 + 3, 2, COLS - 2, "(no log: this job was not started from the TUI)", theme_attr(EL_DIM), 0);
		return;
	}
	/* long lines wrap, so a result line (key=value ...) reads to its end */
	size_t w = COLS > 1 ? (size_t)COLS - 1 : 1;
	if (w > 1000)
		w = 1000;   /* put_textf's buffer */
	struct log_pos pos = { log, log };
	const char *row, *line;
	size_t len, nrows = 0;
	while (next_row(&pos, w, &row, &len, &line))
		nrows++;
	int rows = h - 3;
	long first = (long)nrows - rows - v->log_scroll;
	if (first < 0)
		first = 0;
	pos = (struct log_pos){ log, log };
	for (long i = 0; i < first && next_row(&pos, w, &row, &len, &line); i++)
		;
	for (int y = y0 + 3; y < y0 + h && next_row(&pos, w, &row, &len, &line); y++) {
		int attr = !strncmp(line, "error:", 6) ? theme_attr(EL_CRIT) : !strncmp(line, "note:", 5) ? theme_attr(EL_WARN) :
			theme_attr(EL_NORMAL);
		put_textf(y, 1, COLS - 1, attr, "%.*s", (int)len, row);
	}
}

static void draw(struct tui *t, int y0, int h)
{
	struct jobs_view *v = view_state(t, V_JOBS);
	if (v->log) {
		draw_log(t, v, y0, h);
		return;
	}
	table_draw(t, &v->tb, y0, h);
	if (!t->c->jobs.n)
		put_text(y0 + 2, 2, COLS - 4, "No jobs yet: migrations, merges and runbook runs appear here.",
			 theme_attr(EL_DIM), 0);
}

static void cancel(struct tui *t, unsigned id)
{
	if (t->opts->readonly) {
		tui_status(t, 1, "read-only session: nothing to cancel from here");
		return;
	}
	if ((t->vl && vlua_job_cancel(t->vl, id) == 0) || (t->vl_dry && vlua_job_cancel(t->vl_dry, id) == 0))
		tui_status(t, 0, "job %u: cancelling", id);
	else
		tui_status(t, 1, "job %u is not a running job of this session", id);
}

static int key(struct tui *t, enum action a, int ch)
{
	(void)ch;
	struct jobs_view *v = view_state(t, V_JOBS);
	if (v->log) {
		switch (a) {
		case ACT_BACK: v->log = 0; return 1;
		case ACT_UP: v->log_scroll++; return 1;
		case ACT_DOWN: if (v->log_scroll > 0) v->log_scroll--; return 1;
		case ACT_PGUP: v->log_scroll += LINES / 2; return 1;
		case ACT_PGDN: v->log_scroll = v->log_scroll > LINES / 2 ? v->log_scroll - LINES / 2 : 0; return 1;
		case ACT_BOTTOM: v->log_scroll = 0; return 1;
		case ACT_CANCEL: cancel(t, v->log); return 1;
		default: return 0;
		}
	}
	const struct trow *r = table_selected(&v->tb);
	if (a == ACT_ENTER && r) {
		v->log = t->c->jobs.items[r->ref].id;
		v->log_scroll = 0;
		return 1;
	}
	if (a == ACT_CANCEL && r) {
		cancel(t, t->c->jobs.items[r->ref].id);
		return 1;
	}
	return table_key(&v->tb, a);
}

static struct table *table(struct tui *t)
{
	struct jobs_view *v = view_state(t, V_JOBS);
	return v->log ? NULL : &v->tb;
}

static const enum action help[] = {
	ACT_ENTER, ACT_CANCEL, ACT_BACK, ACT_FILTER, ACT_SORT, ACT_REVERSE, ACT_UP, ACT_DOWN, ACT_PGUP, ACT_PGDN, ACT_NONE,
};

const struct view_ops view_jobs = {
	.name = "jobs", .state_size = sizeof(struct jobs_view), .init = init, .fini = fini, .update = update, .draw = draw, .key = key, .table = table, .help = help,
	.help_extra = "Newest first.  PROGRESS is ? when the operation reports none.\n"
		      "Enter shows the job's live log (Up/Down scroll, Esc back); x cancels a running job.",
};

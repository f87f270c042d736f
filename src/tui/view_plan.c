/* view_plan.c — the plan a script last published (vdeck.plan_publish, the
 * numa-place, rebalance and evacuate-host runbooks): the same table the
 * runbook prints, before it is applied, and each row's state (planned,
 * running, done, failed) while it runs.
 *
 * Its columns are the plan's (a balance plan and a NUMA plan differ), so
 * the table is set up again whenever the published columns change. */
#include "tui/tui_priv.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

enum { C_ROW, C_STATE, C_FIRST, C_MAX = C_FIRST + PLAN_BOARD_COLS };

struct plan_view {
	struct table tb;
	struct tcol  cols[C_MAX];
	char         names[C_MAX][24];
	int          ncols;
	unsigned     gen;      /* board generation the rows show */
};

static struct table *table(struct tui *t)
{
	struct plan_view *v = view_state(t, V_PLAN);
	return &v->tb;
}

static void set_cols(struct plan_view *v, const struct plan_board *b)
{
	snprintf(v->names[C_ROW], sizeof v->names[0], "#");
	v->cols[C_ROW] = (struct tcol){ v->names[C_ROW], 3, TC_RIGHT | TC_NUM };
	snprintf(v->names[C_STATE], sizeof v->names[0], "STATE");
	v->cols[C_STATE] = (struct tcol){ v->names[C_STATE], 7, 0 };
	v->ncols = C_FIRST;
	for (size_t c = 0; c < b->ncols; c++, v->ncols++) {
		snprintf(v->names[v->ncols], sizeof v->names[0], "%s", b->cols[c]);
		int w = (int)strlen(v->names[v->ncols]);
		v->cols[v->ncols] = (struct tcol){ v->names[v->ncols], w < 6 ? 6 : w, 0 };
	}
}

static int same_cols(const struct plan_view *v, const struct plan_board *b)
{
	if ((size_t)v->ncols != C_FIRST + b->ncols)
		return 0;
	for (size_t c = 0; c < b->ncols; c++)
		if (strcmp(v->names[C_FIRST + c], b->cols[c]))
			return 0;
	return 1;
}

static void init(struct tui *t, void *state)
{
	struct plan_view *v = state;
	set_cols(v, &t->c->plan);
	table_init(&v->tb, v->cols, v->ncols, C_ROW);
	v->gen = t->c->plan.generation - 1;
}

static void fini(void *state)
{
	struct plan_view *v = state;
	table_free(&v->tb);
}

static int row_elem(enum plan_row_state s)
{
	switch (s) {
	case PR_RUNNING: return EL_ACCENT;
	case PR_DONE: return EL_UP;
	case PR_FAILED: return EL_CRIT;
	default: return EL_NORMAL;
	}
}

static void update(struct tui *t)
{
	struct plan_view *v = view_state(t, V_PLAN);
	const struct plan_board *b = &t->c->plan;
	if (v->gen == b->generation)
		return;
	v->gen = b->generation;
	if (!same_cols(v, b)) {
		table_free(&v->tb);
		set_cols(v, b);
		table_init(&v->tb, v->cols, v->ncols, C_ROW);
	}
	table_clear(&v->tb);
	for (size_t i = 0; i < b->nrows; i++) {
		const struct plan_row *pr = &b->rows[i];
		char key[24];
		snprintf(key, sizeof key, "%zu", i);
		struct trow *r = table_add(&v->tb, key, i);
		row_cell(&v->tb, r, C_ROW, (double)i + 1, "%zu", i + 1);
		row_cell(&v->tb, r, C_STATE, pr->state, "%s", plan_row_state_name(pr->state));
		r->cell_style[C_STATE] = row_elem(pr->state);
		for (size_t c = 0; c < b->ncols; c++) {
			/* the reason column says why a failed row failed */
			const char *text = pr->cells[c] ? pr->cells[c] : "";
			if (c + 1 == b->ncols && pr->note)
				row_cell(&v->tb, r, C_FIRST + (int)c, 0, "%s", pr->note);
			else
				row_cell(&v->tb, r, C_FIRST + (int)c, 0, "%s", text);
		}
		if (pr->state == PR_FAILED)
			r->style = EL_CRIT;
		row_done(&v->tb, r);
	}
}

static void draw(struct tui *t, int y0, int h)
{
	struct plan_view *v = view_state(t, V_PLAN);
	const struct plan_board *b = &t->c->plan;
	size_t n[4] = { 0 };
	for (size_t i = 0; i < b->nrows; i++)
		n[b->rows[i].state]++;
	char line[512];
	if (!b->title)
		snprintf(line, sizeof line, " No plan yet: run numa-place, rebalance or evacuate-host (dry-run shows the plan "
			 "here before anything moves) ");
	else
		snprintf(line, sizeof line, " %s   %zu planned, %zu running, %zu done, %zu failed ", b->title,
			 n[PR_PLANNED], n[PR_RUNNING], n[PR_DONE], n[PR_FAILED]);
	put_text(y0, 0, COLS, line, theme_attr(n[PR_FAILED] ? EL_CRIT : EL_ACCENT), 1);
	table_draw(t, &v->tb, y0 + 1, h - 1);
}

static int key(struct tui *t, enum action a, int ch)
{
	(void)ch;
	return table_key(table(t), a);
}

static const enum action help[] = {
	ACT_FILTER, ACT_SORT, ACT_REVERSE, ACT_UP, ACT_DOWN, ACT_PGUP, ACT_PGDN, ACT_TOP, ACT_BOTTOM, ACT_NONE,
};

const struct view_ops view_plan = {
	.name = "plan", .state_size = sizeof(struct plan_view), .init = init, .fini = fini, .update = update,
	.draw = draw, .key = key, .table = table, .help = help,
	.help_extra = "The plan the last numa-place, rebalance or evacuate-host run published (a dry-run\n"
		      "publishes it without moving anything), then each row's progress while it runs.",
};

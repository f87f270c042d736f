/* plan_board.c — the published plan and its progress. */
#include "model/plan_board.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static void row_free(struct plan_row *r)
{
	for (size_t c = 0; c < PLAN_BOARD_COLS; c++)
		free(r->cells[c]);
	free(r->note);
	memset(r, 0, sizeof *r);
}

void plan_board_reset(struct plan_board *b, const char *title, const char *const *cols, size_t ncols, size_t keep)
{
	if (ncols > PLAN_BOARD_COLS)
		ncols = PLAN_BOARD_COLS;
	while (b->nrows > keep)
		row_free(&b->rows[--b->nrows]);
	if (title) {
		free(b->title);
		b->title = x_strdup(title);
	}
	for (size_t c = 0; c < PLAN_BOARD_COLS; c++) {
		free(b->cols[c]);
		b->cols[c] = c < ncols ? x_strdup(cols[c]) : NULL;
	}
	b->ncols = ncols;
	b->generation++;
}

void plan_board_add(struct plan_board *b, const char *const *cells)
{
	x_grow(&b->rows, &b->cap, b->nrows + 1, sizeof *b->rows);
	struct plan_row *r = &b->rows[b->nrows++];
	memset(r, 0, sizeof *r);
	for (size_t c = 0; c < b->ncols; c++)
		r->cells[c] = x_strdup(cells[c] ? cells[c] : "");
	b->generation++;
}

int plan_board_mark(struct plan_board *b, size_t i, enum plan_row_state s, const char *note)
{
	if (i >= b->nrows)
		return -1;
	struct plan_row *r = &b->rows[i];
	r->state = s;
	free(r->note);
	r->note = note ? x_strdup(note) : NULL;
	b->generation++;
	return 0;
}

void plan_board_free(struct plan_board *b)
{
	while (b->nrows)
		row_free(&b->rows[--b->nrows]);
	free(b->rows);
	free(b->title);
	for (size_t c = 0; c < PLAN_BOARD_COLS; c++)
		free(b->cols[c]);
	unsigned g = b->generation;
	memset(b, 0, sizeof *b);
	b->generation = g + 1;
}

const char *plan_row_state_name(enum plan_row_state s)
{
	switch (s) {
	case PR_PLANNED: return "planned";
	case PR_RUNNING: return "running";
	case PR_DONE: return "done";
	case PR_FAILED: return "failed";
	}
	return "?";
}

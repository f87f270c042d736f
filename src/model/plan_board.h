/* plan_board.h — the plan the console's Plan view shows: the latest plan a
 * script published (vdeck.plan_publish), as a title, column names and rows
 * of text, each row with its state while a runbook applies it.
 *
 * Plain data written on the loop thread; generation bumps on every change
 * so the view rebuilds only then. */
#ifndef VD_PLAN_BOARD_H
#define VD_PLAN_BOARD_H

#include <stddef.h>

#define PLAN_BOARD_COLS 8

enum plan_row_state { PR_PLANNED, PR_RUNNING, PR_DONE, PR_FAILED };

struct plan_row {
	char *cells[PLAN_BOARD_COLS];
	enum plan_row_state state;
	char *note;                  /* why it failed, NULL none */
};

struct plan_board {
	char  *title;
	char  *cols[PLAN_BOARD_COLS];
	size_t ncols;
	struct plan_row *rows;
	size_t nrows, cap;
	unsigned generation;
};

/* Drops rows past keep and sets the title and columns (NULL title: keep). */
void plan_board_reset(struct plan_board *b, const char *title, const char *const *cols, size_t ncols, size_t keep);
/* Appends a row of b->ncols cells (copied). */
void plan_board_add(struct plan_board *b, const char *const *cells);
/* Row i (0-based): its state and note; -1 when there is no such row. */
int  plan_board_mark(struct plan_board *b, size_t i, enum plan_row_state s, const char *note);
void plan_board_free(struct plan_board *b);
const char *plan_row_state_name(enum plan_row_state s);

#endif

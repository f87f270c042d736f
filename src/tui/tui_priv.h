/* tui_priv.h — what the console's files share: the state of one TUI run,
 * the view contract, the table widget, drawing helpers and key actions.
 * Everything here runs on the loop thread, which owns the model (only
 * tui_log.c's sink is called from other threads). */
#ifndef VD_TUI_PRIV_H
#define VD_TUI_PRIV_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/options.h"
#include "model/cluster.h"

struct fleet;
struct log_queue;
struct tui;
struct vlua;

/* ---- theme (tui_theme.c) ---- */
enum tui_elem {
	EL_NORMAL, EL_TITLE, EL_STATUS, EL_HEADER, EL_SELECTED, EL_MARKED, EL_UP, EL_DOWN,
	EL_WARN, EL_CRIT, EL_DIM, EL_BAR_USED, EL_BAR_FREE, EL_SPARK, EL_BORDER, EL_HELP,
	EL_CMDLINE, EL_STALE, EL_ACCENT, EL_COUNT
};
/* Loads themes/NAME.theme (NULL: "default"); NO_COLOR or no colour
 * support gives the attribute-only monochrome set.  Returns -1 and keeps
 * the built-in default when the file is missing or bad (msg says why). */
int  theme_load(const char *name, char *msg, size_t msglen);
int  theme_attr(enum tui_elem e);
const char *theme_name(void);

/* ---- glyphs and drawing (tui_draw.c) ---- */
struct glyphs {
	int utf8;
	const char *spark[8];        /* lowest to highest */
	const char *bar_full, *bar_empty;
	const char *hline, *vline, *tl, *tr, *bl, *br;
	const char *mark;
};
extern struct glyphs g_glyphs;
void glyphs_init(int utf8);
/* Text clipped to w columns (bytes of ASCII, glyphs for UTF-8 text), padded
 * with spaces when pad is set.  Returns columns written. */
int  put_text(int y, int x, int w, const char *s, int attr, int pad);
int  put_textf(int y, int x, int w, int attr, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A bar of w cells filled to frac (0..1). */
void put_bar(int y, int x, int w, double frac, int attr_used, int attr_free);
/* The last w values of a ring of n (oldest first), scaled to max (<=0: own max). */
void put_spark(int y, int x, int w, const float *vals, size_t n, double max, int attr);
void put_box(int y, int x, int h, int w, const char *title, int attr);
/* Display width of a UTF-8 string. */
int  text_width(const char *s);

/* ---- key actions (tui_keys.c) ---- */
enum action {
	ACT_NONE, ACT_QUIT, ACT_HELP, ACT_FILTER, ACT_COMMAND, ACT_SORT, ACT_REVERSE, ACT_ENTER, ACT_BACK,
	ACT_NEXT_VIEW, ACT_MARK, ACT_UP, ACT_DOWN, ACT_PGUP, ACT_PGDN, ACT_TOP, ACT_BOTTOM, ACT_REDRAW,
	ACT_VIEW_CLUSTER, ACT_VIEW_VMS, ACT_VIEW_RUNBOOKS, ACT_VIEW_JOBS, ACT_VIEW_LOG, ACT_RUN, ACT_DRYRUN,
	ACT_ACTIONS, ACT_CANCEL, ACT_VIEW_STORAGE, ACT_VIEW_PLAN, ACT_VIEW_SWITCH, ACT_COUNT
};
void keys_init(void);
/* Applies keys.lua; msg gets a warning (unknown action or key name). */
int  keys_apply_file(const char *path, char *msg, size_t msglen);
/* The inventory's defaults{ keys = {...} }, applied before keys.lua. */
int  keys_apply(const char *source, const struct key_pair *pairs, size_t n, char *msg, size_t msglen);
enum action key_action(int ch);
const char *action_help(enum action a);
/* "q / F10" for the help screen. */
const char *action_keys(enum action a, char *buf, size_t len);

/* ---- table widget (tui_table.c) ---- */
enum { TC_RIGHT = 1, TC_NUM = 2, TC_CUSTOM = 4 };
#define TABLE_MAXCOL 16

struct tcol {
	const char *name;
	int         width;       /* minimum width; the last column takes the rest */
	unsigned    flags;
};

struct trow {
	char    *text;               /* cells joined with '\x1f' */
	uint16_t off[TABLE_MAXCOL];
	double   num[TABLE_MAXCOL];
	int      style;              /* enum tui_elem for the row, EL_NORMAL default */
	int      cell_style[TABLE_MAXCOL];   /* 0: row style */
	size_t   ref;                /* view's handle: host index, ... */
	char     key[160];           /* stable identity: host name, "host/vm" */
};

struct table {
	const struct tcol *cols;
	int         ncols;
	struct trow *rows;
	size_t      nrows, cap;
	size_t     *idx;             /* visible rows, filtered and sorted */
	size_t      nidx, idx_cap;
	size_t      sel, top;        /* positions in idx */
	int         sort_col, sort_rev;
	char       *filter;          /* text as typed, NULL none */
	regex_t     re;
	int         re_ok, invert;
	char      **marks;           /* keys of marked rows */
	size_t      nmarks, marks_cap;
	int         dirty_index;     /* re-filter and re-sort before drawing */
	int         y0, h;           /* where it was last drawn (for the mouse) */
	/* Draws a TC_CUSTOM cell. */
	void      (*draw_cell)(struct tui *t, const struct trow *r, int col, int y, int x, int w, int attr);
};

void table_init(struct table *tb, const struct tcol *cols, int ncols, int sort_col);
void table_free(struct table *tb);
void table_clear(struct table *tb);
struct trow *table_add(struct table *tb, const char *key, size_t ref);
/* Room for n rows exactly: a view that knows its count (3000 VMs) spares
 * the doubling's slack, kept as long as the view. */
void table_reserve(struct table *tb, size_t n);
/* Sets the next cell (in column order) of the row being built. */
void row_cell(struct table *tb, struct trow *r, int col, double num, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void row_done(struct table *tb, struct trow *r);
/* -1 with msg on a bad regex (the old filter stays). */
int  table_set_filter(struct table *tb, const char *text, char *msg, size_t msglen);
void table_set_sort(struct table *tb, int col, int rev);
void table_reindex(struct table *tb);
const struct trow *table_selected(struct table *tb);
void table_select_key(struct table *tb, const char *key);
void table_clear_marks(struct table *tb);
/* Handles navigation actions; 1 when consumed. */
int  table_key(struct table *tb, enum action a);
void table_draw(struct tui *t, struct table *tb, int y0, int h);
void table_click(struct table *tb, int y);
void table_scroll(struct table *tb, int delta);
/* A free-form page (Host, VM views) of height lines: moves *scroll for the
 * scrolling actions; 1 when a was one of them. */
int  page_key(int *scroll, int height, enum action a);

/* ---- views ---- */
enum view_id { V_CLUSTER, V_HOST, V_VMS, V_VM, V_RUNBOOKS, V_JOBS, V_LOG, V_STORAGE, V_PLAN, V_SWITCH, V_COUNT };

struct view_ops {
	const char *name;
	/* The view's own state (a struct private to its file): state_size
	 * bytes, zeroed, made when the console starts; init fills it, fini
	 * frees what it holds.  view_state() hands it out. */
	size_t state_size;
	void (*init)(struct tui *t, void *state);
	void (*fini)(void *state);
	/* Rebuilds what it shows from the model when needed. */
	void (*update)(struct tui *t);
	void (*draw)(struct tui *t, int y0, int h);
	/* 1 when the key was handled. */
	int  (*key)(struct tui *t, enum action a, int ch);
	struct table *(*table)(struct tui *t);   /* NULL for page views */
	const enum action *help;                  /* ACT_NONE-terminated */
	const char *help_extra;                   /* view-specific lines */
};

extern const struct view_ops view_cluster, view_host, view_vms, view_vm, view_runbooks,
	view_jobs, view_log, view_storage, view_plan, view_switch;

#define HIST_LEN 64
struct host_hist {
	float    cpu[HIST_LEN], net[HIST_LEN];   /* percent, bits/s rx+tx */
	size_t   n;                              /* values kept (<= HIST_LEN), oldest first */
	unsigned polls;
};

/* What the bottom line is reading. */
enum cmd_mode {
	CMD_NONE,
	CMD_COMMAND,      /* a `:` command */
	CMD_FILTER,       /* `/`: the current table's filter, applied as typed */
	CMD_PROMPT,       /* a view's question (tui_prompt) */
};

/* What a view does with the answer to its question (tui_prompt). */
struct prompt {
	void (*done)(struct tui *t, void *ctx, const char *line);   /* line may be NULL */
	void (*cancel)(struct tui *t, void *ctx);                    /* Esc; may be NULL */
};

struct tui {
	struct fleet   *fleet;
	struct cluster *c;
	const struct vd_options *opts;
	enum view_id    view;
	enum view_id    back[16];
	int             nback;
	void           *view_state[V_COUNT];
	int             running;
	int             dirty;               /* redraw wanted */
	int             help;                /* help overlay shown */
	enum cmd_mode   cmd_mode;
	char           *saved_filter;        /* CMD_FILTER: restored by Esc */
	const struct prompt *prompt;         /* CMD_PROMPT */
	void           *prompt_ctx;
	char            status[256];         /* one-line message */
	int             status_err;
	double          status_t;
	struct host_hist *hist;              /* per host index */
	unsigned        seen_gen;
	double          now_wall, now_mono;
	/* Jobs: runbooks and operations run as coroutines of vl (vl_dry for
	 * dry-run previews, whose options force dry_run). */
	struct vlua    *vl, *vl_dry;
	struct vd_options dry_opts;

	/* Bench hook. */
	FILE           *bench;
	int             bench_full_done;
	double          bench_input_s;   /* when the first key since the last frame was read; 0: none */
};

/* tui.c */
void *view_state(struct tui *t, enum view_id v);
/* The table the current view shows, NULL on a page. */
struct table *tui_table(struct tui *t);
void tui_status(struct tui *t, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void tui_switch(struct tui *t, enum view_id v, int push);
/* Asks on the command line, text pre-filled; p's functions get ctx. */
void tui_prompt(struct tui *t, const char *question, const char *text, const struct prompt *p, void *ctx);
/* tui_log.c: moves captured vd_log lines into the Log view. */
void tui_log_drain(struct tui *t);
/* Entry points of views that others open. */
void host_view_open(struct tui *t, size_t host_index);
/* Restricts the VMs view to one host (NULL: all) and rebuilds its rows. */
void vms_view_restrict(struct tui *t, const char *host);
void vm_view_open(struct tui *t, const char *host, const char *name);
/* Rescans the runbooks and shows their list. */
void runbooks_view_open(struct tui *t);
/* Shows started jobs in the Jobs view, the first one selected. */
void tui_jobs_started(struct tui *t, unsigned first_job, size_t n);
/* tui_actions.c: the VMs view's operation menu over the VMs table. */
struct actions_menu;
struct actions_menu *actions_new(struct table *vms);
void actions_free(struct actions_menu **pm);
int  actions_key(struct tui *t, struct actions_menu *m, enum action a, int ch);    /* 1 consumed */
void actions_draw(const struct actions_menu *m, int y0, int h);
/* tui_cmd.c */
void tui_command(struct tui *t, const char *line);
char **tui_complete(void *ctx, const char *line, int start, int end);
/* Host and VM helpers (tui_model.c). */
double host_cpu_pct(const struct host *h);           /* -1 unknown */
int    host_mem(const struct host *h, uint64_t *used, uint64_t *total);
double host_numa_spread(const struct host *h);       /* percent points, -1 unknown */
int    host_net(const struct host *h, double *rx, double *tx);
size_t host_alert_count(const struct host *h, int *worst);
/* Bit mask of host NUMA nodes the domain is placed on (0 unknown). */
uint64_t dom_numa_mask(const struct host *h, const struct domain *d);
void   numa_mask_text(uint64_t mask, char *buf, size_t len);
int    state_elem(enum host_state s);
void   hist_update(struct tui *t);
const char *age_text(double s, char *buf, size_t len);

#endif

/* tui_table.c — the table every list view uses: rows built from the model,
 * an index array of the rows that pass the filter in sort order, a cursor,
 * marks kept by row key, and drawing of only the visible slice.
 *
 * Filtering and sorting touch the index only (never the rows), and happen
 * only when the rows, the filter or the sort changed (dirty_index), so
 * scrolling 3000 rows costs nothing and a filter keystroke one regexec per
 * row. */
#include "tui/tui_priv.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <curses.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SEP '\x1f'

static struct strbuf build;
static int build_init;

void table_init(struct table *tb, const struct tcol *cols, int ncols, int sort_col)
{
	memset(tb, 0, sizeof *tb);
	tb->cols = cols;
	tb->ncols = ncols;
	tb->sort_col = sort_col;
	tb->dirty_index = 1;
}

void table_clear(struct table *tb)
{
	for (size_t i = 0; i < tb->nrows; i++)
		free(tb->rows[i].text);
	tb->nrows = 0;
	tb->dirty_index = 1;
}

void table_free(struct table *tb)
{
	table_clear(tb);
	free(tb->rows);
	free(tb->idx);
	free(tb->filter);
	if (tb->re_ok)
		regfree(&tb->re);
	for (size_t i = 0; i < tb->nmarks; i++)
		free(tb->marks[i]);
	free(tb->marks);
	memset(tb, 0, sizeof *tb);
}

void table_reserve(struct table *tb, size_t n)
{
	if (n <= tb->cap)
		return;
	tb->rows = x_realloc(tb->rows, n * sizeof *tb->rows);
	tb->cap = n;
}

struct trow *table_add(struct table *tb, const char *key, size_t ref)
{
	x_grow(&tb->rows, &tb->cap, tb->nrows + 1, sizeof *tb->rows);
	struct trow *r = &tb->rows[tb->nrows++];
	memset(r, 0, sizeof *r);
	snprintf(r->key, sizeof r->key, "%s", key);
	r->ref = ref;
	if (!build_init) {
		sb_init(&build);
		build_init = 1;
	}
	sb_reset(&build);
	tb->dirty_index = 1;
	return r;
}

void row_cell(struct table *tb, struct trow *r, int col, double num, const char *fmt, ...)
{
	(void)tb;
	if (col < 0 || col >= TABLE_MAXCOL)
		return;
	if (build.len)
		sb_appendc(&build, SEP);
	r->off[col] = (uint16_t)build.len;
	r->num[col] = num;
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	for (char *p = tmp; *p; p++)
		if (*p == SEP)
			*p = ' ';
	sb_append(&build, tmp);
}

void row_done(struct table *tb, struct trow *r)
{
	(void)tb;
	r->text = x_strndup(build.buf, build.len);
}

static const char *row_get(const struct trow *r, int col, char *buf, size_t len)
{
	const char *s = r->text + r->off[col];
	const char *e = strchr(s, SEP);
	size_t n = e ? (size_t)(e - s) : strlen(s);
	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

int table_set_filter(struct table *tb, const char *text, char *msg, size_t msglen)
{
	if (!text || !*text || !strcmp(text, "!")) {
		if (tb->re_ok)
			regfree(&tb->re);
		tb->re_ok = 0;
		free(tb->filter);
		tb->filter = NULL;
		tb->dirty_index = 1;
		return 0;
	}
	int invert = text[0] == '!';
	regex_t re;
	int rc = regcomp(&re, text + invert, REG_EXTENDED | REG_ICASE | REG_NOSUB);
	if (rc) {
		char e[128];
		regerror(rc, &re, e, sizeof e);
		snprintf(msg, msglen, "filter: %s", e);
		return -1;
	}
	if (tb->re_ok)
		regfree(&tb->re);
	tb->re = re;
	tb->re_ok = 1;
	tb->invert = invert;
	free(tb->filter);
	tb->filter = x_strdup(text);
	tb->dirty_index = 1;
	tb->sel = tb->top = 0;
	return 0;
}

void table_set_sort(struct table *tb, int col, int rev)
{
	if (col >= 0 && col < tb->ncols)
		tb->sort_col = col;
	tb->sort_rev = rev;
	tb->dirty_index = 1;
}

static int cell_cmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = *a == SEP ? 0 : (unsigned char)*a, cb = *b == SEP ? 0 : (unsigned char)*b;
		if (ca >= 'A' && ca <= 'Z')
			ca += 32;
		if (cb >= 'A' && cb <= 'Z')
			cb += 32;
		if (ca != cb || !ca)
			return ca - cb;
	}
}

static int row_cmp(const void *pa, const void *pb, void *arg)
{
	const struct table *tb = arg;
	size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
	const struct trow *a = &tb->rows[ia], *b = &tb->rows[ib];
	int c = tb->sort_col, r;
	if (tb->cols[c].flags & TC_NUM)
		r = a->num[c] < b->num[c] ? -1 : a->num[c] > b->num[c];
	else
		r = cell_cmp(a->text + a->off[c], b->text + b->off[c]);
	if (tb->sort_rev)
		r = -r;
	if (!r)
		r = ia < ib ? -1 : ia > ib;
	return r;
}

void table_reindex(struct table *tb)
{
	if (!tb->dirty_index)
		return;
	char key[160] = "";
	if (tb->sel < tb->nidx && tb->idx[tb->sel] < tb->nrows)
		snprintf(key, sizeof key, "%s", tb->rows[tb->idx[tb->sel]].key);
	x_grow(&tb->idx, &tb->idx_cap, tb->nrows + 1, sizeof *tb->idx);
	tb->nidx = 0;
	for (size_t i = 0; i < tb->nrows; i++) {
		if (tb->re_ok) {
			int m = regexec(&tb->re, tb->rows[i].text, 0, NULL, 0) == 0;
			if (m == tb->invert)
				continue;
		}
		tb->idx[tb->nidx++] = i;
	}
	if (tb->nidx > 1)
		qsort_r(tb->idx, tb->nidx, sizeof *tb->idx, row_cmp, tb);
	tb->dirty_index = 0;
	if (*key)
		table_select_key(tb, key);
	if (tb->sel >= tb->nidx)
		tb->sel = tb->nidx ? tb->nidx - 1 : 0;
}

const struct trow *table_selected(struct table *tb)
{
	table_reindex(tb);
	return tb->sel < tb->nidx ? &tb->rows[tb->idx[tb->sel]] : NULL;
}

void table_select_key(struct table *tb, const char *key)
{
	for (size_t i = 0; i < tb->nidx; i++)
		if (!strcmp(tb->rows[tb->idx[i]].key, key)) {
			tb->sel = i;
			return;
		}
}

static int table_is_marked(const struct table *tb, const char *key)
{
	for (size_t i = 0; i < tb->nmarks; i++)
		if (!strcmp(tb->marks[i], key))
			return 1;
	return 0;
}

void table_clear_marks(struct table *tb)
{
	for (size_t i = 0; i < tb->nmarks; i++)
		free(tb->marks[i]);
	tb->nmarks = 0;
}

static void table_toggle_mark(struct table *tb)
{
	const struct trow *r = table_selected(tb);
	if (!r)
		return;
	for (size_t i = 0; i < tb->nmarks; i++)
		if (!strcmp(tb->marks[i], r->key)) {
			free(tb->marks[i]);
			tb->marks[i] = tb->marks[--tb->nmarks];
			return;
		}
	x_grow(&tb->marks, &tb->marks_cap, tb->nmarks + 1, sizeof *tb->marks);
	tb->marks[tb->nmarks++] = x_strdup(r->key);
}

void table_scroll(struct table *tb, int delta)
{
	long s = (long)tb->sel + delta;
	if (s < 0)
		s = 0;
	if (tb->nidx && s >= (long)tb->nidx)
		s = (long)tb->nidx - 1;
	tb->sel = tb->nidx ? (size_t)s : 0;
}

int table_key(struct table *tb, enum action a)
{
	int page = tb->h > 2 ? tb->h - 2 : 1;
	switch (a) {
	case ACT_UP: table_scroll(tb, -1); return 1;
	case ACT_DOWN: table_scroll(tb, 1); return 1;
	case ACT_PGUP: table_scroll(tb, -page); return 1;
	case ACT_PGDN: table_scroll(tb, page); return 1;
	case ACT_TOP: tb->sel = 0; return 1;
	case ACT_BOTTOM: tb->sel = tb->nidx ? tb->nidx - 1 : 0; return 1;
	case ACT_SORT: table_set_sort(tb, (tb->sort_col + 1) % tb->ncols, tb->sort_rev); return 1;
	case ACT_REVERSE: table_set_sort(tb, tb->sort_col, !tb->sort_rev); return 1;
	case ACT_MARK: table_toggle_mark(tb); table_scroll(tb, 1); return 1;
	default: return 0;
	}
}

void table_click(struct table *tb, int y)
{
	int row = y - tb->y0 - 1;
	if (row >= 0 && (size_t)row + tb->top < tb->nidx)
		tb->sel = tb->top + (size_t)row;
}

/* Column x positions for the current width; the last column takes the rest. */
static void layout(const struct table *tb, int *x, int *w)
{
	int pos = 2;
	for (int c = 0; c < tb->ncols; c++) {
		x[c] = pos;
		w[c] = tb->cols[c].width;
		pos += w[c] + 1;
	}
	int last = tb->ncols - 1;
	if (x[last] < COLS && !(tb->cols[last].flags & TC_RIGHT))
		w[last] = COLS - x[last] - 1 > w[last] ? COLS - x[last] - 1 : w[last];
}

void table_draw(struct tui *t, struct table *tb, int y0, int h)
{
	table_reindex(tb);
	tb->y0 = y0;
	tb->h = h;
	int x[TABLE_MAXCOL], w[TABLE_MAXCOL];
	layout(tb, x, w);
	int hdr = theme_attr(EL_HEADER);
	put_text(y0, 0, COLS, "", theme_attr(EL_NORMAL), 1);
	for (int c = 0; c < tb->ncols; c++) {
		char name[48];
		const char *arrow = c != tb->sort_col ? "" : tb->sort_rev ?
			(g_glyphs.utf8 ? "\u25bc" : "v") : (g_glyphs.utf8 ? "\u25b2" : "^");
		snprintf(name, sizeof name, "%s%s", tb->cols[c].name, arrow);
		int nw = text_width(name);
		int cx = tb->cols[c].flags & TC_RIGHT && nw < w[c] ? x[c] + w[c] - nw : x[c];
		put_text(y0, cx, w[c], name, hdr | (c == tb->sort_col ? A_BOLD : 0), 0);
	}
	int body = h - 1;
	if (body < 1)
		return;
	if (tb->sel < tb->top)
		tb->top = tb->sel;
	if (tb->sel >= tb->top + (size_t)body)
		tb->top = tb->sel - (size_t)body + 1;
	if (tb->top + (size_t)body > tb->nidx)
		tb->top = tb->nidx > (size_t)body ? tb->nidx - (size_t)body : 0;
	char cell[512];
	for (int i = 0; i < body; i++) {
		int y = y0 + 1 + i;
		size_t pos = tb->top + (size_t)i;
		if (pos >= tb->nidx) {
			put_text(y, 0, COLS, "", theme_attr(EL_NORMAL), 1);
			continue;
		}
		const struct trow *r = &tb->rows[tb->idx[pos]];
		int sel = pos == tb->sel;
		int marked = tb->nmarks && table_is_marked(tb, r->key);
		int rowattr = sel ? theme_attr(EL_SELECTED) : marked ? theme_attr(EL_MARKED) : theme_attr(r->style);
		put_text(y, 0, COLS, marked ? g_glyphs.mark : "", rowattr, 1);
		for (int c = 0; c < tb->ncols; c++) {
			int attr = sel ? rowattr : r->cell_style[c] ? theme_attr(r->cell_style[c]) : rowattr;
			if ((tb->cols[c].flags & TC_CUSTOM) && tb->draw_cell) {
				tb->draw_cell(t, r, c, y, x[c], w[c], attr);
				continue;
			}
			row_get(r, c, cell, sizeof cell);
			int cw = text_width(cell);
			int cx = (tb->cols[c].flags & TC_RIGHT) && cw < w[c] ? x[c] + w[c] - cw : x[c];
			put_text(y, cx, w[c], cell, attr, 0);
		}
	}
	/* Position indicator in the header's right corner. */
	char posbuf[48];
	snprintf(posbuf, sizeof posbuf, " %zu/%zu%s ", tb->nidx ? tb->sel + 1 : 0, tb->nidx,
		 tb->nmarks ? " marked" : "");
	if (tb->nmarks)
		snprintf(posbuf, sizeof posbuf, " %zu/%zu, %zu marked ", tb->nidx ? tb->sel + 1 : 0,
			 tb->nidx, tb->nmarks);
	put_text(y0, COLS - text_width(posbuf), text_width(posbuf), posbuf, hdr, 0);
}

int page_key(int *scroll, int height, enum action a)
{
	int page = LINES - 4;
	switch (a) {
	case ACT_UP: (*scroll)--; break;
	case ACT_DOWN: (*scroll)++; break;
	case ACT_PGUP: *scroll -= page; break;
	case ACT_PGDN: *scroll += page; break;
	case ACT_TOP: *scroll = 0; break;
	case ACT_BOTTOM: *scroll = height - page; break;
	default: return 0;
	}
	if (*scroll > height - 3)
		*scroll = height - 3;
	if (*scroll < 0)
		*scroll = 0;
	return 1;
}

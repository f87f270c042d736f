/* tui_draw.c — the drawing primitives every view uses: clipped text,
 * bars, sparklines and boxes, in UTF-8 block characters or their ASCII
 * fallback when the locale is not UTF-8. */
#include "tui/tui_priv.h"
#include "core/safe_text.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

struct glyphs g_glyphs;

void glyphs_init(int utf8)
{
	static const struct glyphs u = {
		1, { "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588" },
		"\u2588", "\u2591", "\u2500", "\u2502", "\u250c", "\u2510", "\u2514", "\u2518", "\u25cf",
	};
	static const struct glyphs a = {
		0, { "_", ".", ":", "-", "=", "+", "*", "#" },
		"#", ".", "-", "|", "+", "+", "+", "+", "*",
	};
	g_glyphs = utf8 ? u : a;
}

/* Bytes of s that fit in w columns; *cols gets the columns used. */
static size_t fit(const char *s, int w, int *cols)
{
	size_t i = 0;
	int c = 0;
	if (!g_glyphs.utf8) {
		size_t n = strlen(s);
		*cols = n < (size_t)w ? (int)n : w;
		return (size_t)*cols;
	}
	mbstate_t st;
	memset(&st, 0, sizeof st);
	while (s[i]) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s + i, MB_CUR_MAX, &st);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			k = 1;
			wc = '?';
			memset(&st, 0, sizeof st);
		}
		int cw = wcwidth(wc);
		if (cw < 0)
			cw = 1;
		if (c + cw > w)
			break;
		c += cw;
		i += k;
	}
	*cols = c;
	return i;
}

/* s as the console shows it.  Names, kernels and log lines come from
 * hosts: curses would move the cursor on \n, \r or \b and pass C1
 * controls to the terminal, so every string is measured and drawn with its
 * controls made visible.  One buffer: only the loop thread draws. */
static const char *shown(const char *s)
{
	static struct strbuf safe;
	if (!safe.buf)
		sb_init(&safe);
	sb_reset(&safe);
	if (s)
		sb_append_safe(&safe, s, strlen(s), 0);
	return safe.buf;
}

int text_width(const char *s)
{
	int c;
	fit(shown(s), 1 << 20, &c);
	return c;
}

int put_text(int y, int x, int w, const char *s, int attr, int pad)
{
	if (w <= 0 || y < 0 || y >= LINES || x >= COLS)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	const char *t = shown(s);
	int cols;
	size_t n = fit(t, w, &cols);
	attrset(attr);
	mvaddnstr(y, x, t, (int)n);
	if (pad)
		for (int i = cols; i < w; i++)
			addch(' ');
	attrset(A_NORMAL);
	return pad ? w : cols;
}

int put_textf(int y, int x, int w, int attr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return put_text(y, x, w, buf, attr, 0);
}

void put_bar(int y, int x, int w, double frac, int attr_used, int attr_free)
{
	if (w <= 0 || y < 0 || y >= LINES)
		return;
	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	int used = (int)(frac * w + 0.5);
	if (frac > 0 && used == 0)
		used = 1;
	move(y, x);
	attrset(attr_used);
	for (int i = 0; i < used && x + i < COLS; i++)
		addstr(g_glyphs.bar_full);
	attrset(attr_free);
	for (int i = used; i < w && x + i < COLS; i++)
		addstr(g_glyphs.bar_empty);
	attrset(A_NORMAL);
}

void put_spark(int y, int x, int w, const float *vals, size_t n, double max, int attr)
{
	if (w <= 0 || y < 0 || y >= LINES)
		return;
	size_t first = n > (size_t)w ? n - (size_t)w : 0;
	if (max <= 0) {
		for (size_t i = first; i < n; i++)
			if (vals[i] > max)
				max = vals[i];
	}
	move(y, x);
	attrset(attr);
	int col = 0;
	for (int pad = w - (int)(n - first); pad > 0; pad--, col++)
		addch(' ');
	for (size_t i = first; i < n && x + col < COLS; i++, col++) {
		if (vals[i] < 0) {
			addch(' ');
			continue;
		}
		int lvl = max > 0 ? (int)(vals[i] / max * 7.0 + 0.5) : 0;
		if (lvl < 0)
			lvl = 0;
		if (lvl > 7)
			lvl = 7;
		addstr(g_glyphs.spark[lvl]);
	}
	attrset(A_NORMAL);
}

void put_box(int y, int x, int h, int w, const char *title, int attr)
{
	if (h < 2 || w < 2)
		return;
	attrset(attr);
	for (int r = 0; r < h; r++) {
		if (y + r < 0 || y + r >= LINES)
			continue;
		if (r == 0 || r == h - 1) {
			mvaddstr(y + r, x, r == 0 ? g_glyphs.tl : g_glyphs.bl);
			for (int i = 1; i < w - 1; i++)
				addstr(g_glyphs.hline);
			addstr(r == 0 ? g_glyphs.tr : g_glyphs.br);
		} else {
			mvaddstr(y + r, x, g_glyphs.vline);
			mvaddstr(y + r, x + w - 1, g_glyphs.vline);
		}
	}
	attrset(A_NORMAL);
	if (title && y >= 0 && y < LINES) {
		char t[128];
		snprintf(t, sizeof t, " %s ", title);
		put_text(y, x + 2, w - 4, t, attr | A_BOLD, 0);
	}
}

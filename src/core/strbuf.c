/* strbuf.c — growable strings and the escapers built on them. */
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static char empty_buf[1];

void sb_init(struct strbuf *sb)
{
	sb->buf = empty_buf;
	sb->len = 0;
	sb->cap = 0;
}

void sb_free(struct strbuf *sb)
{
	if (sb->cap)
		free(sb->buf);
	sb_init(sb);
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->cap)
		sb->buf[0] = '\0';
}

static void reserve(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	if (need <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap *= 2;
	char *nb = sb->cap ? x_realloc(sb->buf, cap) : x_malloc(cap);
	if (!sb->cap)
		nb[0] = '\0';
	sb->buf = nb;
	sb->cap = cap;
}

char *sb_detach(struct strbuf *sb)
{
	char *out = sb->cap ? sb->buf : x_strdup("");
	sb_init(sb);
	return out;
}

void sb_append_n(struct strbuf *sb, const char *s, size_t n)
{
	reserve(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

char *sb_room(struct strbuf *sb, size_t n)
{
	reserve(sb, n);
	return sb->buf + sb->len;
}

void sb_commit(struct strbuf *sb, size_t k)
{
	sb->len += k;
	sb->buf[sb->len] = '\0';
}

void sb_append(struct strbuf *sb, const char *s)
{
	sb_append_n(sb, s, strlen(s));
}

void sb_appendc(struct strbuf *sb, char c)
{
	sb_append_n(sb, &c, 1);
}

void sb_appendf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	reserve(sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void sb_append_xml(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': sb_append(sb, "&lt;"); break;
		case '>': sb_append(sb, "&gt;"); break;
		case '&': sb_append(sb, "&amp;"); break;
		case '\'': sb_append(sb, "&apos;"); break;
		case '"': sb_append(sb, "&quot;"); break;
		default: sb_appendc(sb, *s);
		}
	}
}

void sb_append_json(struct strbuf *sb, const char *s)
{
	sb_appendc(sb, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': sb_append(sb, "\\\""); break;
		case '\\': sb_append(sb, "\\\\"); break;
		case '\n': sb_append(sb, "\\n"); break;
		case '\r': sb_append(sb, "\\r"); break;
		case '\t': sb_append(sb, "\\t"); break;
		default:
			/* Every control stays escaped, DEL and C1 too (U+0080-U+009F
			 * arrive as C2 80-9F): the output is exact and still safe
			 * to print on a terminal. */
			if (*p < 0x20 || *p == 0x7f)
				sb_appendf(sb, "\\u%04x", *p);
			else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
				sb_appendf(sb, "\\u%04x", *++p);
			else
				sb_appendc(sb, (char)*p);
		}
	}
	sb_appendc(sb, '"');
}

void sb_append_shell(struct strbuf *sb, const char *s)
{
	sb_appendc(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sb_append(sb, "'\\''");
		else
			sb_appendc(sb, *s);
	}
	sb_appendc(sb, '\'');
}

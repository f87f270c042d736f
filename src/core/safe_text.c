/* safe_text.c — control characters of host text made visible (see
 * safe_text.h for why). */
#include "core/safe_text.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes) and its code
 * point, or 0 when the bytes are not one: overlong forms, surrogates and
 * values above U+10FFFF are invalid, as a strict decoder sees them. */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
	size_t len;
	unsigned c, min;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2, c = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3, c = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

void sb_append_safe(struct strbuf *sb, const char *s, size_t n, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		const unsigned char *run = p;   /* printable ASCII is copied in runs */
		while (p < end && *p >= 0x20 && *p < 0x7f)
			p++;
		sb_append_n(sb, (const char *)run, (size_t)(p - run));
		if (p == end)
			break;
		unsigned cp;
		size_t len;
		if (*p == '\n' || *p == '\t') {
			if (flags & SAFE_TEXT_LINES)
				sb_appendc(sb, (char)*p);
			else if (*p == '\t')
				sb_appendc(sb, ' ');
			else
				sb_append(sb, "\\x0a");
			p++;
		} else if (*p < 0x80) {
			sb_appendf(sb, "\\x%02x", *p++);
		} else if ((len = utf8_seq(p, (size_t)(end - p), &cp)) == 0) {
			sb_appendf(sb, "\\x%02x", *p++);
		} else if (cp <= 0x9f) {
			sb_appendf(sb, "\\u%04x", cp);
			p += len;
		} else {
			sb_append_n(sb, (const char *)p, len);
			p += len;
		}
	}
}

void safe_text_fputs(const char *s, FILE *f)
{
	struct strbuf sb;
	sb_init(&sb);
	sb_append_safe(&sb, s, strlen(s), SAFE_TEXT_LINES);
	fwrite(sb.buf, 1, sb.len, f);
	sb_free(&sb);
}

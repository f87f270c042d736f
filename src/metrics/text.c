/* text.c — line splitting and overflow-checked number reading for parsers. */
#include "metrics/text.h"

#include "core/xalloc.h"

#include <string.h>

char *text_dup(const char *buf, size_t len)
{
	if (!buf)
		return x_strdup("");
	return x_strndup(buf, len);
}

char *text_next_line(char **cursor)
{
	char *s = *cursor;
	if (!s || !*s)
		return NULL;
	char *nl = strchr(s, '\n');
	size_t n;
	if (nl) {
		*nl = '\0';
		*cursor = nl + 1;
		n = (size_t)(nl - s);
	} else {
		n = strlen(s);
		*cursor = s + n;
	}
	if (n && s[n - 1] == '\r')
		s[n - 1] = '\0';
	return s;
}

char *text_skip_ws(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

char *text_rtrim(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

int text_u64(char **s, uint64_t *v)
{
	char *p = text_skip_ws(*s);
	uint64_t acc = 0;
	int digits = 0;
	while (*p >= '0' && *p <= '9') {
		unsigned d = (unsigned)(*p - '0');
		/* constants only: the first test is false for any value below
		 * 19 digits, so the common number pays one compare a digit */
		if (acc >= UINT64_MAX / 10 && (acc > UINT64_MAX / 10 || d > UINT64_MAX % 10))
			return -1;
		acc = acc * 10 + d;
		p++;
		digits++;
	}
	if (!digits)
		return -1;
	*v = acc;
	*s = p;
	return 0;
}

int text_i64(char **s, int64_t *v)
{
	char *p = text_skip_ws(*s);
	int neg = 0;
	uint64_t u;
	if (*p == '-' || *p == '+') {
		neg = *p == '-';
		p++;
	}
	if (text_u64(&p, &u) < 0 || u > (uint64_t)INT64_MAX)
		return -1;
	*v = neg ? -(int64_t)u : (int64_t)u;
	*s = p;
	return 0;
}

int text_u64_full(const char *s, uint64_t *v)
{
	char *p = (char *)s;
	if (text_u64(&p, v) < 0)
		return -1;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return *p ? -1 : 0;
}

void text_copy(char *dst, size_t size, const char *src)
{
	if (!size)
		return;
	size_t n = strlen(src);
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

uint64_t text_mul_sat(uint64_t a, uint64_t b)
{
	if (a && b > UINT64_MAX / a)
		return UINT64_MAX;
	return a * b;
}

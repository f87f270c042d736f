/* xalloc.c — allocation that aborts on failure. */
#include "core/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *check(void *p)
{
	if (!p) {
		fputs("vdeck: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *x_malloc(size_t n) { return check(malloc(n ? n : 1)); }
void *x_calloc(size_t n, size_t size) { return check(calloc(n ? n : 1, size ? size : 1)); }
void *x_realloc(void *p, size_t n) { return check(realloc(p, n ? n : 1)); }

void x_grow(void *items_pp, size_t *cap, size_t need, size_t size)
{
	void **items = items_pp;
	if (need <= *cap)
		return;
	size_t n = *cap ? *cap : 8;
	while (n < need)
		n *= 2;
	*items = x_realloc(*items, n * size);
	*cap = n;
}

char *x_strdup(const char *s) { return s ? check(strdup(s)) : NULL; }
char *x_strndup(const char *s, size_t n) { return s ? check(strndup(s, n)) : NULL; }

char *x_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *out = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&out, fmt, ap);
	va_end(ap);
	if (n < 0)
		check(NULL);
	return out;
}

void x_free_impl(void **pp)
{
	if (pp && *pp) {
		free(*pp);
		*pp = NULL;
	}
}

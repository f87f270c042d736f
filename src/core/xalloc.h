/* xalloc.h — allocation that never returns NULL.
 *
 * An operator console that runs out of memory cannot do anything useful, so
 * allocation failure aborts with a message instead of threading NULL checks
 * through every caller. x_free takes the address of a pointer and clears it. */
#ifndef VD_XALLOC_H
#define VD_XALLOC_H

#include <stddef.h>

void *x_malloc(size_t n);
void *x_calloc(size_t n, size_t size);
void *x_realloc(void *p, size_t n);
/* Grows *items to hold at least need elements of size each; *cap updated. */
void  x_grow(void *items_pp, size_t *cap, size_t need, size_t size);
char *x_strdup(const char *s);          /* NULL in, NULL out */
char *x_strndup(const char *s, size_t n);
char *x_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void  x_free_impl(void **pp);
#define x_free(pp) x_free_impl((void **)(pp))

#endif

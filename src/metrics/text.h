/* text.h — small helpers the metrics parsers share to read kernel text.
 *
 * Parsers receive (buf, len) that need not be NUL-terminated and may hold
 * anything.  text_dup() makes a NUL-terminated private copy (embedded NULs
 * end the text early), after which the line and number helpers below are
 * safe: they never read past the terminating NUL and never overflow. */
#ifndef VD_METRICS_TEXT_H
#define VD_METRICS_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* NUL-terminated heap copy of buf[0..len); caller frees with x_free. */
char *text_dup(const char *buf, size_t len);
/* Splits *cursor at the next '\n' (replaced by NUL); returns the line or
 * NULL at the end.  Trailing '\r' is removed. */
char *text_next_line(char **cursor);
/* Skips spaces and tabs. */
char *text_skip_ws(char *s);
/* Removes trailing whitespace in place and returns s. */
char *text_rtrim(char *s);
/* Parses a decimal unsigned integer at *s (after blanks), advancing *s.
 * Returns 0, or -1 when there are no digits or the value overflows. */
int   text_u64(char **s, uint64_t *v);
/* Parses a signed decimal integer (e.g. "-1"); same contract. */
int   text_i64(char **s, int64_t *v);
/* The whole string (blanks around allowed) is one unsigned integer. */
int   text_u64_full(const char *s, uint64_t *v);
/* Copies at most size-1 bytes of src into dst, always terminating it. */
void  text_copy(char *dst, size_t size, const char *src);
/* Starts-with test.  Inline: the prefix is a literal nearly everywhere,
 * and its length then folds to a constant (a host poll runs it thousands
 * of times). */
static inline int text_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}
/* Saturating a*b for byte conversions of hostile values. */
uint64_t text_mul_sat(uint64_t a, uint64_t b);

#endif

/* check.h — the tiny test harness every unit test uses.
 *
 * CHECK* record a pass or a failure with file:line and keep going;
 * check_summary() prints "N passed, N failed" and returns the exit code. */
#ifndef VD_CHECK_H
#define VD_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond) do { \
	if (cond) check_passed++; \
	else { check_failed++; fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_INT(got, want) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	if (g_ == w_) check_passed++; \
	else { check_failed++; fprintf(stderr, "FAIL %s:%d: %s == %lld, want %lld\n", \
	       __FILE__, __LINE__, #got, g_, w_); } \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	if (g_ && w_ && strcmp(g_, w_) == 0) check_passed++; \
	else { check_failed++; fprintf(stderr, "FAIL %s:%d: %s == \"%s\", want \"%s\"\n", \
	       __FILE__, __LINE__, #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)"); } \
} while (0)

static inline int check_summary(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

/* Reads a whole file into a NUL-terminated heap buffer; NULL if absent. */
static inline char *check_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t r;
	while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n < 2)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* The shared corpus, when it exists: ../shared/corpus or $VD_CORPUS. */
static inline const char *check_corpus(void)
{
	const char *env = getenv("VD_CORPUS");
	static const char *const guesses[] = { "../shared/corpus", "../../shared/corpus" };
	if (env && *env)
		return env;
	for (unsigned i = 0; i < 2; i++) {
		FILE *f = fopen(guesses[i], "r");
		if (f) { fclose(f); return guesses[i]; }
	}
	return NULL;
}

#endif

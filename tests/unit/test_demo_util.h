/* test_demo_util.h — helpers shared by the demo generator's tests: a
 * temporary directory removed afterwards, file reading and counting. */
#ifndef VD_TEST_DEMO_UTIL_H
#define VD_TEST_DEMO_UTIL_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(path);
}

static inline void rm_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline char *slurpf(const char *fmt, const char *a, const char *b)
{
	char path[4096];
	snprintf(path, sizeof path, fmt, a, b);
	return check_slurp(path, NULL);
}

static inline unsigned count_str(const char *hay, const char *needle)
{
	unsigned n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

#endif

/* filesafe.c — refuses code and keys from files someone else could change:
 * the judgement of one stat result, and the walk from a file up to "/". */
#include "core/filesafe.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int filesafe_judge(const struct stat *st, uid_t me, char *why, size_t whylen)
{
	unsigned mode = (unsigned)st->st_mode & 07777;
	if (st->st_uid != 0 && st->st_uid != me) {
		snprintf(why, whylen, "owned by uid %u, neither root nor uid %u running vdeck",
			 (unsigned)st->st_uid, (unsigned)me);
		return -1;
	}
	if (!(st->st_mode & (S_IWGRP | S_IWOTH)))
		return 0;
	/* Others may add entries to /tmp, but not rename or remove root's or yours. */
	if (S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX) && st->st_uid == 0)
		return 0;
	snprintf(why, whylen, "%s-writable (mode %04o)", st->st_mode & S_IWOTH ? "world" : "group", mode);
	return -1;
}

/* The real path of path, or of its deepest ancestor that exists. */
static int resolve_existing(const char *path, char *out)
{
	char abs[PATH_MAX];
	if (realpath(path, out))
		return 0;
	if (errno != ENOENT)
		return -1;
	if (path[0] == '/') {
		if (snprintf(abs, sizeof abs, "%s", path) >= (int)sizeof abs)
			return errno = ENAMETOOLONG, -1;
	} else {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof cwd))
			return -1;
		if (snprintf(abs, sizeof abs, "%s/%s", cwd, path) >= (int)sizeof abs)
			return errno = ENAMETOOLONG, -1;
	}
	for (;;) {
		char *slash = strrchr(abs, '/');
		if (slash == abs)
			abs[1] = '\0';
		else
			*slash = '\0';
		if (realpath(abs, out))
			return 0;
		if (errno != ENOENT && errno != ENOTDIR)
			return -1;
	}
}

/* Judges start (a real path) and every directory above it. */
static int check_chain(const char *what, const char *path, const char *start, struct vd_err *err)
{
	char cur[PATH_MAX], why[128];
	uid_t me = getuid();
	snprintf(cur, sizeof cur, "%s", start);
	for (;;) {
		struct stat st;
		if (stat(cur, &st) < 0)
			return err_set(err, VD_EIO, "%s %s: cannot examine %s: %s", what, path, cur, strerror(errno));
		if (filesafe_judge(&st, me, why, sizeof why) < 0)
			return err_set(err, VD_ECONFIG,
				       "%s %s: refused: %s%s is %s; vdeck runs code and trusts keys only "
				       "from files that no one but root and the user running it can change",
				       what, path, S_ISDIR(st.st_mode) ? "directory " : "", cur, why);
		if (!strcmp(cur, "/"))
			return 0;
		char *slash = strrchr(cur, '/');
		if (slash == cur)
			cur[1] = '\0';
		else
			*slash = '\0';
	}
}

int filesafe_check(const char *what, const char *path, struct vd_err *err)
{
	char real[PATH_MAX];
	struct stat lst;
	if (resolve_existing(path, real) < 0)
		return err_set(err, VD_EIO, "%s %s: %s", what, path, strerror(errno));
	if (check_chain(what, path, real, err) < 0)
		return -1;
	/* Whoever may replace the link chooses the file. */
	if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
		char copy[PATH_MAX];
		snprintf(copy, sizeof copy, "%s", path);
		if (resolve_existing(dirname(copy), real) < 0)
			return err_set(err, VD_EIO, "%s %s: %s", what, path, strerror(errno));
		return check_chain(what, path, real, err);
	}
	return 0;
}

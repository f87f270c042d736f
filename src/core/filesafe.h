/* filesafe.h — may vdeck run code, or trust keys, from this file?
 *
 * OpenSSH's rule for its own configuration and StrictModes: the file and
 * every directory above it, up to "/", belong to root or to the user running
 * vdeck and are writable by no one else.  A directory owned by root with the
 * sticky bit (/tmp) is allowed: there others may add entries but cannot
 * replace yours or root's.  A missing file is judged by the directories that
 * would hold it, so nobody else could plant it there. */
#ifndef VD_FILESAFE_H
#define VD_FILESAFE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "core/err.h"

/* Pure: judges one stat result for user me.  0 when safe; -1 and why
 * ("world-writable (mode 0666)", "owned by uid 1001, neither root nor
 * uid 0") otherwise. */
int filesafe_judge(const struct stat *st, uid_t me, char *why, size_t whylen);

/* Judges path (symlinks resolved) and each directory above it, and, when
 * path is a symlink, the directories holding the link too.  -1 with err
 * VD_ECONFIG "WHAT PATH: refused: ..." naming the offending file or
 * directory, or VD_EIO when a directory cannot be examined. */
int filesafe_check(const char *what, const char *path, struct vd_err *err);

#endif

/* bundle.h — one round trip per poll: the script that prints every file a
 * host poll needs, and the splitter that cuts its output back into files.
 *
 * Format (all text, produced by one POSIX `sh`):
 *     "\036F <path>\n" <file content>      a file; <path> has SYSROOT removed
 *     "\036C <command>\n" <output>         output of a command (stdout+stderr)
 * A record ends where the next "\036" begins (0x1E never occurs in the
 * kernel files read) or at the end of the buffer.  The script strips the
 * sysroot itself, so the splitter never needs to know it.  Missing or
 * unreadable files are simply absent; an empty file may be absent too.
 * Command records reach the callback with path "!<command>", e.g.
 * "!ethtool -c eth0".  No units here: contents are passed through. */
#ifndef VD_METRICS_BUNDLE_H
#define VD_METRICS_BUNDLE_H

#include <stddef.h>

#define BUNDLE_SEP '\036'

/* The script text (caller frees).  sysroot NULL, "" or "/" means none;
 * extra_cmds is a NULL-terminated list of shell commands run at the end,
 * each as a "\036C" record (may be NULL). */
char *bundle_script(const char *sysroot, const char *const *extra_cmds);

/* Calls cb for every record in order; data is not NUL-terminated.  Text
 * before the first record is ignored.  A non-zero cb return stops the walk
 * and is returned; otherwise returns 0. */
/* The same work as a shell function `name() { ... }`, for a long-lived
 * remote shell that defines it once and calls it every poll. */
char *bundle_function(const char *name, const char *sysroot, const char *const *extra_cmds);

int bundle_split(const char *buf, size_t len,
		 int (*cb)(const char *path, const char *data, size_t n, void *ctx),
		 void *ctx);

#endif

/* bundle.h — one round trip per poll: the script that prints every file a
 * host poll needs, the decoder of its reply, and the splitter that cuts the
 * bundle back into files.
 *
 * The bundle (what the local reader writes and the parsers read):
 *     "\036F <path>\n" <file content>      a file; <path> has SYSROOT removed
 *     "\036C <command>\n" <output>         output of a command (stdout+stderr)
 * A record ends where the next "\036" begins (0x1E never occurs in the
 * kernel files read) or at the end of the buffer.  The script strips the
 * sysroot itself, so the splitter never needs to know it.  Missing,
 * unreadable and empty files are absent, and so is a file whose path or
 * content holds 0x1E.
 * Command records reach the callback with path "!<command>", e.g.
 * "!ethtool -c eth0".  No units here: contents are passed through. */
#ifndef VD_METRICS_BUNDLE_H
#define VD_METRICS_BUNDLE_H

#include <stddef.h>

#define BUNDLE_SEP '\036'

/* The script text (caller frees); its output is the wire format below,
 * made a bundle by bundle_wire_decode().  sysroot NULL, "" or "/" means none;
 * extra_cmds is a NULL-terminated list of shell commands run at the end,
 * each as a "\036C" record (may be NULL). */
char *bundle_script(const char *sysroot, const char *const *extra_cmds);

/* The same work as a shell function `name() { ... }`, for a long-lived
 * remote shell that defines it once and calls it every poll. */
char *bundle_function(const char *name, const char *sysroot, const char *const *extra_cmds);

/* The script's reply (the wire format) as a bundle, appended to out.  On
 * top of bundle records the reply carries:
 *     "\036G\n" then "<path>\0<line>\n"...    files, line by line (one grep
 *                                           -HZ; under bash only the
 *                                           numa_maps, the other files come
 *                                           as F records); path relative to
 *                                           the sysroot; ends at a line that
 *                                           starts with 0x1E
 *     "\036P\n" then "<path>\0<vm>\n"...      the numa_maps file of each VM,
 *                                           in the order G holds them
 * A G file becomes a "\036F /<path>" record; the numa_maps files become one
 * "\036C vm-numa" record ("<vm> N<node>=<bytes>..." per VM), as the local
 * reader writes it.  Truncated lines, lines without a NUL, paths holding
 * 0x1E or longer than 1023 bytes are dropped.  Any input is safe. */
struct strbuf;
void bundle_wire_decode(const char *buf, size_t len, struct strbuf *out);

/* Calls cb for every record in order; data is not NUL-terminated.  Text
 * before the first record is ignored.  A non-zero cb return stops the walk
 * and is returned; otherwise returns 0. */
int bundle_split(const char *buf, size_t len,
		 int (*cb)(const char *path, const char *data, size_t n, void *ctx),
		 void *ctx);

#endif

/* safe_text.h — text from hosts made harmless for a terminal.
 *
 * A kernel release, a VM name, a libvirt error or a line of a host's log
 * may hold escape sequences that retitle the window, clear the screen or
 * reprogram keys once written to a terminal.  Every output that is not
 * JSON passes such text through sb_append_safe(); JSON output keeps exact
 * strings (sb_append_json escapes every control character instead). */
#ifndef VD_SAFE_TEXT_H
#define VD_SAFE_TEXT_H

#include <stddef.h>
#include <stdio.h>

#include "core/strbuf.h"

/* SAFE_TEXT_LINES: line-oriented output, \n and \t stay.  Without it (a
 * cell of the console) \t becomes a space and \n is escaped. */
#define SAFE_TEXT_LINES 1u

/* Appends s[0..n) to sb with every C0 control, DEL, C1 control (as a raw
 * byte or as UTF-8) and every byte that is not valid UTF-8 replaced by a
 * visible escape: "\x1b", or "\u009b" for a C1 code point.  Valid UTF-8
 * passes unchanged, so nothing a decoder sees can assemble a control. */
void sb_append_safe(struct strbuf *sb, const char *s, size_t n, unsigned flags);

/* Writes s to f through sb_append_safe(SAFE_TEXT_LINES). */
void safe_text_fputs(const char *s, FILE *f);

#endif

/* linediff.h — a line diff of two texts (longest common subsequence), for
 * dry-run output that shows what a definition changes on a host. */
#ifndef VD_CORE_LINEDIFF_H
#define VD_CORE_LINEDIFF_H

#include "core/strbuf.h"

/* Appends b against a, every line prefixed "  " (in both), "- " (only in
 * a) or "+ " (only in b); returns the number of changed lines.  Texts past
 * LINEDIFF_MAX_LINES lines are shown as all of a removed, all of b added. */
#define LINEDIFF_MAX_LINES 4000
size_t line_diff(const char *a, const char *b, struct strbuf *out);

#endif

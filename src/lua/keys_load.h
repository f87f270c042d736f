/* keys_load.h — the TUI's key remapping file (keys.lua), read in a
 * sandboxed Lua state: `return { quit = "x", filter = "f" }`. */
#ifndef VD_KEYS_LOAD_H
#define VD_KEYS_LOAD_H

#include <stddef.h>

#include "core/err.h"

struct key_binding {
	char *action;     /* "quit", "filter", ... */
	char *key;        /* "x", "F5", "^X", "Enter" */
};

/* Fills *out (x_calloc'd) with the table's string pairs, sorted by action.
 * -1 with err naming FILE:LINE on a syntax error or a non-string entry. */
int  keys_load(const char *path, struct key_binding **out, size_t *n, struct vd_err *err);
void keys_free(struct key_binding *b, size_t n);

#endif

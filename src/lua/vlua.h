/* vlua.h — the embedded Lua runtime, as the top layers (exec, repl, tui)
 * see it.  They never include Lua headers: they hand over code and get back
 * exit codes, text and completions. */
#ifndef VD_VLUA_H
#define VD_VLUA_H

#include <stddef.h>

#include "core/err.h"
#include "core/options.h"
#include "core/strbuf.h"

struct fleet;
struct vlua;

/* Exit codes shared by every face of vdeck. */
enum vd_exit {
	EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3,
	EXIT_LOCKED = 4, EXIT_INTERRUPTED = 130,
};

struct vlua *vlua_new(struct fleet *fleet, const struct vd_options *opts, struct vd_err *err);
void vlua_free(struct vlua **vl);

/* Runs a script or runbook file with k=v arguments; prints errors on stderr;
 * returns an enum vd_exit. */
int  vlua_run_file(struct vlua *vl, const char *path, int argc, char **argv);
/* Runs a one-liner (-e). */
int  vlua_run_string(struct vlua *vl, const char *code, const char *name);

/* REPL: evaluates one chunk; results and errors are written to out.
 * Returns 1 when the chunk is incomplete (more lines needed), else 0. */
int  vlua_repl_eval(struct vlua *vl, const char *chunk, struct strbuf *out);
/* Completions for the word ending the line (e.g. "vdeck.ho", "h:nu").
 * Returns a NULL-terminated heap array of heap strings. */
char **vlua_complete(struct vlua *vl, const char *line);

/* Async-signal-safe: makes the running script raise "interrupted" (exit 130). */
void vlua_interrupt(void);

/* Runbooks found on the search path: prints a table (or JSON lines). */
int  vlua_list_runbooks(struct vlua *vl, int json);

#endif

/* repl.h — the interactive Lua shell (--repl). */
#ifndef VD_REPL_H
#define VD_REPL_H

struct vlua;
struct fleet;

/* Runs until EOF or os.exit; returns the exit code. */
int repl_run(struct vlua *vl, struct fleet *fleet);

#endif

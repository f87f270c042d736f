/* tui.h — the curses console. */
#ifndef VD_TUI_H
#define VD_TUI_H

#include "core/options.h"

struct fleet;

/* Runs the interactive console until the user quits; returns the exit code. */
int tui_run(struct fleet *fleet, const struct vd_options *opts);

#endif

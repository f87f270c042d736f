/* tui.h — the curses console. */
#ifndef VD_TUI_H
#define VD_TUI_H

#include "core/options.h"

struct fleet;

/* Runs the interactive console until the user quits; returns the exit code. */
int tui_run(struct fleet *fleet, const struct vd_options *opts);

/* From before the hosts start until after they stop, vd_log lines are
 * queued for the console's Log view instead of written over the screen;
 * release writes what the console did not show to stderr (tui_log.c). */
void tui_log_capture(void);
void tui_log_release(void);

#endif

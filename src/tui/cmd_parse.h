/* cmd_parse.h — the console's `:` line cut into a command name and its
 * argument.  Pure (no screen, no model), so it is tested and fuzzed alone;
 * tui_cmd.c looks the name up in its table. */
#ifndef VD_TUI_CMD_PARSE_H
#define VD_TUI_CMD_PARSE_H

#include <stddef.h>

#define CMD_NAME_MAX 32
#define CMD_ARG_MAX  256

struct cmd_line {
	char name[CMD_NAME_MAX];   /* the first word: no ' ', never empty */
	char arg[CMD_ARG_MAX];     /* the rest, without ' ' at either end; "" none */
};

/* Skips leading ' ' and ':', takes the first word as the name and the
 * rest as the argument.  Returns 1 with out filled, 0 for a line of
 * nothing else, -1 when the name or the argument does not fit (msg says
 * which; nothing is cut short in silence). */
int cmd_line_parse(const char *line, struct cmd_line *out, char *msg, size_t msglen);

#endif

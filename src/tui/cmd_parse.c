/* cmd_parse.c — splitting a `:` command line into name and argument. */
#include "tui/cmd_parse.h"

#include <stdio.h>
#include <string.h>

int cmd_line_parse(const char *line, struct cmd_line *out, char *msg, size_t msglen)
{
	out->name[0] = out->arg[0] = '\0';
	while (*line == ' ' || *line == ':')
		line++;
	if (!*line)
		return 0;
	size_t n = strcspn(line, " ");
	if (n >= CMD_NAME_MAX) {
		snprintf(msg, msglen, "no command is that long (%zu bytes)", n);
		return -1;
	}
	memcpy(out->name, line, n);
	out->name[n] = '\0';
	const char *arg = line + n;
	while (*arg == ' ')
		arg++;
	size_t al = strlen(arg);
	while (al && arg[al - 1] == ' ')
		al--;
	if (al >= CMD_ARG_MAX) {
		snprintf(msg, msglen, "argument too long (%zu bytes, at most %d)", al, CMD_ARG_MAX - 1);
		return -1;
	}
	memcpy(out->arg, arg, al);
	out->arg[al] = '\0';
	return 1;
}

/* fuzz_tui_cmd.c — libFuzzer target: the console's `:` command line
 * parser (cmd_line_parse, src/tui/cmd_parse.c) on arbitrary lines.
 *
 * Invariants: a line of only ' ' and ':' is empty (0), anything else is a
 * command (1) or too long (-1, with a message, only when the line is);
 * a command's name is the line's first word and holds no ' ', its argument
 * has no ' ' at either end and is the rest of the line; written back as
 * "NAME ARG" it parses to the same (round trip); time per byte is bounded. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "tui/cmd_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	memcpy(line, data, size);
	line[size] = '\0';   /* the console's line ends at the first NUL */
	size_t len = strlen(line);
	struct cmd_line c, c2;
	char msg[96] = "", back[CMD_NAME_MAX + 1 + CMD_ARG_MAX];
	double t0 = fuzz_clock_start();
	int rc = cmd_line_parse(line, &c, msg, sizeof msg);
	fuzz_clock_check(t0, size, "cmd_line_parse");
	const char *start = line + strspn(line, " :");
	FUZZ_ASSERT((rc == 0) == (*start == '\0'));
	if (rc < 0)
		FUZZ_ASSERT(msg[0] && len >= CMD_NAME_MAX);
	if (rc == 1) {
		size_t nl = strlen(c.name), al = strlen(c.arg);
		FUZZ_ASSERT(nl > 0 && !strchr(c.name, ' ') && !strncmp(start, c.name, nl));
		FUZZ_ASSERT(start[nl] == ' ' || start[nl] == '\0');
		FUZZ_ASSERT(!al || (c.arg[0] != ' ' && c.arg[al - 1] != ' '));
		FUZZ_ASSERT(!al || strstr(start + nl, c.arg) == start + nl + strspn(start + nl, " "));
		snprintf(back, sizeof back, "%s%s%s", c.name, al ? " " : "", c.arg);
		FUZZ_ASSERT(cmd_line_parse(back, &c2, msg, sizeof msg) == 1);
		FUZZ_ASSERT(!strcmp(c.name, c2.name) && !strcmp(c.arg, c2.arg));
	}
	free(line);
	return 0;
}

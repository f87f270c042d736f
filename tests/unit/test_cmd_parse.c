/* test_cmd_parse.c — the console's `:` line split into command and
 * argument: blanks and colons before, blanks around the argument, and
 * lines too long for the command or its argument refused, not cut. */
#include "check.h"

#include "tui/cmd_parse.h"

static int parse(const char *line, struct cmd_line *c, char *msg)
{
	return cmd_line_parse(line, c, msg, 96);
}

int main(void)
{
	struct cmd_line c;
	char msg[96], big[600];

	CHECK_INT(parse("", &c, msg), 0);
	CHECK_INT(parse(" : :", &c, msg), 0);
	CHECK_INT(parse("q", &c, msg), 1);
	CHECK_STR(c.name, "q");
	CHECK_STR(c.arg, "");
	CHECK_INT(parse("  :vms   @kvm1  ", &c, msg), 1);
	CHECK_STR(c.name, "vms");
	CHECK_STR(c.arg, "@kvm1");
	CHECK_INT(parse("filter ^a b$ ", &c, msg), 1);
	CHECK_STR(c.name, "filter");
	CHECK_STR(c.arg, "^a b$");

	/* an argument of 255 bytes fits; 256 is refused with a reason */
	memset(big, 0, sizeof big);
	memcpy(big, "filter ", 7);
	memset(big + 7, 'x', CMD_ARG_MAX - 1);
	CHECK_INT(parse(big, &c, msg), 1);
	CHECK_INT(strlen(c.arg), CMD_ARG_MAX - 1);
	big[7 + CMD_ARG_MAX - 1] = 'y';
	CHECK_INT(parse(big, &c, msg), -1);
	CHECK(strstr(msg, "argument too long") != NULL);
	/* trailing blanks do not count against the argument */
	big[7 + CMD_ARG_MAX - 1] = ' ';
	CHECK_INT(parse(big, &c, msg), 1);

	memset(big, 'n', 40);
	big[40] = '\0';
	CHECK_INT(parse(big, &c, msg), -1);
	CHECK(strstr(msg, "no command is that long") != NULL);
	return check_summary();
}

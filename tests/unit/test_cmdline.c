/* test_cmdline.c — the readline callback wrapper the TUI's `:` line uses:
 * editing keys, accept/cancel, history recall and completion. */
#include "check.h"
#include "tui/cmdline.h"

#include <stdlib.h>
#include <string.h>

static char **complete(void *ctx, const char *line, int start, int end)
{
	(void)ctx; (void)line; (void)start; (void)end;
	char **v = calloc(4, sizeof *v);
	v[0] = strdup("cna01");
	v[1] = strdup("cna02");
	v[2] = strdup("db01");
	return v;
}

static void feed(const char *s)
{
	for (; *s; s++)
		cmdline_feed((unsigned char)*s);
}

int main(void)
{
	cmdline_setup(NULL, complete, NULL);

	cmdline_begin(":");
	feed("vms");
	CHECK_STR(cmdline_text(), "vms");
	CHECK_INT(cmdline_point(), 3);
	cmdline_feed(CMDLINE_KEY_LEFT);
	cmdline_feed(CMDLINE_KEY_LEFT);
	CHECK_INT(cmdline_point(), 1);
	cmdline_feed('x');
	CHECK_STR(cmdline_text(), "vxms");
	cmdline_feed(CMDLINE_KEY_BACKSPACE);
	cmdline_feed(CMDLINE_KEY_END);
	feed(" @h");
	CHECK_STR(cmdline_text(), "vms @h");
	CHECK_INT(cmdline_feed(CMDLINE_KEY_ENTER), CMDLINE_DONE);
	char *line = cmdline_take();
	CHECK_STR(line, "vms @h");
	free(line);
	CHECK(!cmdline_active());

	/* History: Up recalls the accepted line. */
	cmdline_begin(":");
	CHECK_STR(cmdline_text(), "");
	cmdline_feed(CMDLINE_KEY_UP);
	CHECK_STR(cmdline_text(), "vms @h");
	cmdline_cancel();
	CHECK(!cmdline_active());

	/* Completion: the unique candidate is inserted; ambiguous ones listed. */
	cmdline_begin(":");
	feed("host d");
	cmdline_feed('\t');
	CHECK_STR(cmdline_text(), "host db01 ");
	cmdline_cancel();
	cmdline_begin(":");
	feed("host c");
	cmdline_feed('\t');
	CHECK_STR(cmdline_text(), "host cna0");
	CHECK(strstr(cmdline_matches(), "cna01") && strstr(cmdline_matches(), "cna02"));
	/* C-u clears, a new line starts empty after cancel. */
	cmdline_feed(0x15);
	CHECK_STR(cmdline_text(), "");
	cmdline_cancel();
	cmdline_begin(":");
	CHECK_STR(cmdline_text(), "");
	CHECK_INT(cmdline_feed(0x04), CMDLINE_CANCELLED);   /* C-d on an empty line */
	cmdline_shutdown();
	return check_summary();
}

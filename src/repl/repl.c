/* repl.c — readline front end for the Lua runtime.
 *
 * History persists in $XDG_STATE_HOME/vdeck/history; Tab completes the vdeck
 * API (fields after ".", methods after ":"); an incomplete chunk continues
 * on the next line with a ">>" prompt.  Worker results are applied before
 * each evaluation, so values are as fresh as the last poll. */
#include "repl/repl.h"
#include "conn/fleet.h"
#include "core/paths.h"
#include "core/safe_text.h"
#include "core/strbuf.h"
#include "lua/vlua.h"

#include <readline/history.h>
#include <readline/readline.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct vlua *completion_vl;
static char **completion_list;
static size_t completion_next;

static char *complete_generator(const char *text, int state)
{
	(void)text;
	if (!completion_list)
		return NULL;
	char *item = completion_list[completion_next];
	if (item) {
		completion_next++;
		return strdup(item);
	}
	(void)state;
	return NULL;
}

static void free_completions(void)
{
	for (size_t i = 0; completion_list && completion_list[i]; i++)
		free(completion_list[i]);
	free(completion_list);
	completion_list = NULL;
}

static char **attempt_completion(const char *text, int start, int end)
{
	(void)start;
	(void)end;
	rl_attempted_completion_over = 1;   /* never fall back to file names */
	free_completions();
	completion_list = vlua_complete(completion_vl, text);
	completion_next = 0;
	rl_completion_append_character = '\0';
	return rl_completion_matches(text, complete_generator);
}

int repl_run(struct vlua *vl, struct fleet *fleet)
{
	char *dir = path_xdg("state", NULL);
	path_mkdirs(dir);
	char *history = path_xdg("state", "history");
	free(dir);
	using_history();
	read_history(history);
	completion_vl = vl;
	rl_readline_name = "vdeck";
	rl_attempted_completion_function = attempt_completion;
	rl_variable_bind("show-all-if-ambiguous", "on");
	rl_basic_word_break_characters = " \t\n\"'`@$><=;|&{(,+-*/";
	int tty = isatty(STDIN_FILENO);
	if (tty)
		printf("vdeck %s Lua REPL — `vdeck.` then Tab to explore, Ctrl-D to quit\n", VD_VERSION);
	struct strbuf chunk, out;
	sb_init(&chunk);
	sb_init(&out);
	int rc = 0;
	for (;;) {
		char *line = readline(chunk.len ? ">> " : "vdeck> ");
		if (!line)
			break;
		if (chunk.len)
			sb_appendc(&chunk, '\n');
		sb_append(&chunk, line);
		free(line);
		if (!chunk.len)
			continue;
		fleet_pump(fleet, 0);
		sb_reset(&out);
		if (vlua_repl_eval(vl, chunk.buf, &out) == 1)
			continue;   /* incomplete: keep reading */
		add_history(chunk.buf);
		safe_text_fputs(out.buf, stdout);   /* results quote hosts: no raw escapes */
		fflush(stdout);
		sb_reset(&chunk);
		if (vlua_exit_status(vl) >= 0) {   /* os.exit */
			rc = vlua_exit_status(vl);
			break;
		}
	}
	if (tty)
		putchar('\n');
	write_history(history);
	history_truncate_file(history, 1000);
	free(history);
	free_completions();
	sb_free(&chunk);
	sb_free(&out);
	return rc;
}

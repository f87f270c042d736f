/* cmdline.c — readline driven through its callback interface from a
 * curses loop.
 *
 * Keys arrive through cmdline_feed() into a small byte queue that our
 * rl_getc_function drains; rl_input_available_hook tells readline whether
 * the rest of an escape sequence is already there.  Readline's own
 * drawing, terminal preparation and signal handling are all switched off:
 * the caller paints rl_line_buffer and rl_point itself. */
#include "tui/cmdline.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <readline/history.h>
#include <readline/readline.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
	unsigned char q[64];
	size_t head, n;
	int active;
	int done;                  /* handler ran */
	char *line;                /* accepted line (NULL: cancelled by EOF) */
	char *prompt;
	char *history_path;
	cmdline_complete_fn complete;
	void *complete_ctx;
	char **cands;
	size_t cand_next;
	struct strbuf matches;
	FILE *devnull;
	int setup;
} cl;

static void q_push(const char *bytes, size_t n)
{
	for (size_t i = 0; i < n && cl.n < sizeof cl.q; i++)
		cl.q[(cl.head + cl.n++) % sizeof cl.q] = (unsigned char)bytes[i];
}

static int rl_getc_queue(FILE *f)
{
	(void)f;
	if (!cl.n)
		return EOF;
	int c = cl.q[cl.head];
	cl.head = (cl.head + 1) % sizeof cl.q;
	cl.n--;
	return c;
}

static int rl_available(void)
{
	return cl.n > 0;
}

static void rl_draw_nothing(void)
{
}

static void rl_prep_nothing(int meta)
{
	(void)meta;
}

static void rl_deprep_nothing(void)
{
}

static void on_line(char *line)
{
	cl.done = 1;
	free(cl.line);
	cl.line = line;
	rl_callback_handler_remove();
}

static void free_cands(void)
{
	for (size_t i = 0; cl.cands && cl.cands[i]; i++)
		free(cl.cands[i]);
	free(cl.cands);
	cl.cands = NULL;
	cl.cand_next = 0;
}

static char *cand_generator(const char *text, int state)
{
	(void)state;
	size_t tl = strlen(text);
	while (cl.cands && cl.cands[cl.cand_next]) {
		const char *c = cl.cands[cl.cand_next++];
		if (!strncmp(c, text, tl))
			return strdup(c);
	}
	return NULL;
}

static char **attempt(const char *text, int start, int end)
{
	rl_attempted_completion_over = 1;   /* never file names */
	free_cands();
	if (!cl.complete)
		return NULL;
	cl.cands = cl.complete(cl.complete_ctx, rl_line_buffer, start, end);
	rl_completion_append_character = ' ';
	return rl_completion_matches(text, cand_generator);
}

static void show_matches(char **matches, int n, int maxlen)
{
	(void)maxlen;
	sb_reset(&cl.matches);
	for (int i = 1; i <= n && matches[i]; i++) {
		if (i > 1)
			sb_appendc(&cl.matches, ' ');
		sb_append(&cl.matches, matches[i]);
	}
}

void cmdline_setup(const char *history_path, cmdline_complete_fn fn, void *ctx)
{
	cl.complete = fn;
	cl.complete_ctx = ctx;
	if (cl.setup)
		return;
	cl.setup = 1;
	sb_init(&cl.matches);
	cl.devnull = fopen("/dev/null", "w");
	rl_readline_name = "vdeck-tui";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_getc_function = rl_getc_queue;
	rl_input_available_hook = rl_available;
	rl_redisplay_function = rl_draw_nothing;
	rl_prep_term_function = rl_prep_nothing;
	rl_deprep_term_function = rl_deprep_nothing;
	rl_outstream = cl.devnull;
	rl_instream = stdin;
	rl_attempted_completion_function = attempt;
	rl_completion_display_matches_hook = show_matches;
	rl_basic_word_break_characters = " \t\n";
	rl_variable_bind("bell-style", "none");
	rl_variable_bind("enable-bracketed-paste", "off");
	rl_variable_bind("show-all-if-ambiguous", "on");
	using_history();
	stifle_history(500);
	if (history_path) {
		cl.history_path = x_strdup(history_path);
		read_history(history_path);
	}
}

void cmdline_begin(const char *prompt)
{
	if (cl.active)
		cmdline_cancel();
	free(cl.prompt);
	cl.prompt = x_strdup(prompt);
	cl.n = 0;
	cl.done = 0;
	free(cl.line);
	cl.line = NULL;
	sb_reset(&cl.matches);
	rl_callback_handler_install(NULL, on_line);
	cl.active = 1;
}

enum cmdline_result cmdline_feed(int key)
{
	if (!cl.active)
		return CMDLINE_CANCELLED;
	sb_reset(&cl.matches);
	switch (key) {
	case CMDLINE_KEY_LEFT: q_push("\033[D", 3); break;
	case CMDLINE_KEY_RIGHT: q_push("\033[C", 3); break;
	case CMDLINE_KEY_UP: q_push("\033[A", 3); break;
	case CMDLINE_KEY_DOWN: q_push("\033[B", 3); break;
	case CMDLINE_KEY_HOME: q_push("\001", 1); break;      /* C-a */
	case CMDLINE_KEY_END: q_push("\005", 1); break;       /* C-e */
	case CMDLINE_KEY_DELETE: q_push("\033[3~", 4); break;
	case CMDLINE_KEY_BACKSPACE: q_push("\177", 1); break;
	case CMDLINE_KEY_ENTER: q_push("\n", 1); break;
	default: {
		if (key < 0 || key > 255)
			return CMDLINE_EDITING;
		char c = (char)key;
		q_push(&c, 1);
	}
	}
	while (cl.n && !cl.done)
		rl_callback_read_char();
	cl.n = 0;
	if (!cl.done)
		return CMDLINE_EDITING;
	cl.active = 0;
	if (!cl.line)
		return CMDLINE_CANCELLED;   /* C-d on an empty line */
	return CMDLINE_DONE;
}

void cmdline_cancel(void)
{
	if (!cl.active)
		return;
	/* Clear the buffer so the next line starts empty. */
	rl_replace_line("", 0);
	rl_point = rl_end = 0;
	rl_callback_handler_remove();
	cl.active = 0;
	cl.n = 0;
}

int cmdline_active(void)
{
	return cl.active;
}

const char *cmdline_text(void)
{
	return cl.active && rl_line_buffer ? rl_line_buffer : "";
}

int cmdline_point(void)
{
	return cl.active ? rl_point : 0;
}

const char *cmdline_prompt(void)
{
	return cl.prompt ? cl.prompt : "";
}

char *cmdline_take(void)
{
	char *l = cl.line;
	cl.line = NULL;
	if (l && *l) {
		HIST_ENTRY *last = history_length ? history_get(history_base + history_length - 1) : NULL;
		if (!last || strcmp(last->line, l))
			add_history(l);
	}
	return l;
}

const char *cmdline_matches(void)
{
	return cl.setup ? cl.matches.buf : "";
}

void cmdline_shutdown(void)
{
	if (!cl.setup)
		return;
	cmdline_cancel();
	if (cl.history_path)
		write_history(cl.history_path);
	free_cands();
	free(cl.history_path);
	cl.history_path = NULL;
	free(cl.prompt);
	cl.prompt = NULL;
	free(cl.line);
	cl.line = NULL;
	sb_free(&cl.matches);
	if (cl.devnull)
		fclose(cl.devnull);
	cl.devnull = NULL;
	rl_outstream = NULL;
	cl.setup = 0;
}

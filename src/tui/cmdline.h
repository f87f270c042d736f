/* cmdline.h — readline's callback interface for a line editor that lives
 * inside another program's screen (the TUI's `:` command line).
 *
 * Readline draws nothing and reads nothing by itself here: the caller
 * feeds it keys (cmdline_feed) and paints cmdline_text() with the cursor
 * at cmdline_point().  Editing keys, history (persisted to a file) and Tab
 * completion work as in any readline program.  Readline is global state,
 * so there is one command line per process. */
#ifndef VD_CMDLINE_H
#define VD_CMDLINE_H

#include <stddef.h>

/* Candidates for the word [start, end) of line: a NULL-terminated heap
 * array of heap strings (or NULL).  Strings not starting with the word are
 * ignored. */
typedef char **(*cmdline_complete_fn)(void *ctx, const char *line, int start, int end);

/* Keys the caller passes that are not plain bytes. */
enum cmdline_key {
	CMDLINE_KEY_LEFT = 0x10000, CMDLINE_KEY_RIGHT, CMDLINE_KEY_UP, CMDLINE_KEY_DOWN,
	CMDLINE_KEY_HOME, CMDLINE_KEY_END, CMDLINE_KEY_DELETE, CMDLINE_KEY_BACKSPACE,
	CMDLINE_KEY_ENTER,
};

enum cmdline_result { CMDLINE_EDITING, CMDLINE_DONE, CMDLINE_CANCELLED };

/* Once per process: history file (may be NULL) and completion source. */
void cmdline_setup(const char *history_path, cmdline_complete_fn fn, void *ctx);
/* Starts editing a new line with this prompt. */
void cmdline_begin(const char *prompt);
/* Feeds one key (a byte, a UTF-8 byte, or an enum cmdline_key). */
enum cmdline_result cmdline_feed(int key);
/* Abandons the line being edited. */
void cmdline_cancel(void);
int  cmdline_active(void);
/* The line so far and the cursor (byte offset). */
const char *cmdline_text(void);
int  cmdline_point(void);
const char *cmdline_prompt(void);
/* After CMDLINE_DONE: the accepted line (caller frees), added to history. */
char *cmdline_take(void);
/* The last list of completions readline wanted to show ("" when none);
 * cleared by the next key. */
const char *cmdline_matches(void);
/* Writes the history file. */
void cmdline_shutdown(void);

#endif

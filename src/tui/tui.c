/* tui.c — the console's loop: one thread that polls the keyboard, the
 * fleet's result queue and a signal self-pipe, applies worker results to
 * the model, and redraws only when something changed (input, a model
 * generation, the one-second tick that keeps ages honest).
 *
 * Nothing here waits on the network.  Quitting by key, SIGINT/SIGTERM/
 * SIGHUP goes through the loop and endwin(); a fatal signal restores the
 * terminal with async-signal-safe calls only (tcsetattr, write) and
 * re-raises. */
#include "tui/tui.h"
#include "conn/fleet.h"
#include "core/paths.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "lua/vlua.h"
#include "ops/audit.h"
#include "tui/cmdline.h"
#include "tui/tui_priv.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

static const struct view_ops *const views[V_COUNT] = {
	[V_CLUSTER] = &view_cluster, [V_HOST] = &view_host, [V_VMS] = &view_vms, [V_VM] = &view_vm,
	[V_RUNBOOKS] = &view_runbooks, [V_JOBS] = &view_jobs, [V_LOG] = &view_log, [V_STORAGE] = &view_storage,
	[V_PLAN] = &view_plan, [V_SWITCH] = &view_switch,
};
static const enum view_id cycle[] = { V_CLUSTER, V_VMS, V_RUNBOOKS, V_JOBS, V_LOG, V_STORAGE, V_PLAN, V_SWITCH };

/* ---- signals ---- */
static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t sig_quit;
static struct termios saved_tio;
static int saved_tio_ok;
static char restore_seq[128];
static size_t restore_len;

static void on_quit_signal(int sig)
{
	sig_quit = sig;
	int e = errno;
	if (sig_pipe[1] >= 0)
		(void)!write(sig_pipe[1], "q", 1);
	errno = e;
}

static void on_fatal_signal(int sig)
{
	if (saved_tio_ok)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	if (restore_len)
		(void)!write(STDOUT_FILENO, restore_seq, restore_len);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void add_restore(const char *cap)
{
	char *s = tigetstr((char *)cap);
	if (!s || s == (char *)-1)
		return;
	size_t n = strlen(s);
	if (restore_len + n < sizeof restore_seq) {
		memcpy(restore_seq + restore_len, s, n);
		restore_len += n;
	}
}

static void install_signals(void)
{
	if (pipe(sig_pipe) == 0) {
		fcntl(sig_pipe[0], F_SETFL, O_NONBLOCK);
		fcntl(sig_pipe[1], F_SETFL, O_NONBLOCK);
		fcntl(sig_pipe[0], F_SETFD, FD_CLOEXEC);
		fcntl(sig_pipe[1], F_SETFD, FD_CLOEXEC);
	}
	struct sigaction sa = { .sa_handler = on_quit_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	struct sigaction fa = { .sa_handler = on_fatal_signal, .sa_flags = SA_RESETHAND };
	sigemptyset(&fa.sa_mask);
	int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
		sigaction(fatal[i], &fa, NULL);
	/* What the fatal handler writes: mouse off, normal screen, cursor, attributes. */
	const char mouse_off[] = "\033[?1000l\033[?1002l\033[?1006l";
	memcpy(restore_seq, mouse_off, sizeof mouse_off - 1);
	restore_len = sizeof mouse_off - 1;
	add_restore("sgr0");
	add_restore("cnorm");
	add_restore("rmcup");
}

/* The console is closing and vdeck with it (main.c): a quit signal from
 * here on (the terminal closing as the user quits) would only cut the
 * exit short, so it is ignored. */
static void restore_signals(void)
{
	int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT }, quit[] = { SIGINT, SIGTERM, SIGHUP };
	for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
		signal(fatal[i], SIG_DFL);
	for (size_t i = 0; i < sizeof quit / sizeof quit[0]; i++)
		signal(quit[i], SIG_IGN);
	if (sig_pipe[0] >= 0) {
		close(sig_pipe[0]);
		close(sig_pipe[1]);
		sig_pipe[0] = sig_pipe[1] = -1;
	}
}

/* ---- helpers the views call ---- */
void *view_state(struct tui *t, enum view_id v)
{
	return t->view_state[v];
}

struct table *tui_table(struct tui *t)
{
	return views[t->view]->table ? views[t->view]->table(t) : NULL;
}

void tui_status(struct tui *t, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->status, sizeof t->status, fmt, ap);
	va_end(ap);
	t->status_err = err;
	t->status_t = now_mono_s();
	t->dirty = 1;
}

void tui_switch(struct tui *t, enum view_id v, int push)
{
	if (push && t->view != v) {
		if (t->nback == (int)(sizeof t->back / sizeof t->back[0])) {
			memmove(t->back, t->back + 1, sizeof t->back - sizeof t->back[0]);
			t->nback--;
		}
		t->back[t->nback++] = t->view;
	}
	t->view = v;
	t->help = 0;
	t->dirty = 1;
}

static void tui_back(struct tui *t)
{
	if (t->nback)
		t->view = t->back[--t->nback];
	else if (t->view != V_CLUSTER)
		t->view = V_CLUSTER;
	t->dirty = 1;
}

/* ---- drawing ---- */
static size_t view_rows(struct tui *t)
{
	struct table *tb = tui_table(t);
	return tb ? tb->nidx : 0;
}

static void draw_title(struct tui *t)
{
	int attr = theme_attr(EL_TITLE);
	put_text(0, 0, COLS, "", attr, 1);
	static const char *const names[V_COUNT] = {
		[V_CLUSTER] = "Cluster", [V_HOST] = "Host", [V_VMS] = "VMs", [V_VM] = "VM",
		[V_RUNBOOKS] = "Runbooks", [V_JOBS] = "Jobs", [V_LOG] = "Log", [V_STORAGE] = "Storage", [V_PLAN] = "Plan",
		[V_SWITCH] = "Switches",
	};
	size_t up = 0, down = 0, vms = 0;
	for (size_t i = 0; i < t->c->nhosts; i++) {
		up += t->c->hosts[i].state == HOST_UP;
		down += t->c->hosts[i].state == HOST_DOWN;
		vms += t->c->hosts[i].ndoms;
	}
	char right[160];
	snprintf(right, sizeof right, "%s%zu hosts: %zu up, %zu down | %zu VMs | %s ",
		 t->opts->readonly ? "READONLY | " : "", t->c->nhosts, up, down, vms, theme_name());
	int w = text_width(right);
	size_t ntabs = sizeof cycle / sizeof cycle[0];
	/* Tabs other than the current one lose their padding, then their names,
	 * when the names and the cluster counts do not both fit: the counts
	 * matter more. */
	int names_width = 0;
	for (size_t i = 0; i < ntabs; i++)
		names_width += (int)strlen(names[cycle[i]]) + 3;
	int fit = 8 + w + names_width + 2 * (int)ntabs <= COLS ? 2 : 8 + w + names_width <= COLS ? 1 : 0;
	int x = put_text(0, 0, 8, " vdeck ", attr | A_BOLD, 0) + 1;
	for (size_t i = 0; i < ntabs; i++) {
		char b[32];
		int cur = t->view == cycle[i] || (cycle[i] == V_CLUSTER && t->view == V_HOST) ||
			(cycle[i] == V_VMS && t->view == V_VM);
		if (cur)
			snprintf(b, sizeof b, "[%zu %s]", i + 1, names[cycle[i]]);
		else if (fit)
			snprintf(b, sizeof b, fit == 2 ? " %zu %s " : "%zu %s", i + 1, names[cycle[i]]);
		else
			snprintf(b, sizeof b, "%zu", i + 1);
		x += put_text(0, x, 16, b, cur ? (int)(attr | A_BOLD | A_UNDERLINE) : attr, 0) + 1;
	}
	if (COLS - w > x)
		put_text(0, COLS - w, w, right, attr, 0);
}

static void draw_bottom(struct tui *t)
{
	int y = LINES - 1;
	if (t->cmd_mode != CMD_NONE) {
		int attr = theme_attr(EL_CMDLINE);
		const char *prompt = cmdline_prompt(), *text = cmdline_text();
		int pw = text_width(prompt);
		put_text(y, 0, COLS, prompt, attr, 1);
		/* Scroll the text so the cursor stays visible. */
		int point = cmdline_point(), avail = COLS - pw - 1, start = 0;
		if (point > avail)
			start = point - avail;
		put_text(y, pw, COLS - pw, text + start, attr, 1);
		const char *m = cmdline_matches();
		if (*m)
			put_text(y - 1, 0, COLS, m, theme_attr(EL_HELP), 1);
		char tmp[1024];
		snprintf(tmp, sizeof tmp, "%.*s", point - start, text + start);
		move(y, pw + text_width(tmp));
		curs_set(1);
		return;
	}
	curs_set(0);
	double age = now_mono_s() - t->status_t;
	if (t->status[0] && age < 8) {
		put_text(y, 0, COLS, t->status, theme_attr(t->status_err ? EL_CRIT : EL_STATUS), 1);
		return;
	}
	struct table *tb = tui_table(t);
	char hint[256], k1[16], k2[16], k3[16], k4[16], k5[16];
	snprintf(hint, sizeof hint, " %s help  %s filter  %s command  %s sort  Tab views  %s quit%s%s",
		 action_keys(ACT_HELP, k1, sizeof k1), action_keys(ACT_FILTER, k2, sizeof k2),
		 action_keys(ACT_COMMAND, k3, sizeof k3), action_keys(ACT_SORT, k4, sizeof k4),
		 action_keys(ACT_QUIT, k5, sizeof k5),
		 tb && tb->filter ? "   filter: " : "", tb && tb->filter ? tb->filter : "");
	put_text(y, 0, COLS, hint, theme_attr(EL_STATUS), 1);
}

static void draw_help(struct tui *t)
{
	const struct view_ops *v = views[t->view];
	int w = COLS - 8 < 90 ? COLS - 8 : 90, h = LINES - 4;
	int x0 = (COLS - w) / 2, y0 = 2;
	int attr = theme_attr(EL_HELP);
	for (int r = 0; r < h; r++)
		put_text(y0 + r, x0, w, "", attr, 1);
	char title[64];
	snprintf(title, sizeof title, "Help: %s view (any key closes)", v->name);
	put_box(y0, x0, h, w, title, attr);
	int y = y0 + 1;
	char keys[48];
	enum action global[] = { ACT_HELP, ACT_COMMAND, ACT_NEXT_VIEW, ACT_BACK, ACT_VIEW_CLUSTER,
				 ACT_VIEW_VMS, ACT_VIEW_RUNBOOKS, ACT_VIEW_JOBS, ACT_VIEW_LOG, ACT_VIEW_STORAGE, ACT_VIEW_PLAN,
				 ACT_VIEW_SWITCH, ACT_REDRAW,
				 ACT_QUIT, ACT_NONE };
	put_text(y++, x0 + 2, w - 4, "This view:", attr | A_BOLD, 0);
	for (const enum action *a = v->help; a && *a != ACT_NONE && y < y0 + h - 1; a++, y++) {
		if (t->opts->readonly && (*a == ACT_ACTIONS || *a == ACT_RUN || *a == ACT_CANCEL)) {
			y--;   /* hidden: a read-only session runs nothing */
			continue;
		}
		put_text(y, x0 + 4, 14, action_keys(*a, keys, sizeof keys), attr | A_BOLD, 0);
		put_text(y, x0 + 19, w - 21, action_help(*a), attr, 0);
	}
	if (v->help_extra) {
		const char *p = v->help_extra;
		while (*p && y < y0 + h - 1) {
			const char *e = strchr(p, '\n');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			char line[256];
			snprintf(line, sizeof line, "%.*s", (int)n, p);
			put_text(y++, x0 + 4, w - 6, line, attr, 0);
			p += n + (e ? 1 : 0);
		}
	}
	if (y < y0 + h - 1)
		put_text(y++, x0 + 2, w - 4, "Everywhere:", attr | A_BOLD, 0);
	for (enum action *a = global; *a != ACT_NONE && y < y0 + h - 1; a++, y++) {
		put_text(y, x0 + 4, 14, action_keys(*a, keys, sizeof keys), attr | A_BOLD, 0);
		put_text(y, x0 + 19, w - 21, action_help(*a), attr, 0);
	}
	const char *cmds[] = {
		"Commands: :cluster  :host NAME  :vms [@HOST|/REGEX]  :vm NAME  :runbooks  :jobs  :log",
		"          :filter RE  :sort [-]COL  :theme NAME  :help  :quit",
		"Mouse: click selects, double click opens, wheel scrolls.",
	};
	y++;
	for (size_t i = 0; i < 3 && y < y0 + h - 1; i++)
		put_text(y++, x0 + 2, w - 4, cmds[i], attr, 0);
}

static void draw_too_small(void)
{
	erase();
	const char *l1 = "Terminal too small";
	char l2[96];
	snprintf(l2, sizeof l2, "vdeck needs at least 80x24; this one is %dx%d.", COLS, LINES);
	const char *l3 = "Enlarge the window, or press q to quit.";
	int y = LINES / 2 - 1;
	put_text(y < 0 ? 0 : y, 0, COLS, l1, A_BOLD, 0);
	put_text(y + 1, 0, COLS, l2, A_NORMAL, 0);
	put_text(y + 2, 0, COLS, l3, A_NORMAL, 0);
}

static int all_polled(const struct cluster *c)
{
	for (size_t i = 0; i < c->nhosts; i++)
		if (!c->hosts[i].polls)
			return 0;
	return 1;
}

static void draw(struct tui *t)
{
	int64_t t0 = now_ms();
	double t0f = now_mono_s();
	t->now_mono = t0f;
	t->now_wall = now_wall_s();
	hist_update(t);
	if (LINES < 24 || COLS < 80) {
		draw_too_small();
	} else {
		const struct view_ops *v = views[t->view];
		if (v->update)
			v->update(t);
		draw_title(t);
		if (!v->table)
			for (int y = 1; y < LINES - 1; y++)
				put_text(y, 0, COLS, "", theme_attr(EL_NORMAL), 1);
		v->draw(t, 1, LINES - 2);
		if (t->help)
			draw_help(t);
		draw_bottom(t);
	}
	refresh();
	t->dirty = 0;
	if (t->bench) {
		/* the end on the same clock, to the microsecond: what a keystroke's
		 * latency is measured to (tests/integration/test_tui_load.sh); the
		 * table's filter last, so a keystroke is matched with the frame
		 * that shows its rows (bench/tui.py) */
		double end = now_mono_s();
		int full = !t->bench_full_done && all_polled(t->c);
		struct table *tb = tui_table(t);
		char input[32] = "";
		if (t->bench_input_s > 0)
			snprintf(input, sizeof input, " input=%.3f", t->bench_input_s * 1000.0);
		fprintf(t->bench, "%lld %.3f %s %zu %zu %.3f%s%s%s%s\n", (long long)t0, (end - t0f) * 1000.0,
			views[t->view]->name, view_rows(t), tb ? tb->sel : 0, end * 1000.0,
			full ? " first_full_frame" : "", input, tb && tb->filter ? " filter=" : "",
			tb && tb->filter ? tb->filter : "");
		fflush(t->bench);
		if (full)
			t->bench_full_done = 1;
		t->bench_input_s = 0;
	}
}

/* ---- input ---- */
static void begin_cmd(struct tui *t, enum cmd_mode mode)
{
	t->cmd_mode = mode;
	if (mode == CMD_FILTER) {
		struct table *tb = tui_table(t);
		free(t->saved_filter);
		t->saved_filter = x_strdup(tb && tb->filter ? tb->filter : "");
		cmdline_begin("/");
	} else {
		cmdline_begin(":");
	}
	t->dirty = 1;
}

void tui_prompt(struct tui *t, const char *question, const char *text, const struct prompt *p, void *ctx)
{
	cmdline_begin(question);
	for (const char *s = text ? text : ""; *s; s++)
		cmdline_feed((unsigned char)*s);
	t->cmd_mode = CMD_PROMPT;
	t->prompt = p;
	t->prompt_ctx = ctx;
	t->dirty = 1;
}

/* Ends the command line; a prompt's owner hears of the answer or the
 * cancellation after, so it may ask again. */
static void end_cmd(struct tui *t, int cancelled, const char *line)
{
	const struct prompt *p = t->cmd_mode == CMD_PROMPT ? t->prompt : NULL;
	void *ctx = t->prompt_ctx;
	t->cmd_mode = CMD_NONE;
	t->prompt = NULL;
	t->prompt_ctx = NULL;
	if (p && cancelled && p->cancel)
		p->cancel(t, ctx);
	else if (p && !cancelled)
		p->done(t, ctx, line);
}

static void live_filter(struct tui *t)
{
	struct table *tb = tui_table(t);
	char msg[160];
	if (tb && table_set_filter(tb, cmdline_text(), msg, sizeof msg) == 0)
		t->status[0] = '\0';
}

static int cmdline_key(int ch, int is_key)
{
	if (!is_key) {
		if (ch == '\r' || ch == '\n')
			return CMDLINE_KEY_ENTER;
		if (ch == 127 || ch == 8)
			return CMDLINE_KEY_BACKSPACE;
		return ch;
	}
	switch (ch) {
	case KEY_LEFT: return CMDLINE_KEY_LEFT;
	case KEY_RIGHT: return CMDLINE_KEY_RIGHT;
	case KEY_UP: return CMDLINE_KEY_UP;
	case KEY_DOWN: return CMDLINE_KEY_DOWN;
	case KEY_HOME: return CMDLINE_KEY_HOME;
	case KEY_END: return CMDLINE_KEY_END;
	case KEY_DC: return CMDLINE_KEY_DELETE;
	case KEY_BACKSPACE: return CMDLINE_KEY_BACKSPACE;
	case KEY_ENTER: return CMDLINE_KEY_ENTER;
	default: return -1;
	}
}

static void feed_cmdline(struct tui *t, int ch, int is_key)
{
	t->dirty = 1;
	if (!is_key && ch == 27) {
		cmdline_cancel();
		if (t->cmd_mode == CMD_FILTER) {
			struct table *tb = tui_table(t);
			char msg[160];
			if (tb)
				table_set_filter(tb, t->saved_filter, msg, sizeof msg);
		}
		end_cmd(t, 1, NULL);
		return;
	}
	int k = cmdline_key(ch, is_key);
	if (k < 0)
		return;
	enum cmdline_result r;
	if (!is_key && ch >= 0x80) {
		/* A wide character: readline wants its UTF-8 bytes. */
		char mb[8];
		mbstate_t st;
		memset(&st, 0, sizeof st);
		size_t n = wcrtomb(mb, (wchar_t)ch, &st);
		r = CMDLINE_EDITING;
		for (size_t i = 0; n != (size_t)-1 && i < n; i++)
			r = cmdline_feed((unsigned char)mb[i]);
	} else {
		r = cmdline_feed(k);
	}
	enum cmd_mode mode = t->cmd_mode;
	if (r == CMDLINE_EDITING) {
		if (mode == CMD_FILTER)
			live_filter(t);
		return;
	}
	if (r == CMDLINE_CANCELLED) {
		end_cmd(t, 1, NULL);
		return;
	}
	char *line = cmdline_take();
	end_cmd(t, 0, line);
	if (mode == CMD_FILTER) {
		struct table *tb = tui_table(t);
		char msg[160];
		if (tb && table_set_filter(tb, line, msg, sizeof msg) < 0)
			tui_status(t, 1, "%s", msg);
	} else if (mode == CMD_COMMAND && line) {
		tui_command(t, line);
	}
	free(line);
}

static void handle_mouse(struct tui *t)
{
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return;
	struct table *tb = tui_table(t);
	t->dirty = 1;
	if (ev.bstate & BUTTON4_PRESSED) {
		if (tb)
			table_scroll(tb, -3);
		else
			views[t->view]->key(t, ACT_UP, 0);
	} else if (ev.bstate & BUTTON5_PRESSED) {
		if (tb)
			table_scroll(tb, 3);
		else
			views[t->view]->key(t, ACT_DOWN, 0);
	} else if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED)) {
		if (ev.y == 0)
			return;
		if (tb)
			table_click(tb, ev.y);
		if (tb && (ev.bstate & BUTTON1_DOUBLE_CLICKED))
			views[t->view]->key(t, ACT_ENTER, '\n');
	}
}

static void handle_key(struct tui *t, int ch, int is_key)
{
	if (is_key && ch == KEY_RESIZE) {
		t->dirty = 1;
		clear();
		return;
	}
	if (is_key && ch == KEY_MOUSE) {
		handle_mouse(t);
		return;
	}
	if (t->cmd_mode != CMD_NONE) {
		feed_cmdline(t, ch, is_key);
		return;
	}
	t->dirty = 1;
	enum action a = key_action(ch);
	if (t->help) {
		t->help = 0;
		if (a != ACT_QUIT)
			return;
	}
	if (LINES < 24 || COLS < 80) {
		if (a == ACT_QUIT || ch == 'q')
			t->running = 0;
		return;
	}
	/* The view first: a form may want letters for itself. */
	if (views[t->view]->key(t, a, ch))
		return;
	switch (a) {
	case ACT_QUIT: t->running = 0; break;
	case ACT_HELP: t->help = 1; break;
	case ACT_FILTER:
		if (tui_table(t))
			begin_cmd(t, CMD_FILTER);
		else
			tui_status(t, 0, "this view has no rows to filter");
		break;
	case ACT_COMMAND: begin_cmd(t, CMD_COMMAND); break;
	case ACT_BACK: tui_back(t); break;
	case ACT_NEXT_VIEW: {
		size_t n = sizeof cycle / sizeof cycle[0], i;
		enum view_id cur = t->view == V_HOST ? V_CLUSTER : t->view == V_VM ? V_VMS : t->view;
		for (i = 0; i < n && cycle[i] != cur; i++)
			;
		tui_switch(t, cycle[(i + 1) % n], 0);
		break;
	}
	case ACT_VIEW_CLUSTER: tui_switch(t, V_CLUSTER, 1); break;
	case ACT_VIEW_VMS: tui_switch(t, V_VMS, 1); break;
	case ACT_VIEW_RUNBOOKS: tui_switch(t, V_RUNBOOKS, 1); break;
	case ACT_VIEW_JOBS: tui_switch(t, V_JOBS, 1); break;
	case ACT_VIEW_LOG: tui_switch(t, V_LOG, 1); break;
	case ACT_VIEW_STORAGE: tui_switch(t, V_STORAGE, 1); break;
	case ACT_VIEW_PLAN: tui_switch(t, V_PLAN, 1); break;
	case ACT_VIEW_SWITCH: tui_switch(t, V_SWITCH, 1); break;
	case ACT_REDRAW: clear(); break;
	default: break;
	}
}

static void read_input(struct tui *t)
{
	for (;;) {
		wint_t wc;
		int r = get_wch(&wc);
		if (r == ERR)
			break;
		if (t->bench && !t->bench_input_s)
			t->bench_input_s = now_mono_s();
		handle_key(t, (int)wc, r == KEY_CODE_YES);
		if (!t->running)
			break;
	}
}

/* ---- setup ---- */
static void load_keys(struct tui *t)
{
	keys_init();
	const struct inventory *inv = t->c->inv;
	if (inv && inv->nkeys) {
		char msg[256];
		if (keys_apply(inv->path ? inv->path : "inventory", inv->keys, inv->nkeys, msg, sizeof msg) < 0)
			tui_status(t, 1, "%s", msg);
	}
	char *path = path_xdg("config", "keys.lua");
	if (access(path, R_OK) == 0) {
		char msg[256];
		if (keys_apply_file(path, msg, sizeof msg) < 0)
			tui_status(t, 1, "%s", msg);
	}
	free(path);
}

static void open_bench(struct tui *t)
{
	const char *p = getenv("VDECK_BENCH_FRAMES");
	if (p && *p)
		t->bench = fopen(p, "a");
}

static void views_init(struct tui *t)
{
	for (int v = 0; v < V_COUNT; v++) {
		t->view_state[v] = x_calloc(1, views[v]->state_size ? views[v]->state_size : 1);
		if (views[v]->init)
			views[v]->init(t, t->view_state[v]);
	}
}

static void tui_free(struct tui *t)
{
	for (int v = 0; v < V_COUNT; v++) {
		if (t->view_state[v] && views[v]->fini)
			views[v]->fini(t->view_state[v]);
		x_free(&t->view_state[v]);
	}
	free(t->hist);
	free(t->saved_filter);
	vlua_free(&t->vl);
	vlua_free(&t->vl_dry);
	if (t->bench)
		fclose(t->bench);
}

int tui_run(struct fleet *fleet, const struct vd_options *opts)
{
	struct tui t;
	memset(&t, 0, sizeof t);
	t.fleet = fleet;
	t.c = fleet_cluster(fleet);
	t.opts = opts;
	t.running = 1;
	t.view = V_CLUSTER;
	t.dirty = 1;
	setlocale(LC_ALL, "");
	const char *cs = nl_langinfo(CODESET);
	glyphs_init(cs && !strcmp(cs, "UTF-8"));
	if (tcgetattr(STDIN_FILENO, &saved_tio) == 0)
		saved_tio_ok = 1;
	if (!initscr()) {
		fprintf(stderr, "vdeck: cannot initialise the terminal\n");
		return EXIT_FAILURE;
	}
	install_signals();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED |
		  BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	char msg[256];
	if (theme_load(opts->theme, msg, sizeof msg) < 0 && msg[0] && opts->theme)
		tui_status(&t, 1, "%s", msg);
	load_keys(&t);
	open_bench(&t);
	char *hdir = path_xdg("state", NULL);
	path_mkdirs(hdir);
	free(hdir);
	char *hist = path_xdg("state", "tui_history");
	cmdline_setup(hist, tui_complete, &t);
	free(hist);
	views_init(&t);
	/* The first screen (every host "connecting") before any key exchange
	 * or libvirt open competes with it for the CPU. */
	draw(&t);
	/* Then what earlier runs left unfinished, before any operation (and
	 * before the workers, which would compete with the scan). */
	audit_load_unfinished(opts->audit_path, t.c);
	t.dirty = 1;
	struct vd_err gerr;
	err_clear(&gerr);
	if (fleet_go(fleet, &gerr) < 0)
		tui_status(&t, 1, "%s", gerr.msg);

	/* The Lua runtime behind runbook and operation jobs; a second one
	 * with dry_run forced for the Runbooks view's preview. */
	struct vd_err verr;
	err_clear(&verr);
	t.dry_opts = *opts;
	t.dry_opts.dry_run = 1;
	t.vl = vlua_new(fleet, opts, &verr);
	t.vl_dry = vlua_new(fleet, &t.dry_opts, &verr);
	if (!t.vl || !t.vl_dry)
		tui_status(&t, 1, "runbooks and operations disabled: %s", verr.msg);

	double last_tick = 0, last_model_draw = 0;
	unsigned seen_jobs = ~0u, seen_events = ~0u;
	while (t.running && !sig_quit) {
		fleet_pump(fleet, 0);
		size_t jobs = 0;
		int more = 0;   /* a step stopped short: no waiting before the next */
		if (t.vl)
			jobs += vlua_jobs_step(t.vl, &more);
		if (t.vl_dry)
			jobs += vlua_jobs_step(t.vl_dry, &more);
		double now = now_mono_s();
		int model = t.c->generation != t.seen_gen || t.c->jobs.generation != seen_jobs ||
			t.c->events.generation != seen_events;
		if (model && now - last_model_draw >= 0.2) {
			t.seen_gen = t.c->generation;
			seen_jobs = t.c->jobs.generation;
			seen_events = t.c->events.generation;
			last_model_draw = now;
			t.dirty = 1;
		}
		if (now - last_tick >= 1.0) {
			last_tick = now;
			t.dirty = 1;
		}
		if (t.dirty)
			draw(&t);
		int timeout = (int)((last_tick + 1.0 - now_mono_s()) * 1000) + 1;
		if (model)
			timeout = timeout > 200 ? 200 : timeout;
		if (jobs)   /* what jobs wait for is polled (task progress, time slices) */
			timeout = timeout > 20 ? 20 : timeout;
		if (more)
			timeout = 0;
		if (timeout < 0)
			timeout = 0;
		struct pollfd pfd[3] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = fleet_fd(fleet), .events = POLLIN },
			{ .fd = sig_pipe[0], .events = POLLIN },
		};
		int n = poll(pfd, 3, timeout);
		if (n < 0 && errno == EINTR) {
			read_input(&t);   /* SIGWINCH: curses reports KEY_RESIZE */
			continue;
		}
		if (n > 0 && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
			read_input(&t);
		if (n > 0 && (pfd[0].revents & (POLLHUP | POLLERR)) && !(pfd[0].revents & POLLIN))
			break;   /* the terminal went away */
		/* A key's frame goes out now, not after the next job step (up
		 * to STEP_S of Lua) that the loop's top would run first. */
		if (t.dirty && t.running)
			draw(&t);
		if (n > 0 && (pfd[2].revents & POLLIN)) {
			char b[16];
			(void)!read(sig_pipe[0], b, sizeof b);
		}
		tui_log_drain(&t);
	}
	cmdline_shutdown();
	endwin();
	restore_signals();
	int rc = sig_quit ? 128 + sig_quit : 0;
	tui_free(&t);
	return rc;
}

/* tui_theme.c — colour themes from themes/NAME.theme.
 *
 * Format, one element per line, '#' comments:
 *     element = FG BG [ATTR...]
 * FG/BG are colour names (default black red green yellow blue magenta
 * cyan white), or a 256-colour number with an 8-colour fallback after a
 * bar ("208|yellow"), used when the terminal has fewer colours.  ATTR is
 * bold, dim, reverse, underline or standout.  Elements not listed keep the
 * built-in default.  NO_COLOR (non-empty) or a terminal without colours
 * uses attributes only. */
#include "tui/tui_priv.h"
#include "core/paths.h"
#include "core/xalloc.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const elem_names[EL_COUNT] = {
	"normal", "title", "status", "header", "selected", "marked", "up", "down",
	"warn", "crit", "dim", "bar_used", "bar_free", "spark", "border", "help",
	"cmdline", "stale", "accent",
};

struct spec { short fg, bg; int attr; };

/* Built-in default, the same as themes/default.theme. */
static const struct spec builtin[EL_COUNT] = {
	[EL_NORMAL]   = { -1, -1, 0 },
	[EL_TITLE]    = { COLOR_BLACK, COLOR_CYAN, A_BOLD },
	[EL_STATUS]   = { COLOR_BLACK, COLOR_CYAN, 0 },
	[EL_HEADER]   = { COLOR_CYAN, -1, A_BOLD | A_UNDERLINE },
	[EL_SELECTED] = { COLOR_BLACK, COLOR_YELLOW, 0 },
	[EL_MARKED]   = { COLOR_MAGENTA, -1, A_BOLD },
	[EL_UP]       = { COLOR_GREEN, -1, 0 },
	[EL_DOWN]     = { COLOR_RED, -1, A_BOLD },
	[EL_WARN]     = { COLOR_YELLOW, -1, A_BOLD },
	[EL_CRIT]     = { COLOR_RED, -1, A_BOLD },
	[EL_DIM]      = { -1, -1, A_DIM },
	[EL_BAR_USED] = { COLOR_GREEN, -1, 0 },
	[EL_BAR_FREE] = { -1, -1, A_DIM },
	[EL_SPARK]    = { COLOR_CYAN, -1, 0 },
	[EL_BORDER]   = { COLOR_BLUE, -1, 0 },
	[EL_HELP]     = { COLOR_WHITE, COLOR_BLUE, 0 },
	[EL_CMDLINE]  = { -1, -1, A_BOLD },
	[EL_STALE]    = { COLOR_YELLOW, -1, A_DIM },
	[EL_ACCENT]   = { COLOR_CYAN, -1, A_BOLD },
};

/* Monochrome: attributes only. */
static const int mono_attr[EL_COUNT] = {
	[EL_TITLE] = A_REVERSE | A_BOLD, [EL_STATUS] = A_REVERSE, [EL_HEADER] = A_BOLD | A_UNDERLINE,
	[EL_SELECTED] = A_REVERSE, [EL_MARKED] = A_BOLD, [EL_DOWN] = A_BOLD | A_UNDERLINE,
	[EL_WARN] = A_BOLD, [EL_CRIT] = A_BOLD | A_UNDERLINE, [EL_DIM] = A_DIM,
	[EL_BAR_USED] = A_BOLD, [EL_BAR_FREE] = A_DIM, [EL_HELP] = A_REVERSE,
	[EL_CMDLINE] = A_BOLD, [EL_STALE] = A_DIM, [EL_ACCENT] = A_BOLD,
};

static int attrs[EL_COUNT];
static char current[64] = "default";

static const char *const color_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white", NULL,
};

static int parse_color(const char *s, short *out)
{
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%s", s);
	char *bar = strchr(tmp, '|');
	if (bar) {
		*bar = '\0';
		if (COLORS < 256)
			return parse_color(bar + 1, out);
	}
	if (!strcmp(tmp, "default") || !strcmp(tmp, "-")) {
		*out = -1;
		return 0;
	}
	for (int i = 0; color_names[i]; i++)
		if (!strcmp(tmp, color_names[i])) {
			*out = (short)i;
			return 0;
		}
	char *end;
	long n = strtol(tmp, &end, 10);
	if (*end || n < 0 || n > 255)
		return -1;
	*out = (short)(n < COLORS ? n : n % 8);
	return 0;
}

static int parse_attr(const char *s, int *a)
{
	static const struct { const char *n; int a; } tab[] = {
		{ "bold", A_BOLD }, { "dim", A_DIM }, { "reverse", A_REVERSE },
		{ "underline", A_UNDERLINE }, { "standout", A_STANDOUT }, { "none", 0 },
	};
	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (!strcmp(s, tab[i].n)) {
			*a |= tab[i].a;
			return 0;
		}
	return -1;
}

static void apply(const struct spec *sp)
{
	for (int e = 0; e < EL_COUNT; e++) {
		init_pair((short)(e + 1), sp[e].fg, sp[e].bg);
		attrs[e] = (int)COLOR_PAIR(e + 1) | sp[e].attr;
	}
}

static int parse_file(const char *path, struct spec *sp, char *msg, size_t msglen)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[256];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *eq = strchr(line, '=');
		char name[32];
		if (!eq) {
			if (strspn(line, " \t\r\n") != strlen(line) && !rc) {
				snprintf(msg, msglen, "%s:%d: expected 'element = fg bg attrs'", path, lineno);
				rc = -1;
			}
			continue;
		}
		*eq = '\0';
		if (sscanf(line, " %31s", name) != 1)
			continue;
		int e;
		for (e = 0; e < EL_COUNT && strcmp(elem_names[e], name); e++)
			;
		char *save = NULL, *fg = strtok_r(eq + 1, " \t\r\n", &save);
		char *bg = fg ? strtok_r(NULL, " \t\r\n", &save) : NULL;
		struct spec s = { -1, -1, 0 };
		int bad = e == EL_COUNT || !fg || !bg || parse_color(fg, &s.fg) || parse_color(bg, &s.bg);
		for (char *a; !bad && (a = strtok_r(NULL, " \t\r\n", &save));)
			bad = parse_attr(a, &s.attr);
		if (bad) {
			if (!rc)
				snprintf(msg, msglen, "%s:%d: bad theme line for '%s'", path, lineno, name);
			rc = -1;
			continue;
		}
		sp[e] = s;
	}
	fclose(f);
	return rc;
}

int theme_load(const char *name, char *msg, size_t msglen)
{
	if (!name || !*name)
		name = "default";
	msg[0] = '\0';
	const char *nc = getenv("NO_COLOR");
	if ((nc && *nc) || !has_colors() || !strcmp(name, "mono")) {
		for (int e = 0; e < EL_COUNT; e++)
			attrs[e] = mono_attr[e];
		snprintf(current, sizeof current, "%s", nc && *nc && strcmp(name, "mono") ? "mono (NO_COLOR)" : "mono");
		return 0;
	}
	start_color();
	use_default_colors();
	struct spec sp[EL_COUNT];
	memcpy(sp, builtin, sizeof sp);
	char *user = path_xdg("config", NULL);
	/* A build tree without lua/runbooks yet is not found by path_datadir();
	 * themes/ beside the executable covers it. */
	char exe[4096] = ".";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 1] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	char *paths[4] = {
		x_asprintf("%s/themes/%s.theme", user, name),
		x_asprintf("%s/themes/%s.theme", path_datadir(), name),
		x_asprintf("%s/themes/%s.theme", exe, name),
		x_asprintf("%s/../themes/%s.theme", exe, name),   /* build/vdeck-asan */
	};
	free(user);
	int rc = -1, found = 0;
	for (int i = 0; i < 4 && !found; i++) {
		FILE *f = fopen(paths[i], "r");
		if (!f)
			continue;
		fclose(f);
		found = 1;
		rc = parse_file(paths[i], sp, msg, msglen);
	}
	for (int i = 0; i < 4; i++)
		free(paths[i]);
	if (!found) {
		snprintf(msg, msglen, "theme '%s' not found; using the built-in default", name);
		memcpy(sp, builtin, sizeof sp);
		name = "default";
	}
	apply(sp);
	snprintf(current, sizeof current, "%s", name);
	return found ? rc : -1;
}

int theme_attr(enum tui_elem e)
{
	return attrs[e];
}

const char *theme_name(void)
{
	return current;
}

/* tui_keys.c — named actions and the keys bound to them.  Each action has
 * a primary key that keys.lua may remap (`return { quit = "x" }`) and
 * fixed alternates (F-keys, arrows) that always work. */
#include "tui/tui_priv.h"
#include "core/xalloc.h"
#include "lua/keys_load.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct action_def {
	const char *name, *help;
	int key;              /* primary, remappable */
	int alt[3];           /* fixed alternates, 0-terminated */
};

#define CTRL(c) ((c) & 0x1f)

static struct action_def defs[ACT_COUNT] = {
	[ACT_NONE] = { "none", "", 0, { 0 } },
	[ACT_QUIT] = { "quit", "quit vdeck", 'q', { KEY_F(10), 0 } },
	[ACT_HELP] = { "help", "this help", '?', { KEY_F(1), 0 } },
	[ACT_FILTER] = { "filter", "filter rows by regex (leading ! inverts; empty clears)", '/', { 0 } },
	[ACT_COMMAND] = { "command", "command line (Tab completes, Up/Down history)", ':', { 0 } },
	[ACT_SORT] = { "sort", "sort by the next column", 's', { KEY_F(6), 0 } },
	[ACT_REVERSE] = { "reverse", "reverse the sort order", 'S', { 0 } },
	[ACT_ENTER] = { "enter", "drill down / open", '\n', { '\r', KEY_ENTER, 0 } },
	[ACT_BACK] = { "back", "back to the previous view", 27, { KEY_BACKSPACE, 0 } },
	[ACT_NEXT_VIEW] = { "next_view", "next view (cluster, VMs, runbooks, jobs, log)", '\t', { 0 } },
	[ACT_MARK] = { "mark", "mark / unmark the row", ' ', { 0 } },
	[ACT_UP] = { "up", "move up", 'k', { KEY_UP, 0 } },
	[ACT_DOWN] = { "down", "move down", 'j', { KEY_DOWN, 0 } },
	[ACT_PGUP] = { "page_up", "page up", CTRL('b'), { KEY_PPAGE, 0 } },
	[ACT_PGDN] = { "page_down", "page down", CTRL('f'), { KEY_NPAGE, 0 } },
	[ACT_TOP] = { "top", "first row", 'g', { KEY_HOME, 0 } },
	[ACT_BOTTOM] = { "bottom", "last row", 'G', { KEY_END, 0 } },
	[ACT_REDRAW] = { "redraw", "redraw the screen", CTRL('l'), { 0 } },
	[ACT_VIEW_CLUSTER] = { "cluster", "Cluster view", '1', { 0 } },
	[ACT_VIEW_VMS] = { "vms", "VMs view", '2', { 0 } },
	[ACT_VIEW_RUNBOOKS] = { "runbooks", "Runbooks view", '3', { 0 } },
	[ACT_VIEW_JOBS] = { "jobs", "Jobs view", '4', { 0 } },
	[ACT_VIEW_LOG] = { "log", "Log view", '5', { 0 } },
	[ACT_VIEW_PLAN] = { "plan", "Plan view (a plan before and while it runs)", '7', { 0 } },
	[ACT_RUN] = { "run", "run (asks for confirmation)", 'r', { 0 } },
	[ACT_DRYRUN] = { "dry_run", "dry-run preview", 'd', { 0 } },
	[ACT_ACTIONS] = { "actions", "operations on the selected or marked VMs", 'a', { 0 } },
	[ACT_CANCEL] = { "cancel", "cancel the selected job", 'x', { 0 } },
	[ACT_VIEW_STORAGE] = { "storage", "Storage view (datastores)", '6', { 0 } },
	[ACT_VIEW_SWITCH] = { "switches", "Switches view (distributed switches per host)", '8', { 0 } },
};

static int defaults[ACT_COUNT];
static int saved;

void keys_init(void)
{
	if (!saved) {
		for (int a = 0; a < ACT_COUNT; a++)
			defaults[a] = defs[a].key;
		saved = 1;
	}
	for (int a = 0; a < ACT_COUNT; a++)
		defs[a].key = defaults[a];
}

enum action key_action(int ch)
{
	for (int a = 1; a < ACT_COUNT; a++)
		if (defs[a].key == ch)
			return (enum action)a;
	for (int a = 1; a < ACT_COUNT; a++)
		for (int i = 0; i < 3 && defs[a].alt[i]; i++)
			if (defs[a].alt[i] == ch)
				return (enum action)a;
	return ACT_NONE;
}

const char *action_help(enum action a)
{
	return defs[a].help;
}

static const struct { const char *name; int key; } named[] = {
	{ "Enter", '\n' }, { "Esc", 27 }, { "Tab", '\t' }, { "Space", ' ' },
	{ "Up", KEY_UP }, { "Down", KEY_DOWN }, { "Left", KEY_LEFT }, { "Right", KEY_RIGHT },
	{ "PgUp", KEY_PPAGE }, { "PgDn", KEY_NPAGE }, { "Home", KEY_HOME }, { "End", KEY_END },
	{ "Backspace", KEY_BACKSPACE }, { "Delete", KEY_DC },
};

static int key_from_name(const char *name)
{
	if (!name || !*name)
		return -1;
	if (!name[1])
		return (unsigned char)name[0];
	if (name[0] == '^' && !name[2])
		return CTRL(name[1]);
	if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' && name[1] <= '9') {
		int n = 0;
		if (sscanf(name + 1, "%d", &n) == 1 && n >= 1 && n <= 12)
			return KEY_F(n);
	}
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (!strcasecmp(named[i].name, name))
			return named[i].key;
	return -1;
}

static const char *key_name_of(int k, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (named[i].key == k)
			return named[i].name;
	if (k >= KEY_F(1) && k <= KEY_F(12))
		snprintf(buf, len, "F%d", k - KEY_F(0));
	else if (k > 0 && k < 32)
		snprintf(buf, len, "^%c", k + '@');
	else if (k > 32 && k < 127)
		snprintf(buf, len, "%c", k);
	else
		snprintf(buf, len, "?");
	return buf;
}

const char *action_keys(enum action a, char *buf, size_t len)
{
	char k[16];
	snprintf(buf, len, "%s", key_name_of(defs[a].key, k, sizeof k));
	for (int i = 0; i < 3 && defs[a].alt[i]; i++) {
		if (defs[a].alt[i] == '\r' || defs[a].alt[i] == KEY_ENTER)
			continue;
		size_t l = strlen(buf);
		snprintf(buf + l, len - l, " %s", key_name_of(defs[a].alt[i], k, sizeof k));
	}
	return buf;
}

/* Remaps action = key pairs; source names them in the message. */
int keys_apply(const char *source, const struct key_pair *pairs, size_t n, char *msg, size_t msglen)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		int a;
		for (a = 1; a < ACT_COUNT && strcmp(defs[a].name, pairs[i].action); a++)
			;
		int k = key_from_name(pairs[i].key);
		if (a == ACT_COUNT || k < 0) {
			if (!rc)
				snprintf(msg, msglen, "keys: %s: unknown %s '%s'", source,
					 a == ACT_COUNT ? "action" : "key", a == ACT_COUNT ? pairs[i].action : pairs[i].key);
			rc = -1;
			continue;
		}
		/* A key taken from another action leaves that one to its alternates. */
		for (int o = 1; o < ACT_COUNT; o++)
			if (defs[o].key == k)
				defs[o].key = 0;
		defs[a].key = k;
	}
	return rc;
}

int keys_apply_file(const char *path, char *msg, size_t msglen)
{
	struct key_binding *b;
	size_t n;
	struct vd_err err;
	err_clear(&err);
	msg[0] = '\0';
	if (keys_load(path, &b, &n, &err) < 0) {
		snprintf(msg, msglen, "keys: %s", err.msg);
		return -1;
	}
	struct key_pair *pairs = x_calloc(n + 1, sizeof *pairs);
	for (size_t i = 0; i < n; i++)
		pairs[i] = (struct key_pair){ b[i].action, b[i].key };
	int rc = keys_apply(path, pairs, n, msg, msglen);
	free(pairs);
	keys_free(b, n);
	return rc;
}

/* tui_cmd.c — the `:` commands, one table entry each (name, usage, what
 * its argument completes to, exec), which drives parsing, the help text
 * and readline completion of commands, host and VM names. */
#include "tui/tui_priv.h"
#include "core/xalloc.h"
#include "tui/cmd_parse.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum arg_kind { ARG_NONE, ARG_HOST, ARG_VMS, ARG_VM, ARG_THEME, ARG_COLUMN };

struct tui_cmd {
	const char *name, *usage;
	enum arg_kind arg;
	void (*exec)(struct tui *t, const char *arg);
};

static void cmd_cluster(struct tui *t, const char *arg)
{
	(void)arg;
	tui_switch(t, V_CLUSTER, 1);
}

static void cmd_host(struct tui *t, const char *arg)
{
	for (size_t i = 0; i < t->c->nhosts; i++)
		if (!strcmp(t->c->hosts[i].cfg->name, arg)) {
			host_view_open(t, i);
			return;
		}
	tui_status(t, 1, "no host '%s'", arg);
}

static void cmd_vms(struct tui *t, const char *arg)
{
	struct table *tb = view_vms.table(t);
	char msg[160];
	vms_view_restrict(t, NULL);
	if (arg[0] == '@') {
		if (!cluster_host(t->c, arg + 1)) {
			tui_status(t, 1, "no host '%s'", arg + 1);
			return;
		}
		vms_view_restrict(t, arg + 1);
		table_set_filter(tb, NULL, msg, sizeof msg);
	} else if (arg[0] == '/') {
		if (table_set_filter(tb, arg + 1, msg, sizeof msg) < 0) {
			tui_status(t, 1, "%s", msg);
			return;
		}
	} else if (arg[0]) {
		tui_status(t, 1, "usage: vms [@HOST | /REGEX]");
		return;
	} else {
		table_set_filter(tb, NULL, msg, sizeof msg);
	}
	tui_switch(t, V_VMS, 1);
}

static void cmd_vm(struct tui *t, const char *arg)
{
	struct host *h;
	struct domain *d = cluster_find_domain(t->c, arg, &h);
	if (!d) {
		tui_status(t, 1, "no VM '%s'", arg);
		return;
	}
	vm_view_open(t, h->cfg->name, d->info.name);
}

static void cmd_runbooks(struct tui *t, const char *arg)
{
	(void)arg;
	runbooks_view_open(t);
}

static void cmd_jobs(struct tui *t, const char *arg)
{
	(void)arg;
	tui_switch(t, V_JOBS, 1);
}

static void cmd_log(struct tui *t, const char *arg)
{
	(void)arg;
	tui_switch(t, V_LOG, 1);
}

static void cmd_plan(struct tui *t, const char *arg)
{
	(void)arg;
	tui_switch(t, V_PLAN, 1);
}

static void cmd_quit(struct tui *t, const char *arg)
{
	(void)arg;
	t->running = 0;
}

static void cmd_help(struct tui *t, const char *arg)
{
	(void)arg;
	t->help = 1;
}

static void cmd_filter(struct tui *t, const char *arg)
{
	struct table *tb = tui_table(t);
	char msg[160];
	if (!tb)
		tui_status(t, 1, "this view has no rows to filter");
	else if (table_set_filter(tb, arg, msg, sizeof msg) < 0)
		tui_status(t, 1, "%s", msg);
}

static void cmd_sort(struct tui *t, const char *arg)
{
	struct table *tb = tui_table(t);
	if (!tb || !tb->cols) {
		tui_status(t, 1, "this view has no columns to sort");
		return;
	}
	int rev = arg[0] == '-';
	const char *name = arg + rev;
	for (int c = 0; c < tb->ncols; c++)
		if (!strncasecmp(tb->cols[c].name, name, strlen(name)) && *name) {
			table_set_sort(tb, c, rev);
			return;
		}
	tui_status(t, 1, "no column '%s' here", name);
}

static void cmd_theme(struct tui *t, const char *arg)
{
	char msg[256];
	if (theme_load(arg, msg, sizeof msg) < 0 && msg[0])
		tui_status(t, 1, "%s", msg);
	clear();
}

static const struct tui_cmd cmds[] = {
	{ "cluster", "cluster", ARG_NONE, cmd_cluster },
	{ "filter", "filter [REGEX]", ARG_NONE, cmd_filter },
	{ "help", "help", ARG_NONE, cmd_help },
	{ "host", "host NAME", ARG_HOST, cmd_host },
	{ "jobs", "jobs", ARG_NONE, cmd_jobs },
	{ "log", "log", ARG_NONE, cmd_log },
	{ "plan", "plan", ARG_NONE, cmd_plan },
	{ "q", "q", ARG_NONE, cmd_quit },
	{ "quit", "quit", ARG_NONE, cmd_quit },
	{ "runbooks", "runbooks", ARG_NONE, cmd_runbooks },
	{ "sort", "sort [-]COLUMN", ARG_COLUMN, cmd_sort },
	{ "theme", "theme NAME", ARG_THEME, cmd_theme },
	{ "vm", "vm NAME", ARG_VM, cmd_vm },
	{ "vms", "vms [@HOST | /REGEX]", ARG_VMS, cmd_vms },
};
#define NCMDS (sizeof cmds / sizeof cmds[0])

void tui_command(struct tui *t, const char *line)
{
	struct cmd_line cl;
	char msg[96];
	int rc = cmd_line_parse(line, &cl, msg, sizeof msg);
	if (rc == 0)
		return;
	if (rc < 0) {
		tui_status(t, 1, "%s", msg);
		return;
	}
	for (size_t i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i].name, cl.name)) {
			if ((cmds[i].arg == ARG_HOST || cmds[i].arg == ARG_VM || cmds[i].arg == ARG_THEME) && !cl.arg[0]) {
				tui_status(t, 1, "usage: %s", cmds[i].usage);
				return;
			}
			cmds[i].exec(t, cl.arg);
			return;
		}
	tui_status(t, 1, "unknown command '%s' (? lists them)", cl.name);
}

struct cands {
	char **v;
	size_t n, cap;
};

static void cand(struct cands *c, const char *prefix, const char *s)
{
	x_grow(&c->v, &c->cap, c->n + 2, sizeof *c->v);
	c->v[c->n++] = x_asprintf("%s%s", prefix, s);
	c->v[c->n] = NULL;
}

char **tui_complete(void *ctx, const char *line, int start, int end)
{
	(void)end;
	struct tui *t = ctx;
	struct cands c = { 0 };
	while (*line == ' ')
		line++, start--;
	if (start <= 0) {
		for (size_t i = 0; i < NCMDS; i++)
			cand(&c, "", cmds[i].name);
		return c.v;
	}
	char name[32];
	size_t n = strcspn(line, " ");
	snprintf(name, sizeof name, "%.*s", (int)n, line);
	enum arg_kind kind = ARG_NONE;
	for (size_t i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i].name, name))
			kind = cmds[i].arg;
	switch (kind) {
	case ARG_HOST:
	case ARG_VMS:
		for (size_t i = 0; i < t->c->nhosts; i++)
			cand(&c, kind == ARG_VMS ? "@" : "", t->c->hosts[i].cfg->name);
		break;
	case ARG_VM: {
		/* Only names that can still match, so 3000 VMs stay cheap. */
		const char *word = line + start;
		size_t wl = strlen(word);
		for (size_t i = 0; i < t->c->nhosts; i++)
			for (size_t k = 0; k < t->c->hosts[i].ndoms; k++)
				if (!strncmp(t->c->hosts[i].doms[k].info.name, word, wl))
					cand(&c, "", t->c->hosts[i].doms[k].info.name);
		break;
	}
	case ARG_THEME:
		cand(&c, "", "default");
		cand(&c, "", "light");
		cand(&c, "", "mono");
		break;
	case ARG_COLUMN: {
		struct table *tb = tui_table(t);
		for (int i = 0; tb && tb->cols && i < tb->ncols; i++)
			cand(&c, "", tb->cols[i].name);
		break;
	}
	default:
		break;
	}
	return c.v;
}

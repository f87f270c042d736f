/* completion_words.c — the answers the completion scripts ask for at TAB
 * time (`vdeck --complete KIND ...`): runbooks and their declared
 * parameters from the runbook files (lua/runbook_info.c, the same reader
 * as --list-runbooks and the console's Runbooks view), hosts from the
 * inventory, themes from the theme directories.  Nothing connects to a
 * host. */
#include "exec/completion.h"
#include "core/paths.h"
#include "core/xalloc.h"
#include "lua/runbook_info.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

static const struct runbook_info *find_runbook(const struct runbook_info *rb, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rb[i].name, name))
			return &rb[i];
	return NULL;
}

static void print_hosts(FILE *out, const struct inventory *inv, int with_tags)
{
	for (size_t i = 0; inv && i < inv->nhosts; i++) {
		fprintf(out, "%s\n", inv->hosts[i].name);
		for (size_t t = 0; with_tags && t < inv->hosts[i].ntags; t++) {
			const char *tag = inv->hosts[i].tags[t];
			int seen = 0;   /* a tag shared by many hosts is one candidate */
			for (size_t j = 0; j < i && !seen; j++)
				seen = host_has_tag(&inv->hosts[j], tag);
			if (!seen)
				fprintf(out, "%s\n", tag);
		}
	}
}

static void print_param_values(FILE *out, const struct runbook_param *p, const struct inventory *inv)
{
	if (p->values)
		for (size_t v = 0; p->values[v]; v++)
			fprintf(out, "%s\n", p->values[v]);
	else if (!strcmp(p->type, "boolean"))
		fputs("true\nfalse\n", out);
	else if (!strcmp(p->type, "host"))
		print_hosts(out, inv, 0);
}

static int runbook_words(FILE *out, int argc, char **argv, const struct inventory *inv, struct vd_err *err)
{
	struct runbook_info *rb;
	size_t n = runbook_info_list(&rb);
	int rc = 0;
	if (!strcmp(argv[0], "runbooks")) {
		for (size_t i = 0; i < n; i++)
			fprintf(out, "%s\n", rb[i].name);
	} else {
		/* --exec takes a runbook by name or by path: ./x.lua declares params too,
		 * but only the runbook directories are read here. */
		const struct runbook_info *r = argc > 1 ? find_runbook(rb, n, argv[1]) : NULL;
		for (size_t i = 0; r && i < r->nparams; i++) {
			const struct runbook_param *p = &r->params[i];
			if (!strcmp(argv[0], "params"))
				fprintf(out, "%s=\n", p->name);
			else if (argc > 2 && !strcmp(p->name, argv[2]))
				print_param_values(out, p, inv);
		}
		if (argc < (!strcmp(argv[0], "params") ? 2 : 3))
			rc = err_set(err, VD_EUSAGE, "--complete %s: missing argument", argv[0]);
	}
	runbook_info_free(rb, n);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* NAME.theme in the user's theme directory and the data directory's. */
static void print_themes(FILE *out)
{
	char *dirs[2] = { path_xdg("config", "themes"), x_asprintf("%s/themes", path_datadir()) };
	char **names = NULL;
	size_t n = 0, cap = 0;
	for (int d = 0; d < 2; d++) {
		DIR *dir = opendir(dirs[d]);
		struct dirent *e;
		while (dir && (e = readdir(dir))) {
			size_t len = strlen(e->d_name);
			if (len <= 6 || e->d_name[0] == '.' || strcmp(e->d_name + len - 6, ".theme"))
				continue;
			x_grow(&names, &cap, n + 1, sizeof *names);
			names[n++] = x_strndup(e->d_name, len - 6);
		}
		if (dir)
			closedir(dir);
		free(dirs[d]);
	}
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++)   /* a user theme shadows the shipped one of its name */
		if (!i || strcmp(names[i], names[i - 1]))
			fprintf(out, "%s\n", names[i]);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int completion_words(FILE *out, int argc, char **argv, const struct inventory *inv, struct vd_err *err)
{
	const char *kind = argc > 0 ? argv[0] : "";
	if (!strcmp(kind, "runbooks") || !strcmp(kind, "params") || !strcmp(kind, "values"))
		return runbook_words(out, argc, argv, inv, err);
	if (!strcmp(kind, "hosts") || !strcmp(kind, "host-patterns"))
		print_hosts(out, inv, !strcmp(kind, "host-patterns"));
	else if (!strcmp(kind, "themes"))
		print_themes(out);
	else
		return err_set(err, VD_EUSAGE, "--complete: unknown kind '%s' (runbooks, params, values, hosts, "
			       "host-patterns, themes)", kind);
	return 0;
}

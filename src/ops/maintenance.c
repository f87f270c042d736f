/* maintenance.c — the maintenance flag of hosts, kept in the state dir. */
#include "ops/maintenance.h"
#include "ops/audit.h"
#include "core/paths.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *file_path(const char *path)
{
	return path ? x_strdup(path) : path_xdg("state", "maintenance");
}

/* The file's text, "" when missing; NULL and err when unreadable. */
static char *read_names(const char *p, struct vd_err *err)
{
	FILE *f = fopen(p, "r");
	if (!f) {
		if (errno == ENOENT)
			return x_strdup("");
		err_set(err, VD_EIO, "maintenance state %s: %s", p, strerror(errno));
		return NULL;
	}
	struct strbuf sb;
	sb_init(&sb);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0 && sb.len < (1u << 20))
		sb_append_n(&sb, buf, n);
	fclose(f);
	return sb_detach(&sb);
}

/* Calls fn for each name (a line, trimmed) of text. */
static void each_name(char *text, void (*fn)(const char *name, void *arg), void *arg)
{
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, " \t\r")] = '\0';
		if (*line && *line != '#')
			fn(line, arg);
	}
}

static void mark(const char *name, void *arg)
{
	struct host *h = cluster_host(arg, name);
	if (h)
		h->maintenance = 1;
}

void maintenance_load(const char *path, struct cluster *c)
{
	char *p = file_path(path);
	struct vd_err err;
	err_clear(&err);
	char *text = read_names(p, &err);
	if (!text)
		eventlog_add(&c->events, EV_ERROR, NULL, "%s", err.msg);
	else
		each_name(text, mark, c);
	free(text);
	free(p);
}

struct keep { struct cluster *c; struct strbuf *out; };

static void keep_unknown(const char *name, void *arg)
{
	struct keep *k = arg;
	if (!cluster_host(k->c, name))
		sb_appendf(k->out, "%s\n", name);
}

static int write_file(const char *p, const char *data, size_t len, struct vd_err *err)
{
	char *dir = x_strdup(p), *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		path_mkdirs(dir);
	}
	free(dir);
	char *tmp = x_asprintf("%s.%ld.tmp", p, (long)getpid());
	FILE *f = fopen(tmp, "w");
	int rc = 0;
	if (!f || fwrite(data, 1, len, f) != len || fflush(f) != 0 || fsync(fileno(f)) < 0)
		rc = err_set(err, VD_EIO, "maintenance state %s: %s", tmp, strerror(errno));
	if (f && fclose(f) != 0 && rc == 0)
		rc = err_set(err, VD_EIO, "maintenance state %s: %s", tmp, strerror(errno));
	if (rc == 0 && rename(tmp, p) < 0)
		rc = err_set(err, VD_EIO, "maintenance state %s: %s", p, strerror(errno));
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

static void audit(const struct vd_options *opts, struct cluster *c, struct host *h, int on, const char *result,
		  const struct vd_err *e)
{
	char id[AUDIT_ID_MAX], args[32], buf[600];
	audit_new_id(id);
	snprintf(args, sizeof args, "{\"on\":%s}", on ? "true" : "false");
	struct audit_record r = {
		.time = now_wall_s(), .id = id, .kind = AUDIT_RESULT, .user = audit_user(),
		.sudo_user = audit_sudo_user(), .pid = (long)getpid(), .host = h->cfg->name,
		.operation = "set_maintenance", .args_json = args, .dry_run = opts->dry_run, .result = result,
		.error = e ? err_format(e, buf, sizeof buf) : NULL,
	};
	struct vd_err aerr;
	err_clear(&aerr);
	if (audit_append(opts->audit_path, &r, &aerr) < 0)
		eventlog_add(&c->events, EV_ERROR, h->cfg->name, "%s", aerr.msg);
	eventlog_add(&c->events, EV_AUDIT, h->cfg->name, "set_maintenance %s: %s%s%s", on ? "on" : "off", result,
		     e ? ": " : "", e ? e->msg : "");
}

int maintenance_set(const char *path, struct cluster *c, struct host *h, int on, const struct vd_options *opts,
		    int *changed, struct vd_err *err)
{
	*changed = 0;
	if (opts->readonly) {
		err_set(err, VD_EREFUSED, "%s: set_maintenance refused: vdeck runs --readonly", h->cfg->name);
		audit(opts, c, h, on, "refused", err);
		return -1;
	}
	if (opts->dry_run) {
		audit(opts, c, h, on, "dry-run", NULL);
		return 0;
	}
	char *p = file_path(path);
	char *text = read_names(p, err);
	int rc = -1;
	if (text) {
		struct strbuf out;
		sb_init(&out);
		struct keep k = { c, &out };
		each_name(text, keep_unknown, &k);
		int was = h->maintenance;
		h->maintenance = on;
		for (size_t i = 0; i < c->nhosts; i++)
			if (c->hosts[i].maintenance)
				sb_appendf(&out, "%s\n", c->hosts[i].cfg->name);
		rc = write_file(p, out.buf ? out.buf : "", out.len, err);
		if (rc < 0)
			h->maintenance = was;
		else
			*changed = was != on;
		sb_free(&out);
	}
	audit(opts, c, h, on, rc < 0 ? "failed" : "ok", rc < 0 ? err : NULL);
	if (rc == 0) {
		h->generation++;
		c->generation++;
	}
	free(text);
	free(p);
	return rc;
}

/* audit.c — the audit trail: JSON lines, O_APPEND, fsync after each. */
#include "ops/audit.h"
#include "core/paths.h"
#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void field(struct strbuf *sb, const char *k, const char *v)
{
	sb_appendc(sb, ',');
	sb_append_json(sb, k);
	sb_appendc(sb, ':');
	if (v)
		sb_append_json(sb, v);
	else
		sb_append(sb, "null");
}

void audit_format(const struct audit_record *r, struct strbuf *sb)
{
	time_t secs = (time_t)r->time;
	struct tm tm;
	gmtime_r(&secs, &tm);
	char iso[40];
	strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S", &tm);
	sb_appendf(sb, "{\"time\":\"%s.%03dZ\"", iso, (int)((r->time - (double)secs) * 1000) % 1000);
	field(sb, "user", r->user);
	field(sb, "host", r->host);
	field(sb, "domain", r->domain);
	field(sb, "operation", r->operation);
	sb_append(sb, ",\"arguments\":");
	sb_append(sb, r->args_json && *r->args_json ? r->args_json : "{}");
	field(sb, "call", r->call);
	sb_appendf(sb, ",\"dry_run\":%s", r->dry_run ? "true" : "false");
	field(sb, "result", r->result);
	field(sb, "error", r->error);
	sb_appendf(sb, ",\"duration\":%.3f}\n", r->duration);
}

char *audit_default_path(void)
{
	return path_xdg("state", "audit.jsonl");
}

int audit_append(const char *path, const struct audit_record *r, struct vd_err *err)
{
	char *own = path ? NULL : audit_default_path();
	const char *p = path ? path : own;
	int rc = 0;
	int fd = open(p, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 && errno == ENOENT) {   /* the first record: make its directory */
		char *dir = x_strdup(p);
		char *slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			path_mkdirs(dir);
		}
		free(dir);
		fd = open(p, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	}
	if (fd < 0) {
		rc = err_set(err, VD_EIO, "audit %s: %s", p, strerror(errno));
	} else {
		struct strbuf sb;
		sb_init(&sb);
		audit_format(r, &sb);
		/* One write: O_APPEND keeps concurrent writers' lines whole. */
		if (write(fd, sb.buf, sb.len) != (ssize_t)sb.len || fsync(fd) < 0)
			rc = err_set(err, VD_EIO, "audit %s: %s", p, strerror(errno));
		sb_free(&sb);
		close(fd);
	}
	free(own);
	return rc;
}

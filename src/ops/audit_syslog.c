/* audit_syslog.c — audit records as RFC 5424 messages on the local syslog
 * datagram socket, sent with MSG_DONTWAIT: a syslog daemon that is gone or
 * stuck costs a dropped copy, never a stalled loop. */
#include "ops/audit_syslog.h"
#include "core/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* 32473 is the private enterprise number RFC 5612 reserves for
 * documentation: vdeck has none of its own, and an SD-ID needs one. */
#define SD_ID "vdeck@32473"
#define FACILITY_AUTHPRIV 10
#define SEV_WARNING 4
#define SEV_NOTICE 5

struct audit_syslog {
	char *path;
	int   fd;
	int   failing;      /* the last send failed: not said again until one succeeds */
};

struct audit_syslog *audit_syslog_new(const char *socket_path)
{
	struct audit_syslog *s = x_calloc(1, sizeof *s);
	s->path = x_strdup(socket_path ? socket_path : AUDIT_SYSLOG_SOCKET);
	s->fd = -1;
	return s;
}

void audit_syslog_free(struct audit_syslog **s)
{
	if (!*s)
		return;
	if ((*s)->fd >= 0)
		close((*s)->fd);
	free((*s)->path);
	free(*s);
	*s = NULL;
}

/* PARAM-VALUE: '"', '\' and ']' are escaped (RFC 5424, 6.3.3). */
static void sd_param(struct strbuf *sb, const char *name, const char *value)
{
	if (!value)
		return;
	sb_appendf(sb, " %s=\"", name);
	for (const char *p = value; *p; p++) {
		if (*p == '"' || *p == '\\' || *p == ']')
			sb_appendc(sb, '\\');
		sb_appendc(sb, *p);
	}
	sb_appendc(sb, '"');
}

static int severity(const struct audit_record *r)
{
	if (r->kind == AUDIT_STARTED || !r->result)
		return SEV_NOTICE;
	return !strcmp(r->result, "ok") || !strcmp(r->result, "dry-run") ? SEV_NOTICE : SEV_WARNING;
}

void audit_syslog_format(const struct audit_record *r, const char *hostname, struct strbuf *sb)
{
	time_t secs = (time_t)r->time;
	struct tm tm;
	gmtime_r(&secs, &tm);
	char ts[40];
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	const char *kind = r->kind == AUDIT_STARTED ? "started" : "result";
	sb_appendf(sb, "<%d>1 %s.%03dZ %s vdeck %ld %s [" SD_ID, FACILITY_AUTHPRIV * 8 + severity(r), ts,
		   (int)((r->time - (double)secs) * 1000) % 1000, hostname && *hostname ? hostname : "-", r->pid,
		   kind);
	char num[32];
	sd_param(sb, "id", r->id);
	sd_param(sb, "record", kind);
	sd_param(sb, "user", r->user);
	sd_param(sb, "sudo_user", r->sudo_user);
	sd_param(sb, "host", r->host);
	sd_param(sb, "domain", r->domain);
	sd_param(sb, "operation", r->operation);
	sd_param(sb, "arguments", r->args_json && *r->args_json ? r->args_json : "{}");
	sd_param(sb, "dry_run", r->dry_run ? "true" : "false");
	sd_param(sb, "result", r->kind == AUDIT_STARTED ? NULL : r->result);
	sd_param(sb, "error", r->error);
	snprintf(num, sizeof num, "%.3f", r->duration);
	sd_param(sb, "duration", num);
	/* MSG: the file's JSON line, UTF-8 (BOM), cut to the size syslog keeps. */
	sb_append(sb, "] \xEF\xBB\xBF");
	struct strbuf line;
	sb_init(&line);
	audit_format(r, &line);
	size_t n = line.len && line.buf[line.len - 1] == '\n' ? line.len - 1 : line.len;
	size_t room = sb->len < AUDIT_SYSLOG_MAX ? AUDIT_SYSLOG_MAX - sb->len : 0;
	if (n > room) {
		n = room;
		while (n > 0 && ((unsigned char)line.buf[n] & 0xC0) == 0x80)   /* not inside a UTF-8 character */
			n--;
	}
	char *msg = x_strndup(line.buf, n);
	sb_append(sb, msg);
	free(msg);
	sb_free(&line);
}

int audit_syslog_send(struct audit_syslog *s, const struct audit_record *r, struct vd_err *err)
{
	char hostname[256] = "";
	gethostname(hostname, sizeof hostname - 1);
	struct strbuf sb;
	sb_init(&sb);
	audit_syslog_format(r, hostname, &sb);
	if (s->fd < 0)
		s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", s->path);
	/* Not connected: a syslog daemon restarted on the same path is
	 * reached by the next record. */
	ssize_t n = s->fd < 0 ? -1 : sendto(s->fd, sb.buf, sb.len, MSG_DONTWAIT | MSG_NOSIGNAL,
					    (struct sockaddr *)&sa, sizeof sa);
	int e = errno;
	sb_free(&sb);
	if (n >= 0) {
		s->failing = 0;
		return 0;
	}
	if (s->failing)
		return 0;
	s->failing = 1;
	return err_set(err, VD_EIO, "audit to syslog %s: %s; records go to the audit file only until it "
		       "takes them again", s->path, e == EAGAIN ? "the receiver is not reading (queue full)" :
		       strerror(e));
}

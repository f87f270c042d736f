/* audit.c — the audit trail on disk: one JSON line per record, O_APPEND,
 * fsync after each; and, at start, the unfinished operations it holds
 * (audit_scan.c reads them). */
#include "ops/audit.h"
#include "model/cluster.h"
#include "core/paths.h"
#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	field(sb, "id", r->id);
	field(sb, "record", r->kind == AUDIT_STARTED ? "started" : "result");
	field(sb, "user", r->user);
	field(sb, "sudo_user", r->sudo_user);
	sb_appendf(sb, ",\"pid\":%ld", r->pid);
	field(sb, "host", r->host);
	field(sb, "domain", r->domain);
	field(sb, "operation", r->operation);
	sb_append(sb, ",\"arguments\":");
	sb_append(sb, r->args_json && *r->args_json ? r->args_json : "{}");
	field(sb, "call", r->call);
	sb_appendf(sb, ",\"dry_run\":%s", r->dry_run ? "true" : "false");
	field(sb, "result", r->kind == AUDIT_STARTED ? NULL : r->result);
	field(sb, "error", r->error);
	if (r->previous && *r->previous) {
		sb_append(sb, ",\"previous\":");
		sb_append(sb, r->previous);
	}
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
		rc = err_set(err, VD_EIO, "audit trail %s: %s", p, strerror(errno));
	} else {
		struct strbuf sb;
		sb_init(&sb);
		audit_format(r, &sb);
		/* One write: O_APPEND keeps concurrent writers' lines whole. */
		ssize_t n = write(fd, sb.buf, sb.len);
		if (n != (ssize_t)sb.len || fsync(fd) < 0)
			rc = err_set(err, VD_EIO, "audit trail %s: %s", p,
				     n >= 0 && n != (ssize_t)sb.len ? "short write (disk full?)" : strerror(errno));
		if (close(fd) < 0 && rc == 0)   /* NFS and friends report a failed write here */
			rc = err_set(err, VD_EIO, "audit trail %s: %s", p, strerror(errno));
		sb_free(&sb);
	}
	free(own);
	return rc;
}

void audit_new_id(char id[AUDIT_ID_MAX])
{
	/* The process's own sequence; time and pid make it unique across runs. */
	static atomic_uint seq;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(id, AUDIT_ID_MAX, "%lld-%ld-%u", (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
		 (long)getpid(), atomic_fetch_add(&seq, 1) + 1);
}

const char *audit_user(void)
{
	/* Looked up once: the real uid does not change, and a directory
	 * service should not be asked on every record. */
	static char name[64];
	if (!name[0]) {
		struct passwd *pw = getpwuid(getuid());
		if (pw && pw->pw_name[0])
			snprintf(name, sizeof name, "%s", pw->pw_name);
		else
			snprintf(name, sizeof name, "uid %ld", (long)getuid());
	}
	return name;
}

const char *audit_sudo_user(void)
{
	const char *s = getenv("SUDO_USER");
	return s && *s ? s : NULL;
}

/* The vdeck process that wrote a record still runs (not this one). */
static int vdeck_running(long pid)
{
	if (pid <= 0 || pid == (long)getpid())
		return 0;
	char path[64], comm[32] = "";
	snprintf(path, sizeof path, "/proc/%ld/comm", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	int ok = fgets(comm, sizeof comm, f) != NULL;
	fclose(f);
	return ok && !strncmp(comm, "vdeck", 5);
}

/* The last AUDIT_TAIL_BYTES of the file, scanned. */
static int read_unfinished(const char *path, struct unfinished_list *out, struct vd_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return err_set(err, VD_EIO, "%s", strerror(errno));
	}
	struct stat st;
	const char *why = fstat(fd, &st) < 0 ? strerror(errno) : !S_ISREG(st.st_mode) ? "not a regular file" : NULL;
	if (why) {
		close(fd);
		return err_set(err, VD_EIO, "%s", why);
	}
	off_t from = st.st_size > (off_t)AUDIT_TAIL_BYTES ? st.st_size - (off_t)AUDIT_TAIL_BYTES : 0;
	size_t want = (size_t)(st.st_size - from), got = 0;
	char *buf = x_malloc(want + 1);
	while (got < want) {
		ssize_t n = pread(fd, buf + got, want - got, from + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	int e = errno;
	close(fd);
	if (got == 0 && want > 0) {
		free(buf);
		return err_set(err, VD_EIO, "%s", strerror(e));
	}
	audit_scan_unfinished(buf, got, from > 0, out);
	free(buf);
	for (size_t i = 0; i < out->n; i++)
		out->items[i].running = vdeck_running(out->items[i].pid);
	return 0;
}

void audit_load_unfinished(const char *path, struct cluster *c)
{
	struct unfinished_list *l = &c->unfinished;
	unfinished_list_free(l);
	l->path = path ? x_strdup(path) : audit_default_path();
	struct vd_err err;
	err_clear(&err);
	if (read_unfinished(l->path, l, &err) < 0) {
		l->error = x_strdup(err.msg);
		eventlog_add(&c->events, EV_ERROR, NULL, "audit trail %s: cannot read it: %s", l->path, err.msg);
		return;
	}
	if (l->dropped)
		eventlog_add(&c->events, EV_WARN, NULL, "%zu older unfinished operations in %s are not listed",
			     l->dropped, l->path);
	for (size_t i = 0; i < l->n; i++) {
		const struct unfinished_op *u = &l->items[i];
		char pidnote[64] = "";
		if (u->running)
			snprintf(pidnote, sizeof pidnote, "; vdeck pid %ld still runs it", u->pid);
		eventlog_add(&c->events, EV_WARN, u->host, "unfinished: %s %s%s%s started %s by %s%s%s, no result recorded "
			     "(id %s)%s", u->operation ? u->operation : "?", u->host ? u->host : "?",
			     u->domain ? "/" : "", u->domain ? u->domain : "", u->time ? u->time : "?",
			     u->user ? u->user : "?", u->sudo_user ? " via sudo from " : "",
			     u->sudo_user ? u->sudo_user : "", u->id, pidnote);
	}
}

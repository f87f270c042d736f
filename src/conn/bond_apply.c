/* bond_apply.c — commit-confirm of a host network change (see bond_apply.h). */
#include "conn/bond_apply.h"
#include "conn/transport.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STAGE_TIMEOUT_MS 20000
/* What one step may print: a status word, "staged DIR", the verify
 * command's output, twenty log lines per file. */
#define STEP_MAX_BYTES ((size_t)1 << 20)

void host_change_free(struct host_change *c)
{
	free(c->apply);
	free(c->rollback);
	free(c->verify);
	c->apply = c->rollback = c->verify = NULL;
}

/* The check made before every read or write of a staging directory (the
 * shell word v): a directory, not a symlink, owned by the login uid, mode 700. */
#define IS_OURS(v) "[ -d \"" v "\" ] && [ ! -L \"" v "\" ] && [ \"$(stat -c %u:%a \"" v "\")\" = \"$(id -u):700\" ]"

/* Sets $d to dir (a path checked by staged_dir) and defines g, the
 * IS_OURS check that stops with exit 98; a command runs g before each
 * read or write of $d. */
static void guard(struct strbuf *sb, const char *dir)
{
	sb_appendf(sb, "d='%s'\n", dir);
	sb_append(sb, "g() { " IS_OURS("$d") " || { echo \"$d is not a private directory of this user\"; exit 98; }; }\n");
}

/* Picks $b, a directory only root or the login user can write: /run for
 * root, else XDG_RUNTIME_DIR when it is ours with mode 700, else
 * ~/.vdeck-stage (made with mode 700) when $HOME is ours and not writable
 * by others.  Defines ours() (IS_OURS on its argument). */
static void base_dir(struct strbuf *sb)
{
	sb_append(sb,
		  "umask 077\n"
		  "ours() { " IS_OURS("$1") "; }\n"
		  "if [ \"$(id -u)\" = 0 ] && [ -d /run ] && [ ! -L /run ] && [ -w /run ] && "
		  "[ \"$(stat -c %u /run)\" = 0 ]; then b=/run\n"
		  "elif [ -n \"$XDG_RUNTIME_DIR\" ] && ours \"$XDG_RUNTIME_DIR\"; then b=$XDG_RUNTIME_DIR\n"
		  "elif [ -n \"$HOME\" ] && [ -d \"$HOME\" ] && [ ! -L \"$HOME\" ] && "
		  "[ \"$(stat -c %u \"$HOME\")\" = \"$(id -u)\" ] && [ $((0$(stat -c %a \"$HOME\") & 022)) = 0 ] && "
		  "{ mkdir -m 700 \"$HOME/.vdeck-stage\" 2>/dev/null; ours \"$HOME/.vdeck-stage\"; }; then "
		  "b=$HOME/.vdeck-stage\n"
		  "else echo \"no private directory to stage the change in: not root, XDG_RUNTIME_DIR unset or not "
		  "this user's with mode 700, and \\$HOME not this user's or writable by others\"; exit 96; fi\n");
}

static void heredoc(struct strbuf *sb, const char *file, const char *delim, const char *body)
{
	sb_appendf(sb, "cat >\"$d/%s\" <<'%s'\n%s", file, delim, body ? body : ":\n");
	if (body && *body && body[strlen(body) - 1] != '\n')
		sb_appendc(sb, '\n');
	sb_appendf(sb, "%s\n", delim);
}

/* The runner: apply (rollback at once on failure), then wait for the
 * confirm file, polling every 0.2 s; roll back when it does not come. */
static void runner(const struct host_change *c, struct strbuf *sb)
{
	sb_append(sb,
		  "cd \"$(dirname \"$0\")\" || exit 1\n"
		  "st() { echo \"$1\" >status.new; mv -f status.new status; }\n"
		  "st applying\n"
		  "if ! sh -e ./apply >apply.log 2>&1; then\n"
		  "  sh ./rollback >rollback.log 2>&1; st failed; exit 0\n"
		  "fi\n"
		  "st applied\n");
	sb_appendf(sb, "n=0\nwhile [ $n -lt %d ]; do\n", c->confirm_timeout_s * 5);
	sb_append(sb,
		  "  if [ -e confirm ]; then st committed; exit 0; fi\n"
		  "  sleep 0.2; n=$((n + 1))\n"
		  "done\n"
		  "sh ./rollback >rollback.log 2>&1\n"
		  "st rolled-back\n");
}

/* Clears away finished earlier changes under c's tag, makes a fresh
 * directory with mktemp -d, and stops (exit 97, removing it) when another
 * change under the tag is still pending. */
static void stage_dir(const struct host_change *c, struct strbuf *sb)
{
	sb_appendf(sb, "for o in \"$b\"/vdeck-change.%s.*; do ours \"$o\" || continue\n", c->tag);
	sb_append(sb, "  case $(cat \"$o/status\" 2>/dev/null) in committed|failed|rolled-back) rm -rf -- \"$o\";; esac\n"
		      "done\n");
	sb_appendf(sb, "d=$(mktemp -d \"$b/vdeck-change.%s.XXXXXX\") && ours \"$d\" || "
		       "{ echo \"could not make a private directory in $b\"; exit 97; }\n", c->tag);
	sb_appendf(sb, "for o in \"$b\"/vdeck-change.%s.*; do\n", c->tag);
	sb_append(sb, "  [ \"$o\" = \"$d\" ] || ! ours \"$o\" || { rm -rf -- \"$d\"; echo \"another change is pending in $o\"; "
		      "exit 97; }\n"
		      "done\n");
}

static void stage_script(const struct host_change *c, struct strbuf *sb)
{
	struct strbuf run;
	sb_init(&run);
	runner(c, &run);
	base_dir(sb);
	stage_dir(c, sb);
	heredoc(sb, "apply", "VDECK_APPLY_EOF", c->apply);
	heredoc(sb, "rollback", "VDECK_ROLLBACK_EOF", c->rollback);
	heredoc(sb, "run", "VDECK_RUN_EOF", run.buf);
	sb_append(sb,
		  "if command -v setsid >/dev/null 2>&1; then setsid sh \"$d/run\" </dev/null >/dev/null 2>&1 &\n"
		  "else nohup sh \"$d/run\" </dev/null >/dev/null 2>&1 & fi\n"
		  "echo \"staged $d\"\n");
	sb_free(&run);
}

void host_change_describe(const struct host_change *c, struct strbuf *sb)
{
	sb_append(sb, "# 1. sent to the host over its connection: stage the change in a private\n"
		      "#    directory and start a detached runner that applies it and rolls back\n"
		      "#    unless confirmed; it prints \"staged DIR\"\n");
	stage_script(c, sb);
	sb_append(sb, "# 2. on a NEW connection, each command reads or writes DIR only after g:\n");
	guard(sb, "DIR");
	sb_append(sb, "#    wait for $d/status (applied | failed)\n");
	if (c->verify)
		sb_appendf(sb, "#    verify: %s\n", c->verify);
	if (c->commit)
		sb_appendf(sb, "#    then: touch \"$d/confirm\" (else the host rolls back after %d s)\n",
			   c->confirm_timeout_s);
	else
		sb_appendf(sb, "#    trial: no confirm; the host rolls back after %d s\n", c->confirm_timeout_s);
}

/* The directory from the script's last "staged DIR" line, when it is a
 * plain absolute path under c's tag (it is quoted into later commands). */
static int staged_dir(const struct host_change *c, const char *out, char *dir, size_t len)
{
	const char *last = NULL;
	for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, "staged /", 8))
			last = p + 7;
	if (!last)
		return -1;
	size_t n = strcspn(last, "\n");
	char mark[64];
	snprintf(mark, sizeof mark, "/vdeck-change.%s.", c->tag);
	if (n >= len || strspn(last, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-") < n)
		return -1;
	snprintf(dir, len, "%.*s", (int)n, last);
	if (strstr(dir, "/..") || !strstr(dir, mark))
		return -1;
	return 0;
}

/* Runs cmd on t; 0 with status and output, -1 on transport failure or
 * when the host prints more than STEP_MAX_BYTES. */
static int run(struct transport *t, const char *cmd, int timeout_ms, struct strbuf *out, int *status,
	       struct vd_err *err)
{
	sb_reset(out);
	return transport_exec(t, cmd, timeout_ms, STEP_MAX_BYTES, out, out, status, err);
}

/* Waits (on the host) until status is one of the words in `until`;
 * st is "unsafe" when dir stopped being ours. */
static int wait_status(struct transport *t, const char *dir, const char *until, int secs, char *st, size_t len,
		       struct vd_err *err)
{
	struct strbuf cmd, out;
	sb_init(&cmd);
	sb_init(&out);
	guard(&cmd, dir);
	sb_appendf(&cmd, "i=0; while [ $i -lt %d ]; do g; s=$(cat \"$d/status\" 2>/dev/null)\n"
			 "case \" %s \" in *\" $s \"*) [ -n \"$s\" ] && break;; esac; sleep 0.2; i=$((i + 1)); done\n"
			 "echo \"$s\"", secs * 5, until);
	int status = -1;
	int rc = run(t, cmd.buf, (secs + 10) * 1000, &out, &status, err);
	if (rc == 0) {
		out.buf[strcspn(out.buf, "\n")] = '\0';
		snprintf(st, len, "%s", status == 98 ? "unsafe" : out.buf[0] ? out.buf : "unknown");
	}
	sb_free(&cmd);
	sb_free(&out);
	return rc;
}

static void fetch_logs(struct transport *t, const char *dir, int remove, struct host_change_result *res)
{
	struct strbuf cmd, out;
	sb_init(&cmd);
	sb_init(&out);
	guard(&cmd, dir);
	sb_append(&cmd, "g; for f in apply.log rollback.log; do [ -s \"$d/$f\" ] && "
			"{ echo \"--- $f\"; tail -n 20 \"$d/$f\"; }; done\n");
	if (remove)
		sb_append(&cmd, "g; rm -rf -- \"$d\"\n");
	int status;
	struct vd_err e;
	err_clear(&e);
	if (run(t, cmd.buf, 10000, &out, &status, &e) == 0)
		sb_append(&res->log, out.buf);
	sb_free(&cmd);
	sb_free(&out);
}

/* Finds the directory of c's change (the newest under its tag) on the new
 * connection when the staging one died before printing it; polls a few
 * seconds, the staging script may still be running. */
static int locate_dir(struct transport *t, const struct host_change *c, char *dir, size_t len)
{
	struct strbuf cmd, out;
	sb_init(&cmd);
	sb_init(&out);
	base_dir(&cmd);
	sb_appendf(&cmd, "i=0; n=; while [ $i -lt 25 ] && [ -z \"$n\" ]; do for o in \"$b\"/vdeck-change.%s.*; do\n"
			 "  ours \"$o\" && [ -e \"$o/run\" ] && { [ -z \"$n\" ] || [ \"$o/run\" -nt \"$n/run\" ]; } && n=$o\n"
			 "done; [ -n \"$n\" ] || sleep 0.2; i=$((i + 1)); done\n"
			 "[ -n \"$n\" ] && echo \"staged $n\"\n", c->tag);
	int status = -1, rc = -1;
	struct vd_err e;
	err_clear(&e);
	if (run(t, cmd.buf, 15000, &out, &status, &e) == 0 && status == 0)
		rc = staged_dir(c, out.buf, dir, len);
	sb_free(&cmd);
	sb_free(&out);
	return rc;
}

/* The log's last meaningful line, for the error message. */
static const char *last_line(const struct strbuf *log, char *buf, size_t len)
{
	buf[0] = '\0';
	const char *p = log->buf;
	while (p && *p) {
		size_t n = strcspn(p, "\n");
		if (n && strncmp(p, "---", 3))
			snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), p);
		p += n + (p[n] == '\n');
	}
	return buf;
}

int host_change_call(struct host_ctx *hc, void *arg, struct vd_err *err)
{
	struct host_change_call *call = arg;
	const struct host_change *c = call->change;
	struct host_change_result *res = call->res;
	char dir[512], st[32], line[200];
	snprintf(res->outcome, sizeof res->outcome, "unknown");
	const char *delims[] = { "VDECK_APPLY_EOF", "VDECK_ROLLBACK_EOF", "VDECK_RUN_EOF" };
	for (size_t i = 0; i < 3; i++)
		if ((c->apply && strstr(c->apply, delims[i])) || (c->rollback && strstr(c->rollback, delims[i])))
			return err_set(err, VD_EINVAL, "the change contains a reserved word (%s)", delims[i]);

	/* 1. stage over the worker's connection */
	struct transport *tr = host_ctx_transport(hc, err);
	if (!tr)
		return -1;
	struct strbuf script, out;
	sb_init(&script);
	sb_init(&out);
	stage_script(c, &script);
	int status = -1, rc = -1;
	struct vd_err e;
	err_clear(&e);
	int staged = run(tr, script.buf, STAGE_TIMEOUT_MS, &out, &status, &e);
	sb_free(&script);
	if (staged == 0 && status != 0) {
		err_set(err, VD_ESSH, "could not stage the change (exit %d): %s; nothing was applied", status,
			out.len ? out.buf : "");
		goto out;
	}
	/* staged < 0: the connection died, maybe under the change itself; the
	 * new connection below tells, and finds the directory */
	int have_dir = staged == 0 && staged_dir(c, out.buf, dir, sizeof dir) == 0;

	/* 2. a NEW connection: the host must still answer */
	struct transport *nt = NULL;
	for (int attempt = 0; attempt < 3 && !nt; attempt++) {
		err_clear(&e);
		nt = host_ctx_transport_new(hc, &e);
		if (!nt)
			sleep(1);
	}
	if (!nt) {
		err_set(err, VD_EUNREACH, "the host does not answer on a new connection after the change (%s); "
			"it rolls the change back by itself within %d s", e.msg, c->confirm_timeout_s);
		goto out;
	}
	if (!have_dir && locate_dir(nt, c, dir, sizeof dir) < 0) {
		err_set(err, VD_ESSH, "the change did not start on the host: no private staging directory of it%s%s",
			staged < 0 ? "; the first connection failed too" : "; the host said: ", staged < 0 ? "" : out.buf);
		goto close;
	}
	if (wait_status(nt, dir, "applied failed committed rolled-back", 60, st, sizeof st, &e) < 0) {
		err_set(err, VD_EUNREACH, "lost the new connection while the change applied (%s); the host rolls "
			"it back by itself within %d s", e.msg, c->confirm_timeout_s);
		goto close;
	}
	if (!strcmp(st, "unsafe")) {
		err_set(err, VD_ESSH, "%s is no longer a private directory of the login user (owner, mode or symlink "
			"changed); vdeck leaves it alone: the host rolls the change back by itself within %d s", dir,
			c->confirm_timeout_s);
		goto close;
	}
	if (!strcmp(st, "failed")) {
		snprintf(res->outcome, sizeof res->outcome, "failed");
		fetch_logs(nt, dir, 1, res);
		err_set(err, VD_ESSH, "the change failed on the host and was rolled back: %s",
			last_line(&res->log, line, sizeof line));
		goto close;
	}
	if (strcmp(st, "applied")) {
		err_set(err, VD_ESSH, "the change did not start on the host (status %s)%s", st,
			staged < 0 ? "; the first connection failed too" : "");
		goto close;
	}
	if (!c->commit) {
		snprintf(res->outcome, sizeof res->outcome, "trial");
		rc = 0;
		goto close;
	}
	/* 3. verify, then confirm; report what the runner finally did */
	if (c->verify) {
		err_clear(&e);
		if (run(nt, c->verify, 15000, &out, &status, &e) < 0 || status != 0) {
			wait_status(nt, dir, "committed rolled-back", c->confirm_timeout_s + 5, st, sizeof st, &e);
			snprintf(res->outcome, sizeof res->outcome, "%s", st);
			fetch_logs(nt, dir, 1, res);
			err_set(err, VD_ESSH, "the check after the change failed (%s); not confirmed: the host %s",
				out.len ? last_line(&out, line, sizeof line) : e.msg,
				!strcmp(st, "rolled-back") ? "rolled it back" : "has not rolled it back yet");
			goto close;
		}
	}
	struct strbuf touch;
	sb_init(&touch);
	guard(&touch, dir);
	sb_append(&touch, "g; touch \"$d/confirm\"\n");
	err_clear(&e);
	int trc = run(nt, touch.buf, 10000, &out, &status, &e);
	sb_free(&touch);
	if (trc < 0 || status != 0 ||
	    wait_status(nt, dir, "committed rolled-back", c->confirm_timeout_s + 5, st, sizeof st, &e) < 0) {
		err_set(err, VD_EUNREACH, "could not confirm the change (%s); the host rolls it back within %d s",
			e.msg[0] ? e.msg : out.buf, c->confirm_timeout_s);
		goto close;
	}
	snprintf(res->outcome, sizeof res->outcome, "%s", st);
	fetch_logs(nt, dir, 1, res);
	if (strcmp(st, "committed")) {
		err_set(err, VD_ESSH, "the confirm came too late: the host rolled the change back (%s)", st);
		goto close;
	}
	rc = 0;
close:
	transport_close(&nt);
out:
	sb_free(&out);
	if (rc == 0)
		host_ctx_changed(hc);
	return rc;
}

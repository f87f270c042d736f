/* test_bond_stage.c — the script that stages a bond change on a host
 * (conn/bond_apply.c): its exact text (a golden file read by hand), and
 * what it does when /bin/sh runs it as this user: a fresh private
 * directory from mktemp -d (never a fixed /tmp path), a second change
 * under the same name refused while the first is pending, and the check
 * every later step runs first refusing a directory whose mode changed or
 * a symlink in its place. */
#include "check.h"

#include "conn/bond_apply.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs script with sh; returns its exit status, its output in out. */
static int sh(const char *script, struct strbuf *out)
{
	char path[] = "/tmp/test_bond_stage.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, script, strlen(script)) != (ssize_t)strlen(script))
		return -1;
	close(fd);
	char *cmd = x_asprintf("sh %s 2>&1", path);
	FILE *p = popen(cmd, "r");
	free(cmd);
	sb_reset(out);
	char buf[4096];
	size_t n;
	while (p && (n = fread(buf, 1, sizeof buf, p)) > 0)
		sb_append_n(out, buf, n);
	int st = p ? pclose(p) : -1;
	unlink(path);
	return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The describe text in its parts: the staging script (between the header
 * comment and "# 2.") and the guard lines after "# 2.". */
static void split(const char *text, struct strbuf *stage, struct strbuf *guard)
{
	const char *s = strstr(text, "\numask 077\n") + 1;
	const char *two = strstr(text, "\n# 2.") + 1;
	sb_append_n(stage, s, (size_t)(two - s));
	const char *g = strchr(two, '\n') + 1;
	const char *end = strstr(g, "\n#");
	sb_append_n(guard, g, (size_t)(end - g) + 1);
}

/* guard text with DIR replaced by dir, then body. */
static int on_dir(const char *guard, const char *dir, const char *body, struct strbuf *out)
{
	struct strbuf s;
	sb_init(&s);
	const char *at = strstr(guard, "'DIR'");
	sb_append_n(&s, guard, (size_t)(at - guard));
	sb_appendf(&s, "'%s'%s%s", dir, at + 5, body);
	int rc = sh(s.buf, out);
	sb_free(&s);
	return rc;
}

static void golden(void)
{
	struct host_change c = { .apply = x_strdup("echo on >marker\n"), .rollback = x_strdup("rm -f marker\n"),
				 .verify = x_strdup("true"), .confirm_timeout_s = 5, .commit = 1 };
	snprintf(c.tag, sizeof c.tag, "bond-b0");
	struct strbuf sb;
	sb_init(&sb);
	host_change_describe(&c, &sb);
	check_golden("tests/fixtures/ops/bond_stage.describe", sb.buf);
	CHECK(!strstr(sb.buf, "/tmp"));
	sb_free(&sb);
	host_change_free(&c);
}

static void staged(void)
{
	struct host_change c = { .apply = x_strdup("echo on >marker\n"), .rollback = x_strdup("rm -f marker\n"),
				 .confirm_timeout_s = 5, .commit = 1 };
	snprintf(c.tag, sizeof c.tag, "bond-unit%ld", (long)getpid());
	struct strbuf text, stage, guard, out;
	sb_init(&text);
	sb_init(&stage);
	sb_init(&guard);
	sb_init(&out);
	host_change_describe(&c, &text);
	split(text.buf, &stage, &guard);

	CHECK_INT(sh(stage.buf, &out), 0);
	char dir[512] = "";
	if (!strncmp(out.buf, "staged /", 8))
		snprintf(dir, sizeof dir, "%.*s", (int)strcspn(out.buf + 7, "\n"), out.buf + 7);
	CHECK(dir[0] == '/');
	char mark[64];
	snprintf(mark, sizeof mark, "/vdeck-change.%s.", c.tag);
	CHECK(strstr(dir, mark) != NULL);
	struct stat st;
	CHECK(lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700 && st.st_uid == getuid());

	/* a second change under the name waits for the first: refused, and
	 * leaves nothing behind */
	CHECK_INT(sh(stage.buf, &out), 97);
	CHECK(strstr(out.buf, "another change is pending in") != NULL);
	struct strbuf ls;
	sb_init(&ls);
	char *count = x_asprintf("ls -d \"%.*s\"* | wc -l", (int)(strstr(dir, mark) - dir + strlen(mark)), dir);
	sh(count, &ls);
	CHECK_INT(atoi(ls.buf), 1);
	free(count);
	sb_free(&ls);

	/* the runner applies; the confirm through the guard commits */
	CHECK_INT(on_dir(guard.buf, dir, "i=0; while [ $i -lt 50 ]; do g; [ \"$(cat \"$d/status\")\" = applied ] && "
				"break; sleep 0.1; i=$((i+1)); done; g; cat \"$d/status\" \"$d/marker\"\n", &out), 0);
	CHECK_STR(out.buf, "applied\non\n");
	CHECK_INT(on_dir(guard.buf, dir, "g; touch \"$d/confirm\"; sleep 0.5; cat \"$d/status\"\n", &out), 0);
	CHECK_STR(out.buf, "committed\n");

	/* the guard refuses a directory whose mode changed, and a symlink */
	chmod(dir, 0755);
	CHECK_INT(on_dir(guard.buf, dir, "g; echo read\n", &out), 98);
	CHECK(strstr(out.buf, "is not a private directory of this user") && !strstr(out.buf, "read"));
	chmod(dir, 0700);
	char *link = x_asprintf("%s.link", dir);
	CHECK(symlink(dir, link) == 0);
	CHECK_INT(on_dir(guard.buf, link, "g; echo read\n", &out), 98);
	unlink(link);
	free(link);

	/* a finished change is cleared away by the next one */
	CHECK_INT(sh(stage.buf, &out), 0);
	CHECK(lstat(dir, &st) != 0);
	char *rm = x_strdup("g; i=0; while [ $i -lt 50 ] && [ \"$(cat \"$d/status\")\" != applied ]; do sleep 0.1; "
			      "i=$((i+1)); done; touch \"$d/confirm\"; sleep 0.5; rm -rf -- \"$d\"\n");
	char next[512] = "";
	if (!strncmp(out.buf, "staged /", 8))
		snprintf(next, sizeof next, "%.*s", (int)strcspn(out.buf + 7, "\n"), out.buf + 7);
	CHECK(next[0] == '/' && strcmp(next, dir));
	CHECK_INT(on_dir(guard.buf, next, rm, &out), 0);
	free(rm);

	sb_free(&text);
	sb_free(&stage);
	sb_free(&guard);
	sb_free(&out);
	host_change_free(&c);
}

int main(void)
{
	golden();
	staged();
	return check_summary();
}

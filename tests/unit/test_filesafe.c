/* test_filesafe.c — who may have written the files vdeck runs or trusts:
 * the pure judgement of a stat result, the walk up to "/" on a real tree
 * (modes, owners, sticky /tmp, missing files, symlinks), "~" expansion,
 * and keys.lua refused through the same check. */
#include "check.h"

#include "core/filesafe.h"
#include "core/paths.h"
#include "lua/keys_load.h"

#include <pwd.h>
#include <stdarg.h>
#include <unistd.h>

static char dir[64];

static struct stat st_of(mode_t type, unsigned mode, uid_t uid)
{
	struct stat st;
	memset(&st, 0, sizeof st);
	st.st_mode = type | mode;
	st.st_uid = uid;
	return st;
}

static int judge(mode_t type, unsigned mode, uid_t uid, uid_t me, char *why)
{
	struct stat st = st_of(type, mode, uid);
	why[0] = '\0';
	return filesafe_judge(&st, me, why, 128);
}

static void test_judge(void)
{
	char why[128];
	CHECK_INT(judge(S_IFREG, 0644, 0, 1000, why), 0);       /* root's file */
	CHECK_INT(judge(S_IFREG, 0600, 1000, 1000, why), 0);    /* mine */
	CHECK_INT(judge(S_IFDIR, 0755, 1000, 1000, why), 0);
	CHECK_INT(judge(S_IFREG, 0644, 1001, 1000, why), -1);   /* someone else's */
	CHECK_STR(why, "owned by uid 1001, neither root nor uid 1000 running vdeck");
	CHECK_INT(judge(S_IFREG, 0644, 1000, 0, why), -1);      /* root runs a user's file */
	CHECK(strstr(why, "owned by uid 1000") != NULL);
	CHECK_INT(judge(S_IFREG, 0664, 0, 0, why), -1);
	CHECK_STR(why, "group-writable (mode 0664)");
	CHECK_INT(judge(S_IFREG, 0646, 0, 0, why), -1);
	CHECK_STR(why, "world-writable (mode 0646)");
	CHECK_INT(judge(S_IFDIR, 0777, 0, 0, why), -1);
	CHECK_STR(why, "world-writable (mode 0777)");
	CHECK_INT(judge(S_IFDIR, 0775, 1000, 1000, why), -1);
	/* /tmp: root's and sticky, so others cannot replace what is in it */
	CHECK_INT(judge(S_IFDIR, 01777, 0, 1000, why), 0);
	CHECK_INT(judge(S_IFDIR, 01770, 0, 1000, why), 0);
	/* sticky but a user's: that user may replace anything in it */
	CHECK_INT(judge(S_IFDIR, 01777, 1000, 1000, why), -1);
	CHECK_STR(why, "world-writable (mode 1777)");
	/* the sticky bit means nothing on a file */
	CHECK_INT(judge(S_IFREG, 01666, 0, 0, why), -1);
	/* readable by all is not the question here */
	CHECK_INT(judge(S_IFREG, 0444, 0, 0, why), 0);
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fprintf(stderr, "command failed: %s\n", cmd);
}

/* filesafe_check on dir/rel: 0, or -1 with the message holding want. */
static void expect(const char *rel, const char *want)
{
	char path[256];
	struct vd_err err;
	err_clear(&err);
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	int rc = filesafe_check("runbook", path, &err);
	if (!want) {
		CHECK_INT(rc, 0);
		if (rc)
			fprintf(stderr, "  %s: %s\n", rel, err.msg);
		return;
	}
	CHECK_INT(rc, -1);
	CHECK_INT(err.code, VD_ECONFIG);
	if (!strstr(err.msg, want))
		fprintf(stderr, "FAIL: \"%s\" lacks \"%s\"\n", err.msg, want);
	CHECK(strstr(err.msg, want) != NULL);
	CHECK(strncmp(err.msg, "runbook ", 8) == 0 && strstr(err.msg, path));   /* names the file asked for */
}

static void test_tree(void)
{
	char want[256];
	/* The temp dir sits in /tmp (root's, sticky): that alone is no reason to refuse. */
	sh("cd %s && mkdir -p ok ww gw && chmod 755 ok && touch ok/a.lua && chmod 644 ok/a.lua", dir);
	expect("ok/a.lua", NULL);
	expect("ok/missing.lua", NULL);          /* nobody else could plant it */
	expect("ok/no/such/dir/x.lua", NULL);
	sh("chmod 666 %s/ok/a.lua", dir);
	snprintf(want, sizeof want, "refused: %s/ok/a.lua is world-writable (mode 0666)", dir);
	expect("ok/a.lua", want);
	sh("chmod 620 %s/ok/a.lua", dir);
	expect("ok/a.lua", "is group-writable (mode 0620)");
	sh("chmod 644 %s/ok/a.lua", dir);
	/* a writable directory anywhere above the file */
	sh("cd %s && chmod 777 ww && mkdir -p ww/deep && chmod 755 ww/deep && touch ww/deep/b.lua && chmod 644 ww/deep/b.lua", dir);
	snprintf(want, sizeof want, "directory %s/ww is world-writable (mode 0777)", dir);
	expect("ww/deep/b.lua", want);
	expect("ww/deep/missing.lua", want);    /* could be planted there */
	expect("ww/not-yet/missing.lua", want);
	sh("chmod 775 %s/gw", dir);
	expect("gw/c.lua", "is group-writable (mode 0775)");
	/* a root-owned sticky directory (like /tmp) is allowed when root runs this */
	sh("cd %s && mkdir -p sticky && chmod 1777 sticky && touch sticky/d.lua && chmod 644 sticky/d.lua", dir);
	if (getuid() == 0)
		expect("sticky/d.lua", NULL);
	else
		expect("sticky/d.lua", "world-writable (mode 1777)");
	/* a link in a writable directory: whoever replaces the link chooses the file */
	sh("cd %s && ln -s %s/ok/a.lua ww/link.lua", dir, dir);
	snprintf(want, sizeof want, "directory %s/ww is world-writable", dir);
	expect("ww/link.lua", want);
	/* a safe link to a file in a writable directory */
	sh("cd %s && ln -s %s/ww/deep/b.lua ok/to-ww.lua", dir, dir);
	expect("ok/to-ww.lua", want);
	if (getuid() == 0) {
		/* foreign owners, of the file or of a directory above it */
		sh("cd %s && mkdir -p own && chmod 755 own && touch own/e.lua && chmod 644 own/e.lua && chown 4321 own/e.lua", dir);
		expect("own/e.lua", "own/e.lua is owned by uid 4321, neither root nor uid 0");
		sh("cd %s && chown 0 own/e.lua && chown 4321 own", dir);
		snprintf(want, sizeof want, "directory %s/own is owned by uid 4321", dir);
		expect("own/e.lua", want);
	}
	/* a relative path is resolved from the current directory */
	char cwd[256];
	if (getcwd(cwd, sizeof cwd) && chdir(dir) == 0) {
		struct vd_err err;
		err_clear(&err);
		CHECK_INT(filesafe_check("runbook", "ww/deep/b.lua", &err), -1);
		CHECK(strstr(err.msg, "ww is world-writable") != NULL);
		CHECK_INT(filesafe_check("runbook", "ok/a.lua", &err), 0);
		CHECK_INT(chdir(cwd), 0);
	}
}

static void test_keys_file(void)
{
	char path[128];
	struct key_binding *b;
	size_t n;
	struct vd_err err;
	snprintf(path, sizeof path, "%s/ok/keys.lua", dir);
	FILE *f = fopen(path, "w");
	fputs("return { quit = 'x' }\n", f);
	fclose(f);
	sh("chmod 644 %s", path);
	err_clear(&err);
	CHECK_INT(keys_load(path, &b, &n, &err), 0);
	CHECK_INT(n, 1);
	keys_free(b, n);
	sh("chmod 666 %s", path);
	err_clear(&err);
	CHECK_INT(keys_load(path, &b, &n, &err), -1);
	CHECK_INT(err.code, VD_ECONFIG);
	CHECK(strstr(err.msg, "keys.lua is world-writable (mode 0666)") != NULL);
	CHECK(strstr(err.msg, "refused") != NULL);
}

static void test_expand_home(void)
{
	char *p;
	setenv("HOME", "/srv/ops", 1);
	CHECK_STR(p = path_expand_home("~/.ssh/known_hosts"), "/srv/ops/.ssh/known_hosts");
	free(p);
	CHECK_STR(p = path_expand_home("~"), "/srv/ops");
	free(p);
	CHECK_STR(p = path_expand_home("/etc/ssh/ssh_known_hosts"), "/etc/ssh/ssh_known_hosts");
	free(p);
	CHECK_STR(p = path_expand_home("~ops/x"), "~ops/x");   /* not ours to guess: left relative, refused later */
	free(p);
	/* cron may start vdeck without HOME: the password database says */
	unsetenv("HOME");
	struct passwd *pw = getpwuid(getuid());
	char want[512];
	snprintf(want, sizeof want, "%s/.ssh/id", pw ? pw->pw_dir : "/");
	CHECK_STR(p = path_expand_home("~/.ssh/id"), want);
	free(p);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/vdeck-filesafe.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	test_judge();
	test_tree();
	test_keys_file();
	test_expand_home();
	sh("rm -rf %s", dir);
	return check_summary();
}

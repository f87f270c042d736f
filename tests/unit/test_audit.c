/* test_audit.c — the audit trail's records byte for byte, appending, and
 * reading it back: started records without a result are found, whatever
 * else the file holds (a line cut short by a crash, escapes, hostile
 * nesting, floods of records), and where their domains stand in a model. */
#include "check.h"

#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "model/cluster.h"
#include "ops/audit.h"
#include "ops/audit_syslog.h"

#include <unistd.h>

static const char started_line[] =
	"{\"time\":\"2023-11-14T22:13:20.250Z\",\"id\":\"1700000000250-42-1\",\"record\":\"started\","
	"\"user\":\"ops\",\"sudo_user\":\"alice\",\"pid\":42,\"host\":\"h1\",\"domain\":\"vm\\\"1\","
	"\"operation\":\"migrate\",\"arguments\":{\"to\":\"h2\"},\"call\":\"x(\\\"a\\\")\\n\",\"dry_run\":false,"
	"\"result\":null,\"error\":null,\"duration\":0.500}\n";

static void test_format(void)
{
	struct strbuf sb;
	sb_init(&sb);
	struct audit_record r = { .time = 1700000000.25, .id = "1700000000250-42-1", .kind = AUDIT_STARTED,
				  .user = "ops", .sudo_user = "alice", .pid = 42, .host = "h1", .domain = "vm\"1",
				  .operation = "migrate", .args_json = "{\"to\":\"h2\"}", .call = "x(\"a\")\n",
				  .result = "ignored in a started record", .duration = 0.5 };
	audit_format(&r, &sb);
	CHECK_STR(sb.buf, started_line);
	sb_reset(&sb);
	r.kind = AUDIT_RESULT;
	r.sudo_user = NULL;
	r.domain = NULL;
	r.args_json = NULL;
	r.dry_run = 1;
	r.result = "failed";
	r.error = "no \"luck\"";
	audit_format(&r, &sb);
	CHECK_STR(sb.buf, "{\"time\":\"2023-11-14T22:13:20.250Z\",\"id\":\"1700000000250-42-1\",\"record\":\"result\","
		  "\"user\":\"ops\",\"sudo_user\":null,\"pid\":42,\"host\":\"h1\",\"domain\":null,"
		  "\"operation\":\"migrate\",\"arguments\":{},\"call\":\"x(\\\"a\\\")\\n\",\"dry_run\":true,"
		  "\"result\":\"failed\",\"error\":\"no \\\"luck\\\"\",\"duration\":0.500}\n");
	sb_free(&sb);
}

static void test_ids_and_user(void)
{
	char a[AUDIT_ID_MAX], b[AUDIT_ID_MAX], pid[32];
	audit_new_id(a);
	audit_new_id(b);
	CHECK(strcmp(a, b) != 0);
	snprintf(pid, sizeof pid, "-%ld-", (long)getpid());
	CHECK(strstr(a, pid) != NULL);
	/* $USER is whatever the caller says; the record says who runs. */
	setenv("USER", "mallory", 1);
	CHECK(strcmp(audit_user(), "mallory") != 0);
	CHECK(audit_user()[0] != '\0');
	unsetenv("SUDO_USER");
	CHECK(audit_sudo_user() == NULL);
	setenv("SUDO_USER", "alice", 1);
	CHECK_STR(audit_sudo_user(), "alice");
	unsetenv("SUDO_USER");
}

static void test_append(void)
{
	char dir[] = "/tmp/vdeck-audit-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char *file = x_asprintf("%s/sub/audit.jsonl", dir);
	struct audit_record r = { .time = 1700000000.25, .id = "1-2-3", .kind = AUDIT_STARTED, .user = "ops",
				  .host = "h1", .operation = "run" };
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(audit_append(file, &r, &err), 0);
	r.kind = AUDIT_RESULT;
	r.result = "ok";
	CHECK_INT(audit_append(file, &r, &err), 0);
	size_t len = 0;
	char *text = check_slurp(file, &len);
	int lines = 0;
	for (size_t i = 0; text && i < len; i++)
		lines += text[i] == '\n';
	CHECK_INT(lines, 2);
	struct unfinished_list l = { 0 };
	audit_scan_unfinished(text ? text : "", len, 0, &l);
	CHECK_INT(l.n, 0);   /* a pair is finished */
	unfinished_list_free(&l);
	free(text);
	/* A path under a file cannot be written: the error names it and why. */
	err_clear(&err);
	CHECK_INT(audit_append("/dev/null/vdeck/audit.jsonl", &r, &err), -1);
	CHECK(strstr(err.msg, "/dev/null/vdeck/audit.jsonl") != NULL);
	CHECK(strstr(err.msg, "Not a directory") != NULL);
	unlink(file);
	char *sub = x_asprintf("%s/sub", dir);
	rmdir(sub);
	rmdir(dir);
	free(sub);
	free(file);
}

static void scan(const char *text, int from_middle, struct unfinished_list *l)
{
	memset(l, 0, sizeof *l);
	audit_scan_unfinished(text, strlen(text), from_middle, l);
}

static void test_scan(void)
{
	struct unfinished_list l;
	scan(started_line, 0, &l);
	CHECK_INT(l.n, 1);
	CHECK_STR(l.items[0].id, "1700000000250-42-1");
	CHECK_STR(l.items[0].time, "2023-11-14T22:13:20.250Z");
	CHECK_STR(l.items[0].user, "ops");
	CHECK_STR(l.items[0].sudo_user, "alice");
	CHECK_INT(l.items[0].pid, 42);
	CHECK_STR(l.items[0].host, "h1");
	CHECK_STR(l.items[0].domain, "vm\"1");
	CHECK_STR(l.items[0].operation, "migrate");
	CHECK_STR(l.items[0].args_json, "{\"to\":\"h2\"}");
	unfinished_list_free(&l);

	/* Matched by id, in any order of lines; listed oldest first. */
	const char *mixed =
		"{\"id\":\"b\",\"record\":\"started\",\"operation\":\"op-b\",\"host\":\"h\",\"domain\":null}\n"
		"{\"id\":\"a\",\"record\":\"started\",\"operation\":\"op-a\"}\n"
		"{\"id\":\"c\",\"record\":\"started\",\"operation\":\"op-c\"}\n"
		"{\"id\":\"a\",\"record\":\"result\",\"result\":\"ok\"}\n"
		"{\"id\":\"d\",\"record\":\"result\",\"result\":\"refused\"}\n"
		"{\"time\":\"old format, no id\",\"operation\":\"set_vcpus\",\"result\":\"ok\"}\n"
		"{\"id\":\"b\",\"record\":\"started\",\"operation\":\"op-b again\"}\n";
	scan(mixed, 0, &l);
	CHECK_INT(l.n, 2);
	if (l.n == 2) {
		CHECK_STR(l.items[0].operation, "op-b");   /* the first started record of its id */
		CHECK(l.items[0].domain == NULL);
		CHECK_STR(l.items[1].operation, "op-c");
	}
	unfinished_list_free(&l);

	/* A crash mid-write: a started record cut short is not an operation;
	 * a result cut short leaves its started record unfinished. */
	scan("{\"id\":\"x\",\"record\":\"started\",\"operation\":\"m\"}\n{\"id\":\"x\",\"record\":\"res", 0, &l);
	CHECK_INT(l.n, 1);
	unfinished_list_free(&l);
	scan("{\"id\":\"x\",\"record\":\"started\",\"operation\":\"m\"}\n{\"id\":\"y\",\"record\":\"started\",\"oper", 0, &l);
	CHECK_INT(l.n, 1);
	CHECK_STR(l.n ? l.items[0].id : "", "x");
	unfinished_list_free(&l);
	/* The end of a line with no newline still counts when whole. */
	scan("{\"id\":\"x\",\"record\":\"started\"}", 0, &l);
	CHECK_INT(l.n, 1);
	unfinished_list_free(&l);

	/* Read from the middle of the file: the first (partial) line is skipped. */
	scan("\"record\":\"started\"}\n{\"id\":\"z\",\"record\":\"started\"}\n", 1, &l);
	CHECK_INT(l.n, 1);
	unfinished_list_free(&l);
	scan("{\"id\":\"w\",\"record\":\"started\"}\n{\"id\":\"z\",\"record\":\"started\"}\n", 1, &l);
	CHECK_INT(l.n, 1);
	CHECK_STR(l.n ? l.items[0].id : "", "z");
	unfinished_list_free(&l);

	/* Escapes are decoded; a surrogate pair is one character. */
	scan("{\"id\":\"e\",\"record\":\"started\",\"domain\":\"caf\\u00e9 \\ud83d\\ude00 \\u001b[2J\\t\"}\n", 0, &l);
	CHECK_INT(l.n, 1);
	CHECK_STR(l.n ? l.items[0].domain : "", "caf\xc3\xa9 \xf0\x9f\x98\x80 \x1b[2J\t");
	unfinished_list_free(&l);
}

static void test_scan_hostile(void)
{
	static const char *const bad[] = {
		"{\"id\":\"e\",\"record\":\"started\",\"domain\":\"a\x01\"}",            /* raw control character */
		"{\"id\":\"e\",\"record\":\"started\",\"domain\":\"\\u0000x\"}",         /* NUL would cut the name */
		"{\"id\":\"e\",\"record\":\"started\",\"domain\":\"\\ud83d\"}",          /* lone surrogate */
		"{\"id\":\"e\",\"record\":\"started\",\"domain\":\"\\q\"}",              /* unknown escape */
		"{\"id\":\"e\",\"record\":\"started\"} trailing",
		"{\"id\":\"e\",\"record\":\"started\",}",
		"{\"id\":\"e\",\"record\":\"started\",\"pid\":01}",
		"{\"id\":\"e\",\"record\":\"started\",\"arguments\":[1,2]}",             /* arguments are an object */
		"{\"id\":\"e\",\"record\":\"started\",\"x\":tru}",
		"{\"id\":\"e\",\"record\":\"begun\"}",
		"{\"id\":\"\",\"record\":\"started\"}",
		"{\"id\":\"0123456789012345678901234567890123456789012345678901234567890\",\"record\":\"started\"}",
		"[\"id\",\"e\"]",
		"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct unfinished_list l;
		scan(bad[i], 0, &l);
		if (l.n)
			fprintf(stderr, "FAIL: listed: %s\n", bad[i]);
		CHECK_INT(l.n, 0);
		unfinished_list_free(&l);
	}

	/* Nesting far deeper than any record: refused, not recursed into. */
	struct strbuf sb;
	sb_init(&sb);
	sb_append(&sb, "{\"id\":\"deep\",\"record\":\"started\",\"arguments\":{\"a\":");
	for (int i = 0; i < 200000; i++)
		sb_appendc(&sb, '[');
	sb_append(&sb, "\n{\"id\":\"ok\",\"record\":\"started\",\"arguments\":{\"a\":[[[{\"b\":[1,2.5e3,-0,true,null]}]]]}}\n");
	struct unfinished_list l;
	scan(sb.buf, 0, &l);
	CHECK_INT(l.n, 1);
	CHECK_STR(l.n ? l.items[0].id : "", "ok");
	CHECK_STR(l.n ? l.items[0].args_json : "", "{\"a\":[[[{\"b\":[1,2.5e3,-0,true,null]}]]]}");
	unfinished_list_free(&l);

	/* A flood of started records: bounded list, the newest kept, and the
	 * cost stays n log n (a quadratic match would take minutes here). */
	sb_reset(&sb);
	size_t flood = 100000;
	for (size_t i = 0; i < flood; i++)
		sb_appendf(&sb, "{\"id\":\"%zu\",\"record\":\"%s\",\"operation\":\"o%zu\"}\n", i % 2 ? i - 1 : i,
			   i % 2 && i % 4 == 1 ? "result" : "started", i);
	double t0 = now_mono_s();
	scan(sb.buf, 0, &l);
	double secs = now_mono_s() - t0;
	/* ids 0,2,4,...: those of i % 4 == 0 are closed by line i + 1; those of
	 * i % 4 == 2 are started twice (lines i and i + 1) and never closed. */
	CHECK_INT(l.n + l.dropped, flood / 4);
	CHECK_INT(l.n, AUDIT_UNFINISHED_MAX);
	char want[32];
	snprintf(want, sizeof want, "o%zu", flood - 2);
	CHECK_STR(l.n ? l.items[l.n - 1].operation : "", want);
	CHECK(secs < 5);
	printf("# flood of %zu lines scanned in %.2f s\n", flood, secs);
	unfinished_list_free(&l);
	sb_free(&sb);
}

static struct domain dom(const char *name, enum dom_state st)
{
	struct domain d;
	memset(&d, 0, sizeof d);
	snprintf(d.info.name, sizeof d.info.name, "%s", name);
	snprintf(d.info.uuid, sizeof d.info.uuid, "uuid-%s", name);
	d.state = st;
	return d;
}

static void answer(struct cluster *c, size_t hi, struct domain *doms, size_t n)
{
	struct host_snapshot s;
	memset(&s, 0, sizeof s);
	s.libvirt_ok = 1;
	s.t = 1;
	s.doms = x_calloc(n + 1, sizeof *s.doms);
	memcpy(s.doms, doms, n * sizeof *doms);
	s.ndoms = n;
	host_apply_snapshot(c, &c->hosts[hi], &s, 1);
	host_snapshot_free(&s);
}

static void test_now(void)
{
	struct inventory inv;
	memset(&inv, 0, sizeof inv);
	const char *names[] = { "src", "dst", "far" };
	for (int i = 0; i < 3; i++) {
		struct host_config *hc = inventory_add(&inv);
		hc->name = x_strdup(names[i]);
		hc->transport = HT_NONE;
	}
	struct cluster c;
	cluster_init(&c, &inv);
	struct unfinished_op u = { .host = "src", .domain = "vm1", .operation = "migrate" };
	struct unfinished_now now;
	char text[200];

	unfinished_now(&c, &u, &now);   /* nobody answered yet */
	unfinished_now_text(&now, &u, text, sizeof text);
	CHECK_STR(text, "unknown: host src is connecting");

	struct domain on_src[] = { dom("vm1", DOM_SHUTOFF), dom("other", DOM_RUNNING) };
	struct domain on_dst[] = { dom("vm1", DOM_RUNNING) };
	answer(&c, 0, on_src, 2);
	unfinished_now(&c, &u, &now);
	unfinished_now_text(&now, &u, text, sizeof text);
	CHECK_STR(text, "shutoff on src");
	answer(&c, 1, on_dst, 1);   /* the migration landed; a copy stays defined on src */
	unfinished_now(&c, &u, &now);
	unfinished_now_text(&now, &u, text, sizeof text);
	CHECK_STR(text, "running on dst");
	CHECK_STR(now.host_state, "up");

	u.domain = "gone";
	unfinished_now(&c, &u, &now);
	unfinished_now_text(&now, &u, text, sizeof text);
	CHECK_STR(text, "not on any host that answered");
	u.domain = NULL;   /* a host operation */
	unfinished_now(&c, &u, &now);
	unfinished_now_text(&now, &u, text, sizeof text);
	CHECK_STR(text, "host src is up");
	u.host = "retired";
	u.domain = "vm9";
	unfinished_now(&c, &u, &now);
	unfinished_now_text(&now, &u, text, sizeof text);
	CHECK_STR(text, "unknown: host retired is not in the inventory");
	cluster_free(&c);
	inventory_free(&inv);
}

/* RFC 5424: <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] BOM MSG, written
 * out here by hand; '"', '\\' and ']' escaped in PARAM-VALUEs. */
static void test_syslog_format(void)
{
	struct strbuf sb;
	sb_init(&sb);
	struct audit_record r = { .time = 1700000000.25, .id = "1700000000250-42-1", .kind = AUDIT_STARTED,
				  .user = "ops", .sudo_user = "alice", .pid = 42, .host = "h1", .domain = "vm\"1",
				  .operation = "migrate", .args_json = "{\"to\":\"h2\"}", .call = "x(\"a\")\n",
				  .duration = 0.5 };
	audit_syslog_format(&r, "console1", &sb);
	CHECK_STR(sb.buf, "<85>1 2023-11-14T22:13:20.250Z console1 vdeck 42 started [vdeck@32473 "
		  "id=\"1700000000250-42-1\" record=\"started\" user=\"ops\" sudo_user=\"alice\" host=\"h1\" "
		  "domain=\"vm\\\"1\" operation=\"migrate\" arguments=\"{\\\"to\\\":\\\"h2\\\"}\" "
		  "dry_run=\"false\" duration=\"0.500\"] \xEF\xBB\xBF"
		  "{\"time\":\"2023-11-14T22:13:20.250Z\",\"id\":\"1700000000250-42-1\",\"record\":\"started\","
		  "\"user\":\"ops\",\"sudo_user\":\"alice\",\"pid\":42,\"host\":\"h1\",\"domain\":\"vm\\\"1\","
		  "\"operation\":\"migrate\",\"arguments\":{\"to\":\"h2\"},\"call\":\"x(\\\"a\\\")\\n\",\"dry_run\":false,"
		  "\"result\":null,\"error\":null,\"duration\":0.500}");
	sb_reset(&sb);
	r.kind = AUDIT_RESULT;
	r.result = "failed";
	r.error = "a]b\\c";
	r.sudo_user = NULL;
	audit_syslog_format(&r, "", &sb);
	/* warning severity, no hostname ("-"), error escaped, no sudo_user */
	CHECK(!strncmp(sb.buf, "<84>1 2023-11-14T22:13:20.250Z - vdeck 42 result [vdeck@32473 ", 62));
	CHECK(strstr(sb.buf, " result=\"failed\" error=\"a\\]b\\\\c\" duration=") != NULL);
	CHECK(strstr(sb.buf, "sudo_user=") == NULL);
	/* A huge call is cut from MSG, not from the structured data. */
	char *big = x_malloc(20000);
	memset(big, 'x', 19999);
	big[19999] = '\0';
	r.call = big;
	sb_reset(&sb);
	audit_syslog_format(&r, "h", &sb);
	CHECK(sb.len == AUDIT_SYSLOG_MAX);
	CHECK(strstr(sb.buf, "duration=\"0.500\"] \xEF\xBB\xBF{\"time\"") != NULL);
	free(big);
	sb_free(&sb);
}

int main(void)
{
	test_format();
	test_syslog_format();
	test_ids_and_user();
	test_append();
	test_scan();
	test_scan_hostile();
	test_now();
	return check_summary();
}

/* test_vop_flags.c — dry-run prints the flags the real call passes.
 *
 * For every request kind and every combination of request bits, each libvirt
 * call vop_describe prints with a row in the table (vop_apis) must name
 * exactly the flags vop_flags() returns for it, and those names must be
 * libvirt's constants with that value; a printed call without a row must
 * print no flags.  Then the run code (src/conn) is read: every call of a
 * function in the table must take its flags from vop_flags().  A flag added
 * to the dry-run text only, to the run code only, or to a row under the wrong
 * name fails here. */
#include "check.h"
#include "conn/virt_ops.h"
#include "core/strbuf.h"

#include <ctype.h>
#include <dirent.h>
#include <libvirt/libvirt.h>
#include <stdarg.h>

/* libvirt's flags by name, the oracle for the printed names.  A new flag in
 * the table needs its line here: that is the second witness. */
#define K(c) { #c, c }
static const struct {
	const char *name;
	unsigned    value;
} known[] = {
	K(VIR_DOMAIN_AFFECT_LIVE), K(VIR_DOMAIN_AFFECT_CONFIG), K(VIR_DOMAIN_AFFECT_CURRENT), K(VIR_DOMAIN_BLOCK_RESIZE_BYTES),
	K(VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY), K(VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC),
	K(VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING), K(VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN),
	K(VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY), K(VIR_DOMAIN_BLOCK_COMMIT_ACTIVE),
	K(VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT), K(VIR_MIGRATE_LIVE), K(VIR_MIGRATE_PERSIST_DEST),
	K(VIR_MIGRATE_UNDEFINE_SOURCE), K(VIR_MIGRATE_UNSAFE), K(VIR_NETWORK_UPDATE_AFFECT_LIVE),
};

static int mismatches;

/* Records one failed expectation, printing the first few. */
static void mismatch(const char *fmt, ...)
{
	if (mismatches++ < 20) {
		va_list ap;
		va_start(ap, fmt);
		fputs("FAIL ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
}

/* "A|B" or "0" as libvirt values; -1 when a name is not libvirt's. */
static long long value_of(const char *names)
{
	if (!strcmp(names, "0"))
		return 0;
	long long v = 0;
	for (const char *p = names; *p;) {
		size_t n = strcspn(p, "|");
		size_t i = 0;
		while (i < sizeof known / sizeof known[0] && !(strlen(known[i].name) == n && !strncmp(known[i].name, p, n)))
			i++;
		if (i == sizeof known / sizeof known[0])
			return -1;
		v |= known[i].value;
		p += n + (p[n] == '|');
	}
	return v;
}

static int ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* p at '(': copies the call's last argument (trimmed) to out; returns the
 * offset just past the matching ')', or 0 when it does not close.  Quoted
 * strings and nested brackets are skipped. */
static size_t last_arg(const char *p, char *out, size_t len)
{
	int depth = 0;
	const char *start = p + 1;
	for (const char *q = p; *q; q++) {
		if (*q == '"') {
			for (q++; *q && *q != '"'; q++)
				if (*q == '\\' && q[1])
					q++;
			if (!*q)
				return 0;
		} else if (*q == '(' || *q == '{' || *q == '[') {
			depth++;
		} else if (*q == ')' || *q == '}' || *q == ']') {
			if (--depth == 0) {
				while (isspace((unsigned char)*start))
					start++;
				const char *end = q;
				while (end > start && isspace((unsigned char)end[-1]))
					end--;
				snprintf(out, len, "%.*s", (int)(end - start), start);
				return (size_t)(q + 1 - p);
			}
		} else if (*q == ',' && depth == 1) {
			start = q + 1;
		}
	}
	return 0;
}

/* The row of a call request kind prints under this name, or -1. */
static int printed_row(enum vop_kind kind, const char *name)
{
	for (int a = 0; a < VOPA_COUNT; a++)
		if (vop_apis[a].kind == kind && !vop_apis[a].on_abort && !strcmp(vop_apis[a].name, name))
			return a;
	return -1;
}

/* Every libvirt call named in r's dry-run text against the table. */
static void check_described(const struct vop_request *r, int *seen)
{
	struct strbuf text, names;
	sb_init(&text);
	sb_init(&names);
	vop_describe(r, &text);
	if (!text.len)
		mismatch("kind %d: describes nothing", r->kind);
	for (const char *p = text.buf; (p = strstr(p, "vir")) != NULL; p++) {
		if ((p > text.buf && ident_char(p[-1])) || !isupper((unsigned char)p[3]))
			continue;
		size_t n = 0;
		while (ident_char(p[n]))
			n++;
		char name[64], last[256];
		snprintf(name, sizeof name, "%.*s", (int)n, p);
		int a = printed_row(r->kind, name);
		unsigned flags = a >= 0 ? vop_flags((enum vop_api)a, r, NULL) : 0;
		if (p[n] != '(') {
			/* named without arguments: then it must pass no flags */
			if (flags)
				mismatch("kind %d flags %#x: %s is printed without the flags it passes", r->kind,
					 r->flags, name);
			continue;
		}
		if (!last_arg(p + n, last, sizeof last)) {
			mismatch("kind %d: unclosed call %s in\n%s", r->kind, name, text.buf);
			continue;
		}
		if (a < 0) {
			if (!strcmp(last, "0") || strstr(last, "VIR_"))
				mismatch("kind %d flags %#x: %s prints flags \"%s\" but has no row in vop_apis",
					 r->kind, r->flags, name, last);
			continue;
		}
		seen[a]++;
		sb_reset(&names);
		vop_flags((enum vop_api)a, r, &names);
		if (strcmp(last, names.buf))
			mismatch("kind %d flags %#x: %s prints \"%s\", the call passes \"%s\"", r->kind, r->flags,
				 name, last, names.buf);
		if (value_of(last) != (long long)flags)
			mismatch("kind %d flags %#x: %s prints \"%s\" (%lld in libvirt), the call passes %#x", r->kind,
				 r->flags, name, last, value_of(last), flags);
	}
	sb_free(&text);
	sb_free(&names);
}

static void test_describe_matches_flags(void)
{
	/* one request of each kind shows a table row's call under one name only */
	for (int a = 0; a < VOPA_COUNT; a++)
		if (!vop_apis[a].on_abort)
			CHECK_INT(printed_row(vop_apis[a].kind, vop_apis[a].name), a);
	int seen[VOPA_COUNT] = { 0 };
	char *drops[] = { (char *)"s1", (char *)"s2" };
	struct vop_pin pins[] = { { 0, (char *)"0-3", (char *)"0-15" }, { 1, (char *)"4-7", (char *)"0-15" } };
	struct vop_net_update updates[] = { { VOP_NETUP_MODIFY, (char *)"<portgroup name='a'/>\n" } };
	for (int k = 0; k <= VOP_DOMAIN_XML; k++) {   /* VOP_DOMAIN_XML is the last kind */
		mismatches = 0;
		for (unsigned f = 0; f <= VOPF_ALL; f++) {
			for (int full = 0; full <= 1; full++) {
				struct vop_request r = { .kind = (enum vop_kind)k, .uuid = "u", .dom_name = "vm",
							 .target = "vda", .xml = (char *)"<x/>\n", .flags = f,
							 .value = 4096, .wait_ms = 100, .dest_uri = (char *)"test:///b" };
				if (full) {
					r.pre_xml = (char *)"<controller/>\n";
					r.alias_xpath = (char *)"//disk";
					r.migrate_uri = (char *)"tcp://b";
					r.bandwidth_mib = 100;
					r.max_downtime_ms = 50;
					r.shell = (char *)"true\n";
					r.undo_shell = (char *)"true\n";
					r.drop_snapshots = drops;
					r.ndrop_snapshots = 2;
					r.pins = pins;
					r.npins = 2;
					r.cpus = (char *)"0-1";
					r.net_updates = updates;
					r.nnet_updates = 1;
				}
				check_described(&r, seen);
			}
		}
		if (mismatches)
			fprintf(stderr, "kind %d: %d mismatches\n", k, mismatches);
		CHECK_INT(mismatches, 0);
	}
	/* every row that dry-run shows is shown by some request */
	for (int a = 0; a < VOPA_COUNT; a++)
		if (!vop_apis[a].on_abort && !seen[a]) {
			fprintf(stderr, "FAIL row %d (%s) is never printed\n", a, vop_apis[a].name);
			check_failed++;
		}
}

/* Blanks comments, strings and character constants (newlines kept). */
static void blank_non_code(char *s)
{
	for (char *p = s; *p; p++) {
		if (p[0] == '/' && p[1] == '*') {
			for (; *p && !(p[0] == '*' && p[1] == '/'); p++)
				if (*p != '\n')
					*p = ' ';
			if (*p)
				p[0] = p[1] = ' ', p++;
		} else if (p[0] == '/' && p[1] == '/') {
			for (; *p && *p != '\n'; p++)
				*p = ' ';
		} else if (*p == '"' || *p == '\'') {
			char q = *p;
			for (*p++ = ' '; *p && *p != q; p++) {
				if (*p == '\\' && p[1])
					*p++ = ' ';
				if (*p != '\n')
					*p = ' ';
			}
			if (*p)
				*p = ' ';
		}
		if (!*p)
			break;
	}
}

static void test_run_code_uses_table(void)
{
	int calls[VOPA_COUNT] = { 0 };
	DIR *d = opendir("src/conn");
	CHECK(d != NULL);
	mismatches = 0;
	for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
		size_t len = strlen(e->d_name);
		if (len < 3 || strcmp(e->d_name + len - 2, ".c") || !strcmp(e->d_name, "virt_ops_calls.c"))
			continue;
		char path[300];
		snprintf(path, sizeof path, "src/conn/%s", e->d_name);
		char *src = check_slurp(path, NULL);
		if (!src)
			continue;
		blank_non_code(src);
		for (int a = 0; a < VOPA_COUNT; a++) {
			const char *name = vop_apis[a].name;
			int first = 1;   /* one scan per function name */
			for (int b = 0; b < a; b++)
				first &= strcmp(vop_apis[b].name, name) != 0;
			if (!first)
				continue;
			size_t n = strlen(name);
			for (const char *p = src; (p = strstr(p, name)) != NULL; p += n) {
				if ((p > src && ident_char(p[-1])) || ident_char(p[n]))
					continue;
				const char *q = p + n;
				while (isspace((unsigned char)*q))
					q++;
				if (*q != '(')
					continue;
				char last[512];
				size_t used = last_arg(q, last, sizeof last);
				char inner[512];
				int whole = !strncmp(last, "vop_flags(", 10) &&
					    last_arg(last + 9, inner, sizeof inner) == strlen(last) - 9;
				if (!used || !whole)
					mismatch("%s: %s passes flags \"%s\", not vop_flags(...)", path, name, last);
				for (int b = 0; b < VOPA_COUNT; b++)
					calls[b] += !strcmp(vop_apis[b].name, name);
			}
		}
		free(src);
	}
	if (d)
		closedir(d);
	CHECK_INT(mismatches, 0);
	/* no row is dead: the run code calls each function of the table */
	for (int a = 0; a < VOPA_COUNT; a++)
		if (!calls[a]) {
			fprintf(stderr, "FAIL nothing in src/conn calls %s\n", vop_apis[a].name);
			check_failed++;
		}
}

int main(void)
{
	test_describe_matches_flags();
	test_run_code_uses_table();
	return check_summary();
}

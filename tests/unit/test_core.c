/* test_core.c — strings, escaping, sizes, queue, errors, host matching. */
#include "check.h"

#include "core/err.h"
#include "core/queue.h"
#include "core/safe_text.h"
#include "core/strbuf.h"
#include "core/units.h"
#include "core/xalloc.h"
#include "model/inventory.h"

#include <pthread.h>

struct msg {
	struct queue_item item;
	int value;
};

static void *producer(void *arg)
{
	struct queue *q = arg;
	for (int i = 0; i < 1000; i++) {
		struct msg *m = x_malloc(sizeof *m);
		m->value = i;
		queue_push(q, &m->item);
	}
	return NULL;
}

static void test_queue(void)
{
	struct queue q;
	CHECK_INT(queue_init(&q), 0);
	CHECK(queue_pop(&q, 0) == NULL);
	CHECK(queue_pop(&q, 20) == NULL);   /* times out */
	pthread_t t;
	pthread_create(&t, NULL, producer, &q);
	int expect = 0, in_order = 1;
	while (expect < 1000) {
		struct msg *m = (struct msg *)queue_pop(&q, 1000);
		if (!m)
			break;
		in_order &= m->value == expect++;
		free(m);
	}
	pthread_join(t, NULL);
	CHECK_INT(expect, 1000);
	CHECK(in_order);
	queue_destroy(&q);
}

static void test_strbuf(void)
{
	struct strbuf sb;
	sb_init(&sb);
	CHECK_STR(sb.buf, "");
	sb_append_xml(&sb, "a<b>&'\"c");
	CHECK_STR(sb.buf, "a&lt;b&gt;&amp;&apos;&quot;c");
	sb_reset(&sb);
	sb_append_json(&sb, "q\"\\\n\x01");
	CHECK_STR(sb.buf, "\"q\\\"\\\\\\n\\u0001\"");
	sb_reset(&sb);
	/* DEL and C1 controls (as UTF-8) escaped too; other UTF-8 as is. */
	sb_append_json(&sb, "\x1b]0;t\x07\x7f\xc2\x9b" "2J\xc3\xa9\xe2\x96\x88");
	CHECK_STR(sb.buf, "\"\\u001b]0;t\\u0007\\u007f\\u009b2J\xc3\xa9\xe2\x96\x88\"");
	sb_reset(&sb);
	sb_append_shell(&sb, "it's");
	CHECK_STR(sb.buf, "'it'\\''s'");
	sb_reset(&sb);
	for (int i = 0; i < 1000; i++)
		sb_appendf(&sb, "%d,", i);
	CHECK_INT(sb.len, strlen(sb.buf));
	char *s = sb_detach(&sb);
	CHECK(strncmp(s, "0,1,2,", 6) == 0);
	free(s);
	sb_free(&sb);
}

/* s through sb_append_safe, as a fresh string in a static buffer. */
static const char *safe(const char *s, size_t n, unsigned flags)
{
	static struct strbuf sb;
	sb_free(&sb);
	sb_append_safe(&sb, s, n, flags);
	return sb.buf;
}

static void test_safe_text(void)
{
#define SAFE(lit, flags) safe(lit, sizeof lit - 1, flags)
	/* OSC (retitle) and CSI (clear screen) become visible text. */
	CHECK_STR(SAFE("\x1b]0;pwned\x07\x1b[2J6.1.0", 0), "\\x1b]0;pwned\\x07\\x1b[2J6.1.0");
	CHECK_STR(SAFE("plain text: 6.1.0-18-amd64", 0), "plain text: 6.1.0-18-amd64");
	/* Line-oriented output keeps \n and \t; a cell gets a space and \x0a. */
	CHECK_STR(SAFE("a\tb\nc\r", SAFE_TEXT_LINES), "a\tb\nc\\x0d");
	CHECK_STR(SAFE("a\tb\nc", 0), "a b\\x0ac");
	CHECK_STR(SAFE("\b\x7f", 0), "\\x08\\x7f");
	CHECK_STR(SAFE("a\0b", 0), "a\\x00b");   /* a NUL inside a Lua string */
	/* C1: raw bytes, and as UTF-8 (U+009B is an 8-bit CSI to xterm). */
	CHECK_STR(SAFE("\x9b" "2J\x9d" "0;t\x9c", 0), "\\x9b2J\\x9d0;t\\x9c");
	CHECK_STR(SAFE("\xc2\x9b" "2J\xc2\x85", 0), "\\u009b2J\\u0085");
	/* Valid UTF-8 passes: é, █ (E2 96 88: continuation bytes in 0x80-0x9f), 😀. */
	CHECK_STR(SAFE("\xc3\xa9\xe2\x96\x88\xf0\x9f\x98\x80", 0), "\xc3\xa9\xe2\x96\x88\xf0\x9f\x98\x80");
	/* Invalid UTF-8 never passes raw: overlong ESC, truncated, lone bytes, surrogate. */
	CHECK_STR(SAFE("\xc0\x9b", 0), "\\xc0\\x9b");
	CHECK_STR(SAFE("\xe2\x96", 0), "\\xe2\\x96");
	CHECK_STR(SAFE("\xff\xa0", 0), "\\xff\\xa0");
	CHECK_STR(SAFE("\xed\xa0\x80", 0), "\\xed\\xa0\\x80");
	CHECK_STR(SAFE("\xf4\x90\x80\x80", 0), "\\xf4\\x90\\x80\\x80");
	/* No byte of any input comes out as a control or a C1 lead. */
	char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	const unsigned char *out = (const unsigned char *)safe(all, sizeof all, SAFE_TEXT_LINES);
	int clean = 1;
	for (const unsigned char *p = out; *p; p++)
		clean &= (*p >= 0x20 && *p < 0x7f) || *p == '\n' || *p == '\t';
	CHECK(clean);
#undef SAFE
}

static void test_units(void)
{
	uint64_t b = 0;
	CHECK_INT(size_parse("8G", &b), 0);
	CHECK_INT(b, 8ULL << 30);
	CHECK_INT(size_parse("512MiB", &b), 0);
	CHECK_INT(b, 512ULL << 20);
	CHECK_INT(size_parse("1.5k", &b), 0);
	CHECK_INT(b, 1536);
	CHECK_INT(size_parse("4096", &b), 0);
	CHECK_INT(b, 4096);
	CHECK_INT(size_parse("12X", &b), -1);
	CHECK_INT(size_parse("-1G", &b), -1);
	CHECK_INT(size_parse("", &b), -1);
	CHECK_INT(size_parse("G", &b), -1);
	CHECK_INT(size_parse("5Gx", &b), -1);
	/* decimal only: strtod would take an exponent, hex, inf */
	CHECK_INT(size_parse("1e3G", &b), -1);
	CHECK_INT(size_parse("0x10G", &b), -1);
	CHECK_INT(size_parse("inf", &b), -1);
	CHECK_INT(size_parse(".5K", &b), 0);
	CHECK_INT(b, 512);
	CHECK_INT(size_parse("16383P", &b), 0);   /* past 2^63: no llround overflow */
	CHECK(b == 16383ULL << 50);
	CHECK_INT(size_parse("16384P", &b), -2);  /* 2^64 */
	char buf[32];
	CHECK_STR(size_format(8ULL << 30, buf, sizeof buf), "8.0G");
	CHECK_STR(size_format(100, buf, sizeof buf), "100B");
	CHECK_STR(size_format(300ULL << 20, buf, sizeof buf), "300M");
	CHECK_STR(rate_format(9.41e9, buf, sizeof buf), "9.41G");
	CHECK_STR(rate_format(120e6, buf, sizeof buf), "120M");
}

static void test_err(void)
{
	struct vd_err e;
	err_clear(&e);
	err_where(&e, "set_vcpus", "cna01", "web-1");
	CHECK_INT(err_set(&e, VD_EINVAL, "%d above maximum %d", 9, 8), -1);
	char buf[256];
	CHECK_STR(err_format(&e, buf, sizeof buf), "set_vcpus: cna01/web-1: 9 above maximum 8");
	CHECK_STR(err_code_name(VD_ESTALE), "stale");
}

static void test_matching(void)
{
	struct inventory inv;
	memset(&inv, 0, sizeof inv);
	const char *names[] = { "cna01", "cna02", "gpu01" };
	for (int i = 0; i < 3; i++) {
		struct host_config *h = inventory_add(&inv);
		h->name = x_strdup(names[i]);
		h->tags = x_calloc(1, sizeof *h->tags);
		h->tags[h->ntags++] = x_strdup(i == 2 ? "gpu" : "rack1");
	}
	CHECK(host_matches(&inv.hosts[0], "cna*"));
	CHECK(!host_matches(&inv.hosts[2], "cna*"));
	CHECK(host_matches(&inv.hosts[2], "cna01,gpu"));
	CHECK(host_matches(&inv.hosts[1], NULL));
	CHECK_INT(inventory_filter(&inv, "rack1"), 2);
	CHECK_STR(inv.hosts[1].name, "cna02");
	inventory_free(&inv);
}

int main(void)
{
	test_queue();
	test_strbuf();
	test_safe_text();
	test_units();
	test_err();
	test_matching();
	return check_summary();
}

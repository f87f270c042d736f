/* test_virt_rpc_wire.c — conn/virt_rpc_wire.c: the calls vdeck sends are
 * byte for byte what remote_protocol.x says; replies are matched to their
 * call; the statistics reply decodes every parameter type; and any
 * truncated, oversized or odd reply is refused without reading past it. */
#include "conn/virt_rpc_wire.h"
#include "check.h"

#include <stdint.h>

static void put32(struct strbuf *b, uint32_t v)
{
	char c[4] = { (char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v };
	sb_append_n(b, c, 4);
}

static void put64(struct strbuf *b, uint64_t v)
{
	put32(b, (uint32_t)(v >> 32));
	put32(b, (uint32_t)v);
}

static void putstr(struct strbuf *b, const char *s)
{
	size_t n = strlen(s);
	put32(b, (uint32_t)n);
	sb_append_n(b, s, n);
	sb_append_n(b, "\0\0\0", (4 - n % 4) % 4);
}

/* A whole reply message around payload. */
static void reply(struct strbuf *out, uint32_t prog, uint32_t proc, uint32_t serial, uint32_t status,
		  const struct strbuf *payload)
{
	sb_reset(out);
	put32(out, (uint32_t)(28 + payload->len));
	put32(out, prog);
	put32(out, 1);
	put32(out, proc);
	put32(out, 1);   /* REPLY */
	put32(out, serial);
	put32(out, status);
	sb_append_n(out, payload->buf, payload->len);
}

static int same_bytes(const struct strbuf *b, const unsigned char *want, size_t n)
{
	return b->len == n && memcmp(b->buf, want, n) == 0;
}

static void test_calls(void)
{
	struct strbuf b;
	sb_init(&b);
	virt_rpc_call_stats(&b, 7, 63, VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT);
	static const unsigned char stats[] = {
		0, 0, 0, 40, 0x20, 0, 0x80, 0x86, 0, 0, 0, 1, 0, 0, 1, 0x58, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0,
		0, 0, 0, 0,  0, 0, 0, 63,  0x20, 0, 0, 0,
	};
	CHECK(same_bytes(&b, stats, sizeof stats));
	CHECK_INT(virt_rpc_message_len((const unsigned char *)b.buf, b.len), 40);
	CHECK_INT(virt_rpc_message_len((const unsigned char *)b.buf, 3), 0);

	sb_reset(&b);
	virt_rpc_call_open(&b, 2, "qemu:///system", 1);
	static const unsigned char open[] = {
		0, 0, 0, 56, 0x20, 0, 0x80, 0x86, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0,
		0, 0, 0, 1, 0, 0, 0, 14, 'q', 'e', 'm', 'u', ':', '/', '/', '/', 's', 'y', 's', 't', 'e', 'm', 0, 0,
		0, 0, 0, 1,
	};
	CHECK(same_bytes(&b, open, sizeof open));

	sb_reset(&b);
	virt_rpc_call_auth_list(&b, 1);
	static const unsigned char auth[] = {
		0, 0, 0, 28, 0x20, 0, 0x80, 0x86, 0, 0, 0, 1, 0, 0, 0, 66, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0,
	};
	CHECK(same_bytes(&b, auth, sizeof auth));
	sb_reset(&b);
	virt_rpc_call_auth_polkit(&b, 9);
	CHECK_INT(b.len, 28);
	CHECK_INT((unsigned char)b.buf[15], 70);
	sb_free(&b);
}

static void test_reply_matching(void)
{
	struct strbuf pay, msg;
	sb_init(&pay);
	sb_init(&msg);
	put32(&pay, 5);
	const unsigned char *p;
	size_t n;
	struct vd_err e;

	reply(&msg, VIRT_RPC_PROGRAM, 344, 7, 0, &pay);
	err_clear(&e);
	CHECK_INT(virt_rpc_reply((void *)msg.buf, msg.len, 344, 7, &p, &n, &e), 0);
	CHECK_INT(n, 4);
	CHECK_INT(p[3], 5);
	CHECK_INT(virt_rpc_reply((void *)msg.buf, msg.len, 344, 8, &p, &n, &e), 1);        /* another serial */
	CHECK_INT(virt_rpc_reply((void *)msg.buf, msg.len, 1, 7, &p, &n, &e), 1);          /* another call */
	reply(&msg, 0x6b656570, 344, 7, 0, &pay);                                           /* keepalive program */
	CHECK_INT(virt_rpc_reply((void *)msg.buf, msg.len, 344, 7, &p, &n, &e), 1);

	/* the length word must be the message's */
	reply(&msg, VIRT_RPC_PROGRAM, 344, 7, 0, &pay);
	err_clear(&e);
	CHECK_INT(virt_rpc_reply((void *)msg.buf, msg.len - 1, 344, 7, &p, &n, &e), -1);
	CHECK(strstr(e.msg, "malformed") != NULL);

	/* an error reply: the daemon's code and message */
	sb_reset(&pay);
	put32(&pay, 42);   /* VIR_ERR_NO_DOMAIN */
	put32(&pay, 10);
	put32(&pay, 1);
	putstr(&pay, "Domain not found: no domain with matching name 'x'");
	put32(&pay, 2);
	reply(&msg, VIRT_RPC_PROGRAM, 344, 7, 1, &pay);
	err_clear(&e);
	CHECK_INT(virt_rpc_reply((void *)msg.buf, msg.len, 344, 7, &p, &n, &e), -1);
	CHECK_STR(e.msg, "Domain not found: no domain with matching name 'x'");
	CHECK_INT(e.sys_code, 42);
	CHECK_INT(e.code, VD_ELIBVIRT);
	/* one without a message */
	sb_reset(&pay);
	put32(&pay, 1);
	put32(&pay, 0);
	put32(&pay, 0);
	reply(&msg, VIRT_RPC_PROGRAM, 344, 7, 1, &pay);
	err_clear(&e);
	CHECK_INT(virt_rpc_reply((void *)msg.buf, msg.len, 344, 7, &p, &n, &e), -1);
	CHECK(strstr(e.msg, "libvirt error 1") != NULL);
	sb_free(&pay);
	sb_free(&msg);
}

static void test_auth(void)
{
	struct strbuf pay;
	sb_init(&pay);
	enum virt_rpc_auth m = 99;
	struct vd_err e;
	err_clear(&e);
	put32(&pay, 1);
	put32(&pay, VIRT_RPC_AUTH_NONE);
	CHECK_INT(virt_rpc_auth_choice((void *)pay.buf, pay.len, &m, &e), 1);
	CHECK_INT(m, VIRT_RPC_AUTH_NONE);
	sb_reset(&pay);
	put32(&pay, 2);
	put32(&pay, VIRT_RPC_AUTH_SASL);
	put32(&pay, VIRT_RPC_AUTH_POLKIT);
	CHECK_INT(virt_rpc_auth_choice((void *)pay.buf, pay.len, &m, &e), 1);
	CHECK_INT(m, VIRT_RPC_AUTH_POLKIT);
	sb_reset(&pay);
	put32(&pay, 1);
	put32(&pay, VIRT_RPC_AUTH_SASL);
	CHECK_INT(virt_rpc_auth_choice((void *)pay.buf, pay.len, &m, &e), 0);
	sb_reset(&pay);
	put32(&pay, 0);
	CHECK_INT(virt_rpc_auth_choice((void *)pay.buf, pay.len, &m, &e), 1);   /* nothing asked */
	CHECK_INT(m, VIRT_RPC_AUTH_NONE);
	sb_reset(&pay);
	put32(&pay, 1000);   /* more than the protocol's 20, and than the bytes there */
	CHECK_INT(virt_rpc_auth_choice((void *)pay.buf, pay.len, &m, &e), -1);
	sb_reset(&pay);
	put32(&pay, 1);
	err_clear(&e);
	CHECK_INT(virt_rpc_polkit_done((void *)pay.buf, pay.len, &e), 0);
	sb_reset(&pay);
	put32(&pay, 0);
	CHECK_INT(virt_rpc_polkit_done((void *)pay.buf, pay.len, &e), -1);
	CHECK_INT(virt_rpc_polkit_done((void *)pay.buf, 2, &e), -1);
	sb_free(&pay);
}

/* Two domains: one with every parameter type, one shut off without any. */
static void stats_payload(struct strbuf *b)
{
	put32(b, 2);
	putstr(b, "vm1");
	for (int i = 0; i < 16; i++)
		sb_appendc(b, (char)(0xa0 + i));
	put32(b, 3);
	put32(b, 8);
	putstr(b, "state.state");
	put32(b, VIR_TYPED_PARAM_INT);
	put32(b, 1);
	putstr(b, "cpu.time");
	put32(b, VIR_TYPED_PARAM_ULLONG);
	put64(b, 123456789012ull);
	putstr(b, "vcpu.current");
	put32(b, VIR_TYPED_PARAM_UINT);
	put32(b, 4);
	putstr(b, "x.negative");
	put32(b, VIR_TYPED_PARAM_LLONG);
	put64(b, (uint64_t)-5ll);
	putstr(b, "x.ratio");
	put32(b, VIR_TYPED_PARAM_DOUBLE);
	put64(b, 0x3ff8000000000000ull);   /* 1.5 */
	putstr(b, "x.flag");
	put32(b, VIR_TYPED_PARAM_BOOLEAN);
	put32(b, 1);
	putstr(b, "block.0.name");
	put32(b, VIR_TYPED_PARAM_STRING);
	putstr(b, "vda");
	putstr(b, "balloon.current");
	put32(b, VIR_TYPED_PARAM_ULLONG);
	put64(b, 1048576);
	putstr(b, "vm-2");
	for (int i = 0; i < 16; i++)
		sb_appendc(b, (char)i);
	put32(b, (uint32_t)-1);
	put32(b, 0);
}

static void test_stats(void)
{
	struct strbuf pay;
	sb_init(&pay);
	stats_payload(&pay);
	struct virt_rpc_rec *r = NULL;
	size_t n = 0;
	struct vd_err e;
	err_clear(&e);
	CHECK_INT(virt_rpc_decode_stats((void *)pay.buf, pay.len, &r, &n, &e), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(r[0].name, "vm1");
		CHECK_INT(r[0].id, 3);
		CHECK_INT(r[0].uuid[0], 0xa0);
		CHECK_INT(r[0].uuid[15], 0xaf);
		CHECK(r[0].rec.dom == NULL);
		CHECK_INT(r[0].rec.nparams, 8);
		virTypedParameterPtr p = r[0].rec.params;
		CHECK_STR(p[0].field, "state.state");
		CHECK_INT(p[0].type, VIR_TYPED_PARAM_INT);
		CHECK_INT(p[0].value.i, 1);
		CHECK_INT(p[1].value.ul == 123456789012ull, 1);
		CHECK_INT(p[2].value.ui, 4);
		CHECK_INT(p[3].value.l, -5);
		CHECK(p[4].value.d == 1.5);
		CHECK_INT(p[5].value.b, 1);
		CHECK_STR(p[6].value.s, "vda");
		CHECK_STR(p[7].field, "balloon.current");
		CHECK_INT(p[7].value.ul, 1048576);
		CHECK_STR(r[1].name, "vm-2");
		CHECK_INT(r[1].id, -1);
		CHECK_INT(r[1].rec.nparams, 0);
	}
	virt_rpc_recs_free(&r, n);
	CHECK(r == NULL);

	/* every truncation is refused, and leaves nothing behind (ASan) */
	int refused = 0;
	for (size_t cut = 0; cut < pay.len; cut++) {
		err_clear(&e);
		if (virt_rpc_decode_stats((void *)pay.buf, cut, &r, &n, &e) < 0 && r == NULL && n == 0 && e.msg[0])
			refused++;
	}
	CHECK_INT(refused, (long long)pay.len);
	/* so are bytes after the last record */
	sb_appendc(&pay, 0);
	sb_append_n(&pay, "\0\0\0", 3);
	err_clear(&e);
	CHECK_INT(virt_rpc_decode_stats((void *)pay.buf, pay.len, &r, &n, &e), -1);

	/* counts past what the bytes could hold: refused before any allocation */
	sb_reset(&pay);
	put32(&pay, 16384);
	putstr(&pay, "vm");
	err_clear(&e);
	CHECK_INT(virt_rpc_decode_stats((void *)pay.buf, pay.len, &r, &n, &e), -1);
	sb_reset(&pay);
	put32(&pay, 0xffffffffu);
	err_clear(&e);
	CHECK_INT(virt_rpc_decode_stats((void *)pay.buf, pay.len, &r, &n, &e), -1);
	sb_reset(&pay);
	put32(&pay, 1);
	putstr(&pay, "vm");
	sb_append_n(&pay, "0123456789abcdef", 16);
	put32(&pay, 1);
	put32(&pay, 262145);   /* more parameters than the protocol allows */
	err_clear(&e);
	CHECK_INT(virt_rpc_decode_stats((void *)pay.buf, pay.len, &r, &n, &e), -1);

	/* what libvirt's own client refuses: a field name past 79 bytes, an
	 * unknown type; the message says which */
	char longname[81];
	memset(longname, 'f', 80);
	longname[80] = '\0';
	sb_reset(&pay);
	put32(&pay, 1);
	putstr(&pay, "vm");
	sb_append_n(&pay, "0123456789abcdef", 16);
	put32(&pay, 1);
	put32(&pay, 1);
	putstr(&pay, longname);
	put32(&pay, VIR_TYPED_PARAM_INT);
	put32(&pay, 0);
	err_clear(&e);
	CHECK_INT(virt_rpc_decode_stats((void *)pay.buf, pay.len, &r, &n, &e), -1);
	CHECK(strstr(e.msg, "too long") != NULL);
	sb_reset(&pay);
	put32(&pay, 1);
	putstr(&pay, "vm");
	sb_append_n(&pay, "0123456789abcdef", 16);
	put32(&pay, 1);
	put32(&pay, 2);
	putstr(&pay, "block.0.name");
	put32(&pay, VIR_TYPED_PARAM_STRING);
	putstr(&pay, "vda");   /* a string already taken when the next one fails: freed */
	putstr(&pay, "x.odd");
	put32(&pay, 99);
	put32(&pay, 0);
	err_clear(&e);
	CHECK_INT(virt_rpc_decode_stats((void *)pay.buf, pay.len, &r, &n, &e), -1);
	CHECK(strstr(e.msg, "unknown type 99") != NULL);
	sb_free(&pay);
}

int main(void)
{
	test_calls();
	test_reply_matching();
	test_auth();
	test_stats();
	return check_summary();
}

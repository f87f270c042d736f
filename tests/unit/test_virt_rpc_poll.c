/* test_virt_rpc_poll.c — when a poll uses vdeck's own statistics call
 * (conn/virt.c with conn/virt_rpc.c), seen through a channel function
 * standing in for the SSH session: never on a connection's first poll
 * (libvirt's records bring the handles); from the second on; a transport
 * failure falls back to libvirt's client for that poll and tries again
 * next time; a daemon that refuses the handshake is not asked again until
 * the connection is opened anew, and its channel is closed meanwhile.
 * Every poll lists the domains either way. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>

#include "conn/virt.h"
#include "model/cluster.h"
#include "check.h"

static void quiet(void *u, virErrorPtr e) { (void)u; (void)e; }

struct fake {
	int refuse;    /* answer every call with the daemon's error */
	int opens, calls, closes;
};

static void put32(struct strbuf *b, uint32_t v)
{
	char c[4] = { (char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v };
	sb_append_n(b, c, 4);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int fake_open(void *ctx, int anew, struct vd_err *err)
{
	struct fake *f = ctx;
	(void)anew;
	f->opens++;
	return f->refuse ? 1 : err_set(err, VD_ETIMEOUT, "fake: no answer in time");
}

static void fake_close(void *ctx)
{
	((struct fake *)ctx)->closes++;
}

static int fake_exchange(void *ctx, const void *req, size_t len, size_t max, int timeout_ms,
			 struct strbuf *reply, struct vd_err *err)
{
	struct fake *f = ctx;
	(void)max;
	(void)timeout_ms;
	f->calls++;
	const unsigned char *q = req;
	if (len < 28)
		return err_set(err, VD_ESSH, "fake: short request");
	/* an error reply to this call: code 38 (VIR_ERR_OPERATION_DENIED) */
	sb_reset(reply);
	put32(reply, 0);
	put32(reply, VIRT_RPC_PROGRAM);
	put32(reply, 1);
	put32(reply, get32(q + 12));   /* the call's procedure */
	put32(reply, 1);               /* REPLY */
	put32(reply, get32(q + 20));   /* its serial */
	put32(reply, 1);               /* ERROR */
	put32(reply, 38);
	put32(reply, 0);
	put32(reply, 1);
	put32(reply, 6);
	sb_append_n(reply, "denied\0\0", 8);
	put32(reply, 2);
	unsigned char *p = (unsigned char *)reply->buf;
	uint32_t n = (uint32_t)reply->len;
	p[0] = (unsigned char)(n >> 24), p[1] = (unsigned char)(n >> 16), p[2] = (unsigned char)(n >> 8),
	p[3] = (unsigned char)n;
	return 0;
}

static const struct virt_rpc_channel channel = {
	.open = fake_open, .exchange = fake_exchange, .close = fake_close,
};

static size_t poll_domains(struct virt_host *vh)
{
	struct host_snapshot s;
	struct vd_err e;
	err_clear(&e);
	memset(&s, 0, sizeof s);
	int rc = virt_host_poll(vh, &s, &e);
	if (rc < 0)
		fprintf(stderr, "poll: %s\n", e.msg);
	size_t n = rc < 0 ? 0 : s.ndoms;
	host_snapshot_free(&s);
	return n;
}

int main(void)
{
	virSetErrorFunc(NULL, quiet);
	struct vd_err e;
	err_clear(&e);
	CHECK_INT(virt_global_init(&e), 0);

	/* a session that does not answer */
	struct fake slow = { 0 };
	struct virt_host *vh = virt_host_new("test:///default", 5000);
	virt_host_set_rpc(vh, &channel, &slow, "test:///default");
	CHECK_INT(poll_domains(vh), 1);
	CHECK_INT(slow.opens, 0);            /* the first poll is libvirt's */
	CHECK_INT(poll_domains(vh), 1);      /* libvirt's client, after the channel failed */
	CHECK_INT(slow.opens, 1);
	CHECK_INT(poll_domains(vh), 1);
	CHECK_INT(slow.opens, 2);            /* tried again: a transport failure is not a refusal */
	CHECK_INT(slow.calls, 0);
	CHECK_INT(slow.closes, 0);           /* the transport dropped what failed itself */
	virt_host_free(&vh);

	/* a daemon that refuses */
	struct fake no = { .refuse = 1 };
	vh = virt_host_new("test:///default", 5000);
	virt_host_set_rpc(vh, &channel, &no, "test:///default");
	CHECK_INT(poll_domains(vh), 1);
	CHECK_INT(poll_domains(vh), 1);
	CHECK_INT(no.opens, 1);
	CHECK_INT(no.calls, 1);              /* the authentication list, refused */
	CHECK_INT(no.closes, 1);             /* and the daemon's client closed */
	CHECK_INT(poll_domains(vh), 1);
	CHECK_INT(no.opens + no.calls, 2);   /* not asked again */
	CHECK_INT(no.closes, 1);
	virt_host_free(&vh);
	return check_summary();
}

/* virt_rpc.c — the bulk statistics call on vdeck's own channel to the
 * host's libvirt daemon (see virt_rpc.h).
 *
 * The handshake is what libvirt's remote driver does on a unix socket:
 * the authentication methods (none, or polkit, which the daemon decides by
 * the peer's credentials: sshd's user here, as for the tunnel), then the
 * connection to the same URI libvirt's own connection has, read-only: this
 * channel only ever reads.  A daemon asking for SASL, or refusing any
 * step, leaves the call to libvirt's client. */
#include "conn/virt_rpc.h"

#include "core/xalloc.h"

#include <stdlib.h>

/* Messages on this channel that are not the call's reply (the daemon sends
 * none unasked: no events are registered, no keepalive asked for). */
#define STRAY_MAX 16

struct virt_rpc {
	const struct virt_rpc_channel *ch;
	void         *ctx;
	char         *daemon_uri;
	uint32_t      serial;
	unsigned      handshakes;
	int           opened;  /* the handshake is done on the channel that is open */
	int           off;
	struct strbuf req, reply;
};

struct virt_rpc *virt_rpc_new(const struct virt_rpc_channel *ch, void *ctx, const char *daemon_uri)
{
	struct virt_rpc *r = x_calloc(1, sizeof *r);
	r->ch = ch;
	r->ctx = ctx;
	r->daemon_uri = x_strdup(daemon_uri);
	sb_init(&r->req);
	sb_init(&r->reply);
	return r;
}

void virt_rpc_free(struct virt_rpc **rp)
{
	struct virt_rpc *r = *rp;
	if (!r)
		return;
	sb_free(&r->req);
	sb_free(&r->reply);
	free(r->daemon_uri);
	x_free(rp);
}

void virt_rpc_reset(struct virt_rpc *r)
{
	r->opened = 0;
	r->off = 0;
}

int virt_rpc_off(const struct virt_rpc *r)
{
	return r->off;
}

/* Off until the reset, and the channel closed: a daemon that refused
 * keeps no idle client of vdeck's meanwhile. */
static int refuse(struct virt_rpc *r)
{
	r->off = 1;
	r->ch->close(r->ctx);
	return -1;
}

void virt_rpc_disable(struct virt_rpc *r)
{
	refuse(r);
}

unsigned virt_rpc_handshakes(const struct virt_rpc *r)
{
	return r->handshakes;
}

/* Sends r->req (the call proc, serial r->serial) and finds its reply. */
static int call(struct virt_rpc *r, uint32_t proc, int timeout_ms, const unsigned char **payload, size_t *plen,
		struct vd_err *err)
{
	int rc = r->ch->exchange(r->ctx, r->req.buf, r->req.len, VIRT_RPC_MESSAGE_MAX, timeout_ms, &r->reply, err);
	for (int stray = 0; rc == 0; stray++) {
		int m = virt_rpc_reply((const unsigned char *)r->reply.buf, r->reply.len, proc, r->serial, payload,
				       plen, err);
		if (m < 0)
			return refuse(r);   /* the daemon's error, or a message vdeck cannot read */
		if (m == 0)
			return 0;
		if (stray == STRAY_MAX) {
			err_set(err, VD_ELIBVIRT, "libvirt sent %d messages that answer no call", STRAY_MAX);
			return refuse(r);
		}
		rc = r->ch->exchange(r->ctx, "", 0, VIRT_RPC_MESSAGE_MAX, timeout_ms, &r->reply, err);
	}
	return -1;
}

static int handshake(struct virt_rpc *r, int timeout_ms, struct vd_err *err)
{
	const unsigned char *p;
	size_t n;
	sb_reset(&r->req);
	virt_rpc_call_auth_list(&r->req, ++r->serial);
	if (call(r, VIRT_RPC_PROC_AUTH_LIST, timeout_ms, &p, &n, err) < 0)
		return -1;
	enum virt_rpc_auth method;
	int usable = virt_rpc_auth_choice(p, n, &method, err);
	if (usable <= 0) {
		if (usable == 0)
			err_set(err, VD_ELIBVIRT, "the daemon asks for SASL authentication");
		return refuse(r);
	}
	if (method == VIRT_RPC_AUTH_POLKIT) {
		sb_reset(&r->req);
		virt_rpc_call_auth_polkit(&r->req, ++r->serial);
		if (call(r, VIRT_RPC_PROC_AUTH_POLKIT, timeout_ms, &p, &n, err) < 0)
			return -1;
		if (virt_rpc_polkit_done(p, n, err) < 0)
			return refuse(r);
	}
	sb_reset(&r->req);
	virt_rpc_call_open(&r->req, ++r->serial, r->daemon_uri, 1);
	if (call(r, VIRT_RPC_PROC_OPEN, timeout_ms, &p, &n, err) < 0)
		return -1;
	r->handshakes++;
	return 0;
}

int virt_rpc_stats(struct virt_rpc *r, unsigned groups, unsigned flags, int timeout_ms,
		   struct virt_rpc_rec **recs, size_t *n, struct vd_err *err)
{
	*recs = NULL;
	*n = 0;
	if (r->off)
		return err_set(err, VD_ELIBVIRT, "the daemon refused vdeck's own calls");
	/* A channel whose handshake is not done (the first call, after a
	 * reset or a failure) is dropped for a new one: a new client for the
	 * daemon, and the handshake first.  So is one the transport dropped. */
	int fresh = r->ch->open(r->ctx, !r->opened, err);
	r->opened = 0;
	if (fresh < 0 || (fresh > 0 && handshake(r, timeout_ms, err) < 0))
		return -1;
	const unsigned char *p;
	size_t plen;
	sb_reset(&r->req);
	virt_rpc_call_stats(&r->req, ++r->serial, groups, flags);
	if (call(r, VIRT_RPC_PROC_STATS, timeout_ms, &p, &plen, err) < 0)
		return -1;
	if (virt_rpc_decode_stats(p, plen, recs, n, err) < 0)
		return refuse(r);
	r->opened = 1;
	return 0;
}

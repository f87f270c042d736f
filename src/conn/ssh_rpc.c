/* ssh_rpc.c — libvirt's RPC on a channel of the host's SSH session that
 * the worker reads itself, for the calls vdeck speaks without libvirt's
 * client (conn/virt_rpc.c).
 *
 * Through the tunnel, each message of libvirt's client crosses a local
 * socket and the tunnel's pump thread: a wake-up of the pump on the way
 * out, another on the way in, and the worker's own.  This channel goes to
 * the same daemon socket (ssh_tunnel_channel) but is read in place, under
 * the session lock the worker already holds.  It stays open between polls
 * and is dropped on any failure, with whatever it still holds (a reply
 * half-read is never taken for the next call's), and when vdeck gives it
 * up (ssh_rpc_close: the daemon refused its calls). */
#include "conn/ssh_conn.h"
#include "core/timeutil.h"

#include <stdio.h>

#define FRAME_MIN 28   /* the length word and libvirt's six header words */


static int fail(struct ssh_conn *c, struct vd_err *err, enum vd_errcode code, const char *what)
{
	return ssh_channel_fail(c, &c->rpc_ch, err, code, what);
}

static int read_message(struct ssh_conn *c, size_t max, int64_t deadline, struct strbuf *out,
			struct vd_err *err)
{
	sb_reset(out);
	size_t want = 4;
	while (out->len < want) {
		char *room = sb_room(out, want - out->len);
		ssize_t n = libssh2_channel_read(c->rpc_ch, room, want - out->len);
		if (n == LIBSSH2_ERROR_EAGAIN || (n == 0 && !libssh2_channel_eof(c->rpc_ch))) {
			c->reading = c->rpc_ch;   /* ssh_wait: bytes may land in libssh2's queue */
			if (ssh_wait(c, deadline) < 0)
				return fail(c, err, c->connected ? VD_ETIMEOUT : VD_EUNREACH,
					    "no answer from libvirt in time");
			continue;
		}
		if (n < 0)
			return fail(c, err, ssh_session_broken((int)n) ? VD_EUNREACH : VD_ESSH,
				    "reading libvirt's answer");
		if (n == 0)
			return fail(c, err, VD_ELIBVIRT, "the libvirt daemon closed the connection");
		sb_commit(out, (size_t)n);
		if (want == 4 && out->len == 4) {
			const unsigned char *b = (const unsigned char *)out->buf;
			want = (size_t)b[0] << 24 | (size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3];
			if (want < FRAME_MIN || want > max) {
				char what[96];
				snprintf(what, sizeof what, "a libvirt message of %zu bytes (at most %zu)", want, max);
				return fail(c, err, VD_ELIBVIRT, what);
			}
		}
	}
	return 0;
}

void ssh_rpc_close(struct ssh_conn *c)
{
	ssh_channel_drop(c, &c->rpc_ch);
}

/* -1 with the channel dropped when the session is gone, else 0. */
static int session_gone(struct ssh_conn *c, struct vd_err *err)
{
	if (c->connected)
		return 0;
	ssh_rpc_close(c);
	return err_set(err, VD_EUNREACH, "SSH connection to %s is closed", c->host_name);
}

int ssh_rpc_open(struct ssh_conn *c, int anew, struct vd_err *err)
{
	if (session_gone(c, err) < 0)
		return -1;
	if (anew)
		ssh_rpc_close(c);
	if (c->rpc_ch)
		return 0;
	c->rpc_ch = ssh_tunnel_channel(c, err);
	return c->rpc_ch ? 1 : -1;
}

int ssh_rpc_exchange(struct ssh_conn *c, const void *req, size_t len, size_t max, int timeout_ms,
		     struct strbuf *reply, struct vd_err *err)
{
	if (session_gone(c, err) < 0)
		return -1;
	if (!c->rpc_ch)
		return err_set(err, VD_ELIBVIRT, "%s: no libvirt channel open", c->host_name);
	int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : c->io_timeout_ms);
	if (len && ssh_channel_write_all(c, c->rpc_ch, req, len, deadline) < 0)
		return fail(c, err, c->connected ? VD_ESSH : VD_EUNREACH, "sending to libvirt");
	return read_message(c, max, deadline, reply, err);
}

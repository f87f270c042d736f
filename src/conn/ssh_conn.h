/* ssh_conn.h — the SSH transport's pieces, shared by ssh_*.c only.
 *
 * One ssh_conn is one TCP socket plus one libssh2 session in non-blocking
 * mode; every libssh2 call that returns EAGAIN is retried after ssh_wait(),
 * which polls the socket in the direction libssh2 is blocked on, until a
 * deadline or until the cancel fd turns readable (the worker is stopping).
 * Nothing here ever blocks without a bound. */
#ifndef VD_SSH_CONN_H
#define VD_SSH_CONN_H

#include <libssh2.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "conn/transport.h"
#include "core/err.h"
#include "core/strbuf.h"

#define SSH_PARKED_MAX 16

struct ssh_tunnel;

struct ssh_conn {
	LIBSSH2_CHANNEL *poll_ch;      /* the long-lived poll shell (ssh_poll.c) */
	LIBSSH2_CHANNEL *rpc_ch;       /* libvirt's RPC read by the worker (ssh_rpc.c) */
	char             poll_nonce[17]; /* that shell's, in every reply's end marker */
	unsigned         poll_seq;     /* the last request sent to it */
	int              fd;
	int              cancel_fd;    /* -1: none */
	LIBSSH2_SESSION *session;
	/* Channels of timed-out commands: our close is sent, the server's
	 * comes when the command ends; freed later, or with the session. */
	LIBSSH2_CHANNEL *parked[SSH_PARKED_MAX];
	int              nparked;
	char             host_name[64];
	int              io_timeout_ms;
	int              keepalive_s;
	int              connected;
	/* libssh2 sessions are not thread-safe: with a tunnel, its pump thread
	 * shares the session, and each side holds the lock for its calls. */
	pthread_mutex_t  lock;
	atomic_int       calls;        /* ssh_conn_lock's holders and waiters */
	struct ssh_tunnel *tunnel;     /* libvirt's RPC over this session (ssh_tunnel.c) */
	int              in_tunnel;    /* the tunnel's own code runs: ssh_wait does not pump */
	/* The channel ssh_read_drain just emptied, until the next ssh_wait:
	 * moving the tunnel's bytes reads the socket, and what it reads for
	 * this channel lands in libssh2's queue, where no poll() sees it. */
	LIBSSH2_CHANNEL *reading;
};

struct ssh_conn *ssh_conn_open(const struct transport_params *p, struct vd_err *err);
int  ssh_conn_exec(struct ssh_conn *c, const char *cmd, int timeout_ms, size_t max_bytes,
		   struct strbuf *out, struct strbuf *errout, int *exit_status, struct vd_err *err);
void ssh_conn_close(struct ssh_conn **c);
/* Every call on an open session, but open and close, holds its lock;
 * unlock also wakes the tunnel's pump when the call left it work (bytes
 * for libvirt queued in libssh2, ssh_tunnel_needs_pump); only then: a
 * wake-up per call was a pass of the pump per host per poll.  While calls
 * hold or wait for the lock, the pump does not watch the session's socket
 * (ssh_tunnel_watch): the caller moves the tunnel's bytes itself. */
void ssh_conn_lock(struct ssh_conn *c);
void ssh_conn_unlock(struct ssh_conn *c);
/* ssh_poll.c: runs `call` (the function defined by fn_def, with its
 * arguments) in the session's long-lived shell, starting the shell (bash
 * where the host has it, else sh) when needed; past max_bytes of output
 * the shell is dropped (VD_EREFUSED). */
int  ssh_conn_poll(struct ssh_conn *c, const char *fn_def, const char *call, int timeout_ms,
		   size_t max_bytes, struct strbuf *out, struct vd_err *err);

/* ssh_read.c: one channel's output, both streams, bounded in bytes and time. */
struct ssh_reader {
	struct ssh_conn *conn;
	LIBSSH2_CHANNEL *ch;
	struct strbuf   *out, *err;   /* NULL: counted, then dropped */
	size_t           max_bytes;   /* both streams together */
	int64_t          deadline;    /* now_ms() clock */
	size_t           total;       /* read so far */
	int              lib_rc;      /* SSH_READ_FAILED: the libssh2 error */
};
enum ssh_read_rc {
	SSH_READ_DRAINED,    /* all that arrived is read: the rest comes on the socket */
	SSH_READ_OVER_CAP,   /* more than max_bytes (at most max_bytes kept) */
	SSH_READ_LATE,       /* the deadline passed while data kept coming */
	SSH_READ_FAILED,     /* a libssh2 error, in lib_rc */
};
/* Reads everything that has arrived.  After SSH_READ_DRAINED, libssh2
 * holds none of the channel's output, so ssh_wait() is the right wait for
 * more (and the only one: libssh2's queue does not wake a poll()). */
enum ssh_read_rc ssh_read_drain(struct ssh_reader *r);
/* Output or end-of-file of ch already in libssh2's queue. */
int  ssh_channel_pending(LIBSSH2_CHANNEL *ch);

/* ssh_exec.c helpers shared with ssh_poll.c. */
int  ssh_session_broken(int rc);
void ssh_channel_finish_or_park(struct ssh_conn *c, LIBSSH2_CHANNEL *ch, int64_t deadline);
/* A channel that must go with whatever it holds: finished or parked
 * (bounded), *ch then NULL.  _fail sets err from libssh2's last error
 * first ("HOST: what (libssh2's)") and returns -1. */
void ssh_channel_drop(struct ssh_conn *c, LIBSSH2_CHANNEL **ch);
int  ssh_channel_fail(struct ssh_conn *c, LIBSSH2_CHANNEL **ch, struct vd_err *err, enum vd_errcode code,
		      const char *what);
void ssh_reap_parked(struct ssh_conn *c);

/* Waits until the socket is ready for what libssh2 is blocked on; 0 to
 * retry, -1 when the deadline (now_ms() clock) has passed or the wait was
 * cancelled. */
int  ssh_wait(struct ssh_conn *c, int64_t deadline);
/* The last libssh2 error as text ("unknown" if none). */
const char *ssh_last_error(struct ssh_conn *c);

/* ssh_tunnel.c: offers the host's unix socket (the first of remote[] its
 * sshd can connect to) on a local unix socket in a private directory, for
 * libvirt; *local is the tunnel's, valid until the session closes.  Called
 * with the lock held; -1 with VD_ELIBVIRT when no remote socket answers,
 * VD_EUNREACH when the session is gone, VD_EIO for local failures. */
int  ssh_tunnel_offer(struct ssh_conn *c, const char *const *remote, size_t nremote, const char **local,
		      struct vd_err *err);
/* For ssh_wait, lock held: moves what can move without waiting (finishing
 * a half-sent packet is bounded by deadline), then adds the tunnel's local
 * fds to pf (at most max); returns how many. */
int  ssh_tunnel_move(struct ssh_conn *c, struct pollfd *pf, int max);
/* Lock held: the last call left the tunnel something its pump must do. */
int  ssh_tunnel_needs_pump(struct ssh_conn *c);
/* Whether the sleeping pump wakes for the session's socket: off from the
 * first call's lock to the last call's unlock. */
void ssh_tunnel_watch(struct ssh_conn *c, int on);
void ssh_tunnel_kick(struct ssh_conn *c);
/* Stops the pump and removes the local socket; before the session goes. */
void ssh_tunnel_close(struct ssh_conn *c);
/* Lock held: a new channel to the daemon socket the tunnel reached, for
 * ssh_rpc.c; NULL with err as for ssh_tunnel_offer (VD_EUNSUPPORTED: no
 * tunnel on this session). */
LIBSSH2_CHANNEL *ssh_tunnel_channel(struct ssh_conn *c, struct vd_err *err);

/* ssh_rpc.c, lock held: libvirt's RPC on a channel of this session that
 * the caller reads itself (no pump, no local socket).  ssh_rpc_open opens
 * the channel where none is, or anew (the open one dropped) when anew: 1
 * when it opened one (the caller's handshake is due), 0 when one was open.
 * ssh_rpc_exchange sends req[0..len) (len 0: nothing) and reads one
 * message (4-byte big-endian length, itself included, at most max) into
 * reply; any failure drops the channel; -1 with VD_ETIMEOUT, VD_EUNREACH /
 * VD_ESSH, VD_ELIBVIRT (the daemon hung up, a message longer than max, no
 * channel open).  ssh_rpc_close drops it: the daemon's client goes. */
int  ssh_rpc_open(struct ssh_conn *c, int anew, struct vd_err *err);
int  ssh_rpc_exchange(struct ssh_conn *c, const void *req, size_t len, size_t max, int timeout_ms,
		      struct strbuf *reply, struct vd_err *err);
void ssh_rpc_close(struct ssh_conn *c);
/* ssh_poll.c: writes all of buf on ch by the deadline; -1 on failure. */
int  ssh_channel_write_all(struct ssh_conn *c, LIBSSH2_CHANNEL *ch, const char *buf, size_t len,
			   int64_t deadline);

/* ssh_sock.c: non-blocking TCP connect bounded by timeout_ms and ended
 * early when cancel_fd (-1: none) turns readable; the socket (non-blocking,
 * close-on-exec) or -1 with VD_EUNREACH. */
int  ssh_tcp_connect(const char *address, int port, int timeout_ms, int cancel_fd,
		     struct vd_err *err);

/* ssh_hostkey.c: reads the known_hosts file (missing = empty) into out. */
int  ssh_known_hosts_read(const char *path, struct strbuf *out, struct vd_err *err);
/* Orders the host-key algorithms so that types already known come first. */
void ssh_hostkey_prefer(struct ssh_conn *c, const struct strbuf *known,
			const struct transport_params *p);
/* Checks the session's host key; with accept_new_hostkeys appends an
 * unknown one to the file.  -1 with VD_EREFUSED / VD_EIO / VD_ESSH. */
int  ssh_hostkey_verify(struct ssh_conn *c, const struct strbuf *known,
			const struct transport_params *p, struct vd_err *err);

/* ssh_auth.c: agent keys first (when SSH_AUTH_SOCK is set), then the
 * identity file.  -1 with VD_ESSH (rejected) or VD_EUNREACH (timeout). */
int  ssh_authenticate(struct ssh_conn *c, const struct transport_params *p, struct vd_err *err);

#endif

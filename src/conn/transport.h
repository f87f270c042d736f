/* transport.h — a host's shell transport: run one command, or read the
 * host's poll bundle.
 *
 * Used by per-host worker threads: each worker owns its transport and every
 * call blocks that worker only, never bounded by anything but the timeouts
 * given here.  A transport is an instance of a class (a table of functions,
 * htop's platform split): conn/ has SSH (one persistent libssh2 session;
 * strict host-key checking against an OpenSSH known_hosts file), local
 * (`sh -c` on this machine, polls read in-process) and none (libvirt only:
 * every call fails with VD_EUNSUPPORTED).  A platform that simulates hosts
 * fills the same table and is handed to the fleet; nothing here knows it.
 *
 * Reconnecting is the caller's job: after a transport failure exec returns
 * -1 with VD_EUNREACH or VD_ESSH and transport_is_connected() turns false;
 * the caller closes and reopens with its own backoff. */
#ifndef VD_TRANSPORT_H
#define VD_TRANSPORT_H

#include <stddef.h>

#include "core/err.h"
#include "core/strbuf.h"

/* What one call reads from a host at most (stdout and stderr together),
 * when the caller gives 0: a host that prints without end must not take
 * the console's memory. */
#define TRANSPORT_MAX_BYTES ((size_t)16 << 20)

/* How old the slow facts of a poll may get (transport_poll). */
#define TRANSPORT_SLOW_FACTS_MS 30000

struct transport_params {
	const char *host_name;      /* inventory name, for messages */
	const char *address;        /* hostname or IP */
	const char *sysroot;        /* prefix of the polled /proc and /sys; NULL: "/" */
	int port;                   /* 22 when <= 0 */
	const char *user;           /* NULL: $USER */
	const char *identity;       /* private key path, "~" expanded; NULL: agent only */
	const char *known_hosts;    /* OpenSSH known_hosts path, "~" expanded */
	int accept_new_hostkeys;    /* record unknown keys, never changed ones */
	int connect_timeout_ms;     /* TCP connect; 5000 when <= 0 */
	int io_timeout_ms;          /* handshake, auth, and exec by default; 10000 when <= 0 */
	int keepalive_s;            /* SSH keepalive interval; 0: off, < 0: 15 */
	int cancel_fd;              /* once readable, every SSH wait gives up at once
				     * (the fleet is stopping); -1: none */
};

/* What a transport implements.  open fills *state, which every other
 * function gets back; ctx is the class's own (a platform's simulation).
 * The contracts are those of the transport_* functions below. */
struct transport_class {
	void *ctx;
	int  (*open)(const struct transport_class *cls, const struct transport_params *p, void **state,
		     struct vd_err *err);
	int  (*exec)(void *state, const char *cmd, int timeout_ms, size_t max_bytes, struct strbuf *out,
		     struct strbuf *errout, int *exit_status, struct vd_err *err);
	int  (*poll)(void *state, int fresh, int timeout_ms, size_t max_bytes, struct strbuf *out,
		     struct vd_err *err);
	int  (*is_connected)(const void *state);   /* NULL: always */
	void (*close)(void *state);
	/* NULL: no tunnel (VD_EUNSUPPORTED); see transport_tunnel. */
	int  (*tunnel)(void *state, const char *const *remote, size_t nremote, const char **local,
		       struct vd_err *err);
	/* NULL: no RPC channel (VD_EUNSUPPORTED); see transport_rpc_open. */
	int  (*rpc_open)(void *state, int anew, struct vd_err *err);
	int  (*rpc_exchange)(void *state, const void *req, size_t len, size_t max, int timeout_ms,
			     struct strbuf *reply, struct vd_err *err);
	void (*rpc_close)(void *state);
};

extern const struct transport_class transport_none, transport_local, transport_ssh;

struct transport;

/* Opens (for SSH: connects, verifies the host key, authenticates); p may
 * be NULL for none and local.  Returns NULL with err set: VD_EUNREACH
 * (resolve, refused, connect or handshake timeout), VD_EREFUSED (host key
 * unknown, changed or revoked), VD_ESSH (protocol or authentication
 * failure), VD_EIO (known_hosts unreadable or unwritable), VD_EINVAL (bad
 * parameters). */
struct transport *transport_open(const struct transport_class *cls, const struct transport_params *p,
				 struct vd_err *err);

/* Runs cmd; appends its stdout/stderr to out/errout (either may be NULL) and
 * sets *exit_status (exit code, 128+signal, -1 unknown).  timeout_ms <= 0
 * uses the io timeout (SSH) or none (local); max_bytes (0:
 * TRANSPORT_MAX_BYTES) bounds what is read.  Returns 0 when the command
 * ran, whatever its status; -1 with VD_ETIMEOUT (command too slow, transport
 * still usable), VD_EREFUSED (more output than max_bytes: the command was
 * stopped, its channel closed; what came first stays in out/errout),
 * VD_EUNREACH / VD_ESSH (transport broken), VD_EUNSUPPORTED. */
int transport_exec(struct transport *t, const char *cmd, int timeout_ms, size_t max_bytes,
		   struct strbuf *out, struct strbuf *errout, int *exit_status, struct vd_err *err);

/* Appends the host's poll bundle (metrics/bundle.h: every /proc and /sys
 * file the metrics need, under the sysroot).  SSH keeps one remote shell
 * per session that learns the bundle script once (a poll is then one line
 * in, the output back); local reads the files in-process.  The slow facts
 * (command output that changes only when the host is reconfigured: NIC
 * coalescing, VF settings, Open vSwitch; device links) are read again every
 * TRANSPORT_SLOW_FACTS_MS, and at once when fresh is set (after an
 * operation changed the host); other polls repeat what they last read.
 * Errors as for transport_exec (past max_bytes, SSH drops the poll shell). */
int transport_poll(struct transport *t, int fresh, int timeout_ms, size_t max_bytes, struct strbuf *out,
		   struct vd_err *err);

/* SSH: offers the host's unix socket (the first of remote[] that answers)
 * on a local unix socket carried by this transport's session, for libvirt
 * (conn/ssh_tunnel.c); *local is valid until the transport closes.  -1
 * with VD_ELIBVIRT (no socket answers), VD_EUNREACH (session gone), VD_EIO,
 * VD_EUNSUPPORTED (not SSH). */
int  transport_tunnel(struct transport *t, const char *const *remote, size_t nremote, const char **local,
		      struct vd_err *err);
/* SSH, once the tunnel is up: libvirt's RPC on a channel of the session
 * to the daemon socket the tunnel reached, read in place (conn/ssh_rpc.c).
 * transport_rpc_open opens the channel where none is, or anew when anew: 1
 * when it opened one (a handshake is due), 0 when one was open.
 * transport_rpc_exchange sends req (len 0: nothing) and reads one message
 * (at most max bytes) into reply.  -1 with VD_ETIMEOUT, VD_EUNREACH,
 * VD_ESSH, VD_ELIBVIRT, VD_EUNSUPPORTED (not SSH, no tunnel).
 * transport_rpc_close drops the channel (none open: nothing). */
int  transport_rpc_open(struct transport *t, int anew, struct vd_err *err);
int  transport_rpc_exchange(struct transport *t, const void *req, size_t len, size_t max, int timeout_ms,
			    struct strbuf *reply, struct vd_err *err);
void transport_rpc_close(struct transport *t);
int  transport_is_connected(const struct transport *t);
/* For classes: the VD_EREFUSED record of a call that read more than
 * max_bytes from `who` (the host's name, or "the command"): "WHO sent more
 * than 16M (16777216 bytes), the cap for WHAT; DONE".  Returns -1. */
int  transport_over_cap(struct vd_err *err, const char *who, size_t max_bytes, const char *what,
			const char *done);
void transport_close(struct transport **t);

#endif

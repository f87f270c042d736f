/* transport.h — a host's shell transport: run one command, get its output.
 *
 * Used by per-host worker threads: each worker owns its transport and every
 * call blocks that worker only, never bounded by anything but the timeouts
 * given here.  Kinds: SSH (one persistent libssh2 session; strict host-key
 * checking against an OpenSSH known_hosts file), LOCAL (`sh -c` on this
 * machine) and NONE (libvirt only: every exec fails with VD_EUNSUPPORTED).
 *
 * Reconnecting is the caller's job: after a transport failure exec returns
 * -1 with VD_EUNREACH or VD_ESSH and transport_is_connected() turns false;
 * the caller closes and reopens with its own backoff. */
#ifndef VD_TRANSPORT_H
#define VD_TRANSPORT_H

#include "core/err.h"
#include "core/strbuf.h"

struct transport_params {
	const char *host_name;      /* inventory name, for messages */
	const char *address;        /* hostname or IP */
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

enum transport_kind { TRANSPORT_NONE, TRANSPORT_LOCAL, TRANSPORT_SSH };

struct transport;

/* Opens (for SSH: connects, verifies the host key, authenticates).  Returns
 * NULL with err set: VD_EUNREACH (resolve, refused, connect or handshake
 * timeout), VD_EREFUSED (host key unknown, changed or revoked), VD_ESSH
 * (protocol or authentication failure), VD_EIO (known_hosts unreadable or
 * unwritable), VD_EINVAL (bad parameters). */
struct transport *transport_open(enum transport_kind kind, const struct transport_params *p,
				 struct vd_err *err);

/* Runs cmd; appends its stdout/stderr to out/errout (either may be NULL) and
 * sets *exit_status (exit code, 128+signal, -1 unknown).  timeout_ms <= 0
 * uses the io timeout (SSH) or none (local).  Returns 0 when the command
 * ran, whatever its status; -1 with VD_ETIMEOUT (command too slow, transport
 * still usable), VD_EUNREACH / VD_ESSH (transport broken), VD_EUNSUPPORTED. */
int transport_exec(struct transport *t, const char *cmd, int timeout_ms, struct strbuf *out,
		   struct strbuf *errout, int *exit_status, struct vd_err *err);

/* Runs the shell function fn_name defined by fn_def and appends its stdout
 * to out.  SSH keeps one remote shell per session that learns fn_def once
 * (a poll is then one line in, the output back); local runs both at once. */
int transport_poll(struct transport *t, const char *fn_def, const char *fn_name, int timeout_ms,
		   struct strbuf *out, struct vd_err *err);

int  transport_is_connected(const struct transport *t);
enum transport_kind transport_kind_of(const struct transport *t);
/* "none", "local", "ssh"; and back (-1 for an unknown name). */
const char *transport_kind_name(enum transport_kind kind);
int  transport_kind_parse(const char *name);
void transport_close(struct transport **t);

#endif

/* transport.c — the front every transport call goes through, and conn's
 * own three classes: none, local and ssh.
 *
 * The front names the host in every error record and checks arguments;
 * the classes do the work.  Local polls read the sysroot in-process
 * (local_bundle.c); SSH polls run the bundle script, built for the
 * host's sysroot whenever the session starts a poll shell, in that shell. */
#include "conn/transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn/local_bundle.h"
#include "conn/local_exec.h"
#include "conn/ssh_conn.h"
#include "core/timeutil.h"
#include "core/units.h"
#include "core/xalloc.h"
#include "metrics/bundle.h"

#define POLL_FN "vdeck_poll"

struct transport {
	const struct transport_class *cls;
	void                         *state;
	char                         *host_name;
};

/* none: libvirt only. */

static int none_open(const struct transport_class *cls, const struct transport_params *p, void **state,
		     struct vd_err *err)
{
	(void)cls, (void)p, (void)err;
	*state = NULL;
	return 0;
}

static int none_exec(void *state, const char *cmd, int timeout_ms, size_t max_bytes, struct strbuf *out,
		     struct strbuf *errout, int *exit_status, struct vd_err *err)
{
	(void)state, (void)cmd, (void)timeout_ms, (void)max_bytes, (void)out, (void)errout, (void)exit_status;
	return err_set(err, VD_EUNSUPPORTED, "host has no shell transport (transport = none)");
}

static int none_poll(void *state, int fresh, int timeout_ms, size_t max_bytes, struct strbuf *out,
		     struct vd_err *err)
{
	(void)fresh;
	return none_exec(state, NULL, timeout_ms, max_bytes, out, NULL, NULL, err);
}

static void none_close(void *state)
{
	(void)state;
}

const struct transport_class transport_none = {
	.open = none_open, .exec = none_exec, .poll = none_poll, .close = none_close,
};

/* local: this machine, its files under the sysroot. */

static int local_open(const struct transport_class *cls, const struct transport_params *p, void **state,
		      struct vd_err *err)
{
	(void)cls, (void)err;
	*state = x_strdup(p && p->sysroot ? p->sysroot : "/");
	return 0;
}

static int local_exec_cmd(void *state, const char *cmd, int timeout_ms, size_t max_bytes,
			  struct strbuf *out, struct strbuf *errout, int *exit_status, struct vd_err *err)
{
	(void)state;
	return local_exec(cmd, timeout_ms, max_bytes, out, errout, exit_status, err);
}

/* This machine's own files, each read up to a bound (local_bundle.c): no
 * commands, so nothing is slow. */
static int local_poll(void *state, int fresh, int timeout_ms, size_t max_bytes, struct strbuf *out,
		      struct vd_err *err)
{
	(void)fresh, (void)timeout_ms, (void)max_bytes, (void)err;
	local_bundle(state, out);
	return 0;
}

const struct transport_class transport_local = {
	.open = local_open, .exec = local_exec_cmd, .poll = local_poll, .close = free,
};

/* ssh: one libssh2 session. */

struct ssh_state {
	struct ssh_conn *conn;
	char            *sysroot;  /* the poll script is built from it when a shell starts */
	int64_t          slow_due; /* monotonic ms: the next poll that reads the slow facts */
};

static struct ssh_conn *connect_ssh(const struct transport_params *in, struct vd_err *err)
{
	struct transport_params p = *in;
	if (!p.address || !*p.address) {
		err_set(err, VD_EINVAL, "ssh transport needs an address");
		return NULL;
	}
	if (!p.host_name)
		p.host_name = p.address;
	if (p.port <= 0)
		p.port = 22;
	if (p.port > 65535) {
		err_set(err, VD_EINVAL, "bad ssh port %d", p.port);
		return NULL;
	}
	if (!p.user || !*p.user)
		p.user = getenv("USER");
	if (!p.user || !*p.user) {
		err_set(err, VD_EINVAL, "ssh transport needs a user");
		return NULL;
	}
	if (p.connect_timeout_ms <= 0)
		p.connect_timeout_ms = 5000;
	if (p.io_timeout_ms <= 0)
		p.io_timeout_ms = 10000;
	if (p.keepalive_s < 0)
		p.keepalive_s = 15;
	return ssh_conn_open(&p, err);
}

static int ssh_open(const struct transport_class *cls, const struct transport_params *p, void **state,
		    struct vd_err *err)
{
	(void)cls;
	if (!p)
		return err_set(err, VD_EINVAL, "ssh transport needs parameters");
	struct ssh_conn *conn = connect_ssh(p, err);
	if (!conn)
		return -1;
	struct ssh_state *s = x_calloc(1, sizeof *s);
	s->conn = conn;
	s->sysroot = x_strdup(p->sysroot);
	*state = s;
	return 0;
}

static int ssh_exec(void *state, const char *cmd, int timeout_ms, size_t max_bytes, struct strbuf *out,
		    struct strbuf *errout, int *exit_status, struct vd_err *err)
{
	struct ssh_state *s = state;
	ssh_conn_lock(s->conn);
	int rc = ssh_conn_exec(s->conn, cmd, timeout_ms, max_bytes, out, errout, exit_status, err);
	ssh_conn_unlock(s->conn);
	return rc;
}

/* The poll shell keeps the slow facts between polls and reads them again
 * when called with "fresh" (metrics/bundle.c); a new shell reads them on
 * its first poll whatever it is asked. */
static int ssh_poll(void *state, int fresh, int timeout_ms, size_t max_bytes, struct strbuf *out,
		    struct vd_err *err)
{
	struct ssh_state *s = state;
	struct strbuf wire;
	sb_init(&wire);
	int64_t now = now_ms();
	fresh = fresh || now >= s->slow_due;
	ssh_conn_lock(s->conn);
	/* The script (some KiB per host) only when a new shell needs it. */
	char *script = s->conn->poll_ch ? NULL : bundle_function(POLL_FN, s->sysroot, NULL);
	int rc = ssh_conn_poll(s->conn, script, fresh ? POLL_FN " fresh" : POLL_FN, timeout_ms, max_bytes,
			       &wire, err);
	ssh_conn_unlock(s->conn);
	free(script);
	if (rc == 0 && fresh)
		s->slow_due = now + TRANSPORT_SLOW_FACTS_MS;
	if (rc == 0)
		bundle_wire_decode(wire.buf, wire.len, out);
	sb_free(&wire);
	return rc;
}

static int ssh_tunnel_fn(void *state, const char *const *remote, size_t nremote, const char **local,
			 struct vd_err *err)
{
	struct ssh_state *s = state;
	ssh_conn_lock(s->conn);
	int rc = ssh_tunnel_offer(s->conn, remote, nremote, local, err);
	ssh_conn_unlock(s->conn);
	return rc;
}

static int ssh_rpc_open_fn(void *state, int anew, struct vd_err *err)
{
	struct ssh_state *s = state;
	ssh_conn_lock(s->conn);
	int rc = ssh_rpc_open(s->conn, anew, err);
	ssh_conn_unlock(s->conn);
	return rc;
}

static int ssh_rpc_exchange_fn(void *state, const void *req, size_t len, size_t max, int timeout_ms,
			       struct strbuf *reply, struct vd_err *err)
{
	struct ssh_state *s = state;
	ssh_conn_lock(s->conn);
	int rc = ssh_rpc_exchange(s->conn, req, len, max, timeout_ms, reply, err);
	ssh_conn_unlock(s->conn);
	return rc;
}

static void ssh_rpc_close_fn(void *state)
{
	struct ssh_state *s = state;
	ssh_conn_lock(s->conn);
	ssh_rpc_close(s->conn);
	ssh_conn_unlock(s->conn);
}

static int ssh_is_connected(const void *state)
{
	const struct ssh_state *s = state;
	/* the tunnel's pump may find the session dead meanwhile */
	ssh_conn_lock(s->conn);
	int connected = s->conn->connected;
	ssh_conn_unlock(s->conn);
	return connected;
}

static void ssh_close(void *state)
{
	struct ssh_state *s = state;
	ssh_conn_close(&s->conn);
	free(s->sysroot);
	free(s);
}

const struct transport_class transport_ssh = {
	.open = ssh_open, .exec = ssh_exec, .poll = ssh_poll,
	.is_connected = ssh_is_connected, .close = ssh_close, .tunnel = ssh_tunnel_fn,
	.rpc_open = ssh_rpc_open_fn, .rpc_exchange = ssh_rpc_exchange_fn, .rpc_close = ssh_rpc_close_fn,
};

/* The front. */

struct transport *transport_open(const struct transport_class *cls, const struct transport_params *p,
				 struct vd_err *err)
{
	const char *name = p && p->host_name ? p->host_name : p && p->address ? p->address : "local";
	err_where(err, "connect", name, NULL);
	if (!cls) {
		err_set(err, VD_EINVAL, "no transport class");
		return NULL;
	}
	void *state;
	if (cls->open(cls, p, &state, err) < 0)
		return NULL;
	struct transport *t = x_calloc(1, sizeof *t);
	t->cls = cls;
	t->state = state;
	t->host_name = x_strdup(name);
	return t;
}

int transport_exec(struct transport *t, const char *cmd, int timeout_ms, size_t max_bytes,
		   struct strbuf *out, struct strbuf *errout, int *exit_status, struct vd_err *err)
{
	if (exit_status)
		*exit_status = -1;
	err_where(err, "exec", t->host_name, NULL);
	if (!cmd)
		return err_set(err, VD_EINVAL, "no command to run");
	return t->cls->exec(t->state, cmd, timeout_ms, max_bytes ? max_bytes : TRANSPORT_MAX_BYTES, out,
			    errout, exit_status, err);
}

int transport_poll(struct transport *t, int fresh, int timeout_ms, size_t max_bytes, struct strbuf *out,
		   struct vd_err *err)
{
	err_where(err, "poll", t->host_name, NULL);
	return t->cls->poll(t->state, fresh, timeout_ms, max_bytes ? max_bytes : TRANSPORT_MAX_BYTES, out, err);
}

int transport_over_cap(struct vd_err *err, const char *who, size_t max_bytes, const char *what,
		       const char *done)
{
	char size[32];
	size_format(max_bytes, size, sizeof size);
	return err_set(err, VD_EREFUSED, "%s sent more than %s (%zu bytes), the cap for %s; %s", who, size,
		       max_bytes, what, done);
}

int transport_tunnel(struct transport *t, const char *const *remote, size_t nremote, const char **local,
		     struct vd_err *err)
{
	err_where(err, "connect", t->host_name, NULL);
	if (!t->cls->tunnel)
		return err_set(err, VD_EUNSUPPORTED, "this host's transport cannot carry libvirt (SSH only)");
	return t->cls->tunnel(t->state, remote, nremote, local, err);
}

static int no_rpc(struct vd_err *err)
{
	return err_set(err, VD_EUNSUPPORTED, "this host's transport cannot carry libvirt (SSH only)");
}

int transport_rpc_open(struct transport *t, int anew, struct vd_err *err)
{
	err_where(err, "libvirt", t->host_name, NULL);
	return t->cls->rpc_open ? t->cls->rpc_open(t->state, anew, err) : no_rpc(err);
}

int transport_rpc_exchange(struct transport *t, const void *req, size_t len, size_t max, int timeout_ms,
			   struct strbuf *reply, struct vd_err *err)
{
	err_where(err, "libvirt", t->host_name, NULL);
	if (!t->cls->rpc_exchange)
		return no_rpc(err);
	return t->cls->rpc_exchange(t->state, req, len, max, timeout_ms, reply, err);
}

void transport_rpc_close(struct transport *t)
{
	if (t->cls->rpc_close)
		t->cls->rpc_close(t->state);
}

int transport_is_connected(const struct transport *t)
{
	if (!t)
		return 0;
	return !t->cls->is_connected || t->cls->is_connected(t->state);
}

void transport_close(struct transport **tp)
{
	struct transport *t = *tp;
	if (!t)
		return;
	t->cls->close(t->state);
	x_free(&t->host_name);
	x_free(tp);
}

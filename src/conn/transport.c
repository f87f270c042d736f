/* transport.c — one front for the none, local and ssh shell transports.
 *
 * Fills the defaults (port 22, timeouts, keepalive, $USER), validates the
 * parameters, and dispatches.  The error record always names the host. */
#include "conn/transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn/local_exec.h"
#include "conn/ssh_conn.h"
#include "core/xalloc.h"

struct transport {
	enum transport_kind kind;
	char               *host_name;
	struct ssh_conn    *ssh;       /* TRANSPORT_SSH only */
};

static const char *const kind_names[] = { "none", "local", "ssh" };

const char *transport_kind_name(enum transport_kind kind)
{
	return (unsigned)kind < 3 ? kind_names[kind] : "?";
}

int transport_kind_parse(const char *name)
{
	for (int i = 0; name && i < 3; i++)
		if (strcmp(name, kind_names[i]) == 0)
			return i;
	return -1;
}

static struct ssh_conn *open_ssh(const struct transport_params *in, struct vd_err *err)
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

struct transport *transport_open(enum transport_kind kind, const struct transport_params *p,
				 struct vd_err *err)
{
	struct transport *t;
	const char *name = p && p->host_name ? p->host_name : p && p->address ? p->address : "local";
	err_where(err, "connect", name, NULL);
	if ((unsigned)kind > TRANSPORT_SSH) {
		err_set(err, VD_EINVAL, "unknown transport kind %d", (int)kind);
		return NULL;
	}
	t = x_calloc(1, sizeof *t);
	t->kind = kind;
	t->host_name = x_strdup(name);
	if (kind == TRANSPORT_SSH) {
		if (!p) {
			err_set(err, VD_EINVAL, "ssh transport needs parameters");
			transport_close(&t);
			return NULL;
		}
		if (!(t->ssh = open_ssh(p, err)))
			transport_close(&t);
	}
	return t;
}

int transport_exec(struct transport *t, const char *cmd, int timeout_ms, struct strbuf *out,
		   struct strbuf *errout, int *exit_status, struct vd_err *err)
{
	if (exit_status)
		*exit_status = -1;
	err_where(err, "exec", t->host_name, NULL);
	if (!cmd)
		return err_set(err, VD_EINVAL, "no command to run");
	switch (t->kind) {
	case TRANSPORT_SSH:
		return ssh_conn_exec(t->ssh, cmd, timeout_ms, out, errout, exit_status, err);
	case TRANSPORT_LOCAL:
		return local_exec(cmd, timeout_ms, out, errout, exit_status, err);
	case TRANSPORT_NONE:
		break;
	}
	return err_set(err, VD_EUNSUPPORTED, "host has no shell transport (transport = none)");
}

int transport_poll(struct transport *t, const char *fn_def, const char *fn_name, int timeout_ms,
		   struct strbuf *out, struct vd_err *err)
{
	err_where(err, "poll", t->host_name, NULL);
	if (t->kind == TRANSPORT_SSH)
		return ssh_conn_poll(t->ssh, fn_def, fn_name, timeout_ms, out, err);
	struct strbuf cmd;
	sb_init(&cmd);
	sb_appendf(&cmd, "%s%s\n", fn_def, fn_name);
	int status = 0;
	int rc = transport_exec(t, cmd.buf, timeout_ms, out, NULL, &status, err);
	sb_free(&cmd);
	if (rc == 0 && status != 0)
		rc = err_set(err, VD_ESSH, "poll exited %d", status);
	return rc;
}

int transport_is_connected(const struct transport *t)
{
	if (!t)
		return 0;
	if (t->kind == TRANSPORT_SSH)
		return t->ssh && t->ssh->connected;
	return 1;
}

enum transport_kind transport_kind_of(const struct transport *t)
{
	return t->kind;
}

void transport_close(struct transport **tp)
{
	struct transport *t = *tp;
	if (!t)
		return;
	ssh_conn_close(&t->ssh);
	x_free(&t->host_name);
	x_free(tp);
}

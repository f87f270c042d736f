/* ssh_exec.c — one command on one new channel of the persistent session.
 *
 * stdout and stderr are drained together (ssh_read.c) so neither window
 * fills and stalls the other.  A command that outlives its timeout, or
 * prints more than its cap, gets its channel closed (sshd confirms only
 * when the command ends, so the channel is parked and freed later) and the
 * server is probed with a new channel: if even that gets no answer in
 * time, the session is declared dead (is_connected false) for the caller
 * to reopen. */
#include "conn/ssh_conn.h"

#include <string.h>

#include "core/timeutil.h"

#define CLOSE_GRACE_MS 2000

int ssh_session_broken(int rc)
{
	return rc == LIBSSH2_ERROR_SOCKET_SEND || rc == LIBSSH2_ERROR_SOCKET_RECV ||
	       rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_SOCKET_TIMEOUT ||
	       rc == LIBSSH2_ERROR_TIMEOUT || rc == LIBSSH2_ERROR_DECRYPT ||
	       rc == LIBSSH2_ERROR_PROTO || rc == LIBSSH2_ERROR_KEX_FAILURE ||
	       rc == LIBSSH2_ERROR_BAD_USE || rc == LIBSSH2_ERROR_INVAL;
}

static int fail_session(struct ssh_conn *c, struct vd_err *err, const char *what)
{
	c->connected = 0;
	return err_set(err, VD_EUNREACH, "SSH connection to %s lost while %s: %s",
		       c->host_name, what, ssh_last_error(c));
}

static int signal_number(const char *name)
{
	static const struct { const char *n; int sig; } map[] = {
		{ "HUP", 1 }, { "INT", 2 }, { "QUIT", 3 }, { "ILL", 4 }, { "ABRT", 6 },
		{ "FPE", 8 }, { "KILL", 9 }, { "SEGV", 11 }, { "PIPE", 13 }, { "ALRM", 14 },
		{ "TERM", 15 }, { "USR1", 10 }, { "USR2", 12 },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(name, map[i].n) == 0)
			return map[i].sig;
	return 127;
}

static int exit_code(struct ssh_conn *c, LIBSSH2_CHANNEL *ch)
{
	char *sig = NULL;
	size_t siglen = 0;
	int code = libssh2_channel_get_exit_status(ch);
	if (libssh2_channel_get_exit_signal(ch, &sig, &siglen, NULL, NULL, NULL, NULL) == 0 && sig) {
		code = 128 + signal_number(sig);
		libssh2_free(c->session, sig);
	}
	return code;
}

/* Sends our close and waits for the server's, within deadline; 0 or -1. */
static int close_channel(struct ssh_conn *c, LIBSSH2_CHANNEL *ch, int64_t deadline)
{
	int rc;
	while ((rc = libssh2_channel_close(ch)) == LIBSSH2_ERROR_EAGAIN)
		if (ssh_wait(c, deadline) < 0)
			return -1;
	while (rc == 0 && (rc = libssh2_channel_wait_closed(ch)) == LIBSSH2_ERROR_EAGAIN)
		if (ssh_wait(c, deadline) < 0)
			return -1;
	return 0;
}

/* Closes and frees the channel within deadline; 0, or -1 (left to the
 * session, which frees it with itself). */
static int finish_channel(struct ssh_conn *c, LIBSSH2_CHANNEL *ch, int64_t deadline)
{
	if (close_channel(c, ch, deadline) < 0)
		return -1;
	while (libssh2_channel_free(ch) == LIBSSH2_ERROR_EAGAIN)
		if (ssh_wait(c, deadline) < 0)
			return -1;
	return 0;
}

/* Keeps a channel whose close is pending; -1 when too many are. */
static int park(struct ssh_conn *c, LIBSSH2_CHANNEL *ch)
{
	if (c->nparked == SSH_PARKED_MAX)
		return -1;
	c->parked[c->nparked++] = ch;
	return 0;
}

/* Frees the parked channels whose server close has arrived; never waits. */
void ssh_reap_parked(struct ssh_conn *c)
{
	for (int i = 0; i < c->nparked;) {
		if (libssh2_channel_free(c->parked[i]) == LIBSSH2_ERROR_EAGAIN) {
			i++;
			continue;
		}
		c->parked[i] = c->parked[--c->nparked];
	}
}

void ssh_channel_drop(struct ssh_conn *c, LIBSSH2_CHANNEL **ch)
{
	if (*ch) {
		ssh_channel_finish_or_park(c, *ch, now_ms() + 200);
		*ch = NULL;
	}
}

/* The error first: closing the channel would replace libssh2's last one. */
int ssh_channel_fail(struct ssh_conn *c, LIBSSH2_CHANNEL **ch, struct vd_err *err, enum vd_errcode code,
		     const char *what)
{
	err_set(err, code, "%s: %s (%s)", c->host_name, what, ssh_last_error(c));
	ssh_channel_drop(c, ch);
	return -1;
}

void ssh_channel_finish_or_park(struct ssh_conn *c, LIBSSH2_CHANNEL *ch, int64_t deadline)
{
	if (finish_channel(c, ch, deadline) < 0 && park(c, ch) < 0)
		c->connected = 0;
}

/* Proves the server still answers: a new channel opens (or is refused). */
static int probe(struct ssh_conn *c, int64_t deadline)
{
	LIBSSH2_CHANNEL *ch;
	while (!(ch = libssh2_channel_open_session(c->session))) {
		int rc = libssh2_session_last_errno(c->session);
		if (rc != LIBSSH2_ERROR_EAGAIN)
			return ssh_session_broken(rc) ? -1 : 0;
		if (ssh_wait(c, deadline) < 0)
			return -1;
	}
	ssh_channel_finish_or_park(c, ch, deadline);
	return 0;
}

/* Closes the channel of a command given up on, without waiting for the
 * command to end; 0, or -1 when the server no longer answers (the session
 * is then marked dead). */
static int abandon(struct ssh_conn *c, LIBSSH2_CHANNEL *ch)
{
	int64_t grace = now_ms() + (c->io_timeout_ms < CLOSE_GRACE_MS ? c->io_timeout_ms
								     : CLOSE_GRACE_MS);
	int rc, dead = 0;
	/* Send our close; stop waiting once it is out (nothing left outbound). */
	while ((rc = libssh2_channel_close(ch)) == LIBSSH2_ERROR_EAGAIN &&
	       (libssh2_session_block_directions(c->session) & LIBSSH2_SESSION_BLOCK_OUTBOUND))
		if (ssh_wait(c, grace) < 0) {
			dead = 1;
			break;
		}
	if (!dead && rc == 0)
		ssh_channel_finish_or_park(c, ch, grace);
	else if (dead || rc != LIBSSH2_ERROR_EAGAIN || park(c, ch) < 0 || probe(c, grace) < 0)
		dead = 1;
	if (dead || !c->connected) {
		c->connected = 0;
		return -1;
	}
	return 0;
}

static int timed_out(struct ssh_conn *c, LIBSSH2_CHANNEL *ch, int timeout_ms, struct vd_err *err)
{
	if (abandon(c, ch) < 0)
		return err_set(err, VD_EUNREACH, "no answer from %s within %d ms; connection "
			       "considered dead", c->host_name, timeout_ms);
	return err_set(err, VD_ETIMEOUT, "command on %s timed out after %d ms", c->host_name,
		       timeout_ms);
}

static int over_cap(struct ssh_conn *c, LIBSSH2_CHANNEL *ch, size_t max_bytes, struct vd_err *err)
{
	return transport_over_cap(err, c->host_name, max_bytes, "one command",
				  abandon(c, ch) < 0 ? "the connection was dropped"
						     : "the command's channel was closed");
}

int ssh_conn_exec(struct ssh_conn *c, const char *cmd, int timeout_ms, size_t max_bytes,
		  struct strbuf *out, struct strbuf *errout, int *exit_status, struct vd_err *err)
{
	LIBSSH2_CHANNEL *ch;
	int64_t deadline;
	int rc, next;
	if (timeout_ms <= 0)
		timeout_ms = c->io_timeout_ms;
	deadline = now_ms() + timeout_ms;
	if (exit_status)
		*exit_status = -1;
	if (!c->connected)
		return err_set(err, VD_EUNREACH, "SSH connection to %s is closed", c->host_name);
	ssh_reap_parked(c);
	if (c->keepalive_s > 0 && ssh_session_broken(libssh2_keepalive_send(c->session, &next)))
		return fail_session(c, err, "sending a keepalive");
	while (!(ch = libssh2_channel_open_session(c->session))) {
		rc = libssh2_session_last_errno(c->session);
		if (rc != LIBSSH2_ERROR_EAGAIN) {
			if (ssh_session_broken(rc))
				return fail_session(c, err, "opening a channel");
			return err_set(err, VD_ESSH, "%s refused a new SSH channel: %s",
				       c->host_name, ssh_last_error(c));
		}
		if (ssh_wait(c, deadline) < 0) {
			c->connected = 0;
			return err_set(err, VD_EUNREACH, "no answer from %s within %d ms "
				       "(opening a channel); connection considered dead",
				       c->host_name, timeout_ms);
		}
	}
	while ((rc = libssh2_channel_exec(ch, cmd)) == LIBSSH2_ERROR_EAGAIN)
		if (ssh_wait(c, deadline) < 0)
			return timed_out(c, ch, timeout_ms, err);
	if (rc) {
		if (ssh_session_broken(rc))
			return fail_session(c, err, "starting a command");
		err_set(err, VD_ESSH, "%s refused to run the command: %s", c->host_name,
			ssh_last_error(c));
		ssh_channel_finish_or_park(c, ch, now_ms() + CLOSE_GRACE_MS);
		return -1;
	}
	struct ssh_reader rd = { .conn = c, .ch = ch, .out = out, .err = errout, .max_bytes = max_bytes,
				 .deadline = deadline };
	for (;;) {
		switch (ssh_read_drain(&rd)) {
		case SSH_READ_DRAINED:
			break;
		case SSH_READ_OVER_CAP:
			return over_cap(c, ch, max_bytes, err);
		case SSH_READ_LATE:
			return timed_out(c, ch, timeout_ms, err);
		case SSH_READ_FAILED:
			if (ssh_session_broken(rd.lib_rc))
				return fail_session(c, err, "reading command output");
			err_set(err, VD_ESSH, "reading output from %s: %s", c->host_name,
				ssh_last_error(c));
			ssh_channel_finish_or_park(c, ch, now_ms() + CLOSE_GRACE_MS);
			return -1;
		}
		if (libssh2_channel_eof(ch))
			break;
		if (ssh_wait(c, deadline) < 0)
			return timed_out(c, ch, timeout_ms, err);
	}
	if (close_channel(c, ch, deadline + CLOSE_GRACE_MS) < 0) {
		c->connected = 0;
		return err_set(err, VD_EUNREACH, "no answer from %s while closing a channel; "
			       "connection considered dead", c->host_name);
	}
	if (exit_status)
		*exit_status = exit_code(c, ch);   /* kept on the channel until free */
	ssh_channel_finish_or_park(c, ch, now_ms() + CLOSE_GRACE_MS);
	return 0;
}

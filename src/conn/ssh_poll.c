/* ssh_poll.c — the poll over one long-lived remote shell per session.
 *
 * Opening a channel and starting a command for every poll costs three
 * round trips and about a quarter of the console's CPU per host.  Instead,
 * the first poll starts `sh -s` on a channel kept open, defines the poll
 * script as a shell function, and every poll is then one line in
 * ("vdeck_poll; marker") and the bundle out, up to the marker.  Any error
 * closes that channel; the next poll starts a new shell. */
#include "conn/ssh_conn.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>

static const char end_marker[] = "\036VDECK-END\n";

static void drop_poll_shell(struct ssh_conn *c)
{
	if (c->poll_ch) {
		ssh_channel_finish_or_park(c, c->poll_ch, now_ms() + 200);
		c->poll_ch = NULL;
	}
}

static int fail(struct ssh_conn *c, struct vd_err *err, enum vd_errcode code, const char *what)
{
	drop_poll_shell(c);
	return err_set(err, code, "%s: %s (%s)", c->host_name, what, ssh_last_error(c));
}

static int write_all(struct ssh_conn *c, const char *buf, size_t len, int64_t deadline)
{
	while (len) {
		ssize_t n = libssh2_channel_write(c->poll_ch, buf, len);
		if (n == LIBSSH2_ERROR_EAGAIN) {
			if (ssh_wait(c, deadline) < 0)
				return -1;
			continue;
		}
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int start_poll_shell(struct ssh_conn *c, const char *fn_def, int64_t deadline, struct vd_err *err)
{
	while (!(c->poll_ch = libssh2_channel_open_session(c->session))) {
		int rc = libssh2_session_last_errno(c->session);
		if (rc != LIBSSH2_ERROR_EAGAIN || ssh_wait(c, deadline) < 0) {
			if (rc != LIBSSH2_ERROR_EAGAIN && !ssh_session_broken(rc))
				return err_set(err, VD_ESSH, "%s refused a new SSH channel", c->host_name);
			c->connected = 0;
			return err_set(err, VD_EUNREACH, "no answer from %s (opening the poll shell)", c->host_name);
		}
	}
	int rc;
	while ((rc = libssh2_channel_exec(c->poll_ch, "exec sh -s")) == LIBSSH2_ERROR_EAGAIN)
		if (ssh_wait(c, deadline) < 0)
			return fail(c, err, VD_ETIMEOUT, "starting the poll shell timed out");
	if (rc)
		return fail(c, err, VD_ESSH, "cannot start the poll shell");
	if (write_all(c, fn_def, strlen(fn_def), deadline) < 0)
		return fail(c, err, VD_ESSH, "cannot send the poll script");
	return 0;
}

static int ends_with_marker(const struct strbuf *sb, size_t from)
{
	size_t m = sizeof end_marker - 1;
	(void)from;
	return sb->len >= m && !memcmp(sb->buf + sb->len - m, end_marker, m);
}

int ssh_conn_poll(struct ssh_conn *c, const char *fn_def, const char *fn_name, int timeout_ms,
		  struct strbuf *out, struct vd_err *err)
{
	if (timeout_ms <= 0)
		timeout_ms = c->io_timeout_ms;
	int64_t deadline = now_ms() + timeout_ms;
	if (!c->connected)
		return err_set(err, VD_EUNREACH, "SSH connection to %s is closed", c->host_name);
	ssh_reap_parked(c);
	int next;
	if (c->keepalive_s > 0 && ssh_session_broken(libssh2_keepalive_send(c->session, &next))) {
		c->connected = 0;
		return fail(c, err, VD_EUNREACH, "sending a keepalive");
	}
	if (!c->poll_ch && start_poll_shell(c, fn_def, deadline, err) < 0)
		return -1;
	char line[128];
	int n = snprintf(line, sizeof line, "%s; printf '\\036VDECK-END\\n'\n", fn_name);
	if (write_all(c, line, (size_t)n, deadline) < 0)
		return fail(c, err, VD_EUNREACH, "the poll shell does not take input");
	size_t start = out->len;
	for (;;) {
		ssize_t a = ssh_channel_pump(c->poll_ch, 0, out);
		ssize_t b = ssh_channel_pump(c->poll_ch, SSH_EXTENDED_DATA_STDERR, NULL);
		if (a < 0 || b < 0) {
			int rc = (int)(a < 0 ? a : b);
			if (ssh_session_broken(rc))
				c->connected = 0;
			return fail(c, err, c->connected ? VD_ESSH : VD_EUNREACH, "reading the poll output");
		}
		if (ends_with_marker(out, start)) {
			out->len -= sizeof end_marker - 1;
			out->buf[out->len] = '\0';
			return 0;
		}
		if (libssh2_channel_eof(c->poll_ch))
			return fail(c, err, VD_ESSH, "the poll shell exited");
		if (a == 0 && b == 0 && ssh_wait(c, deadline) < 0)
			return fail(c, err, VD_ETIMEOUT, "the poll did not finish in time");
	}
}

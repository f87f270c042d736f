/* ssh_poll.c — the poll over one long-lived remote shell per session.
 *
 * Opening a channel and starting a command for every poll costs three
 * round trips and about a quarter of the console's CPU per host.  Instead,
 * the first poll starts a shell reading stdin on a channel kept open,
 * defines the poll script as a shell function, and every poll is then one
 * line in and the bundle out, up to an end marker.  The shell is bash
 * where the host has one (it reads files without a process:
 * metrics/bundle.c), else sh; either way through `sh -c`, which any login
 * shell (csh, fish) can start.  bash reads no start-up file (BASH_ENV
 * emptied): what the poll function meets is what it defines.
 *
 * The pairing of requests and replies must stay exact on a shell that
 * lives for hours: each request carries a sequence number, and its reply
 * ends with a marker holding the shell's nonce (random, never sent to any
 * other process) and that number.  A reply is complete only when its own
 * marker closes the output; anything after it, or another request's
 * marker, means the pairing is lost.  Then, and on every other error
 * (timeout, more output than the cap, a shell that exited), the channel
 * is dropped with whatever it still holds, and the next poll starts a new
 * shell: a reply is never left behind to be taken for the next one. */
#include "conn/ssh_conn.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define MARKER_HEAD "\036VDECK-END "
#define POLL_SHELL  "exec sh -c 'command -v bash >/dev/null && BASH_ENV= exec bash --norc --noprofile -s; exec sh -s'"

static void drop_poll_shell(struct ssh_conn *c)
{
	ssh_channel_drop(c, &c->poll_ch);
}

static int fail(struct ssh_conn *c, struct vd_err *err, enum vd_errcode code, const char *what)
{
	return ssh_channel_fail(c, &c->poll_ch, err, code, what);
}

int ssh_channel_write_all(struct ssh_conn *c, LIBSSH2_CHANNEL *ch, const char *buf, size_t len,
			  int64_t deadline)
{
	while (len) {
		ssize_t n = libssh2_channel_write(ch, buf, len);
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

/* A fresh nonce per shell, so that text a host's files happen to hold
 * cannot end a reply early. */
static void new_nonce(struct ssh_conn *c)
{
	unsigned char r[8];
	if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
		uint64_t x = (uint64_t)now_ms() * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)c ^ (uint64_t)getpid();
		memcpy(r, &x, sizeof r);
	}
	for (size_t i = 0; i < sizeof r; i++)
		snprintf(c->poll_nonce + 2 * i, 3, "%02x", r[i]);
	c->poll_seq = 0;
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
	new_nonce(c);
	int rc;
	while ((rc = libssh2_channel_exec(c->poll_ch, POLL_SHELL)) == LIBSSH2_ERROR_EAGAIN)
		if (ssh_wait(c, deadline) < 0)
			return fail(c, err, VD_ETIMEOUT, "starting the poll shell timed out");
	if (rc)
		return fail(c, err, VD_ESSH, "cannot start the poll shell");
	if (ssh_channel_write_all(c, c->poll_ch, fn_def, strlen(fn_def), deadline) < 0)
		return fail(c, err, VD_ESSH, "cannot send the poll script");
	return 0;
}

enum reply { REPLY_PARTIAL, REPLY_DONE, REPLY_ASTRAY };

/* Looks for end markers in the reply (out from start) where the bytes
 * read since `from` may complete one: REPLY_DONE when the output ends
 * with this request's marker (then removed), REPLY_ASTRAY when a marker
 * of this shell is anywhere else or carries another number. */
static enum reply check_reply(struct strbuf *out, size_t start, size_t from, const char *mine,
			      const char *shell)
{
	size_t head = sizeof MARKER_HEAD - 1, mlen = strlen(mine), slen = strlen(shell);
	from = from > start + mlen ? from - mlen : start;   /* a marker cut across two reads */
	const char *p = out->buf + from, *end = out->buf + out->len;
	while (p < end && (p = memmem(p, (size_t)(end - p), MARKER_HEAD, head))) {
		size_t rest = (size_t)(end - p);
		if (!memcmp(p, mine, rest < mlen ? rest : mlen)) {
			if (rest < mlen)
				return REPLY_PARTIAL;  /* the rest of it is on its way */
			if (rest > mlen)
				return REPLY_ASTRAY;   /* output after the end of the reply */
			out->len = (size_t)(p - out->buf);
			out->buf[out->len] = '\0';
			return REPLY_DONE;
		}
		if (rest >= slen && !memcmp(p, shell, slen))
			return REPLY_ASTRAY;       /* another request's reply */
		p += head;
	}
	return REPLY_PARTIAL;
}

int ssh_conn_poll(struct ssh_conn *c, const char *fn_def, const char *call, int timeout_ms,
		  size_t max_bytes, struct strbuf *out, struct vd_err *err)
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
	char line[160], mine[64], shell[40];
	unsigned seq = ++c->poll_seq;
	snprintf(shell, sizeof shell, MARKER_HEAD "%s-", c->poll_nonce);
	snprintf(mine, sizeof mine, "%s%u\n", shell, seq);
	int n = snprintf(line, sizeof line, "%s; printf '\\036VDECK-END %%s\\n' %s-%u\n", call,
			 c->poll_nonce, seq);
	if (n < 0 || (size_t)n >= sizeof line)
		return err_set(err, VD_EINVAL, "%s: the poll call is too long", c->host_name);
	if (ssh_channel_write_all(c, c->poll_ch, line, (size_t)n, deadline) < 0)
		return fail(c, err, VD_EUNREACH, "the poll shell does not take input");
	size_t start = out->len;
	struct ssh_reader rd = { .conn = c, .ch = c->poll_ch, .out = out, .max_bytes = max_bytes, .deadline = deadline };
	for (;;) {
		size_t before = out->len;
		switch (ssh_read_drain(&rd)) {
		case SSH_READ_DRAINED:
			break;
		case SSH_READ_OVER_CAP:
			drop_poll_shell(c);
			out->len = start;
			out->buf[start] = '\0';
			return transport_over_cap(err, c->host_name, max_bytes, "one poll",
						  "its poll shell was closed");
		case SSH_READ_LATE:
			return fail(c, err, VD_ETIMEOUT, "the poll did not finish in time");
		case SSH_READ_FAILED:
			if (ssh_session_broken(rd.lib_rc))
				c->connected = 0;
			return fail(c, err, c->connected ? VD_ESSH : VD_EUNREACH, "reading the poll output");
		}
		enum reply r = check_reply(out, start, before, mine, shell);
		if (r == REPLY_DONE)
			return 0;
		if (r == REPLY_ASTRAY)
			return fail(c, err, VD_ESSH, "the poll shell's replies are out of step");
		if (libssh2_channel_eof(c->poll_ch))
			return fail(c, err, VD_ESSH, "the poll shell exited");
		if (ssh_wait(c, deadline) < 0)
			return fail(c, err, VD_ETIMEOUT, "the poll did not finish in time");
	}
}

/* ssh_tunnel.c — libvirt's RPC carried through the host's own SSH session.
 *
 * A listening unix socket in a private directory (0700: under
 * $XDG_RUNTIME_DIR, else under $TMPDIR or /tmp) is offered to libvirt; each
 * connection libvirt makes there is joined to a direct-streamlocal channel
 * (OpenSSH's PROTOCOL 2.4) to the host's daemon socket, and bytes move both
 * ways without a blocking call: one key exchange, one known_hosts check and
 * no OpenSSH child per host.
 *
 * The worker thread cannot move the bytes itself while it waits inside a
 * libvirt call for them, so a pump thread per tunnel does; libssh2 sessions
 * are not thread-safe, so the session has a lock.  The worker holds it for
 * each of its own SSH calls and moves the tunnel's bytes in ssh_wait
 * meanwhile; the pump holds it for each non-blocking pass and lets it go
 * to sleep in poll().  libssh2 refuses any new packet while one is half-sent
 * (LIBSSH2_ERROR_BAD_USE), so a pass does not start while the session is
 * blocked outbound, and finishes, within a deadline, a packet it left
 * half-sent.  Opening and closing channels waits for the server: only the
 * pump (and ssh_tunnel_offer, on the worker) do it, never from ssh_wait,
 * which may be inside another channel's open. */
#include "conn/ssh_conn.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "core/xalloc.h"

#define TUNNEL_LINKS 8           /* libvirt connections at once per host */
/* A libvirt message larger than this simply takes more passes.  A link
 * holds a buffer only while bytes wait in it (take_buf, drop_buf): the
 * same few buffers serve every host in turn, where one per host and way
 * stayed resident (128 hosts: 4 MiB of 16 KiB buffers). */
#define LINK_BUF     (16 * 1024)
#define STREAMLOCAL  "direct-streamlocal@openssh.com"

struct tunnel_link {
	int              fd;          /* libvirt's end; -1: the slot is free */
	LIBSSH2_CHANNEL *ch;
	char            *up;          /* from libvirt, not yet sent to the host; NULL: none */
	size_t           up_len, up_off;
	char            *down;        /* from the host, not yet given to libvirt; NULL: none */
	size_t           down_len, down_off;
	int              done;        /* an end finished: flush to libvirt, then close */
};

struct ssh_tunnel {
	char               path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char               dir[sizeof(((struct sockaddr_un *)0)->sun_path) - sizeof "/libvirt-sock" + 1];
	int                listen_fd, wake_fd;
	/* the session's socket, alone in an epoll set the pump polls: the
	 * caller of a session call turns it off and on (ssh_tunnel_watch)
	 * without waking the pump, which a change to its poll() set would */
	int                session_ep;
	char             **remote;
	size_t             nremote, remote_at;   /* the socket that answered last */
	LIBSSH2_CHANNEL   *spare;     /* opened by ssh_tunnel_offer for the next link */
	struct tunnel_link links[TUNNEL_LINKS];
	pthread_t          thread;
	int                running;
	atomic_int         stop;
};

/* The channel-open payload: string socket path, string reserved, uint32
 * reserved.  Returns its length, 0 when it does not fit. */
static size_t streamlocal_message(const char *path, unsigned char *buf, size_t cap)
{
	size_t n = strlen(path);
	if (n + 12 > cap || n > 0xffffffu)
		return 0;
	memset(buf, 0, n + 12);
	buf[0] = (unsigned char)(n >> 24), buf[1] = (unsigned char)(n >> 16);
	buf[2] = (unsigned char)(n >> 8), buf[3] = (unsigned char)n;
	memcpy(buf + 4, path, n);
	return n + 12;
}

static int outbound_blocked(struct ssh_conn *c)
{
	return (libssh2_session_block_directions(c->session) & LIBSSH2_SESSION_BLOCK_OUTBOUND) != 0;
}

/* Opens a channel to one remote socket, waiting up to deadline (lock
 * held).  NULL with *refused set when the server said no. */
static LIBSSH2_CHANNEL *open_channel(struct ssh_conn *c, const char *remote, int64_t deadline, int *refused)
{
	unsigned char msg[1024];
	size_t len = streamlocal_message(remote, msg, sizeof msg);
	LIBSSH2_CHANNEL *ch;
	*refused = 0;
	if (!len)
		return NULL;
	while (!(ch = libssh2_channel_open_ex(c->session, STREAMLOCAL, sizeof STREAMLOCAL - 1,
					      LIBSSH2_CHANNEL_WINDOW_DEFAULT, LIBSSH2_CHANNEL_PACKET_DEFAULT,
					      (const char *)msg, (unsigned)len))) {
		int rc = libssh2_session_last_errno(c->session);
		if (rc == LIBSSH2_ERROR_CHANNEL_FAILURE) {
			*refused = 1;
			return NULL;
		}
		if (rc != LIBSSH2_ERROR_EAGAIN || ssh_wait(c, deadline) < 0) {
			/* an open left half-way holds libssh2's session-wide open state */
			c->connected = 0;
			return NULL;
		}
	}
	return ch;
}

/* A channel to the first remote socket that answers, starting with the
 * last one that did; NULL with the reason in err. */
static LIBSSH2_CHANNEL *open_remote(struct ssh_conn *c, struct ssh_tunnel *t, struct vd_err *err)
{
	int64_t deadline = now_ms() + c->io_timeout_ms;
	char why[512] = "";
	for (size_t i = 0; i < t->nremote && c->connected; i++) {
		size_t at = (t->remote_at + i) % t->nremote;
		int refused;
		LIBSSH2_CHANNEL *ch = open_channel(c, t->remote[at], deadline, &refused);
		if (ch) {
			t->remote_at = at;
			return ch;
		}
		size_t used = strlen(why);
		snprintf(why + used, sizeof why - used, "%s%s: %s", used ? "; " : "", t->remote[at],
			 refused ? ssh_last_error(c) : "no answer");
	}
	if (!c->connected)
		err_set(err, VD_EUNREACH, "SSH connection to %s lost while opening the libvirt tunnel (%s)",
			c->host_name, ssh_last_error(c));
	else
		err_set(err, VD_ELIBVIRT, "no libvirt daemon socket on %s answers through SSH (%s)",
			c->host_name, why);
	return NULL;
}

static char *take_buf(char **buf)
{
	if (!*buf)
		*buf = x_malloc(LINK_BUF);
	return *buf;
}

static void drop_buf(char **buf)
{
	free(*buf);
	*buf = NULL;
}

static void link_close(struct ssh_conn *c, struct tunnel_link *l)
{
	close(l->fd);
	l->fd = -1;
	if (l->ch)
		ssh_channel_finish_or_park(c, l->ch, now_ms() + 200);
	l->ch = NULL;
	l->up_len = l->up_off = l->down_len = l->down_off = 0;
	l->done = 0;
	drop_buf(&l->up);
	drop_buf(&l->down);
}

/* Reading the channel may send a window adjustment: a half-sent one is
 * finished before anything else touches the session. */
static ssize_t channel_read(struct ssh_conn *c, LIBSSH2_CHANNEL *ch, char *buf, size_t len, int64_t deadline)
{
	ssize_t n;
	while ((n = libssh2_channel_read(ch, buf, len)) == LIBSSH2_ERROR_EAGAIN && outbound_blocked(c))
		if (ssh_wait(c, deadline) < 0)
			return LIBSSH2_ERROR_SOCKET_SEND;
	return n;
}

static ssize_t channel_write(struct ssh_conn *c, LIBSSH2_CHANNEL *ch, const char *buf, size_t len,
			     int64_t deadline)
{
	ssize_t n;
	while ((n = libssh2_channel_write(ch, buf, len)) == LIBSSH2_ERROR_EAGAIN && outbound_blocked(c))
		if (ssh_wait(c, deadline) < 0)
			return LIBSSH2_ERROR_SOCKET_SEND;
	return n;
}

static void channel_failed(struct ssh_conn *c, struct tunnel_link *l, ssize_t rc)
{
	if (ssh_session_broken((int)rc))
		c->connected = 0;
	l->done = 1;
}

/* Host to libvirt, until either side would block.  *sweep: this read may
 * be made with nothing queued for the link, to take what waits on the
 * socket (and clears it); otherwise the link is read only when libssh2
 * already holds something for it.  So a pass reads an empty socket once,
 * not once per link, and ssh_wait's pass (its caller's own call has just
 * read the socket) not at all; a read for queued bytes still takes what
 * else came, ssh_wait's `reading` check covers that. */
static void move_down(struct ssh_conn *c, struct tunnel_link *l, int64_t deadline, int *sweep)
{
	for (;;) {
		while (l->down_off < l->down_len) {
			ssize_t n = send(l->fd, l->down + l->down_off, l->down_len - l->down_off,
					 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return;   /* the rest waits in the buffer */
			if (n <= 0) {   /* libvirt hung up: what is left has no reader */
				l->done = 1;
				l->down_off = l->down_len = 0;
				drop_buf(&l->down);
				return;
			}
			l->down_off += (size_t)n;
		}
		l->down_off = l->down_len = 0;
		if (l->done) {
			drop_buf(&l->down);
			return;
		}
		if (!*sweep && !ssh_channel_pending(l->ch)) {
			drop_buf(&l->down);
			return;
		}
		*sweep = 0;
		ssize_t n = channel_read(c, l->ch, take_buf(&l->down), LINK_BUF, deadline);
		if (n > 0) {
			l->down_len = (size_t)n;
			continue;
		}
		drop_buf(&l->down);
		if (n == 0 || libssh2_channel_eof(l->ch))
			l->done = libssh2_channel_eof(l->ch);   /* the daemon closed */
		else if (n != LIBSSH2_ERROR_EAGAIN)
			channel_failed(c, l, n);
		return;
	}
}

/* libvirt to the host, until either side would block (a full window too). */
static void move_up(struct ssh_conn *c, struct tunnel_link *l, int64_t deadline)
{
	for (;;) {
		if (l->up_off < l->up_len) {
			ssize_t n = channel_write(c, l->ch, l->up + l->up_off, l->up_len - l->up_off, deadline);
			if (n == LIBSSH2_ERROR_EAGAIN)
				return;   /* the rest waits in the buffer */
			if (n < 0) {
				channel_failed(c, l, n);
				return;
			}
			l->up_off += (size_t)n;
			continue;
		}
		l->up_off = l->up_len = 0;
		if (l->done) {
			drop_buf(&l->up);
			return;
		}
		ssize_t n = recv(l->fd, take_buf(&l->up), LINK_BUF, MSG_DONTWAIT);
		if (n > 0) {
			l->up_len = (size_t)n;
			continue;
		}
		int again = n < 0 && (errno == EAGAIN || errno == EINTR);
		drop_buf(&l->up);
		if (!again)
			l->done = 1;   /* libvirt closed the connection */
		return;
	}
}

/* One pass over the links (lock held).  From the pump (may_wait), also
 * closes finished links, and reads the socket once; from ssh_wait, only
 * what libssh2 holds. */
static void move_all(struct ssh_conn *c, struct ssh_tunnel *t, int may_wait)
{
	int sweep = may_wait;
	int64_t deadline = now_ms() + c->io_timeout_ms;
	if (c->connected && outbound_blocked(c))
		return;   /* another call's packet is half-sent: it goes first */
	c->in_tunnel = 1;
	for (int i = 0; i < TUNNEL_LINKS; i++) {
		struct tunnel_link *l = &t->links[i];
		if (l->fd < 0)
			continue;
		if (!c->connected) {
			l->done = 1, l->down_len = l->down_off = 0;
		} else {
			move_down(c, l, deadline, &sweep);
			move_up(c, l, deadline);
		}
		if (l->done && l->down_off == l->down_len && (may_wait || !c->connected)) {
			if (!c->connected)
				l->ch = NULL;   /* freed with the session */
			link_close(c, l);
		}
	}
	c->in_tunnel = 0;
}

/* A new libvirt connection gets the spare channel or a new one. */
/* Takes libvirt's new connections; returns how many became links. */
static int accept_links(struct ssh_conn *c, struct ssh_tunnel *t)
{
	int fd, linked = 0;
	while ((fd = accept4(t->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct tunnel_link *l = NULL;
		for (int i = 0; i < TUNNEL_LINKS && !l; i++)
			if (t->links[i].fd < 0)
				l = &t->links[i];
		LIBSSH2_CHANNEL *ch = NULL;
		if (l && c->connected) {
			struct vd_err err;
			err_clear(&err);
			c->in_tunnel = 1;
			ch = t->spare ? t->spare : open_remote(c, t, &err);
			c->in_tunnel = 0;
			t->spare = NULL;
		}
		if (!ch) {   /* libvirt reads end-of-file and reports it */
			close(fd);
			continue;
		}
		l->fd = fd;
		l->ch = ch;
		l->done = 0;
		linked++;
	}
	return linked;
}

static int link_fds(struct ssh_tunnel *t, struct pollfd *pf, int max)
{
	int n = 0;
	for (int i = 0; i < TUNNEL_LINKS && n < max; i++) {
		struct tunnel_link *l = &t->links[i];
		if (l->fd < 0)
			continue;
		short ev = 0;
		if (l->down_off < l->down_len)
			ev |= POLLOUT;
		else if (!l->done && l->up_off == l->up_len)
			ev |= POLLIN;
		if (ev)
			pf[n++] = (struct pollfd){ .fd = l->fd, .events = ev };
	}
	return n;
}

static void *pump_main(void *arg)
{
	struct ssh_conn *c = arg;
	pthread_setname_np(pthread_self(), "vdeck-tunnel");   /* top -H, perf */
	struct ssh_tunnel *t = c->tunnel;
	struct pollfd pf[3 + TUNNEL_LINKS];
	/* accept4 only when the listening socket is readable: each pass of
	 * the pump is syscalls on every link, and a pass per poll is enough. */
	int listen_ready = 1;
	for (;;) {
		int timeout = -1, next = 0;
		pthread_mutex_lock(&c->lock);   /* not ssh_conn_lock: the pump is no call */
		if (atomic_load(&t->stop)) {
			pthread_mutex_unlock(&c->lock);
			break;
		}
		move_all(c, t, 1);
		if (listen_ready && accept_links(c, t))
			move_all(c, t, 1);   /* a new link may have its first request waiting */
		int n = 0;
		pf[n++] = (struct pollfd){ .fd = t->wake_fd, .events = POLLIN };
		pf[n++] = (struct pollfd){ .fd = t->listen_fd, .events = POLLIN };
		if (c->connected) {
			pf[n++] = (struct pollfd){ .fd = t->session_ep, .events = POLLIN };
			if (c->keepalive_s > 0 && libssh2_keepalive_send(c->session, &next) == 0 && next > 0)
				timeout = next * 1000;
		}
		n += link_fds(t, pf + n, TUNNEL_LINKS);
		pthread_mutex_unlock(&c->lock);   /* no kick: this is the pump */
		if (poll(pf, (nfds_t)n, timeout) < 0) {
			pf[0].revents = 0;
			pf[1].revents = POLLIN;   /* unknown: look */
			if (errno != EINTR)
				sleep_ms(10);
		}
		listen_ready = pf[1].revents != 0;
		if (pf[0].revents) {
			eventfd_t v;
			eventfd_read(t->wake_fd, &v);
		}
	}
	return NULL;
}

int ssh_tunnel_move(struct ssh_conn *c, struct pollfd *pf, int max)
{
	struct ssh_tunnel *t = c->tunnel;
	move_all(c, t, 0);
	if (outbound_blocked(c))
		return 0;   /* the caller waits for the socket; the links must wait too */
	return link_fds(t, pf, max);
}

/* What a call on the session may leave that the pump's poll() cannot
 * see: bytes for a link in libssh2's queue, a link's bytes half-moved
 * (it polls for them only when they were there as it went to sleep), a
 * link finished, or the session gone.  Anything else (the session's socket,
 * libvirt's sockets) wakes the pump by itself. */
int ssh_tunnel_needs_pump(struct ssh_conn *c)
{
	struct ssh_tunnel *t = c->tunnel;
	if (!c->connected)
		return 1;
	for (int i = 0; i < TUNNEL_LINKS; i++) {
		const struct tunnel_link *l = &t->links[i];
		if (l->fd >= 0 && (l->done || l->up_off < l->up_len || l->down_off < l->down_len ||
				   (l->ch && ssh_channel_pending(l->ch))))
			return 1;
	}
	return 0;
}

void ssh_tunnel_watch(struct ssh_conn *c, int on)
{
	struct epoll_event ev = { .events = on ? EPOLLIN : 0 };
	epoll_ctl(c->tunnel->session_ep, EPOLL_CTL_MOD, c->fd, &ev);
}

void ssh_tunnel_kick(struct ssh_conn *c)
{
	eventfd_write(c->tunnel->wake_fd, 1);
}

/* A private directory for the socket: 0700, made by mkdtemp. */
static int make_dir(struct ssh_tunnel *t)
{
	const char *bases[] = { getenv("XDG_RUNTIME_DIR"), getenv("TMPDIR"), "/tmp" };
	for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
		if (!bases[i] || bases[i][0] != '/')
			continue;
		int len = snprintf(t->dir, sizeof t->dir, "%s/vdeck-lv.XXXXXX", bases[i]);
		if (len < 0 || (size_t)len >= sizeof t->dir)
			continue;
		if (mkdtemp(t->dir)) {
			snprintf(t->path, sizeof t->path, "%s/libvirt-sock", t->dir);
			return 0;
		}
	}
	return -1;
}

static int listen_local(struct ssh_tunnel *t, struct vd_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (make_dir(t) < 0)
		return err_set(err, VD_EIO, "cannot make a private directory for the libvirt tunnel: %s",
			       strerror(errno));
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", t->path);
	t->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->listen_fd < 0 || bind(t->listen_fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(t->listen_fd, TUNNEL_LINKS) < 0)
		return err_set(err, VD_EIO, "cannot listen on %s for the libvirt tunnel: %s", t->path,
			       strerror(errno));
	return 0;
}

static void tunnel_free(struct ssh_tunnel *t)
{
	for (int i = 0; i < TUNNEL_LINKS; i++) {
		if (t->links[i].fd >= 0)
			close(t->links[i].fd);
		free(t->links[i].up);
		free(t->links[i].down);
	}
	if (t->listen_fd >= 0)
		close(t->listen_fd);
	if (t->wake_fd >= 0)
		close(t->wake_fd);
	if (t->session_ep >= 0)
		close(t->session_ep);
	if (t->path[0])
		unlink(t->path);
	if (t->dir[0])
		rmdir(t->dir);
	for (size_t i = 0; i < t->nremote; i++)
		free(t->remote[i]);
	free(t->remote);
	free(t);
}

static int tunnel_start(struct ssh_conn *c, const char *const *remote, size_t nremote, struct vd_err *err)
{
	struct ssh_tunnel *t = x_calloc(1, sizeof *t);
	t->listen_fd = t->wake_fd = t->session_ep = -1;
	for (int i = 0; i < TUNNEL_LINKS; i++)
		t->links[i].fd = -1;
	t->remote = x_calloc(nremote, sizeof *t->remote);
	for (size_t i = 0; i < nremote; i++)
		t->remote[t->nremote++] = x_strdup(remote[i]);
	if (listen_local(t, err) < 0)
		goto fail;
	t->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t->wake_fd < 0) {
		err_set(err, VD_EIO, "cannot create the libvirt tunnel's eventfd: %s", strerror(errno));
		goto fail;
	}
	/* off: the caller (ssh_tunnel_offer) holds the session */
	struct epoll_event ev = { .events = 0 };
	t->session_ep = epoll_create1(EPOLL_CLOEXEC);
	if (t->session_ep < 0 || epoll_ctl(t->session_ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
		err_set(err, VD_EIO, "cannot create the libvirt tunnel's epoll set: %s", strerror(errno));
		goto fail;
	}
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256u << 10);
	c->tunnel = t;
	if (pthread_create(&t->thread, &attr, pump_main, c) != 0) {
		pthread_attr_destroy(&attr);
		c->tunnel = NULL;
		err_set(err, VD_EIO, "cannot start the libvirt tunnel's thread for %s", c->host_name);
		goto fail;
	}
	pthread_attr_destroy(&attr);
	t->running = 1;
	return 0;
fail:
	tunnel_free(t);
	return -1;
}

int ssh_tunnel_offer(struct ssh_conn *c, const char *const *remote, size_t nremote, const char **local,
		     struct vd_err *err)
{
	if (!c->connected)
		return err_set(err, VD_EUNREACH, "SSH connection to %s is closed", c->host_name);
	if (!nremote)
		return err_set(err, VD_EINVAL, "no libvirt socket to tunnel to");
	if (!c->tunnel && tunnel_start(c, remote, nremote, err) < 0)
		return -1;
	struct ssh_tunnel *t = c->tunnel;
	/* Opened now, so a host without a daemon socket says so here, not as
	 * an end-of-file inside libvirt; the pump hands it to the next link. */
	if (!t->spare) {
		c->in_tunnel = 1;
		t->spare = open_remote(c, t, err);
		c->in_tunnel = 0;
		if (!t->spare)
			return -1;
	}
	*local = t->path;
	return 0;
}

LIBSSH2_CHANNEL *ssh_tunnel_channel(struct ssh_conn *c, struct vd_err *err)
{
	if (!c->tunnel) {
		err_set(err, VD_EUNSUPPORTED, "no libvirt tunnel on the SSH session to %s", c->host_name);
		return NULL;
	}
	c->in_tunnel = 1;   /* as for the spare: opening waits for the server */
	LIBSSH2_CHANNEL *ch = open_remote(c, c->tunnel, err);
	c->in_tunnel = 0;
	return ch;
}

void ssh_tunnel_close(struct ssh_conn *c)
{
	struct ssh_tunnel *t = c->tunnel;
	if (!t)
		return;
	atomic_store(&t->stop, 1);
	eventfd_write(t->wake_fd, 1);
	if (t->running)
		pthread_join(t->thread, NULL);
	c->tunnel = NULL;
	/* channels (and the spare) go with the session */
	tunnel_free(t);
}

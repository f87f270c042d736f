/* ssh_session.c — opening and closing one SSH connection.
 *
 * Order matters: known_hosts is read first (to prefer the key types it
 * holds), then TCP connect, handshake, host-key verification, and only then
 * authentication, so no credential is ever offered to an unverified host. */
#include "conn/ssh_conn.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "core/xalloc.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;

static void init_libssh2(void)
{
	init_rc = libssh2_init(0);
}

#define TUNNEL_POLLFDS 16

int ssh_wait(struct ssh_conn *c, int64_t deadline)
{
	int64_t left = deadline - now_ms();
	int dir, next = 0, npf = 2;
	struct pollfd pf[2 + TUNNEL_POLLFDS] = { { .fd = c->fd }, { .fd = c->cancel_fd, .events = POLLIN } };
	LIBSSH2_CHANNEL *reading = c->reading;
	c->reading = NULL;
	if (left <= 0)
		return -1;
	/* Bytes for libvirt may sit in libssh2 or on its socket while the
	 * pump thread waits for the lock this caller holds: moved here.  That
	 * reads the socket: the caller's own channel may have got its reply
	 * meanwhile, and then it reads again instead of sleeping (a poll
	 * waited for libvirtd's next keepalive, seconds, with its reply in
	 * memory). */
	if (c->tunnel && !c->in_tunnel) {
		npf += ssh_tunnel_move(c, pf + 2, TUNNEL_POLLFDS);
		if (reading && ssh_channel_pending(reading))
			return 0;
	}
	dir = libssh2_session_block_directions(c->session);
	if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
		pf[0].events |= POLLIN;
	if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
		pf[0].events |= POLLOUT;
	if (!pf[0].events)
		left = left > 10 ? 10 : left;  /* nothing to wait for: just yield */
	if (c->keepalive_s > 0)
		libssh2_keepalive_send(c->session, &next);
	if (poll(pf, (nfds_t)npf, (int)left) < 0 && errno != EINTR)
		return -1;
	if (pf[1].revents)
		return -1;   /* cancelled: every wait from now on fails at once */
	return 0;
}

const char *ssh_last_error(struct ssh_conn *c)
{
	char *msg = NULL;
	if (!c->session || libssh2_session_last_error(c->session, &msg, NULL, 0) == 0 || !msg)
		return "unknown error";
	return msg;
}

static int handshake(struct ssh_conn *c, const struct transport_params *p, struct vd_err *err)
{
	int64_t deadline = now_ms() + c->io_timeout_ms;
	int rc;
	while ((rc = libssh2_session_handshake(c->session, c->fd)) == LIBSSH2_ERROR_EAGAIN)
		if (ssh_wait(c, deadline) < 0)
			return err_set(err, VD_EUNREACH,
				       "SSH handshake with %s port %d timed out after %d ms "
				       "(no SSH server answering?)", p->address, p->port,
				       c->io_timeout_ms);
	if (rc == LIBSSH2_ERROR_SOCKET_RECV || rc == LIBSSH2_ERROR_SOCKET_SEND ||
	    rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_BANNER_RECV)
		return err_set(err, VD_EUNREACH, "SSH handshake with %s port %d: connection lost (%s)",
			       p->address, p->port, ssh_last_error(c));
	if (rc)
		return err_set(err, VD_ESSH, "SSH handshake with %s port %d failed: %s",
			       p->address, p->port, ssh_last_error(c));
	return 0;
}

struct ssh_conn *ssh_conn_open(const struct transport_params *p, struct vd_err *err)
{
	struct ssh_conn *c;
	struct strbuf known;
	pthread_once(&init_once, init_libssh2);
	if (init_rc != 0) {
		err_set(err, VD_ESSH, "libssh2 initialisation failed (%d)", init_rc);
		return NULL;
	}
	sb_init(&known);
	c = x_calloc(1, sizeof *c);
	pthread_mutex_init(&c->lock, NULL);
	atomic_init(&c->calls, 0);
	c->fd = -1;
	c->cancel_fd = p->cancel_fd;
	snprintf(c->host_name, sizeof c->host_name, "%s", p->host_name ? p->host_name : p->address);
	c->io_timeout_ms = p->io_timeout_ms;
	c->keepalive_s = p->keepalive_s;
	if (ssh_known_hosts_read(p->known_hosts, &known, err) < 0)
		goto fail;
	if ((c->fd = ssh_tcp_connect(p->address, p->port, p->connect_timeout_ms, p->cancel_fd, err)) < 0)
		goto fail;
	c->session = libssh2_session_init_ex(NULL, NULL, NULL, c);
	if (!c->session) {
		err_set(err, VD_ESSH, "cannot create an SSH session");
		goto fail;
	}
	libssh2_session_set_blocking(c->session, 0);
	ssh_hostkey_prefer(c, &known, p);
	if (handshake(c, p, err) < 0)
		goto fail;
	c->connected = 1;   /* from here, close says goodbye to the server */
	if (ssh_hostkey_verify(c, &known, p, err) < 0 || ssh_authenticate(c, p, err) < 0)
		goto fail;
	if (c->keepalive_s > 0)
		libssh2_keepalive_config(c->session, 1, (unsigned)c->keepalive_s);
	sb_free(&known);
	return c;
fail:
	sb_free(&known);
	ssh_conn_close(&c);
	return NULL;
}

void ssh_conn_close(struct ssh_conn **cp)
{
	struct ssh_conn *c = *cp;
	if (!c)
		return;
	ssh_tunnel_close(c);
	if (c->session) {
		int64_t deadline = now_ms() + 200;
		if (c->connected)
			while (libssh2_session_disconnect(c->session, "bye") == LIBSSH2_ERROR_EAGAIN)
				if (ssh_wait(c, deadline) < 0)
					break;
		/* A peer that stopped reading must not stall session_free: once
		 * the socket is shut down every pending send fails at once. */
		shutdown(c->fd, SHUT_RDWR);
		deadline = now_ms() + 200;
		while (libssh2_session_free(c->session) == LIBSSH2_ERROR_EAGAIN)
			if (ssh_wait(c, deadline) < 0)
				break;   /* leaks the session rather than hang */
	}
	if (c->fd >= 0)
		close(c->fd);
	pthread_mutex_destroy(&c->lock);
	x_free(cp);
}

/* The pump would wake on every packet of the call's reply only to wait
 * for the lock (two switches per packet, most of its CPU): it is told not
 * to watch the socket meanwhile.  c->tunnel is the calling thread's to
 * start and close, so reading it here is safe. */
void ssh_conn_lock(struct ssh_conn *c)
{
	if (atomic_fetch_add(&c->calls, 1) == 0 && c->tunnel)
		ssh_tunnel_watch(c, 0);
	pthread_mutex_lock(&c->lock);
}

void ssh_conn_unlock(struct ssh_conn *c)
{
	int kick = c->tunnel && ssh_tunnel_needs_pump(c);
	pthread_mutex_unlock(&c->lock);
	if (atomic_fetch_sub(&c->calls, 1) == 1 && c->tunnel)
		ssh_tunnel_watch(c, 1);   /* what came meanwhile wakes it at once */
	if (kick)
		ssh_tunnel_kick(c);
}

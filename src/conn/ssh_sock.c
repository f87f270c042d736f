/* ssh_sock.c — TCP connect with a hard deadline.
 *
 * A blocking connect() to a host whose packets are dropped waits for the
 * kernel's SYN retries (minutes); here the socket is non-blocking and the
 * wait is a poll() bounded by the connect timeout, shared by every address
 * the name resolves to.  The cancel fd, polled beside it, ends the wait at
 * once when the worker stops. */
#include "conn/ssh_conn.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/fd_room.h"
#include "core/timeutil.h"

/* 0 connected, -1 failed (errno set; ETIMEDOUT at the deadline,
 * ECANCELED when cancel_fd turned readable). */
static int try_addr(const struct addrinfo *ai, int64_t deadline, int cancel_fd, int *fd_out)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			ai->ai_protocol);
	int one = 1, soerr = 0;
	socklen_t sl = sizeof soerr;
	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS)
			goto fail;
		for (;;) {
			struct pollfd pf[2] = { { .fd = fd, .events = POLLOUT },
						{ .fd = cancel_fd, .events = POLLIN } };
			int64_t left = deadline - now_ms();
			int r;
			if (left <= 0) {
				errno = ETIMEDOUT;
				goto fail;
			}
			r = poll(pf, cancel_fd >= 0 ? 2 : 1, (int)left);
			if (r > 0 && pf[1].revents) {
				errno = ECANCELED;
				goto fail;
			}
			if (r > 0)
				break;
			if (r < 0 && errno != EINTR)
				goto fail;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
			goto fail;
		if (soerr) {
			errno = soerr;
			goto fail;
		}
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	*fd_out = fd;
	return 0;
fail:
	soerr = errno;
	close(fd);
	errno = soerr;
	return -1;
}

int ssh_tcp_connect(const char *address, int port, int timeout_ms, int cancel_fd,
		    struct vd_err *err)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV }, *res = NULL;
	char portstr[16];
	int64_t deadline = now_ms() + timeout_ms;
	int rc, fd = -1, last = 0;
	snprintf(portstr, sizeof portstr, "%d", port);
	/* the socket: not out of the room libvirt's connections were given
	 * (core/fd_room.h) */
	if (fd_room_take(1, err) < 0)
		return -1;
	rc = getaddrinfo(address, portstr, &hints, &res);
	if (rc != 0) {
		fd_room_give(1, 0);
		return err_set(err, VD_EUNREACH, "cannot resolve %s: %s", address, gai_strerror(rc));
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		if (try_addr(ai, deadline, cancel_fd, &fd) == 0)
			break;
		last = errno;
		if (last == ETIMEDOUT || last == ECANCELED)
			break;
	}
	freeaddrinfo(res);
	fd_room_give(1, 0);
	if (fd >= 0)
		return fd;
	if (last == ETIMEDOUT)
		return err_set(err, VD_EUNREACH, "connect to %s port %d timed out after %d ms",
			       address, port, timeout_ms);
	err_set(err, VD_EUNREACH, "connect to %s port %d: %s", address, port, strerror(last));
	err->sys_code = last;
	return -1;
}

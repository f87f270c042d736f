/* test_fleet_stop.c — stopping the workers never waits on a host, and a
 * worker that comes back from libvirt after fleet_stop() still finds what
 * it reads.  One host's libvirt URI points at a listener that accepts and
 * says nothing (libvirt's open cannot be interrupted); the model and the
 * inventory are freed right after fleet_stop(), as main.c does, and only
 * then does the listener hang up.  The sanitizer build of this test reports
 * any read of freed memory and anything the late worker fails to free. */
#include "check.h"

#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn/fleet.h"
#include "core/timeutil.h"
#include "core/xalloc.h"

static int listen_fd;
static atomic_int accepted, hang_up;

/* Accepts one connection, holds it silent until told, then closes it. */
static void *silent_peer(void *arg)
{
	(void)arg;
	int fd = accept(listen_fd, NULL, NULL);
	atomic_store(&accepted, 1);
	while (!atomic_load(&hang_up))
		sleep_ms(10);
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int silent_listener(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(listen_fd, 4) < 0 || getsockname(listen_fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	return ntohs(a.sin_port);
}

static int thread_count(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static int wait_until(atomic_int *flag, int ms)
{
	int64_t deadline = now_ms() + ms;
	while (!atomic_load(flag) && now_ms() < deadline)
		sleep_ms(10);
	return atomic_load(flag);
}

int main(void)
{
	int port = silent_listener();
	CHECK(port > 0);
	if (port <= 0)
		return check_summary();
	pthread_t peer;
	pthread_create(&peer, NULL, silent_peer, NULL);

	struct inventory inv;
	memset(&inv, 0, sizeof inv);
	struct host_config *h = inventory_add(&inv);
	h->name = x_strdup("stuck");
	h->transport = HT_NONE;
	h->libvirt_uri = x_asprintf("qemu+tcp://127.0.0.1:%d/system", port);
	h = inventory_add(&inv);
	h->name = x_strdup("fine");
	h->transport = HT_NONE;
	h->libvirt_uri = x_strdup("test:///default");
	struct cluster c;
	cluster_init(&c, &inv);
	struct fleet_opts fo = { .connect_timeout_ms = 10000, .poll = 1 };
	struct vd_err err;
	err_clear(&err);
	struct fleet *f = fleet_start(&c, &fo, &err);
	CHECK(f != NULL);
	if (!f)
		return check_summary();
	CHECK(wait_until(&accepted, 5000));   /* the worker is inside libvirt's open */
	sleep_ms(200);

	int64_t t0 = now_ms();
	fleet_stop(&f);
	CHECK(now_ms() - t0 < 1000);
	CHECK(f == NULL);
	int threads = thread_count();
	cluster_free(&c);
	inventory_free(&inv);

	/* The open fails now; the worker finishes and frees what it shared
	 * (threads counted the peer too, which ends here). */
	atomic_store(&hang_up, 1);
	pthread_join(peer, NULL);
	int64_t deadline = now_ms() + 5000;
	while (thread_count() > threads - 2 && now_ms() < deadline)
		sleep_ms(10);
	CHECK_INT(thread_count(), threads - 2);
	close(listen_fd);
	return check_summary();
}

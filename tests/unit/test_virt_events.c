/* test_virt_events.c — the event loop libvirt's client runs on
 * (conn/virt_events.c), through libvirt's public virEvent* calls: a watch
 * fires for its events on the loop's thread, a watch set to no events is
 * quiet even on a hang-up, a removal's free callback runs once, on the
 * loop's thread; timers fire at their period, stop when set off,
 * and a timer moved sooner wakes the sleeping loop.  And what the loop is
 * for: a watch switched off and on again, and a timer moved later (what
 * every RPC call does to its connection's watch and keepalive timer) wake
 * nobody.  Domain events of libvirt's test driver reach their callback,
 * and callers racing to set libvirt up (virt_global_init) start one loop.
 * A start that fails for want of descriptors leaves none behind, and the
 * next try starts the loop. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "conn/virt.h"
#include "core/timeutil.h"
#include "check.h"
#include "thread_wakes.h"

static atomic_int fired, fired_events, freed, freed_on_loop, on_loop;
static pthread_t main_thread;

static int wait_for(atomic_int *v, int want, int ms)
{
	int64_t end = now_ms() + ms;
	while (atomic_load(v) < want && now_ms() < end)
		sleep_ms(2);
	return atomic_load(v) >= want;
}

static void on_fd(int watch, int fd, int events, void *opaque)
{
	(void)fd;
	(void)opaque;
	atomic_store(&fired_events, events);
	atomic_store(&on_loop, !pthread_equal(pthread_self(), main_thread));
	virEventUpdateHandle(watch, 0);   /* level-triggered: quiet it until the test asks again */
	atomic_fetch_add(&fired, 1);
}

static void on_free(void *opaque)
{
	(void)opaque;
	atomic_store(&freed_on_loop, !pthread_equal(pthread_self(), main_thread));
	atomic_fetch_add(&freed, 1);
}

static void test_watch(void)
{
	int p[2];
	CHECK(pipe(p) == 0);
	int w = virEventAddHandle(p[0], VIR_EVENT_HANDLE_READABLE, on_fd, NULL, on_free);
	CHECK(w > 0);
	sleep_ms(50);
	CHECK_INT(atomic_load(&fired), 0);   /* nothing to read: no call */

	CHECK(write(p[1], "x", 1) == 1);
	CHECK(wait_for(&fired, 1, 2000));
	CHECK_INT(atomic_load(&fired_events), VIR_EVENT_HANDLE_READABLE);
	CHECK(atomic_load(&on_loop));

	/* off: the unread byte and a hang-up do not call it */
	close(p[1]);
	sleep_ms(50);
	CHECK_INT(atomic_load(&fired), 1);

	/* on again: the byte and the hang-up are both there */
	virEventUpdateHandle(w, VIR_EVENT_HANDLE_READABLE);
	CHECK(wait_for(&fired, 2, 2000));
	CHECK(atomic_load(&fired_events) & VIR_EVENT_HANDLE_HANGUP);

	CHECK_INT(virEventRemoveHandle(w), 0);
	CHECK(wait_for(&freed, 1, 2000));
	CHECK(atomic_load(&freed_on_loop));   /* not inside the removal: libvirt may hold locks there */
	CHECK_INT(virEventRemoveHandle(w), -1);   /* gone */
	sleep_ms(50);
	CHECK_INT(atomic_load(&freed), 1);        /* once */
	close(p[0]);
}

/* Two watches on one descriptor (epoll takes a descriptor once). */
static void test_same_fd_twice(void)
{
	int p[2];
	CHECK(pipe(p) == 0);
	atomic_store(&fired, 0);
	int a = virEventAddHandle(p[0], VIR_EVENT_HANDLE_READABLE, on_fd, NULL, NULL);
	int b = virEventAddHandle(p[0], VIR_EVENT_HANDLE_READABLE, on_fd, NULL, NULL);
	CHECK(a > 0 && b > 0 && a != b);
	CHECK(write(p[1], "x", 1) == 1);
	CHECK(wait_for(&fired, 2, 2000));   /* each watch once: each quiets itself */
	CHECK_INT(virEventRemoveHandle(a), 0);
	CHECK_INT(virEventRemoveHandle(b), 0);
	close(p[0]);
	close(p[1]);
}

static atomic_int ticks;

static void on_tick(int timer, void *opaque)
{
	(void)timer;
	(void)opaque;
	atomic_fetch_add(&ticks, 1);
}

static void test_timers(void)
{
	int t = virEventAddTimeout(20, on_tick, NULL, on_free);
	CHECK(t > 0);
	sleep_ms(210);
	int n = atomic_load(&ticks);
	CHECK(n >= 4 && n <= 12);

	virEventUpdateTimeout(t, -1);   /* off */
	sleep_ms(30);
	n = atomic_load(&ticks);
	sleep_ms(100);
	CHECK_INT(atomic_load(&ticks), n);

	/* due in a minute, then moved to 10 ms: the loop, asleep for the
	 * minute, must wake for it */
	virEventUpdateTimeout(t, 60000);
	sleep_ms(50);
	CHECK_INT(atomic_load(&ticks), n);
	int64_t t0 = now_ms();
	virEventUpdateTimeout(t, 10);
	CHECK(wait_for(&ticks, n + 1, 2000));
	CHECK(now_ms() - t0 < 500);

	atomic_store(&freed, 0);
	CHECK_INT(virEventRemoveTimeout(t), 0);
	CHECK(wait_for(&freed, 1, 2000));
	n = atomic_load(&ticks);
	sleep_ms(60);
	CHECK_INT(atomic_load(&ticks), n);
	CHECK_INT(virEventRemoveTimeout(t), -1);
}

/* What each RPC call does: the caller reads its own reply, so libvirt
 * switches its connection's watch off and on again, and moves its
 * keepalive timer later.  None of it may wake the loop. */
static void test_calls_leave_the_loop_asleep(void)
{
	int p[2];
	CHECK(pipe(p) == 0);
	int w = virEventAddHandle(p[0], VIR_EVENT_HANDLE_READABLE, on_fd, NULL, NULL);
	int t = virEventAddTimeout(30000, on_tick, NULL, NULL);
	sleep_ms(50);
	long before = thread_wakes("vdeck-libvirt");
	for (int i = 0; i < 200; i++) {
		virEventUpdateHandle(w, 0);
		virEventUpdateTimeout(t, 30000);
		virEventUpdateHandle(w, VIR_EVENT_HANDLE_READABLE);
		if (i % 20 == 0)
			sleep_ms(1);   /* time for a woken loop to run */
	}
	sleep_ms(20);
	long after = thread_wakes("vdeck-libvirt");
	CHECK(before >= 0 && after - before < 5);
	virEventRemoveHandle(w);
	virEventRemoveTimeout(t);
	close(p[0]);
	close(p[1]);
}

static atomic_int lifecycle;

static int on_lifecycle(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
	(void)c;
	(void)d;
	(void)detail;
	(void)opaque;
	if (event == VIR_DOMAIN_EVENT_SUSPENDED)
		atomic_fetch_add(&lifecycle, 1);
	return 0;
}

static void test_domain_events(void)
{
	virConnectPtr c = virConnectOpen("test:///default");
	CHECK(c != NULL);
	if (!c)
		return;
	virDomainPtr d = virDomainLookupByName(c, "test");
	int cb = virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
						  VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), NULL, NULL);
	CHECK(d != NULL && cb >= 0);
	CHECK(d && virDomainSuspend(d) == 0);
	CHECK(wait_for(&lifecycle, 1, 2000));
	if (cb >= 0)
		virConnectDomainEventDeregisterAny(c, cb);
	if (d)
		virDomainFree(d);
	virConnectClose(c);
}

static atomic_int init_failed;

static void *init_libvirt(void *arg)
{
	(void)arg;
	struct vd_err err;
	err_clear(&err);
	if (virt_global_init(&err) < 0)
		atomic_fetch_add(&init_failed, 1);
	return NULL;
}

static int open_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n - 1;   /* the directory's own */
}

/* Room for one more descriptor only: the loop's epoll opens, its eventfd
 * cannot.  The epoll must not stay open. */
static void test_start_without_room(void)
{
	CHECK_INT(virInitialize(), 0);   /* libvirt's own set-up, with room */
	int lowest = dup(0);
	CHECK(lowest >= 0);
	close(lowest);
	struct rlimit was, tight;
	CHECK_INT(getrlimit(RLIMIT_NOFILE, &was), 0);
	int before = open_fds();
	tight = was;
	tight.rlim_cur = (rlim_t)lowest + 1;
	CHECK_INT(setrlimit(RLIMIT_NOFILE, &tight), 0);
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(virt_global_init(&err), -1);
	CHECK(strstr(err.msg, "libvirt's event loop") != NULL);
	CHECK_INT(setrlimit(RLIMIT_NOFILE, &was), 0);
	CHECK_INT(open_fds(), before);
}

/* Callers that race to set libvirt up start one loop between them. */
static void test_one_loop(void)
{
	pthread_t t[8];
	for (int i = 0; i < 8; i++)
		CHECK_INT(pthread_create(&t[i], NULL, init_libvirt, NULL), 0);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	int loops = 0;
	thread_wakes_n("vdeck-libvirt", &loops);
	CHECK_INT(atomic_load(&init_failed), 0);
	CHECK_INT(loops, 1);
}

int main(void)
{
	main_thread = pthread_self();
	test_start_without_room();
	test_one_loop();
	test_watch();
	test_same_fd_twice();
	test_timers();
	test_calls_leave_the_loop_asleep();
	test_domain_events();
	return check_summary();
}

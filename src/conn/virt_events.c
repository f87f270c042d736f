/* virt_events.c — the event loop libvirt's client runs on: epoll for its
 * sockets, a list for its timers, one thread.
 *
 * Why not libvirt's default loop (glib's): the thread that makes an RPC
 * call reads its own reply, so libvirt takes the connection's socket out
 * of the loop for the call and puts it back after, and glib wakes its loop
 * thread for both changes, which then polls every host's socket again.
 * At 128 hosts that cost about as much CPU as the calls themselves.  Here
 * a watch changed is one epoll_ctl, which the loop asleep in epoll_wait
 * sees as it is, and a timer moved later (keepalive moves its own on every
 * message) wakes nobody: the loop finds the new time when it wakes for
 * the old one.  Only a timer moved sooner, or a removal whose free
 * callback is due, wakes it. */
#include "conn/virt_events.h"

#include <errno.h>
#include <fcntl.h>
#include <libvirt/libvirt.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "core/xalloc.h"

#define WAKE_KEY 0   /* the epoll key of the loop's eventfd: ids start at 1 */

struct ev_watch {
	int                    id;
	int                    fd;          /* libvirt's, given back to its callback */
	int                    polled_fd;   /* in the epoll set: fd, or a dup when fd is in it already */
	int                    events;      /* VIR_EVENT_HANDLE_*; 0: out of the epoll set */
	virEventHandleCallback cb;
	void                  *opaque;
	virFreeCallback        ff;
	int                    removed;
};

struct ev_timer {
	int                     id;
	int                     period_ms;  /* -1: off; 0: on every pass of the loop */
	int64_t                 due;        /* monotonic ms */
	virEventTimeoutCallback cb;
	void                   *opaque;
	virFreeCallback         ff;
	int                     removed;
};

struct ev_release {   /* a free callback owed for a removed entry */
	virFreeCallback ff;
	void           *opaque;
};

static struct {
	pthread_mutex_t  lock;
	int              epfd, wakefd;
	pthread_t        thread;
	struct ev_watch *watches;
	size_t           nwatches, capwatches;
	struct ev_timer *timers;
	size_t           ntimers, captimers;
	int              last_id;
	int              removed;        /* removed entries wait for the loop */
	/* The loop sleeps until then (no timer: INT64_MAX); INT64_MIN while it
	 * is awake and will look at the timers before it sleeps again. */
	int64_t          asleep_until;
} L = { .lock = PTHREAD_MUTEX_INITIALIZER, .epfd = -1, .wakefd = -1, .asleep_until = INT64_MIN };

static void wake_loop(void)
{
	eventfd_write(L.wakefd, 1);
}

/* lock held */
static void wake_if_sooner(int64_t due)
{
	if (due < L.asleep_until) {
		L.asleep_until = INT64_MIN;
		wake_loop();
	}
}

static uint32_t to_epoll(int events)
{
	return ((events & VIR_EVENT_HANDLE_READABLE) ? EPOLLIN : 0) |
	       ((events & VIR_EVENT_HANDLE_WRITABLE) ? EPOLLOUT : 0);   /* errors and hang-ups always */
}

static int from_epoll(uint32_t e)
{
	return ((e & EPOLLIN) ? VIR_EVENT_HANDLE_READABLE : 0) | ((e & EPOLLOUT) ? VIR_EVENT_HANDLE_WRITABLE : 0) |
	       ((e & EPOLLERR) ? VIR_EVENT_HANDLE_ERROR : 0) | ((e & EPOLLHUP) ? VIR_EVENT_HANDLE_HANGUP : 0);
}

/* lock held; removed entries are not found */
static struct ev_watch *find_watch(int id)
{
	for (size_t i = 0; i < L.nwatches; i++)
		if (L.watches[i].id == id && !L.watches[i].removed)
			return &L.watches[i];
	return NULL;
}

static struct ev_timer *find_timer(int id)
{
	for (size_t i = 0; i < L.ntimers; i++)
		if (L.timers[i].id == id && !L.timers[i].removed)
			return &L.timers[i];
	return NULL;
}

/* Gives w the events wanted: in the epoll set with them, or out of it for
 * none (an fd left in with no events would still report hang-ups, over
 * and over while a calling thread owns the socket).  Lock held. */
static int watch_set(struct ev_watch *w, int events)
{
	struct epoll_event e = { .events = to_epoll(events), .data.u64 = (uint64_t)w->id };
	int was = w->events;
	w->events = events;
	if (!events)
		return was ? epoll_ctl(L.epfd, EPOLL_CTL_DEL, w->polled_fd, NULL) : 0;
	if (was)
		return epoll_ctl(L.epfd, EPOLL_CTL_MOD, w->polled_fd, &e);
	if (epoll_ctl(L.epfd, EPOLL_CTL_ADD, w->polled_fd, &e) == 0)
		return 0;
	if (errno == EEXIST && w->polled_fd == w->fd) {   /* a second watch on one fd */
		int dup_fd = fcntl(w->fd, F_DUPFD_CLOEXEC, 0);
		if (dup_fd >= 0 && epoll_ctl(L.epfd, EPOLL_CTL_ADD, dup_fd, &e) == 0) {
			w->polled_fd = dup_fd;
			return 0;
		}
		if (dup_fd >= 0)
			close(dup_fd);
	}
	w->events = 0;
	return -1;
}

static int add_handle(int fd, int events, virEventHandleCallback cb, void *opaque, virFreeCallback ff)
{
	pthread_mutex_lock(&L.lock);
	x_grow(&L.watches, &L.capwatches, L.nwatches + 1, sizeof *L.watches);
	struct ev_watch *w = &L.watches[L.nwatches];
	*w = (struct ev_watch){ .id = ++L.last_id, .fd = fd, .polled_fd = fd, .cb = cb, .opaque = opaque, .ff = ff };
	int id = w->id;
	if (watch_set(w, events) == 0)
		L.nwatches++;
	else
		id = -1;
	pthread_mutex_unlock(&L.lock);
	return id;
}

static void update_handle(int id, int events)
{
	pthread_mutex_lock(&L.lock);
	struct ev_watch *w = find_watch(id);
	if (w && w->events != events)
		watch_set(w, events);
	pthread_mutex_unlock(&L.lock);
}

/* The free callback runs later, on the loop's thread: libvirt may hold
 * locks here that it takes again in it. */
static int remove_handle(int id)
{
	pthread_mutex_lock(&L.lock);
	struct ev_watch *w = find_watch(id);
	if (w) {
		watch_set(w, 0);
		if (w->polled_fd != w->fd)
			close(w->polled_fd);
		w->removed = L.removed = 1;
		if (!pthread_equal(pthread_self(), L.thread))
			wake_loop();
	}
	pthread_mutex_unlock(&L.lock);
	return w ? 0 : -1;
}

static int add_timeout(int period_ms, virEventTimeoutCallback cb, void *opaque, virFreeCallback ff)
{
	pthread_mutex_lock(&L.lock);
	x_grow(&L.timers, &L.captimers, L.ntimers + 1, sizeof *L.timers);
	struct ev_timer *t = &L.timers[L.ntimers++];
	*t = (struct ev_timer){ .id = ++L.last_id, .period_ms = period_ms, .due = now_ms() + (period_ms > 0 ? period_ms : 0),
				.cb = cb, .opaque = opaque, .ff = ff };
	int id = t->id;
	if (period_ms >= 0)
		wake_if_sooner(t->due);
	pthread_mutex_unlock(&L.lock);
	return id;
}

static void update_timeout(int id, int period_ms)
{
	pthread_mutex_lock(&L.lock);
	struct ev_timer *t = find_timer(id);
	if (t) {
		t->period_ms = period_ms;
		if (period_ms >= 0) {
			t->due = now_ms() + period_ms;
			wake_if_sooner(t->due);
		}
	}
	pthread_mutex_unlock(&L.lock);
}

static int remove_timeout(int id)
{
	pthread_mutex_lock(&L.lock);
	struct ev_timer *t = find_timer(id);
	if (t) {
		t->removed = L.removed = 1;
		if (!pthread_equal(pthread_self(), L.thread))
			wake_loop();
	}
	pthread_mutex_unlock(&L.lock);
	return t ? 0 : -1;
}

/* Drops removed entries and runs their free callbacks, outside the lock
 * and outside any callback of theirs. */
static void reap(void)
{
	pthread_mutex_lock(&L.lock);
	if (!L.removed) {
		pthread_mutex_unlock(&L.lock);
		return;
	}
	struct ev_release *owed = x_calloc(L.nwatches + L.ntimers, sizeof *owed);
	size_t nowed = 0, kept = 0;
	for (size_t i = 0; i < L.nwatches; i++) {
		if (!L.watches[i].removed)
			L.watches[kept++] = L.watches[i];
		else if (L.watches[i].ff)
			owed[nowed++] = (struct ev_release){ L.watches[i].ff, L.watches[i].opaque };
	}
	L.nwatches = kept;
	kept = 0;
	for (size_t i = 0; i < L.ntimers; i++) {
		if (!L.timers[i].removed)
			L.timers[kept++] = L.timers[i];
		else if (L.timers[i].ff)
			owed[nowed++] = (struct ev_release){ L.timers[i].ff, L.timers[i].opaque };
	}
	L.ntimers = kept;
	L.removed = 0;
	pthread_mutex_unlock(&L.lock);
	for (size_t i = 0; i < nowed; i++)
		owed[i].ff(owed[i].opaque);
	free(owed);
}

/* How long the loop may sleep: -1 for no timer (lock held). */
static int sleep_ms_locked(int64_t now)
{
	int64_t next = INT64_MAX;
	for (size_t i = 0; i < L.ntimers; i++)
		if (!L.timers[i].removed && L.timers[i].period_ms >= 0 && L.timers[i].due < next)
			next = L.timers[i].due;
	L.asleep_until = next;
	if (next == INT64_MAX)
		return -1;
	if (next <= now) {
		L.asleep_until = INT64_MIN;
		return 0;
	}
	return next - now > INT_MAX ? INT_MAX : (int)(next - now);
}

static void dispatch_watch(int id, uint32_t epoll_events)
{
	pthread_mutex_lock(&L.lock);
	struct ev_watch *w = find_watch(id);
	int events = 0, fd = -1;
	virEventHandleCallback cb = NULL;
	void *opaque = NULL;
	if (w && w->events) {
		events = from_epoll(epoll_events) & (w->events | VIR_EVENT_HANDLE_ERROR | VIR_EVENT_HANDLE_HANGUP);
		fd = w->fd, cb = w->cb, opaque = w->opaque;
	}
	pthread_mutex_unlock(&L.lock);
	if (events)
		cb(id, fd, events, opaque);
}

/* Every timer due, each once.  By index, the lock taken again for each:
 * a callback may add or change timers (only reap() moves them). */
static void fire_timers(void)
{
	int64_t now = now_ms();
	for (size_t i = 0;; i++) {
		pthread_mutex_lock(&L.lock);
		if (i >= L.ntimers) {
			pthread_mutex_unlock(&L.lock);
			return;
		}
		struct ev_timer *t = &L.timers[i];
		int due = !t->removed && t->period_ms >= 0 && t->due <= now;
		int id = t->id;
		virEventTimeoutCallback cb = t->cb;
		void *opaque = t->opaque;
		if (due)
			t->due = now + t->period_ms;
		pthread_mutex_unlock(&L.lock);
		if (due)
			cb(id, opaque);
	}
}

static void *loop_main(void *arg)
{
	(void)arg;
	struct epoll_event evs[64];
	for (;;) {
		reap();
		pthread_mutex_lock(&L.lock);
		int timeout = sleep_ms_locked(now_ms());
		pthread_mutex_unlock(&L.lock);
		int n = epoll_wait(L.epfd, evs, (int)(sizeof evs / sizeof evs[0]), timeout);
		pthread_mutex_lock(&L.lock);
		L.asleep_until = INT64_MIN;
		pthread_mutex_unlock(&L.lock);
		if (n < 0 && errno != EINTR)
			sleep_ms(100);   /* not expected: do not spin */
		for (int i = 0; i < n; i++) {
			if (evs[i].data.u64 == WAKE_KEY) {
				eventfd_t v;
				eventfd_read(L.wakefd, &v);
			} else {
				dispatch_watch((int)evs[i].data.u64, evs[i].events);
			}
		}
		fire_timers();
	}
	return NULL;
}

/* A start that failed half-way leaves no descriptor behind (the caller
 * may try again on the next connect). */
static int close_loop_fds(void)
{
	if (L.epfd >= 0)
		close(L.epfd);
	if (L.wakefd >= 0)
		close(L.wakefd);
	L.epfd = L.wakefd = -1;
	return -1;
}

int virt_events_start(struct vd_err *err)
{
	L.epfd = epoll_create1(EPOLL_CLOEXEC);
	L.wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct epoll_event e = { .events = EPOLLIN, .data.u64 = WAKE_KEY };
	if (L.epfd < 0 || L.wakefd < 0 || epoll_ctl(L.epfd, EPOLL_CTL_ADD, L.wakefd, &e) < 0) {
		err_set(err, VD_EIO, "cannot set up libvirt's event loop: %s", strerror(errno));
		return close_loop_fds();
	}
	if (pthread_create(&L.thread, NULL, loop_main, NULL) != 0) {
		err_set(err, VD_EIO, "cannot start libvirt's event loop thread");
		return close_loop_fds();
	}
	pthread_setname_np(L.thread, "vdeck-libvirt");   /* top -H, perf; named before it can be seen */
	pthread_detach(L.thread);
	virEventRegisterImpl(add_handle, update_handle, remove_handle, add_timeout, update_timeout, remove_timeout);
	return 0;
}

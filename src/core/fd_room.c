/* fd_room.c — the soft descriptor limit raised and the descriptor table
 * sized for the cluster, before the first thread (see fd_room.h). */
#include "core/fd_room.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define FDS_PER_HOST 12   /* measured: 9.3 per host over SSH with libvirt's tunnel */
#define FDS_SPARE    16   /* kept free for the process's own files (audit, logs, /proc) */
#define FDS_OWN      64   /* stdio, the terminal, audit, Lua's files, libvirt's event loop */

size_t fd_room_needed(size_t nhosts)
{
	return FDS_OWN + nhosts * FDS_PER_HOST;
}

/* Opens a descriptor at or above n-1 and closes it: the kernel grows the
 * table to hold it, and never shrinks it. */
static void size_table(size_t n)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	int high = fcntl(fd, F_DUPFD_CLOEXEC, (int)(n - 1));
	if (high >= 0)
		close(high);
	close(fd);
}

static int short_of_room;   /* set before the first thread: see fd_room_take */

size_t fd_room_make(size_t need, struct vd_err *err)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		err_set(err, VD_EIO, "cannot read the file descriptor limit: %s", strerror(errno));
		return 0;
	}
	rlim_t want = (rlim_t)need;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rlim_t raised = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
		struct rlimit nl = { .rlim_cur = raised, .rlim_max = rl.rlim_max };
		if (setrlimit(RLIMIT_NOFILE, &nl) == 0)
			rl.rlim_cur = raised;
	}
	size_t room = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want ? need : (size_t)rl.rlim_cur;
	size_table(room);
	short_of_room = room < need;
	if (room < need)
		err_set(err, VD_ECONFIG, "the hosts need about %zu file descriptors and the limit is %zu "
			"(the hard limit): raise it (ulimit -Hn, LimitNOFILE=) or some hosts will fail to "
			"connect", need, room);
	return room;
}

/* The descriptors a connect under way will still make cannot be counted:
 * what it made so far is among the open ones, and the rest is not.  So a
 * burst of connects (from the first take until none is under way) counts
 * from the descriptors open when it began ("base"), to which each connect
 * that ends adds what it was given, but never past what is open then (the
 * connects that ended cannot hold more): the burst's estimate is the larger
 * of base + taken and what is open now.  Never less than the truth when
 * every connect takes at least what it makes. */
static pthread_mutex_t room_lock = PTHREAD_MUTEX_INITIALIZER;
static size_t taken;       /* by the connects under way */
static size_t under_way;
static size_t base;        /* open when the burst began, and given to the connects that ended in it */
static size_t kept;        /* for connections made: libvirt's, one each for its calls */

static size_t open_descriptors(void)
{
	size_t n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return 0;   /* no /proc: nothing to count, the open tells */
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;   /* the directory's own */
}

int fd_room_take(size_t n, struct vd_err *err)
{
	if (!short_of_room)
		return 0;
	struct rlimit rl;
	int bounded = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY;
	pthread_mutex_lock(&room_lock);
	size_t open_now = open_descriptors(), limit = bounded ? (size_t)rl.rlim_cur : 0;
	if (!under_way)
		base = open_now;
	size_t used = (open_now > base + taken ? open_now : base + taken) + kept;
	int fits = !bounded || used + n + FDS_SPARE <= limit;
	if (fits) {
		taken += n;
		under_way++;
	}
	pthread_mutex_unlock(&room_lock);
	if (fits)
		return 0;
	return err_set(err, VD_EIO, "no room for another connection's file descriptors (%zu of %zu in use or "
		       "kept): raise the limit (ulimit -Hn, LimitNOFILE=)", used, limit);
}

void fd_room_give(size_t n, int keep)
{
	if (!short_of_room)
		return;
	pthread_mutex_lock(&room_lock);
	size_t open_now = open_descriptors();
	taken -= n;
	under_way--;
	base = base + n < open_now ? base + n : open_now;
	kept += keep != 0;
	pthread_mutex_unlock(&room_lock);
}

void fd_room_release(void)
{
	if (!short_of_room)
		return;
	pthread_mutex_lock(&room_lock);
	kept -= kept > 0;
	pthread_mutex_unlock(&room_lock);
}

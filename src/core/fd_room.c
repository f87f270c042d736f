/* fd_room.c — the soft descriptor limit raised and the descriptor table
 * sized for the cluster, before the first thread (see fd_room.h). */
#include "core/fd_room.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define FDS_PER_HOST 12   /* measured: 9.3 per host over SSH with libvirt's tunnel */
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
	if (room < need)
		err_set(err, VD_ECONFIG, "the hosts need about %zu file descriptors and the limit is %zu "
			"(the hard limit): raise it (ulimit -Hn, LimitNOFILE=) or some hosts will fail to "
			"connect", need, room);
	return room;
}

/* test_fd_room.c — core/fd_room.c: the soft descriptor limit is raised to
 * what the hosts need (never lowered, never past the hard limit, and a
 * shortfall is reported), and the descriptor table is sized at once, so a
 * thread that opens hundreds of descriptors later never grows it.  Short
 * of room, connections are let in while they fit (fd_room_take): the
 * descriptors open, those connects under way took and those kept for
 * connections made all count.  Each case runs in a child of its own:
 * limits, the table and the room are per process. */
#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/fd_room.h"
#include "check.h"

/* The descriptor table's size, from /proc/self/status. */
static long fd_table_size(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long n = -1;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "FDSize: %ld", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

static long soft_limit(void)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	return rl.rlim_cur == RLIM_INFINITY ? -1 : (long)rl.rlim_cur;
}

static int set_limits(rlim_t soft, rlim_t hard)
{
	struct rlimit rl = { soft, hard };
	return setrlimit(RLIMIT_NOFILE, &rl);
}

/* Opens n descriptors on a second thread: how many it got. */
static void *open_many(void *arg)
{
	long n = *(long *)arg, got = 0;
	for (long i = 0; i < n; i++)
		if (open("/dev/null", O_RDONLY | O_CLOEXEC) >= 0)
			got++;
	*(long *)arg = got;
	return NULL;
}

/* Runs fn in a child; its checks' counts come back in the exit status:
 * passes, 100 + failures, or 200 for a skip. */
static void in_child(void (*fn)(void))
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		check_passed = check_failed = check_skipped = 0;
		fn();
		_exit(check_failed ? 100 + (check_failed > 50 ? 50 : check_failed) : check_skipped ? 200 : check_passed);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	int code = WIFEXITED(st) ? WEXITSTATUS(st) : 255;
	if (code == 200)
		check_skipped++;
	else if (code >= 100 && code < 255)
		check_failed += code - 100;
	else if (code == 255)
		check_failed++, fprintf(stderr, "FAIL: a child died\n");
	else
		check_passed += code;
}

/* Whether the hard limit lets a case raise the soft one to n (a skip, said,
 * when not); the hard limit in *hard. */
static int hard_limit_allows(rlim_t n, rlim_t *hard)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	*hard = rl.rlim_max;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < n) {
		SKIP("fd_room: the hard limit %lu is below the %lu this case needs", (unsigned long)rl.rlim_max,
		     (unsigned long)n);
		return 0;
	}
	return 1;
}

static void raises_and_sizes(void)
{
	rlim_t hard;
	if (!hard_limit_allows(2000, &hard))
		return;
	CHECK(set_limits(256, hard) == 0);
	long before = fd_table_size();
	CHECK(before > 0 && before < 1000);
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(fd_room_make(1500, &err), 1500);
	CHECK_STR(err.msg, "");
	CHECK_INT(soft_limit(), 1500);
	long sized = fd_table_size();
	CHECK(sized >= 1500);
	/* a thread shares the table now: opening 1200 descriptors (past the
	 * old soft limit) neither fails nor grows it */
	pthread_t t;
	long n = 1200;
	pthread_create(&t, NULL, open_many, &n);
	pthread_join(t, NULL);
	CHECK_INT(n, 1200);
	CHECK_INT(fd_table_size(), sized);
}

static void never_lowers(void)
{
	rlim_t hard;
	if (!hard_limit_allows(2000, &hard))
		return;
	CHECK(set_limits(2000, hard) == 0);
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(fd_room_make(500, &err), 500);
	CHECK_INT(soft_limit(), 2000);
	CHECK_STR(err.msg, "");
}

static void short_of_the_hard_limit(void)
{
	CHECK(set_limits(200, 300) == 0);
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(fd_room_make(1000, &err), 300);
	CHECK_INT(soft_limit(), 300);
	CHECK(strstr(err.msg, "need about 1000 file descriptors") != NULL);
	CHECK(strstr(err.msg, "limit is 300") != NULL);
}

static int open_count(void)
{
	int n = 0;
	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

/* Room taken is counted until given back; what a connection keeps, until
 * released; descriptors opened meanwhile count too. */
static void takes_while_room(void)
{
	CHECK(set_limits(200, 200) == 0);
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(fd_room_make(1000, &err), 200);
	int open_now = open_count();
	/* 16 kept spare: room for (200 - 16 - open) / 7 connects at once */
	int fit = (200 - 16 - open_now) / FD_ROOM_LIBVIRT, n = 0;
	while (n < 100 && fd_room_take(FD_ROOM_LIBVIRT, &err) == 0)
		n++;
	CHECK_INT(n, fit);
	CHECK(strstr(err.msg, "no room for another connection's file descriptors") != NULL);
	CHECK(strstr(err.msg, "of 200 in use or kept") != NULL);
	/* one ends, having made its descriptors and keeping one: room for
	 * none more (7 given to it are counted, plus the one kept) */
	int made[FD_ROOM_LIBVIRT];
	for (int i = 0; i < FD_ROOM_LIBVIRT; i++)
		made[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fd_room_give(FD_ROOM_LIBVIRT, 1);
	err_clear(&err);
	CHECK_INT(fd_room_take(FD_ROOM_LIBVIRT, &err), -1);
	/* it closes, and the others fail (making nothing): once none is under
	 * way the open descriptors are counted anew, and there is room again */
	for (int i = 0; i < FD_ROOM_LIBVIRT; i++)
		close(made[i]);
	fd_room_release();
	for (int i = 1; i < n; i++)
		fd_room_give(FD_ROOM_LIBVIRT, 0);
	err_clear(&err);
	CHECK_INT(fd_room_take(FD_ROOM_LIBVIRT, &err), 0);
	CHECK_STR(err.msg, "");
}

/* With the room fd_room_make asked for, nothing is counted or refused. */
static void no_count_with_room(void)
{
	rlim_t hard;
	if (!hard_limit_allows(2000, &hard))
		return;
	CHECK(set_limits(256, hard) == 0);
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(fd_room_make(1500, &err), 1500);
	int refused = 0;
	for (int i = 0; i < 1000; i++)
		refused += fd_room_take(FD_ROOM_LIBVIRT, &err) < 0;
	CHECK_INT(refused, 0);
}

int main(void)
{
	/* what 128 hosts hold over SSH with libvirt's tunnel: 1 162 measured */
	CHECK(fd_room_needed(128) >= 1200);
	CHECK(fd_room_needed(0) >= 16);
	in_child(raises_and_sizes);
	in_child(never_lowers);
	in_child(short_of_the_hard_limit);
	in_child(takes_while_room);
	in_child(no_count_with_room);
	return check_summary();
}

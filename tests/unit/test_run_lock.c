/* test_run_lock.c — exec/lock.c, one cron run at a time per script: the
 * first run holds the lock, a second is refused with VD_ELOCKED naming the
 * holder's pid, and takes it once the first let go.  And the race CI hit:
 * a run that loses while the holder has taken the lock but not yet written
 * its pid still names the pid (it waits a moment for it). */
#include "check.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "exec/lock.h"

static char lock_path[512];

/* The holder's late pid: written 30 ms after the test took the lock. */
static void *write_pid_late(void *arg)
{
	int fd = *(int *)arg;
	sleep_ms(30);
	if (pwrite(fd, "4242\n", 5, 0) != 5)
		fprintf(stderr, "pwrite failed\n");
	return NULL;
}

int main(void)
{
	char dir[] = "/tmp/vdeck-lock-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	setenv("XDG_RUNTIME_DIR", dir, 1);
	char script[600];
	snprintf(script, sizeof script, "%s/job.lua", dir);
	FILE *f = fopen(script, "w");
	CHECK(f != NULL);
	if (f)
		fclose(f);

	struct vd_err err;
	err_clear(&err);
	int held = run_lock_take(script, &err);
	CHECK(held >= 0);
	/* a second run of the same script: refused, naming this process */
	err_clear(&err);
	CHECK_INT(run_lock_take(script, &err), -1);
	CHECK_INT(err.code, VD_ELOCKED);
	char want[64];
	snprintf(want, sizeof want, "(pid %ld)", (long)getpid());
	CHECK(strstr(err.msg, want) != NULL);
	CHECK(strstr(err.msg, "another run of") != NULL);
	/* where the lock file is: the message names it */
	const char *at = strstr(err.msg, " holds ");
	CHECK(at != NULL);
	if (at) {
		snprintf(lock_path, sizeof lock_path, "%s", at + 7);
		lock_path[strcspn(lock_path, " ")] = '\0';
	}
	close(held);

	/* let go: the next run takes it */
	err_clear(&err);
	held = run_lock_take(script, &err);
	CHECK(held >= 0);
	close(held);

	/* the holder has the lock and has not written its pid yet */
	int fd = open(lock_path, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(ftruncate(fd, 0) == 0);
	CHECK(flock(fd, LOCK_EX | LOCK_NB) == 0);
	pthread_t t;
	pthread_create(&t, NULL, write_pid_late, &fd);
	err_clear(&err);
	CHECK_INT(run_lock_take(script, &err), -1);
	CHECK_INT(err.code, VD_ELOCKED);
	CHECK(strstr(err.msg, "(pid 4242)") != NULL);
	pthread_join(t, NULL);
	close(fd);

	unlink(lock_path);
	unlink(script);
	char locks[600];
	snprintf(locks, sizeof locks, "%s/vdeck/locks", dir);
	rmdir(locks);
	snprintf(locks, sizeof locks, "%s/vdeck", dir);
	rmdir(locks);
	rmdir(dir);
	return check_summary();
}

/* lock.c — per-script flock under $XDG_RUNTIME_DIR (or the state dir). */
#include "exec/lock.h"
#include "core/paths.h"
#include "core/timeutil.h"
#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int run_lock_take(const char *script, struct vd_err *err)
{
	char abs[PATH_MAX];
	if (!realpath(script, abs))
		snprintf(abs, sizeof abs, "%s", script);
	/* The file name keeps the path readable: /etc/cron/x.lua → etc_cron_x.lua.lock */
	char leaf[PATH_MAX];
	size_t j = 0;
	for (const char *p = abs[0] == '/' ? abs + 1 : abs; *p && j < sizeof leaf - 6; p++)
		leaf[j++] = (*p == '/' ? '_' : *p);
	leaf[j] = '\0';
	char *dir = path_xdg("runtime", "locks");
	if (path_mkdirs(dir) < 0) {
		err_set(err, VD_EIO, "cannot create lock directory %s: %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	char *path = x_asprintf("%s/%s.lock", dir, leaf);
	free(dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		err_set(err, VD_EIO, "cannot open lock file %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		char pid[32] = "";
		/* the holder writes its pid just after it took the lock: a run
		 * that lost by a hair waits a moment for it */
		for (int tries = 0; e == EWOULDBLOCK && !pid[0] && tries < 20; tries++) {
			if (tries)
				sleep_ms(5);
			ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
			pid[n > 0 ? n : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
		}
		close(fd);
		if (e == EWOULDBLOCK)
			err_set(err, VD_ELOCKED, "another run of %s holds %s%s%s", script, path,
				pid[0] ? " (pid " : "", pid[0] ? pid : "");
		else
			err_set(err, VD_EIO, "cannot lock %s: %s", path, strerror(e));
		if (e == EWOULDBLOCK && pid[0])
			strncat(err->msg, ")", sizeof err->msg - strlen(err->msg) - 1);
		free(path);
		return -1;
	}
	if (ftruncate(fd, 0) == 0) {
		char pid[32];
		int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
		if (pwrite(fd, pid, (size_t)n, 0) < 0) {
			/* the pid is only a courtesy for the error message */
		}
	}
	free(path);
	return fd;
}

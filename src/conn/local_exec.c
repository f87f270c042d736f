/* local_exec.c — fork/exec of `sh -c` with both pipes polled and a deadline.
 *
 * Safe to call from several worker threads at once: pipes are O_CLOEXEC so
 * a concurrent fork never inherits another command's pipe ends, and the
 * child only calls async-signal-safe functions before exec. */
#include "conn/local_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conn/transport.h"
#include "core/timeutil.h"

static int status_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return -1;
}

static pid_t spawn(const char *cmd, int fd_out[2], int fd_err[2], struct vd_err *err)
{
	pid_t pid;
	if (pipe2(fd_out, O_CLOEXEC) < 0)
		return err_set(err, VD_EIO, "pipe: %s", strerror(errno));
	if (pipe2(fd_err, O_CLOEXEC) < 0) {
		close(fd_out[0]); close(fd_out[1]);
		return err_set(err, VD_EIO, "pipe: %s", strerror(errno));
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(fd_out[0]); close(fd_out[1]); close(fd_err[0]); close(fd_err[1]);
		return err_set(err, VD_EIO, "fork: %s", strerror(e));
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		setpgid(0, 0);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(fd_out[1], 1);
		dup2(fd_err[1], 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);   /* also from here, so the group exists before any kill */
	close(fd_out[1]);
	close(fd_err[1]);
	return pid;
}

/* Drains one readable pipe, keeping at most *room bytes (one more shows
 * the cap was passed: -1); closes and marks it -1 at EOF or error. */
static int drain(int *fd, struct strbuf *sb, size_t *room)
{
	char buf[8192];
	size_t want = *room + 1 < sizeof buf ? *room + 1 : sizeof buf;
	ssize_t n = read(*fd, buf, want);
	if (n > 0) {
		size_t keep = (size_t)n <= *room ? (size_t)n : *room;
		if (sb)
			sb_append_n(sb, buf, keep);
		*room -= keep;
		if ((size_t)n > keep)
			return -1;
	} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
		close(*fd);
		*fd = -1;
	}
	return 0;
}

int local_exec(const char *cmd, int timeout_ms, size_t max_bytes, struct strbuf *out,
	       struct strbuf *errout, int *exit_status, struct vd_err *err)
{
	int fo[2], fe[2], st = 0, timed_out = 0, over = 0;
	size_t room = max_bytes;
	int64_t deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	pid_t pid = spawn(cmd, fo, fe, err), done = 0;
	if (pid < 0)
		return -1;
	int fds[2] = { fo[0], fe[0] };
	while (!over && (fds[0] >= 0 || fds[1] >= 0 || !done)) {
		struct pollfd pf[2];
		int n = 0, wait = -1;
		if (!done && (done = waitpid(pid, &st, WNOHANG)) < 0)
			done = pid;   /* reaped elsewhere: nothing left to wait for */
		if (fds[0] < 0 && fds[1] < 0 && done)
			break;
		if (deadline) {
			int64_t left = deadline - now_ms();
			if (left <= 0) {
				timed_out = 1;
				break;
			}
			wait = (int)left;
		}
		if (fds[0] < 0 && fds[1] < 0)   /* pipes closed, child still running */
			wait = wait < 0 || wait > 10 ? 10 : wait;
		for (int i = 0; i < 2; i++)
			if (fds[i] >= 0)
				pf[n++] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
		if (poll(pf, (nfds_t)n, wait) < 0 && errno != EINTR)
			break;
		for (int i = 0, j = 0; i < 2; i++) {
			if (fds[i] < 0)
				continue;
			if (pf[j++].revents && drain(&fds[i], i == 0 ? out : errout, &room) < 0)
				over = 1;
		}
	}
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (timed_out || over || !done) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		if (!done)
			waitpid(pid, &st, 0);
		if (exit_status)
			*exit_status = -1;
		if (over)
			return transport_over_cap(err, "the command", max_bytes, "one command",
						  "the command was killed");
		return err_set(err, VD_ETIMEOUT, "command timed out after %d ms and was killed",
			       timeout_ms);
	}
	if (exit_status)
		*exit_status = status_code(st);
	return 0;
}

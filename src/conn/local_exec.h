/* local_exec.h — run a shell command on this machine, bounded in time.
 *
 * The "local" transport: `sh -c CMD` in its own process group, stdin from
 * /dev/null, stdout and stderr collected without deadlock.  On timeout the
 * whole process group is killed. */
#ifndef VD_LOCAL_EXEC_H
#define VD_LOCAL_EXEC_H

#include "core/err.h"
#include "core/strbuf.h"

/* Runs cmd; fills out/errout (appended; either may be NULL to discard) and
 * *exit_status (the exit code, or 128+signal).  timeout_ms <= 0 means no
 * limit.  Returns 0 when the command ran to completion (whatever its exit
 * status), -1 with VD_ETIMEOUT (killed) or VD_EIO (could not start). */
int local_exec(const char *cmd, int timeout_ms, struct strbuf *out, struct strbuf *errout,
	       int *exit_status, struct vd_err *err);

#endif

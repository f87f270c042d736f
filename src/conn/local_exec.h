/* local_exec.h — run a shell command on this machine, bounded in time and
 * in output.
 *
 * The "local" transport: `sh -c CMD` in its own process group, stdin from
 * /dev/null, stdout and stderr collected without deadlock.  On timeout, or
 * once the output passes its cap, the whole process group is killed. */
#ifndef VD_LOCAL_EXEC_H
#define VD_LOCAL_EXEC_H

#include <stddef.h>

#include "core/err.h"
#include "core/strbuf.h"

/* Runs cmd; fills out/errout (appended; either may be NULL to discard) and
 * *exit_status (the exit code, or 128+signal).  timeout_ms <= 0 means no
 * limit; max_bytes bounds stdout and stderr together.  Returns 0 when the
 * command ran to completion (whatever its exit status), -1 with
 * VD_ETIMEOUT or VD_EREFUSED (more output than max_bytes; killed either
 * way) or VD_EIO (could not start). */
int local_exec(const char *cmd, int timeout_ms, size_t max_bytes, struct strbuf *out,
	       struct strbuf *errout, int *exit_status, struct vd_err *err);

#endif

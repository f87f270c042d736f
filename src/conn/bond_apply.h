/* bond_apply.h — a host network change applied with commit-confirm, as
 * network equipment does it ("commit confirmed").
 *
 * A wrong bond on an uplink cuts the host off, and then nothing can undo it
 * from outside.  So the change is staged on the host and run by a detached
 * runner there (setsid, away from the SSH session that may die with the
 * link): it applies the change (rolling back at once if a command fails),
 * then waits confirm_timeout_s for a confirm file and rolls back by itself
 * when none appears.  vdeck meanwhile opens a NEW connection to the host
 * (the old one may have been cut), reads the runner's status, runs the
 * verify command and only then creates the confirm file; it reports what
 * the runner finally did: "committed", "failed" (rolled back at once) or
 * "rolled-back" (not confirmed in time).
 *
 * The remote state lives in a directory the staging script makes with
 * mktemp -d under a path only root or the login user can write (/run for
 * root, else a private XDG_RUNTIME_DIR, else ~/.vdeck-stage; else the
 * change is refused) and prints; every later command checks it is still a
 * directory, not a symlink, of the login uid with mode 700 before reading
 * or writing in it.  A pending change under the same tag stops a new one. */
#ifndef VD_BOND_APPLY_H
#define VD_BOND_APPLY_H

#include "conn/fleet.h"
#include "core/strbuf.h"

struct host_change {
	char *apply;            /* sh commands, run with `sh -e` (owned) */
	char *rollback;         /* sh commands undoing apply, run as far as they go (owned) */
	char *verify;           /* run on the new connection before confirming; exit 0 = good (owned, may be NULL) */
	int   confirm_timeout_s;   /* the host rolls back unless confirmed within (>= 5) */
	int   commit;           /* 0: a trial: never confirmed, the host rolls back after the timeout */
	char  tag[40];          /* [A-Za-z0-9_.-]: in the remote directory's name */
};

void host_change_free(struct host_change *c);
/* The one script sent to the host (it stages the change and starts the
 * runner), then the confirm step, as text: dry-run's output and the audit
 * record's "call". */
void host_change_describe(const struct host_change *c, struct strbuf *sb);

/* What happened, filled by host_change_call. */
struct host_change_result {
	char outcome[32];       /* "committed", "failed", "rolled-back", "trial", "unknown" */
	struct strbuf log;      /* apply/rollback output from the host */
};

struct host_change_call {
	const struct host_change  *change;
	struct host_change_result *res;
};
/* host_call_fn (runs on the host's worker): stage, confirm over a new
 * connection, report.  Returns 0 only when committed (or, for a trial,
 * applied and armed); -1 with err saying what the host did otherwise. */
int host_change_call(struct host_ctx *hc, void *arg, struct vd_err *err);

#endif

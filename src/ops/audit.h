/* audit.h — the audit trail: JSON lines, appended and fsync'd, in
 * $XDG_STATE_HOME/vdeck/audit.jsonl (vd_options.audit_path when set).
 *
 * An operation that reaches a host leaves two records sharing one "id": a
 * "started" record written (and fsync'd) before anything is sent, and a
 * "result" record once it ended — ok, failed, aborted (t:abort, a cancelled
 * job) or abandoned (vdeck exited while it ran).  One that never reaches a
 * host (refused, dry-run) leaves a single result record.  A started record
 * without a result is an operation whose outcome nobody saw: vdeck lists
 * those when it starts (model/unfinished.h). */
#ifndef VD_AUDIT_H
#define VD_AUDIT_H

#include <stddef.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "model/unfinished.h"

#define AUDIT_ID_MAX 48
/* How much of the end of the file is read at start for unfinished ones. */
#define AUDIT_TAIL_BYTES (16u << 20)
/* At most this many unfinished operations are listed (the newest). */
#define AUDIT_UNFINISHED_MAX 200

enum audit_kind { AUDIT_STARTED, AUDIT_RESULT };

struct audit_record {
	double          time;          /* Unix time */
	const char     *id;            /* links a started record to its result */
	enum audit_kind kind;
	const char     *user;          /* the real uid's name */
	const char     *sudo_user;     /* $SUDO_USER, NULL when unset */
	long            pid;
	const char     *host, *domain;
	const char     *operation;
	const char     *args_json;     /* a JSON object */
	const char     *call;          /* what was (or would be) sent; NULL if none */
	int             dry_run;
	const char     *result;        /* result records: "ok", "failed", "refused", "dry-run",
					  "aborted", "abandoned"; NULL in a started record */
	const char     *error;         /* NULL on success */
	const char     *previous;      /* result records: the values changed, as they were
					  (a JSON object); NULL: no "previous" field */
	double          duration;      /* seconds since the operation began */
};

/* The record as one JSON line (with '\n'). Pure. */
void audit_format(const struct audit_record *r, struct strbuf *sb);
/* Appends one line to path (NULL: the default) and fsyncs it, creating
 * directories; -1 with err naming the file and the cause. */
int  audit_append(const char *path, const struct audit_record *r, struct vd_err *err);
/* The default path (caller frees). */
char *audit_default_path(void);
/* A fresh operation id, unique across processes: "MILLISECONDS-PID-N". */
void audit_new_id(char id[AUDIT_ID_MAX]);
/* Who runs vdeck: the real uid's name from the password database (never
 * $USER, which anyone can set), and $SUDO_USER (NULL when unset; it is only
 * what the environment says). */
const char *audit_user(void);
const char *audit_sudo_user(void);

/* Pure: the operations in buf (JSON lines) with a started record and no
 * result record, oldest first, at most AUDIT_UNFINISHED_MAX (out->dropped
 * counts the older ones left out).  from_middle: buf starts inside the
 * file, so its first line is partial and skipped.  Lines that are not
 * whole JSON objects (a write cut short by a crash, anything hostile) are
 * skipped; nothing in buf can make this slower than n log n in its lines.
 * Fills out->items and n only. */
void audit_scan_unfinished(const char *buf, size_t len, int from_middle, struct unfinished_list *out);
/* At start: reads the end of the audit file into c->unfinished (marking
 * operations whose process still runs) and adds a Log view event for each,
 * or for the file that could not be read.  A missing file is an empty list. */
void audit_load_unfinished(const char *path, struct cluster *c);

#endif

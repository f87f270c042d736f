/* audit.h — one JSON line per operation, appended and fsync'd.
 *
 * $XDG_STATE_HOME/vdeck/audit.jsonl unless --audit path is given.  A record
 * is written for every mutating operation that passed argument parsing:
 * refused by validation, dry-run, done or failed. */
#ifndef VD_AUDIT_H
#define VD_AUDIT_H

#include "core/err.h"
#include "core/strbuf.h"

struct audit_record {
	double      time;          /* Unix time */
	const char *user;
	const char *host, *domain;
	const char *operation;
	const char *args_json;     /* a JSON object */
	const char *call;          /* what was (or would be) sent; NULL if none */
	int         dry_run;
	const char *result;        /* "ok", "refused", "failed", "dry-run" */
	const char *error;         /* NULL on success */
	double      duration;      /* seconds */
};

/* The record as one JSON line (with '\n'). Pure. */
void audit_format(const struct audit_record *r, struct strbuf *sb);
/* Appends one line to path (NULL: the default), creating directories. */
int  audit_append(const char *path, const struct audit_record *r, struct vd_err *err);
/* The default path (caller frees). */
char *audit_default_path(void);

#endif

/* unfinished.h — operations the audit trail shows as started but never
 * ended (a console killed mid-migration, a crash, a power cut), as found
 * when vdeck started, and where each domain stands now in the model.
 *
 * ops/audit reads the list once at start; --check, vdeck.unfinished() and
 * the Log view show it.  Written on the loop thread only. */
#ifndef VD_UNFINISHED_H
#define VD_UNFINISHED_H

#include <stddef.h>

struct cluster;

struct unfinished_op {
	char *id, *time;             /* the started record's id and ISO time */
	char *user, *sudo_user;      /* sudo_user NULL when the run was not under sudo */
	long  pid;                   /* the vdeck process that wrote it (0 unknown) */
	int   running;               /* that process still runs (its result may yet come) */
	char *host, *domain;         /* domain NULL for a host operation */
	char *operation, *args_json; /* args_json: the arguments as a JSON object */
};

struct unfinished_list {
	struct unfinished_op *items;   /* oldest first */
	size_t                n;
	size_t                dropped;   /* older ones left out (the list is bounded) */
	char                 *path;      /* the audit file read */
	char                 *error;     /* why it could not be read, NULL when read */
};

/* Where the operation's object stands now, from the model alone: the
 * recorded host's state, and the host and state of a domain of that name
 * on any host that answered (a migration may have landed). */
struct unfinished_now {
	const char *host_state;      /* of the recorded host; "not in the inventory" */
	int         known;           /* 1: the recorded host answered, so the lookup means something */
	const char *dom_host;        /* NULL: not on any host that answered */
	const char *dom_state;
};

void unfinished_now(const struct cluster *c, const struct unfinished_op *u, struct unfinished_now *now);
/* The same as one short phrase: "running on dst", "not on any host that
 * answered", "unknown: host src is down". */
void unfinished_now_text(const struct unfinished_now *now, const struct unfinished_op *u, char *buf, size_t len);
void unfinished_list_free(struct unfinished_list *l);

#endif

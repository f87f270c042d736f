/* optable.h — every operation vdeck can perform, declared once.
 *
 * One const table of struct op_def (name, target, typed arguments, flags,
 * a pure validate and a pure build) drives the Lua methods, dry-run output,
 * the audit record, REPL completion and the TUI's action menu.  validate()
 * and build() only read the model and the facts fetched for them; they never
 * talk to a host, so nothing is changed when they fail.  Adding an
 * operation is one entry here plus its builder; argument types, their
 * parsing and bounds are ops/value.h. */
#ifndef VD_OPTABLE_H
#define VD_OPTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "conn/bond_apply.h"
#include "conn/host_run.h"
#include "conn/virt_ops.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "model/cluster.h"
#include "ops/value.h"

enum op_target { OP_DOMAIN, OP_HOST };

enum {
	OPF_MUTATES     = 1u << 0,   /* refused under --readonly; audited */
	OPF_LIVE        = 1u << 1,   /* can act on a running domain */
	OPF_CONFIG      = 1u << 2,   /* can change the persistent definition */
	OPF_DESTRUCTIVE = 1u << 3,   /* loses data or state: confirm in the TUI */
	OPF_LONG        = 1u << 4,   /* runs as a job with progress */
	OPF_SNAPSHOTS   = 1u << 5,   /* validate needs the snapshot list */
	OPF_BLOCKINFO   = 1u << 6,   /* validate needs the size of the disk named by "target":
	                              * read from libvirt first when the model does not know it */
	OPF_SETTING     = 1u << 7,   /* a build_command that changes the host's settings: a non-zero
	                              * exit fails it, its output is the message, and it answers
	                              * once the host was polled again */
	OPF_DOMXML      = 1u << 8,   /* validate needs the domain's inactive XML (read first) */
};

#define OP_MAX_ARGS 16

struct op_args {
	struct op_value v[OP_MAX_ARGS];
};

/* A parsed snapshot (ops/snapxml.c). */
struct op_snapshot {
	char    *name, *parent, *description;
	char     state[24];        /* domain state when taken */
	int      memory;           /* memory state included */
	int      external;         /* any disk or the memory is external */
	int      current;
	int64_t  created;          /* Unix time */
	int      vcpus_hotplugged; /* the saved domain had hot-added vCPUs */
	char   **disk_sources;     /* external: overlay files the snapshot created */
	size_t   ndisks;
	char   **disk_targets;
	char   **disk_bases;       /* per disk: the file current when taken (the overlay's backing), may be "" */
	char   **disk_formats;     /* per disk: that file's format ("qcow2", "raw"), may be "" */
	char    *domain_xml;       /* the domain's inactive definition when taken, as <domain>; may be NULL */
};

struct op_outcome;

struct op_ctx {
	const struct op_def     *def;
	const struct op_args    *args;
	const struct cluster    *cluster;
	const struct host       *host;       /* target host (the domain's host) */
	const struct domain     *dom;        /* NULL for host operations */
	const struct op_snapshot *snaps;     /* OPF_SNAPSHOTS: the domain's snapshots */
	size_t                   nsnaps;
	struct strbuf           *notes;      /* explanations and warnings, one per line */
	const uint64_t          *reserved;   /* per host index: memory promised to running migrations */
	uint64_t                 disk_capacity;  /* OPF_BLOCKINFO: the size libvirt gave, 0 when not read */
	const char              *domain_xml; /* OPF_DOMXML: the domain's inactive definition */
	int                      dry_run;    /* nothing will run: an earlier step's result may be absent */
};

/* A command for the host's shell (h:run), built by build_command. */
struct op_command {
	char  *cmd;         /* owned */
	int    timeout_ms;
	size_t max_bytes;   /* stdout and stderr together */
};

struct op_def {
	const char          *name;
	enum op_target       target;
	const char          *summary;
	const struct op_arg *args;
	size_t               nargs;
	unsigned             flags;
	int (*validate)(const struct op_ctx *ctx, struct vd_err *err);
	int (*build)(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err);
	/* Host operations that change the host's own configuration over its
	 * shell transport, with commit-confirm (conn/bond_apply.h), set this
	 * instead of build. */
	int (*build_change)(const struct op_ctx *ctx, struct host_change *chg, struct vd_err *err);
	/* Host operations that run a command on the host's shell set this. */
	int (*build_command)(const struct op_ctx *ctx, struct op_command *cmd, struct vd_err *err);
	/* A command whose output decides the outcome (set_coalesce) sets this:
	 * 0 with out's message and previous values filled, or -1 with err
	 * naming what the host refused.  Without it the command's stdout,
	 * stderr and status are the result (h:run). */
	int (*command_result)(const struct op_def *def, const struct op_args *args, const struct host_run *run,
			      struct op_outcome *out, struct vd_err *err);
};

const struct op_def *optable_find(const char *name);
/* i-th operation, NULL past the end. */
const struct op_def *optable_at(size_t i);
size_t optable_count(void);

/* Argument access by name; NULL when the op has no such argument. */
int  op_arg_index(const struct op_def *def, const char *name);
const struct op_value *op_get(const struct op_ctx *ctx, const char *name);
int  op_flag(const struct op_ctx *ctx, const char *name);        /* boolean, 0 if unset */
const char *op_str(const struct op_ctx *ctx, const char *name);  /* NULL if unset */
/* Fills unset arguments from their defaults; fails naming a missing required one. */
int  op_args_finish(const struct op_def *def, struct op_args *args, struct vd_err *err);
void op_args_free(struct op_args *args);
/* "name=value ..." of the set arguments, for messages. JSON object variant for audit. */
void op_args_json(const struct op_def *def, const struct op_args *args, struct strbuf *sb);

void op_snapshots_free(struct op_snapshot *s, size_t n);

#endif

/* opexec_priv.h — what opexec.c (tasks, audit) lends op_run.c (the
 * step-by-step path of one operation); ops/ only. */
#ifndef VD_OPEXEC_PRIV_H
#define VD_OPEXEC_PRIV_H

#include "ops/audit.h"
#include "ops/opexec.h"

/* The started record of an operation about to be sent (fills id): 0, or
 * -1 with err naming the audit file and the cause — then nothing may be
 * sent. */
int  op_audit_started(struct op_env *env, const struct op_def *def, const char *host, const char *domain,
		      const char *args_json, const char *call, double started, char id[AUDIT_ID_MAX],
		      struct vd_err *err);
/* A result record (and a Log view line); id: the started record's, or NULL
 * for an operation that never reached a host (refused, dry-run); e NULL on
 * success; previous: the changed values as they were (JSON object), NULL
 * none.  A record that cannot be written is logged as an error. */
void op_audit(struct op_env *env, const char *id, const struct op_def *def, const char *host, const char *domain,
	      const char *args_json, const char *call, const char *result, const struct vd_err *e,
	      double started, const char *previous);
/* Long operations running with host as their source. */
size_t op_running_on(struct op_env *env, size_t host);
/* Starts req as a task with a job (the caller checked the per-host limit
 * and wrote the started record audit_id); the task writes the result
 * record, also when it fails to start. */
int  op_start_task(struct op_env *env, const struct op_def *def, size_t hi, const struct domain *d,
		   const struct vop_request *req, const char *args_json, const char *call, const char *audit_id,
		   double started, struct op_outcome *out, struct vd_err *err);

#endif

/* opexec_priv.h — what opexec.c (tasks, audit) lends op_run.c (the
 * step-by-step path of one operation); ops/ only. */
#ifndef VD_OPEXEC_PRIV_H
#define VD_OPEXEC_PRIV_H

#include "ops/opexec.h"

/* One audit record (and a Log view line); e NULL on success. */
void op_audit(struct op_env *env, const struct op_def *def, const char *host, const char *domain,
	      const char *args_json, const char *call, const char *result, const struct vd_err *e,
	      double started);
/* Long operations running with host as their source. */
size_t op_running_on(struct op_env *env, size_t host);
/* Starts req as a task with a job (the caller checked the per-host limit);
 * on failure the job is failed and the audit written. */
int  op_start_task(struct op_env *env, const struct op_def *def, size_t hi, const struct domain *d,
		   const struct vop_request *req, const char *args_json, const char *call,
		   double started, struct op_outcome *out, struct vd_err *err);

#endif

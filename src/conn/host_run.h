/* host_run.h — an ad-hoc command over a host's shell transport (h:run). */
#ifndef VD_HOST_RUN_H
#define VD_HOST_RUN_H

#include "conn/fleet.h"
#include "core/strbuf.h"

struct host_run {
	const char   *cmd;
	int           timeout_ms;
	size_t        max_bytes;    /* stdout and stderr together (0: TRANSPORT_MAX_BYTES) */
	struct strbuf out, err;
	int           status;
};

/* A host_call_fn: runs r->cmd on the worker thread of the host. */
int host_run_call(struct host_ctx *hc, void *arg, struct vd_err *err);

#endif

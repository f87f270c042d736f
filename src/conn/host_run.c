/* host_run.c — h:run(cmd) on the host's worker, over its own transport. */
#include "conn/host_run.h"
#include "conn/transport.h"

int host_run_call(struct host_ctx *hc, void *arg, struct vd_err *err)
{
	struct host_run *r = arg;
	struct transport *tr = host_ctx_transport(hc, err);
	if (!tr)
		return -1;
	return transport_exec(tr, r->cmd, r->timeout_ms, r->max_bytes, &r->out, &r->err, &r->status, err);
}

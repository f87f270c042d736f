/* virt_ops_define.c — VOP_DEFINE: a new VM on a host (restore_to).
 *
 * On the host's worker: the request's shell script runs over the host's
 * own transport (it creates the new disk overlays with qemu-img), then
 * libvirt defines the domain and, when asked, starts it.  A failed define
 * runs the undo script so no orphan overlay is left behind; a failed start
 * leaves the defined VM in place and says so. */
#include "conn/virt_ops.h"
#include "conn/virt.h"
#include "conn/transport.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <string.h>

static int run_shell(struct host_ctx *hc, const char *script, const char *what, struct vd_err *err)
{
	struct transport *tr = host_ctx_transport(hc, err);
	if (!tr)
		return -1;
	struct strbuf out, errout;
	sb_init(&out);
	sb_init(&errout);
	int status = -1;
	int rc = transport_exec(tr, script, 60000, TRANSPORT_MAX_BYTES, &out, &errout, &status, err);
	if (rc == 0 && status != 0) {
		while (errout.len && (errout.buf[errout.len - 1] == '\n'))
			errout.buf[--errout.len] = '\0';
		rc = err_set(err, VD_EIO, "%s failed (exit %d): %s", what, status,
			     errout.len ? errout.buf : out.buf);
	} else if (rc < 0) {
		char msg[sizeof err->msg];
		snprintf(msg, sizeof msg, "%s", err->msg);
		err_set(err, err->code, "%s: %s", what, msg);
	}
	sb_free(&out);
	sb_free(&errout);
	return rc;
}

int vop_run_define(struct host_ctx *hc, void *opaque, const struct vop_request *r, struct vop_result *res,
		   struct vd_err *err)
{
	virConnectPtr conn = opaque;
	if (r->shell && run_shell(hc, r->shell, "creating the disk overlays", err) < 0)
		return -1;
	virDomainPtr dom = virDomainDefineXML(conn, r->xml);
	if (!dom) {
		virt_error(err, "defining the new domain");
		if (r->undo_shell) {
			struct vd_err uerr;
			err_clear(&uerr);
			if (run_shell(hc, r->undo_shell, "removing the overlays", &uerr) < 0)
				snprintf(res->message, sizeof res->message, "%.200s", uerr.msg);
		}
		return -1;
	}
	int rc = 0;
	const char *name = virDomainGetName(dom);
	snprintf(res->message, sizeof res->message, "defined %s on %s", name ? name : "?", r->target);
	if ((r->flags & VOPF_START) && virDomainCreate(dom) < 0)
		rc = virt_error(err, "starting the new domain (it stays defined)");
	else if (r->flags & VOPF_START)
		snprintf(res->message, sizeof res->message, "defined and started %s on %s", name ? name : "?",
			 r->target);
	virDomainFree(dom);
	return rc;
}

/* virt_ops_network.c — a switch's network converged on one host: the
 * definition first (what the network becomes at its next start), then the
 * running network brought to it.  Portgroup changes go to the running
 * network with virNetworkUpdate, so the VMs attached to it keep their
 * ports; a change libvirt cannot make live (uplink, backend, the filter
 * metadata) restarts the network, which the operation refuses while VMs
 * are attached unless asked (ops/op_switch.c). */
#include "conn/virt_ops.h"
#include "conn/virt.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>

static const unsigned commands[] = {
	[VOP_NETUP_ADD] = VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
	[VOP_NETUP_MODIFY] = VIR_NETWORK_UPDATE_COMMAND_MODIFY,
	[VOP_NETUP_DELETE] = VIR_NETWORK_UPDATE_COMMAND_DELETE,
};

int vop_run_network(void *opaque, const struct vop_request *r, struct vop_result *res, struct vd_err *err)
{
	virConnectPtr conn = opaque;
	/* A restart stops the network before the definition, so the start
	 * takes the new one whatever the driver does with a definition made
	 * while it runs; a refused definition starts the old one again. */
	virNetworkPtr old = (r->flags & VOPF_NET_RESTART) ? virNetworkLookupByName(conn, r->target) : NULL;
	if (old && virNetworkIsActive(old) == 1 && virNetworkDestroy(old) < 0) {
		virNetworkFree(old);
		return virt_error(err, "stopping the network to restart it");
	}
	virNetworkPtr net = virNetworkDefineXML(conn, r->xml);
	if (!net) {
		virt_error(err, "defining the network");
		if (old && virNetworkCreate(old) < 0)
			virResetLastError();
		if (old)
			virNetworkFree(old);
		return -1;
	}
	if (old)
		virNetworkFree(old);
	virResetLastError();
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < r->nnet_updates; i++) {
		const struct vop_net_update *u = &r->net_updates[i];
		if (virNetworkUpdate(net, commands[u->command], VIR_NETWORK_SECTION_PORTGROUP, -1, u->xml,
				     vop_flags(VOPA_NET_UPDATE, r, NULL)) < 0)
			rc = virt_error(err, "updating a portgroup of the running network (defined for its next start)");
	}
	if (rc == 0 && (r->flags & (VOPF_NET_START | VOPF_NET_RESTART)) && virNetworkIsActive(net) != 1 &&
	    virNetworkCreate(net) < 0)
		rc = virt_error(err, "starting the network (it is defined)");
	if (rc == 0 && (r->flags & VOPF_NET_AUTOSTART) && virNetworkSetAutostart(net, 1) < 0)
		rc = virt_error(err, "marking the network autostart");
	if (rc == 0)
		snprintf(res->message, sizeof res->message, "network %s defined%s%s%s", r->target,
			 r->nnet_updates ? ", portgroups updated live" : "",
			 (r->flags & VOPF_NET_RESTART) ? ", restarted" : (r->flags & VOPF_NET_START) ? ", started" : "",
			 (r->flags & VOPF_NET_AUTOSTART) ? ", autostart" : "");
	virNetworkFree(net);
	return rc;
}

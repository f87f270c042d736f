/* virt_ops_host.c — operation requests that act on the host, not on a
 * domain: creating and removing mediated devices (vGPUs) through libvirt's
 * node device API.  Runs on the host's worker (vop_call). */
#include "conn/virt_ops.h"
#include "conn/virt.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The mdev node device with this uuid (listing: its name depends on the
 * libvirt version, mdev_UUID or mdev_UUID_PARENT). */
static virNodeDevicePtr find_mdev(virConnectPtr conn, const char *uuid)
{
	virNodeDevicePtr *devs = NULL, found = NULL;
	int n = virConnectListAllNodeDevices(conn, &devs, VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV);
	for (int i = 0; i < n; i++) {
		char *xml = found ? NULL : virNodeDeviceGetXMLDesc(devs[i], 0);
		char needle[160];
		snprintf(needle, sizeof needle, "<uuid>%s</uuid>", uuid);
		if (xml && strcasestr(xml, needle))
			found = devs[i];
		else
			virNodeDeviceFree(devs[i]);
		free(xml);
	}
	free(devs);
	return found;
}

int vop_run_host(void *opaque, const struct vop_request *r, struct vop_result *res, struct vd_err *err)
{
	virConnectPtr conn = opaque;
	virNodeDevicePtr dev;
	switch (r->kind) {
	case VOP_NODEDEV_CREATE:
		if (r->flags & VOPF_NODEDEV_DEFINE) {
			if (!(dev = virNodeDeviceDefineXML(conn, r->xml, vop_flags(VOPA_NODEDEV_DEFINE, r, NULL))))
				return virt_error(err, "defining the mdev");
			if (virNodeDeviceCreate(dev, 0) < 0) {
				virt_error(err, "starting the defined mdev (it stays defined)");
				virNodeDeviceFree(dev);
				return -1;
			}
		} else if (!(dev = virNodeDeviceCreateXML(conn, r->xml, vop_flags(VOPA_NODEDEV_CREATE, r, NULL)))) {
			return virt_error(err, "creating the mdev");
		}
		snprintf(res->message, sizeof res->message, "mdev %s created as %s", r->target,
			 virNodeDeviceGetName(dev) ? virNodeDeviceGetName(dev) : "?");
		virNodeDeviceFree(dev);
		return 0;
	case VOP_NODEDEV_REMOVE: {
		if (!(dev = find_mdev(conn, r->target))) {
			if (virGetLastError())
				return virt_error(err, "listing mdevs");
			return err_set(err, VD_ENOTFOUND, "libvirt has no mdev %s", r->target);
		}
		int rc = 0;
		if (virNodeDeviceIsActive(dev) == 1 && virNodeDeviceDestroy(dev) < 0)
			rc = virt_error(err, "destroying the mdev");
		if (rc == 0 && virNodeDeviceIsPersistent(dev) == 1 && virNodeDeviceUndefine(dev, 0) < 0)
			rc = virt_error(err, "undefining the mdev");
		virResetLastError();
		if (rc == 0)
			snprintf(res->message, sizeof res->message, "mdev %s removed", r->target);
		virNodeDeviceFree(dev);
		return rc;
	}
	case VOP_VOL_CREATE:
	case VOP_VOL_DELETE:
	case VOP_VOL_RESIZE:
		return vop_run_volume(conn, r, res, err);
	case VOP_NET_DEFINE:
		return vop_run_network(conn, r, res, err);
	case VOP_CLONE:
		return vop_run_clone(conn, r, res, err);
	default:
		return err_set(err, VD_EUNSUPPORTED, "not a host request");
	}
}

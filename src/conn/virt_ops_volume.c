/* virt_ops_volume.c — storage volume requests on the host's worker:
 * creating a volume from XML in a pool, deleting one by name, growing one. */
#include "conn/virt_ops.h"
#include "conn/virt.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>

int vop_run_volume(void *opaque, const struct vop_request *r, struct vop_result *res, struct vd_err *err)
{
	virConnectPtr conn = opaque;
	virStoragePoolPtr pool = virStoragePoolLookupByName(conn, r->target);
	if (!pool)
		return virt_error(err, "finding the storage pool");
	int rc = 0;
	virStorageVolPtr vol = NULL;
	if (r->kind == VOP_VOL_CREATE) {
		if (!(vol = virStorageVolCreateXML(pool, r->xml, 0)))
			rc = virt_error(err, "creating the volume");
		else
			snprintf(res->message, sizeof res->message, "volume %s created in pool %s",
				 virStorageVolGetName(vol) ? virStorageVolGetName(vol) : "?", r->target);
	} else if (!(vol = virStorageVolLookupByName(pool, r->volume ? r->volume : ""))) {
		rc = virt_error(err, "finding the volume");
	} else if (r->kind == VOP_VOL_RESIZE) {
		if (virStorageVolResize(vol, r->value, 0) < 0)
			rc = virt_error(err, "resizing the volume");
		else
			snprintf(res->message, sizeof res->message, "volume %s of pool %s resized to %llu bytes",
				 r->volume, r->target, (unsigned long long)r->value);
	} else if (virStorageVolDelete(vol, 0) < 0) {
		rc = virt_error(err, "deleting the volume");
	} else {
		snprintf(res->message, sizeof res->message, "volume %s deleted from pool %s", r->volume, r->target);
	}
	if (vol)
		virStorageVolFree(vol);
	virStoragePoolFree(pool);
	return rc;
}

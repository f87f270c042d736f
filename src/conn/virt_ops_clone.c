/* virt_ops_clone.c — VOP_CLONE: a new VM from its volumes and definition.
 *
 * On the worker of the clone's host: each volume is made in its pool —
 * empty (a linked clone's overlay, whose XML names its backing file) or
 * copied from a source volume by libvirt (virStorageVolCreateXMLFrom,
 * which runs qemu-img convert on a file pool) — then the domain is defined
 * and, when asked, started.  A failed volume or define deletes the volumes
 * made before it, so no orphan file is left; a failed start leaves the
 * defined VM in place and says so. */
#include "conn/virt_ops.h"
#include "conn/virt.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>

/* Makes step s; the new volume, or NULL with err set. */
static virStorageVolPtr make_volume(virConnectPtr conn, const struct vop_volume_step *s, struct vd_err *err)
{
	virStoragePoolPtr pool = virStoragePoolLookupByName(conn, s->pool);
	if (!pool) {
		virt_error(err, "finding the storage pool");
		return NULL;
	}
	virStorageVolPtr vol = NULL;
	if (s->from) {
		virStorageVolPtr src = virStorageVolLookupByPath(conn, s->from);
		if (!src)
			virt_error(err, "finding the volume to copy");
		else if (!(vol = virStorageVolCreateXMLFrom(pool, s->xml, src, 0)))
			virt_error(err, "copying the volume");
		if (src)
			virStorageVolFree(src);
	} else if (!(vol = virStorageVolCreateXML(pool, s->xml, 0))) {
		virt_error(err, "creating the volume");
	}
	virStoragePoolFree(pool);
	return vol;
}

/* Deletes the first n volumes made (undo). */
static void delete_made(virStorageVolPtr *made, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (virStorageVolDelete(made[i], 0) < 0)
			virResetLastError();
		virStorageVolFree(made[i]);
	}
}

int vop_run_clone(void *opaque, const struct vop_request *r, struct vop_result *res, struct vd_err *err)
{
	virConnectPtr conn = opaque;
	virStorageVolPtr made[64];
	size_t n = 0;
	if (r->nvols > sizeof made / sizeof made[0])
		return err_set(err, VD_EINVAL, "a clone of more than %zu disks", sizeof made / sizeof made[0]);
	for (; n < r->nvols; n++) {
		if (!(made[n] = make_volume(conn, &r->vols[n], err))) {
			delete_made(made, n);
			return -1;
		}
	}
	virDomainPtr dom = virDomainDefineXML(conn, r->xml);
	if (!dom) {
		virt_error(err, "defining the clone");
		delete_made(made, n);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		virStorageVolFree(made[i]);
	int rc = 0;
	const char *name = virDomainGetName(dom);
	snprintf(res->message, sizeof res->message, "cloned as %s on %s (%zu volume(s))", name ? name : "?",
		 r->target, n);
	if ((r->flags & VOPF_START) && virDomainCreate(dom) < 0)
		rc = virt_error(err, "starting the clone (it stays defined)");
	else if (r->flags & VOPF_START)
		snprintf(res->message, sizeof res->message, "cloned and started %s on %s (%zu volume(s))",
			 name ? name : "?", r->target, n);
	virDomainFree(dom);
	return rc;
}

/* xml_restore.h — pure builders for restore_to: the new VM's definition
 * from a snapshot's saved one, and the shell steps creating its overlays. */
#ifndef VD_XML_RESTORE_H
#define VD_XML_RESTORE_H

#include <stddef.h>

#include "core/err.h"
#include "core/strbuf.h"

struct restore_disk {
	const char *target;        /* vda */
	const char *file;          /* the new overlay */
	const char *base;          /* its backing file: the disk's file when the snapshot was taken */
	const char *base_format;   /* qcow2, raw */
};

struct restore_spec {
	const char                *name;   /* of the new VM */
	const struct restore_disk *disks;
	size_t                     ndisks;
};

/* Appends the new VM's <domain> to out.  Fails (VD_EREFUSED) when a
 * writable unshared disk is not among spec's disks; dropped_hostdevs (may
 * be NULL) counts the <hostdev>s left out. */
int  xml_restore_domain(const char *xml, size_t len, const struct restore_spec *spec, struct strbuf *out,
			size_t *dropped_hostdevs, struct vd_err *err);
/* BASE's directory + "/NAME-TARGET.qcow2" (NAME's unsafe characters as '_'). */
void restore_overlay_path(const char *base, const char *name, const char *target, struct strbuf *sb);
/* make: a sh script that refuses existing files, then creates every overlay
 * with qemu-img (removing them again if one fails); undo: removes them. */
void restore_shell(const struct restore_spec *spec, struct strbuf *make, struct strbuf *undo);

#endif

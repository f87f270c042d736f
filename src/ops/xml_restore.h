/* xml_restore.h — pure builders for restore_to and clone: the new VM's
 * definition from a snapshot's saved one (or the source VM's), the shell
 * steps creating restore_to's overlays, and the checks of the paths the
 * XML hands to them. */
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
	const char *format;        /* the new file's format; NULL: qcow2 (an overlay).  A full
	                            * copy (clone) has no base: NULL base, no <backingStore> */
};

struct restore_spec {
	const char                *name;   /* of the new VM */
	const struct restore_disk *disks;
	size_t                     ndisks;
	/* The definition comes from another host (restore_to onto a host that
	 * is not the snapshot's): every host file it names must lie inside one
	 * of pools, the target host's file pool directories. */
	int                        foreign;
	const char *const         *pools;
	size_t                     npools;
	/* clone: the new VM's UUID and its NICs' MAC addresses, in order (NULL
	 * or past nmacs: left out, libvirt makes them). */
	const char                *uuid;
	const char *const         *macs;
	size_t                     nmacs;
};

/* The disks' files before anything is built from them: base and file
 * absolute, every component a plain name (not empty, ".", "..", no control
 * character); base_format qcow2 or raw (another format, e.g. vvfat, would
 * make qemu read what the base names differently); foreign: base and file
 * inside one of spec's pools.  -1 (VD_EREFUSED) naming the disk and path. */
int  restore_check(const struct restore_spec *spec, struct vd_err *err);
/* Appends the new VM's <domain> to out.  Fails (VD_EREFUSED) when a
 * writable unshared disk is not among spec's disks; dropped_hostdevs (may
 * be NULL) counts the <hostdev>s left out.  Foreign: the <emulator> is left
 * out (the target host runs its own default), and it fails when an element
 * of QEMU's namespace (qemu:commandline) or a host path outside spec's
 * pools remains (a cdrom, firmware, kernel, a chardev's file, a shared
 * directory; /dev/random, /dev/urandom and /dev/hwrng excepted). */
int  xml_restore_domain(const char *xml, size_t len, const struct restore_spec *spec, struct strbuf *out,
			size_t *dropped_hostdevs, struct vd_err *err);
/* BASE's directory + "/NAME-TARGET.qcow2" (NAME's unsafe characters as '_'). */
void restore_overlay_path(const char *base, const char *name, const char *target, struct strbuf *sb);
/* make: a sh script that refuses existing files, then creates every overlay
 * with qemu-img (removing them again if one fails); undo: removes them. */
void restore_shell(const struct restore_spec *spec, struct strbuf *make, struct strbuf *undo);

#endif

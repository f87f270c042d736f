/* maintenance.h — hosts in maintenance: they take no new VMs in any plan.
 *
 * The state is vdeck's own (libvirt has no such notion): one host name a
 * line in $XDG_STATE_HOME/vdeck/maintenance, so it survives restarts and
 * is shared by every vdeck of this user.  A change is audited like an
 * operation (operation "set_maintenance"), refused under --readonly, and
 * only described under --dry-run. */
#ifndef VD_MAINTENANCE_H
#define VD_MAINTENANCE_H

#include "core/err.h"
#include "core/options.h"
#include "model/cluster.h"

/* Marks c's hosts named in the file (path NULL: the default).  A missing
 * file is none in maintenance; an unreadable one is a Log view error. */
void maintenance_load(const char *path, struct cluster *c);
/* Sets h's state, rewrites the file (keeping names of hosts this run does
 * not know) and writes the audit record.  *changed: 0 when h already was
 * in that state or under dry-run. */
int  maintenance_set(const char *path, struct cluster *c, struct host *h, int on, const struct vd_options *opts,
		     int *changed, struct vd_err *err);

#endif

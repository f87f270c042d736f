/* snapxml.h — a libvirt snapshot's XML into struct op_snapshot (pure). */
#ifndef VD_SNAPXML_H
#define VD_SNAPXML_H

#include <stddef.h>

#include "ops/optable.h"

/* Parses <domainsnapshot> text; fills out (free with op_snapshots_free). */
int snapxml_parse(const char *xml, size_t len, struct op_snapshot *out, struct vd_err *err);

#endif

/* local_bundle.h — the poll bundle of a local host, read in-process.
 *
 * Produces the same text as running bundle_script() with sh, without
 * forking: a host read through its sysroot on this machine costs a few
 * hundred small reads per poll, no processes. */
#ifndef VD_LOCAL_BUNDLE_H
#define VD_LOCAL_BUNDLE_H

#include "core/strbuf.h"

void local_bundle(const char *sysroot, struct strbuf *out);

#endif

/* xml_storage.h — the storage volume XML operations send (pure builders,
 * every value escaped; golden text in tests/unit/test_storage.c). */
#ifndef VD_OPS_XML_STORAGE_H
#define VD_OPS_XML_STORAGE_H

#include <stdint.h>

#include "core/strbuf.h"

struct xml_volume {
	const char *name;
	const char *format;           /* qcow2 | raw */
	uint64_t    capacity;         /* bytes the guest sees */
	uint64_t    allocation;       /* bytes allocated now: 0 is thin */
	const char *backing;          /* a qcow2 overlay's backing file, or NULL */
	const char *backing_format;
};

void xml_volume(const struct xml_volume *v, struct strbuf *sb);

#endif

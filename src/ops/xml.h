/* xml.h — pure builders of the libvirt XML that operations send.
 *
 * Every value goes through sb_append_xml, so a name with <&'" stays text.
 * Output is byte-stable (golden-file tests in tests/fixtures/ops/). */
#ifndef VD_OPS_XML_H
#define VD_OPS_XML_H

#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"

struct xml_disk {
	const char *type;       /* file | block */
	const char *device;     /* disk | lun | cdrom */
	const char *source;
	const char *target, *bus;
	const char *format;     /* raw | qcow2, NULL: no driver element */
	const char *cache;      /* NULL or "default": none given */
	int         readonly, shareable;
	const char *serial;
};

struct xml_nic {
	const char *network, *bridge;   /* exactly one, or none with vf */
	const char *vf;                 /* an SR-IOV VF's PCI address (0000:3b:02.1): type='hostdev' */
	const char *model, *mac, *portgroup;
	unsigned    vlan;
};

struct xml_dimm {
	uint64_t size_kib;
	int      node;
};

struct xml_snapshot {
	const char        *name, *description;
	int                memory;       /* memory state included */
	int                external;     /* external disks (and memory file) */
	const char        *memory_file;  /* external memory */
	const char *const *disks;        /* targets to snapshot (external) */
	size_t             ndisks;
	const char *const *skip;         /* targets left out (cdroms, shared) */
	size_t             nskip;
};

void xml_disk(const struct xml_disk *d, struct strbuf *sb);
void xml_nic(const struct xml_nic *n, struct strbuf *sb);
void xml_dimm(const struct xml_dimm *m, struct strbuf *sb);
void xml_snapshot(const struct xml_snapshot *s, struct strbuf *sb);
/* XPath 'string' literal of s (concat() when it holds both quote kinds). */
void xml_xpath_literal(const char *s, struct strbuf *sb);

#endif

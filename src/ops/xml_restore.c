/* xml_restore.c — the definition of a VM built from an external snapshot
 * (restore_to), and the shell steps that make its disks.
 *
 * Input is the snapshot's saved inactive <domain>.  The copy gets the new
 * name, no <uuid> (libvirt makes one), no MAC addresses (libvirt picks fresh
 * ones), no tap names or aliases, no host devices (a vGPU or LUN belongs to
 * one VM), and each snapshotted disk on a new qcow2 overlay whose
 * <backingStore> names the file that was current when the snapshot was
 * taken, so that every later reader of the definition sees the dependency.
 * A writable, unshared disk the snapshot did not cover would be written by
 * both VMs: refused.  Pure: libxml2 on text, no I/O. */
#include "ops/xml_restore.h"
#include "core/xalloc.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static xmlNode *child(xmlNode *n, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (is(c, name))
			return c;
	return NULL;
}

static void drop(xmlNode *n)
{
	if (!n)
		return;
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

static void drop_all(xmlNode *parent, const char *name)
{
	xmlNode *c;
	while ((c = child(parent, name)))
		drop(c);
}

static int attr_is(xmlNode *n, const char *name, const char *value)
{
	xmlChar *v = n ? xmlGetProp(n, (const xmlChar *)name) : NULL;
	int same = v && !strcmp((const char *)v, value);
	xmlFree(v);
	return same;
}

static const struct restore_disk *spec_disk(const struct restore_spec *s, xmlNode *disk)
{
	xmlNode *t = child(disk, "target");
	for (size_t i = 0; t && i < s->ndisks; i++)
		if (attr_is(t, "dev", s->disks[i].target))
			return &s->disks[i];
	return NULL;
}

/* <source file=overlay/><backingStore type='file'><format/><source file=base/></backingStore> */
static void rewrite_disk(xmlNode *disk, const struct restore_disk *r)
{
	xmlSetProp(disk, (const xmlChar *)"type", (const xmlChar *)"file");
	xmlNode *driver = child(disk, "driver");
	if (!driver) {
		driver = xmlNewNode(NULL, (const xmlChar *)"driver");
		xmlSetProp(driver, (const xmlChar *)"name", (const xmlChar *)"qemu");
		if (disk->children)
			xmlAddPrevSibling(disk->children, driver);
		else
			xmlAddChild(disk, driver);
	}
	xmlSetProp(driver, (const xmlChar *)"type", (const xmlChar *)"qcow2");
	drop_all(disk, "source");
	drop_all(disk, "backingStore");
	drop_all(disk, "alias");
	xmlNode *src = xmlNewNode(NULL, (const xmlChar *)"source");
	xmlSetProp(src, (const xmlChar *)"file", (const xmlChar *)r->file);
	xmlAddNextSibling(driver, src);
	xmlNode *bs = xmlNewNode(NULL, (const xmlChar *)"backingStore");
	xmlSetProp(bs, (const xmlChar *)"type", (const xmlChar *)"file");
	xmlNode *fmt = xmlNewChild(bs, NULL, (const xmlChar *)"format", NULL);
	xmlSetProp(fmt, (const xmlChar *)"type", (const xmlChar *)r->base_format);
	xmlNode *bsrc = xmlNewChild(bs, NULL, (const xmlChar *)"source", NULL);
	xmlSetProp(bsrc, (const xmlChar *)"file", (const xmlChar *)r->base);
	xmlAddNextSibling(src, bs);
}

/* A disk another VM could share safely: read-only, shareable, a cdrom or floppy, or empty. */
static int harmless_disk(xmlNode *disk)
{
	return child(disk, "readonly") || child(disk, "shareable") || !child(disk, "source") ||
	       attr_is(disk, "device", "cdrom") || attr_is(disk, "device", "floppy");
}

/* Whitespace-only text between elements: dropped before a formatted dump. */
static void strip_blanks(xmlNode *n)
{
	for (xmlNode *c = n->children, *next; c; c = next) {
		next = c->next;
		if (c->type == XML_TEXT_NODE && xmlIsBlankNode(c))
			drop(c);
		else if (c->type == XML_ELEMENT_NODE)
			strip_blanks(c);
	}
}

int xml_restore_domain(const char *xml, size_t len, const struct restore_spec *spec, struct strbuf *out,
		       size_t *dropped_hostdevs, struct vd_err *err)
{
	if (dropped_hostdevs)
		*dropped_hostdevs = 0;
	if (!xml || len > (size_t)1 << 28)
		return err_set(err, VD_EINVAL, "no saved domain definition");
	xmlDoc *doc = xmlReadMemory(xml, (int)len, "domain.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	int rc = -1;
	if (!is(root, "domain")) {
		err_set(err, VD_EINVAL, "the saved definition is not a <domain> document");
		goto out;
	}
	xmlNode *name = child(root, "name");
	if (!name) {
		err_set(err, VD_EINVAL, "the saved definition has no <name>");
		goto out;
	}
	while (name->children)
		drop(name->children);
	xmlAddChild(name, xmlNewText((const xmlChar *)spec->name));
	drop_all(root, "uuid");
	drop_all(root, "genid");
	xmlNode *devs = child(root, "devices");
	size_t found = 0;
	for (xmlNode *d = devs ? devs->children : NULL, *next; d; d = next) {
		next = d->next;
		if (is(d, "interface")) {
			drop_all(d, "mac");
			drop_all(d, "target");
			drop_all(d, "alias");
		} else if (is(d, "hostdev")) {
			drop(d);
			if (dropped_hostdevs)
				(*dropped_hostdevs)++;
		} else if (is(d, "disk")) {
			const struct restore_disk *r = spec_disk(spec, d);
			if (r) {
				rewrite_disk(d, r);
				found++;
			} else if (!harmless_disk(d)) {
				xmlNode *t = child(d, "target");
				xmlChar *dev = t ? xmlGetProp(t, (const xmlChar *)"dev") : NULL;
				err_set(err, VD_EREFUSED, "disk %s is writable and not part of the snapshot: the new VM "
					"would write to the same file as the original", dev ? (const char *)dev : "?");
				xmlFree(dev);
				goto out;
			}
		}
	}
	if (found != spec->ndisks) {
		err_set(err, VD_EINVAL, "the saved definition lacks %zu of the snapshot's disks", spec->ndisks - found);
		goto out;
	}
	strip_blanks(root);
	xmlBuffer *buf = xmlBufferCreate();
	if (buf && xmlNodeDump(buf, doc, root, 0, 1) > 0) {
		sb_append(out, (const char *)xmlBufferContent(buf));
		sb_appendc(out, '\n');
		rc = 0;
	} else {
		err_set(err, VD_EIO, "cannot serialise the new definition");
	}
	xmlBufferFree(buf);
out:
	xmlFreeDoc(doc);
	return rc;
}

void restore_overlay_path(const char *base, const char *name, const char *target, struct strbuf *sb)
{
	const char *slash = strrchr(base, '/');
	if (slash)
		sb_appendf(sb, "%.*s/", (int)(slash - base), base);
	for (const char *p = name; *p; p++) {
		char c = *p;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 c == '.' || c == '_' || c == '-';
		sb_appendc(sb, ok && !(p == name && c == '.') ? c : '_');
	}
	sb_appendf(sb, "-%s.qcow2", target);
}

void restore_shell(const struct restore_spec *spec, struct strbuf *make, struct strbuf *undo)
{
	sb_append(undo, "rm -f");
	for (size_t i = 0; i < spec->ndisks; i++) {
		sb_appendc(undo, ' ');
		sb_append_shell(undo, spec->disks[i].file);
	}
	sb_append(make, "set -e\n");
	for (size_t i = 0; i < spec->ndisks; i++) {
		sb_append(make, "test ! -e ");
		sb_append_shell(make, spec->disks[i].file);
		sb_append(make, " || { echo already exists: ");
		sb_append_shell(make, spec->disks[i].file);
		sb_append(make, " >&2; exit 1; }\n");
	}
	sb_appendf(make, "undo() { %s; }\ntrap undo EXIT\n", undo->buf);
	for (size_t i = 0; i < spec->ndisks; i++) {
		sb_append(make, "qemu-img create -q -f qcow2 -F ");
		sb_append_shell(make, spec->disks[i].base_format);
		sb_append(make, " -b ");
		sb_append_shell(make, spec->disks[i].base);
		sb_appendc(make, ' ');
		sb_append_shell(make, spec->disks[i].file);
		sb_appendc(make, '\n');
	}
	sb_append(make, "trap - EXIT\n");
	sb_appendc(undo, '\n');
}

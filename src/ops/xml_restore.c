/* xml_restore.c — the definition of a VM built from an external snapshot
 * (restore_to) or from another VM (clone), and the shell steps that make
 * restore_to's disks.
 *
 * Input is the snapshot's saved inactive <domain> (or the source VM's).
 * The copy gets the new name, the UUID and MACs the spec gives (none
 * given: none, libvirt makes them), no tap names or aliases, no host
 * devices (a vGPU or LUN belongs to one VM), and each disk of the spec on
 * its new file: a qcow2 overlay whose <backingStore> names the file that
 * was current when the snapshot was taken (or the source's disk), so that
 * every later reader of the definition sees the dependency, or a full copy.
 * A writable, unshared disk the snapshot did not cover would be written by
 * both VMs: refused.
 *
 * The snapshot's XML is the source host's word.  Onto another host, it
 * must not make that host open, create or run files of its own choosing:
 * every path it names (the bases, the overlays next to them, a cdrom, a
 * kernel, a chardev's file, a shared directory) must lie inside the target
 * host's file pools, its <emulator> (a program libvirt runs to probe it) is
 * dropped, and QEMU pass-through arguments (qemu:commandline) are refused.
 * Pure: libxml2 on text, no I/O. */
#include "ops/xml_restore.h"
#include "core/xalloc.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"

/* Host paths a foreign definition may name outside the pools: entropy
 * sources for <rng>, which hold nothing of the host's. */
static const char *const harmless_paths[] = { "/dev/random", "/dev/urandom", "/dev/hwrng", NULL };

/* s for a message: control characters as \xNN, at most len - 1 bytes. */
static const char *shown(const char *s, char *buf, size_t len)
{
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && o + 5 < len; p++) {
		if (*p < 0x20 || *p == 0x7f)
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", *p);
		else
			buf[o++] = (char)*p;
	}
	buf[o] = '\0';
	return buf;
}

/* Absolute, and every component a plain name: not empty, ".", "..", and
 * no control character. */
static int plain_path(const char *p)
{
	if (!p || p[0] != '/')
		return 0;
	for (const char *c = p + 1;; c++) {
		size_t n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)c[i] < 0x20 || c[i] == 0x7f)
				return 0;
		c += n;
		if (!*c)
			return 1;
	}
}

/* path (plain) lies below one of the pool directories. */
static int in_pool(const struct restore_spec *s, const char *path)
{
	for (size_t i = 0; i < s->npools; i++) {
		size_t l = strlen(s->pools[i]);
		if (l == 1 && s->pools[i][0] == '/')
			return 1;
		if (l && !strncmp(path, s->pools[i], l) && path[l] == '/' && path[l + 1])
			return 1;
	}
	return 0;
}

/* "/a, /b" or a sentence saying there is none. */
static const char *pools_text(const struct restore_spec *s, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < s->npools && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "pools: ", s->pools[i]);
	if (!s->npools)
		snprintf(buf, len, "it has no active dir, fs or netfs storage pool");
	return buf;
}

/* 0 when the new VM may use path; else -1 with err naming what holds it. */
static int path_allowed(const struct restore_spec *s, const char *what, const char *path, struct vd_err *err)
{
	char a[256], b[256];
	if (!plain_path(path))
		return err_set(err, VD_EREFUSED, "%s '%s' is not a plain absolute path (an empty, '.' or '..' "
			       "component, or a control character)", what, shown(path, a, sizeof a));
	if (s->foreign && !in_pool(s, path))
		return err_set(err, VD_EREFUSED, "%s '%s' is not inside a storage pool directory of the target "
			       "host (%s)", what, shown(path, a, sizeof a), pools_text(s, b, sizeof b));
	return 0;
}

int restore_check(const struct restore_spec *spec, struct vd_err *err)
{
	char what[128], a[64];
	for (size_t i = 0; i < spec->ndisks; i++) {
		const struct restore_disk *d = &spec->disks[i];
		if (d->format && strcmp(d->format, "qcow2") && strcmp(d->format, "raw"))
			return err_set(err, VD_EREFUSED, "disk %s: the new file's format '%s' is neither qcow2 nor raw",
				       d->target, shown(d->format, a, sizeof a));
		if (!d->base) {
			snprintf(what, sizeof what, "disk %s: new file", d->target);
			if (path_allowed(spec, what, d->file, err) < 0)
				return -1;
			continue;
		}
		if (strcmp(d->base_format, "qcow2") && strcmp(d->base_format, "raw"))
			return err_set(err, VD_EREFUSED, "disk %s: the backing file's format '%s' is neither qcow2 nor raw",
				       d->target, shown(d->base_format, a, sizeof a));
		snprintf(what, sizeof what, "disk %s: backing file", d->target);
		if (path_allowed(spec, what, d->base, err) < 0)
			return -1;
		snprintf(what, sizeof what, "disk %s: new overlay", d->target);
		if (path_allowed(spec, what, d->file, err) < 0)
			return -1;
	}
	return 0;
}

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

/* A host path of a foreign definition, held by what: as path_allowed, and
 * the harmless ones pass. */
static int foreign_path(const struct restore_spec *s, const char *what, const char *path, struct vd_err *err)
{
	for (size_t i = 0; harmless_paths[i]; i++)
		if (!strcmp(path, harmless_paths[i]))
			return 0;
	return path_allowed(s, what, path, err);
}

/* Attributes and element texts that name a host file whatever they start
 * with (QEMU opens a relative one from /); a <target>'s are the guest's. */
static int path_attr(const xmlNode *n, const char *attr)
{
	static const char *const names[] = { "file", "dir", "path", "socket", "template", NULL };
	for (size_t i = 0; names[i] && !is(n, "target"); i++)
		if (!strcmp(attr, names[i]))
			return 1;
	return 0;
}

static int path_text(const xmlNode *n)
{
	static const char *const names[] = { "kernel", "initrd", "dtb", "loader", "nvram", "backend", NULL };
	for (size_t i = 0; names[i]; i++)
		if (is(n, names[i]))
			return 1;
	return 0;
}

/* Every host path below n in a foreign definition (where says which device
 * holds it): the attributes and texts above, and any attribute or text
 * starting with '/'.  <metadata>, <description> and <title> are inert,
 * <resource> names a cgroup partition ("/machine"), not a file. */
static int scan_paths(const struct restore_spec *s, xmlNode *n, const char *where, struct vd_err *err)
{
	char what[160];
	for (xmlNode *c = n->children; c; c = c->next) {
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			xmlChar *v = xmlNodeGetContent(c);
			const char *t = v ? (const char *)v + strspn((const char *)v, " \t\r\n") : "";
			snprintf(what, sizeof what, "%s: <%s>", where, (const char *)n->name);
			int rc = *t == '/' || (*t && path_text(n)) ? foreign_path(s, what, t, err) : 0;
			xmlFree(v);
			if (rc < 0)
				return -1;
			continue;
		}
		if (c->type != XML_ELEMENT_NODE || is(c, "metadata") || is(c, "description") || is(c, "title") ||
		    is(c, "resource"))
			continue;
		if (c->ns && c->ns->href && !strcmp((const char *)c->ns->href, QEMU_NS))
			return err_set(err, VD_EREFUSED, "<%s> (QEMU namespace) would pass arguments of the source host's "
				       "choosing to QEMU on the target host", (const char *)c->name);
		char here[96];
		xmlNode *t = is(c, "disk") ? child(c, "target") : NULL;
		xmlChar *dev = t ? xmlGetProp(t, (const xmlChar *)"dev") : NULL;
		if (n->parent && n->parent->type == XML_DOCUMENT_NODE)
			snprintf(here, sizeof here, "%s", (const char *)c->name);   /* <os>, <devices>, ... */
		else if (is(n, "devices"))
			snprintf(here, sizeof here, "%s%s%s", (const char *)c->name, dev ? " " : "",
				 dev ? (const char *)dev : "");
		else
			snprintf(here, sizeof here, "%s", where);
		xmlFree(dev);
		for (xmlAttr *a = c->properties; a; a = a->next) {
			xmlChar *v = xmlNodeGetContent((xmlNode *)a);
			snprintf(what, sizeof what, "%s: <%s %s>", here, (const char *)c->name, (const char *)a->name);
			int rc = v && (v[0] == '/' || path_attr(c, (const char *)a->name)) ?
				 foreign_path(s, what, (const char *)v, err) : 0;
			xmlFree(v);
			if (rc < 0)
				return -1;
		}
		if (scan_paths(s, c, here, err) < 0)
			return -1;
	}
	return 0;
}

static const struct restore_disk *spec_disk(const struct restore_spec *s, xmlNode *disk)
{
	xmlNode *t = child(disk, "target");
	for (size_t i = 0; t && i < s->ndisks; i++)
		if (attr_is(t, "dev", s->disks[i].target))
			return &s->disks[i];
	return NULL;
}

/* <source file=overlay/><backingStore type='file'><format/><source file=base/></backingStore>,
 * or for a full copy <source file=copy/><backingStore/> (nothing below). */
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
	xmlSetProp(driver, (const xmlChar *)"type", (const xmlChar *)(r->format ? r->format : "qcow2"));
	drop_all(disk, "source");
	drop_all(disk, "backingStore");
	drop_all(disk, "alias");
	xmlNode *src = xmlNewNode(NULL, (const xmlChar *)"source");
	xmlSetProp(src, (const xmlChar *)"file", (const xmlChar *)r->file);
	xmlAddNextSibling(driver, src);
	xmlNode *bs = xmlNewNode(NULL, (const xmlChar *)"backingStore");
	if (!r->base) {
		xmlAddNextSibling(src, bs);
		return;
	}
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
	if (spec->uuid) {
		xmlNode *u = xmlNewNode(NULL, (const xmlChar *)"uuid");
		xmlAddChild(u, xmlNewText((const xmlChar *)spec->uuid));
		xmlAddNextSibling(name, u);
	}
	xmlNode *devs = child(root, "devices");
	size_t found = 0, nics = 0;
	for (xmlNode *d = devs ? devs->children : NULL, *next; d; d = next) {
		next = d->next;
		if (is(d, "interface")) {
			drop_all(d, "mac");
			drop_all(d, "target");
			drop_all(d, "alias");
			if (spec->macs && nics < spec->nmacs) {
				xmlNode *m = xmlNewNode(NULL, (const xmlChar *)"mac");
				xmlSetProp(m, (const xmlChar *)"address", (const xmlChar *)spec->macs[nics]);
				if (d->children)
					xmlAddPrevSibling(d->children, m);
				else
					xmlAddChild(d, m);
			}
			nics++;
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
	if (spec->foreign) {
		drop_all(devs, "emulator");
		if (scan_paths(spec, root, "domain", err) < 0)
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

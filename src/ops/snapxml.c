/* snapxml.c — what vdeck needs from a <domainsnapshot> document: name,
 * parent, state, whether memory is included, internal or external, the
 * overlay files external snapshots created, and whether the saved domain
 * had hot-added vCPUs (an enabled, hotpluggable <vcpus><vcpu>: QEMU 7.2
 * cannot load the memory state of such a snapshot).  For external
 * snapshots also each overlay's base — the disk's file in the saved domain,
 * i.e. the file that was current when the snapshot was taken — and the
 * saved inactive definition (<inactiveDomain>, else <domain>), which
 * restore_to turns into a new VM.  libxml2, no I/O. */
#include "metrics/xmlnode.h"
#include "ops/snapxml.h"
#include "core/xalloc.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *prop(const xmlNode *n, const char *name)
{
	xmlChar *v = n ? xmlGetProp(n, (const xmlChar *)name) : NULL;
	char *out = v ? x_strdup((const char *)v) : NULL;
	xmlFree(v);
	return out;
}

static char *content(const xmlNode *n)
{
	xmlChar *v = n ? xmlNodeGetContent(n) : NULL;
	char *out = v ? x_strdup((const char *)v) : NULL;
	xmlFree(v);
	return out;
}

static int prop_is(const xmlNode *n, const char *name, const char *value)
{
	char *v = prop(n, name);
	int same = v && !strcmp(v, value);
	free(v);
	return same;
}

static void read_disks(const xmlNode *disks, struct op_snapshot *s)
{
	size_t cap = 0;
	for (const xmlNode *d = disks ? disks->children : NULL; d; d = d->next) {
		if (!xml_is(d, "disk") || !prop_is(d, "snapshot", "external"))
			continue;
		s->external = 1;
		const xmlNode *src = xml_child(d, "source");
		char *file = prop(src, "file");
		if (!file)
			file = prop(src, "dev");
		if (s->ndisks + 1 > cap) {
			cap = cap ? cap * 2 : 4;
			s->disk_sources = x_realloc(s->disk_sources, cap * sizeof *s->disk_sources);
			s->disk_targets = x_realloc(s->disk_targets, cap * sizeof *s->disk_targets);
		}
		s->disk_sources[s->ndisks] = file ? file : x_strdup("");
		char *name = prop(d, "name");
		s->disk_targets[s->ndisks++] = name ? name : x_strdup("");
	}
}

/* A disk of the saved domain: its target and where it was in the file. */
struct saved_disk {
	char          *target;
	size_t         order;
	const xmlNode *node;
};

static int by_target(const void *a, const void *b)
{
	const struct saved_disk *x = a, *y = b;
	int c = strcmp(x->target, y->target);
	return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* The saved domain's disks sorted by target (then file order), so that
 * each snapshot disk finds its base by a binary search: a document with
 * thousands of disks on both sides costs n log n, not n * n. */
static struct saved_disk *saved_disks(const xmlNode *dom, size_t *n)
{
	const xmlNode *devs = xml_child(dom, "devices");
	struct saved_disk *v = NULL;
	size_t cap = 0;
	*n = 0;
	for (const xmlNode *d = devs ? devs->children : NULL; d; d = d->next) {
		char *target = xml_is(d, "disk") ? prop(xml_child(d, "target"), "dev") : NULL;
		if (!target)
			continue;
		x_grow(&v, &cap, *n + 1, sizeof *v);
		v[*n] = (struct saved_disk){ target, *n, d };
		(*n)++;
	}
	if (*n)
		qsort(v, *n, sizeof *v, by_target);
	return v;
}

/* The first disk of the saved domain with this target: its file and format. */
static void read_base(const struct saved_disk *disks, size_t n, const char *target, char **base,
		      char **format)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(disks[mid].target, target) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && !strcmp(disks[lo].target, target)) {
		const xmlNode *d = disks[lo].node;
		const xmlNode *src = xml_child(d, "source");
		*base = prop(src, "file");
		if (!*base)
			*base = prop(src, "dev");
		*format = prop(xml_child(d, "driver"), "type");
	}
	if (!*base)
		*base = x_strdup("");
	if (!*format)
		*format = x_strdup("");
}

static char *dump_domain(xmlDoc *doc, xmlNode *dom)
{
	xmlNodeSetName(dom, (const xmlChar *)"domain");
	xmlBuffer *buf = xmlBufferCreate();
	char *out = NULL;
	if (buf && xmlNodeDump(buf, doc, dom, 0, 0) > 0)
		out = x_strdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	return out;
}

static int hotplugged_vcpus(const xmlNode *dom)
{
	const xmlNode *vcpus = xml_child(dom, "vcpus");
	for (const xmlNode *v = vcpus ? vcpus->children : NULL; v; v = v->next)
		if (xml_is(v, "vcpu") && prop_is(v, "enabled", "yes") && prop_is(v, "hotpluggable", "yes"))
			return 1;
	return 0;
}

int snapxml_parse(const char *xml, size_t len, struct op_snapshot *out, struct vd_err *err)
{
	memset(out, 0, sizeof *out);
	if (len > (size_t)1 << 30)
		return err_set(err, VD_EINVAL, "snapshot XML too large");
	xmlDoc *doc = xmlReadMemory(xml, (int)len, "snapshot.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	const xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!xml_is(root, "domainsnapshot")) {
		xmlFreeDoc(doc);
		return err_set(err, VD_EINVAL, "not a <domainsnapshot> document");
	}
	out->name = content(xml_child(root, "name"));
	if (!out->name) {
		xmlFreeDoc(doc);
		return err_set(err, VD_EINVAL, "snapshot without a <name>");
	}
	out->description = content(xml_child(root, "description"));
	out->parent = content(xml_child(xml_child(root, "parent"), "name"));
	char *state = content(xml_child(root, "state"));
	snprintf(out->state, sizeof out->state, "%s", state ? state : "");
	free(state);
	char *t = content(xml_child(root, "creationTime"));
	out->created = t ? strtoll(t, NULL, 10) : 0;
	free(t);
	const xmlNode *mem = xml_child(root, "memory");
	char *msnap = prop(mem, "snapshot");
	if (msnap) {
		out->memory = strcmp(msnap, "no") != 0;
		out->external |= !strcmp(msnap, "external");
	} else {
		/* Older libvirt: memory is implied by a running-state snapshot. */
		out->memory = !strcmp(out->state, "running") || !strcmp(out->state, "paused");
	}
	free(msnap);
	read_disks(xml_child(root, "disks"), out);
	out->vcpus_hotplugged = hotplugged_vcpus(xml_child(root, "domain"));
	const xmlNode *saved = xml_child(root, "domain");
	xmlNode *inactive = (xmlNode *)xml_child(root, "inactiveDomain");
	if (out->ndisks) {
		out->disk_bases = x_calloc(out->ndisks, sizeof *out->disk_bases);
		out->disk_formats = x_calloc(out->ndisks, sizeof *out->disk_formats);
	}
	size_t nsaved = 0;
	struct saved_disk *sd = out->ndisks ? saved_disks(saved ? saved : inactive, &nsaved) : NULL;
	for (size_t i = 0; i < out->ndisks; i++)
		read_base(sd, nsaved, out->disk_targets[i], &out->disk_bases[i], &out->disk_formats[i]);
	for (size_t i = 0; i < nsaved; i++)
		free(sd[i].target);
	free(sd);
	if (inactive || saved)
		out->domain_xml = dump_domain(doc, inactive ? inactive : (xmlNode *)saved);
	xmlFreeDoc(doc);
	return 0;
}

/* xml_devices.c — device XML for hotplug: disks, NICs, memory DIMMs. */
#include "ops/xml.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void attr(struct strbuf *sb, const char *name, const char *value)
{
	sb_appendf(sb, " %s='", name);
	sb_append_xml(sb, value);
	sb_appendc(sb, '\'');
}

void xml_disk(const struct xml_disk *d, struct strbuf *sb)
{
	const char *type = d->type ? d->type : "file";
	sb_append(sb, "<disk");
	attr(sb, "type", type);
	attr(sb, "device", d->device ? d->device : "disk");
	sb_append(sb, ">\n");
	if (d->format || (d->cache && strcmp(d->cache, "default"))) {
		sb_append(sb, "  <driver name='qemu'");
		if (d->format)
			attr(sb, "type", d->format);
		if (d->cache && strcmp(d->cache, "default"))
			attr(sb, "cache", d->cache);
		sb_append(sb, "/>\n");
	}
	if (d->source) {
		sb_append(sb, "  <source");
		attr(sb, !strcmp(type, "block") ? "dev" : "file", d->source);
		sb_append(sb, "/>\n");
	}
	sb_append(sb, "  <target");
	attr(sb, "dev", d->target);
	if (d->bus)
		attr(sb, "bus", d->bus);
	sb_append(sb, "/>\n");
	if (d->readonly)
		sb_append(sb, "  <readonly/>\n");
	if (d->shareable)
		sb_append(sb, "  <shareable/>\n");
	if (d->serial) {
		sb_append(sb, "  <serial>");
		sb_append_xml(sb, d->serial);
		sb_append(sb, "</serial>\n");
	}
	sb_append(sb, "</disk>\n");
}

void xml_nic(const struct xml_nic *n, struct strbuf *sb)
{
	sb_append(sb, "<interface");
	attr(sb, "type", n->vf ? "hostdev" : n->bridge ? "bridge" : "network");
	if (n->vf)
		attr(sb, "managed", "yes");   /* libvirt unbinds the VF from its host driver */
	sb_append(sb, ">\n");
	if (n->mac) {
		sb_append(sb, "  <mac");
		attr(sb, "address", n->mac);
		sb_append(sb, "/>\n");
	}
	unsigned dom, bus, slot, fn;
	if (n->vf && sscanf(n->vf, "%4x:%2x:%2x.%1x", &dom, &bus, &slot, &fn) == 4)
		sb_appendf(sb, "  <source>\n    <address type='pci' domain='0x%04x' bus='0x%02x' slot='0x%02x' "
			   "function='0x%x'/>\n  </source>\n", dom, bus, slot, fn);
	else if (n->network || n->bridge) {
		sb_append(sb, "  <source");
		attr(sb, n->bridge ? "bridge" : "network", n->bridge ? n->bridge : n->network);
		if (n->portgroup && !n->bridge)
			attr(sb, "portgroup", n->portgroup);
		sb_append(sb, "/>\n");
	}
	if (n->vlan)
		sb_appendf(sb, "  <vlan>\n    <tag id='%u'/>\n  </vlan>\n", n->vlan);
	if (n->model) {
		sb_append(sb, "  <model");
		attr(sb, "type", n->model);
		sb_append(sb, "/>\n");
	}
	sb_append(sb, "</interface>\n");
}

void xml_dimm(const struct xml_dimm *m, struct strbuf *sb)
{
	sb_appendf(sb, "<memory model='dimm'>\n  <target>\n    <size unit='KiB'>%" PRIu64 "</size>\n"
		   "    <node>%d</node>\n  </target>\n</memory>\n", m->size_kib, m->node);
}

void xml_snapshot(const struct xml_snapshot *s, struct strbuf *sb)
{
	sb_append(sb, "<domainsnapshot>\n  <name>");
	sb_append_xml(sb, s->name);
	sb_append(sb, "</name>\n");
	if (s->description) {
		sb_append(sb, "  <description>");
		sb_append_xml(sb, s->description);
		sb_append(sb, "</description>\n");
	}
	if (s->external && s->memory) {
		sb_append(sb, "  <memory snapshot='external'");
		attr(sb, "file", s->memory_file ? s->memory_file : "");
		sb_append(sb, "/>\n");
	} else if (s->external) {
		sb_append(sb, "  <memory snapshot='no'/>\n");
	}
	if (s->external && (s->ndisks || s->nskip)) {
		sb_append(sb, "  <disks>\n");
		for (size_t i = 0; i < s->ndisks; i++) {
			sb_append(sb, "    <disk");
			attr(sb, "name", s->disks[i]);
			sb_append(sb, " snapshot='external'/>\n");
		}
		for (size_t i = 0; i < s->nskip; i++) {
			sb_append(sb, "    <disk");
			attr(sb, "name", s->skip[i]);
			sb_append(sb, " snapshot='no'/>\n");
		}
		sb_append(sb, "  </disks>\n");
	}
	sb_append(sb, "</domainsnapshot>\n");
}

void xml_xpath_literal(const char *s, struct strbuf *sb)
{
	if (!strchr(s, '\'')) {
		sb_appendf(sb, "'%s'", s);
	} else if (!strchr(s, '"')) {
		sb_appendf(sb, "\"%s\"", s);
	} else {
		sb_append(sb, "concat(");
		for (const char *p = s; *p;) {
			size_t n = strcspn(p, "'");
			if (n) {
				sb_append(sb, "'");
				sb_append_n(sb, p, n);
				sb_append(sb, "',");
			}
			p += n;
			if (*p == '\'') {
				sb_append(sb, "\"'\",");
				p++;
			}
		}
		sb_append(sb, "'')");
	}
}

/* xml_gpu.c — XML for mdevs (node device and hostdev) and raw LUN disks. */
#include "ops/xml_gpu.h"

static void attr(struct strbuf *sb, const char *name, const char *value)
{
	sb_appendf(sb, " %s='", name);
	sb_append_xml(sb, value);
	sb_appendc(sb, '\'');
}

static void element(struct strbuf *sb, const char *indent, const char *name, const char *value)
{
	sb_appendf(sb, "%s<%s>", indent, name);
	sb_append_xml(sb, value);
	sb_appendf(sb, "</%s>\n", name);
}

void xml_mdev_nodedev(const struct xml_mdev *m, struct strbuf *sb)
{
	sb_append(sb, "<device>\n");
	element(sb, "  ", "parent", m->parent);
	sb_append(sb, "  <capability type='mdev'>\n    <type");
	attr(sb, "id", m->type);
	sb_append(sb, "/>\n");
	element(sb, "    ", "uuid", m->uuid);
	sb_append(sb, "  </capability>\n</device>\n");
}

void xml_mdev_hostdev(const char *uuid, const char *model, struct strbuf *sb)
{
	sb_append(sb, "<hostdev mode='subsystem' type='mdev'");
	attr(sb, "model", model && *model ? model : "vfio-pci");
	sb_append(sb, ">\n  <source>\n    <address");
	attr(sb, "uuid", uuid);
	sb_append(sb, "/>\n  </source>\n</hostdev>\n");
}

void xml_lun_disk(const struct xml_lun *l, struct strbuf *sb)
{
	const char *type = l->path ? "block" : l->pool ? "volume" : "network";
	sb_append(sb, "<disk");
	attr(sb, "type", type);
	sb_append(sb, " device='lun'");
	if (l->sgio)
		attr(sb, "sgio", l->sgio);
	sb_append(sb, ">\n  <driver name='qemu' type='raw'/>\n  <source");
	if (l->path) {
		attr(sb, "dev", l->path);
		sb_append(sb, "/>\n");
	} else if (l->pool) {
		attr(sb, "pool", l->pool);
		attr(sb, "volume", l->volume ? l->volume : "");
		sb_append(sb, "/>\n");
	} else {
		sb_append(sb, " protocol='iscsi'");
		attr(sb, "name", l->iscsi_name ? l->iscsi_name : "");
		if (l->iscsi_host) {
			sb_append(sb, ">\n    <host");
			attr(sb, "name", l->iscsi_host);
			if (l->iscsi_port)
				sb_appendf(sb, " port='%u'", l->iscsi_port);
			sb_append(sb, "/>\n  </source>\n");
		} else {
			sb_append(sb, "/>\n");
		}
	}
	sb_append(sb, "  <target");
	attr(sb, "dev", l->target);
	sb_append(sb, " bus='scsi'/>\n");
	if (l->readonly)
		sb_append(sb, "  <readonly/>\n");
	if (l->shareable)
		sb_append(sb, "  <shareable/>\n");
	sb_append(sb, "</disk>\n");
}

void xml_scsi_controller(struct strbuf *sb)
{
	sb_append(sb, "<controller type='scsi' model='virtio-scsi'/>\n");
}

/* xml_nic_update.c — a VM NIC's update XML from its current <interface>.
 *
 * libvirt's update of a NIC compares the new element with the device it
 * has and refuses what it cannot change live: a rebuilt element that lost
 * the <driver queues=>, the <virtualport> of an OVS port, the target tap or
 * the guest's PCI address would be another device.  So the element libvirt
 * dumped is taken whole and only the one child being changed is replaced —
 * what `virsh domif-setlink` does with <link>.  Pure: libxml2 on text. */
#include "ops/xml_nic_update.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <string.h>

static int is_element(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* The whitespace before root's first child element ("\n      "): how
 * libvirt indented the children, so an added one lines up. */
static const xmlChar *child_indent(const xmlNode *root)
{
	for (const xmlNode *c = root->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return c->prev && c->prev->type == XML_TEXT_NODE ? c->prev->content : NULL;
	return NULL;
}

static xmlNode *coalesce_element(long long rx_frames)
{
	char v[24];
	snprintf(v, sizeof v, "%lld", rx_frames);
	xmlNode *co = xmlNewNode(NULL, (const xmlChar *)"coalesce");
	xmlNode *rx = xmlNewChild(co, NULL, (const xmlChar *)"rx", NULL);
	xmlNode *fr = xmlNewChild(rx, NULL, (const xmlChar *)"frames", NULL);
	xmlNewProp(fr, (const xmlChar *)"max", (const xmlChar *)v);
	return co;
}

int xml_nic_set_coalesce(const char *iface, long long rx_frames, struct strbuf *out, struct vd_err *err)
{
	if (!iface || !iface[0])
		return err_set(err, VD_EINVAL, "the NIC's XML is unknown (no <interface> from libvirt)");
	xmlDoc *doc = xmlReadMemory(iface, (int)strlen(iface), "interface.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!is_element(root, "interface")) {
		xmlFreeDoc(doc);
		return err_set(err, VD_EINVAL, "the NIC's XML is not an <interface> element");
	}
	xmlNode *co = coalesce_element(rx_frames), *old = NULL;
	for (xmlNode *c = root->children; c && !old; c = c->next)
		if (is_element(c, "coalesce"))
			old = c;
	if (old) {
		xmlReplaceNode(old, co);
		xmlFreeNode(old);
	} else {
		/* last child, indented like its siblings, before the closing tag's whitespace */
		const xmlChar *indent = child_indent(root);
		xmlNode *tail = root->last && root->last->type == XML_TEXT_NODE ? root->last : NULL;
		if (tail) {
			xmlAddPrevSibling(tail, co);
			if (indent)
				xmlAddPrevSibling(co, xmlNewText(indent));
		} else {
			xmlAddChild(root, co);
		}
	}
	xmlBuffer *b = xmlBufferCreate();
	xmlNodeDump(b, doc, root, 0, 0);
	sb_append(out, (const char *)xmlBufferContent(b));
	sb_append(out, "\n");
	xmlBufferFree(b);
	xmlFreeDoc(doc);
	return 0;
}

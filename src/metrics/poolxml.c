/* poolxml.c — a file pool's target directory from its XML (libxml2, no I/O). */
#include "metrics/poolxml.h"
#include "metrics/xmlnode.h"
#include "core/xalloc.h"

#include <libxml/parser.h>
#include <string.h>

static int file_type(const char *t)
{
	return !strcmp(t, "dir") || !strcmp(t, "fs") || !strcmp(t, "netfs");
}

char *pool_xml_file_dir(const char *xml, size_t len)
{
	if (!xml || len > (size_t)1 << 24)
		return NULL;
	xmlDoc *doc = xmlReadMemory(xml, (int)len, "pool.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	const xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	char type[16];
	xml_attr(xml_is(root, "pool") ? root : NULL, "type", type, sizeof type);
	const xmlNode *path = file_type(type) ? xml_child(xml_child(root, "target"), "path") : NULL;
	/* The text itself: an entity reference (libvirt writes none) is not
	 * expanded, so a few bytes of XML cannot become a long path. */
	const xmlNode *text = path ? path->children : NULL;
	const char *v = text && !text->next && (text->type == XML_TEXT_NODE || text->type == XML_CDATA_SECTION_NODE) ?
			(const char *)text->content : NULL;
	char *dir = NULL;
	if (v && v[0] == '/') {
		size_t n = strlen(v);
		while (n > 1 && v[n - 1] == '/')
			n--;
		dir = x_strndup(v, n);
	}
	xmlFreeDoc(doc);
	return dir;
}

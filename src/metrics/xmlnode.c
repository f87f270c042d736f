/* xmlnode.c — libxml2 tree look-ups shared by the XML parsers. */
#include "metrics/xmlnode.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

int xml_is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

const xmlNode *xml_child(const xmlNode *n, const char *name)
{
	for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (xml_is(c, name))
			return c;
	return NULL;
}

void xml_attr(const xmlNode *n, const char *name, char *buf, size_t len)
{
	buf[0] = '\0';
	xmlChar *v = n ? xmlGetProp(n, (const xmlChar *)name) : NULL;
	if (v)
		snprintf(buf, len, "%s", (const char *)v);
	xmlFree(v);
}

char *xml_attr_dup(const xmlNode *n, const char *name)
{
	xmlChar *v = n ? xmlGetProp(n, (const xmlChar *)name) : NULL;
	char *out = v ? x_strdup((const char *)v) : NULL;
	xmlFree(v);
	return out;
}

void xml_text(const xmlNode *n, char *buf, size_t len)
{
	buf[0] = '\0';
	xmlChar *v = n ? xmlNodeGetContent(n) : NULL;
	if (v) {
		snprintf(buf, len, "%s", (const char *)v);
		size_t l = strlen(buf);
		while (l > 0 && (buf[l - 1] == ' ' || buf[l - 1] == '\n' || buf[l - 1] == '\t' || buf[l - 1] == '\r'))
			buf[--l] = '\0';
	}
	xmlFree(v);
}

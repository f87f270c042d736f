/* xmlnode.h — the few libxml2 tree look-ups every XML parser here needs:
 * element tests, first child by name, attributes and text copied into
 * fixed buffers (empty when absent), so parsers read like the XML. */
#ifndef VD_METRICS_XMLNODE_H
#define VD_METRICS_XMLNODE_H

#include <libxml/tree.h>
#include <stddef.h>

int   xml_is(const xmlNode *n, const char *name);
/* First element child named name; NULL when n is NULL or has none. */
const xmlNode *xml_child(const xmlNode *n, const char *name);
void  xml_attr(const xmlNode *n, const char *name, char *buf, size_t len);
char *xml_attr_dup(const xmlNode *n, const char *name);   /* NULL when absent */
/* Element text with trailing whitespace removed. */
void  xml_text(const xmlNode *n, char *buf, size_t len);

#endif

/* xml_storage.c — <volume> for virStorageVolCreateXML. */
#include "ops/xml_storage.h"

#include <inttypes.h>

void xml_volume(const struct xml_volume *v, struct strbuf *sb)
{
	sb_append(sb, "<volume>\n  <name>");
	sb_append_xml(sb, v->name);
	sb_appendf(sb, "</name>\n  <capacity unit='bytes'>%" PRIu64 "</capacity>\n"
		       "  <allocation unit='bytes'>%" PRIu64 "</allocation>\n  <target>\n    <format type='",
		   v->capacity, v->allocation);
	sb_append_xml(sb, v->format);
	sb_append(sb, "'/>\n  </target>\n");
	if (v->backing) {
		sb_append(sb, "  <backingStore>\n    <path>");
		sb_append_xml(sb, v->backing);
		sb_append(sb, "</path>\n    <format type='");
		sb_append_xml(sb, v->backing_format && *v->backing_format ? v->backing_format : "raw");
		sb_append(sb, "'/>\n  </backingStore>\n");
	}
	sb_append(sb, "</volume>\n");
}

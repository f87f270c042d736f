/* poolxml.c — storage pool and volume XML into structs (libxml2, no I/O). */
#include "metrics/poolxml.h"
#include "metrics/xmlnode.h"
#include "core/xalloc.h"

#include <libxml/parser.h>
#include <stdlib.h>
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

/* ---- pools and volumes ---------------------------------------------- */

/* Sizes in pool and volume XML default to bytes. */
static uint64_t size_text(const xmlNode *n)
{
	static const struct { const char *u; uint64_t f; } units[] = {
		{ "", 1 }, { "b", 1 }, { "bytes", 1 }, { "KB", 1000 }, { "k", 1024 }, { "KiB", 1024 },
		{ "MB", 1000000 }, { "M", 1 << 20 }, { "MiB", 1 << 20 }, { "GB", 1000000000 },
		{ "G", 1 << 30 }, { "GiB", 1 << 30 }, { "TB", 1000000000000ULL }, { "T", 1ULL << 40 },
		{ "TiB", 1ULL << 40 },
	};
	char t[32], unit[16];
	if (!n)
		return 0;
	xml_text(n, t, sizeof t);
	xml_attr(n, "unit", unit, sizeof unit);
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (!strcmp(unit, units[i].u))
			return strtoull(t, NULL, 10) * units[i].f;
	return strtoull(t, NULL, 10);
}

/* Element text as a heap string (NULL when absent or empty). */
static char *text_dup(const xmlNode *n)
{
	char buf[4096];
	if (!n)
		return NULL;
	xml_text(n, buf, sizeof buf);
	return buf[0] ? x_strdup(buf) : NULL;
}

static char *path_dup(const xmlNode *n)
{
	char *p = text_dup(n);
	size_t l = p ? strlen(p) : 0;
	while (l > 1 && p[l - 1] == '/')
		p[--l] = '\0';
	return p;
}

static xmlDoc *read_doc(const char *xml, size_t len, const char *root, const xmlNode **out)
{
	*out = NULL;
	if (!xml || len > (size_t)1 << 24)
		return NULL;
	xmlDoc *doc = xmlReadMemory(xml, (int)len, "storage.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	const xmlNode *r = doc ? xmlDocGetRootElement(doc) : NULL;
	if (xml_is(r, root))
		*out = r;
	return doc;
}

int pool_type_holds_files(const char *type)
{
	return file_type(type);
}

int pool_xml_parse(const char *xml, size_t len, struct pool_info *out, struct vd_err *err)
{
	memset(out, 0, sizeof *out);
	const xmlNode *root;
	xmlDoc *doc = read_doc(xml, len, "pool", &root);
	if (!root) {
		xmlFreeDoc(doc);
		return err_set(err, VD_EINVAL, "not a storage pool's XML");
	}
	xml_attr(root, "type", out->type, sizeof out->type);
	xml_text(xml_child(root, "name"), out->name, sizeof out->name);
	xml_text(xml_child(root, "uuid"), out->uuid, sizeof out->uuid);
	out->capacity = size_text(xml_child(root, "capacity"));
	out->allocation = size_text(xml_child(root, "allocation"));
	out->available = size_text(xml_child(root, "available"));
	const xmlNode *src = xml_child(root, "source");
	xml_attr(xml_child(src, "format"), "type", out->source_format, sizeof out->source_format);
	size_t cap = 0;
	for (const xmlNode *c = src ? src->children : NULL; c; c = c->next) {
		if (xml_is(c, "host") && out->nsource_hosts < 16) {
			char name[256], port[8];
			xml_attr(c, "name", name, sizeof name);
			xml_attr(c, "port", port, sizeof port);
			if (!name[0])
				continue;
			x_grow(&out->source_hosts, &cap, out->nsource_hosts + 1, sizeof *out->source_hosts);
			out->source_hosts[out->nsource_hosts++] =
				port[0] ? x_asprintf("%s:%s", name, port) : x_strdup(name);
		} else if (xml_is(c, "device") && !out->source_device) {
			out->source_device = xml_attr_dup(c, "path");
		}
	}
	out->source_dir = xml_attr_dup(xml_child(src, "dir"), "path");
	out->source_name = text_dup(xml_child(src, "name"));
	out->target_path = path_dup(xml_child(xml_child(root, "target"), "path"));
	xmlFreeDoc(doc);
	return 0;
}

int pool_volume_xml_parse(const char *xml, size_t len, struct pool_volume *out, struct vd_err *err)
{
	memset(out, 0, sizeof *out);
	const xmlNode *root;
	xmlDoc *doc = read_doc(xml, len, "volume", &root);
	if (!root) {
		xmlFreeDoc(doc);
		return err_set(err, VD_EINVAL, "not a storage volume's XML");
	}
	out->name = text_dup(xml_child(root, "name"));
	out->capacity = size_text(xml_child(root, "capacity"));
	out->allocation = size_text(xml_child(root, "allocation"));
	out->physical = size_text(xml_child(root, "physical"));
	const xmlNode *t = xml_child(root, "target");
	out->path = text_dup(xml_child(t, "path"));
	xml_attr(xml_child(t, "format"), "type", out->format, sizeof out->format);
	const xmlNode *bs = xml_child(root, "backingStore");
	out->backing = text_dup(xml_child(bs, "path"));
	xml_attr(xml_child(bs, "format"), "type", out->backing_format, sizeof out->backing_format);
	xmlFreeDoc(doc);
	return 0;
}

void pool_add_volume(struct pool_info *p, struct pool_volume *v)
{
	p->vols = x_realloc(p->vols, (p->nvols + 1) * sizeof *p->vols);
	p->vols[p->nvols++] = *v;
	memset(v, 0, sizeof *v);
}

void pool_volume_free(struct pool_volume *v)
{
	free(v->name);
	free(v->path);
	free(v->backing);
	memset(v, 0, sizeof *v);
}

void pool_info_free(struct pool_info *p)
{
	for (size_t i = 0; i < p->nsource_hosts; i++)
		free(p->source_hosts[i]);
	free(p->source_hosts);
	free(p->source_dir);
	free(p->source_device);
	free(p->source_name);
	free(p->target_path);
	for (size_t i = 0; i < p->nvols; i++)
		pool_volume_free(&p->vols[i]);
	free(p->vols);
	memset(p, 0, sizeof *p);
}

void pool_info_copy(struct pool_info *dst, const struct pool_info *src)
{
	*dst = *src;
	dst->source_hosts = src->nsource_hosts ? x_calloc(src->nsource_hosts, sizeof *dst->source_hosts) : NULL;
	for (size_t i = 0; i < src->nsource_hosts; i++)
		dst->source_hosts[i] = x_strdup(src->source_hosts[i]);
	dst->source_dir = x_strdup(src->source_dir);
	dst->source_device = x_strdup(src->source_device);
	dst->source_name = x_strdup(src->source_name);
	dst->target_path = x_strdup(src->target_path);
	dst->vols = src->nvols ? x_calloc(src->nvols, sizeof *dst->vols) : NULL;
	for (size_t i = 0; i < src->nvols; i++) {
		dst->vols[i] = src->vols[i];
		dst->vols[i].name = x_strdup(src->vols[i].name);
		dst->vols[i].path = x_strdup(src->vols[i].path);
		dst->vols[i].backing = x_strdup(src->vols[i].backing);
	}
}

void pool_infos_free(struct pool_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pool_info_free(&v[i]);
	free(v);
}

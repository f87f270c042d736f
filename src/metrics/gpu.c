/* gpu.c — GPU / vGPU inventory from libvirt node device XML and the sysfs
 * mdev tree (libxml2 for the former, plain text for the latter; no I/O). */
#include "metrics/xmlnode.h"
#include "metrics/gpu.h"

#include "core/err.h"
#include "core/xalloc.h"
#include "metrics/text.h"

#include <ctype.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- lookups -------------------------------------------------------- */

int gpu_name_to_address(const char *name, char *out, size_t len)
{
	unsigned d, b, s, f;
	char tail;
	if (!name || sscanf(name, "pci_%4x_%2x_%2x_%1x%c", &d, &b, &s, &f, &tail) != 4)
		return -1;
	snprintf(out, len, "%04x:%02x:%02x.%x", d, b, s, f);
	return 0;
}

void gpu_address_to_name(const char *address, char *out, size_t len)
{
	snprintf(out, len, "pci_%s", address);
	for (char *p = out; *p; p++)
		if (*p == ':' || *p == '.')
			*p = '_';
}

int gpu_uuid_valid(const char *s)
{
	static const int groups[] = { 8, 4, 4, 4, 12 };
	if (!s)
		return 0;
	for (int g = 0; g < 5; g++) {
		for (int i = 0; i < groups[g]; i++, s++)
			if (!isxdigit((unsigned char)*s))
				return 0;
		if (*s != (g < 4 ? '-' : '\0'))
			return 0;
		s += g < 4;
	}
	return 1;
}

/* Canonical lower-case "dddd:bb:ss.f" of an address, or "" when it is none. */
static void canon_address(const char *in, char *out, size_t len)
{
	unsigned d, b, s, f;
	char tail;
	out[0] = '\0';
	if (in && sscanf(in, "%4x:%2x:%2x.%1x%c", &d, &b, &s, &f, &tail) == 4)
		snprintf(out, len, "%04x:%02x:%02x.%x", d, b, s, f);
	else if (in && gpu_name_to_address(in, out, len) < 0)
		out[0] = '\0';
}

const struct gpu_dev *gpu_find(const struct gpu_inv *inv, const char *parent)
{
	char a[16];
	canon_address(parent, a, sizeof a);
	for (size_t i = 0; a[0] && i < inv->ngpus; i++)
		if (!strcmp(inv->gpus[i].address, a))
			return &inv->gpus[i];
	return NULL;
}

const struct gpu_type *gpu_find_type(const struct gpu_dev *g, const char *type)
{
	for (size_t i = 0; g && type && i < g->ntypes; i++)
		if (!strcmp(g->types[i].id, type))
			return &g->types[i];
	return NULL;
}

const struct gpu_mdev *gpu_find_mdev(const struct gpu_inv *inv, const char *uuid)
{
	for (size_t i = 0; uuid && i < inv->nmdevs; i++)
		if (!strcasecmp(inv->mdevs[i].uuid, uuid))
			return &inv->mdevs[i];
	return NULL;
}

static struct gpu_dev *gpu_get(struct gpu_inv *inv, const char *address)
{
	struct gpu_dev *g = (struct gpu_dev *)gpu_find(inv, address);
	if (g)
		return g;
	x_grow(&inv->gpus, &inv->gcap, inv->ngpus + 1, sizeof *inv->gpus);
	g = &inv->gpus[inv->ngpus++];
	memset(g, 0, sizeof *g);
	canon_address(address, g->address, sizeof g->address);
	gpu_address_to_name(g->address, g->name, sizeof g->name);
	g->numa_node = -1;
	return g;
}

static struct gpu_type *type_get(struct gpu_dev *g, const char *id)
{
	struct gpu_type *t = (struct gpu_type *)gpu_find_type(g, id);
	if (t)
		return t;
	x_grow(&g->types, &g->tcap, g->ntypes + 1, sizeof *g->types);
	t = &g->types[g->ntypes++];
	memset(t, 0, sizeof *t);
	text_copy(t->id, sizeof t->id, id);
	t->available = -1;
	return t;
}

static struct gpu_mdev *mdev_get(struct gpu_inv *inv, const char *uuid)
{
	struct gpu_mdev *m = (struct gpu_mdev *)gpu_find_mdev(inv, uuid);
	if (m)
		return m;
	x_grow(&inv->mdevs, &inv->mcap, inv->nmdevs + 1, sizeof *inv->mdevs);
	m = &inv->mdevs[inv->nmdevs++];
	memset(m, 0, sizeof *m);
	for (size_t i = 0; i < sizeof m->uuid - 1 && uuid[i]; i++)
		m->uuid[i] = (char)tolower((unsigned char)uuid[i]);
	return m;
}

/* ---- libvirt node device XML ---------------------------------------- */

/* The capability child of n with type='type'. */
static const xmlNode *capability(const xmlNode *n, const char *type)
{
	for (const xmlNode *c = n ? n->children : NULL; c; c = c->next) {
		if (!xml_is(c, "capability"))
			continue;
		xmlChar *t = xmlGetProp(c, (const xmlChar *)"type");
		int match = t && !strcmp((const char *)t, type);
		xmlFree(t);
		if (match)
			return c;
	}
	return NULL;
}

static unsigned num(const xmlNode *n)
{
	char t[32];
	xml_text(n, t, sizeof t);
	return (unsigned)strtoul(t, NULL, 0);
}

static void add_pci(struct gpu_inv *inv, const xmlNode *pci)
{
	const xmlNode *types = capability(pci, "mdev_types");
	if (!types)
		return;
	char addr[16];
	snprintf(addr, sizeof addr, "%04x:%02x:%02x.%x", num(xml_child(pci, "domain")) & 0xffff,
		 num(xml_child(pci, "bus")) & 0xff, num(xml_child(pci, "slot")) & 0xff, num(xml_child(pci, "function")) & 0xf);
	struct gpu_dev *g = gpu_get(inv, addr);
	g->from |= GPU_FROM_LIBVIRT;
	xml_text(xml_child(pci, "vendor"), g->vendor, sizeof g->vendor);
	xml_attr(xml_child(pci, "vendor"), "id", g->vendor_id, sizeof g->vendor_id);
	xml_text(xml_child(pci, "product"), g->product, sizeof g->product);
	xml_attr(xml_child(pci, "product"), "id", g->product_id, sizeof g->product_id);
	const xmlNode *numa = xml_child(pci, "numa");
	if (numa) {
		char node[16];
		xml_attr(numa, "node", node, sizeof node);
		if (node[0])
			g->numa_node = atoi(node);
	}
	for (const xmlNode *c = types->children; c; c = c->next) {
		if (!xml_is(c, "type"))
			continue;
		char id[64];
		xml_attr(c, "id", id, sizeof id);
		if (!id[0])
			continue;
		struct gpu_type *t = type_get(g, id);
		xml_text(xml_child(c, "name"), t->name, sizeof t->name);
		xml_text(xml_child(c, "deviceAPI"), t->device_api, sizeof t->device_api);
		const xmlNode *avail = xml_child(c, "availableInstances");
		if (avail)
			t->available = (int)num(avail);
	}
}

static void add_mdev(struct gpu_inv *inv, const xmlNode *dev, const xmlNode *cap)
{
	char uuid[64], parent[64], type[64];
	xml_text(xml_child(cap, "uuid"), uuid, sizeof uuid);
	if (!gpu_uuid_valid(uuid))
		return;
	xml_attr(xml_child(cap, "type"), "id", type, sizeof type);
	xml_text(xml_child(dev, "parent"), parent, sizeof parent);
	struct gpu_mdev *m = mdev_get(inv, uuid);
	m->from |= GPU_FROM_LIBVIRT;
	text_copy(m->type, sizeof m->type, type);
	canon_address(parent, m->parent, sizeof m->parent);
}

int gpu_nodedev_add(struct gpu_inv *inv, const char *xml, size_t len, struct vd_err *err)
{
	if (!xml || len > 16u << 20)
		return err_set(err, VD_EINVAL, "node device XML missing or too large");
	xmlDoc *doc = xmlReadMemory(xml, (int)len, "nodedev.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		return err_set(err, VD_EINVAL, "node device XML does not parse");
	const xmlNode *root = xmlDocGetRootElement(doc);
	if (xml_is(root, "device")) {
		const xmlNode *c;
		if ((c = capability(root, "pci")))
			add_pci(inv, c);
		else if ((c = capability(root, "mdev")))
			add_mdev(inv, root, c);
	}
	xmlFreeDoc(doc);
	return 0;
}

/* ---- sysfs ---------------------------------------------------------- */

static char *first_line(const char *data, size_t n)
{
	char *t = text_dup(data, n);
	t[strcspn(t, "\n")] = '\0';
	return text_rtrim(t);
}

int gpu_sysfs_file(struct gpu_inv *inv, const char *rel, const char *data, size_t n, struct vd_err *err)
{
	char addr[32], type[64], file[64];
	const char *slash = strchr(rel, '/');
	if (!slash || (size_t)(slash - rel) >= sizeof addr)
		return 0;
	memcpy(addr, rel, (size_t)(slash - rel));
	addr[slash - rel] = '\0';
	char canon[16];
	canon_address(addr, canon, sizeof canon);
	if (!canon[0] || strchr(addr, '_'))
		return 0;
	const char *rest = slash + 1;
	char *v = first_line(data, n);
	int rc = 0;
	struct gpu_dev *g = gpu_get(inv, canon);
	g->from |= GPU_FROM_SYSFS;
	if (!strcmp(rest, "numa_node")) {
		uint64_t x;
		if (!strcmp(v, "-1"))
			g->numa_node = -1;
		else if (text_u64_full(v, &x) == 0 && x < 4096)
			g->numa_node = (int)x;
		else
			rc = err_set(err, VD_EINVAL, "bad numa_node '%.20s'", v);
	} else if (!strcmp(rest, "vendor")) {
		text_copy(g->vendor_id, sizeof g->vendor_id, v);
	} else if (!strcmp(rest, "device")) {
		text_copy(g->product_id, sizeof g->product_id, v);
	} else if (text_prefix(rest, "mdev_supported_types/")) {
		rest += 21;
		slash = strchr(rest, '/');
		if (slash && (size_t)(slash - rest) < sizeof type && slash > rest &&
		    strlen(slash + 1) < sizeof file && !strchr(slash + 1, '/')) {
			memcpy(type, rest, (size_t)(slash - rest));
			type[slash - rest] = '\0';
			snprintf(file, sizeof file, "%s", slash + 1);
			struct gpu_type *t = type_get(g, type);
			uint64_t x;
			if (!strcmp(file, "name"))
				text_copy(t->name, sizeof t->name, v);
			else if (!strcmp(file, "device_api"))
				text_copy(t->device_api, sizeof t->device_api, v);
			else if (!strcmp(file, "description"))
				text_copy(t->description, sizeof t->description, v);
			else if (!strcmp(file, "available_instances")) {
				if (text_u64_full(v, &x) == 0 && x <= 1u << 20)
					t->available = (int)x;
				else
					rc = err_set(err, VD_EINVAL, "bad available_instances '%.20s'", v);
			}
		}
	}
	x_free(&v);
	return rc;
}

int gpu_sysfs_mdevs(struct gpu_inv *inv, const char *data, size_t n, struct vd_err *err)
{
	char *buf = text_dup(data, n), *cur = buf, *line;
	int bad = 0;
	while ((line = text_next_line(&cur))) {
		line = text_skip_ws(line);
		if (!*line)
			continue;
		char *sp = strchr(line, ' ');
		if (!sp) {
			bad++;
			continue;
		}
		*sp = '\0';
		char *link = text_rtrim(text_skip_ws(sp + 1));
		if (!gpu_uuid_valid(line)) {
			bad++;
			continue;
		}
		/* .../<parent>/mdev_supported_types/<type> */
		char *mst = strstr(link, "/mdev_supported_types/");
		char *type = mst ? mst + 22 : strrchr(link, '/');
		if (!mst && type)
			type++;
		if (!type || !*type || strchr(type, '/')) {
			bad++;
			continue;
		}
		struct gpu_mdev *m = mdev_get(inv, line);
		m->from |= GPU_FROM_SYSFS;
		text_copy(m->type, sizeof m->type, type);
		if (mst) {
			*mst = '\0';
			char *p = strrchr(link, '/');
			canon_address(p ? p + 1 : link, m->parent, sizeof m->parent);
		}
	}
	x_free(&buf);
	if (bad)
		return err_set(err, VD_EINVAL, "%d malformed mdev line(s)", bad);
	return 0;
}

/* ---- whole inventories ---------------------------------------------- */

static void fill(char *dst, size_t size, const char *src)
{
	if (!dst[0] && src[0])
		text_copy(dst, size, src);
}

void gpu_inv_merge(struct gpu_inv *dst, const struct gpu_inv *src)
{
	for (size_t i = 0; i < src->ngpus; i++) {
		const struct gpu_dev *s = &src->gpus[i];
		struct gpu_dev *d = gpu_get(dst, s->address);
		d->from |= s->from;
		fill(d->vendor, sizeof d->vendor, s->vendor);
		fill(d->product, sizeof d->product, s->product);
		fill(d->vendor_id, sizeof d->vendor_id, s->vendor_id);
		fill(d->product_id, sizeof d->product_id, s->product_id);
		if (d->numa_node < 0)
			d->numa_node = s->numa_node;
		for (size_t k = 0; k < s->ntypes; k++) {
			const struct gpu_type *st = &s->types[k];
			struct gpu_type *dt = type_get(d, st->id);
			fill(dt->name, sizeof dt->name, st->name);
			fill(dt->device_api, sizeof dt->device_api, st->device_api);
			fill(dt->description, sizeof dt->description, st->description);
			if (dt->available < 0)
				dt->available = st->available;
		}
	}
	for (size_t i = 0; i < src->nmdevs; i++) {
		const struct gpu_mdev *s = &src->mdevs[i];
		struct gpu_mdev *d = mdev_get(dst, s->uuid);
		d->from |= s->from;
		fill(d->type, sizeof d->type, s->type);
		fill(d->parent, sizeof d->parent, s->parent);
	}
}

void gpu_inv_copy(struct gpu_inv *dst, const struct gpu_inv *src)
{
	memset(dst, 0, sizeof *dst);
	gpu_inv_merge(dst, src);
}

void gpu_inv_free(struct gpu_inv *inv)
{
	for (size_t i = 0; i < inv->ngpus; i++)
		free(inv->gpus[i].types);
	free(inv->gpus);
	free(inv->mdevs);
	memset(inv, 0, sizeof *inv);
}

static int by_address(const void *a, const void *b)
{
	return strcmp(((const struct gpu_dev *)a)->address, ((const struct gpu_dev *)b)->address);
}

static int by_type(const void *a, const void *b)
{
	return strcmp(((const struct gpu_type *)a)->id, ((const struct gpu_type *)b)->id);
}

static int by_mdev(const void *a, const void *b)
{
	const struct gpu_mdev *x = a, *y = b;
	int c = strcmp(x->parent, y->parent);
	return c ? c : strcmp(x->uuid, y->uuid);
}

void gpu_inv_sort(struct gpu_inv *inv)
{
	if (inv->ngpus)
		qsort(inv->gpus, inv->ngpus, sizeof *inv->gpus, by_address);
	for (size_t i = 0; i < inv->ngpus; i++)
		if (inv->gpus[i].ntypes)
			qsort(inv->gpus[i].types, inv->gpus[i].ntypes, sizeof *inv->gpus[i].types, by_type);
	if (inv->nmdevs)
		qsort(inv->mdevs, inv->nmdevs, sizeof *inv->mdevs, by_mdev);
}

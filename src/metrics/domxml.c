/* domxml.c — libvirt domain XML into struct dom_info (libxml2, no I/O). */
#include "metrics/xmlnode.h"
#include "metrics/domxml.h"
#include "core/xalloc.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Copies an attribute into buf (empty when absent). */

static uint64_t unit_factor(const char *unit)
{
	if (!unit[0] || !strcasecmp(unit, "KiB") || !strcasecmp(unit, "k"))
		return 1024;
	if (!strcasecmp(unit, "b") || !strcasecmp(unit, "bytes"))
		return 1;
	if (!strcasecmp(unit, "KB"))
		return 1000;
	if (!strcasecmp(unit, "MiB") || !strcasecmp(unit, "M"))
		return 1024ULL * 1024;
	if (!strcasecmp(unit, "MB"))
		return 1000ULL * 1000;
	if (!strcasecmp(unit, "GiB") || !strcasecmp(unit, "G"))
		return 1024ULL * 1024 * 1024;
	if (!strcasecmp(unit, "GB"))
		return 1000ULL * 1000 * 1000;
	if (!strcasecmp(unit, "TiB") || !strcasecmp(unit, "T"))
		return 1024ULL * 1024 * 1024 * 1024;
	return 1024;
}

/* <memory unit='KiB'>N</memory> in bytes. */
static uint64_t mem_bytes(const xmlNode *n)
{
	char t[32], unit[16];
	if (!n)
		return 0;
	xml_text(n, t, sizeof t);
	xml_attr(n, "unit", unit, sizeof unit);
	return strtoull(t, NULL, 10) * unit_factor(unit);
}

static unsigned uint_text(const xmlNode *n)
{
	char t[32];
	xml_text(n, t, sizeof t);
	return (unsigned)strtoul(t, NULL, 10);
}

/* The arrays of dom_info have no capacity field.  While parsing they grow
 * only through x_grow, which sizes them to 8 times a power of two, so that
 * is their capacity: an append reallocates log n times, not n times.
 * domxml_parse ends by cutting them to their length (fit_arrays): a cluster
 * holds thousands of these, most with one or two NICs and disks. */
static size_t grown_cap(size_t n)
{
	size_t cap = 8;
	if (!n)
		return 0;
	while (cap < n)
		cap *= 2;
	return cap;
}

/* The nested <backingStore> elements under a disk, top first; an empty
 * <backingStore/> ends the chain (libvirt's "no more layers"). */
static void parse_chain(const xmlNode *n, struct dom_disk *d)
{
	size_t cap = 0;
	for (const xmlNode *bs = xml_child(n, "backingStore"); bs && d->nchain < DOM_MAX_CHAIN;
	     bs = xml_child(bs, "backingStore")) {
		const xmlNode *src = xml_child(bs, "source");
		if (!src && !xml_child(bs, "format"))
			break;
		x_grow(&d->chain, &cap, d->nchain + 1, sizeof *d->chain);
		struct dom_layer *l = &d->chain[d->nchain++];
		memset(l, 0, sizeof *l);
		l->path = xml_attr_dup(src, "file");
		if (!l->path)
			l->path = xml_attr_dup(src, "dev");
		xml_attr(xml_child(bs, "format"), "type", l->format, sizeof l->format);
	}
	if (d->nchain && d->chain[0].path)
		d->backing = x_strdup(d->chain[0].path);
}

static void parse_disk(const xmlNode *n, struct dom_info *out)
{
	x_grow(&out->disks, &(size_t){ grown_cap(out->ndisks) }, out->ndisks + 1, sizeof *out->disks);
	struct dom_disk *d = &out->disks[out->ndisks++];
	memset(d, 0, sizeof *d);
	xml_attr(n, "type", d->type, sizeof d->type);
	xml_attr(n, "device", d->device, sizeof d->device);
	xml_attr(n, "sgio", d->sgio, sizeof d->sgio);
	xml_attr(xml_child(n, "target"), "dev", d->target, sizeof d->target);
	xml_attr(xml_child(n, "target"), "bus", d->bus, sizeof d->bus);
	xml_attr(xml_child(n, "driver"), "type", d->format, sizeof d->format);
	d->shareable = xml_child(n, "shareable") != NULL;
	parse_chain(n, d);
	const xmlNode *src = xml_child(n, "source");
	if (!src)
		return;
	if (!strcmp(d->type, "file"))
		d->source = xml_attr_dup(src, "file");
	else if (!strcmp(d->type, "block"))
		d->source = xml_attr_dup(src, "dev");
	else if (!strcmp(d->type, "volume")) {
		char pool[128], vol[256];
		xml_attr(src, "pool", pool, sizeof pool);
		xml_attr(src, "volume", vol, sizeof vol);
		d->source = x_asprintf("%s/%s", pool, vol);
	} else if (!strcmp(d->type, "network")) {
		char proto[32], name[512];
		xml_attr(src, "protocol", proto, sizeof proto);
		xml_attr(src, "name", name, sizeof name);
		d->source = x_asprintf("%s:%s", proto, name);
	}
}

const char *nic_mode_name(enum nic_mode m)
{
	switch (m) {
	case NIC_MODE_BRIDGE: return "bridge";
	case NIC_MODE_NETWORK: return "network";
	case NIC_MODE_OVS: return "ovs";
	case NIC_MODE_DIRECT: return "direct";
	case NIC_MODE_HOSTDEV: return "hostdev";
	case NIC_MODE_VHOSTUSER: return "vhostuser";
	case NIC_MODE_OTHER: break;
	}
	return "other";
}

static enum nic_mode nic_mode_of(const xmlNode *n, const char *type)
{
	char vp[24];
	xml_attr(xml_child(n, "virtualport"), "type", vp, sizeof vp);
	if (!strcmp(vp, "openvswitch") && (!strcmp(type, "bridge") || !strcmp(type, "network")))
		return NIC_MODE_OVS;
	static const struct { const char *type; enum nic_mode mode; } modes[] = {
		{ "bridge", NIC_MODE_BRIDGE }, { "network", NIC_MODE_NETWORK }, { "direct", NIC_MODE_DIRECT },
		{ "hostdev", NIC_MODE_HOSTDEV }, { "vhostuser", NIC_MODE_VHOSTUSER },
	};
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if (!strcmp(type, modes[i].type))
			return modes[i].mode;
	return NIC_MODE_OTHER;
}

static uint64_t attr_u64(const xmlNode *n, const char *name)
{
	char v[24];
	xml_attr(n, name, v, sizeof v);
	return strtoull(v, NULL, 10);
}

/* The VF of <interface type='hostdev'>: <source><address type='pci' .../>. */
static void pci_address(const xmlNode *a, char *buf, size_t len)
{
	char dom[8], bus[8], slot[8], fn[8];
	xml_attr(a, "domain", dom, sizeof dom);
	xml_attr(a, "bus", bus, sizeof bus);
	xml_attr(a, "slot", slot, sizeof slot);
	xml_attr(a, "function", fn, sizeof fn);
	if (!bus[0] || !slot[0]) {
		buf[0] = '\0';
		return;
	}
	/* libvirt writes 0x0000, 0x3b, 0x02, 0x0: print them as lspci does */
	snprintf(buf, len, "%04lx:%02lx:%02lx.%lx", strtoul(dom, NULL, 16) & 0xffff, strtoul(bus, NULL, 16) & 0xff,
		 strtoul(slot, NULL, 16) & 0x1f, strtoul(fn, NULL, 16) & 0x7);
}

static void parse_nic_extras(const xmlNode *n, struct dom_nic *c)
{
	c->mode = nic_mode_of(n, c->type);
	c->queues = (unsigned)attr_u64(xml_child(n, "driver"), "queues");
	const xmlNode *src = xml_child(n, "source");
	if (c->mode == NIC_MODE_DIRECT)
		xml_attr(src, "mode", c->direct_mode, sizeof c->direct_mode);
	if (c->mode == NIC_MODE_HOSTDEV)
		pci_address(xml_child(src, "address"), c->vf_address, sizeof c->vf_address);
	xml_attr(xml_child(n, "filterref"), "filter", c->filter, sizeof c->filter);
	const xmlNode *vlan = xml_child(n, "vlan");
	char trunk[8];
	xml_attr(vlan, "trunk", trunk, sizeof trunk);
	unsigned tags = 0;
	for (const xmlNode *t = vlan ? vlan->children : NULL; t; t = t->next)
		tags += xml_is(t, "tag");
	c->vlan_trunk = !strcmp(trunk, "yes") || tags > 1;
	const xmlNode *bw = xml_child(n, "bandwidth");
	c->in_average = attr_u64(xml_child(bw, "inbound"), "average");
	c->out_average = attr_u64(xml_child(bw, "outbound"), "average");
	const xmlNode *frames = xml_child(xml_child(xml_child(n, "coalesce"), "rx"), "frames");
	c->coalesce_rx_frames = frames ? (int64_t)(attr_u64(frames, "max") & 0xffffffffu) : -1;
}

static void parse_nic(const xmlNode *n, struct dom_info *out)
{
	x_grow(&out->nics, &(size_t){ grown_cap(out->nnics) }, out->nnics + 1, sizeof *out->nics);
	struct dom_nic *c = &out->nics[out->nnics++];
	memset(c, 0, sizeof *c);
	xml_attr(n, "type", c->type, sizeof c->type);
	xml_attr(xml_child(n, "mac"), "address", c->mac, sizeof c->mac);
	xml_attr(xml_child(n, "model"), "type", c->model, sizeof c->model);
	xml_attr(xml_child(n, "target"), "dev", c->target, sizeof c->target);
	const xmlNode *src = xml_child(n, "source");
	xml_attr(src, "portgroup", c->portgroup, sizeof c->portgroup);
	xml_attr(xml_child(xml_child(n, "virtualport"), "parameters"), "interfaceid", c->interfaceid,
		 sizeof c->interfaceid);
	static const char *const keys[] = { "network", "bridge", "dev", "path" };
	for (unsigned i = 0; src && i < 4 && !c->source; i++)
		c->source = xml_attr_dup(src, keys[i]);
	char id[16];
	xml_attr(xml_child(xml_child(n, "vlan"), "tag"), "id", id, sizeof id);
	c->vlan = (unsigned)strtoul(id, NULL, 10);
	parse_nic_extras(n, c);
	xmlBuffer *b = xmlBufferCreate();
	if (b && xmlNodeDump(b, n->doc, (xmlNode *)n, 0, 0) > 0)
		c->xml = x_strdup((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
}

static void parse_hostdev(const xmlNode *n, struct dom_info *out)
{
	x_grow(&out->hostdevs, &(size_t){ grown_cap(out->nhostdevs) }, out->nhostdevs + 1, sizeof *out->hostdevs);
	struct dom_hostdev *h = &out->hostdevs[out->nhostdevs++];
	memset(h, 0, sizeof *h);
	xml_attr(n, "type", h->type, sizeof h->type);
	xml_attr(n, "model", h->model, sizeof h->model);
	const xmlNode *src = xml_child(n, "source");
	xml_attr(xml_child(src, "address"), "uuid", h->uuid, sizeof h->uuid);
	const xmlNode *a = xml_child(src, "address");
	if (a && !h->uuid[0])
		pci_address(a, h->address, sizeof h->address);   /* 0000:3b:02.1, as sysfs names it */
}

static void parse_devices(const xmlNode *devs, struct dom_info *out)
{
	for (const xmlNode *c = devs ? devs->children : NULL; c; c = c->next) {
		if (xml_is(c, "disk"))
			parse_disk(c, out);
		else if (xml_is(c, "interface"))
			parse_nic(c, out);
		else if (xml_is(c, "hostdev"))
			parse_hostdev(c, out);
		else if (xml_is(c, "memory")) {
			char model[16];
			xml_attr(c, "model", model, sizeof model);
			if (!strcmp(model, "dimm"))
				out->dimms++;
		} else if (xml_is(c, "controller")) {
			char type[16], model[32];
			xml_attr(c, "type", type, sizeof type);
			xml_attr(c, "model", model, sizeof model);
			if (!strcmp(type, "scsi") && !strcmp(model, "virtio-scsi"))
				out->scsi_controllers++;
		}
	}
}

static void fit(void *items_pp, size_t n, size_t size)
{
	void **items = items_pp;
	if (n)
		*items = x_realloc(*items, n * size);
}

static void fit_arrays(struct dom_info *d)
{
	for (size_t i = 0; i < d->ndisks; i++)
		fit(&d->disks[i].chain, d->disks[i].nchain, sizeof *d->disks[i].chain);
	fit(&d->disks, d->ndisks, sizeof *d->disks);
	fit(&d->nics, d->nnics, sizeof *d->nics);
	fit(&d->pins, d->npins, sizeof *d->pins);
	fit(&d->hostdevs, d->nhostdevs, sizeof *d->hostdevs);
}

int domxml_parse(const char *xml, size_t len, struct dom_info *out, struct vd_err *err)
{
	memset(out, 0, sizeof *out);
	if (!xml || len == 0 || len > 64u * 1024 * 1024)
		return err_set(err, VD_EINVAL, "empty or oversized domain XML");
	xmlDoc *doc = xmlReadMemory(xml, (int)len, "domain.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		return err_set(err, VD_EINVAL, "domain XML is not well-formed");
	const xmlNode *root = xmlDocGetRootElement(doc);
	if (!root || !xml_is(root, "domain")) {
		xmlFreeDoc(doc);
		return err_set(err, VD_EINVAL, "XML root is not <domain>");
	}
	xml_text(xml_child(root, "name"), out->name, sizeof out->name);
	xml_text(xml_child(root, "uuid"), out->uuid, sizeof out->uuid);
	const xmlNode *vcpu = xml_child(root, "vcpu");
	out->max_vcpus = uint_text(vcpu);
	char cur[16];
	xml_attr(vcpu, "current", cur, sizeof cur);
	out->vcpus = cur[0] ? (unsigned)strtoul(cur, NULL, 10) : out->max_vcpus;
	out->max_memory = mem_bytes(xml_child(root, "memory"));
	out->memory = xml_child(root, "currentMemory") ? mem_bytes(xml_child(root, "currentMemory")) : out->max_memory;
	const xmlNode *maxmem = xml_child(root, "maxMemory");
	out->hotplug_memory = mem_bytes(maxmem);
	char slots[16];
	xml_attr(maxmem, "slots", slots, sizeof slots);
	out->memory_slots = (unsigned)strtoul(slots, NULL, 10);
	const xmlNode *nt = xml_child(xml_child(root, "numatune"), "memory");
	xml_attr(nt, "mode", out->numatune_mode, sizeof out->numatune_mode);
	xml_attr(nt, "nodeset", out->numatune_nodeset, sizeof out->numatune_nodeset);
	int cells_shared = 1;
	for (const xmlNode *c = xml_child(xml_child(xml_child(root, "cpu"), "numa"), "cell"); c; c = c->next) {
		if (!xml_is(c, "cell"))
			continue;
		out->guest_numa_cells++;
		char access[16];
		xml_attr(c, "memAccess", access, sizeof access);
		cells_shared &= !strcmp(access, "shared");
	}
	xml_attr(xml_child(xml_child(root, "cputune"), "emulatorpin"), "cpuset", out->emulatorpin,
		 sizeof out->emulatorpin);
	const xmlNode *huge = xml_child(xml_child(root, "memoryBacking"), "hugepages");
	if (huge) {
		char size[32], unit[16];
		const xmlNode *page = xml_child(huge, "page");
		xml_attr(page, "size", size, sizeof size);
		xml_attr(page, "unit", unit, sizeof unit);
		out->hugepage_size = strtoull(size, NULL, 10) * unit_factor(unit);
	}
	for (const xmlNode *c = xml_child(root, "cputune") ? xml_child(root, "cputune")->children : NULL; c; c = c->next) {
		if (!xml_is(c, "vcpupin"))
			continue;
		x_grow(&out->pins, &(size_t){ grown_cap(out->npins) }, out->npins + 1, sizeof *out->pins);
		struct dom_vcpupin *p = &out->pins[out->npins++];
		char v[16];
		xml_attr(c, "vcpu", v, sizeof v);
		p->vcpu = (unsigned)strtoul(v, NULL, 10);
		xml_attr(c, "cpuset", p->cpuset, sizeof p->cpuset);
	}
	parse_devices(xml_child(root, "devices"), out);
	const xmlNode *mb = xml_child(root, "memoryBacking");
	out->hugepages = xml_child(mb, "hugepages") != NULL;
	char access[16];
	xml_attr(xml_child(mb, "access"), "mode", access, sizeof access);
	/* shared for the whole VM, or for each of its guest NUMA cells */
	out->shared_memory = !strcmp(access, "shared") || (out->guest_numa_cells && cells_shared);
	xmlFreeDoc(doc);
	fit_arrays(out);
	return 0;
}

void dom_info_free(struct dom_info *info)
{
	if (!info)
		return;
	if (info->arrays_refs) {
		if (atomic_fetch_sub(info->arrays_refs, 1) > 1) {   /* others still read them */
			memset(info, 0, sizeof *info);
			return;
		}
		free(info->arrays_refs);
	}
	for (size_t i = 0; i < info->ndisks; i++) {
		free(info->disks[i].source);
		free(info->disks[i].backing);
		for (size_t l = 0; l < info->disks[i].nchain; l++)
			free(info->disks[i].chain[l].path);
		free(info->disks[i].chain);
	}
	for (size_t i = 0; i < info->nnics; i++) {
		free(info->nics[i].source);
		free(info->nics[i].xml);
	}
	free(info->disks);
	free(info->nics);
	free(info->pins);
	free(info->hostdevs);
	memset(info, 0, sizeof *info);
}

#define COPY_ARRAY(field, n) do { \
	dst->field = src->n ? x_malloc(src->n * sizeof *src->field) : NULL; \
	if (src->n) memcpy(dst->field, src->field, src->n * sizeof *src->field); \
} while (0)

void dom_info_copy(struct dom_info *dst, const struct dom_info *src)
{
	*dst = *src;
	dst->arrays_refs = NULL;
	COPY_ARRAY(disks, ndisks);
	COPY_ARRAY(nics, nnics);
	COPY_ARRAY(pins, npins);
	COPY_ARRAY(hostdevs, nhostdevs);
	for (size_t i = 0; i < dst->ndisks; i++) {
		dst->disks[i].source = x_strdup(src->disks[i].source);
		dst->disks[i].backing = x_strdup(src->disks[i].backing);
		size_t nc = src->disks[i].nchain;
		dst->disks[i].chain = nc ? x_malloc(nc * sizeof *dst->disks[i].chain) : NULL;
		for (size_t l = 0; l < nc; l++) {
			dst->disks[i].chain[l] = src->disks[i].chain[l];
			dst->disks[i].chain[l].path = x_strdup(src->disks[i].chain[l].path);
		}
	}
	for (size_t i = 0; i < dst->nnics; i++) {
		dst->nics[i].source = x_strdup(src->nics[i].source);
		dst->nics[i].xml = x_strdup(src->nics[i].xml);
	}
}

void dom_info_share(struct dom_info *dst, struct dom_info *src)
{
	if (!src->arrays_refs) {
		src->arrays_refs = x_malloc(sizeof *src->arrays_refs);
		atomic_init(src->arrays_refs, 1);
	}
	atomic_fetch_add(src->arrays_refs, 1);
	*dst = *src;
}

void dom_info_own(struct dom_info *info)
{
	if (!info->arrays_refs)
		return;
	if (atomic_load(info->arrays_refs) == 1) {   /* the others let go: it is ours again */
		free(info->arrays_refs);
		info->arrays_refs = NULL;
		return;
	}
	struct dom_info mine;
	dom_info_copy(&mine, info);
	dom_info_free(info);   /* drops this holder's share */
	*info = mine;
}

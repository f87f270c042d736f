/* demo_xml.c — one host of the demo cluster as a libvirt test-driver node
 * file: node CPU/memory info, the host's domains (test:runstate for paused
 * and shut-off ones), a network with VLAN portgroups, a dir pool with one
 * thin volume per disk (a few of them linked clones' overlays), the pool
 * its group of hosts shares with the golden image, an 802.3ad bond, and
 * GPU node devices with mdevs. */
#include "demo/demo_priv.h"

#include <inttypes.h>
#include <stdio.h>

/* The group whose shared pool host h declares, or -1 (a host of a group
 * without one). */
static int shared_group(const struct demo_host *h)
{
	unsigned g = h->index / DEMO_SHARE_HOSTS;
	return g % 2 == 0 ? (int)g : -1;
}

/* Disk d of vm is a linked clone's overlay on the group's golden image. */
static bool disk_linked(const struct demo_host *h, const struct demo_vm *vm, unsigned d)
{
	return d == 0 && shared_group(h) >= 0 && vm->gidx % DEMO_CLONE_EVERY == 5;
}

static void golden_path(const struct demo_host *h, struct strbuf *sb)
{
	sb_appendf(sb, DEMO_SHARED_PATH "/g%d/" DEMO_GOLDEN, shared_group(h));
}

static void xml_domain(const struct demo_spec *spec, const struct demo_host *h,
		       const struct demo_vm *vm, struct strbuf *sb)
{
	sb_append(sb, "  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n");
	sb_append(sb, "    <name>");
	sb_append_xml(sb, vm->name);
	sb_appendf(sb, "</name>\n    <uuid>%s</uuid>\n", vm->uuid);
	sb_appendf(sb, "    <memory unit='KiB'>%" PRIu64 "</memory>\n", vm->mem_kib);
	sb_appendf(sb, "    <currentMemory unit='KiB'>%" PRIu64 "</currentMemory>\n", vm->cur_mem_kib);
	if (vm->cur_vcpus != vm->vcpus)
		sb_appendf(sb, "    <vcpu placement='static' current='%u'>%u</vcpu>\n",
			   vm->cur_vcpus, vm->vcpus);
	else
		sb_appendf(sb, "    <vcpu placement='static'>%u</vcpu>\n", vm->vcpus);
	if (vm->pinned) {
		const struct demo_node *n = &h->node[vm->home];
		/* The test driver reports 8 host CPUs to `virsh vcpupin`, which
		 * then shows only CPUs 0-7: node-0 VMs pin there so the demo
		 * shows pins; other nodes get their own (real) CPU numbers. */
		unsigned span = vm->home == 0 && n->ncpus > 8 ? 8 : n->ncpus;
		unsigned off = vm->gidx * 7 % span;
		sb_append(sb, "    <cputune>\n");
		for (unsigned v = 0; v < vm->vcpus; v++)
			sb_appendf(sb, "      <vcpupin vcpu='%u' cpuset='%u'/>\n", v,
				   demo_node_cpu(h, vm->home, (off + v) % span));
		sb_append(sb, "    </cputune>\n");
	}
	if (vm->numatune >= 0)
		sb_appendf(sb, "    <numatune>\n      <memory mode='strict' nodeset='%d'/>\n"
			   "    </numatune>\n", vm->numatune);
	sb_append(sb, "    <os>\n      <type arch='x86_64'>hvm</type>\n    </os>\n    <devices>\n");
	for (unsigned d = 0; d < vm->ndisks; d++) {
		const struct demo_disk *dk = &vm->disk[d];
		sb_append(sb, "      <disk type='file' device='disk'>\n"
			      "        <driver name='qemu' type='qcow2'/>\n"
			      "        <source file='" DEMO_POOL_PATH "/");
		sb_append_xml(sb, dk->vol);
		sb_append(sb, "'/>\n");
		if (disk_linked(h, vm, d)) {
			sb_append(sb, "        <backingStore type='file'>\n          <format type='qcow2'/>\n"
				      "          <source file='");
			golden_path(h, sb);
			sb_append(sb, "'/>\n          <backingStore/>\n        </backingStore>\n");
		}
		sb_appendf(sb, "        <target dev='%s' bus='virtio'/>\n      </disk>\n", dk->target);
	}
	for (unsigned k = 0; k < vm->nnics; k++) {
		char mac[18];
		demo_mac(spec->seed, vm->mac_id[k], mac);
		sb_appendf(sb, "      <interface type='network'>\n"
			       "        <mac address='%s'/>\n"
			       "        <source network='" DEMO_NETWORK "' portgroup='vlan%u'/>\n"
			       "        <model type='virtio'/>\n"
			       "      </interface>\n", mac, vm->vlan[k]);
	}
	if (vm->mdev >= 0) {
		char uuid[37];
		demo_mdev_uuid(spec->seed, h, (unsigned)vm->mdev, uuid);
		sb_appendf(sb, "      <hostdev mode='subsystem' type='mdev' model='vfio-pci'>\n"
			       "        <source>\n          <address uuid='%s'/>\n        </source>\n"
			       "      </hostdev>\n", uuid);
	}
	sb_append(sb, "    </devices>\n");
	if (vm->state != DEMO_RUNNING)
		sb_appendf(sb, "    <test:runstate>%d</test:runstate>\n", vm->state);
	sb_append(sb, "  </domain>\n");
}

static void xml_network(const struct demo_spec *spec, const struct demo_host *h,
			struct strbuf *sb)
{
	char uuid[37];
	demo_uuid(spec->seed, DEMO_UUID_NET, h->index, uuid);
	sb_appendf(sb, "  <network>\n    <name>" DEMO_NETWORK "</name>\n    <uuid>%s</uuid>\n"
		       "    <forward mode='bridge'/>\n    <bridge name='br-vm'/>\n"
		       "    <virtualport type='openvswitch'/>\n", uuid);
	static const struct { unsigned tag; const char *extra; } pg[] = {
		{ 100, " default='yes'" }, { 200, "" }, { 300, "" }, { 310, "" },
	};
	for (unsigned i = 0; i < 4; i++)
		sb_appendf(sb, "    <portgroup name='vlan%u'%s>\n      <vlan>\n        <tag id='%u'/>\n"
			       "      </vlan>\n    </portgroup>\n", pg[i].tag, pg[i].extra, pg[i].tag);
	sb_append(sb, "  </network>\n");
}

static void xml_pool(const struct demo_spec *spec, const struct demo_host *h,
		     const struct demo_vm *vms, struct strbuf *sb)
{
	char uuid[37];
	demo_uuid(spec->seed, DEMO_UUID_POOL, h->index, uuid);
	/* The test driver fixes a pool at 100 GiB and adds up its volumes. */
	sb_appendf(sb, "  <pool type='dir'>\n    <name>images</name>\n    <uuid>%s</uuid>\n"
		       "    <capacity unit='GiB'>100</capacity>\n"
		       "    <allocation unit='bytes'>0</allocation>\n"
		       "    <available unit='GiB'>100</available>\n"
		       "    <target>\n      <path>" DEMO_POOL_PATH "</path>\n    </target>\n", uuid);
	for (unsigned v = 0; v < h->nvms; v++)
		for (unsigned d = 0; d < vms[v].ndisks; d++) {
			const struct demo_disk *dk = &vms[v].disk[d];
			sb_append(sb, "    <volume type='file'>\n      <name>");
			sb_append_xml(sb, dk->vol);
			sb_appendf(sb, "</name>\n      <capacity unit='MiB'>%" PRIu64 "</capacity>\n"
				       "      <allocation unit='MiB'>%" PRIu64 "</allocation>\n"
				       "      <target>\n        <format type='qcow2'/>\n      </target>\n",
				   dk->cap_mib, dk->alloc_mib);
			if (disk_linked(h, &vms[v], d)) {
				sb_append(sb, "      <backingStore>\n        <path>");
				golden_path(h, sb);
				sb_append(sb, "</path>\n        <format type='qcow2'/>\n      </backingStore>\n");
			}
			sb_append(sb, "    </volume>\n");
		}
	sb_append(sb, "  </pool>\n");
}

/* The group's shared pool: one UUID and path on each of its hosts. */
static void xml_shared_pool(const struct demo_spec *spec, const struct demo_host *h, struct strbuf *sb)
{
	int g = shared_group(h);
	if (g < 0)
		return;
	char uuid[37];
	demo_uuid(spec->seed, DEMO_UUID_SHARED, (uint32_t)g, uuid);
	sb_appendf(sb, "  <pool type='dir'>\n    <name>shared-g%d</name>\n    <uuid>%s</uuid>\n"
		       "    <capacity unit='GiB'>100</capacity>\n"
		       "    <allocation unit='bytes'>0</allocation>\n"
		       "    <available unit='GiB'>100</available>\n"
		       "    <target>\n      <path>" DEMO_SHARED_PATH "/g%d</path>\n    </target>\n"
		       "    <volume type='file'>\n      <name>" DEMO_GOLDEN "</name>\n"
		       "      <capacity unit='GiB'>20</capacity>\n      <allocation unit='MiB'>3072</allocation>\n"
		       "      <target>\n        <format type='qcow2'/>\n      </target>\n    </volume>\n"
		       "  </pool>\n", g, uuid, g);
}

static void xml_bond(const struct demo_host *h, struct strbuf *sb)
{
	sb_appendf(sb, "  <interface type='bond' name='bond0'>\n    <start mode='onboot'/>\n"
		       "    <mtu size='9000'/>\n"
		       "    <protocol family='ipv4'>\n      <ip address='10.1.%u.%u' prefix='16'/>\n"
		       "    </protocol>\n    <bond mode='802.3ad'>\n      <miimon freq='100'/>\n",
		   h->index / 250, h->index % 250 + 1);
	for (unsigned i = 0; i < h->nnics; i++) {
		if (!h->nic[i].bond_member)
			continue;
		char mac[18];
		demo_host_mac(h, h->nic[i].mac_id, mac);
		sb_appendf(sb, "      <interface type='ethernet' name='%s'>\n"
			       "        <mac address='%s'/>\n      </interface>\n", h->nic[i].name, mac);
	}
	sb_append(sb, "    </bond>\n  </interface>\n");
}

static void xml_gpu(const struct demo_spec *spec, const struct demo_host *h, struct strbuf *sb)
{
	/* NVIDIA vGPU: once one profile is in use only that profile fits. */
	unsigned used = h->mdevs;
	sb_append(sb, "  <device>\n    <name>pci_0000_3b_00_0</name>\n    <parent>computer</parent>\n"
		      "    <driver>\n      <name>nvidia</name>\n    </driver>\n"
		      "    <capability type='pci'>\n      <class>0x030200</class>\n"
		      "      <domain>0</domain>\n      <bus>59</bus>\n      <slot>0</slot>\n"
		      "      <function>0</function>\n"
		      "      <product id='0x1b38'>GP102GL [Tesla P40]</product>\n"
		      "      <vendor id='0x10de'>NVIDIA Corporation</vendor>\n"
		      "      <capability type='mdev_types'>\n");
	static const struct { const char *id, *name; unsigned max; } types[] = {
		{ "nvidia-62", "GRID P40-1Q", 24 }, { "nvidia-63", "GRID P40-2Q", 12 },
		{ "nvidia-64", "GRID P40-3Q", 8 }, { "nvidia-65", "GRID P40-4Q", 6 },
	};
	for (unsigned i = 0; i < 4; i++) {
		unsigned avail = !used ? types[i].max : i == 1 ? types[i].max - used : 0;
		sb_appendf(sb, "        <type id='%s'>\n          <name>%s</name>\n"
			       "          <deviceAPI>vfio-pci</deviceAPI>\n"
			       "          <availableInstances>%u</availableInstances>\n        </type>\n",
			   types[i].id, types[i].name, avail);
	}
	sb_append(sb, "      </capability>\n      <iommuGroup number='40'>\n"
		      "        <address domain='0x0000' bus='0x3b' slot='0x00' function='0x0'/>\n"
		      "      </iommuGroup>\n      <numa node='0'/>\n    </capability>\n  </device>\n");
	for (unsigned m = 0; m < h->mdevs; m++) {
		char uuid[37], name[64];
		demo_mdev_uuid(spec->seed, h, m, uuid);
		snprintf(name, sizeof name, "mdev_%s", uuid);
		for (char *c = name; *c; c++)
			if (*c == '-')
				*c = '_';
		sb_appendf(sb, "  <device>\n    <name>%s</name>\n    <parent>pci_0000_3b_00_0</parent>\n"
			       "    <capability type='mdev'>\n      <type id='nvidia-63'/>\n"
			       "      <uuid>%s</uuid>\n      <iommuGroup number='%u'/>\n"
			       "    </capability>\n  </device>\n", name, uuid, 41 + m);
	}
}

void demo_xml_host(const struct demo_spec *spec, const struct demo_host *h,
		   const struct demo_vm *vms, struct strbuf *sb)
{
	uint64_t mem = 0;
	for (unsigned n = 0; n < h->nnodes; n++)
		mem += h->node[n].mem_kib;
	sb_appendf(sb, "<?xml version='1.0'?>\n<!-- vdeck demo host %s: generated, do not edit -->\n"
		       "<node>\n  <cpu>\n    <mhz>%u</mhz>\n    <model>x86_64</model>\n"
		       "    <active>%u</active>\n    <nodes>%u</nodes>\n    <sockets>1</sockets>\n"
		       "    <cores>%u</cores>\n    <threads>%u</threads>\n  </cpu>\n"
		       "  <memory>%" PRIu64 "</memory>\n",
		   h->name, h->mhz, h->ncpus, h->cpu_nodes, h->cores, h->threads, mem);
	for (unsigned v = 0; v < h->nvms; v++)
		xml_domain(spec, h, &vms[v], sb);
	xml_network(spec, h, sb);
	xml_pool(spec, h, vms, sb);
	xml_shared_pool(spec, h, sb);
	xml_bond(h, sb);
	if (h->gpu)
		xml_gpu(spec, h, sb);
	sb_append(sb, "</node>\n");
}

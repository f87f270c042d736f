/* test_domxml.c — domain XML parsing on a fixture and on hostile input
 * (the shared corpus's domain XML: test_metrics_corpus.c). */
#include "check.h"

#include "metrics/domxml.h"

#include <malloc.h>

static const char xml[] =
	"<domain type='kvm'><name>db &amp; co</name><uuid>11111111-2222-3333-4444-555555555555</uuid>"
	"<maxMemory slots='4' unit='KiB'>16777216</maxMemory>"
	"<memory unit='GiB'>8</memory><currentMemory unit='MiB'>4096</currentMemory>"
	"<vcpu placement='static' current='2'>8</vcpu>"
	"<cputune><vcpupin vcpu='0' cpuset='2'/><vcpupin vcpu='1' cpuset='3-4'/></cputune>"
	"<numatune><memory mode='preferred' nodeset='1'/></numatune>"
	"<cpu><numa><cell id='0' cpus='0-7' memory='8' unit='GiB'/></numa></cpu>"
	"<devices>"
	"<disk type='block' device='lun' sgio='unfiltered'><source dev='/dev/sdb'/><target dev='sda' bus='scsi'/><shareable/></disk>"
	"<disk type='network' device='disk'><source protocol='iscsi' name='iqn.2024-01.x:t/1'/><target dev='vdb' bus='virtio'/></disk>"
	"<disk type='volume' device='disk'><source pool='p' volume='v'/><target dev='vdc'/></disk>"
	"<controller type='scsi' model='virtio-scsi'/>"
	"<interface type='bridge'><mac address='52:54:00:00:00:01'/><source bridge='br0'/><vlan><tag id='42'/></vlan></interface>"
	"<hostdev mode='subsystem' type='mdev' model='vfio-pci'><source><address uuid='c2177883-f1bb-47f0-914d-32a22e3a8804'/></source></hostdev>"
	"<memory model='dimm'><target><size unit='GiB'>1</size><node>0</node></target></memory>"
	"</devices></domain>";

static void test_fixture(void)
{
	struct dom_info d;
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(domxml_parse(xml, sizeof xml - 1, &d, &err), 0);
	CHECK_STR(d.name, "db & co");
	CHECK_INT(d.vcpus, 2);
	CHECK_INT(d.max_vcpus, 8);
	CHECK_INT(d.max_memory, 8ULL << 30);
	CHECK_INT(d.memory, 4096ULL << 20);
	CHECK_INT(d.hotplug_memory, 16ULL << 30);
	CHECK_INT(d.memory_slots, 4);
	CHECK_INT(d.npins, 2);
	CHECK_STR(d.pins[1].cpuset, "3-4");
	CHECK_STR(d.numatune_mode, "preferred");
	CHECK_STR(d.numatune_nodeset, "1");
	CHECK_INT(d.guest_numa_cells, 1);
	CHECK_INT(d.ndisks, 3);
	CHECK_STR(d.disks[0].device, "lun");
	CHECK_STR(d.disks[0].source, "/dev/sdb");
	CHECK_STR(d.disks[0].sgio, "unfiltered");
	CHECK_INT(d.disks[0].shareable, 1);
	CHECK_STR(d.disks[1].source, "iscsi:iqn.2024-01.x:t/1");
	CHECK_STR(d.disks[2].source, "p/v");
	CHECK_INT(d.scsi_controllers, 1);
	CHECK_INT(d.nnics, 1);
	CHECK_STR(d.nics[0].source, "br0");
	CHECK_INT(d.nics[0].vlan, 42);
	CHECK_INT(d.nhostdevs, 1);
	CHECK_STR(d.hostdevs[0].uuid, "c2177883-f1bb-47f0-914d-32a22e3a8804");
	CHECK_INT(d.dimms, 1);
	struct dom_info copy;
	dom_info_copy(&copy, &d);
	dom_info_free(&d);
	CHECK_STR(copy.disks[1].source, "iscsi:iqn.2024-01.x:t/1");
	dom_info_free(&copy);
}

/* A live disk on an overlay (libvirt 9.0 after a disk-only snapshot), a
 * disk whose chain ends at once, and one without backing information. */
static const char chain_xml[] =
	"<domain type='qemu'><name>ovm</name><devices>"
	"<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
	"<source file='/img/ovm.ext1' index='2'/>"
	"<backingStore type='file' index='1'><format type='qcow2'/><source file='/img/o&apos;vm.qcow2'/>"
	"<backingStore type='file'><format type='raw'/><source file='/img/deeper.raw'/><backingStore/></backingStore>"
	"</backingStore><target dev='vda' bus='virtio'/></disk>"
	"<disk type='file' device='disk'><source file='/img/plain.qcow2'/><backingStore/><target dev='vdb'/></disk>"
	"<disk type='block' device='disk'><source dev='/dev/sdc'/><backingStore type='block'><source dev='/dev/sdd'/></backingStore><target dev='vdc'/></disk>"
	"<disk type='file' device='cdrom'><target dev='hdc'/></disk>"
	"</devices></domain>";

static void test_backing(void)
{
	struct dom_info d;
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(domxml_parse(chain_xml, sizeof chain_xml - 1, &d, &err), 0);
	CHECK_INT(d.ndisks, 4);
	CHECK_STR(d.disks[0].source, "/img/ovm.ext1");
	CHECK(d.disks[0].backing && !strcmp(d.disks[0].backing, "/img/o'vm.qcow2"));
	CHECK(d.disks[1].backing == NULL);
	CHECK(d.disks[2].backing && !strcmp(d.disks[2].backing, "/dev/sdd"));
	CHECK(d.disks[3].backing == NULL && d.disks[3].source == NULL);
	struct dom_info copy;
	dom_info_copy(&copy, &d);
	dom_info_free(&d);
	CHECK(copy.disks[0].backing && !strcmp(copy.disks[0].backing, "/img/o'vm.qcow2"));
	CHECK(copy.disks[1].backing == NULL);
	dom_info_free(&copy);
}

/* Every NIC mode, as libvirt 9.0 writes a running domain's XML. */
static void test_nic_modes(void)
{
	size_t len = 0;
	char *xml2 = check_slurp("tests/fixtures/libvirt/dom-nicmodes.xml", &len);
	CHECK(xml2 != NULL);
	if (!xml2)
		return;
	struct dom_info d;
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(domxml_parse(xml2, len, &d, &err), 0);
	free(xml2);
	CHECK_INT(d.nnics, 7);
	static const char *const modes[] = { "bridge", "network", "ovs", "direct", "hostdev", "vhostuser", "other" };
	for (size_t i = 0; i < 7 && i < d.nnics; i++)
		CHECK_STR(nic_mode_name(d.nics[i].mode), modes[i]);
	CHECK_INT(d.nics[0].queues, 4);
	CHECK_STR(d.nics[0].target, "vnet3");
	CHECK_INT(d.nics[0].coalesce_rx_frames, 32);
	CHECK_INT(d.nics[1].coalesce_rx_frames, -1);
	CHECK_STR(d.nics[1].source, "tenant");
	CHECK_STR(d.nics[1].portgroup, "web");
	CHECK_INT(d.nics[1].vlan, 120);
	CHECK_INT(d.nics[1].in_average, 125000);
	CHECK_INT(d.nics[1].out_average, 62500);
	CHECK_STR(d.nics[1].filter, "clean-traffic");
	CHECK_INT(d.nics[2].vlan, 200);
	CHECK_INT(d.nics[2].vlan_trunk, 1);
	CHECK_INT(d.nics[1].vlan_trunk, 0);
	CHECK_STR(d.nics[3].direct_mode, "vepa");
	CHECK_STR(d.nics[3].source, "ens2f1");
	CHECK_STR(d.nics[4].vf_address, "0000:3b:02.1");
	CHECK_INT(d.nics[4].vlan, 300);
	CHECK_STR(d.nics[5].source, "/var/run/openvswitch/vhu-nfv-edge");
	CHECK_INT(d.nics[5].queues, 2);
	CHECK_STR(d.nics[6].model, "e1000e");
	CHECK_INT(d.hugepages, 1);
	CHECK_INT(d.shared_memory, 0);   /* vhost-user needs it: the VM lacks it */
	dom_info_free(&d);

	static const char shared[] =
		"<domain><name>s</name><memoryBacking><hugepages/><access mode='shared'/></memoryBacking></domain>";
	CHECK_INT(domxml_parse(shared, sizeof shared - 1, &d, &err), 0);
	CHECK_INT(d.shared_memory, 1);
	dom_info_free(&d);
	static const char cells[] =
		"<domain><name>c</name><cpu><numa><cell id='0' memAccess='shared'/><cell id='1' memAccess='shared'/>"
		"</numa></cpu></domain>";
	CHECK_INT(domxml_parse(cells, sizeof cells - 1, &d, &err), 0);
	CHECK_INT(d.shared_memory, 1);
	dom_info_free(&d);
	static const char half[] =
		"<domain><name>h</name><cpu><numa><cell id='0' memAccess='shared'/><cell id='1'/></numa></cpu></domain>";
	CHECK_INT(domxml_parse(half, sizeof half - 1, &d, &err), 0);
	CHECK_INT(d.shared_memory, 0);
	dom_info_free(&d);
}

/* The arrays end at their length: thousands of these are held at once,
 * and growth by doubling left six of every eight NIC slots unused. */
static void test_arrays_fit(void)
{
	struct dom_info d;
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(domxml_parse(xml, sizeof xml - 1, &d, &err), 0);
	CHECK_INT(d.nnics, 1);
	CHECK(malloc_usable_size(d.nics) < 2 * sizeof *d.nics);
	CHECK_INT(d.ndisks, 3);
	CHECK(malloc_usable_size(d.disks) < 4 * sizeof *d.disks);
	CHECK_INT(d.npins, 2);
	CHECK(malloc_usable_size(d.pins) < 3 * sizeof *d.pins);
	CHECK_INT(d.nhostdevs, 1);
	CHECK(malloc_usable_size(d.hostdevs) < 2 * sizeof *d.hostdevs);
	dom_info_free(&d);
}

static void test_hostile(void)
{
	struct dom_info d;
	struct vd_err err;
	static const char *const bad[] = {
		"", "<domain", "<notdomain/>", "<domain><name>x</name>",
		"<!DOCTYPE d [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><domain><name>&e;</name></domain>",
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&err);
		int rc = domxml_parse(bad[i], strlen(bad[i]), &d, &err);
		if (rc == 0) {
			CHECK(strstr(d.name, "root:") == NULL);   /* no external entities */
			dom_info_free(&d);
		} else {
			CHECK_INT(err.code, VD_EINVAL);
		}
	}
}

/* The poll's cache and the model share one copy of the arrays; the cache
 * changing a disk gets its own first, the model's view stays as it was,
 * and whichever lets go last frees them (ASan: no leak, no double free). */
static void test_share(void)
{
	struct dom_info cache, model, model2;
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(domxml_parse(chain_xml, sizeof chain_xml - 1, &cache, &err), 0);
	dom_info_share(&model, &cache);
	CHECK(model.disks == cache.disks && model.disks[0].source == cache.disks[0].source);
	CHECK_INT(atomic_load(cache.arrays_refs), 2);
	dom_info_own(&cache);
	CHECK(model.disks != cache.disks);
	cache.disks[0].capacity = 42;
	CHECK_INT(model.disks[0].capacity, 0);
	CHECK_STR(cache.disks[0].source, "/img/ovm.ext1");
	CHECK_INT(atomic_load(model.arrays_refs), 1);
	dom_info_share(&model2, &cache);
	dom_info_free(&cache);     /* the cache drops the domain: model2 keeps them */
	CHECK_INT(model2.disks[0].capacity, 42);
	CHECK_STR(model2.disks[0].backing, "/img/o'vm.qcow2");
	dom_info_own(&model2);     /* alone now: no copy needed */
	CHECK(model2.arrays_refs == NULL);
	dom_info_free(&model2);
	dom_info_free(&model);
}

int main(void)
{
	test_fixture();
	test_backing();
	test_share();
	test_nic_modes();
	test_arrays_fit();
	test_hostile();
	return check_summary();
}

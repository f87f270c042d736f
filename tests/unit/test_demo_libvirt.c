/* test_demo_libvirt.c — the generated node files load in libvirt's real
 * test:/// driver: every domain is there with its state, vCPUs, pins and
 * memory; the pool, network and bond exist; the GPU and its mdevs are seen
 * by virConnectListAllNodeDevices. (Test code may use libvirt directly; the
 * demo layer itself never includes it.) */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "demo/demo.h"
#include "test_demo_util.h"

static void quiet(void *u, virErrorPtr e) { (void)u; (void)e; }

int main(void)
{
	virSetErrorFunc(NULL, quiet);
	char dir[] = "/tmp/vdeck-test-demo-lv-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	struct demo_spec s = { 8, 120, 0, 0 };
	struct vd_err e;
	err_clear(&e);
	CHECK_INT(demo_generate(dir, &s, &e), 0);
	unsigned domains = 0, running = 0, paused = 0, shutoff = 0, gpus = 0, mdevs = 0;
	unsigned pinned_ok = 0;
	for (unsigned i = 0; i < s.hosts; i++) {
		char name[16], uri[4200];
		demo_host_name(i, s.hosts, name, sizeof name);
		snprintf(uri, sizeof uri, "test://%s/hosts/%s.xml", dir, name);
		virConnectPtr c = virConnectOpenReadOnly(uri);
		CHECK(c != NULL);
		if (!c) {
			virErrorPtr le = virGetLastError();
			fprintf(stderr, "%s: %s\n", uri, le ? le->message : "?");
			continue;
		}
		virNodeInfo ni;
		CHECK_INT(virNodeGetInfo(c, &ni), 0);
		CHECK(ni.cpus >= 48 && ni.memory > (100ull << 20));
		CHECK_INT(ni.nodes * ni.sockets * ni.cores * ni.threads, ni.cpus);
		virDomainPtr *doms = NULL;
		int n = virConnectListAllDomains(c, &doms, 0);
		CHECK(n >= 0);
		for (int k = 0; k < n; k++) {
			int st, reason;
			virDomainGetState(doms[k], &st, &reason, 0);
			running += st == VIR_DOMAIN_RUNNING;
			paused += st == VIR_DOMAIN_PAUSED;
			shutoff += st == VIR_DOMAIN_SHUTOFF;
			virDomainInfo di;
			CHECK_INT(virDomainGetInfo(doms[k], &di), 0);
			CHECK(di.memory <= di.maxMem && di.nrVirtCpu >= 1 && di.nrVirtCpu <= 16);
			unsigned char map[64 * 16];
			int np = virDomainGetVcpuPinInfo(doms[k], di.nrVirtCpu, map, 64, VIR_DOMAIN_AFFECT_CONFIG);
			pinned_ok += np > 0;
			virDomainFree(doms[k]);
		}
		free(doms);
		domains += n > 0 ? (unsigned)n : 0;
		virStoragePoolPtr pool = virStoragePoolLookupByName(c, "images");
		CHECK(pool != NULL);
		if (pool) {
			virStoragePoolInfo pi;
			CHECK_INT(virStoragePoolGetInfo(pool, &pi), 0);
			CHECK(pi.allocation > 0 && pi.allocation < pi.capacity);
			CHECK(virStoragePoolNumOfVolumes(pool) >= 1);
			virStoragePoolFree(pool);
		}
		virNetworkPtr net = virNetworkLookupByName(c, "vmnet");
		CHECK(net != NULL);
		if (net) {
			char *x = virNetworkGetXMLDesc(net, 0);
			CHECK(x && strstr(x, "<tag id='100'/>"));
			free(x);
			virNetworkFree(net);
		}
		virInterfacePtr bond = virInterfaceLookupByName(c, "bond0");
		CHECK(bond != NULL);
		if (bond)
			virInterfaceFree(bond);
		virNodeDevicePtr *devs = NULL;
		int nd = virConnectListAllNodeDevices(c, &devs, VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV_TYPES);
		for (int k = 0; k < nd; k++)
			virNodeDeviceFree(devs[k]);
		free(devs);
		gpus += nd > 0 ? (unsigned)nd : 0;
		nd = virConnectListAllNodeDevices(c, &devs, VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV);
		for (int k = 0; k < nd; k++)
			virNodeDeviceFree(devs[k]);
		free(devs);
		mdevs += nd > 0 ? (unsigned)nd : 0;
		virConnectClose(c);
	}
	CHECK_INT(domains, 120);
	CHECK_INT(running + paused + shutoff, 120);
	CHECK(running > 60 && paused >= 1 && shutoff >= 1);
	CHECK_INT(pinned_ok, 120);
	CHECK_INT(gpus, 3);     /* cna01, cna04, cna07 */
	CHECK(mdevs >= 1);
	rm_tree(dir);
	return check_summary();
}

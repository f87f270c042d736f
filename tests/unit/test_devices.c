/* test_devices.c — GPU/vGPU and LUN inventory: libvirt node device XML,
 * the poll script run by a real sh on tests/fixtures/sysroot-devices, the
 * in-process reader on the same tree (both must agree), SAN pool volumes,
 * merging, and disk-to-LUN matching. */
#include "check.h"

#include "conn/local_bundle.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "metrics/bundle.h"
#include "metrics/domxml.h"
#include "metrics/host_metrics.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ROOT "tests/fixtures/sysroot-devices"

static const char gpu_xml[] =
	"<device><name>pci_0000_3b_00_0</name><parent>computer</parent>"
	"<capability type='pci'><class>0x030200</class><domain>0</domain><bus>59</bus><slot>0</slot>"
	"<function>0</function><product id='0x1b38'>GP102GL [Tesla P40]</product>"
	"<vendor id='0x10de'>NVIDIA Corporation</vendor><capability type='mdev_types'>"
	"<type id='nvidia-63'><name>GRID P40-2Q</name><deviceAPI>vfio-pci</deviceAPI>"
	"<availableInstances>11</availableInstances></type>"
	"<type id='nvidia-62'><name>GRID P40-1Q</name><deviceAPI>vfio-pci</deviceAPI>"
	"<availableInstances>0</availableInstances></type></capability><numa node='1'/></capability></device>";
static const char mdev_xml[] =
	"<device><name>mdev_4b20d080_1b54_4048_85b3_a6a62d165c01_0000_3b_00_0</name>"
	"<parent>pci_0000_3b_00_0</parent><capability type='mdev'><type id='nvidia-63'/>"
	"<uuid>4B20D080-1b54-4048-85b3-a6a62d165c01</uuid><iommuGroup number='41'/></capability></device>";
static const char nic_xml[] =
	"<device><name>pci_0000_00_19_0</name><capability type='pci'><domain>0</domain><bus>0</bus>"
	"<slot>25</slot><function>0</function></capability></device>";

static void test_nodedev(void)
{
	struct gpu_inv inv = { 0 };
	struct vd_err e;
	err_clear(&e);
	CHECK_INT(gpu_nodedev_add(&inv, gpu_xml, strlen(gpu_xml), &e), 0);
	CHECK_INT(gpu_nodedev_add(&inv, mdev_xml, strlen(mdev_xml), &e), 0);
	CHECK_INT(gpu_nodedev_add(&inv, nic_xml, strlen(nic_xml), &e), 0);
	CHECK_INT(gpu_nodedev_add(&inv, "<device", 7, &e), -1);
	CHECK_INT(inv.ngpus, 1);
	const struct gpu_dev *g = gpu_find(&inv, "pci_0000_3b_00_0");
	CHECK(g && g == gpu_find(&inv, "0000:3B:00.0"));
	if (!g)
		return;
	CHECK_STR(g->address, "0000:3b:00.0");
	CHECK_STR(g->vendor, "NVIDIA Corporation");
	CHECK_STR(g->product_id, "0x1b38");
	CHECK_INT(g->numa_node, 1);
	CHECK_INT(g->ntypes, 2);
	const struct gpu_type *t = gpu_find_type(g, "nvidia-63");
	CHECK(t && t->available == 11 && !strcmp(t->name, "GRID P40-2Q") && !strcmp(t->device_api, "vfio-pci"));
	CHECK_INT(inv.nmdevs, 1);
	const struct gpu_mdev *m = gpu_find_mdev(&inv, "4b20d080-1b54-4048-85b3-a6a62d165c01");
	CHECK(m && !strcmp(m->parent, "0000:3b:00.0") && !strcmp(m->type, "nvidia-63"));
	CHECK(gpu_uuid_valid("4b20d080-1b54-4048-85b3-a6a62d165c01"));
	CHECK(!gpu_uuid_valid("4b20d080-1b54-4048-85b3-a6a62d165c0"));
	CHECK(!gpu_uuid_valid("4b20d080-1b54-4048-85b3-a6a62d165c01x"));
	gpu_inv_free(&inv);
}

static int run_script(const char *root, struct strbuf *out)
{
	char *script = bundle_script(root, NULL);
	char path[] = "/tmp/vd-devscript-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	FILE *f = fdopen(fd, "w");
	fputs(script, f);
	fclose(f);
	free(script);
	char *cmd = x_asprintf("sh %s", path);
	FILE *p = popen(cmd, "r");
	char buf[4096];
	size_t n;
	struct strbuf wire;
	sb_init(&wire);
	while (p && (n = fread(buf, 1, sizeof buf, p)) > 0)
		sb_append_n(&wire, buf, n);
	int rc = p ? pclose(p) : -1;
	bundle_wire_decode(wire.buf, wire.len, out);
	sb_free(&wire);
	unlink(path);
	free(cmd);
	return rc;
}

static void check_sysfs(const struct host_metrics *m, const char *who)
{
	fprintf(stderr, "# %s: %zu gpus, %zu mdevs, %zu luns, %u errors %s\n", who, m->gpus.ngpus,
		m->gpus.nmdevs, m->luns.n, m->nerrors, m->first_error);
	CHECK_INT(m->nerrors, 0);
	CHECK_INT(m->gpus.ngpus, 2);
	const struct gpu_dev *g = gpu_find(&m->gpus, "0000:3b:00.0");
	CHECK(g != NULL);
	if (g) {
		CHECK_INT(g->numa_node, 1);
		CHECK_STR(g->vendor_id, "0x10de");
		CHECK_INT(g->ntypes, 2);
		const struct gpu_type *t = gpu_find_type(g, "nvidia-63");
		CHECK(t && t->available == 10 && !strcmp(t->name, "GRID P40-2Q"));
		CHECK(t && strstr(t->description, "framebuffer=2048M"));
		t = gpu_find_type(g, "nvidia-64");
		CHECK(t && t->available == 0);
	}
	g = gpu_find(&m->gpus, "pci_0000_af_00_0");
	CHECK(g && g->numa_node == -1 && g->ntypes == 1 && g->types[0].available == 2);
	CHECK_INT(m->gpus.nmdevs, 2);
	const struct gpu_mdev *md = gpu_find_mdev(&m->gpus, "4b20d080-1b54-4048-85b3-a6a62d165c02");
	CHECK(md && !strcmp(md->parent, "0000:3b:00.0") && !strcmp(md->type, "nvidia-63"));
	/* sda (local disk with a wwn link), sdb (iSCSI), sdc (FC); not sdd */
	CHECK_INT(m->luns.n, 3);
	const struct lun *u = lun_find(&m->luns, "/dev/sdb");
	CHECK(u != NULL);
	if (u) {
		CHECK_STR(u->transport, "iscsi");
		CHECK_STR(u->path, "/dev/disk/by-path/ip-10.0.0.5:3260-iscsi-iqn.2024-01.lab.vdeck:rdm-lun-1");
		CHECK_STR(u->portal, "10.0.0.5:3260");
		CHECK_STR(u->iqn, "iqn.2024-01.lab.vdeck:rdm");
		CHECK_INT(u->lun, 1);
		CHECK_STR(u->wwn, "60000000000000000e00000000010001");
		CHECK_STR(u->by_id, "/dev/disk/by-id/wwn-0x60000000000000000e00000000010001");
		CHECK_STR(u->vendor, "IET");
		CHECK_STR(u->model, "VIRTUAL-DISK");
		CHECK_INT(u->size, 20971520ULL * 512);
	}
	u = lun_find(&m->luns, "600A098038303053453F463045727A6B");
	CHECK(u && !strcmp(u->transport, "fc") && u->lun == 0 && !strcmp(u->dev, "sdc"));
	u = lun_find(&m->luns, "/dev/sda");
	CHECK(u && !strcmp(u->transport, "scsi") && !strcmp(u->path, "/dev/disk/by-id/wwn-0x5000c500a1b2c3d4"));
	CHECK(lun_find(&m->luns, "/dev/sdd") == NULL);
	u = lun_find_iscsi(&m->luns, "iqn.2024-01.lab.vdeck:rdm", 1);
	CHECK(u != NULL && u == lun_find(&m->luns, "/dev/sdb"));
	CHECK(lun_find_iscsi(&m->luns, "iqn.2024-01.lab.vdeck:rdm", 2) == NULL);
}

static void test_sysroot(void)
{
	char root[PATH_MAX];
	if (!realpath(ROOT, root)) {
		CHECK(!"fixture tree missing");
		return;
	}
	struct strbuf a, b;
	sb_init(&a);
	sb_init(&b);
	CHECK_INT(run_script(root, &a), 0);
	local_bundle(root, &b);
	struct host_metrics ma, mb;
	struct vd_err e;
	err_clear(&e);
	CHECK_INT(host_metrics_parse(a.buf, a.len, 1, &ma, &e), 0);
	CHECK_INT(host_metrics_parse(b.buf, b.len, 1, &mb, &e), 0);
	check_sysfs(&ma, "script");
	check_sysfs(&mb, "local");
	/* both readers agree field by field */
	CHECK_INT(ma.luns.n, mb.luns.n);
	for (size_t i = 0; i < ma.luns.n && i < mb.luns.n; i++)
		CHECK(!memcmp(&ma.luns.v[i], &mb.luns.v[i], sizeof ma.luns.v[i]));
	CHECK_INT(ma.gpus.nmdevs, mb.gpus.nmdevs);
	for (size_t i = 0; i < ma.gpus.nmdevs && i < mb.gpus.nmdevs; i++)
		CHECK(!memcmp(&ma.gpus.mdevs[i], &mb.gpus.mdevs[i], sizeof ma.gpus.mdevs[i]));
	for (size_t i = 0; i < ma.gpus.ngpus && i < mb.gpus.ngpus; i++) {
		CHECK_STR(ma.gpus.gpus[i].address, mb.gpus.gpus[i].address);
		CHECK_INT(ma.gpus.gpus[i].ntypes, mb.gpus.gpus[i].ntypes);
		for (size_t k = 0; k < ma.gpus.gpus[i].ntypes && k < mb.gpus.gpus[i].ntypes; k++)
			CHECK(!memcmp(&ma.gpus.gpus[i].types[k], &mb.gpus.gpus[i].types[k], sizeof(struct gpu_type)));
	}

	/* libvirt's view merged with sysfs: libvirt wins, sysfs adds */
	struct gpu_inv v = { 0 };
	gpu_nodedev_add(&v, gpu_xml, strlen(gpu_xml), &e);
	gpu_inv_merge(&v, &ma.gpus);
	gpu_inv_sort(&v);
	CHECK_INT(v.ngpus, 2);
	const struct gpu_dev *g = gpu_find(&v, "0000:3b:00.0");
	CHECK(g && g->numa_node == 1 && g->ntypes == 3 && (g->from == (GPU_FROM_LIBVIRT | GPU_FROM_SYSFS)));
	CHECK(g && gpu_find_type(g, "nvidia-63")->available == 11);
	CHECK(g && !strcmp(g->types[0].id, "nvidia-62"));
	CHECK_INT(v.nmdevs, 2);
	gpu_inv_free(&v);

	host_metrics_free(&ma);
	host_metrics_free(&mb);
	sb_free(&a);
	sb_free(&b);
}

static const char pool_xml[] =
	"<pool type='iscsi'><name>san</name><source><host name='10.0.0.5' port='3260'/>"
	"<device path='iqn.2024-01.lab.vdeck:rdm'/></source><target><path>/dev/disk/by-path</path></target></pool>";
static const char vol_xml[] =
	"<volume type='block'><name>unit:0:0:1</name><key>360000000000000000e00000000010001</key>"
	"<capacity unit='bytes'>10737418240</capacity><target>"
	"<path>/dev/disk/by-path/ip-10.0.0.5:3260-iscsi-iqn.2024-01.lab.vdeck:rdm-lun-1</path></target></volume>";
static const char vol2_xml[] =
	"<volume type='block'><name>unit:0:0:2</name><key>36001405deadbeef00000000000000002</key>"
	"<capacity unit='bytes'>1048576</capacity><target><path>/dev/disk/by-path/x-lun-2</path></target></volume>";
static const char dir_xml[] = "<pool type='dir'><name>images</name></pool>";

static void test_pools(void)
{
	struct lun_list pl = { 0 }, host = { 0 };
	struct vd_err e;
	err_clear(&e);
	CHECK(lun_pool_is_san(pool_xml, strlen(pool_xml)));
	CHECK(!lun_pool_is_san(dir_xml, strlen(dir_xml)));
	CHECK_INT(lun_pool_volume_add(&pl, pool_xml, strlen(pool_xml), vol_xml, strlen(vol_xml), &e), 0);
	CHECK_INT(lun_pool_volume_add(&pl, pool_xml, strlen(pool_xml), vol2_xml, strlen(vol2_xml), &e), 0);
	CHECK_INT(lun_pool_volume_add(&pl, dir_xml, strlen(dir_xml), vol_xml, strlen(vol_xml), &e), 0);
	CHECK_INT(lun_pool_volume_add(&pl, "<x", 2, vol_xml, strlen(vol_xml), &e), -1);
	CHECK_INT(pl.n, 2);
	CHECK_STR(pl.v[0].wwn, "60000000000000000e00000000010001");
	CHECK_STR(pl.v[0].portal, "10.0.0.5:3260");
	CHECK_STR(pl.v[0].iqn, "iqn.2024-01.lab.vdeck:rdm");
	CHECK_INT(pl.v[0].lun, 1);
	CHECK_INT(pl.v[0].size, 10737418240ULL);
	CHECK_STR(pl.v[0].pool, "san");
	CHECK_STR(pl.v[1].wwn, "6001405deadbeef00000000000000002");

	/* Found by fuzz_lun: a deeper path under by-id/wwn-* read past its end. */
	struct lun_list deep;
	memset(&deep, 0, sizeof deep);
	const char deep_links[] = "/dev/disk/by-id/wwn-h/ 5\n/dev/disk/by-id/wwn-0x5000c500a1b2c3d4/x ../../sdc\n";
	lun_parse_links(&deep, deep_links, strlen(deep_links), &e);
	CHECK_INT(deep.n, 0);
	lun_list_free(&deep);

	const char links[] = "/dev/disk/by-path/ip-10.0.0.5:3260-iscsi-iqn.2024-01.lab.vdeck:rdm-lun-1 ../../sdb\n"
			     "garbage\n";
	CHECK_INT(lun_parse_links(&host, links, strlen(links), &e), -1);
	lun_list_finish(&host);
	CHECK_INT(host.n, 1);
	lun_list_merge(&host, &pl);
	CHECK_INT(host.n, 2);
	CHECK_STR(host.v[0].pool, "san");
	CHECK_STR(host.v[0].volume, "unit:0:0:1");
	CHECK_STR(host.v[0].wwn, "60000000000000000e00000000010001");

	/* domain disks to LUNs */
	struct dom_disk d = { .type = "block", .device = "lun",
			      .source = "/dev/disk/by-path/ip-10.0.0.5:3260-iscsi-iqn.2024-01.lab.vdeck:rdm-lun-1" };
	CHECK(lun_for_disk(&host, &d) == &host.v[0]);
	struct dom_disk n = { .type = "network", .device = "lun", .source = "iscsi:iqn.2024-01.lab.vdeck:rdm/1" };
	CHECK(lun_for_disk(&host, &n) == &host.v[0]);
	struct dom_disk vv = { .type = "volume", .device = "lun", .source = "san/unit:0:0:2" };
	CHECK(lun_for_disk(&host, &vv) == &host.v[1]);
	struct dom_disk f = { .type = "file", .device = "disk", .source = "/var/lib/x.qcow2" };
	CHECK(lun_for_disk(&host, &f) == NULL);

	char w[80];
	lun_wwn_normalise("naa.6001405ABC", w, sizeof w);
	CHECK_STR(w, "6001405abc");
	lun_wwn_normalise("not-a-wwn", w, sizeof w);
	CHECK_STR(w, "");
	lun_list_free(&pl);
	lun_list_free(&host);
}

int main(void)
{
	test_nodedev();
	test_sysroot();
	test_pools();
	return check_summary();
}

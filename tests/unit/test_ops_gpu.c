/* test_ops_gpu.c — the vGPU and RDM XML builders against golden files
 * (values with <&'" included) and the dry-run text of their requests. */
#include "check.h"

#include "conn/virt_ops.h"
#include "core/strbuf.h"
#include "ops/xml_gpu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIX "tests/fixtures/ops/"

int main(void)
{
	struct strbuf sb;
	sb_init(&sb);
	struct xml_mdev m = { .parent = "pci_0000_3b_00_0", .type = "nvidia-63<&'\">",
			      .uuid = "4b20d080-1b54-4048-85b3-a6a62d165c01" };
	xml_mdev_nodedev(&m, &sb);
	check_golden(FIX "mdev-nodedev.xml", sb.buf);
	sb_reset(&sb);
	xml_mdev_hostdev("4b20d080-1b54-4048-85b3-a6a62d165c01", "vfio-pci", &sb);
	check_golden(FIX "mdev-hostdev.xml", sb.buf);

	sb_reset(&sb);
	struct xml_lun b = { .path = "/dev/disk/by-path/ip-10.0.0.5:3260-iscsi-iqn.2024-01.x:<&'\">-lun-1",
			     .target = "sdb", .sgio = "unfiltered", .shareable = 1 };
	xml_lun_disk(&b, &sb);
	check_golden(FIX "lun-block.xml", sb.buf);
	sb_reset(&sb);
	struct xml_lun v = { .pool = "san", .volume = "unit:0:0:1", .target = "sdc", .sgio = "filtered", .readonly = 1 };
	xml_lun_disk(&v, &sb);
	check_golden(FIX "lun-volume.xml", sb.buf);
	sb_reset(&sb);
	struct xml_lun n = { .iscsi_host = "127.0.0.1", .iscsi_port = 3260,
			     .iscsi_name = "iqn.2024-01.lab.vdeck:rdm/1", .target = "sda" };
	xml_lun_disk(&n, &sb);
	check_golden(FIX "lun-iscsi.xml", sb.buf);
	sb_reset(&sb);
	xml_scsi_controller(&sb);
	check_golden(FIX "scsi-controller.xml", sb.buf);

	/* dry-run text of the requests */
	struct vop_request r = { .kind = VOP_NODEDEV_CREATE, .flags = VOPF_NODEDEV_DEFINE };
	sb_reset(&sb);
	vop_describe(&r, &sb);
	CHECK_STR(sb.buf, "virNodeDeviceDefineXML(xml, 0) then virNodeDeviceCreate\n");
	r.flags = 0;
	sb_reset(&sb);
	vop_describe(&r, &sb);
	CHECK_STR(sb.buf, "virNodeDeviceCreateXML(xml, 0)\n");
	struct vop_request rm = { .kind = VOP_NODEDEV_REMOVE, .target = "4b20d080-1b54-4048-85b3-a6a62d165c01" };
	sb_reset(&sb);
	vop_describe(&rm, &sb);
	CHECK_STR(sb.buf, "virNodeDeviceDestroy(mdev \"4b20d080-1b54-4048-85b3-a6a62d165c01\") then "
		  "virNodeDeviceUndefine when it is persistent\n");
	struct vop_request at = { .kind = VOP_ATTACH_DEVICE, .dom_name = "db", .flags = VOPF_LIVE,
				  .pre_xml = (char *)"<controller/>\n", .xml = (char *)"<disk/>\n" };
	sb_reset(&sb);
	vop_describe(&at, &sb);
	CHECK_STR(sb.buf, "virDomainAttachDeviceFlags(\"db\", xml, VIR_DOMAIN_AFFECT_LIVE)\n<controller/>\n"
		  "virDomainAttachDeviceFlags(\"db\", xml, VIR_DOMAIN_AFFECT_LIVE)\n<disk/>\n");
	sb_free(&sb);
	return check_summary();
}

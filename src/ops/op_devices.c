/* op_devices.c — disk and NIC hotplug, online disk expansion.
 *
 * QEMU shrinks a disk when asked to (libvirt 9.0 passes the size on), and the
 * guest's data past the new end is gone: resize_disk refuses any size that
 * is not larger than the disk's current one, and refuses when that size is
 * unknown.  The current size is the one the last poll's block statistics
 * gave (the worker re-reads it after every operation on the domain), else a
 * pool volume's, else libvirt's answer read just before validation
 * (OPF_BLOCKINFO, ops/op_run.c). */
#include "ops/op_impl.h"
#include "ops/xml.h"
#include "core/units.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int live_ok(const struct op_ctx *ctx, struct vd_err *err)
{
	if ((op_affect(ctx) & VOPF_LIVE) && !op_dom_running(ctx->dom))
		return op_fail(ctx, err, VD_EINVAL, "live=true but the domain is %s", dom_state_name(ctx->dom->state));
	return 0;
}

int attach_disk_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const char *target = op_str(ctx, "target"), *bus = op_str(ctx, "bus"), *src = op_str(ctx, "source");
	if (!op_disk_target_ok(target, bus))
		return op_fail(ctx, err, VD_EINVAL, "target '%s' does not fit bus %s (virtio: vdX, scsi/sata/usb: sdX, ide: hdX)",
			       target, bus);
	if (op_find_disk(ctx->dom, target))
		return op_fail(ctx, err, VD_EINVAL, "target %s is already in use", target);
	if (!*src || src[0] != '/')
		return op_fail(ctx, err, VD_EINVAL, "source '%s' must be an absolute path", src);
	for (size_t i = 0; i < ctx->dom->info.ndisks; i++) {
		const char *s = ctx->dom->info.disks[i].source;
		if (s && !strcmp(s, src) && !op_flag(ctx, "shareable"))
			return op_fail(ctx, err, VD_EINVAL, "%s is already attached as %s", src,
				       ctx->dom->info.disks[i].target);
	}
	if (!strcmp(bus, "scsi") && !ctx->dom->info.scsi_controllers && (op_affect(ctx) & VOPF_LIVE))
		op_note(ctx, "the domain has no virtio-scsi controller; libvirt will try to add one");
	if (!strcmp(op_str(ctx, "device"), "lun") && strcmp(op_str(ctx, "type"), "block"))
		return op_fail(ctx, err, VD_EINVAL, "device=lun needs type=block");
	return live_ok(ctx, err);
}

int attach_disk_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	struct xml_disk d = {
		.type = op_str(ctx, "type"), .device = op_str(ctx, "device"), .source = op_str(ctx, "source"),
		.target = op_str(ctx, "target"), .bus = op_str(ctx, "bus"), .format = op_str(ctx, "format"),
		.cache = op_str(ctx, "cache"), .readonly = op_flag(ctx, "readonly"),
		.shareable = op_flag(ctx, "shareable"), .serial = op_str(ctx, "serial"),
	};
	struct strbuf sb;
	sb_init(&sb);
	xml_disk(&d, &sb);
	req->kind = VOP_ATTACH_DEVICE;
	op_req_domain(ctx, req);
	req->xml = sb_detach(&sb);
	req->flags = op_affect(ctx);
	return 0;
}

int detach_disk_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const char *target = op_str(ctx, "target");
	if (!op_find_disk(ctx->dom, target))
		return op_fail(ctx, err, VD_ENOTFOUND, "the domain has no disk %s", target);
	return live_ok(ctx, err);
}

int detach_disk_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	const struct dom_disk *k = op_find_disk(ctx->dom, op_str(ctx, "target"));
	struct xml_disk d = {
		.type = k->type[0] ? k->type : "file", .device = k->device[0] ? k->device : "disk",
		.source = k->source, .target = k->target, .bus = k->bus[0] ? k->bus : NULL,
	};
	struct strbuf sb;
	sb_init(&sb);
	xml_disk(&d, &sb);
	op_detach_disk_request(ctx, req, sb_detach(&sb), k->target);
	return 0;
}

int resize_disk_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const char *target = op_str(ctx, "target");
	const struct dom_disk *k = op_find_disk(ctx->dom, target);
	uint64_t size = (uint64_t)op_get(ctx, "size")->i;
	char a[32], b[32];
	if (!k)
		return op_fail(ctx, err, VD_ENOTFOUND, "the domain has no disk %s", target);
	if (!op_dom_running(ctx->dom))
		return op_fail(ctx, err, VD_EINVAL, "online resize needs a running domain (it is %s)",
			       dom_state_name(ctx->dom->state));
	uint64_t now = k->capacity ? k->capacity : ctx->disk_capacity;
	if (!now)
		return op_fail(ctx, err, VD_EREFUSED, "the current size of disk %s of VM %s on host %s is unknown: "
			       "refusing a resize to %s that could shrink it", target, ctx->dom->info.name,
			       ctx->host->cfg->name, size_format(size, a, sizeof a));
	if (size <= now)
		return op_fail(ctx, err, VD_EREFUSED, "refusing to shrink disk %s of VM %s on host %s: %s (%llu bytes) "
			       "is not larger than its current size %s (%llu bytes); disks only grow", target,
			       ctx->dom->info.name, ctx->host->cfg->name, size_format(size, a, sizeof a),
			       (unsigned long long)size, size_format(now, b, sizeof b), (unsigned long long)now);
	return 0;
}

int resize_disk_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	req->kind = VOP_BLOCK_RESIZE;
	op_req_domain(ctx, req);
	snprintf(req->target, sizeof req->target, "%s", op_str(ctx, "target"));
	req->value = (uint64_t)op_get(ctx, "size")->i;
	return 0;
}

static int valid_mac(const char *m)
{
	if (strlen(m) != 17)
		return 0;
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? m[i] != ':' : !isxdigit((unsigned char)m[i]))
			return 0;
	return 1;
}

int attach_nic_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const char *net = op_str(ctx, "network"), *br = op_str(ctx, "bridge"), *mac = op_str(ctx, "mac");
	const char *vf = op_str(ctx, "vf");
	if (!!net + !!br + !!vf != 1)
		return op_fail(ctx, err, VD_EINVAL, "give exactly one of network=, bridge= or vf=");
	if (vf && op_sriov_vf_check(ctx, vf, err) < 0)
		return -1;
	if (mac && !valid_mac(mac))
		return op_fail(ctx, err, VD_EINVAL, "'%s' is not a MAC address (aa:bb:cc:dd:ee:ff)", mac);
	if (mac && (strtol(mac, NULL, 16) & 1))
		return op_fail(ctx, err, VD_EINVAL, "%s is a multicast MAC address", mac);
	const struct dom_nic *same = mac ? op_find_nic(ctx->dom, mac) : NULL;
	if (same && vf && ctx->dry_run && same->mode == NIC_MODE_HOSTDEV)   /* re-attach after a dry-run's detach */
		op_note(ctx, "NIC %s is the VF NIC an earlier step detaches", mac);
	else if (same)
		return op_fail(ctx, err, VD_EINVAL, "the domain already has a NIC with MAC %s", mac);
	if (op_str(ctx, "portgroup") && br)
		return op_fail(ctx, err, VD_EINVAL, "portgroup= applies to network= only");
	return live_ok(ctx, err);
}

int attach_nic_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	const struct op_value *vlan = op_get(ctx, "vlan");
	struct xml_nic n = {
		.network = op_str(ctx, "network"), .bridge = op_str(ctx, "bridge"), .model = op_str(ctx, "model"),
		.mac = op_str(ctx, "mac"), .portgroup = op_str(ctx, "portgroup"), .vlan = vlan ? (unsigned)vlan->i : 0,
		.vf = op_str(ctx, "vf"),
	};
	if (n.vf)
		n.model = NULL;   /* a VF is the NIC: no emulated model */
	struct strbuf sb;
	sb_init(&sb);
	xml_nic(&n, &sb);
	req->kind = VOP_ATTACH_DEVICE;
	op_req_domain(ctx, req);
	req->xml = sb_detach(&sb);
	req->flags = op_affect(ctx);
	return 0;
}

int detach_nic_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const char *mac = op_str(ctx, "mac");
	if (!op_find_nic(ctx->dom, mac))
		return op_fail(ctx, err, VD_ENOTFOUND, "the domain has no NIC with MAC %s", mac);
	return live_ok(ctx, err);
}

int detach_nic_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	const struct dom_nic *c = op_find_nic(ctx->dom, op_str(ctx, "mac"));
	int bridge = !strcmp(c->type, "bridge"), vf = c->mode == NIC_MODE_HOSTDEV;
	struct xml_nic n = {
		.network = bridge || vf ? NULL : c->source, .bridge = bridge ? c->source : NULL,
		.mac = c->mac, .model = c->model[0] && !vf ? c->model : NULL, .vf = vf ? c->vf_address : NULL,
	};
	struct strbuf sb;
	sb_init(&sb);
	xml_nic(&n, &sb);
	req->kind = VOP_DETACH_DEVICE;
	op_req_domain(ctx, req);
	req->xml = sb_detach(&sb);
	req->flags = op_affect(ctx);
	sb_append(&sb, "/domain/devices/interface[mac/@address=");
	xml_xpath_literal(c->mac, &sb);
	sb_append(&sb, "]/alias/@name");
	req->alias_xpath = sb_detach(&sb);
	req->wait_ms = (int)(op_get(ctx, "timeout")->n * 1000);
	sb_free(&sb);
	return 0;
}

/* op_rdm.c — raw device mapping: attach a LUN a host sees (block path or a
 * SAN pool volume) or an iSCSI LUN QEMU reaches itself to a domain as
 * device='lun' (SCSI commands pass through), and detach it.
 *
 * The same LUN on two VMs is refused unless both sides are shareable
 * (clustered databases); LUN identity across hosts is its WWN, else its
 * iSCSI target and LUN number (model/devices.h). */
#include "ops/op_impl.h"
#include "ops/op_impl_gpu.h"
#include "ops/xml.h"
#include "ops/xml_gpu.h"
#include "model/devices.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum src_kind { SRC_NONE, SRC_PATH, SRC_VOLUME, SRC_ISCSI, SRC_MANY };

static enum src_kind source_kind(const struct op_ctx *ctx)
{
	int path = op_str(ctx, "path") != NULL;
	int vol = op_str(ctx, "pool") || op_str(ctx, "volume");
	int iscsi = op_str(ctx, "iscsi_portal") || op_str(ctx, "iscsi_iqn") || op_get(ctx, "iscsi_lun");
	if (path + vol + iscsi > 1)
		return SRC_MANY;
	return path ? SRC_PATH : vol ? SRC_VOLUME : iscsi ? SRC_ISCSI : SRC_NONE;
}

/* "host:port", "[v6]:port" or "host" into host and port (3260 default). */
static int split_portal(const char *portal, char *host, size_t len, unsigned *port)
{
	const char *colon = portal[0] == '[' ? strstr(portal, "]:") : strrchr(portal, ':');
	size_t n = colon ? (size_t)(colon - portal) + (portal[0] == '[') : strlen(portal);
	*port = 3260;
	if (colon) {
		char *end;
		unsigned long p = strtoul(colon + 1 + (portal[0] == '['), &end, 10);
		if (*end || p == 0 || p > 65535)
			return -1;
		*port = (unsigned)p;
	}
	if (!n || n >= len)
		return -1;
	memcpy(host, portal, n);
	host[n] = '\0';
	return 0;
}

/* The first sdX no disk of the domain uses. */
static void free_target(const struct domain *d, char *out, size_t len)
{
	for (char c = 'a'; c <= 'z'; c++) {
		snprintf(out, len, "sd%c", c);
		if (!op_find_disk(d, out))
			return;
	}
	snprintf(out, len, "sdaa");
}

static void target_of(const struct op_ctx *ctx, char *out, size_t len)
{
	if (op_str(ctx, "target"))
		snprintf(out, len, "%s", op_str(ctx, "target"));
	else
		free_target(ctx->dom, out, len);
}

/* The disk the request describes (for identity and conflict checks). */
static void request_disk(const struct op_ctx *ctx, struct dom_disk *d, char *buf, size_t len)
{
	memset(d, 0, sizeof *d);
	snprintf(d->device, sizeof d->device, "lun");
	switch (source_kind(ctx)) {
	case SRC_PATH:
		snprintf(d->type, sizeof d->type, "block");
		snprintf(buf, len, "%s", op_str(ctx, "path"));
		break;
	case SRC_VOLUME:
		snprintf(d->type, sizeof d->type, "volume");
		snprintf(buf, len, "%s/%s", op_str(ctx, "pool"), op_str(ctx, "volume") ? op_str(ctx, "volume") : "");
		break;
	default: {
		const struct op_value *lun = op_get(ctx, "iscsi_lun");
		snprintf(d->type, sizeof d->type, "network");
		snprintf(buf, len, "iscsi:%s/%lld", op_str(ctx, "iscsi_iqn") ? op_str(ctx, "iscsi_iqn") : "",
			 lun ? (long long)lun->i : 0LL);
	}
	}
	d->source = buf;
	d->shareable = op_flag(ctx, "shareable");
}

static int valid_scsi_target(const char *t)
{
	size_t n = strlen(t);
	if (n < 3 || n > 6 || strncmp(t, "sd", 2))
		return 0;
	for (size_t i = 2; i < n; i++)
		if (!islower((unsigned char)t[i]))
			return 0;
	return 1;
}

/* Refuses a LUN another disk already reaches unless both are shareable. */
static int check_conflicts(const struct op_ctx *ctx, const struct lun_ident *want, int shareable, struct vd_err *err)
{
	for (size_t hi = 0; hi < ctx->cluster->nhosts; hi++) {
		const struct host *h = &ctx->cluster->hosts[hi];
		struct lun_list luns;
		host_luns(h, &luns);
		for (size_t di = 0; di < h->ndoms; di++) {
			const struct domain *d = &h->doms[di];
			for (size_t k = 0; k < d->info.ndisks; k++) {
				struct lun_ident id;
				const struct dom_disk *dk = &d->info.disks[k];
				if (!disk_lun_ident(h, &luns, dk, &id) || !lun_ident_same(want, &id))
					continue;
				if (d == ctx->dom || !shareable || !dk->shareable) {
					lun_list_free(&luns);
					if (d == ctx->dom)
						return op_fail(ctx, err, VD_EINVAL, "the domain already reaches this LUN as %s",
							       dk->target);
					return op_fail(ctx, err, VD_EREFUSED, "the LUN is already attached to %s on %s as %s%s; "
						       "sharing needs shareable=true on both sides", d->info.name,
						       h->cfg->name, dk->target, dk->shareable ? " (shareable)" : "");
				}
				op_note(ctx, "the LUN is shared with %s on %s (%s, shareable)", d->info.name, h->cfg->name,
					dk->target);
			}
		}
		lun_list_free(&luns);
	}
	return 0;
}

/* Hosts that are up but do not see the LUN: the VM could not migrate there. */
static void note_visibility(const struct op_ctx *ctx, const struct lun_ident *want, const struct host *only)
{
	char missing[400];
	size_t off = 0;
	missing[0] = '\0';
	for (size_t hi = 0; hi < ctx->cluster->nhosts; hi++) {
		const struct host *h = &ctx->cluster->hosts[hi];
		if (h == ctx->host || (only && h != only) || (h->state != HOST_UP && h->state != HOST_DEGRADED))
			continue;
		struct lun_list luns;
		host_luns(h, &luns);
		int seen = 0;
		for (size_t i = 0; i < luns.n && !seen; i++) {
			struct lun_ident id;
			lun_ident_of(h, &luns.v[i], &id);
			seen = lun_ident_same(want, &id);
		}
		lun_list_free(&luns);
		if (!seen && off < sizeof missing)
			off += (size_t)snprintf(missing + off, sizeof missing - off, "%s%s", off ? ", " : "", h->cfg->name);
	}
	if (missing[0])
		op_note(ctx, "warning: the LUN is not visible on %s; %s could not migrate there with it", missing,
			ctx->dom->info.name);
}

int attach_lun_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	enum src_kind kind = source_kind(ctx);
	if (kind == SRC_NONE || kind == SRC_MANY)
		return op_fail(ctx, err, VD_EINVAL, "give exactly one source: path=, pool= with volume=, or iscsi = { portal=, iqn=, lun= }");
	char target[16];
	target_of(ctx, target, sizeof target);
	if (!valid_scsi_target(target))
		return op_fail(ctx, err, VD_EINVAL, "target '%s' is not a SCSI disk name (sda, sdb, ...)", target);
	if (op_find_disk(ctx->dom, target))
		return op_fail(ctx, err, VD_EINVAL, "target %s is already in use", target);
	if (op_str(ctx, "sgio") && kind == SRC_ISCSI)
		return op_fail(ctx, err, VD_EINVAL, "sgio= applies to block LUNs (path= or a pool volume), not to an iSCSI network source");
	/* libvirt 9.0 refuses it at define time ("unfiltered sgio is no longer supported") */
	if (op_str(ctx, "sgio") && !strcmp(op_str(ctx, "sgio"), "unfiltered") && atoi(ctx->host->libvirt_version) >= 9)
		return op_fail(ctx, err, VD_EUNSUPPORTED, "libvirt %s on %s no longer supports sgio=unfiltered; use "
			       "filtered (the default)", ctx->host->libvirt_version, ctx->host->cfg->name);
	struct lun_list luns;
	host_luns(ctx->host, &luns);
	const struct lun *u = NULL;
	int rc = 0;
	if (kind == SRC_PATH) {
		const char *path = op_str(ctx, "path");
		u = lun_find(&luns, path);
		if (path[0] != '/')
			rc = op_fail(ctx, err, VD_EINVAL, "path '%s' must be absolute (/dev/disk/by-path/...)", path);
		else if (!u && ctx->host->metrics)
			rc = op_fail(ctx, err, VD_ENOTFOUND, "%s does not see a LUN at %s (h:luns() lists them)",
				     ctx->host->cfg->name, path);
		else if (!u)
			op_note(ctx, "no host-side LUN list for %s (no shell transport): %s not checked",
				ctx->host->cfg->name, path);
	} else if (kind == SRC_VOLUME) {
		char pv[256];
		if (!op_str(ctx, "pool") || !op_str(ctx, "volume"))
			rc = op_fail(ctx, err, VD_EINVAL, "pool= and volume= go together");
		else if (snprintf(pv, sizeof pv, "%s/%s", op_str(ctx, "pool"), op_str(ctx, "volume")),
			 !(u = lun_find(&luns, pv)))
			rc = op_fail(ctx, err, VD_ENOTFOUND, "%s has no SAN pool volume %s (pools of type iscsi, "
				     "iscsi-direct, scsi, mpath)", ctx->host->cfg->name, pv);
	} else {
		char host[128];
		unsigned port;
		const char *portal = op_str(ctx, "iscsi_portal"), *iqn = op_str(ctx, "iscsi_iqn");
		const struct op_value *lun = op_get(ctx, "iscsi_lun");
		if (!portal || !iqn)
			rc = op_fail(ctx, err, VD_EINVAL, "iscsi needs portal= and iqn= (lun= defaults to 0)");
		else if (split_portal(portal, host, sizeof host, &port) < 0)
			rc = op_fail(ctx, err, VD_EINVAL, "portal '%s' is not HOST[:PORT]", portal);
		else if (strncmp(iqn, "iqn.", 4) && strncmp(iqn, "eui.", 4) && strncmp(iqn, "naa.", 4))
			rc = op_fail(ctx, err, VD_EINVAL, "'%s' is not an iSCSI name (iqn.YYYY-MM.domain:name)", iqn);
		else if (lun && (lun->i < 0 || lun->i > 16383))
			rc = op_fail(ctx, err, VD_EINVAL, "LUN %lld is outside 0-16383", (long long)lun->i);
		else
			u = lun_find_iscsi(&luns, iqn, lun ? (int)lun->i : 0);
	}
	if (rc == 0) {
		struct dom_disk d;
		char src[512];
		struct lun_ident id;
		request_disk(ctx, &d, src, sizeof src);
		if (u)
			lun_ident_of(ctx->host, u, &id);
		else
			disk_lun_ident(ctx->host, &luns, &d, &id);
		rc = check_conflicts(ctx, &id, op_flag(ctx, "shareable"), err);
		if (rc == 0 && kind != SRC_ISCSI)
			note_visibility(ctx, &id, NULL);
		if (rc == 0 && !ctx->dom->info.scsi_controllers)
			op_note(ctx, "the domain has no virtio-scsi controller: one is attached first");
	}
	lun_list_free(&luns);
	return rc < 0 ? -1 : (((op_affect(ctx) & VOPF_LIVE) && !op_dom_running(ctx->dom))
		? op_fail(ctx, err, VD_EINVAL, "live=true but the domain is %s", dom_state_name(ctx->dom->state)) : 0);
}

int attach_lun_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	(void)err;
	char target[16], host[128] = "", name[300] = "";
	unsigned port = 0;
	target_of(ctx, target, sizeof target);
	enum src_kind kind = source_kind(ctx);
	if (kind == SRC_ISCSI) {
		const struct op_value *lun = op_get(ctx, "iscsi_lun");
		split_portal(op_str(ctx, "iscsi_portal"), host, sizeof host, &port);
		snprintf(name, sizeof name, "%s/%lld", op_str(ctx, "iscsi_iqn"), lun ? (long long)lun->i : 0LL);
	}
	struct xml_lun l = {
		.path = kind == SRC_PATH ? op_str(ctx, "path") : NULL,
		.pool = kind == SRC_VOLUME ? op_str(ctx, "pool") : NULL,
		.volume = kind == SRC_VOLUME ? op_str(ctx, "volume") : NULL,
		.iscsi_host = kind == SRC_ISCSI ? host : NULL, .iscsi_port = port,
		.iscsi_name = kind == SRC_ISCSI ? name : NULL,
		.target = target, .sgio = op_str(ctx, "sgio"),
		.shareable = op_flag(ctx, "shareable"), .readonly = op_flag(ctx, "readonly"),
	};
	struct strbuf sb;
	sb_init(&sb);
	if (!ctx->dom->info.scsi_controllers) {
		xml_scsi_controller(&sb);
		req->pre_xml = sb_detach(&sb);
	}
	xml_lun_disk(&l, &sb);
	req->kind = VOP_ATTACH_DEVICE;
	op_req_domain(ctx, req);
	req->xml = sb_detach(&sb);
	req->flags = op_affect(ctx);
	return 0;
}

int detach_lun_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const char *target = op_str(ctx, "target");
	const struct dom_disk *k = op_find_disk(ctx->dom, target);
	if (!k)
		return op_fail(ctx, err, VD_ENOTFOUND, "the domain has no disk %s", target);
	if (strcmp(k->device, "lun"))
		return op_fail(ctx, err, VD_EINVAL, "%s is a %s, not a raw LUN (use detach_disk)", target,
			       k->device[0] ? k->device : "disk");
	if ((op_affect(ctx) & VOPF_LIVE) && !op_dom_running(ctx->dom))
		return op_fail(ctx, err, VD_EINVAL, "live=true but the domain is %s", dom_state_name(ctx->dom->state));
	return 0;
}

int detach_lun_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	(void)err;
	const struct dom_disk *k = op_find_disk(ctx->dom, op_str(ctx, "target"));
	const char *src = k->source ? k->source : "";
	char pool[128] = "";
	const char *vol = NULL;
	if (!strcmp(k->type, "volume")) {
		const char *slash = strchr(src, '/');
		snprintf(pool, sizeof pool, "%.*s", slash ? (int)(slash - src) : (int)strlen(src), src);
		vol = slash ? slash + 1 : "";
	}
	struct xml_lun l = {
		.path = !strcmp(k->type, "block") ? src : NULL,
		.pool = vol ? pool : NULL, .volume = vol,
		.iscsi_name = !strcmp(k->type, "network") && !strncmp(src, "iscsi:", 6) ? src + 6 : src,
		.target = k->target, .shareable = k->shareable,
	};
	struct strbuf sb;
	sb_init(&sb);
	xml_lun_disk(&l, &sb);
	op_detach_disk_request(ctx, req, sb_detach(&sb), k->target);
	return 0;
}

void op_rdm_migrate_note(const struct op_ctx *ctx, const struct host *target)
{
	struct lun_list luns;
	host_luns(ctx->host, &luns);
	for (size_t k = 0; k < ctx->dom->info.ndisks; k++) {
		const struct dom_disk *dk = &ctx->dom->info.disks[k];
		struct lun_ident id;
		if (strcmp(dk->device, "lun") || strcmp(dk->type, "network") == 0 ||
		    !disk_lun_ident(ctx->host, &luns, dk, &id))
			continue;
		note_visibility(ctx, &id, target);
	}
	lun_list_free(&luns);
}

/* op_common.c — helpers shared by the operations' validate/build pairs. */
#include "ops/op_impl.h"
#include "ops/xml.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

/* n random bytes: getrandom, or a generator seeded from the clock and an
 * address when it fails (a new name needs to differ, not to be secret). */
static void random_bytes(unsigned char *b, size_t n, const void *salt)
{
	if (getrandom(b, n, 0) == (ssize_t)n)
		return;
	unsigned long long x = (unsigned long long)time(NULL) ^ (unsigned long long)(size_t)salt;
	for (size_t i = 0; i < n; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		b[i] = (unsigned char)(x >> 56);
	}
}

void op_new_uuid(char out[37])
{
	unsigned char b[16];
	random_bytes(b, sizeof b, out);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

void op_new_mac(char out[18])
{
	unsigned char b[3];
	random_bytes(b, sizeof b, out);
	snprintf(out, 18, "52:54:00:%02x:%02x:%02x", b[0], b[1], b[2]);
}

int op_dom_running(const struct domain *d)
{
	return d && (d->state == DOM_RUNNING || d->state == DOM_BLOCKED || d->state == DOM_PAUSED);
}

unsigned op_affect(const struct op_ctx *ctx)
{
	const struct op_value *live = op_get(ctx, "live"), *config = op_get(ctx, "config");
	unsigned f = 0;
	if (live && live->b)
		f |= VOPF_LIVE;
	if (config && config->b)
		f |= VOPF_CONFIG;
	if (!f && !(live && !live->b) && !(config && !config->b))
		f = op_dom_running(ctx->dom) ? VOPF_LIVE : VOPF_CONFIG;
	else if (!f)
		f = (live && !live->b) ? VOPF_CONFIG : VOPF_LIVE;
	return f;
}

void op_req_domain(const struct op_ctx *ctx, struct vop_request *req)
{
	snprintf(req->uuid, sizeof req->uuid, "%s", ctx->dom->info.uuid);
	snprintf(req->dom_name, sizeof req->dom_name, "%s", ctx->dom->info.name);
}

int op_disk_target_ok(const char *t, const char *bus)
{
	size_t n = strlen(t);
	if (n < 3 || n > 8)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (t[i] < 'a' || t[i] > 'z')
			return 0;
	if (!bus)
		return !strncmp(t, "vd", 2) || !strncmp(t, "hd", 2) || !strncmp(t, "sd", 2);
	if (!strcmp(bus, "virtio"))
		return !strncmp(t, "vd", 2);
	if (!strcmp(bus, "ide"))
		return !strncmp(t, "hd", 2);
	return !strncmp(t, "sd", 2);
}

const struct dom_disk *op_find_disk(const struct domain *d, const char *target)
{
	for (size_t i = 0; target && i < d->info.ndisks; i++)
		if (!strcmp(d->info.disks[i].target, target))
			return &d->info.disks[i];
	return NULL;
}

const struct dom_nic *op_find_nic(const struct domain *d, const char *mac)
{
	for (size_t i = 0; mac && i < d->info.nnics; i++)
		if (!strcasecmp(d->info.nics[i].mac, mac))
			return &d->info.nics[i];
	return NULL;
}

const struct op_snapshot *op_find_snapshot(const struct op_ctx *ctx, const char *name)
{
	for (size_t i = 0; name && i < ctx->nsnaps; i++)
		if (!strcmp(ctx->snaps[i].name, name))
			return &ctx->snaps[i];
	return NULL;
}

int op_fail(const struct op_ctx *ctx, struct vd_err *err, enum vd_errcode code, const char *fmt, ...)
{
	err_where(err, ctx->def->name, ctx->host ? ctx->host->cfg->name : NULL,
		  ctx->dom ? ctx->dom->info.name : NULL);
	va_list ap;
	va_start(ap, fmt);
	err_setv(err, code, fmt, ap);
	va_end(ap);
	return -1;
}

void op_note(const struct op_ctx *ctx, const char *fmt, ...)
{
	if (!ctx->notes)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	sb_append(ctx->notes, buf);
	sb_appendc(ctx->notes, '\n');
}

void op_detach_disk_request(const struct op_ctx *ctx, struct vop_request *req, char *disk_xml,
			    const char *target)
{
	struct strbuf sb;
	sb_init(&sb);
	req->kind = VOP_DETACH_DEVICE;
	op_req_domain(ctx, req);
	req->xml = disk_xml;
	req->flags = op_affect(ctx);
	sb_append(&sb, "/domain/devices/disk[target/@dev=");
	xml_xpath_literal(target, &sb);
	sb_append(&sb, "]/alias/@name");
	req->alias_xpath = sb_detach(&sb);
	req->wait_ms = (int)(op_get(ctx, "timeout")->n * 1000);
}

/* op_coalesce.c — interrupt coalescing of a host NIC (h:set_coalesce,
 * `ethtool -C` over the host's shell).
 *
 * One command reads the values first (`ethtool -c`) and changes them only
 * when that worked; its output decides the outcome: the previous values go
 * to the audit record and the result (a runbook rolls back with them), and
 * a refusal names what the driver refused.  ethtool's netlink error does not
 * ("cannot modify an unsupported parameter (offset 36)"): the parameters
 * the driver reported as n/a do. */
#include "ops/op_impl.h"
#include "metrics/host_metrics.h"
#include "ops/xml_nic_update.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The line between the two commands' output. */
#define SET_MARK "--- ethtool -C"

/* Each argument: its ethtool -C name and where ethtool -c reports it. */
static const struct knob {
	const char *arg, *ethtool;
	int         boolean;
	size_t      off;   /* in struct coalesce: int for booleans, int64_t else */
} knobs[] = {
	{ "adaptive_rx", "adaptive-rx", 1, offsetof(struct coalesce, adaptive_rx) },
	{ "adaptive_tx", "adaptive-tx", 1, offsetof(struct coalesce, adaptive_tx) },
	{ "rx_usecs", "rx-usecs", 0, offsetof(struct coalesce, rx_usecs) },
	{ "rx_frames", "rx-frames", 0, offsetof(struct coalesce, rx_frames) },
	{ "tx_usecs", "tx-usecs", 0, offsetof(struct coalesce, tx_usecs) },
	{ "tx_frames", "tx-frames", 0, offsetof(struct coalesce, tx_frames) },
};
#define NKNOBS (sizeof knobs / sizeof knobs[0])

static int64_t knob_value(const struct coalesce *c, const struct knob *k)
{
	const char *p = (const char *)c + k->off;
	return k->boolean ? *(const int *)(const void *)p : *(const int64_t *)(const void *)p;
}

/* A Linux interface name: what the kernel accepts (dev_valid_name). */
static int ifname_ok(const char *n)
{
	size_t len = strlen(n);
	if (!len || len > 15 || !strcmp(n, ".") || !strcmp(n, ".."))
		return 0;
	return strcspn(n, "/: \t\n\"'\\$`*?[]") == len;
}

int set_coalesce_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const char *nic = op_str(ctx, "nic");
	if (!ifname_ok(nic))
		return op_fail(ctx, err, VD_EINVAL, "'%s' is not an interface name", nic);
	size_t n = 0;
	for (size_t i = 0; i < NKNOBS; i++)
		n += op_get(ctx, knobs[i].arg) != NULL;
	if (!n)
		return op_fail(ctx, err, VD_EINVAL, "nothing to set: give adaptive_rx, adaptive_tx, rx_usecs, "
			       "rx_frames, tx_usecs or tx_frames");
	if (ctx->host->cfg->transport == HT_NONE)
		return op_fail(ctx, err, VD_EUNSUPPORTED, "host has no shell transport (transport = \"none\")");
	const struct nic *known = ctx->host->metrics ? host_metrics_nic(ctx->host->metrics, nic) : NULL;
	if (ctx->host->metrics && !known)
		op_note(ctx, "%s is not among the NICs the last poll saw", nic);
	if (known && known->coalesce.parsed && !known->coalesce.supported)
		return op_fail(ctx, err, VD_EUNSUPPORTED, "the driver of %s does not support interrupt coalescing "
			       "(ethtool -c: Operation not supported)", nic);
	return 0;
}

int set_coalesce_build_command(const struct op_ctx *ctx, struct op_command *cmd, struct vd_err *err)
{
	(void)err;
	struct strbuf sb;
	sb_init(&sb);
	const char *nic = op_str(ctx, "nic");
	sb_append(&sb, "export LC_ALL=C; PATH=$PATH:/usr/sbin:/sbin; ethtool -c ");
	sb_append_shell(&sb, nic);
	sb_append(&sb, " 2>&1 || exit 3; echo '" SET_MARK "'; ethtool -C ");
	sb_append_shell(&sb, nic);
	for (size_t i = 0; i < NKNOBS; i++) {
		const struct op_value *v = op_get(ctx, knobs[i].arg);
		if (!v)
			continue;
		if (knobs[i].boolean)
			sb_appendf(&sb, " %s %s", knobs[i].ethtool, v->b ? "on" : "off");
		else
			sb_appendf(&sb, " %s %lld", knobs[i].ethtool, (long long)v->i);
	}
	sb_append(&sb, " 2>&1");
	cmd->cmd = sb_detach(&sb);
	cmd->timeout_ms = 15000;
	cmd->max_bytes = 64 * 1024;
	return 0;
}

/* The supported values of c as previous values, under the arguments' names. */
static void keep_previous(const struct coalesce *c, struct op_outcome *out)
{
	for (size_t i = 0; i < NKNOBS && out->nprevious < OP_MAX_PREVIOUS; i++) {
		int64_t v = knob_value(c, &knobs[i]);
		if (v < 0)
			continue;   /* n/a: not the driver's */
		struct op_previous *p = &out->previous[out->nprevious++];
		snprintf(p->name, sizeof p->name, "%s", knobs[i].arg);
		if (knobs[i].boolean)
			snprintf(p->value, sizeof p->value, "%s", v ? "true" : "false");
		else
			snprintf(p->value, sizeof p->value, "%lld", (long long)v);
	}
}

/* First line of s (for an error message). */
static void first_line(const char *s, char *buf, size_t len)
{
	while (*s == '\n')
		s++;
	snprintf(buf, len, "%.*s", (int)strcspn(s, "\n"), s);
}

int set_coalesce_command_result(const struct op_def *def, const struct op_args *args, const struct host_run *run,
				struct op_outcome *out, struct vd_err *err)
{
	const struct op_value *nicv = &args->v[op_arg_index(def, "nic")];
	const char *nic = nicv->s ? nicv->s : "?";
	const char *text = run->out.buf ? run->out.buf : "";
	const char *mark = strstr(text, SET_MARK "\n");
	struct coalesce before;
	struct vd_err perr;
	err_clear(&perr);
	memset(&before, 0, sizeof before);
	int parsed = parse_ethtool_coalesce(text, mark ? (size_t)(mark - text) : strlen(text), &before, &perr) == 0;
	char line[200];
	if (!mark) {
		first_line(text[0] ? text : (run->err.buf ? run->err.buf : ""), line, sizeof line);
		if (parsed && !before.supported)
			return err_set(err, VD_EUNSUPPORTED, "the driver of %s does not support interrupt coalescing "
				       "(ethtool -c: %s); nothing was changed", nic, line);
		return err_set(err, VD_EIO, "ethtool -c %s failed (status %d): %s; nothing was changed", nic,
			       run->status, line[0] ? line : "no output");
	}
	if (parsed)
		keep_previous(&before, out);
	const char *said = mark + strlen(SET_MARK) + 1;
	if (run->status == 0) {
		snprintf(out->message, sizeof out->message, "%s: coalescing set", nic);
		return 0;
	}
	/* Which of the asked parameters the driver reported as n/a. */
	struct strbuf refused;
	sb_init(&refused);
	for (size_t i = 0; parsed && i < NKNOBS; i++) {
		const struct op_value *v = &args->v[op_arg_index(def, knobs[i].arg)];
		if (v->set && knob_value(&before, &knobs[i]) < 0)
			sb_appendf(&refused, "%s%s", refused.len ? ", " : "", knobs[i].ethtool);
	}
	first_line(said, line, sizeof line);
	if (refused.len)
		err_set(err, VD_EUNSUPPORTED, "the driver of %s refused %s (not supported: n/a in ethtool -c): %s",
			nic, refused.buf, line);
	else if (parsed && !before.supported)
		err_set(err, VD_EUNSUPPORTED, "the driver of %s does not support interrupt coalescing: %s", nic, line);
	else
		err_set(err, VD_EIO, "ethtool -C %s failed (status %d): %s", nic, run->status,
			line[0] ? line : "no output");
	sb_free(&refused);
	return -1;
}

/* d:set_coalesce: a VM NIC's <coalesce> through virDomainUpdateDeviceFlags;
 * libvirt applies it to the NIC's host tap (ethtool's ioctl) when live.
 * libvirt takes <coalesce> on type bridge and network NICs only (an OVS
 * port is a bridge NIC with a <virtualport>): a macvtap, VF or vhost-user
 * NIC has no tap of libvirt's to coalesce. */
int dom_set_coalesce_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const char *mac = op_str(ctx, "mac");
	const struct dom_nic *c = op_find_nic(ctx->dom, mac);
	if (!c)
		return op_fail(ctx, err, VD_ENOTFOUND, "the domain has no NIC with MAC %s", mac);
	if (strcmp(c->type, "bridge") && strcmp(c->type, "network"))
		return op_fail(ctx, err, VD_EUNSUPPORTED, "NIC %s is %s: libvirt coalesces the tap of a bridge, "
			       "network or OVS NIC only%s", mac, nic_mode_name(c->mode),
			       c->mode == NIC_MODE_HOSTDEV ? " (a VF's coalescing is the host driver's: h:set_coalesce)" : "");
	if (!c->xml)
		return op_fail(ctx, err, VD_EINVAL, "NIC %s: its XML is not known yet (refresh the host)", mac);
	if (strcmp(c->model, "virtio"))
		op_note(ctx, "NIC %s is a %s model; the host tap is coalesced all the same", mac,
			c->model[0] ? c->model : "default");
	if ((op_affect(ctx) & VOPF_LIVE) && !op_dom_running(ctx->dom))
		return op_fail(ctx, err, VD_EINVAL, "live=true but the domain is %s", dom_state_name(ctx->dom->state));
	return 0;
}

int dom_set_coalesce_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	const struct dom_nic *c = op_find_nic(ctx->dom, op_str(ctx, "mac"));
	/* the NIC as libvirt has it, only <coalesce> changed: update matches it by MAC */
	struct strbuf sb;
	sb_init(&sb);
	if (xml_nic_set_coalesce(c->xml, op_get(ctx, "rx_frames")->i, &sb, err) < 0) {
		sb_free(&sb);
		return -1;
	}
	req->kind = VOP_UPDATE_DEVICE;
	op_req_domain(ctx, req);
	req->xml = sb_detach(&sb);
	req->flags = op_affect(ctx);
	return 0;
}

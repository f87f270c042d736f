/* op_switch.c — h:apply_switch and d:set_nic: a distributed switch's
 * network converged on one host, and a VM NIC moved to a portgroup or
 * VLAN while it runs.
 *
 * apply_switch defines the network the inventory's switch wants (with the
 * host's uuid when it has one, so libvirt takes it as a new definition of
 * the same network).  A definition only shapes the network's next start:
 * on a running network, changed, added and removed portgroups are also
 * sent to the running network with virNetworkUpdate, so attached VMs keep
 * their ports.  What libvirt cannot change on a running network (the
 * uplink, the backend, vdeck's filter metadata) needs a restart (stop,
 * define, start); with running VMs attached that is refused unless
 * restart=true.  Under dry-run the notes carry the host's network against
 * the switch's as a line diff.
 *
 * set_nic sends the NIC's interface again with virDomainUpdateDeviceFlags:
 * the same MAC, model, network, tap and OVS port id, with the new
 * portgroup (its VLAN written on the interface too, which is what libvirt
 * retags a running port from, and the nwfilter the switch's portgroup
 * requires as <filterref>), or a VLAN tag, bandwidth or filter of its
 * own. */
#include "ops/op_impl.h"
#include "core/linediff.h"
#include "core/xalloc.h"
#include "model/switch_state.h"
#include "ops/xml_network.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct switch_config *need_switch(const struct op_ctx *ctx, const char *name, struct vd_err *err)
{
	const struct inventory *inv = ctx->cluster->inv;
	const struct switch_config *sw = inventory_switch(inv, name);
	if (sw)
		return sw;
	char names[256];
	size_t o = 0;
	names[0] = '\0';
	for (size_t i = 0; i < inv->nswitches && o < sizeof names; i++)
		o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", i ? ", " : "", inv->switches[i].name);
	op_fail(ctx, err, VD_ENOTFOUND, "the inventory declares no switch '%s' (switches: %s)", name,
		o ? names : "none");
	return NULL;
}

static size_t host_index(const struct op_ctx *ctx)
{
	return (size_t)(ctx->host - ctx->cluster->hosts);
}

/* A NIC on a libvirt network.  A running VM's live XML shows such a NIC by
 * its actual type (bridge, for a network over a bridge) with the
 * network's name kept in <source network=>, which the model reads first. */
static int nic_on_network(const struct cluster *c, const struct host *h, const struct dom_nic *nic)
{
	if (!strcmp(nic->type, "network"))
		return 1;
	return !strcmp(nic->type, "bridge") && nic->source &&
	       (inventory_switch(c->inv, nic->source) || net_list_find(&h->nets, nic->source));
}

/* Running VMs of the host with a NIC on network net: their names into buf. */
static size_t attached_vms(const struct cluster *c, const struct host *h, const char *net, char *buf, size_t len)
{
	size_t n = 0, o = 0;
	buf[0] = '\0';
	for (size_t d = 0; d < h->ndoms; d++) {
		const struct domain *dom = &h->doms[d];
		if (!op_dom_running(dom))
			continue;
		for (size_t k = 0; k < dom->info.nnics; k++) {
			const struct dom_nic *nic = &dom->info.nics[k];
			if (!nic_on_network(c, h, nic) || !nic->source || strcmp(nic->source, net))
				continue;
			if (o < len)
				o += (size_t)snprintf(buf + o, len - o, "%s%s", n ? ", " : "", dom->info.name);
			n++;
			break;
		}
	}
	return n;
}

#define RESTART_FIELDS (NETD_UPLINK | NETD_BACKEND | NETD_FILTER)

/* What the running network lacks that only a restart brings (the status
 * also counts a changed next-start definition and missing nwfilters,
 * which a definition, or nothing vdeck does, settles). */
static unsigned restart_fields(const struct switch_config *sw, const struct net_def *have)
{
	return have && have->active ? net_compare(&sw->net, have, NULL, 0) & RESTART_FIELDS : 0;
}

int apply_switch_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const struct switch_config *sw = need_switch(ctx, op_str(ctx, "switch"), err);
	if (!sw)
		return -1;
	if (!switch_selects(sw, ctx->host->cfg)) {
		char hosts[256];
		size_t o = 0;
		hosts[0] = '\0';
		for (size_t i = 0; !sw->host_tag && i < sw->nhosts && o < sizeof hosts; i++)
			o += (size_t)snprintf(hosts + o, sizeof hosts - o, "%s%s", i ? ", " : "", sw->hosts[i]);
		return op_fail(ctx, err, VD_EREFUSED, "switch %s is not for host %s (its hosts: %s%s)", sw->name,
			       ctx->host->cfg->name, sw->host_tag ? "tag " : "", sw->host_tag ? sw->host_tag : hosts);
	}
	struct switch_host_status st;
	switch_host_status(ctx->cluster, sw, host_index(ctx), &st);
	if (st.state == SWS_UNKNOWN)
		return op_fail(ctx, err, VD_EUNREACH, "the networks of %s are not known: %s", ctx->host->cfg->name, st.why);
	unsigned restart = restart_fields(sw, st.have);
	if (restart) {
		char names[256], fields[128];
		size_t n = attached_vms(ctx->cluster, ctx->host, sw->name, names, sizeof names);
		switch_fields_text(restart, fields, sizeof fields);
		if (n && !op_flag(ctx, "restart"))
			return op_fail(ctx, err, VD_EREFUSED,
				       "network %s runs with %zu VM%s attached (%s); a change of %s takes a restart "
				       "(libvirt cannot make it live): pass restart=true to restart it under them, or "
				       "move them off first", sw->name, n, n == 1 ? "" : "s", names, fields);
		op_note(ctx, "network %s restarts to change %s%s", sw->name, fields,
			n ? " (restart=true: VMs attached)" : " (no running VM attached)");
	}
	if (st.state == SWS_CONVERGED)
		op_note(ctx, "%s: switch %s is already converged; the same definition is sent again",
			ctx->host->cfg->name, sw->name);
	if (st.state == SWS_DRIFTED)
		op_note(ctx, "drift: %s", st.why);
	if (!ctx->dry_run)
		return 0;
	/* dry-run: the change, as a line diff of the host's network and the switch's */
	struct net_def want;
	net_def_copy(&want, &sw->net);
	struct strbuf a, b, diff;
	sb_init(&a);
	sb_init(&b);
	sb_init(&diff);
	if (st.have) {
		snprintf(want.uuid, sizeof want.uuid, "%s", st.have->uuid);
		xml_network(st.have, &a);
	}
	xml_network(&want, &b);
	line_diff(a.buf, b.buf, &diff);
	op_note(ctx, "%s: %s (- host, + switch):", ctx->host->cfg->name,
		st.have ? "network XML diff" : "network missing, defined as");
	for (char *line = diff.buf, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		*nl = '\0';
		op_note(ctx, "%s", line);
	}
	sb_free(&a);
	sb_free(&b);
	sb_free(&diff);
	net_def_free(&want);
	return 0;
}

static void add_update(struct vop_request *req, enum vop_net_command cmd, const struct net_portgroup *pg)
{
	struct strbuf sb;
	sb_init(&sb);
	xml_portgroup(pg, &sb);
	req->net_updates = x_realloc(req->net_updates, (req->nnet_updates + 1) * sizeof *req->net_updates);
	req->net_updates[req->nnet_updates].command = cmd;
	req->net_updates[req->nnet_updates++].xml = sb_detach(&sb);
}

/* The running network's portgroups brought to want's: removals first, then
 * changes (the portgroup losing the default before the one gaining it),
 * then additions. */
static void portgroup_updates(const struct net_def *want, const struct net_def *have, struct vop_request *req)
{
	for (size_t i = 0; i < have->npgs; i++)
		if (!net_def_portgroup(want, have->pgs[i].name))
			add_update(req, VOP_NETUP_DELETE, &have->pgs[i]);
	for (int gaining = 0; gaining <= 1; gaining++)
		for (size_t i = 0; i < want->npgs; i++) {
			const struct net_portgroup *h = net_def_portgroup(have, want->pgs[i].name);
			if (h && want->pgs[i].is_default == gaining &&
			    (net_portgroup_compare(&want->pgs[i], h) & ~NETD_FILTER))
				add_update(req, VOP_NETUP_MODIFY, &want->pgs[i]);
		}
	for (size_t i = 0; i < want->npgs; i++)
		if (!net_def_portgroup(have, want->pgs[i].name))
			add_update(req, VOP_NETUP_ADD, &want->pgs[i]);
}

int apply_switch_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	const struct switch_config *sw = need_switch(ctx, op_str(ctx, "switch"), err);
	if (!sw)
		return -1;
	struct switch_host_status st;
	switch_host_status(ctx->cluster, sw, host_index(ctx), &st);
	struct net_def want;
	net_def_copy(&want, &sw->net);
	req->kind = VOP_NET_DEFINE;
	snprintf(req->target, sizeof req->target, "%s", sw->name);
	if (!st.have) {
		req->flags = VOPF_NET_START | VOPF_NET_AUTOSTART;
	} else {
		snprintf(want.uuid, sizeof want.uuid, "%s", st.have->uuid);
		if (!st.have->active)
			req->flags |= VOPF_NET_START;
		else if (restart_fields(sw, st.have))
			req->flags |= VOPF_NET_RESTART;
		else
			portgroup_updates(&want, st.have, req);
		if (!st.have->autostart)
			req->flags |= VOPF_NET_AUTOSTART;
	}
	struct strbuf sb;
	sb_init(&sb);
	xml_network(&want, &sb);
	req->xml = sb_detach(&sb);
	net_def_free(&want);
	return 0;
}

/* ---- d:set_nic ------------------------------------------------------ */

static const struct net_portgroup *switch_portgroup(const struct op_ctx *ctx, const struct dom_nic *nic,
						    const char *pg, const struct switch_config **sw_out)
{
	const struct switch_config *sw = nic->source ? inventory_switch(ctx->cluster->inv, nic->source) : NULL;
	*sw_out = sw;
	return sw ? net_def_portgroup(&sw->net, pg) : NULL;
}

static int rate_given(const struct op_ctx *ctx, const char *dir)
{
	char k[48];
	snprintf(k, sizeof k, "bandwidth_%s_average", dir);
	return op_get(ctx, k) != NULL;
}

static void rate_args(const struct op_ctx *ctx, const char *dir, struct net_rate *r)
{
	const char *parts[] = { "average", "peak", "burst" };
	uint64_t *dst[] = { &r->average, &r->peak, &r->burst };
	for (size_t i = 0; i < 3; i++) {
		char k[48];
		snprintf(k, sizeof k, "bandwidth_%s_%s", dir, parts[i]);
		const struct op_value *v = op_get(ctx, k);
		*dst[i] = v ? (uint64_t)v->i : 0;
	}
}

int set_nic_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	const char *mac = op_str(ctx, "mac"), *pg = op_str(ctx, "portgroup");
	const struct dom_nic *nic = op_find_nic(ctx->dom, mac);
	if (!nic)
		return op_fail(ctx, err, VD_ENOTFOUND, "the domain has no NIC with MAC %s", mac);
	if (!nic_on_network(ctx->cluster, ctx->host, nic))
		return op_fail(ctx, err, VD_EUNSUPPORTED, "NIC %s is of type %s: set_nic changes NICs on a libvirt "
			       "network (type network)", mac, nic->type);
	if (pg && op_get(ctx, "vlan"))
		return op_fail(ctx, err, VD_EINVAL, "give portgroup= or vlan=, not both (a NIC's own VLAN overrides "
			       "its portgroup's)");
	int bw_in = rate_given(ctx, "inbound"), bw_out = rate_given(ctx, "outbound");
	for (int d = 0; d < 2; d++) {
		const char *dir = d ? "outbound" : "inbound";
		char k[48];
		snprintf(k, sizeof k, "bandwidth_%s_peak", dir);
		int any = op_get(ctx, k) != NULL;
		snprintf(k, sizeof k, "bandwidth_%s_burst", dir);
		any |= op_get(ctx, k) != NULL;
		if (any && !(d ? bw_out : bw_in))
			return op_fail(ctx, err, VD_EINVAL, "bandwidth.%s needs average= (KiB/s)", dir);
	}
	if (!pg && !op_get(ctx, "vlan") && !bw_in && !bw_out && !op_str(ctx, "filter"))
		return op_fail(ctx, err, VD_EINVAL, "nothing to change: give portgroup=, vlan=, bandwidth= or filter=");
	const struct switch_config *sw;
	const struct net_portgroup *spg = switch_portgroup(ctx, nic, pg, &sw);
	if (pg && sw && !spg)
		return op_fail(ctx, err, VD_ENOTFOUND, "switch %s has no portgroup '%s'", sw->name, pg);
	const struct net_def *hnet = nic->source ? net_list_find(&ctx->host->nets, nic->source) : NULL;
	if (pg && !sw && ctx->host->nets_known && (!hnet || !net_def_portgroup(hnet, pg)))
		return op_fail(ctx, err, VD_ENOTFOUND, "network %s on %s has no portgroup '%s'", nic->source,
			       ctx->host->cfg->name, pg);
	if (pg && sw && (!hnet || !net_def_portgroup(hnet, pg)))
		op_note(ctx, "network %s on %s lacks portgroup %s: converge the switch first (h:apply_switch)",
			sw->name, ctx->host->cfg->name, pg);
	if (op_get(ctx, "vlan") && sw && !strcmp(sw->backend, "bridge"))
		return op_fail(ctx, err, VD_EINVAL, "switch %s is a Linux bridge: VLAN tags need backend ovs", sw->name);
	if (spg && spg->filter[0] && !op_str(ctx, "filter"))
		op_note(ctx, "portgroup %s requires nwfilter %s: the NIC gets <filterref filter='%s'/>", spg->name,
			spg->filter, spg->filter);
	if ((op_affect(ctx) & VOPF_LIVE) && !op_dom_running(ctx->dom))
		return op_fail(ctx, err, VD_EINVAL, "live=true but the domain is %s", dom_state_name(ctx->dom->state));
	return 0;
}

int set_nic_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	(void)err;
	const char *pg = op_str(ctx, "portgroup");
	const struct dom_nic *nic = op_find_nic(ctx->dom, op_str(ctx, "mac"));
	const struct switch_config *sw;
	const struct net_portgroup *spg = switch_portgroup(ctx, nic, pg ? pg : nic->portgroup, &sw);
	const struct op_value *vlan = op_get(ctx, "vlan");
	unsigned tag = vlan ? (unsigned)vlan->i : 0;
	/* A portgroup's VLAN reaches a running NIC's OVS port only at plug
	 * time: libvirt retags a live port from the interface's own <vlan>
	 * (seen with libvirt 9.0).  So the NIC carries its portgroup's tags. */
	const struct net_def *hnet = nic->source ? net_list_find(&ctx->host->nets, nic->source) : NULL;
	const struct net_portgroup *pgv = pg ? (spg ? spg : hnet ? net_def_portgroup(hnet, pg) : NULL) : NULL;
	struct net_rate in, out;
	rate_args(ctx, "inbound", &in);
	rate_args(ctx, "outbound", &out);
	const char *filter = op_str(ctx, "filter");
	if (!filter && spg && spg->filter[0])
		filter = spg->filter;
	struct xml_nic_update n = {
		.mac = nic->mac, .model = nic->model, .target = op_dom_running(ctx->dom) ? nic->target : NULL,
		.interfaceid = nic->interfaceid,
		.network = nic->source, .portgroup = vlan ? NULL : pg ? pg : nic->portgroup[0] ? nic->portgroup : NULL,
		.tags = tag ? &tag : pgv && pgv->ntags ? pgv->tags : NULL,
		.ntags = tag ? 1 : pgv ? pgv->ntags : 0, .trunk = !tag && pgv && pgv->trunk,
		.in = in.average ? &in : NULL, .out = out.average ? &out : NULL, .filter = filter,
	};
	struct strbuf sb;
	sb_init(&sb);
	xml_nic_update(&n, &sb);
	req->kind = VOP_UPDATE_DEVICE;
	op_req_domain(ctx, req);
	req->xml = sb_detach(&sb);
	req->flags = op_affect(ctx);
	return 0;
}

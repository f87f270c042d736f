/* switch_state.c — a switch's status per host, from the networks and
 * nwfilters each host's worker read. */
#include "model/switch_state.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

const char *switch_state_name(enum switch_state s)
{
	switch (s) {
	case SWS_CONVERGED: return "converged";
	case SWS_MISSING: return "missing";
	case SWS_DRIFTED: return "drifted";
	case SWS_UNKNOWN: return "unknown";
	}
	return "?";
}

void switch_fields_text(unsigned fields, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (unsigned bit = 1; bit && bit <= NETD_AUTOSTART && o < len; bit <<= 1)
		if (fields & bit)
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? "," : "", net_drift_name(bit));
}

void switch_host_status(const struct cluster *c, const struct switch_config *sw, size_t hi,
			struct switch_host_status *st)
{
	const struct host *h = &c->hosts[hi];
	memset(st, 0, sizeof *st);
	st->host = hi;
	if (!h->nets_known) {
		st->state = SWS_UNKNOWN;
		snprintf(st->why, sizeof st->why, "networks not read yet%s%s", h->libvirt_error ? ": " : "",
			 h->libvirt_error ? h->libvirt_error : "");
		return;
	}
	const struct net_def *have = net_list_find(&h->nets, sw->name);
	if (!have) {
		st->state = SWS_MISSING;
		snprintf(st->why, sizeof st->why, "no network %s", sw->name);
		return;
	}
	st->have = have;
	st->fields = net_compare(&sw->net, have, st->why, sizeof st->why);
	/* the filter a portgroup requires must exist on the host (where the
	 * driver can tell: the test driver has no nwfilters) */
	for (size_t i = 0; h->nets.filters_known && i < sw->net.npgs; i++) {
		const char *f = sw->net.pgs[i].filter;
		if (!f[0] || net_list_has_filter(&h->nets, f))
			continue;
		st->fields |= NETD_FILTER;
		size_t o = strlen(st->why);
		snprintf(st->why + o, sizeof st->why - o, "%sportgroup %s: nwfilter %s is not defined on the host",
			 o ? "; " : "", sw->net.pgs[i].name, f);
	}
	/* each NIC on the network carries the filter its portgroup requires
	 * (the default portgroup's when it names none) */
	for (size_t d = 0; d < h->ndoms; d++) {
		const struct domain *dom = &h->doms[d];
		for (size_t k = 0; k < dom->info.nnics; k++) {
			const struct dom_nic *nic = &dom->info.nics[k];
			if (!nic->source || strcmp(nic->source, sw->name) ||
			    (strcmp(nic->type, "network") && strcmp(nic->type, "bridge")))
				continue;
			const struct net_portgroup *pg = nic->portgroup[0] ? net_def_portgroup(&sw->net, nic->portgroup)
									   : net_def_default_portgroup(&sw->net);
			if (!pg || !strcmp(pg->filter, nic->filter))
				continue;
			st->fields |= NETD_FILTER;
			size_t o = strlen(st->why);
			snprintf(st->why + o, sizeof st->why - o, "%s%s NIC %s: filter %s, portgroup %s requires %s",
				 o ? "; " : "", dom->info.name, nic->mac, nic->filter[0] ? nic->filter : "none", pg->name,
				 pg->filter[0] ? pg->filter : "none");
		}
	}
	/* a definition changed but not yet running drifts as well */
	const struct net_def *next = net_list_find_next_start(&h->nets, sw->name);
	if (next) {
		size_t o0 = strlen(st->why), o = o0;
		o += (size_t)snprintf(st->why + o, sizeof st->why - o, "%snext start: ", o ? "; " : "");
		unsigned f = o < sizeof st->why ? net_compare(&sw->net, next, st->why + o, sizeof st->why - o)
						: net_compare(&sw->net, next, NULL, 0);
		if (!f && o0 < sizeof st->why)
			st->why[o0] = '\0';
		st->fields |= f;
	}
	st->state = st->fields ? SWS_DRIFTED : SWS_CONVERGED;
}

size_t switch_status(const struct cluster *c, const struct switch_config *sw, struct switch_host_status **out)
{
	*out = x_calloc(c->nhosts + 1, sizeof **out);
	size_t n = 0;
	for (size_t i = 0; i < c->nhosts; i++)
		if (switch_selects(sw, c->hosts[i].cfg))
			switch_host_status(c, sw, i, &(*out)[n++]);
	return n;
}

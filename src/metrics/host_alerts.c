/* host_alerts.c — what in one host's metrics deserves an operator's eye. */
#include "metrics/host_metrics.h"

#include "core/xalloc.h"
#include "metrics/cpulist.h"
#include "metrics/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct alert_list {
	struct host_alert *items;
	size_t n, cap;
};

static struct host_alert *add(struct alert_list *l, enum alert_severity sev, const char *kind,
			      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static struct host_alert *add(struct alert_list *l, enum alert_severity sev, const char *kind,
			      const char *fmt, ...)
{
	va_list ap;
	x_grow(&l->items, &l->cap, l->n + 1, sizeof(*l->items));
	struct host_alert *a = &l->items[l->n++];
	memset(a, 0, sizeof(*a));
	a->severity = sev;
	text_copy(a->kind, sizeof(a->kind), kind);
	va_start(ap, fmt);
	vsnprintf(a->message, sizeof(a->message), fmt, ap);
	va_end(ap);
	return a;
}

/* Names the bond and port an alert is about (for --check, JSON, filters). */
static void about(struct host_alert *a, const struct bond *b, const struct bond_port *p)
{
	text_copy(a->bond, sizeof(a->bond), b->name);
	if (p)
		text_copy(a->port, sizeof(a->port), p->name);
}

const char *alert_severity_name(enum alert_severity s)
{
	switch (s) {
	case ALERT_INFO: return "info";
	case ALERT_WARN: return "warning";
	case ALERT_CRIT: return "critical";
	}
	return "?";
}

static void bond_alerts(struct alert_list *l, const struct host_metrics *m, const struct bond *b)
{
	size_t up = bond_ports_up(b), known = 0;
	int zero_reported = 0;
	const char *kindof = b->ovs ? "OVS bond" : "bond";
	for (size_t i = 0; i < b->nports; i++)
		known += b->ports[i].mii_status[0] != '\0';
	if (b->ovs && b->mii_status[0] && strcmp(b->mii_status, "up") != 0)
		/* OVS enables no member (no link, or LACP never negotiated) */
		about(add(l, ALERT_CRIT, "bond_down", "OVS bond %s is down: no member enabled (%zu of %zu links up)",
			  b->name, up, b->nports), b, NULL);
	else if (!b->ovs && ((b->mii_status[0] && strcmp(b->mii_status, "up") != 0) || (known && !up)))
		about(add(l, ALERT_CRIT, "bond_down", "%s %s is down (%zu of %zu ports up)",
			  kindof, b->name, up, b->nports), b, NULL);
	for (size_t i = 0; i < b->nports; i++) {
		const struct bond_port *p = &b->ports[i];
		if (p->problems & BOND_PORT_DOWN)
			about(add(l, ALERT_WARN, "bond_port_down", "%s %s: port %s %s %s", kindof, b->name, p->name,
				  b->ovs ? "link" : "MII status", p->mii_status[0] ? p->mii_status : "unknown"), b, p);
		if (p->problems & BOND_PORT_CHURNED)
			about(add(l, ALERT_WARN, "bond_port_churned",
				  "bond %s: port %s churned (actor %s, partner %s)", b->name, p->name,
				  p->actor_churn[0] ? p->actor_churn : "?",
				  p->partner_churn[0] ? p->partner_churn : "?"), b, p);
		if (p->problems & BOND_PORT_OTHER_AGG)
			about(add(l, ALERT_WARN, "bond_port_other_aggregator",
				  "bond %s: port %s is in aggregator %d, active aggregator is %d",
				  b->name, p->name, p->aggregator_id, b->aggregator_id), b, p);
		if (p->problems & BOND_PORT_DEFAULTED)
			about(add(l, ALERT_WARN, "bond_port_defaulted",
				  "%s %s: port %s LACP defaulted (no LACPDU from a partner)", kindof, b->name,
				  p->name), b, p);
		if (p->problems & BOND_PORT_EXPIRED)
			about(add(l, ALERT_WARN, "bond_port_expired",
				  "%s %s: port %s LACP expired (the partner's LACPDUs stopped)", kindof, b->name,
				  p->name), b, p);
		if (p->problems & BOND_PORT_DETACHED)
			about(add(l, ALERT_WARN, "bond_port_detached",
				  "%s %s: port %s is not attached to the aggregator (%s)", kindof, b->name, p->name,
				  p->lacp_state), b, p);
		if (p->problems & BOND_PORT_PARTNER_DIFF) {
			char key[16] = "?";
			if (p->partner_key >= 0)
				snprintf(key, sizeof(key), "%d", p->partner_key);
			about(add(l, ALERT_WARN, "bond_partner_differs",
				  "%s %s: port %s faces partner %s key %s, unlike the other ports", kindof,
				  b->name, p->name, p->partner_mac, key), b, p);
		}
		if (p->problems & BOND_PORT_ZERO_PARTNER) {
			about(add(l, ALERT_WARN, "bond_partner_mac_zero",
				  "%s %s: port %s sees no LACP partner (partner MAC 00:00:00:00:00:00)",
				  kindof, b->name, p->name), b, p);
			zero_reported = 1;
		}
		const struct nic *nic = host_metrics_nic(m, p->name);
		if (nic && strcmp(nic->operstate, "down") == 0 && !b->ovs)
			about(add(l, ALERT_WARN, "nic_down", "NIC %s (port of bond %s) is down",
				  p->name, b->name), b, p);
	}
	if (!zero_reported && b->is_8023ad && strcmp(b->partner_mac, "00:00:00:00:00:00") == 0)
		about(add(l, ALERT_WARN, "bond_partner_mac_zero",
			  "bond %s: active aggregator has no LACP partner (partner MAC 00:00:00:00:00:00)",
			  b->name), b, NULL);
	if (b->is_8023ad && b->num_ports >= 0 && (size_t)b->num_ports < b->nports && b->nports) {
		char missing[160] = "";
		size_t off = 0;
		for (size_t i = 0; i < b->nports && off < sizeof(missing); i++) {
			const struct bond_port *p = &b->ports[i];
			int out = b->ovs ? !(p->may_enable == 1 && strstr(p->lacp_state, "attached") &&
					     !strstr(p->lacp_state, "detached"))
				  : (p->aggregator_id >= 0 && p->aggregator_id != b->aggregator_id) ||
				    (p->problems & BOND_PORT_DOWN);
			if (out)
				off += (size_t)snprintf(missing + off, sizeof(missing) - off, "%s%s",
							off ? " " : "", p->name);
		}
		about(add(l, ALERT_WARN, "bond_aggregator_short",
			  "%s %s: the aggregator holds %d of %zu ports%s%s", kindof, b->name, b->num_ports,
			  b->nports, missing[0] ? "; out: " : "", missing), b, NULL);
	}
}

size_t host_metrics_alerts(const struct host_metrics *m, struct host_alert **out)
{
	struct alert_list l = { NULL, 0, 0 };
	for (size_t i = 0; i < m->nbonds; i++)
		bond_alerts(&l, m, &m->bonds[i]);
	if (m->numa.has_online) {
		size_t offline = 0;
		for (size_t i = 0; i < m->numa.n; i++)
			for (size_t k = 0; k < m->numa.nodes[i].ncpus; k++)
				offline += !numa_cpu_online(&m->numa, m->numa.nodes[i].cpus[k]);
		if (offline)
			add(&l, ALERT_INFO, "cpu_offline", "%zu CPUs are offline", offline);
	}
	if (m->nerrors)
		add(&l, ALERT_INFO, "parse_error", "%u host files could not be parsed; first: %s",
		    m->nerrors, m->first_error);
	*out = l.items;
	return l.n;
}

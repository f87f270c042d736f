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

static void add(struct alert_list *l, enum alert_severity sev, const char *kind,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void add(struct alert_list *l, enum alert_severity sev, const char *kind,
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
	for (size_t i = 0; i < b->nports; i++)
		known += b->ports[i].mii_status[0] != '\0';
	if ((b->mii_status[0] && strcmp(b->mii_status, "up") != 0) || (known && !up))
		add(l, ALERT_CRIT, "bond_down", "bond %s is down (%zu of %zu ports up)",
		    b->name, up, b->nports);
	for (size_t i = 0; i < b->nports; i++) {
		const struct bond_port *p = &b->ports[i];
		if (p->problems & BOND_PORT_DOWN)
			add(l, ALERT_WARN, "bond_port_down", "bond %s: port %s MII status %s",
			    b->name, p->name, p->mii_status[0] ? p->mii_status : "unknown");
		if (p->problems & BOND_PORT_CHURNED)
			add(l, ALERT_WARN, "bond_port_churned",
			    "bond %s: port %s churned (actor %s, partner %s)", b->name, p->name,
			    p->actor_churn[0] ? p->actor_churn : "?",
			    p->partner_churn[0] ? p->partner_churn : "?");
		if (p->problems & BOND_PORT_OTHER_AGG)
			add(l, ALERT_WARN, "bond_port_other_aggregator",
			    "bond %s: port %s is in aggregator %d, active aggregator is %d",
			    b->name, p->name, p->aggregator_id, b->aggregator_id);
		if (p->problems & BOND_PORT_ZERO_PARTNER) {
			add(l, ALERT_WARN, "bond_partner_mac_zero",
			    "bond %s: port %s sees no LACP partner (partner MAC 00:00:00:00:00:00)",
			    b->name, p->name);
			zero_reported = 1;
		}
		const struct nic *nic = host_metrics_nic(m, p->name);
		if (nic && strcmp(nic->operstate, "down") == 0)
			add(l, ALERT_WARN, "nic_down", "NIC %s (port of bond %s) is down",
			    p->name, b->name);
	}
	if (!zero_reported && b->is_8023ad && strcmp(b->partner_mac, "00:00:00:00:00:00") == 0)
		add(l, ALERT_WARN, "bond_partner_mac_zero",
		    "bond %s: active aggregator has no LACP partner (partner MAC 00:00:00:00:00:00)",
		    b->name);
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

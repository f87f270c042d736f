/* bonding.c — parse /proc/net/bonding/<bond>: mode, LACP, aggregator, ports. */
#include "metrics/bonding.h"

#include "core/err.h"
#include "core/xalloc.h"
#include "metrics/text.h"

#include <string.h>

static int int_value(const char *v, int dflt)
{
	char *p = (char *)v;
	int64_t x;
	if (text_i64(&p, &x) < 0 || x < -1 || x > 0x7fffffff)
		return dflt;
	return (int)x;
}

static int is_zero_mac(const char *mac)
{
	return strcmp(mac, "00:00:00:00:00:00") == 0;
}

/* LACP port state bits (IEEE 802.1AX; the kernel prints them as a number). */
#define LACP_STATE_DEFAULTED 0x40
#define LACP_STATE_EXPIRED   0x80

static int word_in(const char *words, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = words; (p = strstr(p, w)); p += n)
		if ((p == words || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return 1;
	return 0;
}

static int has_partner(const struct bond_port *p)
{
	return p->partner_mac[0] && !is_zero_mac(p->partner_mac);
}

/* Ports facing another partner (system MAC, or key when both known) than
 * the one most ports of the bond face. */
static void flag_partner_diff(struct bond *b)
{
	const struct bond_port *ref = NULL;
	size_t best = 0;
	for (size_t i = 0; i < b->nports; i++) {
		if (!has_partner(&b->ports[i]))
			continue;
		size_t same = 0;
		for (size_t k = 0; k < b->nports; k++)
			same += has_partner(&b->ports[k]) &&
				!strcmp(b->ports[k].partner_mac, b->ports[i].partner_mac) &&
				b->ports[k].partner_key == b->ports[i].partner_key;
		if (same > best) {
			best = same;
			ref = &b->ports[i];
		}
	}
	for (size_t i = 0; ref && i < b->nports; i++) {
		struct bond_port *p = &b->ports[i];
		if (!has_partner(p))
			continue;
		if (strcmp(p->partner_mac, ref->partner_mac) ||
		    (p->partner_key >= 0 && ref->partner_key >= 0 && p->partner_key != ref->partner_key))
			p->problems |= BOND_PORT_PARTNER_DIFF;
	}
}

void bond_flag_problems(struct bond *b)
{
	for (size_t i = 0; i < b->nports; i++) {
		struct bond_port *p = &b->ports[i];
		p->problems = 0;
		if (p->mii_status[0] && strcmp(p->mii_status, "up") != 0)
			p->problems |= BOND_PORT_DOWN;
		if (strcmp(p->actor_churn, "churned") == 0 || strcmp(p->partner_churn, "churned") == 0)
			p->problems |= BOND_PORT_CHURNED;
		if (!b->is_8023ad)
			continue;
		if (b->aggregator_id >= 0 && p->aggregator_id >= 0 && p->aggregator_id != b->aggregator_id)
			p->problems |= BOND_PORT_OTHER_AGG;
		if (is_zero_mac(p->partner_mac) ||
		    (!p->partner_mac[0] && is_zero_mac(b->partner_mac)))
			p->problems |= BOND_PORT_ZERO_PARTNER;
		if (p->problems & BOND_PORT_DOWN)
			continue;   /* a port that is down is also expired or defaulted: say it once */
		if (p->lacp_state[0]) {
			if (word_in(p->lacp_state, "defaulted"))
				p->problems |= BOND_PORT_DEFAULTED;
			else if (word_in(p->lacp_state, "expired"))
				p->problems |= BOND_PORT_EXPIRED;
			else if (word_in(p->lacp_state, "detached"))
				p->problems |= BOND_PORT_DETACHED;
		} else if (p->actor_port_state >= 0) {
			if (p->actor_port_state & LACP_STATE_DEFAULTED)
				p->problems |= BOND_PORT_DEFAULTED;
			else if (p->actor_port_state & LACP_STATE_EXPIRED)
				p->problems |= BOND_PORT_EXPIRED;
		}
	}
	if (b->is_8023ad)
		flag_partner_diff(b);
}

size_t bond_ports_up(const struct bond *b)
{
	size_t n = 0;
	for (size_t i = 0; i < b->nports; i++)
		n += strcmp(b->ports[i].mii_status, "up") == 0;
	return n;
}

void bond_free(struct bond *b)
{
	x_free(&b->ports);
	b->nports = 0;
}

void bond_port_init(struct bond_port *p, const char *name)
{
	memset(p, 0, sizeof(*p));
	text_copy(p->name, sizeof(p->name), name);
	p->speed_mbps = -1;
	p->aggregator_id = -1;
	p->actor_port_state = p->partner_port_state = -1;
	p->partner_key = -1;
	p->may_enable = -1;
}

enum section { SEC_BOND, SEC_AGG, SEC_PORT, SEC_ACTOR_PDU, SEC_PARTNER_PDU };

int parse_bonding(const char *name, const char *buf, size_t len, struct bond *out,
		  struct vd_err *err)
{
	char *text = text_dup(buf, len), *cur = text, *line;
	enum section sec = SEC_BOND;
	struct bond_port *port = NULL;
	size_t cap = 0;
	int seen_header = 0;

	memset(out, 0, sizeof(*out));
	text_copy(out->name, sizeof(out->name), name ? name : "");
	out->aggregator_id = out->num_ports = -1;
	out->actor_key = out->partner_key = -1;

	while ((line = text_next_line(&cur))) {
		char *key = text_skip_ws(line);
		text_rtrim(key);
		if (!*key)
			continue;
		if (text_prefix(key, "Ethernet Channel Bonding Driver"))
			seen_header = 1;
		if (strcmp(key, "Active Aggregator Info:") == 0) {
			sec = SEC_AGG;
			continue;
		}
		if (strcmp(key, "details actor lacp pdu:") == 0) {
			sec = port ? SEC_ACTOR_PDU : sec;
			continue;
		}
		if (strcmp(key, "details partner lacp pdu:") == 0) {
			sec = port ? SEC_PARTNER_PDU : sec;
			continue;
		}
		char *colon = strchr(key, ':');
		if (!colon)
			continue;
		*colon = '\0';
		char *val = text_skip_ws(colon + 1);

		if (strcmp(key, "Slave Interface") == 0) {
			if (out->nports >= BOND_MAX_PORTS)
				break;
			x_grow(&out->ports, &cap, out->nports + 1, sizeof(*out->ports));
			port = &out->ports[out->nports++];
			bond_port_init(port, val);
			sec = SEC_PORT;
			continue;
		}
		if (sec == SEC_BOND || (sec == SEC_AGG && !port && strcmp(key, "Aggregator ID") &&
					strcmp(key, "Number of ports") && strcmp(key, "Actor Key") &&
					strcmp(key, "Partner Key") && strcmp(key, "Partner Mac Address"))) {
			if (strcmp(key, "Bonding Mode") == 0) {
				text_copy(out->mode, sizeof(out->mode), val);
				out->is_8023ad = strstr(val, "802.3ad") != NULL;
				seen_header = 1;
			} else if (strcmp(key, "LACP rate") == 0 || strcmp(key, "LACP active") == 0) {
				if (strcmp(key, "LACP rate") == 0)
					text_copy(out->lacp_rate, sizeof(out->lacp_rate), val);
			} else if (strcmp(key, "MII Status") == 0) {
				text_copy(out->mii_status, sizeof(out->mii_status), val);
			} else if (strcmp(key, "Currently Active Slave") == 0) {
				text_copy(out->active_port, sizeof(out->active_port), val);
			}
			continue;
		}
		if (sec == SEC_AGG) {
			if (strcmp(key, "Aggregator ID") == 0)
				out->aggregator_id = int_value(val, -1);
			else if (strcmp(key, "Number of ports") == 0)
				out->num_ports = int_value(val, -1);
			else if (strcmp(key, "Actor Key") == 0)
				out->actor_key = int_value(val, -1);
			else if (strcmp(key, "Partner Key") == 0)
				out->partner_key = int_value(val, -1);
			else if (strcmp(key, "Partner Mac Address") == 0)
				text_copy(out->partner_mac, sizeof(out->partner_mac), val);
			continue;
		}
		if (!port)
			continue;
		if (sec == SEC_ACTOR_PDU || sec == SEC_PARTNER_PDU) {
			int actor = sec == SEC_ACTOR_PDU;
			if (strcmp(key, "port state") == 0) {
				if (actor)
					port->actor_port_state = int_value(val, -1);
				else
					port->partner_port_state = int_value(val, -1);
				continue;
			}
			if (strcmp(key, "system mac address") == 0) {
				if (!actor)
					text_copy(port->partner_mac, sizeof(port->partner_mac), val);
				continue;
			}
			if (strcmp(key, "oper key") == 0) {
				if (!actor)
					port->partner_key = int_value(val, -1);
				continue;
			}
			if (strcmp(key, "system priority") == 0 || strcmp(key, "port key") == 0 || strcmp(key, "port priority") == 0 ||
			    strcmp(key, "port number") == 0)
				continue;
			sec = SEC_PORT;   /* an unindented port line after the PDU block */
		}
		if (strcmp(key, "MII Status") == 0) {
			text_copy(port->mii_status, sizeof(port->mii_status), val);
		} else if (strcmp(key, "Speed") == 0) {
			char *p = val;
			int64_t s;
			port->speed_mbps = (text_i64(&p, &s) == 0 && s >= 0) ? s : -1;
		} else if (strcmp(key, "Duplex") == 0) {
			text_copy(port->duplex, sizeof(port->duplex), val);
		} else if (strcmp(key, "Link Failure Count") == 0) {
			char *p = val;
			uint64_t v;
			if (text_u64(&p, &v) == 0)
				port->link_failures = v;
		} else if (strcmp(key, "Aggregator ID") == 0) {
			port->aggregator_id = int_value(val, -1);
		} else if (strcmp(key, "Actor Churn State") == 0) {
			text_copy(port->actor_churn, sizeof(port->actor_churn), val);
		} else if (strcmp(key, "Partner Churn State") == 0) {
			text_copy(port->partner_churn, sizeof(port->partner_churn), val);
		} else if (strcmp(key, "Permanent HW addr") == 0) {
			text_copy(port->perm_hwaddr, sizeof(port->perm_hwaddr), val);
		}
	}
	x_free(&text);
	if (!seen_header) {
		bond_free(out);
		return err_set(err, VD_EINVAL, "bond %s: not /proc/net/bonding output", out->name);
	}
	bond_flag_problems(out);
	return 0;
}

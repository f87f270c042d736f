/* ovs_lacp.c — parse `ovs-appctl bond/show`, `lacp/show` and `ovs-vsctl show`. */
#include "metrics/ovs_lacp.h"

#include "core/xalloc.h"
#include "metrics/text.h"

#include <stdlib.h>
#include <string.h>

#define OVS_MAX_BONDS 1024
#define OVS_MAX_PORTS 64
#define OVS_MAX_IFACES 65536

struct acc {
	struct bond **bonds;
	size_t *n, *cap, first;
};

/* A name too long for struct bond would be cut, and two cut names could
 * become one: such a bond or member is left out. */
static struct bond *bond_get(struct acc *a, const char *name)
{
	if (strlen(name) >= sizeof((*a->bonds)->name))
		return NULL;
	for (size_t i = a->first; i < *a->n; i++)
		if (!strcmp((*a->bonds)[i].name, name))
			return &(*a->bonds)[i];
	if (*a->n - a->first >= OVS_MAX_BONDS)
		return NULL;
	x_grow(a->bonds, a->cap, *a->n + 1, sizeof(**a->bonds));
	struct bond *b = &(*a->bonds)[(*a->n)++];
	memset(b, 0, sizeof(*b));
	text_copy(b->name, sizeof(b->name), name);
	b->aggregator_id = b->num_ports = b->actor_key = b->partner_key = -1;
	b->ovs = 1;
	return b;
}

static struct bond_port *port_get(struct bond *b, const char *name)
{
	if (strlen(name) >= sizeof(b->ports->name))
		return NULL;
	for (size_t i = 0; i < b->nports; i++)
		if (!strcmp(b->ports[i].name, name))
			return &b->ports[i];
	if (b->nports >= OVS_MAX_PORTS)
		return NULL;
	/* no capacity field: the array doubles when nports is 0 or a power of
	 * two, which is when it is full */
	if ((b->nports & (b->nports - 1)) == 0)
		b->ports = x_realloc(b->ports, (b->nports ? 2 * b->nports : 1) * sizeof(*b->ports));
	struct bond_port *p = &b->ports[b->nports++];
	bond_port_init(p, name);
	return p;
}

/* "---- NAME ----" → NAME (in place), else NULL. */
static char *header_name(char *line)
{
	size_t n = strlen(line);
	if (n < 10 || strncmp(line, "---- ", 5) || strcmp(line + n - 5, " ----"))
		return NULL;
	line[n - 5] = '\0';
	return text_skip_ws(line + 5);
}

/* Splits "key: value" in place; NULL when there is no ": ". */
static char *split_kv(char *s)
{
	char *c = strstr(s, ":");
	if (!c)
		return NULL;
	*c = '\0';
	text_rtrim(s);
	return text_skip_ws(c + 1);
}

static int num(const char *v)
{
	char *p = (char *)v;
	int64_t x;
	return text_i64(&p, &x) == 0 && x >= 0 && x <= 0x7fffffff ? (int)x : -1;
}

/* "member eth1: enabled" (bond/show) or "member: eth1: current attached"
 * (lacp/show); "slave" in OVS before 2.16.  Returns the name, *rest the
 * words after it. */
static char *member_line(char *line, char **rest)
{
	char *p;
	if (text_prefix(line, "member"))
		p = line + 6;
	else if (text_prefix(line, "slave"))
		p = line + 5;
	else
		return NULL;
	if (*p == ':')
		p++;
	if (*p != ' ')
		return NULL;
	p = text_skip_ws(p);
	char *c = strchr(p, ':');
	if (!c || c == p)
		return NULL;
	*c = '\0';
	*rest = text_skip_ws(c + 1);
	text_rtrim(*rest);
	return p;
}

static void parse_bond_show(struct acc *a, const char *buf, size_t len)
{
	char *text = text_dup(buf, len), *cur = text, *line, *name, *rest;
	struct bond *b = NULL;
	struct bond_port *p = NULL;
	while ((line = text_next_line(&cur))) {
		text_rtrim(line);
		if ((name = header_name(line))) {
			b = bond_get(a, name);
			p = NULL;
			continue;
		}
		if (!b)
			continue;
		if (line[0] != ' ' && (name = member_line(line, &rest))) {
			p = port_get(b, name);
			if (p)
				text_copy(p->mii_status, sizeof(p->mii_status),
					  !strcmp(rest, "enabled") ? "up" : "down");
			continue;
		}
		char *key = text_skip_ws(line);
		if (p && key != line) {
			if (!strcmp(key, "active member") || !strcmp(key, "active slave"))
				text_copy(b->active_port, sizeof(b->active_port), p->name);
			else if (text_prefix(key, "may_enable:"))
				p->may_enable = !strcmp(text_skip_ws(key + 11), "true");
			continue;
		}
		char *val = split_kv(key);
		if (!val)
			continue;
		if (!strcmp(key, "bond_mode"))
			text_copy(b->mode, sizeof(b->mode), val);
	}
	x_free(&text);
}

static void parse_lacp_show(struct acc *a, const char *buf, size_t len)
{
	char *text = text_dup(buf, len), *cur = text, *line, *name, *rest;
	struct bond *b = NULL;
	struct bond_port *p = NULL;
	while ((line = text_next_line(&cur))) {
		text_rtrim(line);
		if ((name = header_name(line))) {
			b = bond_get(a, name);
			p = NULL;
			if (b)
				b->is_8023ad = 1;
			continue;
		}
		if (!b)
			continue;
		if (line[0] != ' ' && (name = member_line(line, &rest))) {
			p = port_get(b, name);
			if (p)
				text_copy(p->lacp_state, sizeof(p->lacp_state), rest);
			continue;
		}
		char *key = text_skip_ws(line);
		char *val = split_kv(key);
		if (!val)
			continue;
		if (!p) {
			if (!strcmp(key, "status"))
				b->is_8023ad = strcmp(val, "off") != 0;
			else if (!strcmp(key, "aggregation key"))
				b->actor_key = num(val);
			else if (!strcmp(key, "lacp_time"))
				text_copy(b->lacp_rate, sizeof(b->lacp_rate), val);
			continue;
		}
		if (!strcmp(key, "may_enable"))
			p->may_enable = !strcmp(val, "true");
		else if (!strcmp(key, "partner sys_id"))
			text_copy(p->partner_mac, sizeof(p->partner_mac), val);
		else if (!strcmp(key, "partner key"))
			p->partner_key = num(val);
	}
	x_free(&text);
}

static void finish(struct bond *b)
{
	size_t up = 0, in = 0;
	for (size_t i = 0; i < b->nports; i++) {
		const struct bond_port *p = &b->ports[i];
		up += !strcmp(p->mii_status, "up");
		if (!strstr(p->lacp_state, "detached") && strstr(p->lacp_state, "attached") && p->may_enable == 1)
			in++;
		/* the bond's partner: the first member that has one */
		if (!b->partner_mac[0] && p->partner_mac[0] && strcmp(p->partner_mac, "00:00:00:00:00:00")) {
			text_copy(b->partner_mac, sizeof(b->partner_mac), p->partner_mac);
			b->partner_key = p->partner_key;
		}
	}
	if (b->is_8023ad) {
		b->num_ports = (int)in;
		if (!b->partner_mac[0] && b->nports)
			text_copy(b->partner_mac, sizeof(b->partner_mac), "00:00:00:00:00:00");
	}
	if (b->nports)
		text_copy(b->mii_status, sizeof(b->mii_status), up ? "up" : "down");
	bond_flag_problems(b);
}

size_t parse_ovs_bonds(const char *bond_show, size_t bond_len, const char *lacp_show, size_t lacp_len,
		       struct bond **bonds, size_t *n, size_t *cap)
{
	struct acc a = { bonds, n, cap, *n };
	if (bond_show)
		parse_bond_show(&a, bond_show, bond_len);
	if (lacp_show)
		parse_lacp_show(&a, lacp_show, lacp_len);
	for (size_t i = a.first; i < *n; i++)
		finish(&(*bonds)[i]);
	return *n - a.first;
}

size_t parse_ovs_vsctl_show(const char *buf, size_t len, struct ovs_iface **out)
{
	char *text = text_dup(buf, len), *cur = text, *line;
	char bridge[32] = "", port[32] = "";
	struct ovs_iface *v = NULL;
	size_t n = 0, cap = 0;
	while ((line = text_next_line(&cur))) {
		text_rtrim(line);
		char *key = text_skip_ws(line);
		size_t indent = (size_t)(key - line);
		if (text_prefix(key, "Bridge ")) {
			text_copy(bridge, sizeof(bridge), text_skip_ws(key + 7));
			port[0] = '\0';
		} else if (text_prefix(key, "Port ") && bridge[0]) {
			text_copy(port, sizeof(port), text_skip_ws(key + 5));
		} else if (text_prefix(key, "Interface ") && port[0] && n < OVS_MAX_IFACES) {
			x_grow(&v, &cap, n + 1, sizeof(*v));
			struct ovs_iface *f = &v[n++];
			memset(f, 0, sizeof(*f));
			text_copy(f->bridge, sizeof(f->bridge), bridge);
			text_copy(f->port, sizeof(f->port), port);
			text_copy(f->iface, sizeof(f->iface), text_skip_ws(key + 10));
		} else if (text_prefix(key, "type: ") && n && indent >= 16 && port[0]) {
			text_copy(v[n - 1].type, sizeof(v[n - 1].type), text_skip_ws(key + 6));
		}
	}
	x_free(&text);
	/* names may be quoted ("Port \"a b\"") by ovs-vsctl: strip the quotes */
	for (size_t i = 0; i < n; i++) {
		char *fields[] = { v[i].bridge, v[i].port, v[i].iface };
		for (int k = 0; k < 3; k++) {
			size_t l = strlen(fields[k]);
			if (l >= 2 && fields[k][0] == '"' && fields[k][l - 1] == '"') {
				memmove(fields[k], fields[k] + 1, l - 2);
				fields[k][l - 2] = '\0';
			}
		}
	}
	*out = v;
	return n;
}

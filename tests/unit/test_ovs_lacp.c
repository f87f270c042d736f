/* test_ovs_lacp.c — Open vSwitch bond/show, lacp/show and vsctl show
 * parsers on captures of the lab's OVS 3.1 (tests/fixtures/metrics/ovs/),
 * and the alerts a host with such bonds raises. */
#include "check.h"

#include "core/err.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "metrics/bundle.h"
#include "metrics/host_metrics.h"
#include "metrics/ovs_lacp.h"

#include <stdlib.h>
#include <string.h>

#define FIX "tests/fixtures/metrics/ovs/"

static char *fix(const char *name, size_t *len)
{
	char path[256];
	snprintf(path, sizeof path, FIX "%s", name);
	char *s = check_slurp(path, len);
	if (!s) {
		fprintf(stderr, "FAIL missing fixture %s\n", path);
		exit(1);
	}
	return s;
}

static const struct bond_port *port(const struct bond *b, const char *name)
{
	for (size_t i = 0; i < b->nports; i++)
		if (!strcmp(b->ports[i].name, name))
			return &b->ports[i];
	return NULL;
}

/* Parses the bond/show + lacp/show pair named SUFFIX into *b (one bond). */
static int load(const char *suffix, struct bond *b)
{
	char n1[64], n2[64];
	size_t l1, l2;
	snprintf(n1, sizeof n1, "bond_show_%s", suffix);
	snprintf(n2, sizeof n2, "lacp_show_%s", suffix);
	char *s1 = fix(n1, &l1), *s2 = fix(n2, &l2);
	struct bond *v = NULL;
	size_t n = 0, cap = 0;
	size_t added = parse_ovs_bonds(s1, l1, s2, l2, &v, &n, &cap);
	free(s1);
	free(s2);
	if (added != 1) {
		for (size_t i = 0; i < n; i++)
			bond_free(&v[i]);
		free(v);
		return -1;
	}
	*b = v[0];
	free(v);
	return 0;
}

static void test_negotiated(void)
{
	struct bond b;
	CHECK_INT(load("ok", &b), 0);
	CHECK_STR(b.name, "bond0");
	CHECK(b.ovs && b.is_8023ad);
	CHECK_STR(b.mode, "balance-tcp");
	CHECK_STR(b.lacp_rate, "fast");
	CHECK_INT(b.actor_key, 3);
	CHECK_INT(b.partner_key, 1);
	CHECK_STR(b.partner_mac, "32:21:f3:00:4e:4b");
	CHECK_INT(b.num_ports, 2);
	CHECK_STR(b.mii_status, "up");
	CHECK_STR(b.active_port, "eth2");
	CHECK_INT(b.nports, 2);
	for (size_t i = 0; i < b.nports; i++) {
		CHECK_INT(b.ports[i].problems, 0);
		CHECK_STR(b.ports[i].lacp_state, "current attached");
		CHECK_INT(b.ports[i].may_enable, 1);
		CHECK_STR(b.ports[i].mii_status, "up");
	}
	bond_free(&b);
}

static void test_member_down(void)
{
	struct bond b;
	CHECK_INT(load("down", &b), 0);
	const struct bond_port *p1 = port(&b, "eth1"), *p2 = port(&b, "eth2");
	CHECK(p1 && p1->problems == 0);
	CHECK(p2 && !strcmp(p2->mii_status, "down") && (p2->problems & BOND_PORT_DOWN));
	/* down says it all: not also "expired" */
	CHECK(p2 && !(p2->problems & BOND_PORT_EXPIRED) && !strcmp(p2->lacp_state, "expired attached"));
	CHECK_INT(b.num_ports, 1);
	bond_free(&b);
}

/* The partner went away: "status: active" (no longer negotiated), every
 * member defaulted, detached, partner sys_id zero. */
static void test_dead_partner(void)
{
	struct bond b;
	CHECK_INT(load("dead", &b), 0);
	CHECK_INT(b.num_ports, 0);
	CHECK_STR(b.partner_mac, "00:00:00:00:00:00");
	/* bond/show says "disabled"; without NIC facts that is all we know */
	CHECK_STR(b.mii_status, "down");
	bond_free(&b);
}

/* The LAB.md finding: OVS 3.1 says "active negotiated" with no partner. */
static void test_negotiated_without_partner(void)
{
	struct bond b;
	CHECK_INT(load("nopartner", &b), 0);
	CHECK(b.is_8023ad);
	CHECK_INT(b.num_ports, 0);
	CHECK_STR(b.partner_mac, "00:00:00:00:00:00");
	const struct bond_port *p = port(&b, "swp1");
	CHECK(p && (p->problems & BOND_PORT_ZERO_PARTNER));
	/* links are up (bond/show says disabled: host_metrics fixes mii from
	 * the NIC); by hand: */
	for (size_t i = 0; i < b.nports; i++)
		strcpy(b.ports[i].mii_status, "up");
	bond_flag_problems(&b);
	CHECK(p && (p->problems & BOND_PORT_EXPIRED) && !(p->problems & BOND_PORT_DOWN));
	bond_free(&b);
}

static void test_partner_differs(void)
{
	size_t len;
	char *s = fix("lacp_show_ok", &len);
	/* eth2 faces another switch: change its partner sys_id */
	char *second = strstr(s, "member: eth2");
	char *sys = second ? strstr(second, "partner sys_id: 32:21:f3:00:4e:4b") : NULL;
	CHECK(sys != NULL);
	if (sys)
		memcpy(sys + 16, "aa", 2);
	struct bond *v = NULL;
	size_t n = 0, cap = 0;
	CHECK_INT(parse_ovs_bonds(NULL, 0, s, len, &v, &n, &cap), 1);
	if (n == 1) {
		const struct bond_port *p1 = port(&v[0], "eth1"), *p2 = port(&v[0], "eth2");
		/* one each: the first found wins the tie */
		CHECK(p1 && p2 && ((p1->problems | p2->problems) & BOND_PORT_PARTNER_DIFF));
		bond_free(&v[0]);
	}
	free(v);
	free(s);
}

static void test_vsctl_show(void)
{
	size_t len;
	char *s = fix("vsctl_show_bond", &len);
	struct ovs_iface *f = NULL;
	size_t n = parse_ovs_vsctl_show(s, len, &f);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK(!strcmp(f[0].bridge, "br0") && !strcmp(f[0].iface, "br0") && !strcmp(f[0].type, "internal"));
		CHECK(!strcmp(f[1].port, "bond0") && !strcmp(f[1].iface, "eth1") && !f[1].type[0]);
		CHECK(!strcmp(f[2].port, "bond0") && !strcmp(f[2].iface, "eth2"));
	}
	free(f);
	free(s);
	s = fix("vsctl_show_plain", &len);
	n = parse_ovs_vsctl_show(s, len, &f);
	CHECK_INT(n, 3);
	if (n == 3)
		CHECK(!strcmp(f[0].port, "eth2") && !strcmp(f[0].iface, "eth2"));
	free(f);
	free(s);
}

/* A whole poll bundle: a NIC eth2 down, OVS records → alerts with ports. */
static void append_rec(struct strbuf *sb, const char *hdr, const char *fixname)
{
	size_t len;
	sb_appendc(sb, BUNDLE_SEP);
	sb_append(sb, hdr);
	sb_appendc(sb, '\n');
	if (fixname) {
		char *s = fix(fixname, &len);
		sb_append_n(sb, s, len);
		free(s);
	}
}

static void test_host_alerts(const char *suffix, const char *eth2_state, const char *want_kind,
			     const char *want_port, int want_total_bond_alerts)
{
	struct strbuf sb;
	sb_init(&sb);
	/* the "nopartner" capture was taken on the switch side */
	int sw = !strcmp(suffix, "nopartner");
	sb_appendf(&sb, "\036F /sys/class/net/%s/operstate\nup\n\036F /sys/class/net/%s/operstate\n%s\n",
		   sw ? "swp1" : "eth1", sw ? "swp2" : "eth2", eth2_state);
	append_rec(&sb, "C ovs-vsctl show", "vsctl_show_bond");
	char n1[64], n2[64];
	snprintf(n1, sizeof n1, "bond_show_%s", suffix);
	snprintf(n2, sizeof n2, "lacp_show_%s", suffix);
	append_rec(&sb, "C ovs-appctl bond/show", n1);
	append_rec(&sb, "C ovs-appctl lacp/show", n2);
	struct host_metrics m;
	struct vd_err e;
	err_clear(&e);
	CHECK_INT(host_metrics_parse(sb.buf, sb.len, 1, &m, &e), 0);
	CHECK_INT(m.nbonds, 1);
	CHECK(m.has_ovs);
	if (m.nbonds == 1) {
		CHECK_STR(m.bonds[0].bridge, sw ? "" : "br0");
		struct nic *nic = host_metrics_nic(&m, sw ? "swp1" : "eth1");
		CHECK(nic && !strcmp(nic->bond_master, "bond0"));
	}
	struct host_alert *a = NULL;
	size_t na = host_metrics_alerts(&m, &a), found = 0, bond_alerts = 0;
	for (size_t i = 0; i < na; i++) {
		bond_alerts += a[i].bond[0] != 0;
		if (want_kind && !strcmp(a[i].kind, want_kind) && !strcmp(a[i].port, want_port ? want_port : ""))
			found++;
	}
	if ((want_kind && !found) || (int)bond_alerts != want_total_bond_alerts) {
		for (size_t i = 0; i < na; i++)
			fprintf(stderr, "  alert %s %s/%s: %s\n", a[i].kind, a[i].bond, a[i].port, a[i].message);
	}
	CHECK(!want_kind || found == 1);
	CHECK_INT(bond_alerts, want_total_bond_alerts);
	free(a);
	host_metrics_free(&m);
	sb_free(&sb);
}

/* Junk parses into nothing it does not say: no bond or member without a
 * name, an out-of-range key stays unknown, every string stays terminated. */
static void test_hostile(void)
{
	static const struct { const char *text; size_t bonds, ifaces; } junk[] = {
		{ "---- ----\n", 0, 0 },
		{ "---- x ----\nmember :\nmember: : :\nslave y:\n  may_enable: true\n", 1, 0 },
		{ "---- b ----\nmember: a: current attached\n  partner key: 99999999999999\n  partner sys_id: "
		  "0123456789012345678901234567890123456789\n", 1, 0 },
		{ "\n\n\n", 0, 0 },
		{ "Bridge\n    Port\n        Interface\n", 0, 0 },
		{ "    Bridge \"\n        Port \"\n            Interface \"\n", 0, 1 },
	};
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		const char *s = junk[i].text;
		struct bond *v = NULL;
		size_t n = 0, cap = 0;
		CHECK_INT(parse_ovs_bonds(s, strlen(s), s, strlen(s), &v, &n, &cap), junk[i].bonds);
		CHECK_INT(n, junk[i].bonds);
		for (size_t k = 0; k < n; k++) {
			CHECK(v[k].name[0] != '\0');
			CHECK(v[k].partner_key >= -1 && v[k].partner_key <= 65535);
			CHECK(v[k].actor_key >= -1 && v[k].actor_key <= 65535);
			CHECK(memchr(v[k].partner_mac, '\0', sizeof v[k].partner_mac) != NULL);
			CHECK_INT(v[k].nports, 1);
			for (size_t j = 0; j < v[k].nports; j++)
				CHECK(v[k].ports[j].name[0] != '\0');
			bond_free(&v[k]);
		}
		free(v);
		struct ovs_iface *f = NULL;
		CHECK_INT(parse_ovs_vsctl_show(s, strlen(s), &f), junk[i].ifaces);
		free(f);
	}
}

/* Names longer than struct bond holds are left out: cut short, two of them
 * became one name twice (found by fuzz_ovs_lacp). */
static void test_long_names(void)
{
	const char *show =
		"---- bond-with-a-name-longer-than-31-chars-A ----\nmember eth0: enabled\n"
		"---- bond-with-a-name-longer-than-31-chars-B ----\nmember eth1: enabled\n"
		"---- ok ----\nmember a-member-name-longer-than-31-chars: enabled\nmember eth2: enabled\n";
	struct bond *v = NULL;
	size_t n = 0, cap = 0;
	CHECK_INT(parse_ovs_bonds(show, strlen(show), NULL, 0, &v, &n, &cap), 1);
	if (n == 1) {
		CHECK_STR(v[0].name, "ok");
		CHECK_INT(v[0].nports, 1);
		CHECK(v[0].nports == 1 && !strcmp(v[0].ports[0].name, "eth2"));
	}
	for (size_t k = 0; k < n; k++)
		bond_free(&v[k]);
	free(v);
}

int main(void)
{
	test_negotiated();
	test_member_down();
	test_dead_partner();
	test_negotiated_without_partner();
	test_partner_differs();
	test_vsctl_show();
	test_host_alerts("ok", "up", NULL, NULL, 0);
	test_host_alerts("down", "down", "bond_port_down", "eth2", 2);   /* + aggregator short */
	test_host_alerts("down", "down", "bond_aggregator_short", NULL, 2);
	/* per port: expired + no partner; the aggregator holds none; the bond is
	 * down although every link is up */
	test_host_alerts("nopartner", "up", "bond_port_expired", "swp1", 6);
	test_host_alerts("nopartner", "up", "bond_down", NULL, 6);
	test_hostile();
	test_long_names();
	return check_summary();
}

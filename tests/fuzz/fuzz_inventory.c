/* fuzz_inventory.c — libFuzzer target: the inventory loader's checking and
 * conversion of values (src/lua/inventory_load.c).  The input does not run
 * as Lua: it drives a generator that writes host{} and defaults{}
 * declarations whose fields hold literals only (strings as "\ddd" escapes,
 * integers, floats including nan and inf, booleans, nested tables), so the
 * loader's own Lua state sees every value type in every field and nothing
 * else.
 *
 * Invariants: a refused file gives VD_ECONFIG and a message that starts
 * with the file name ("fuzz:"); an accepted one holds exactly the hosts
 * declared, in order, each with the name and address written (round trip),
 * a valid unique name, port 1..65535, interval 100..3600000 ms, a user, a
 * known_hosts path, a libvirt URI, and an address when the transport is
 * ssh; connect_timeout within 0..600 s; time per byte is bounded.  A
 * switch{} (portgroups with VLANs, trunks, bandwidth, filters) may follow:
 * accepted, each switch's network has valid names and tags, VLANs only on
 * OVS, at most one default portgroup, and its XML parses back converged. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "fuzz_check.h"
#include "lua/inventory_load.h"
#include "metrics/netxml.h"
#include "ops/xml_network.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_HOSTS 64

struct gen {
	const uint8_t *p, *end;
	struct strbuf  sb;
	char          *last_string;   /* the last string literal written (not owned) */
	char          *names[MAX_HOSTS], *addresses[MAX_HOSTS];
	size_t         nhosts;
};

static unsigned next(struct gen *g)
{
	return g->p < g->end ? *g->p++ : 0;
}

static const char *const words[] = {
	"ssh", "local", "none", "root", "~/.ssh/known_hosts", "/etc/ssh/known", "kvm1", "kvm-2.lab",
	"qemu:///system", "test:///default", "10.0.0.1", "", "a b", "x\"y", "default", "-",
};

static void string(struct gen *g, const char *s, size_t n)
{
	static char last[256];
	sb_appendc(&g->sb, '"');
	for (size_t i = 0; i < n; i++)
		sb_appendf(&g->sb, "\\%03u", (unsigned char)s[i]);
	sb_appendc(&g->sb, '"');
	n = n < sizeof last - 1 ? n : sizeof last - 1;
	memcpy(last, s, n);
	last[n] = '\0';
	g->last_string = last;
}

static void value(struct gen *g, int depth);

static void table(struct gen *g, int depth, const char *const *fields, size_t nfields)
{
	unsigned mask = next(g) | next(g) << 8;
	sb_appendc(&g->sb, '{');
	for (size_t i = 0; i < nfields; i++) {
		if (!(mask >> i & 1))
			continue;
		sb_appendf(&g->sb, "%s=", fields[i]);
		value(g, depth + 1);
		sb_appendc(&g->sb, ',');
	}
	sb_appendc(&g->sb, '}');
}

static void value(struct gen *g, int depth)
{
	static const char *const ssh_fields[] = { "user", "port", "identity", "known_hosts", "bogus" };
	unsigned kind = next(g) % 10;
	g->last_string = NULL;
	switch (kind) {
	case 0: {
		char s[32];
		size_t n = next(g) % sizeof s;
		for (size_t i = 0; i < n; i++)
			s[i] = (char)next(g);
		string(g, s, n);
		break;
	}
	case 1:
	case 2: {
		const char *w = words[next(g) % (sizeof words / sizeof words[0])];
		string(g, w, strlen(w));
		break;
	}
	case 3:
		sb_appendf(&g->sb, "%d", (int)(int16_t)(next(g) | next(g) << 8));
		break;
	case 4: {
		uint64_t u = 0;
		for (int i = 0; i < 8; i++)
			u = u << 8 | next(g);
		sb_appendf(&g->sb, "%lld", (long long)u);
		break;
	}
	case 5: {
		uint64_t u = 0;
		double d;
		for (int i = 0; i < 8; i++)
			u = u << 8 | next(g);
		memcpy(&d, &u, sizeof d);
		if (isnan(d))
			sb_append(&g->sb, "(0/0)");
		else if (isinf(d))
			sb_append(&g->sb, d > 0 ? "(1/0)" : "(-1/0)");
		else
			sb_appendf(&g->sb, "%.17g", d);
		break;
	}
	case 6: {
		/* a number of seconds near the limits */
		static const char *const near[] = { "0.1", "0.09999", "3600", "3600.001", "1e-300", "-0.0",
			"600", "601", "(0/0)", "(1/0)", "65535", "65536", "2^31", "-2^31" };
		sb_append(&g->sb, near[next(g) % (sizeof near / sizeof near[0])]);
		break;
	}
	case 7:
		sb_append(&g->sb, next(g) & 1 ? "true" : "false");
		break;
	case 8:
		if (depth < 2) {
			table(g, depth, ssh_fields, sizeof ssh_fields / sizeof ssh_fields[0]);
			break;
		}
		/* fall through */
	default:
		if (depth < 2) {
			unsigned n = next(g) % 4;
			sb_appendc(&g->sb, '{');
			for (unsigned i = 0; i < n; i++) {
				value(g, depth + 1);
				sb_appendc(&g->sb, ',');
			}
			sb_appendc(&g->sb, '}');
		} else {
			sb_append(&g->sb, "nil");
		}
		break;
	}
	if (kind > 2)
		g->last_string = NULL;
}

/* host{...}: remembers the name and address it wrote when they are strings. */
static void host(struct gen *g)
{
	static const char *const fields[] = { "name", "address", "libvirt", "transport", "sysroot",
		"tags", "ssh", "interval", "bogus" };
	unsigned mask = next(g) | next(g) << 8;
	size_t h = g->nhosts++;
	g->names[h] = g->addresses[h] = NULL;
	sb_append(&g->sb, "host{");
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		/* most hosts have a name */
		if (!(mask >> i & 1) && !(i == 0 && (mask & 0x8000)))
			continue;
		sb_appendf(&g->sb, "%s=", fields[i]);
		if (i == 0 && next(g) % 4) {
			/* mostly a valid, unique name, so the other fields get read */
			char name[16];
			snprintf(name, sizeof name, "h%zu", h);
			string(g, name, strlen(name));
		} else {
			value(g, 0);
		}
		if (i < 2 && g->last_string)
			(i == 0 ? g->names : g->addresses)[h] = strdup(g->last_string);
		sb_appendc(&g->sb, ',');
	}
	sb_append(&g->sb, "}\n");
}

/* switch{...}: fields drawn like host{}'s; portgroups get their own
 * fields so VLAN, trunk, bandwidth and filter are reached. */
static void rate(struct gen *g)
{
	unsigned m = next(g);
	if (!(m & 3)) {
		value(g, 1);
		return;
	}
	sb_appendf(&g->sb, "{average=%u,", next(g) | next(g) << 8);
	if (m & 4)
		sb_appendf(&g->sb, "peak=%u,", next(g) | next(g) << 8);
	if (m & 8)
		sb_appendf(&g->sb, "burst=%u,", next(g));
	sb_appendc(&g->sb, '}');
}

static void portgroup(struct gen *g)
{
	static const char *const fields[] = { "name", "vlan", "trunk", "bandwidth", "filter", "default", "bogus" };
	unsigned mask = next(g);
	sb_appendc(&g->sb, '{');
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		/* a name mostly; an unknown field rarely, so the others are read */
		if ((!(mask >> i & 1) && i) || (i == 6 && !(mask & 0x80)))
			continue;
		sb_appendf(&g->sb, "%s=", fields[i]);
		/* mostly a value of the right kind, sometimes anything */
		if (!(next(g) % 4))
			value(g, 1);
		else if (i == 0)
			sb_appendf(&g->sb, "\"p%u\"", next(g) % 8);
		else if (i == 1)
			sb_appendf(&g->sb, "%u", next(g) | (next(g) & 15) << 8);
		else if (i == 2)
			sb_appendf(&g->sb, "{%u,%u}", next(g) * 16 + 1, next(g) * 16 + 2);
		else if (i == 3) {
			sb_append(&g->sb, "{inbound=");
			rate(g);
			sb_append(&g->sb, ",outbound=");
			rate(g);
			sb_appendc(&g->sb, '}');
		} else if (i == 4)
			sb_append(&g->sb, next(g) & 1 ? "\"clean-traffic\"" : "\"f<&'\"");
		else if (i == 5)
			sb_append(&g->sb, next(g) & 1 ? "true" : "false");
		else
			value(g, 1);
		sb_appendc(&g->sb, ',');
	}
	sb_appendc(&g->sb, '}');
}

static void switch_decl(struct gen *g)
{
	unsigned mask = next(g);
	sb_appendf(&g->sb, "switch{name=\"s%u\",", next(g) % 4);
	if (mask & 1)
		sb_append(&g->sb, "hosts={\"h0\"},");
	else if (mask & 2)
		sb_append(&g->sb, "hosts={tag=\"t\"},");
	else {
		sb_append(&g->sb, "hosts=");
		value(g, 0);
		sb_appendc(&g->sb, ',');
	}
	if (mask & 4) {
		sb_append(&g->sb, "uplink=");
		value(g, 1);
		sb_appendc(&g->sb, ',');
	} else {
		sb_append(&g->sb, "uplink=\"br0\",");
	}
	sb_appendf(&g->sb, "backend=%s,", mask & 8 ? "\"bridge\"" : mask & 16 ? "\"vpp\"" : "\"ovs\"");
	if ((mask & 96) == 96)
		sb_append(&g->sb, "bogus=1,");
	unsigned n = next(g) % 5;
	sb_append(&g->sb, "portgroups={");
	for (unsigned i = 0; i < n; i++) {
		portgroup(g);
		sb_appendc(&g->sb, ',');
	}
	sb_append(&g->sb, "}}\n");
}

static void check_switches(const struct inventory *inv)
{
	for (size_t i = 0; i < inv->nswitches; i++) {
		const struct switch_config *sw = &inv->switches[i];
		FUZZ_ASSERT(sw->name && sw->uplink && strlen(sw->uplink) <= 15);
		FUZZ_ASSERT(!strcmp(sw->backend, "ovs") || !strcmp(sw->backend, "bridge"));
		FUZZ_ASSERT(sw->host_tag || sw->nhosts);
		FUZZ_ASSERT(sw->net.npgs <= NET_MAX_PORTGROUPS);
		size_t defaults = 0;
		for (size_t k = 0; k < sw->net.npgs; k++) {
			const struct net_portgroup *pg = &sw->net.pgs[k];
			defaults += pg->is_default != 0;
			FUZZ_ASSERT(!pg->ntags || !strcmp(sw->backend, "ovs"));
			for (size_t t = 0; t < pg->ntags; t++)
				FUZZ_ASSERT(pg->tags[t] >= 1 && pg->tags[t] <= 4094);
			FUZZ_ASSERT(!pg->in.peak || pg->in.peak >= pg->in.average);
		}
		FUZZ_ASSERT(defaults <= 1);
		/* the network the switch wants, as XML, parses back converged */
		struct strbuf xml;
		sb_init(&xml);
		xml_network(&sw->net, &xml);
		struct net_def back;
		FUZZ_ASSERT(netxml_parse(xml.buf, xml.len, &back, NULL) == 0);
		back.active = back.autostart = 1;
		char why[256];
		FUZZ_ASSERT(net_compare(&sw->net, &back, why, sizeof why) == 0);
		net_def_free(&back);
		sb_free(&xml);
	}
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);
	return n >= 1 && n <= 63 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == n;
}

static void check_loaded(const struct gen *g, const struct inventory *inv)
{
	FUZZ_ASSERT(inv->nhosts == g->nhosts && inv->nhosts >= 1);
	FUZZ_ASSERT(inv->connect_timeout_ms >= 0 && inv->connect_timeout_ms <= 600000);
	for (size_t i = 0; i < inv->nhosts; i++) {
		const struct host_config *h = &inv->hosts[i];
		FUZZ_ASSERT(h->name && valid_name(h->name));
		FUZZ_ASSERT(g->names[i] && !strcmp(h->name, g->names[i]));
		FUZZ_ASSERT(!g->addresses[i] || (h->address && !strcmp(h->address, g->addresses[i])));
		for (size_t k = 0; k < i; k++)
			FUZZ_ASSERT(strcmp(inv->hosts[k].name, h->name) != 0);
		FUZZ_ASSERT(h->ssh.port >= 1 && h->ssh.port <= 65535);
		FUZZ_ASSERT(h->interval_ms >= 100 && h->interval_ms <= 3600000);
		FUZZ_ASSERT(h->ssh.user && h->libvirt_uri);
		/* trust stores: SSH hosts have one, and every path is absolute */
		FUZZ_ASSERT(h->transport != HT_SSH || h->ssh.known_hosts);
		FUZZ_ASSERT(!h->ssh.known_hosts || h->ssh.known_hosts[0] == '/');
		FUZZ_ASSERT(!h->ssh.identity || h->ssh.identity[0] == '/');
		FUZZ_ASSERT(h->transport != HT_SSH || h->address);
		for (size_t k = 0; k < h->ntags; k++)
			FUZZ_ASSERT(h->tags[k] != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const dfields[] = { "ssh", "interval", "theme", "connect_timeout", "sysroot",
		"keys", "bogus" };
	struct gen g = { .p = data, .end = data + size };
	sb_init(&g.sb);
	unsigned first = next(&g);
	if (first & 1) {
		sb_append(&g.sb, "defaults");
		table(&g, 0, dfields, sizeof dfields / sizeof dfields[0]);
		sb_appendc(&g.sb, '\n');
	}
	unsigned n = first >> 1 & 7;
	for (unsigned i = 0; i < n && g.nhosts < MAX_HOSTS; i++)
		host(&g);
	if (first & 0x80)   /* a second defaults{} is an error */
		sb_append(&g.sb, "defaults{}\n");
	for (unsigned i = 0; i < (first >> 4 & 3); i++)
		switch_decl(&g);

	struct inventory inv;
	struct vd_err e;
	err_clear(&e);
	double t0 = fuzz_clock_start();
	int rc = inventory_load_string(g.sb.buf, "fuzz", &inv, &e);
	fuzz_clock_check(t0, size + g.sb.len, "inventory_load_string");
	if (rc < 0) {
		if (e.code != VD_ECONFIG || strncmp(e.msg, "fuzz:", 5) != 0)
			fprintf(stderr, "refused with code %d: %s\nfor:\n%s\n", (int)e.code, e.msg, g.sb.buf);
		FUZZ_ASSERT(e.code == VD_ECONFIG && !strncmp(e.msg, "fuzz:", 5));
	} else {
		check_loaded(&g, &inv);
		check_switches(&inv);
		inventory_free(&inv);
	}
	for (size_t i = 0; i < g.nhosts; i++) {
		free(g.names[i]);
		free(g.addresses[i]);
	}
	sb_free(&g.sb);
	return 0;
}

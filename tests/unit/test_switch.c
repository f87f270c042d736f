/* test_switch.c — distributed switches: the inventory's switch{} into the
 * network every host should have, that network as XML (golden text, and
 * accepted by libvirt's test driver, whose dump parses back converged),
 * drift named by field, the line diff dry-run prints, the interface XML
 * d:set_nic sends, and filter references (the host's nwfilters, each NIC's
 * filterref) judged through the model. */
#include "check.h"

#include "core/linediff.h"
#include "core/xalloc.h"
#include "lua/inventory_load.h"
#include "metrics/domxml.h"
#include "metrics/netxml.h"
#include "model/cluster.h"
#include "model/switch_state.h"
#include "ops/xml_network.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

static const char *inv_text =
	"host { name = 'h1', transport = 'none', libvirt = 'test:///default', tags = { 'edge' } }\n"
	"host { name = 'h2', transport = 'none', libvirt = 'test:///default' }\n"
	"switch { name = 'dvs0', hosts = { tag = 'edge' }, uplink = 'br-up', backend = 'ovs',\n"
	"  portgroups = {\n"
	"    { name = 'web', vlan = 100, default = true, filter = 'clean-traffic',\n"
	"      bandwidth = { inbound = { average = 1000, peak = 2000, burst = 512 }, outbound = { average = 500 } } },\n"
	"    { name = 'trunk', trunk = { 10, 20 } },\n"
	"    { name = 'plain' },\n"
	"  } }\n"
	"switch { name = 'lan', hosts = { 'h1', 'h2' }, uplink = 'br0', backend = 'bridge' }\n";

static const char *golden =
	"<network>\n"
	"  <name>dvs0</name>\n"
	"  <metadata>\n"
	"    <vdeck:switch xmlns:vdeck='urn:vdeck:switch:1'>\n"
	"      <vdeck:portgroup name='web' filter='clean-traffic'/>\n"
	"    </vdeck:switch>\n"
	"  </metadata>\n"
	"  <forward mode='bridge'/>\n"
	"  <bridge name='br-up'/>\n"
	"  <virtualport type='openvswitch'/>\n"
	"  <portgroup name='web' default='yes'>\n"
	"    <vlan>\n"
	"      <tag id='100'/>\n"
	"    </vlan>\n"
	"    <bandwidth>\n"
	"      <inbound average='1000' peak='2000' burst='512'/>\n"
	"      <outbound average='500'/>\n"
	"    </bandwidth>\n"
	"  </portgroup>\n"
	"  <portgroup name='trunk'>\n"
	"    <vlan trunk='yes'>\n"
	"      <tag id='10'/>\n"
	"      <tag id='20'/>\n"
	"    </vlan>\n"
	"  </portgroup>\n"
	"  <portgroup name='plain'/>\n"
	"</network>\n";

static void test_inventory_and_golden(void)
{
	struct inventory inv;
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(inventory_load_string(inv_text, "t.lua", &inv, &err), 0);
	if (err.msg[0])
		fprintf(stderr, "%s\n", err.msg);
	CHECK_INT(inv.nswitches, 2);
	const struct switch_config *sw = inventory_switch(&inv, "dvs0");
	CHECK(sw != NULL);
	if (!sw)
		return;
	CHECK(switch_selects(sw, inventory_find(&inv, "h1")));
	CHECK(!switch_selects(sw, inventory_find(&inv, "h2")));
	CHECK(switch_selects(inventory_switch(&inv, "lan"), inventory_find(&inv, "h2")));
	CHECK_STR(inventory_switch(&inv, "lan")->net.virtualport, "");
	CHECK_INT(sw->net.npgs, 3);
	struct strbuf sb;
	sb_init(&sb);
	xml_network(&sw->net, &sb);
	CHECK_STR(sb.buf, golden);

	/* parsed back, it is what the switch wants */
	struct net_def back;
	CHECK_INT(netxml_parse(sb.buf, sb.len, &back, &err), 0);
	back.active = back.autostart = 1;
	char why[512];
	CHECK_INT(net_compare(&sw->net, &back, why, sizeof why), 0);
	CHECK_STR(why, "");
	CHECK_STR(back.pgs[0].filter, "clean-traffic");
	CHECK_INT(back.pgs[1].trunk, 1);
	CHECK_INT(back.pgs[1].ntags, 2);

	/* libvirt's test driver takes the XML, and its dump parses back converged */
	virConnectPtr conn = virConnectOpen("test:///default");
	CHECK(conn != NULL);
	virNetworkPtr net = conn ? virNetworkDefineXML(conn, sb.buf) : NULL;
	CHECK(net != NULL);
	if (net) {
		CHECK_INT(virNetworkCreate(net), 0);
		CHECK_INT(virNetworkSetAutostart(net, 1), 0);
		char *dump = virNetworkGetXMLDesc(net, 0);
		struct net_def have;
		CHECK_INT(netxml_parse(dump, strlen(dump), &have, &err), 0);
		have.active = virNetworkIsActive(net) == 1;
		int as = 0;
		have.autostart = virNetworkGetAutostart(net, &as) == 0 && as;
		CHECK_INT(net_compare(&sw->net, &have, why, sizeof why), 0);
		if (why[0])
			fprintf(stderr, "drift: %s\n", why);
		CHECK(strlen(have.uuid) == 36);
		/* redefining needs the host's uuid: with it libvirt takes the definition */
		snprintf(back.uuid, sizeof back.uuid, "%s", have.uuid);
		sb_reset(&sb);
		xml_network(&back, &sb);
		virNetworkPtr again = virNetworkDefineXML(conn, sb.buf);
		CHECK(again != NULL);
		if (again)
			virNetworkFree(again);
		net_def_free(&have);
		free(dump);
		virNetworkFree(net);
	}
	if (conn)
		virConnectClose(conn);
	net_def_free(&back);
	sb_free(&sb);
	inventory_free(&inv);
}

static void test_drift(void)
{
	struct net_def want, have;
	CHECK_INT(netxml_parse(golden, strlen(golden), &want, NULL), 0);
	char why[512];
	/* a hand edit: VLAN 100 -> 200, bandwidth gone, filter gone, uplink changed */
	char *edited = x_strdup(golden);
	char *p = strstr(edited, "<tag id='100'/>");
	memcpy(p, "<tag id='200'/>", 15);
	p = strstr(edited, "br-up");
	memcpy(p, "br-xx", 5);
	CHECK_INT(netxml_parse(edited, strlen(edited), &have, NULL), 0);
	have.active = have.autostart = 1;
	unsigned d = net_compare(&want, &have, why, sizeof why);
	CHECK_INT(d, NETD_VLAN | NETD_UPLINK);
	CHECK_STR(why, "uplink br-up, host has br-xx; portgroup web: vlan 100, host has 200");
	net_def_free(&have);

	CHECK_INT(netxml_parse(golden, strlen(golden), &have, NULL), 0);
	have.pgs[0].in.average = 10;
	have.pgs[0].filter[0] = '\0';
	snprintf(have.virtualport, sizeof have.virtualport, "%s", "");
	have.active = 0;
	have.autostart = 1;
	d = net_compare(&want, &have, why, sizeof why);
	CHECK_INT(d, NETD_BANDWIDTH | NETD_FILTER | NETD_BACKEND | NETD_INACTIVE);
	CHECK(strstr(why, "portgroup web: inbound average 1000 peak 2000 burst 512, host has average 10 peak 2000 burst 512"));
	CHECK(strstr(why, "portgroup web: filter clean-traffic, host has none"));
	CHECK(strstr(why, "network not active"));
	CHECK_STR(net_drift_name(NETD_FILTER), "filter");
	net_def_free(&have);

	/* a portgroup missing, another extra */
	CHECK_INT(netxml_parse(golden, strlen(golden), &have, NULL), 0);
	snprintf(have.pgs[2].name, sizeof have.pgs[2].name, "other");
	have.active = have.autostart = 1;
	d = net_compare(&want, &have, why, sizeof why);
	CHECK_INT(d, NETD_PORTGROUP);
	CHECK_STR(why, "portgroup plain missing; portgroup other is not in the switch");
	/* a tiny buffer is truncated, never overrun */
	char tiny[8];
	net_compare(&want, &have, tiny, sizeof tiny);
	CHECK_INT(strlen(tiny), 7);
	net_def_free(&have);
	net_def_free(&want);
	free(edited);

	/* metadata of another namespace is not ours */
	const char *foreign = "<network><name>n</name><metadata><x:switch xmlns:x='urn:other'>"
			      "<portgroup name='a' filter='f'/></x:switch></metadata><portgroup name='a'/></network>";
	CHECK_INT(netxml_parse(foreign, strlen(foreign), &have, NULL), 0);
	CHECK_STR(have.pgs[0].filter, "");
	net_def_free(&have);
	CHECK_INT(netxml_parse("<domain/>", 9, &have, NULL), -1);
}

static void test_errors(void)
{
	static const struct { const char *decl, *msg; } cases[] = {
		{ "switch { name = 'd', hosts = { 'h1' }, uplink = 'br0', backend = 'bridge', "
		  "portgroups = { { name = 'a', vlan = 10 } } }",
		  "t.lua:2: switch d: portgroup a: VLANs need backend \"ovs\"" },
		{ "switch { name = 'd', hosts = { 'h1' }, uplink = 'br0', backend = 'ovs', "
		  "portgroups = { { name = 'a', vlan = 5000 } } }",
		  "t.lua:2: switch d: portgroup a: field 'vlan' must be an integer between 1 and 4094" },
		{ "switch { name = 'd', hosts = { 'h1' }, uplink = 'br0', backend = 'ovs', "
		  "portgroups = { { name = 'a', vlan = 1, trunk = { 2 } } } }",
		  "t.lua:2: switch d: portgroup a: give vlan = or trunk =, not both" },
		{ "switch { name = 'd', hosts = { 'h1' }, uplink = 'br0', backend = 'ovs', "
		  "portgroups = { { name = 'a', default = true }, { name = 'b', default = true } } }",
		  "t.lua:2: switch d: portgroup b: portgroup a is already the default" },
		{ "switch { name = 'd', hosts = { 'h1' }, uplink = 'br0', backend = 'ovs', "
		  "portgroups = { { name = 'a' }, { name = 'a' } } }",
		  "t.lua:2: switch d: portgroup a: declared twice" },
		{ "switch { name = 'd', hosts = { 'h1' }, uplink = 'br0', backend = 'ovs', "
		  "portgroups = { { name = 'a', bandwidth = { inbound = { peak = 5 } } } } }",
		  "t.lua:2: switch d: portgroup a bandwidth.inbound: field 'average' is required" },
		{ "switch { name = 'd', hosts = { 'h1' }, uplink = 'br0', backend = 'ovs', "
		  "portgroups = { { name = 'a', filter = 'x y' } } }",
		  "t.lua:2: switch d: portgroup a: field 'filter' must be 1-63 letters" },
		{ "switch { name = 'd', hosts = { 'h1' }, uplink = 'br0', backend = 'ovs', color = 1 }",
		  "t.lua:2: switch: unknown field 'color'" },
		{ "switch { name = 'd', hosts = { 'h1' }, uplink = 'a-very-long-bridge-name', backend = 'ovs' }",
		  "t.lua:2: switch d: field 'uplink' must be 1-15" },
		{ "switch { name = 'd', hosts = { 'h1' }, uplink = 'br0', backend = 'vpp' }",
		  "t.lua:2: switch d: field 'backend' must be \"ovs\" or \"bridge\"" },
		{ "switch { name = 'd', hosts = { }, uplink = 'br0', backend = 'ovs' }",
		  "t.lua:2: switch d: field 'hosts' selects no host" },
		{ "switch { name = 'd', hosts = { 'h9' }, uplink = 'br0', backend = 'ovs' }",
		  "t.lua:2: switch d: host 'h9' is not declared" },
		{ "switch { name = 'd', hosts = { 'h1' }, uplink = 'br0', backend = 'ovs' }\n"
		  "switch { name = 'd', hosts = { 'h1' }, uplink = 'br0', backend = 'ovs' }",
		  "t.lua:3: switch d: declared twice (first at t.lua:2)" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *text = x_asprintf("host { name = 'h1', transport = 'none', libvirt = 'test:///default' }\n%s\n",
					cases[i].decl);
		struct inventory inv;
		struct vd_err err;
		err_clear(&err);
		CHECK_INT(inventory_load_string(text, "t.lua", &inv, &err), -1);
		if (strncmp(err.msg, cases[i].msg, strlen(cases[i].msg)))
			fprintf(stderr, "case %zu: got \"%s\"\n", i, err.msg);
		CHECK(!strncmp(err.msg, cases[i].msg, strlen(cases[i].msg)));
		free(text);
	}
}

static void test_escaping_and_nic(void)
{
	struct net_def d;
	memset(&d, 0, sizeof d);
	snprintf(d.name, sizeof d.name, "a<&'\"");
	struct net_portgroup *pg = net_def_add_portgroup(&d, "p<'");
	snprintf(pg->filter, sizeof pg->filter, "f&");
	struct strbuf sb;
	sb_init(&sb);
	xml_network(&d, &sb);
	CHECK_STR(sb.buf, "<network>\n  <name>a&lt;&amp;&apos;&quot;</name>\n  <metadata>\n"
			  "    <vdeck:switch xmlns:vdeck='urn:vdeck:switch:1'>\n"
			  "      <vdeck:portgroup name='p&lt;&apos;' filter='f&amp;'/>\n"
			  "    </vdeck:switch>\n  </metadata>\n  <portgroup name='p&lt;&apos;'/>\n</network>\n");
	struct net_def back;
	CHECK_INT(netxml_parse(sb.buf, sb.len, &back, NULL), 0);
	CHECK_STR(back.name, "a<&'\"");
	CHECK_STR(back.pgs[0].filter, "f&");
	net_def_free(&back);
	net_def_free(&d);

	sb_reset(&sb);
	struct xml_nic_update n = {
		.mac = "52:54:00:aa:00:01", .model = "virtio", .target = "vnet0", .network = "dvs0",
		.portgroup = "web", .filter = "clean-traffic", .interfaceid = "0f1e<&",
	};
	xml_nic_update(&n, &sb);
	CHECK_STR(sb.buf, "<interface type='network'>\n  <mac address='52:54:00:aa:00:01'/>\n"
			  "  <source network='dvs0' portgroup='web'/>\n"
			  "  <virtualport>\n    <parameters interfaceid='0f1e&lt;&amp;'/>\n  </virtualport>\n"
			  "  <filterref filter='clean-traffic'/>\n"
			  "  <target dev='vnet0'/>\n  <model type='virtio'/>\n</interface>\n");
	sb_reset(&sb);
	unsigned tags[] = { 300 };
	struct net_rate in = { .average = 100 };
	struct xml_nic_update b = {
		.mac = "52:54:00:aa:00:02", .bridge = "br-up", .virtualport = "openvswitch", .tags = tags, .ntags = 1,
		.in = &in,
	};
	xml_nic_update(&b, &sb);
	CHECK_STR(sb.buf, "<interface type='bridge'>\n  <mac address='52:54:00:aa:00:02'/>\n"
			  "  <source bridge='br-up'/>\n  <virtualport type='openvswitch'/>\n"
			  "  <vlan>\n    <tag id='300'/>\n  </vlan>\n"
			  "  <bandwidth>\n    <inbound average='100'/>\n  </bandwidth>\n</interface>\n");
	sb_free(&sb);
}

static void test_line_diff(void)
{
	struct strbuf sb;
	sb_init(&sb);
	CHECK_INT(line_diff("a\nb\nc\n", "a\nx\nc\nd\n", &sb), 3);
	CHECK_STR(sb.buf, "  a\n- b\n+ x\n  c\n+ d\n");
	sb_reset(&sb);
	CHECK_INT(line_diff("", "n\n", &sb), 1);
	CHECK_STR(sb.buf, "+ n\n");
	sb_reset(&sb);
	CHECK_INT(line_diff("same\n", "same\n", &sb), 0);
	sb_free(&sb);
}

/* h1 gets the network from xml (running, autostart), a VM whose one NIC
 * is on portgroup pg with filterref filter ("" none), and the nwfilters
 * named in filters (NULL: the driver has none to tell). */
static void feed(struct cluster *c, const char *xml, const char *pg, const char *filter, const char *filters)
{
	struct host_snapshot s;
	memset(&s, 0, sizeof s);
	s.libvirt_ok = 1;
	s.t = 1;
	s.nets_read = 1;
	s.nets.nets = x_calloc(1, sizeof *s.nets.nets);
	CHECK_INT(netxml_parse(xml, strlen(xml), &s.nets.nets[0], NULL), 0);
	s.nets.nets[0].active = s.nets.nets[0].autostart = 1;
	s.nets.n = 1;
	if (filters) {
		s.nets.filters_known = 1;
		s.nets.filters = x_calloc(1, sizeof *s.nets.filters);
		s.nets.filters[s.nets.nfilters++] = x_strdup(filters);
	}
	char *dxml = x_asprintf("<domain><name>vm1</name><uuid>u1</uuid><devices><interface type='network'>"
				"<mac address='52:54:00:00:00:01'/><source network='dvs0' portgroup='%s'/>%s%s%s"
				"</interface></devices></domain>", pg, filter[0] ? "<filterref filter='" : "",
				filter, filter[0] ? "'/>" : "");
	s.doms = x_calloc(1, sizeof *s.doms);
	CHECK_INT(domxml_parse(dxml, strlen(dxml), &s.doms[0].info, NULL), 0);
	s.ndoms = 1;
	free(dxml);
	host_apply_snapshot(c, &c->hosts[0], &s, 1);
	host_snapshot_free(&s);
}

/* The filter a portgroup requires: defined on the host, and on each NIC. */
static void test_filter_references(void)
{
	struct inventory inv;
	CHECK_INT(inventory_load_string(inv_text, "t.lua", &inv, NULL), 0);
	struct cluster c;
	cluster_init(&c, &inv);
	const struct switch_config *sw = inventory_switch(&inv, "dvs0");
	struct switch_host_status st;
	switch_host_status(&c, sw, 0, &st);
	CHECK_INT(st.state, SWS_UNKNOWN);

	feed(&c, golden, "web", "clean-traffic", NULL);
	switch_host_status(&c, sw, 0, &st);
	CHECK_STR(switch_state_name(st.state), "converged");

	feed(&c, golden, "web", "", NULL);
	switch_host_status(&c, sw, 0, &st);
	CHECK_INT(st.fields, NETD_FILTER);
	CHECK_STR(st.why, "vm1 NIC 52:54:00:00:00:01: filter none, portgroup web requires clean-traffic");

	/* no portgroup named: the default one's filter */
	feed(&c, golden, "", "", NULL);
	switch_host_status(&c, sw, 0, &st);
	CHECK_INT(st.fields, NETD_FILTER);
	feed(&c, golden, "trunk", "", NULL);
	switch_host_status(&c, sw, 0, &st);
	CHECK_INT(st.state, SWS_CONVERGED);

	/* the host's nwfilters are known and lack it */
	feed(&c, golden, "web", "clean-traffic", "no-mac-spoofing");
	switch_host_status(&c, sw, 0, &st);
	CHECK_INT(st.fields, NETD_FILTER);
	CHECK_STR(st.why, "portgroup web: nwfilter clean-traffic is not defined on the host");
	feed(&c, golden, "web", "clean-traffic", "clean-traffic");
	switch_host_status(&c, sw, 0, &st);
	CHECK_INT(st.state, SWS_CONVERGED);
	cluster_free(&c);
	inventory_free(&inv);
}

int main(void)
{
	test_inventory_and_golden();
	test_drift();
	test_errors();
	test_escaping_and_nic();
	test_line_diff();
	test_filter_references();
	return check_summary();
}

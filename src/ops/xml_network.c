/* xml_network.c — <network>, <portgroup> and <interface> for the switch
 * operations. */
#include "ops/xml_network.h"

#include <inttypes.h>

static void attr(struct strbuf *sb, const char *name, const char *value)
{
	sb_appendf(sb, " %s='", name);
	sb_append_xml(sb, value);
	sb_append(sb, "'");
}

static void indent(struct strbuf *sb, int n)
{
	for (int i = 0; i < n; i++)
		sb_append(sb, "  ");
}

static void rate(struct strbuf *sb, const char *dir, const struct net_rate *r)
{
	if (!r || (!r->average && !r->peak && !r->burst))
		return;
	sb_appendf(sb, "<%s", dir);
	if (r->average)
		sb_appendf(sb, " average='%" PRIu64 "'", r->average);
	if (r->peak)
		sb_appendf(sb, " peak='%" PRIu64 "'", r->peak);
	if (r->burst)
		sb_appendf(sb, " burst='%" PRIu64 "'", r->burst);
	sb_append(sb, "/>\n");
}

static int has_rate(const struct net_rate *r)
{
	return r && (r->average || r->peak || r->burst);
}

static void bandwidth(struct strbuf *sb, int in, const struct net_rate *rin, const struct net_rate *rout)
{
	if (!has_rate(rin) && !has_rate(rout))
		return;
	indent(sb, in);
	sb_append(sb, "<bandwidth>\n");
	if (has_rate(rin)) {
		indent(sb, in + 1);
		rate(sb, "inbound", rin);
	}
	if (has_rate(rout)) {
		indent(sb, in + 1);
		rate(sb, "outbound", rout);
	}
	indent(sb, in);
	sb_append(sb, "</bandwidth>\n");
}

static void vlan(struct strbuf *sb, int in, const unsigned *tags, size_t ntags, int trunk)
{
	if (!ntags)
		return;
	indent(sb, in);
	sb_append(sb, trunk ? "<vlan trunk='yes'>\n" : "<vlan>\n");
	for (size_t i = 0; i < ntags; i++) {
		indent(sb, in + 1);
		sb_appendf(sb, "<tag id='%u'/>\n", tags[i]);
	}
	indent(sb, in);
	sb_append(sb, "</vlan>\n");
}

static void portgroup(const struct net_portgroup *pg, struct strbuf *sb, int in)
{
	indent(sb, in);
	sb_append(sb, "<portgroup");
	attr(sb, "name", pg->name);
	if (pg->is_default)
		attr(sb, "default", "yes");
	if (!pg->ntags && !has_rate(&pg->in) && !has_rate(&pg->out)) {
		sb_append(sb, "/>\n");
		return;
	}
	sb_append(sb, ">\n");
	vlan(sb, in + 1, pg->tags, pg->ntags, pg->trunk);
	bandwidth(sb, in + 1, &pg->in, &pg->out);
	indent(sb, in);
	sb_append(sb, "</portgroup>\n");
}

void xml_portgroup(const struct net_portgroup *pg, struct strbuf *sb)
{
	portgroup(pg, sb, 0);
}

void xml_network(const struct net_def *d, struct strbuf *sb)
{
	sb_append(sb, "<network>\n  <name>");
	sb_append_xml(sb, d->name);
	sb_append(sb, "</name>\n");
	if (d->uuid[0]) {
		sb_append(sb, "  <uuid>");
		sb_append_xml(sb, d->uuid);
		sb_append(sb, "</uuid>\n");
	}
	int filters = 0;
	for (size_t i = 0; i < d->npgs; i++)
		filters |= d->pgs[i].filter[0] != '\0';
	if (filters) {
		sb_append(sb, "  <metadata>\n    <vdeck:switch xmlns:vdeck='" NETXML_NS "'>\n");
		for (size_t i = 0; i < d->npgs; i++) {
			if (!d->pgs[i].filter[0])
				continue;
			sb_append(sb, "      <vdeck:portgroup");
			attr(sb, "name", d->pgs[i].name);
			attr(sb, "filter", d->pgs[i].filter);
			sb_append(sb, "/>\n");
		}
		sb_append(sb, "    </vdeck:switch>\n  </metadata>\n");
	}
	if (d->forward[0]) {
		sb_append(sb, "  <forward");
		attr(sb, "mode", d->forward);
		sb_append(sb, "/>\n");
	}
	if (d->bridge[0]) {
		sb_append(sb, "  <bridge");
		attr(sb, "name", d->bridge);
		sb_append(sb, "/>\n");
	}
	if (d->virtualport[0]) {
		sb_append(sb, "  <virtualport");
		attr(sb, "type", d->virtualport);
		sb_append(sb, "/>\n");
	}
	for (size_t i = 0; i < d->npgs; i++)
		portgroup(&d->pgs[i], sb, 1);
	sb_append(sb, "</network>\n");
}

void xml_nic_update(const struct xml_nic_update *n, struct strbuf *sb)
{
	sb_append(sb, "<interface");
	attr(sb, "type", n->bridge ? "bridge" : "network");
	sb_append(sb, ">\n  <mac");
	attr(sb, "address", n->mac);
	sb_append(sb, "/>\n  <source");
	attr(sb, n->bridge ? "bridge" : "network", n->bridge ? n->bridge : n->network ? n->network : "");
	if (n->portgroup && !n->bridge)
		attr(sb, "portgroup", n->portgroup);
	sb_append(sb, "/>\n");
	int vport = n->virtualport && n->bridge, id = n->interfaceid && n->interfaceid[0];
	if (vport || id) {
		/* on a network, the type comes from the network's <virtualport> */
		sb_append(sb, "  <virtualport");
		if (vport)
			attr(sb, "type", n->virtualport);
		if (!id) {
			sb_append(sb, "/>\n");
		} else {
			sb_append(sb, ">\n    <parameters");
			attr(sb, "interfaceid", n->interfaceid);
			sb_append(sb, "/>\n  </virtualport>\n");
		}
	}
	vlan(sb, 1, n->tags, n->ntags, n->trunk);
	bandwidth(sb, 1, n->in, n->out);
	if (n->filter) {
		sb_append(sb, "  <filterref");
		attr(sb, "filter", n->filter);
		sb_append(sb, "/>\n");
	}
	if (n->target && n->target[0]) {
		sb_append(sb, "  <target");
		attr(sb, "dev", n->target);
		sb_append(sb, "/>\n");
	}
	if (n->model && n->model[0]) {
		sb_append(sb, "  <model");
		attr(sb, "type", n->model);
		sb_append(sb, "/>\n");
	}
	sb_append(sb, "</interface>\n");
}

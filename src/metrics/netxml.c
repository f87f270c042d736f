/* netxml.c — libvirt network XML into struct net_def (libxml2, no I/O),
 * and the comparison that names drift between two of them. */
#include "metrics/netxml.h"
#include "metrics/xmlnode.h"
#include "core/xalloc.h"

#include <libxml/parser.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t attr_u64(const xmlNode *n, const char *name)
{
	char v[32];
	xml_attr(n, name, v, sizeof v);
	char *end;
	unsigned long long x = strtoull(v, &end, 10);
	return v[0] >= '0' && v[0] <= '9' && !*end ? x : 0;
}

static void read_rate(const xmlNode *n, struct net_rate *r)
{
	r->average = attr_u64(n, "average");
	r->peak = attr_u64(n, "peak");
	r->burst = attr_u64(n, "burst");
}

static void read_vlan(const xmlNode *vlan, struct net_portgroup *pg)
{
	char trunk[8];
	xml_attr(vlan, "trunk", trunk, sizeof trunk);
	pg->trunk = !strcmp(trunk, "yes");
	for (const xmlNode *t = vlan ? vlan->children : NULL; t; t = t->next) {
		if (!xml_is(t, "tag") || pg->ntags >= NET_MAX_TAGS)
			continue;
		uint64_t id = attr_u64(t, "id");
		if (id <= 4095)
			pg->tags[pg->ntags++] = (unsigned)id;
	}
}

struct net_portgroup *net_def_add_portgroup(struct net_def *d, const char *name)
{
	if (d->npgs >= NET_MAX_PORTGROUPS)
		return NULL;
	d->pgs = x_realloc(d->pgs, (d->npgs + 1) * sizeof *d->pgs);
	struct net_portgroup *pg = &d->pgs[d->npgs++];
	memset(pg, 0, sizeof *pg);
	snprintf(pg->name, sizeof pg->name, "%s", name);
	return pg;
}

const struct net_portgroup *net_def_portgroup(const struct net_def *d, const char *name)
{
	for (size_t i = 0; name && i < d->npgs; i++)
		if (!strcmp(d->pgs[i].name, name))
			return &d->pgs[i];
	return NULL;
}

const struct net_portgroup *net_def_default_portgroup(const struct net_def *d)
{
	for (size_t i = 0; i < d->npgs; i++)
		if (d->pgs[i].is_default)
			return &d->pgs[i];
	return NULL;
}

/* <metadata><x:switch xmlns:x=NETXML_NS><portgroup name= filter=/>... */
static void read_metadata(const xmlNode *md, struct net_def *out)
{
	for (const xmlNode *s = md ? md->children : NULL; s; s = s->next) {
		if (!xml_is(s, "switch") || !s->ns || !s->ns->href || strcmp((const char *)s->ns->href, NETXML_NS))
			continue;
		for (const xmlNode *p = s->children; p; p = p->next) {
			char name[64];
			xml_attr(p, "name", name, sizeof name);
			struct net_portgroup *pg = xml_is(p, "portgroup") ? (struct net_portgroup *)net_def_portgroup(out, name)
									  : NULL;
			if (pg)
				xml_attr(p, "filter", pg->filter, sizeof pg->filter);
		}
	}
}

int netxml_parse(const char *xml, size_t len, struct net_def *out, struct vd_err *err)
{
	memset(out, 0, sizeof *out);
	if (!xml || len > (size_t)1 << 24)
		return err_set(err, VD_EINVAL, "not a network's XML");
	xmlDoc *doc = xmlReadMemory(xml, (int)len, "network.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	const xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!xml_is(root, "network")) {
		xmlFreeDoc(doc);
		return err_set(err, VD_EINVAL, "not a network's XML");
	}
	xml_text(xml_child(root, "name"), out->name, sizeof out->name);
	xml_text(xml_child(root, "uuid"), out->uuid, sizeof out->uuid);
	xml_attr(xml_child(root, "forward"), "mode", out->forward, sizeof out->forward);
	xml_attr(xml_child(root, "bridge"), "name", out->bridge, sizeof out->bridge);
	xml_attr(xml_child(root, "virtualport"), "type", out->virtualport, sizeof out->virtualport);
	for (const xmlNode *c = root->children; c; c = c->next) {
		if (!xml_is(c, "portgroup"))
			continue;
		char name[64], dflt[8];
		xml_attr(c, "name", name, sizeof name);
		struct net_portgroup *pg = net_def_add_portgroup(out, name);
		if (!pg)
			break;
		xml_attr(c, "default", dflt, sizeof dflt);
		pg->is_default = !strcmp(dflt, "yes");
		read_vlan(xml_child(c, "vlan"), pg);
		const xmlNode *bw = xml_child(c, "bandwidth");
		read_rate(xml_child(bw, "inbound"), &pg->in);
		read_rate(xml_child(bw, "outbound"), &pg->out);
	}
	read_metadata(xml_child(root, "metadata"), out);
	xmlFreeDoc(doc);
	return 0;
}

void net_def_free(struct net_def *d)
{
	free(d->pgs);
	memset(d, 0, sizeof *d);
}

void net_def_copy(struct net_def *dst, const struct net_def *src)
{
	*dst = *src;
	dst->pgs = NULL;
	if (src->npgs) {
		dst->pgs = x_calloc(src->npgs, sizeof *dst->pgs);
		memcpy(dst->pgs, src->pgs, src->npgs * sizeof *dst->pgs);
	}
}

void net_defs_free(struct net_def *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		net_def_free(&v[i]);
	free(v);
}

void net_list_free(struct net_list *l)
{
	net_defs_free(l->nets, l->n);
	for (size_t i = 0; i < l->nfilters; i++)
		free(l->filters[i]);
	free(l->filters);
	memset(l, 0, sizeof *l);
}

void net_list_copy(struct net_list *dst, const struct net_list *src)
{
	memset(dst, 0, sizeof *dst);
	dst->nets = src->n ? x_calloc(src->n, sizeof *dst->nets) : NULL;
	for (size_t i = 0; i < src->n; i++)
		net_def_copy(&dst->nets[i], &src->nets[i]);
	dst->n = src->n;
	dst->filters = src->nfilters ? x_calloc(src->nfilters, sizeof *dst->filters) : NULL;
	for (size_t i = 0; i < src->nfilters; i++)
		dst->filters[i] = x_strdup(src->filters[i]);
	dst->nfilters = src->nfilters;
	dst->filters_known = src->filters_known;
}

static const struct net_def *find(const struct net_list *l, const char *name, int next_start)
{
	for (size_t i = 0; name && i < l->n; i++)
		if (!strcmp(l->nets[i].name, name) && !l->nets[i].next_start == !next_start)
			return &l->nets[i];
	return NULL;
}

const struct net_def *net_list_find(const struct net_list *l, const char *name)
{
	return find(l, name, 0);
}

const struct net_def *net_list_find_next_start(const struct net_list *l, const char *name)
{
	return find(l, name, 1);
}

int net_list_has_filter(const struct net_list *l, const char *filter)
{
	for (size_t i = 0; i < l->nfilters; i++)
		if (!strcmp(l->filters[i], filter))
			return 1;
	return 0;
}

/* ---- drift ---------------------------------------------------------- */

const char *net_drift_name(unsigned bit)
{
	switch (bit) {
	case NETD_UPLINK: return "uplink";
	case NETD_BACKEND: return "backend";
	case NETD_VLAN: return "vlan";
	case NETD_BANDWIDTH: return "bandwidth";
	case NETD_FILTER: return "filter";
	case NETD_PORTGROUP: return "portgroup";
	case NETD_INACTIVE: return "inactive";
	case NETD_AUTOSTART: return "autostart";
	}
	return "?";
}

struct why {
	char  *buf;
	size_t len, used;
};

static void say(struct why *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct why *w, const char *fmt, ...)
{
	if (w->used + 1 >= w->len)
		return;
	if (w->used)
		w->used += (size_t)snprintf(w->buf + w->used, w->len - w->used, "; ");
	if (w->used + 1 >= w->len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(w->buf + w->used, w->len - w->used, fmt, ap);
	va_end(ap);
	w->used += n > 0 ? (size_t)n : 0;
	if (w->used >= w->len)
		w->used = w->len - 1;
}

/* "100", "10,20 trunk", "none" */
static void vlan_text(const struct net_portgroup *pg, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < pg->ntags && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%u", i ? "," : "", pg->tags[i]);
	if (!pg->ntags)
		snprintf(buf, len, "none");
	else if (pg->trunk && o < len)
		snprintf(buf + o, len - o, " trunk");
}

static void rate_text(const struct net_rate *r, char *buf, size_t len)
{
	if (!r->average && !r->peak && !r->burst)
		snprintf(buf, len, "none");
	else {
		size_t o = (size_t)snprintf(buf, len, "average %llu", (unsigned long long)r->average);
		if (r->peak && o < len)
			o += (size_t)snprintf(buf + o, len - o, " peak %llu", (unsigned long long)r->peak);
		if (r->burst && o < len)
			snprintf(buf + o, len - o, " burst %llu", (unsigned long long)r->burst);
	}
}

static int rate_eq(const struct net_rate *a, const struct net_rate *b)
{
	return a->average == b->average && a->peak == b->peak && a->burst == b->burst;
}

static unsigned compare_portgroup(const struct net_portgroup *w, const struct net_portgroup *h, struct why *why)
{
	unsigned d = 0;
	char a[512], b[512];
	vlan_text(w, a, sizeof a);
	vlan_text(h, b, sizeof b);
	if (strcmp(a, b)) {
		d |= NETD_VLAN;
		say(why, "portgroup %s: vlan %s, host has %s", w->name, a, b);
	}
	const struct { const struct net_rate *w, *h; const char *dir; } rates[] = {
		{ &w->in, &h->in, "inbound" }, { &w->out, &h->out, "outbound" },
	};
	for (size_t i = 0; i < 2; i++) {
		if (rate_eq(rates[i].w, rates[i].h))
			continue;
		d |= NETD_BANDWIDTH;
		rate_text(rates[i].w, a, sizeof a);
		rate_text(rates[i].h, b, sizeof b);
		say(why, "portgroup %s: %s %s, host has %s", w->name, rates[i].dir, a, b);
	}
	if (strcmp(w->filter, h->filter)) {
		d |= NETD_FILTER;
		say(why, "portgroup %s: filter %s, host has %s", w->name, w->filter[0] ? w->filter : "none",
		    h->filter[0] ? h->filter : "none");
	}
	if (!w->is_default != !h->is_default) {
		d |= NETD_PORTGROUP;
		say(why, "portgroup %s: %s the default on the host", w->name, h->is_default ? "is" : "is not");
	}
	return d;
}

unsigned net_portgroup_compare(const struct net_portgroup *want, const struct net_portgroup *have)
{
	char buf[8];
	struct why why = { buf, sizeof buf, 0 };
	return compare_portgroup(want, have, &why);
}

unsigned net_compare(const struct net_def *want, const struct net_def *have, char *buf, size_t len)
{
	struct why why = { buf, len, 0 };
	if (len)
		buf[0] = '\0';
	unsigned d = 0;
	if (strcmp(want->bridge, have->bridge)) {
		d |= NETD_UPLINK;
		say(&why, "uplink %s, host has %s", want->bridge, have->bridge[0] ? have->bridge : "none");
	}
	if (strcmp(want->forward, have->forward) || strcmp(want->virtualport, have->virtualport)) {
		d |= NETD_BACKEND;
		say(&why, "forward %s virtualport %s, host has forward %s virtualport %s",
		    want->forward[0] ? want->forward : "none", want->virtualport[0] ? want->virtualport : "none",
		    have->forward[0] ? have->forward : "none", have->virtualport[0] ? have->virtualport : "none");
	}
	for (size_t i = 0; i < want->npgs; i++) {
		const struct net_portgroup *h = net_def_portgroup(have, want->pgs[i].name);
		if (!h) {
			d |= NETD_PORTGROUP;
			say(&why, "portgroup %s missing", want->pgs[i].name);
		} else {
			d |= compare_portgroup(&want->pgs[i], h, &why);
		}
	}
	for (size_t i = 0; i < have->npgs; i++)
		if (!net_def_portgroup(want, have->pgs[i].name)) {
			d |= NETD_PORTGROUP;
			say(&why, "portgroup %s is not in the switch", have->pgs[i].name);
		}
	if (!have->active) {
		d |= NETD_INACTIVE;
		say(&why, "network not active");
	}
	if (!have->autostart) {
		d |= NETD_AUTOSTART;
		say(&why, "network not autostarted");
	}
	return d;
}

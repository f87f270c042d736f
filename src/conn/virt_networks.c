/* virt_networks.c — a host's libvirt networks (each one's XML, whether it
 * runs and starts with the host, and the definition its next start brings
 * when that differs) and the names of its nwfilters, for the
 * distributed switches' drift check.  Runs on the host's worker every few
 * polls and after an operation (conn/virt.c keeps the result). */
#include "conn/virt.h"
#include "core/log.h"
#include "core/xalloc.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdlib.h>
#include <string.h>

static void read_filters(virConnectPtr conn, struct net_list *l)
{
	virNWFilterPtr *fs = NULL;
	int n = virConnectListAllNWFilters(conn, &fs, 0);
	if (n < 0) {   /* no nwfilter driver (the test driver): unknown, not none */
		virResetLastError();
		return;
	}
	l->filters_known = 1;
	l->filters = x_calloc((size_t)n + 1, sizeof *l->filters);
	for (int i = 0; i < n; i++) {
		const char *name = virNWFilterGetName(fs[i]);
		if (name)
			l->filters[l->nfilters++] = x_strdup(name);
		virNWFilterFree(fs[i]);
	}
	free(fs);
}

/* The persistent definition of running network net, appended to l after
 * its running one (at l->nets[l->n - 1]) when they differ: a definition
 * changed by hand (virsh net-define) shows only at the next start. */
static void read_next_start(virNetworkPtr net, struct net_list *l, size_t cap)
{
	const struct net_def *live = &l->nets[l->n - 1];
	if (!live->active || virNetworkIsPersistent(net) != 1 || l->n >= cap)
		return;
	char *xml = virNetworkGetXMLDesc(net, VIR_NETWORK_XML_INACTIVE);
	struct net_def *d = &l->nets[l->n];
	if (!xml || netxml_parse(xml, strlen(xml), d, NULL) < 0) {
		free(xml);
		virResetLastError();   /* the test driver has no inactive XML */
		return;
	}
	free(xml);
	d->active = d->autostart = 1;
	struct net_def now;
	net_def_copy(&now, live);
	now.active = now.autostart = 1;
	char why[8];
	if (net_compare(&now, d, why, sizeof why)) {
		d->next_start = 1;
		d->autostart = live->autostart;
		l->n++;
	} else {
		net_def_free(d);
	}
	net_def_free(&now);
}

void virt_read_networks(void *opaque, struct net_list *l)
{
	virConnectPtr conn = opaque;
	net_list_free(l);
	virNetworkPtr *nets = NULL;
	int n = virConnectListAllNetworks(conn, &nets, 0);
	size_t cap = n > 0 ? 2 * (size_t)n : 0;
	l->nets = cap ? x_calloc(cap, sizeof *l->nets) : NULL;
	for (int i = 0; i < n; i++) {
		char *xml = virNetworkGetXMLDesc(nets[i], 0);
		struct net_def *d = &l->nets[l->n];
		struct vd_err e;
		err_clear(&e);
		if (xml && netxml_parse(xml, strlen(xml), d, &e) == 0) {
			int as = 0;
			d->active = virNetworkIsActive(nets[i]) == 1;
			d->autostart = virNetworkGetAutostart(nets[i], &as) == 0 && as;
			l->n++;
			read_next_start(nets[i], l, cap);
		} else if (xml) {
			log_debug("network %s: %s", virNetworkGetName(nets[i]), e.msg);
		}
		free(xml);
		virNetworkFree(nets[i]);
	}
	free(nets);
	virResetLastError();
	read_filters(conn, l);
}

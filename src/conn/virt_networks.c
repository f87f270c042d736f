/* virt_networks.c — a host's libvirt networks (each one's XML, whether it
 * runs and starts with the host) and the names of its nwfilters, for the
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

void virt_read_networks(void *opaque, struct net_list *l)
{
	virConnectPtr conn = opaque;
	net_list_free(l);
	virNetworkPtr *nets = NULL;
	int n = virConnectListAllNetworks(conn, &nets, 0);
	l->nets = n > 0 ? x_calloc((size_t)n, sizeof *l->nets) : NULL;
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

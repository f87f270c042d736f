/* libvirt_route.h — which way a host's libvirt connection goes, decided
 * from its inventory entry alone (pure: strings in, strings out).
 *
 * "uri": libvirt opens the URI as written (for qemu+ssh://, libvirt spawns
 * an OpenSSH child).  "tunnel": the URI is qemu+ssh (or another DRIVER+ssh)
 * to the host's own SSH address, port and user, so libvirt's RPC goes
 * through vdeck's own SSH session instead: a direct-streamlocal channel to
 * the host's daemon socket, offered to libvirt on a local unix socket that
 * it reaches as DRIVER+unix:///PATH?socket=LOCAL.  The tunnel is the
 * default wherever it applies; libvirt_via = "uri" keeps libvirt's path. */
#ifndef VD_LIBVIRT_ROUTE_H
#define VD_LIBVIRT_ROUTE_H

#include <stddef.h>

#include "core/err.h"
#include "model/inventory.h"

#define LIBVIRT_ROUTE_MAX_SOCKETS 2

struct libvirt_route {
	enum libvirt_via via;
	/* tunnel only: the host's sockets to try, in order (the modular
	 * daemon's first where there may be one), and what libvirt opens
	 * before "socket=" (DRIVER+unix:///PATH?[kept parameters&]). */
	char  *sockets[LIBVIRT_ROUTE_MAX_SOCKETS];
	size_t nsockets;
	char  *local_head;
	/* tunnel only: what the daemon there opens (DRIVER:///PATH, or the
	 * URI's name= parameter), as libvirt's client names it on connecting */
	char  *daemon_uri;
	/* vdeck makes the poll's statistics call itself (h->libvirt_stats):
	 * by default where the tunnel carries libvirt and the daemon's domains
	 * are shared by its connections, which the test driver's are not for a
	 * file (test:///PATH: each connection loads its own copy, and would
	 * not see what another changed). */
	int    own_stats;
};

/* Decides h's route; want is h->libvirt_via as declared (LV_VIA_AUTO:
 * the tunnel where it applies).  -1 with VD_ECONFIG when "tunnel" was asked
 * for a URI it cannot carry, or libvirt_stats = "vdeck" for a route that is
 * not the tunnel, saying why. */
int   libvirt_route_plan(const struct host_config *h, enum libvirt_via want, struct libvirt_route *r,
			 struct vd_err *err);
/* The URI libvirt opens for a tunnel offered on local_socket (escaped). */
char *libvirt_route_local_uri(const struct libvirt_route *r, const char *local_socket);
void  libvirt_route_free(struct libvirt_route *r);
const char *libvirt_via_name(enum libvirt_via v);
const char *libvirt_stats_name(enum libvirt_stats s);

#endif

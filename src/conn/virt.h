/* virt.h — the libvirt side of one host: connect, and read everything the
 * model shows in one pass (node facts, domains, their XML, pool volumes,
 * bulk stats).  Called only from that host's worker thread. */
#ifndef VD_VIRT_H
#define VD_VIRT_H

#include "conn/virt_rpc.h"
#include "core/err.h"
#include "model/cluster.h"

struct virt_host;   /* opaque: the connection plus caches kept between polls */

/* Once per process, before any connection: silences libvirt's own stderr
 * printing and starts the event loop thread that keepalives and device
 * events need. */
int  virt_global_init(struct vd_err *err);

/* connect_timeout_ms sets the keepalive: a silent daemon fails the call
 * that waits on it after about that long. */
struct virt_host *virt_host_new(const char *uri, int connect_timeout_ms);
int  virt_host_connect(struct virt_host *vh, struct vd_err *err);
/* Asked at each (re)connect for the URI to open instead of vh's own (the
 * libvirt tunnel's local socket); fills *uri (caller frees) or fails. */
typedef int (*virt_uri_fn)(void *ctx, char **uri, struct vd_err *err);
void virt_host_set_route(struct virt_host *vh, virt_uri_fn fn, void *ctx);
/* The poll's statistics call made by vdeck itself on a channel of the
 * host's session (conn/virt_rpc.c), where libvirt's own connection goes
 * through that session's tunnel; libvirt's client makes it where the
 * daemon refuses. */
void virt_host_set_rpc(struct virt_host *vh, const struct virt_rpc_channel *ch, void *ctx,
		       const char *daemon_uri);
/* Fills the libvirt half of s (node, domains with stats). On failure the
 * connection is dropped so the next poll reconnects. */
int  virt_host_poll(struct virt_host *vh, struct host_snapshot *s, struct vd_err *err);
/* What an operation changed in its domain, for the re-read after it. */
enum virt_reread {
	VIRT_REREAD_ALL,         /* state, XML, persistence, snapshot count */
	VIRT_REREAD_SNAPSHOTS,   /* the snapshot count only (an internal snapshot taken) */
};
/* Re-reads one domain into s (s->dom_update, one entry in s->doms);
 * -1 when it is not on the host any more, or on error. */
int  virt_host_poll_domain(struct virt_host *vh, const char *uuid, enum virt_reread what, struct host_snapshot *s,
			   struct vd_err *err);
void virt_host_free(struct virt_host **vh);
/* The connection for operation code in conn/ (opaque elsewhere). */
void *virt_host_handle(struct virt_host *vh);
/* Forgets cached domain XML so the next poll re-reads it (after a change). */
void virt_host_invalidate(struct virt_host *vh);
/* Per-domain libvirt calls polls have made on vh so far: a poll in which no
 * domain changed makes none (bulk calls and listings only). */
unsigned long virt_host_domain_calls(const struct virt_host *vh);
/* Per-host calls polls have made on vh so far (bulk statistics, and the
 * listings where a driver needs them): one per poll where the bulk
 * statistics name every domain and carry its state. */
unsigned long virt_host_host_calls(const struct virt_host *vh);
/* Domains looked up by UUID on vh so far (virt_host_domain and whole
 * re-reads; the polls' handles serve everything else). */
unsigned long virt_host_lookups(const struct virt_host *vh);
/* For operation code in conn/, like virt_host_handle: a reference to the
 * domain's virDomainPtr (virDomainFree it), the last poll's when the
 * domain was in it, else looked up by UUID.  A call on it fails with
 * VIR_ERR_NO_DOMAIN when the domain is gone.  NULL when there is no
 * connection or no such domain (libvirt's error set). */
void *virt_host_domain(struct virt_host *vh, const char *uuid);
/* Name of the i-th domain of the last poll (statistics-only snapshots). */
const char *virt_host_domain_name(const struct virt_host *vh, size_t i);
void virt_host_invalidate_domain(struct virt_host *vh, const char *uuid);

/* virt_devices.c: GPUs/mdevs from node devices and LUNs from SAN pools
 * (conn is the virConnectPtr); replaces the contents of gpus and luns. */
void virt_read_devices(void *conn, struct gpu_inv *gpus, struct lun_list *luns);

/* virt_networks.c: every network with its XML parsed, active and
 * autostart, and the nwfilter names (conn is the virConnectPtr);
 * replaces the contents of l. */
void virt_read_networks(void *conn, struct net_list *l);

/* Formats the last libvirt error into err with code VD_ELIBVIRT. */
int  virt_error(struct vd_err *err, const char *what);
/* A connection to uri (a virConnectPtr) of its own, for a long job, with
 * room for its descriptors taken first (core/fd_room.h): NULL with err.
 * virt_close closes it (NULL: nothing). */
void *virt_open(const char *uri, struct vd_err *err);
void  virt_close(void *conn);

#endif

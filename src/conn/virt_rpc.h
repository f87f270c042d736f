/* virt_rpc.h — the bulk statistics call a poll makes, spoken by vdeck on a
 * channel of the host's own SSH session (conn/ssh_rpc.c) instead of by
 * libvirt's client through the tunnel: the handshake once per channel,
 * then one call per poll, decoded straight into records
 * (conn/virt_rpc_wire.c).  Everything else stays on libvirt's client. */
#ifndef VD_VIRT_RPC_H
#define VD_VIRT_RPC_H

#include "conn/virt_rpc_wire.h"

/* The host's channel to its daemon, as transport_rpc_open, _exchange and
 * _close (conn/transport.h), each given ctx. */
struct virt_rpc_channel {
	int  (*open)(void *ctx, int anew, struct vd_err *err);
	int  (*exchange)(void *ctx, const void *req, size_t len, size_t max, int timeout_ms,
			 struct strbuf *reply, struct vd_err *err);
	void (*close)(void *ctx);
};

struct virt_rpc;

/* daemon_uri: what the daemon opens (the URI libvirt's own connection has
 * there, e.g. qemu:///system). */
struct virt_rpc *virt_rpc_new(const struct virt_rpc_channel *ch, void *ctx, const char *daemon_uri);
void virt_rpc_free(struct virt_rpc **r);
/* libvirt's own connection was opened again: the handshake is redone on
 * the next call, and a daemon that refused is asked again. */
void virt_rpc_reset(struct virt_rpc *r);
/* The daemon refused vdeck's calls (an authentication it does not speak,
 * an error to the handshake or to the call): the channel is closed, and
 * libvirt's client makes the calls until the next reset. */
int  virt_rpc_off(const struct virt_rpc *r);
/* Handshakes completed so far: each is a new channel, a new client for the
 * daemon. */
unsigned virt_rpc_handshakes(const struct virt_rpc *r);
/* The caller found the channel's answers unusable: closed and off until
 * the reset. */
void virt_rpc_disable(struct virt_rpc *r);
/* The statistics of every domain (groups and flags as for
 * virConnectGetAllDomainStats).  -1 with err: VD_ELIBVIRT when the daemon
 * refused (then virt_rpc_off), transport errors as transport_rpc. */
int  virt_rpc_stats(struct virt_rpc *r, unsigned groups, unsigned flags, int timeout_ms,
		    struct virt_rpc_rec **recs, size_t *n, struct vd_err *err);

#endif

/* virt_rpc_wire.h — the few messages of libvirt's remote protocol that
 * vdeck speaks itself, as pure functions over buffers: the calls of the
 * handshake and of the bulk statistics, and the decoders of their replies.
 *
 * Why: a poll's statistics through libvirt's client cost a libvirt object
 * per domain (allocated, and freed with its UUID formatted for a debug
 * line that nobody reads), and, over a host's SSH session, a tunnel pump
 * thread moving every byte through a local socket.  The one call a poll
 * makes is read straight off the session's channel instead (conn/virt_rpc.c).
 *
 * The protocol (libvirt's src/remote/remote_protocol.x and
 * src/rpc/virnetprotocol.x) is XDR: every message is a 4-byte length
 * (itself included), a header of six 32-bit words (program, version,
 * procedure, type, serial, status) and the payload.  Everything here is
 * bounded by the buffer it is given: any input is safe. */
#ifndef VD_VIRT_RPC_WIRE_H
#define VD_VIRT_RPC_WIRE_H

#include "core/err.h"
#include "core/strbuf.h"

#include <libvirt/libvirt.h>
#include <stddef.h>
#include <stdint.h>

#define VIRT_RPC_PROGRAM        0x20008086u
#define VIRT_RPC_VERSION        1u
#define VIRT_RPC_HEADER         28u              /* length word + six header words */
#define VIRT_RPC_MESSAGE_MAX    (32u * 1024 * 1024)   /* libvirt's own limit */

enum virt_rpc_proc {
	VIRT_RPC_PROC_OPEN = 1,
	VIRT_RPC_PROC_AUTH_LIST = 66,
	VIRT_RPC_PROC_AUTH_POLKIT = 70,
	VIRT_RPC_PROC_STATS = 344,
};

enum virt_rpc_auth { VIRT_RPC_AUTH_NONE = 0, VIRT_RPC_AUTH_SASL = 1, VIRT_RPC_AUTH_POLKIT = 2 };

/* Appends one whole call message to out. */
void virt_rpc_call_auth_list(struct strbuf *out, uint32_t serial);
void virt_rpc_call_auth_polkit(struct strbuf *out, uint32_t serial);
/* name: the URI the daemon opens (e.g. "qemu:///system"); read_only sets
 * VIR_CONNECT_RO. */
void virt_rpc_call_open(struct strbuf *out, uint32_t serial, const char *name, int read_only);
void virt_rpc_call_stats(struct strbuf *out, uint32_t serial, unsigned groups, unsigned flags);

/* The length a message starting at buf says it has (0 while fewer than 4
 * bytes are there); the caller reads until it has that many. */
size_t virt_rpc_message_len(const unsigned char *buf, size_t have);

/* Checks that msg[0..len) is the reply to (proc, serial) and gives its
 * payload.  Returns 0 for a successful reply, 1 for a message that is not
 * this call's reply (another program's, or another serial: the caller
 * skips it), -1 for an error reply (err: the daemon's message and code)
 * or a malformed message (err says what). */
int virt_rpc_reply(const unsigned char *msg, size_t len, uint32_t proc, uint32_t serial,
		   const unsigned char **payload, size_t *plen, struct vd_err *err);

/* AUTH_LIST's answer: 1 when a method vdeck can follow is offered and
 * *method says which (none or polkit), 0 when only SASL is. */
int virt_rpc_auth_choice(const unsigned char *payload, size_t len, enum virt_rpc_auth *method,
			 struct vd_err *err);
/* AUTH_POLKIT's answer: 0 when complete. */
int virt_rpc_polkit_done(const unsigned char *payload, size_t len, struct vd_err *err);

/* One domain of the bulk statistics: rec is what libvirt's client would
 * give (rec.dom is NULL: the caller resolves a handle by UUID when it
 * needs one), with the domain's name, UUID and ID beside it. */
struct virt_rpc_rec {
	virDomainStatsRecord rec;
	char                *name;
	unsigned char        uuid[VIR_UUID_BUFLEN];
	int                  id;
};

/* Decodes GET_ALL_DOMAIN_STATS' payload.  Parameters whose name does not
 * fit libvirt's field (79 bytes) or whose type is unknown are rejected
 * with the message, as libvirt's client rejects them. */
int  virt_rpc_decode_stats(const unsigned char *payload, size_t len, struct virt_rpc_rec **recs, size_t *n,
			   struct vd_err *err);
void virt_rpc_recs_free(struct virt_rpc_rec **recs, size_t n);

#endif

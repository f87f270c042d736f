/* fd_room.h — room for the file descriptors a cluster needs, made once at
 * start, before the first thread.
 *
 * A host over SSH holds about ten descriptors while it is up (its SSH
 * socket; libvirt's tunnel: the listening socket, both ends of the
 * connection and libvirt's wake-up pipes; the worker's eventfd and queue
 * pipe): 128 hosts need about 1 200, past the soft limit of 1 024 that most
 * logins get.  vdeck never calls select(), which is what that default
 * protects, so the soft limit is raised to what the hosts need, up to the
 * hard limit.
 *
 * And Linux grows a process's descriptor table by doubling it; growing it
 * while other threads share it waits for an RCU grace period (10–30 ms
 * here) in the thread that opens the descriptor and in every thread that
 * opens one meanwhile.  At 128 hosts the console crossed 64, 128 and 256
 * descriptors in front of its first frame: 30–45 ms.  So the table is sized
 * here, while the process has one thread. */
#ifndef VD_FD_ROOM_H
#define VD_FD_ROOM_H

#include "core/err.h"

#include <stddef.h>

/* What nhosts hosts need, with the process's own descriptors. */
size_t fd_room_needed(size_t nhosts);
/* Raises the soft RLIMIT_NOFILE to need (never lowers it, never past the
 * hard limit) and sizes the descriptor table for it.  Returns the number
 * of descriptors there is room for; when that is less than need, err says
 * so (the limit, what to raise) and the caller may go on with fewer. */
size_t fd_room_make(size_t need, struct vd_err *err);

/* Where fd_room_make found less room than the hosts need, connections
 * are let in only while there is room for them: libvirt's client aborts
 * the process (inside glib) when it cannot make a descriptor, at the open
 * and at every call it waits on (a wake-up descriptor per call).
 * fd_room_take(n), before a connection's n descriptors are made: counts
 * the descriptors open now, those other connects under way took and those
 * kept for connections made; -1 with VD_EIO naming the limit when n more
 * do not fit, and the caller fails that connect as any other.
 * fd_room_give(n, keep) once the connect is over: keep (0 or 1) stays
 * reserved while the connection lives, given back by fd_room_release.
 * Where the room was enough, they do nothing. */
#define FD_ROOM_LIBVIRT 7   /* a libvirt connection with its tunnel (measured: 6.1 at 32 hosts) */
int  fd_room_take(size_t n, struct vd_err *err);
void fd_room_give(size_t n, int keep);
void fd_room_release(void);

#endif

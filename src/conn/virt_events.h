/* virt_events.h — the event loop libvirt's client runs on (its sockets'
 * asynchronous messages, keepalive timers, domain events). */
#ifndef VD_VIRT_EVENTS_H
#define VD_VIRT_EVENTS_H

#include "core/err.h"

/* Registers the loop with libvirt (virEventRegisterImpl) and starts its
 * thread.  Once per process, before any connection is opened. */
int virt_events_start(struct vd_err *err);

#endif

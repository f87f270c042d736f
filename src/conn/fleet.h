/* fleet.h — one worker thread per host, and the loop-thread side that
 * applies their results to the model.
 *
 * Workers own every network resource (libvirt connection, SSH session) and
 * never touch the model; they post snapshots and replies to one queue.  The
 * loop thread calls fleet_pump(), which applies them.  Nothing here that runs
 * on the loop thread talks to a host. */
#ifndef VD_FLEET_H
#define VD_FLEET_H

#include "core/err.h"
#include "conn/virt.h"
#include "model/cluster.h"

struct fleet;
struct host_ctx;   /* a worker's own resources, passed to host calls */
struct transport_class;

struct fleet_opts {
	int connect_timeout_ms;    /* a source silent this long is not answering */
	int accept_new_hostkeys;
	int poll;                  /* 0: connect and read once per refresh only */
	/* Serves the hosts with transport = local: NULL for this machine; a
	 * platform that simulates its hosts passes its own class. */
	const struct transport_class *local_transport;
	/* 1: no worker starts (no key exchange, no libvirt open) until
	 * fleet_go, so the console draws its first screen before any of it. */
	int hold;
};

/* Runs on the host's worker thread. */
typedef int (*host_call_fn)(struct host_ctx *hc, void *arg, struct vd_err *err);
/* Runs on the loop thread when a call finished. */
typedef void (*host_done_fn)(void *ctx, int rc, const struct vd_err *err);

struct fleet *fleet_start(struct cluster *c, const struct fleet_opts *opts, struct vd_err *err);
/* Starts the workers of a fleet started with hold (a no-op after the first
 * call).  -1 when a thread could not start: the hosts started so far run. */
int  fleet_go(struct fleet *f, struct vd_err *err);
/* Stops every worker within half a second, whatever the hosts do: SSH waits
 * are cancelled; a worker stuck in libvirt finishes later on its own, with
 * its own copy of what it reads, so c and its inventory may be freed right
 * after.  Calls that did not run, and replies not yet applied, get their
 * done callbacks here; snapshots are no longer applied. */
/* Stops the workers, waiting a bounded time; returns how many were still
 * inside a call and go on detached: what their hosts' transports use (a
 * platform's transport class) must then outlive them. */
size_t fleet_stop(struct fleet **f);
struct cluster *fleet_cluster(struct fleet *f);
/* Readable when results wait: poll() it beside stdin. */
int  fleet_fd(const struct fleet *f);
/* Applies waiting results, waiting up to timeout_ms for the first, then
 * fleet_note_waits. */
int  fleet_pump(struct fleet *f, int timeout_ms);
/* Tells the model how long each worker's poll has waited on each source
 * (host_note_waits): a worker stuck inside libvirt cannot say so itself.
 * Never waits; readers of a host's state call it to read it as of now. */
void fleet_note_waits(struct fleet *f);
/* Asks for a poll of h (NULL: all) without waiting: returns the request's
 * ticket for fleet_refresh_answered, which is 1 once every asked host (h,
 * or all when NULL) answered with the poll this request made.  A poll of
 * the schedule's that merely started later does not count: it may not read
 * what the request asks for.  Waiting is the caller's (a task of the
 * scheduler, lua/sched.c).  fresh: after an operation that changed the
 * host's configuration, the slow facts (NIC coalescing, VF settings, Open
 * vSwitch, device links) are read again too, not at their own cadence
 * (transport_poll). */
uint64_t fleet_refresh_request(struct fleet *f, struct host *h, int fresh);
int  fleet_refresh_answered(const struct fleet *f, const struct host *h, uint64_t ticket);
/* Queues fn on h's worker; done runs on the loop thread (in fleet_pump)
 * once it returned.  There is no waiting form: see lua/sched.c. */
void fleet_call_async(struct fleet *f, struct host *h, host_call_fn fn, void *arg,
		      host_done_fn done, void *ctx);

/* For host_call_fn implementations in conn/. */
struct virt_host *host_ctx_virt(struct host_ctx *hc);
struct transport *host_ctx_transport(struct host_ctx *hc, struct vd_err *err);
/* A new transport to the host, beside the worker's own (caller closes it). */
struct transport *host_ctx_transport_new(struct host_ctx *hc, struct vd_err *err);
/* Marks the host for a re-read of every domain's XML; the call's reply then
 * follows a fresh libvirt poll, so the model shows the change when the
 * caller gets the answer. */
void host_ctx_changed(struct host_ctx *hc);
/* The same for one domain (cheaper: other domains' XML is not re-read),
 * and only for what changed of it. */
void host_ctx_changed_domain(struct host_ctx *hc, const char *uuid, enum virt_reread what);

#endif

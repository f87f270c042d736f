/* fleet.c — per-host workers, their message queues, and result application.
 *
 * A worker loops: poll when due (or when asked), run queued host calls,
 * sleep on its command queue until the next deadline.  Failures back off
 * exponentially up to a minute.  The loop thread drains the shared result
 * queue in fleet_pump(), applies snapshots to the model and completes calls.
 *
 * Stopping never waits on a host: fleet_stop() writes each worker's cancel
 * eventfd, which every SSH wait also polls, so a connect or a half-read
 * reply ends at once; a worker still inside libvirt (whose calls cannot be
 * interrupted) after STOP_WAIT_MS is left to finish on its own.  Each
 * worker holds a reference on the fleet, which owns the worker's own copy
 * of its host's configuration and the results queue: the last one out
 * frees them, so the model and inventory can go while a worker is stuck. */
#include "conn/fleet.h"
#include "conn/collect.h"
#include "conn/prom_source.h"
#include "conn/virt.h"
#include "core/log.h"
#include "core/queue.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "conn/transport.h"
#include "metrics/host_metrics.h"
#include "model/libvirt_route.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define BACKOFF_MAX_MS 60000
#define STOP_WAIT_MS   500    /* how long exit waits for all workers together */

enum cmd_kind { CMD_REFRESH, CMD_CALL, CMD_STOP };

struct command {
	struct queue_item item;
	enum cmd_kind kind;
	host_call_fn  fn;
	void         *arg;
	host_done_fn  done;
	void         *ctx;
	int           fresh;   /* CMD_REFRESH: the slow facts too (fleet_refresh_request) */
	uint64_t      ticket;  /* CMD_REFRESH: the request this poll answers */
};

enum msg_kind { MSG_SNAPSHOT, MSG_DONE };

struct message {
	struct queue_item    item;
	enum msg_kind        kind;
	size_t               host;
	struct host_snapshot snap;
	uint64_t             ticket;   /* MSG_SNAPSHOT: the refresh it answers (0: none) */
	host_done_fn         done;
	void                *ctx;
	int                  rc;
	struct vd_err        err;
};

struct host_ctx {
	struct fleet       *fleet;
	size_t              index;
	struct host_config  cfg;          /* own copy: the inventory may be freed first */
	pthread_t           thread;
	int                 running;      /* thread started and not joined */
	int                 cancel_fd;    /* eventfd, readable once the fleet stops */
	struct queue        cmds;
	struct virt_host   *virt;
	struct collector   *collector;
	struct libvirt_route route;       /* tunnel: libvirt goes through the collector's session */
	int                 failures;     /* consecutive polls nothing answered, for backoff */
	/* Per source: since when (monotonic ms) the poll under way waits on
	 * it, 0 when none does; read by the loop thread (fleet_note_waits). */
	atomic_llong        waiting_ms[HOST_NSRC];
	int                 changed;
	char                changed_uuid[37]; /* one domain changed ("": re-read all) */
	enum virt_reread    changed_what;     /* and what of it */
};

struct fleet {
	atomic_int        refs;           /* the loop thread's, and one per running worker */
	atomic_int        stopping;
	struct cluster   *cluster;        /* loop thread only */
	struct fleet_opts opts;
	struct queue      results;
	struct host_ctx  *workers;
	size_t            nworkers;
	uint64_t          tickets;        /* refresh requests made (loop thread only) */
	uint64_t         *answered;       /* per host: the last request it answered (loop thread) */
	struct prom_hub  *prom;           /* the Prometheus servers some hosts' metrics come from */
	int               started;        /* worker threads created (fleet_go) */
};

struct virt_host *host_ctx_virt(struct host_ctx *hc) { return hc->virt; }
void host_ctx_changed(struct host_ctx *hc)
{
	hc->changed = 1;
	hc->changed_uuid[0] = '\0';
	virt_host_invalidate(hc->virt);
}

void host_ctx_changed_domain(struct host_ctx *hc, const char *uuid, enum virt_reread what)
{
	/* A second domain in the same call: fall back to re-reading them all. */
	if (hc->changed && strcmp(hc->changed_uuid, uuid ? uuid : ""))
		hc->changed_uuid[0] = '\0';
	else if (!hc->changed)
		snprintf(hc->changed_uuid, sizeof hc->changed_uuid, "%s", uuid ? uuid : "");
	hc->changed_what = hc->changed && hc->changed_what != what ? VIRT_REREAD_ALL : what;
	hc->changed = 1;
	if (what == VIRT_REREAD_ALL)
		virt_host_invalidate_domain(hc->virt, uuid);
}

struct transport *host_ctx_transport(struct host_ctx *hc, struct vd_err *err)
{
	return collector_transport(hc->collector, err);
}

struct transport *host_ctx_transport_new(struct host_ctx *hc, struct vd_err *err)
{
	return collector_transport_new(hc->collector, err);
}

/* virt_uri_fn for hosts whose libvirt goes through their SSH session: the
 * session (opened if needed, as for a poll), its tunnel, the local URI. */
static int tunnel_uri(void *ctx, char **uri, struct vd_err *err)
{
	struct host_ctx *hc = ctx;
	const char *local;
	struct transport *tr = collector_transport(hc->collector, err);
	if (!tr || transport_tunnel(tr, (const char *const *)hc->route.sockets, hc->route.nsockets, &local,
				    err) < 0)
		return -1;
	*uri = libvirt_route_local_uri(&hc->route, local);
	return 0;
}

/* For the same hosts, the poll's statistics on a channel of the session
 * that the worker reads itself (conn/virt_rpc.h). */
static int tunnel_rpc_open(void *ctx, int anew, struct vd_err *err)
{
	struct host_ctx *hc = ctx;
	struct transport *tr = collector_transport(hc->collector, err);
	return tr ? transport_rpc_open(tr, anew, err) : -1;
}

static int tunnel_rpc_exchange(void *ctx, const void *req, size_t len, size_t max, int timeout_ms,
			       struct strbuf *reply, struct vd_err *err)
{
	struct host_ctx *hc = ctx;
	struct transport *tr = collector_transport(hc->collector, err);
	return tr ? transport_rpc_exchange(tr, req, len, max, timeout_ms, reply, err) : -1;
}

/* Never opens a session to close a channel. */
static void tunnel_rpc_close(void *ctx)
{
	struct host_ctx *hc = ctx;
	struct transport *tr = collector_transport_if_open(hc->collector);
	if (tr)
		transport_rpc_close(tr);
}

static const struct virt_rpc_channel tunnel_rpc = {
	.open = tunnel_rpc_open, .exchange = tunnel_rpc_exchange, .close = tunnel_rpc_close,
};

static int interval_ms(const struct host_ctx *hc)
{
	return hc->cfg.interval_ms > 0 ? hc->cfg.interval_ms : 2000;
}

/* The shell side knows QEMU processes by domain name; the libvirt side
 * knows the domains: join them so d:stats().numa_mem is filled. */
static void attach_vm_numa(const struct virt_host *vh, struct host_snapshot *s)
{
	if (!s->metrics)
		return;
	for (size_t i = 0; i < s->metrics->nvm_numa; i++) {
		const struct vm_numa *v = &s->metrics->vm_numa[i];
		for (size_t d = 0; d < s->ndoms; d++) {
			struct dom_stats *st = s->doms_same ? &s->stats[d] : &s->doms[d].stats;
			const char *name = s->doms_same ? virt_host_domain_name(vh, d) : s->doms[d].info.name;
			if (!name || strcmp(name, v->name))
				continue;
			st->numa_nodes = v->nodes < DOM_MAX_NUMA ? v->nodes : DOM_MAX_NUMA;
			memcpy(st->numa_mem, v->bytes, st->numa_nodes * sizeof st->numa_mem[0]);
		}
	}
}

static void source_answered(struct host_ctx *hc, struct host_snapshot *s, enum host_source src)
{
	s->answered[src] = now_mono_s();
	atomic_store(&hc->waiting_ms[src], 0);
}

/* full = 0: libvirt only, after an operation (the host's files did not
 * change because a VM did).  fresh: the shell's slow facts are read now
 * (collector_poll).  ticket: the refresh request this poll answers (0 for
 * the schedule's own and libvirt-only polls).  Both sources are waited on
 * from the start: while libvirt hangs, the host's files are not read
 * either.  Returns 0 when something answered (a host whose SSH is gone
 * keeps its libvirt data as fresh as its interval: it is not backed off). */
static int poll_host(struct host_ctx *hc, int full, int fresh, uint64_t ticket)
{
	struct message *m = x_calloc(1, sizeof *m);
	m->kind = MSG_SNAPSHOT;
	m->host = hc->index;
	m->ticket = ticket;
	struct host_snapshot *s = &m->snap;
	s->t = now_mono_s();
	int64_t t0 = now_ms();
	atomic_store(&hc->waiting_ms[HOST_SRC_LIBVIRT], t0);
	if (full && (hc->cfg.transport != HT_NONE || hc->cfg.metrics.source == MS_PROMETHEUS))
		atomic_store(&hc->waiting_ms[HOST_SRC_SHELL], t0);
	struct vd_err err;
	err_clear(&err);
	if (virt_host_poll(hc->virt, s, &err) < 0)
		s->libvirt_error = x_strdup(err.msg);
	source_answered(hc, s, HOST_SRC_LIBVIRT);
	if (full) {
		collector_poll(hc->collector, fresh, s);
		source_answered(hc, s, HOST_SRC_SHELL);
		attach_vm_numa(hc->virt, s);
	} else {
		s->shell_skipped = 1;
	}
	int ok = s->libvirt_ok || s->shell_ok;
	queue_push(&hc->fleet->results, &m->item);
	return ok ? 0 : -1;
}

/* After an operation on one domain: re-read that domain only (a full
 * libvirt poll per snapshot made bulk runbooks list every domain of the
 * host 3000 times).  -1 when the domain is gone: the caller polls. */
static int reread_domain(struct host_ctx *hc, const char *uuid, enum virt_reread what)
{
	struct message *m = x_calloc(1, sizeof *m);
	m->kind = MSG_SNAPSHOT;
	m->host = hc->index;
	m->snap.t = now_mono_s();
	struct vd_err err;
	err_clear(&err);
	if (virt_host_poll_domain(hc->virt, uuid, what, &m->snap, &err) < 0) {
		host_snapshot_free(&m->snap);
		free(m);
		return -1;
	}
	queue_push(&hc->fleet->results, &m->item);
	return 0;
}

static void run_call(struct host_ctx *hc, struct command *c)
{
	struct message *m = x_calloc(1, sizeof *m);
	m->kind = MSG_DONE;
	m->host = hc->index;
	m->done = c->done;
	m->ctx = c->ctx;
	err_clear(&m->err);
	err_where(&m->err, NULL, hc->cfg.name, NULL);
	if (atomic_load(&hc->fleet->stopping)) {
		m->rc = err_set(&m->err, VD_EUNREACH, "not run: vdeck is exiting");
		queue_push(&hc->fleet->results, &m->item);
		return;
	}
	/* Calls need libvirt; connect lazily so a first call does not wait a poll. */
	m->rc = c->fn(hc, c->arg, &m->err);
	if (hc->changed) {
		hc->changed = 0;
		/* Queued before the reply, so applied first: the caller sees the change. */
		if ((!hc->changed_uuid[0] || reread_domain(hc, hc->changed_uuid, hc->changed_what) < 0) && poll_host(hc, 0, 0, 0) == 0)
			hc->failures = 0;
		hc->changed_uuid[0] = '\0';
	}
	queue_push(&hc->fleet->results, &m->item);
}

static void fleet_release(struct fleet *f);

static void *worker_main(void *arg)
{
	struct host_ctx *hc = arg;
	struct fleet *f = hc->fleet;
	int64_t next_poll = now_ms();
	pthread_setname_np(pthread_self(), "vdeck-host");   /* top -H, perf */
	while (!atomic_load(&f->stopping)) {
		int64_t now = now_ms();
		if (f->opts.poll && now >= next_poll) {
			/* Only the schedule's own failures back it off: a refresh or
			 * an operation that found the host down too must not push the
			 * next try a minute away from a host that is back. */
			hc->failures = poll_host(hc, 1, 0, 0) == 0 ? 0 : hc->failures + 1;
			int delay = interval_ms(hc);
			for (int i = 0; i < hc->failures && delay < BACKOFF_MAX_MS; i++)
				delay *= 2;
			next_poll = now_ms() + (delay < BACKOFF_MAX_MS ? delay : BACKOFF_MAX_MS);
			continue;
		}
		int wait = f->opts.poll ? (int)(next_poll - now) : -1;
		struct command *c = (struct command *)queue_pop(&hc->cmds, wait);
		if (!c)
			continue;
		enum cmd_kind kind = c->kind;
		if (kind == CMD_CALL) {
			run_call(hc, c);   /* answers "not run" once the fleet stops */
		} else if (kind == CMD_REFRESH && !atomic_load(&f->stopping)) {
			if (poll_host(hc, 1, c->fresh, c->ticket) == 0)
				hc->failures = 0;
			next_poll = now_ms() + interval_ms(hc);
		}
		free(c);
		if (kind == CMD_STOP)
			break;
	}
	/* The network resources end with the thread that used them. */
	virt_host_free(&hc->virt);
	collector_free(&hc->collector);
	fleet_release(f);
	return NULL;
}

static void send_command(struct host_ctx *hc, enum cmd_kind kind, host_call_fn fn, void *arg,
			 host_done_fn done, void *ctx)
{
	struct command *c = x_calloc(1, sizeof *c);
	*c = (struct command){ .kind = kind, .fn = fn, .arg = arg, .done = done, .ctx = ctx };
	queue_push(&hc->cmds, &c->item);
}

/* Frees what the loop thread and the workers shared, once neither uses it. */
static void fleet_free(struct fleet *f)
{
	struct queue_item *it;
	for (size_t i = 0; i < f->nworkers; i++) {
		struct host_ctx *hc = &f->workers[i];
		virt_host_free(&hc->virt);     /* a worker that never started */
		collector_free(&hc->collector);
		while ((it = queue_pop(&hc->cmds, 0)))
			free(it);
		queue_destroy(&hc->cmds);
		close(hc->cancel_fd);
		libvirt_route_free(&hc->route);
		host_config_free(&hc->cfg);
	}
	/* Left by workers that finished after fleet_stop: no one to tell. */
	while ((it = queue_pop(&f->results, 0))) {
		struct message *m = (struct message *)it;
		if (m->kind == MSG_SNAPSHOT)
			host_snapshot_free(&m->snap);
		free(m);
	}
	queue_destroy(&f->results);
	prom_hub_free(&f->prom);
	free(f->workers);
	free(f->answered);
	free(f);
}

static void fleet_release(struct fleet *f)
{
	if (atomic_fetch_sub(&f->refs, 1) == 1)
		fleet_free(f);
}

struct fleet *fleet_start(struct cluster *c, const struct fleet_opts *opts, struct vd_err *err)
{
	if (virt_global_init(err) < 0)
		return NULL;
	struct fleet *f = x_calloc(1, sizeof *f);
	atomic_init(&f->refs, 1);
	atomic_init(&f->stopping, 0);
	f->cluster = c;
	f->opts = *opts;
	if (f->opts.connect_timeout_ms <= 0)
		f->opts.connect_timeout_ms = 10000;
	c->connect_timeout_s = f->opts.connect_timeout_ms / 1000.0;
	queue_init(&f->results);
	f->workers = x_calloc(c->nhosts ? c->nhosts : 1, sizeof *f->workers);
	f->answered = x_calloc(c->nhosts ? c->nhosts : 1, sizeof *f->answered);
	f->prom = prom_hub_new(f->opts.connect_timeout_ms);
	for (size_t i = 0; i < c->nhosts; i++) {
		struct host_ctx *hc = &f->workers[i];
		hc->cancel_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (hc->cancel_fd < 0) {
			err_set(err, VD_EIO, "cannot create a worker's eventfd: %s", strerror(errno));
			fleet_release(f);
			return NULL;
		}
		f->nworkers = i + 1;
		hc->fleet = f;
		hc->index = i;
		host_config_copy(&hc->cfg, c->hosts[i].cfg);
		queue_init(&hc->cmds);
		/* The first poll starts at once; until it does, it is owed from now. */
		for (int src = 0; src < HOST_NSRC; src++)
			atomic_init(&hc->waiting_ms[src], opts->poll ? (long long)now_ms() : 0);
		hc->virt = virt_host_new(hc->cfg.libvirt_uri, f->opts.connect_timeout_ms);
		hc->collector = collector_new(&hc->cfg, opts->local_transport, opts->accept_new_hostkeys,
					      f->opts.connect_timeout_ms, hc->cancel_fd);
		if (hc->cfg.metrics.source == MS_PROMETHEUS) {
			struct prom_member *pm = prom_hub_join(f->prom, &hc->cfg, err);
			if (!pm) {
				fleet_release(f);
				return NULL;
			}
			collector_use_prometheus(hc->collector, pm);
		}
		/* settled when the inventory was read: cannot fail here */
		if (hc->cfg.libvirt_via == LV_VIA_TUNNEL &&
		    libvirt_route_plan(&hc->cfg, LV_VIA_TUNNEL, &hc->route, err) == 0) {
			virt_host_set_route(hc->virt, tunnel_uri, hc);
			if (hc->route.own_stats)
				virt_host_set_rpc(hc->virt, &tunnel_rpc, hc, hc->route.daemon_uri);
		}
	}
	if (!opts->hold && fleet_go(f, err) < 0) {
		fleet_stop(&f);
		return NULL;
	}
	return f;
}

int fleet_go(struct fleet *f, struct vd_err *err)
{
	if (f->started)
		return 0;
	f->started = 1;
	if (prom_hub_start(f->prom, err) < 0)
		return -1;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1u << 20);
	for (size_t i = 0; i < f->nworkers; i++) {
		struct host_ctx *hc = &f->workers[i];
		atomic_fetch_add(&f->refs, 1);
		if (pthread_create(&hc->thread, &attr, worker_main, hc) != 0) {
			atomic_fetch_sub(&f->refs, 1);
			pthread_attr_destroy(&attr);
			err_set(err, VD_EIO, "cannot start a worker thread for host %s", hc->cfg.name);
			return -1;
		}
		hc->running = 1;
	}
	pthread_attr_destroy(&attr);
	return 0;
}

static void apply(struct fleet *f, struct message *m)
{
	struct cluster *c = f->cluster;
	if (m->kind == MSG_SNAPSHOT) {
		/* The Unix time of the sample, not of this (maybe later) apply. */
		double wall = now_wall_s() - (now_mono_s() - m->snap.t);
		host_apply_snapshot(c, &c->hosts[m->host], &m->snap, wall);
		host_snapshot_free(&m->snap);
		if (m->ticket > f->answered[m->host])
			f->answered[m->host] = m->ticket;
	} else {
		if (m->done)
			m->done(m->ctx, m->rc, &m->err);
	}
	free(m);
}

void fleet_note_waits(struct fleet *f)
{
	double now = now_mono_s();
	for (size_t i = 0; i < f->nworkers; i++) {
		double waiting[HOST_NSRC];
		for (int src = 0; src < HOST_NSRC; src++)
			waiting[src] = (double)atomic_load(&f->workers[i].waiting_ms[src]) / 1000.0;
		host_note_waits(f->cluster, &f->cluster->hosts[i], waiting, now);
	}
}

int fleet_pump(struct fleet *f, int timeout_ms)
{
	int n = 0;
	struct message *m = (struct message *)queue_pop(&f->results, timeout_ms);
	while (m) {
		apply(f, m);
		n++;
		m = (struct message *)queue_pop(&f->results, 0);
	}
	fleet_note_waits(f);
	return n;
}

uint64_t fleet_refresh_request(struct fleet *f, struct host *h, int fresh)
{
	uint64_t ticket = ++f->tickets;
	for (size_t i = 0; i < f->cluster->nhosts; i++)
		if (!h || &f->cluster->hosts[i] == h) {
			struct command *c = x_calloc(1, sizeof *c);
			*c = (struct command){ .kind = CMD_REFRESH, .fresh = fresh, .ticket = ticket };
			queue_push(&f->workers[i].cmds, &c->item);
		}
	return ticket;
}

/* Tickets grow and each worker answers its commands in order, so a host
 * whose last answered ticket is at least this one answered this request. */
int fleet_refresh_answered(const struct fleet *f, const struct host *h, uint64_t ticket)
{
	for (size_t i = 0; i < f->cluster->nhosts; i++)
		if ((!h || &f->cluster->hosts[i] == h) && f->answered[i] < ticket)
			return 0;
	return 1;
}

void fleet_call_async(struct fleet *f, struct host *h, host_call_fn fn, void *arg,
		      host_done_fn done, void *ctx)
{
	size_t i = (size_t)(h - f->cluster->hosts);
	send_command(&f->workers[i], CMD_CALL, fn, arg, done, ctx);
}

struct cluster *fleet_cluster(struct fleet *f) { return f->cluster; }
int fleet_fd(const struct fleet *f) { return queue_fd(&f->results); }

/* Calls that will not run and replies not yet applied: their done
 * callbacks still run (on this, the loop thread), so whoever waits on one,
 * or an orphaned request that frees itself there, is not left hanging. */
static void complete_leftovers(struct fleet *f)
{
	struct queue_item *it;
	for (size_t i = 0; i < f->nworkers; i++) {
		struct host_ctx *hc = &f->workers[i];
		while ((it = queue_pop(&hc->cmds, 0))) {
			struct command *c = (struct command *)it;
			if (c->kind == CMD_CALL) {
				struct vd_err err;
				err_clear(&err);
				err_where(&err, NULL, hc->cfg.name, NULL);
				err_set(&err, VD_EUNREACH, "not run: vdeck is exiting");
				if (c->done)
					c->done(c->ctx, -1, &err);
			}
			free(c);
		}
	}
	while ((it = queue_pop(&f->results, 0))) {
		struct message *m = (struct message *)it;
		if (m->kind == MSG_SNAPSHOT) {   /* the model is not updated any more */
			host_snapshot_free(&m->snap);
			free(m);
		} else {
			apply(f, m);
		}
	}
}

size_t fleet_stop(struct fleet **pf)
{
	struct fleet *f = *pf;
	size_t detached = 0;
	if (!f)
		return 0;
	*pf = NULL;
	atomic_store(&f->stopping, 1);
	for (size_t i = 0; i < f->nworkers; i++) {
		struct host_ctx *hc = &f->workers[i];
		if (!hc->running)
			continue;
		eventfd_write(hc->cancel_fd, 1);   /* ends any SSH wait at once */
		send_command(hc, CMD_STOP, NULL, NULL, NULL, NULL);
	}
	prom_hub_stop(f->prom);   /* ends every wait for a Prometheus poll at once */
	/* One deadline for all: a worker inside libvirt cannot be woken, and
	 * holds its reference until it comes back on its own. */
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += STOP_WAIT_MS * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	for (size_t i = 0; i < f->nworkers; i++) {
		struct host_ctx *hc = &f->workers[i];
		if (!hc->running)
			continue;
		if (pthread_timedjoin_np(hc->thread, NULL, &until) != 0) {
			pthread_detach(hc->thread);
			detached++;
		}
		hc->running = 0;
	}
	complete_leftovers(f);
	fleet_release(f);
	return detached;
}

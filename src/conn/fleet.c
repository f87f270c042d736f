/* fleet.c — per-host workers, their message queues, and result application.
 *
 * A worker loops: poll when due (or when asked), run queued host calls,
 * sleep on its command queue until the next deadline.  Failures back off
 * exponentially up to a minute.  The loop thread drains the shared result
 * queue in fleet_pump(), applies snapshots to the model and completes calls. */
#include "conn/fleet.h"
#include "conn/collect.h"
#include "conn/virt.h"
#include "core/log.h"
#include "core/queue.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "metrics/host_metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BACKOFF_MAX_MS 60000

enum cmd_kind { CMD_REFRESH, CMD_CALL, CMD_STOP };

struct command {
	struct queue_item item;
	enum cmd_kind kind;
	host_call_fn  fn;
	void         *arg;
	host_done_fn  done;
	void         *ctx;
};

enum msg_kind { MSG_SNAPSHOT, MSG_DONE };

struct message {
	struct queue_item    item;
	enum msg_kind        kind;
	size_t               host;
	struct host_snapshot snap;
	host_done_fn         done;
	void                *ctx;
	int                  rc;
	struct vd_err        err;
};

struct host_ctx {
	struct fleet       *fleet;
	size_t              index;
	struct host_config *cfg;
	pthread_t           thread;
	struct queue        cmds;
	struct virt_host   *virt;
	struct collector   *collector;
	int                 failures;     /* consecutive failed polls, for backoff */
	int                 changed;
	char                changed_uuid[37]; /* one domain changed ("": re-read all) */
};

struct fleet {
	struct cluster   *cluster;
	struct fleet_opts opts;
	struct queue      results;
	struct host_ctx  *workers;
	size_t            nworkers;
	atomic_uint       pending_calls;
	double           *asked;          /* per host: when a refresh was requested */
	double            started;
};

struct virt_host *host_ctx_virt(struct host_ctx *hc) { return hc->virt; }
const struct host_config *host_ctx_config(struct host_ctx *hc) { return hc->cfg; }
void host_ctx_changed(struct host_ctx *hc)
{
	hc->changed = 1;
	hc->changed_uuid[0] = '\0';
	virt_host_invalidate(hc->virt);
}

void host_ctx_changed_domain(struct host_ctx *hc, const char *uuid)
{
	/* A second domain in the same call: fall back to re-reading them all. */
	if (hc->changed && strcmp(hc->changed_uuid, uuid ? uuid : ""))
		hc->changed_uuid[0] = '\0';
	else if (!hc->changed)
		snprintf(hc->changed_uuid, sizeof hc->changed_uuid, "%s", uuid ? uuid : "");
	hc->changed = 1;
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

static int interval_ms(const struct host_ctx *hc)
{
	return hc->cfg->interval_ms > 0 ? hc->cfg->interval_ms : 2000;
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

/* full = 0: libvirt only, after an operation (the host's files did not
 * change because a VM did). */
static void poll_host(struct host_ctx *hc, int full)
{
	struct message *m = x_calloc(1, sizeof *m);
	m->kind = MSG_SNAPSHOT;
	m->host = hc->index;
	struct host_snapshot *s = &m->snap;
	s->t = now_mono_s();
	struct vd_err err;
	err_clear(&err);
	if (virt_host_poll(hc->virt, s, &err) < 0)
		s->libvirt_error = x_strdup(err.msg);
	if (full) {
		collector_poll(hc->collector, s);
		attach_vm_numa(hc->virt, s);
	} else {
		s->shell_skipped = 1;
	}
	hc->failures = (s->libvirt_ok && (s->shell_ok || !s->shell_used)) ? 0 : hc->failures + 1;
	queue_push(&hc->fleet->results, &m->item);
}

/* After an operation on one domain: re-read that domain only (a full
 * libvirt poll per snapshot made bulk runbooks list every domain of the
 * host 3000 times).  -1 when the domain is gone: the caller polls. */
static int reread_domain(struct host_ctx *hc, const char *uuid)
{
	struct message *m = x_calloc(1, sizeof *m);
	m->kind = MSG_SNAPSHOT;
	m->host = hc->index;
	m->snap.t = now_mono_s();
	struct vd_err err;
	err_clear(&err);
	if (virt_host_poll_domain(hc->virt, uuid, &m->snap, &err) < 0) {
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
	err_where(&m->err, NULL, hc->cfg->name, NULL);
	/* Calls need libvirt; connect lazily so a first call does not wait a poll. */
	m->rc = c->fn(hc, c->arg, &m->err);
	if (hc->changed) {
		hc->changed = 0;
		/* Queued before the reply, so applied first: the caller sees the change. */
		if (!hc->changed_uuid[0] || reread_domain(hc, hc->changed_uuid) < 0)
			poll_host(hc, 0);
		hc->changed_uuid[0] = '\0';
	}
	queue_push(&hc->fleet->results, &m->item);
}

static void *worker_main(void *arg)
{
	struct host_ctx *hc = arg;
	int64_t next_poll = now_ms();
	for (;;) {
		int64_t now = now_ms();
		if (hc->fleet->opts.poll && now >= next_poll) {
			poll_host(hc, 1);
			int delay = interval_ms(hc);
			for (int i = 0; i < hc->failures && delay < BACKOFF_MAX_MS; i++)
				delay *= 2;
			next_poll = now_ms() + (delay < BACKOFF_MAX_MS ? delay : BACKOFF_MAX_MS);
			continue;
		}
		int wait = hc->fleet->opts.poll ? (int)(next_poll - now) : -1;
		struct command *c = (struct command *)queue_pop(&hc->cmds, wait);
		if (!c)
			continue;
		enum cmd_kind kind = c->kind;
		if (kind == CMD_CALL) {
			run_call(hc, c);
		} else if (kind == CMD_REFRESH) {
			poll_host(hc, 1);
			next_poll = now_ms() + interval_ms(hc);
		}
		free(c);
		if (kind == CMD_STOP)
			break;
	}
	return NULL;
}

static void send_command(struct host_ctx *hc, enum cmd_kind kind, host_call_fn fn, void *arg,
			 host_done_fn done, void *ctx)
{
	struct command *c = x_calloc(1, sizeof *c);
	*c = (struct command){ .kind = kind, .fn = fn, .arg = arg, .done = done, .ctx = ctx };
	queue_push(&hc->cmds, &c->item);
}

struct fleet *fleet_start(struct cluster *c, const struct fleet_opts *opts, struct vd_err *err)
{
	if (virt_global_init(err) < 0)
		return NULL;
	struct fleet *f = x_calloc(1, sizeof *f);
	f->cluster = c;
	f->opts = *opts;
	if (f->opts.connect_timeout_ms <= 0)
		f->opts.connect_timeout_ms = 10000;
	queue_init(&f->results);
	f->nworkers = c->nhosts;
	f->workers = x_calloc(c->nhosts ? c->nhosts : 1, sizeof *f->workers);
	f->asked = x_calloc(c->nhosts ? c->nhosts : 1, sizeof *f->asked);
	f->started = now_mono_s();
	atomic_init(&f->pending_calls, 0);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1u << 20);
	for (size_t i = 0; i < c->nhosts; i++) {
		struct host_ctx *hc = &f->workers[i];
		hc->fleet = f;
		hc->index = i;
		hc->cfg = c->hosts[i].cfg;
		queue_init(&hc->cmds);
		hc->virt = virt_host_new(hc->cfg->libvirt_uri);
		hc->collector = collector_new(hc->cfg, opts->local_transport, opts->accept_new_hostkeys,
					      f->opts.connect_timeout_ms);
		if (pthread_create(&hc->thread, &attr, worker_main, hc) != 0) {
			pthread_attr_destroy(&attr);
			f->nworkers = i;
			fleet_stop(&f);
			err_set(err, VD_EIO, "cannot start a worker thread for host %s", c->hosts[i].cfg->name);
			return NULL;
		}
	}
	pthread_attr_destroy(&attr);
	return f;
}

static void apply(struct fleet *f, struct message *m)
{
	struct cluster *c = f->cluster;
	if (m->kind == MSG_SNAPSHOT) {
		host_apply_snapshot(c, &c->hosts[m->host], &m->snap, now_wall_s());
		host_snapshot_free(&m->snap);
	} else {
		atomic_fetch_sub(&f->pending_calls, 1);
		if (m->done)
			m->done(m->ctx, m->rc, &m->err);
	}
	free(m);
}

/* A host still connecting after the timeout is shown down; its worker keeps
 * trying, and its first answer brings it back. */
static void mark_silent_hosts(struct fleet *f)
{
	double now = now_mono_s();
	double limit = f->opts.connect_timeout_ms / 1000.0;
	for (size_t i = 0; i < f->cluster->nhosts; i++) {
		struct host *h = &f->cluster->hosts[i];
		if (h->state == HOST_CONNECTING && now - f->started > limit) {
			char msg[96];
			snprintf(msg, sizeof msg, "no answer within %.0f s", limit);
			host_set_down(f->cluster, h, msg, h->cfg->transport == HT_NONE ? NULL : msg);
		}
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
	mark_silent_hosts(f);
	return n;
}

static int host_answered_since(const struct host *h, double t)
{
	return h->polls > 0 && h->last_poll_mono >= t;
}

int fleet_refresh(struct fleet *f, struct host *h, int timeout_ms, struct vd_err *err)
{
	struct cluster *c = f->cluster;
	double t = now_mono_s();
	for (size_t i = 0; i < c->nhosts; i++)
		if (!h || &c->hosts[i] == h)
			send_command(&f->workers[i], CMD_REFRESH, NULL, NULL, NULL, NULL);
	int64_t deadline = now_ms() + timeout_ms;
	for (;;) {
		size_t missing = 0;
		for (size_t i = 0; i < c->nhosts; i++)
			if ((!h || &c->hosts[i] == h) && !host_answered_since(&c->hosts[i], t))
				missing++;
		if (!missing)
			break;
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			err_set(err, VD_ETIMEOUT, "%zu host(s) did not answer within %d ms", missing, timeout_ms);
			return -1;
		}
		fleet_pump(f, (int)(left < 100 ? left : 100));
	}
	if (h && h->state == HOST_DOWN) {
		err_where(err, "refresh", h->cfg->name, NULL);
		return err_set(err, VD_EUNREACH, "%s", h->libvirt_error ? h->libvirt_error :
			       h->shell_error ? h->shell_error : "host is down");
	}
	return 0;
}

double fleet_refresh_request(struct fleet *f, struct host *h)
{
	double t = now_mono_s();
	for (size_t i = 0; i < f->cluster->nhosts; i++)
		if (!h || &f->cluster->hosts[i] == h)
			send_command(&f->workers[i], CMD_REFRESH, NULL, NULL, NULL, NULL);
	return t;
}

int fleet_refresh_answered(const struct fleet *f, const struct host *h, double since)
{
	for (size_t i = 0; i < f->cluster->nhosts; i++)
		if ((!h || &f->cluster->hosts[i] == h) && !host_answered_since(&f->cluster->hosts[i], since))
			return 0;
	return 1;
}

void fleet_wait_initial(struct fleet *f, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	for (;;) {
		size_t waiting = 0;
		for (size_t i = 0; i < f->cluster->nhosts; i++)
			if (f->cluster->hosts[i].polls == 0 && f->cluster->hosts[i].state != HOST_DOWN)
				waiting++;
		int64_t left = deadline - now_ms();
		if (!waiting || left <= 0)
			return;
		fleet_pump(f, (int)(left < 100 ? left : 100));
	}
}

void fleet_call_async(struct fleet *f, struct host *h, host_call_fn fn, void *arg,
		      host_done_fn done, void *ctx)
{
	size_t i = (size_t)(h - f->cluster->hosts);
	atomic_fetch_add(&f->pending_calls, 1);
	send_command(&f->workers[i], CMD_CALL, fn, arg, done, ctx);
}

struct sync_call {
	int           finished;
	int           rc;
	struct vd_err err;
};

static void sync_done(void *ctx, int rc, const struct vd_err *err)
{
	struct sync_call *sc = ctx;
	sc->finished = 1;
	sc->rc = rc;
	sc->err = *err;
}

int fleet_call(struct fleet *f, struct host *h, host_call_fn fn, void *arg, struct vd_err *err)
{
	struct sync_call sc = { 0 };
	fleet_call_async(f, h, fn, arg, sync_done, &sc);
	while (!sc.finished)
		fleet_pump(f, 200);
	if (sc.rc < 0 && err)
		*err = sc.err;
	return sc.rc;
}

unsigned fleet_calls_pending(const struct fleet *f)
{
	return atomic_load(&((struct fleet *)f)->pending_calls);
}

struct cluster *fleet_cluster(struct fleet *f) { return f->cluster; }
int fleet_fd(const struct fleet *f) { return queue_fd(&f->results); }

void fleet_stop(struct fleet **pf)
{
	struct fleet *f = *pf;
	if (!f)
		return;
	for (size_t i = 0; i < f->nworkers; i++)
		send_command(&f->workers[i], CMD_STOP, NULL, NULL, NULL, NULL);
	for (size_t i = 0; i < f->nworkers; i++) {
		struct host_ctx *hc = &f->workers[i];
		/* A worker stuck in a network call must not hold up exit. */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 2;
		if (pthread_timedjoin_np(hc->thread, NULL, &ts) != 0) {
			pthread_detach(hc->thread);
			continue;
		}
		virt_host_free(&hc->virt);
		collector_free(&hc->collector);
		struct queue_item *it;
		while ((it = queue_pop(&hc->cmds, 0)))
			free(it);
		queue_destroy(&hc->cmds);
	}
	struct queue_item *it;
	while ((it = queue_pop(&f->results, 0))) {
		struct message *m = (struct message *)it;
		if (m->kind == MSG_SNAPSHOT)
			host_snapshot_free(&m->snap);
		free(m);
	}
	free(f->workers);
	free(f->asked);
	x_free(pf);
}

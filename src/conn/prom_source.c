/* prom_source.c — one thread per Prometheus, polling for all its hosts.
 *
 * Polls are asked for, not scheduled: a host's worker that wants fresh
 * metrics raises `demand`; the thread runs one poll (two instant queries
 * in parallel over libcurl's multi interface, POSTed so a long matcher
 * list fits) and publishes every host's share at once, so hosts polled
 * within one interval share one poll.  Polls start at least MIN_GAP_MS
 * apart whatever is asked.  Everything the thread shares with the workers
 * is under `lock`; `want` wakes the thread (demand, or the hub stops),
 * `done` wakes the waiting workers once a poll is published: two
 * conditions, so a worker asking for a poll does not wake every other
 * worker waiting for it. */
#include "conn/prom_source.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "metrics/host_metrics.h"
#include "metrics/prom.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_GAP_MS  250
#define MAX_BODY    (256u << 20)   /* an answer larger than this is refused */

struct slot {
	struct host_metrics *m;   /* the last poll's share, until taken */
	char error[256];          /* or why there is none */
	double rtt_ms;
	struct prom_vms *vms;     /* per-VM figures, when the host has libvirt_match */
};

struct prom_source {
	struct prom_hub *hub;
	struct metrics_settings set;   /* url, credentials (labels: per member) */
	char  *key;                    /* what tells two sources apart */
	struct prom_batch *batch;
	struct prom_batch *vbatch;     /* hosts with libvirt_match: their exporter series */
	size_t *vmember;               /* per vbatch entry: its member's index */
	char **labels_text;            /* per host: {instance="..."}, for messages */
	struct prom_member **members;
	size_t nmembers;
	pthread_t thread;
	int   started;
	CURLM *multi;
	pthread_mutex_t lock;
	pthread_cond_t  want, done;
	int   demand, stopping;
	unsigned seq;                  /* polls published */
	struct slot *slots;
	struct strbuf bodies[3];       /* the answers' buffers, kept from poll to poll */
	int64_t last_start_ms;
	struct prom_source *next;
};

struct prom_member {
	struct prom_source *src;
	size_t index;
	unsigned taken;                /* seq of the poll last taken */
};

struct prom_hub {
	struct prom_source *sources;
	int timeout_ms;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;
static void curl_init(void) { curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

struct prom_hub *prom_hub_new(int timeout_ms)
{
	struct prom_hub *hub = x_calloc(1, sizeof *hub);
	hub->timeout_ms = timeout_ms > 0 ? timeout_ms : 10000;
	return hub;
}

static char *source_key(const struct metrics_settings *m)
{
	struct strbuf sb;
	sb_init(&sb);
	const char *parts[] = { m->url, m->bearer_token_file, m->username, m->password_file, m->ca_file };
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		sb_appendf(&sb, "%s\x1f", parts[i] ? parts[i] : "");
	sb_appendf(&sb, "%d", m->insecure);
	for (size_t i = 0; i < m->nmatch; i++)
		sb_appendf(&sb, "\x1f%s", m->match[i].name);
	sb_append(&sb, "\x1flibvirt");
	for (size_t i = 0; i < m->nlibvirt_match; i++)
		sb_appendf(&sb, "\x1f%s", m->libvirt_match[i].name);
	return sb_detach(&sb);
}

static char *labels_text(const struct metrics_settings *m)
{
	struct strbuf sb;
	sb_init(&sb);
	sb_appendc(&sb, '{');
	for (size_t i = 0; i < m->nmatch; i++)
		sb_appendf(&sb, "%s%s=\"%s\"", i ? "," : "", m->match[i].name, m->match[i].value);
	sb_appendc(&sb, '}');
	return sb_detach(&sb);
}

struct prom_member *prom_hub_join(struct prom_hub *hub, const struct host_config *cfg, struct vd_err *err)
{
	char *key = source_key(&cfg->metrics);
	struct prom_source *src = hub->sources;
	while (src && strcmp(src->key, key))
		src = src->next;
	if (!src) {
		src = x_calloc(1, sizeof *src);
		src->hub = hub;
		src->key = key;
		key = NULL;
		metrics_settings_copy(&src->set, &cfg->metrics);
		src->batch = prom_batch_new();
		src->vbatch = prom_batch_new();
		pthread_mutex_init(&src->lock, NULL);
		sb_init(&src->bodies[0]);
		sb_init(&src->bodies[1]);
		sb_init(&src->bodies[2]);
		pthread_cond_init(&src->want, NULL);
		pthread_cond_init(&src->done, NULL);
		src->next = hub->sources;
		hub->sources = src;
	}
	free(key);
	long idx = prom_batch_add(src->batch, cfg->metrics.match, cfg->metrics.nmatch, err);
	if (idx < 0) {
		err_set(err, VD_ECONFIG, "%s: host %s: %s", cfg->source ? cfg->source : "inventory", cfg->name,
			err->msg);
		return NULL;
	}
	if (cfg->metrics.nlibvirt_match) {
		long v = prom_batch_add(src->vbatch, cfg->metrics.libvirt_match, cfg->metrics.nlibvirt_match, err);
		if (v < 0) {
			err_set(err, VD_ECONFIG, "%s: host %s: libvirt_match: %s",
				cfg->source ? cfg->source : "inventory", cfg->name, err->msg);
			return NULL;
		}
		src->vmember = x_realloc(src->vmember, ((size_t)v + 1) * sizeof *src->vmember);
		src->vmember[v] = (size_t)idx;
	}
	struct prom_member *pm = x_calloc(1, sizeof *pm);
	pm->src = src;
	pm->index = (size_t)idx;
	src->members = x_realloc(src->members, (src->nmembers + 1) * sizeof *src->members);
	src->labels_text = x_realloc(src->labels_text, (src->nmembers + 1) * sizeof *src->labels_text);
	src->members[src->nmembers] = pm;
	src->labels_text[src->nmembers] = labels_text(&cfg->metrics);
	src->nmembers++;
	return pm;
}

/* ---- one poll ---- */

struct transfer {
	CURL *easy;
	struct strbuf *body;           /* one of src->bodies */
	char *form;
	int too_big;
	struct curl_slist *headers;
};

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct transfer *t = ctx;
	if (t->body->len + size * n > MAX_BODY) {
		t->too_big = 1;
		return 0;
	}
	sb_append_n(t->body, data, size * n);
	return size * n;
}

/* The first line of a secret file, without its newline. */
static int read_secret(const char *path, char *out, size_t size, struct vd_err *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return err_set(err, VD_EIO, "cannot read %s: %s", path, strerror(errno));
	if (!fgets(out, (int)size, f))
		out[0] = '\0';
	fclose(f);
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

static int transfer_init(struct prom_source *src, struct transfer *t, struct strbuf *body, const char *query,
			 struct vd_err *err)
{
	const struct metrics_settings *m = &src->set;
	memset(t, 0, sizeof *t);
	t->body = body;
	sb_reset(body);
	t->easy = curl_easy_init();
	if (!t->easy)
		return err_set(err, VD_EIO, "cannot create a libcurl handle");
	char *escaped = curl_easy_escape(t->easy, query, 0);
	t->form = x_asprintf("query=%s", escaped ? escaped : "");
	curl_free(escaped);
	size_t ul = strlen(m->url);
	while (ul && m->url[ul - 1] == '/')
		ul--;
	char *url = x_asprintf("%.*s/api/v1/query", (int)ul, m->url);
	curl_easy_setopt(t->easy, CURLOPT_URL, url);
	free(url);
	curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, t->form);
	curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)src->hub->timeout_ms);
	curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, (long)src->hub->timeout_ms);
	curl_easy_setopt(t->easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(t->easy, CURLOPT_USERAGENT, "vdeck/" VD_VERSION);
	if (m->ca_file)
		curl_easy_setopt(t->easy, CURLOPT_CAINFO, m->ca_file);
	if (m->insecure) {
		curl_easy_setopt(t->easy, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(t->easy, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	char secret[4096];
	if (m->bearer_token_file) {
		if (read_secret(m->bearer_token_file, secret, sizeof secret, err) < 0)
			return -1;
		char *h = x_asprintf("Authorization: Bearer %s", secret);
		t->headers = curl_slist_append(t->headers, h);
		free(h);
		curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers);
	} else if (m->username) {
		if (read_secret(m->password_file, secret, sizeof secret, err) < 0)
			return -1;
		curl_easy_setopt(t->easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(t->easy, CURLOPT_USERNAME, m->username);
		curl_easy_setopt(t->easy, CURLOPT_PASSWORD, secret);
	}
	memset(secret, 0, sizeof secret);
	return 0;
}

static void transfer_free(struct transfer *t)
{
	if (t->easy)
		curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->headers);
	free(t->form);
}

/* Runs the transfers together until all ended or the hub stops. */
static int run_transfers(struct prom_source *src, struct transfer *t, size_t n, struct vd_err *err)
{
	for (size_t i = 0; i < n; i++)
		curl_multi_add_handle(src->multi, t[i].easy);
	int running = 1, rc = 0;
	while (running) {
		if (curl_multi_perform(src->multi, &running) != CURLM_OK) {
			rc = err_set(err, VD_EIO, "libcurl multi interface failed");
			break;
		}
		pthread_mutex_lock(&src->lock);
		int stop = src->stopping;
		pthread_mutex_unlock(&src->lock);
		if (stop) {
			rc = err_set(err, VD_EUNREACH, "not polled: vdeck is exiting");
			break;
		}
		if (running)
			curl_multi_poll(src->multi, NULL, 0, 1000, NULL);
	}
	CURLMsg *msg;
	int left;
	while (rc == 0 && (msg = curl_multi_info_read(src->multi, &left)))
		if (msg->msg == CURLMSG_DONE && msg->data.result != CURLE_OK) {
			struct transfer *bad = NULL;
			for (size_t i = 0; i < n; i++)
				if (t[i].easy == msg->easy_handle)
					bad = &t[i];
			rc = err_set(err, VD_EUNREACH, "%s", bad && bad->too_big ? "answer too large"
				     : curl_easy_strerror(msg->data.result));
		}
	for (size_t i = 0; i < n; i++)
		curl_multi_remove_handle(src->multi, t[i].easy);
	return rc;
}

/* The answer of a transfer that completed: its vector, or why not. */
static int answer(struct transfer *t, struct prom_vector *v, struct vd_err *err)
{
	long status = 0;
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	if (prom_vector_parse(t->body->buf, t->body->len, v, err) == 0) {
		if (status == 200)
			return 0;
		prom_vector_free(v);
	}
	if (status != 200 && !strstr(err->msg, "query failed"))
		return err_set(err, VD_EUNREACH, "HTTP status %ld", status);
	return -1;
}

/* Every host's share of one poll, or the poll's error for all. */
static void poll_once(struct prom_source *src, struct prom_host *hosts, struct prom_vms *vms, char *error,
		      size_t esize)
{
	size_t n = prom_batch_count(src->batch);
	double t = now_mono_s();
	for (size_t i = 0; i < n; i++) {
		prom_host_init(&hosts[i], t);
		prom_vms_init(&vms[i], t);
	}
	struct vd_err err;
	err_clear(&err);
	/* The third query, for the libvirt exporters, only when a host has one. */
	size_t nq = prom_batch_count(src->vbatch) ? 3 : 2;
	char *queries[3] = { prom_query_series(src->batch), prom_query_cpu(src->batch),
			     nq == 3 ? prom_query_vms(src->vbatch) : NULL };
	struct transfer tr[3];
	memset(tr, 0, sizeof tr);
	int rc = 0;
	for (size_t q = 0; q < nq && rc == 0; q++)
		rc = transfer_init(src, &tr[q], &src->bodies[q], queries[q], &err);
	if (rc == 0)
		rc = run_transfers(src, tr, nq, &err);
	for (size_t q = 0; q < nq && rc == 0; q++) {
		struct prom_vector v;
		if ((rc = answer(&tr[q], &v, &err)) < 0)
			break;
		for (size_t i = 0; i < v.n; i++) {
			long h = prom_batch_route(q == 2 ? src->vbatch : src->batch, &v.samples[i]);
			if (h >= 0 && q == 2)
				prom_vms_add(&vms[src->vmember[h]], &v.samples[i]);
			else if (h >= 0)
				prom_host_add(&hosts[h], &v.samples[i]);
		}
		prom_vector_free(&v);
	}
	for (size_t q = 0; q < nq; q++) {
		transfer_free(&tr[q]);
		free(queries[q]);
	}
	if (rc < 0)
		snprintf(error, esize, "prometheus %.120s: %.120s", src->set.url, err.msg);
	else
		error[0] = '\0';
}

static void publish(struct prom_source *src, struct prom_host *hosts, struct prom_vms *vms, const char *error,
		    double rtt_ms)
{
	pthread_mutex_lock(&src->lock);
	for (size_t i = 0; i < src->nmembers; i++) {
		struct slot *s = &src->slots[i];
		struct prom_host *h = &hosts[i];
		if (s->m) {
			host_metrics_free(s->m);
			free(s->m);
			s->m = NULL;
		}
		if (s->vms) {
			prom_vms_free(s->vms);
			free(s->vms);
			s->vms = NULL;
		}
		s->rtt_ms = rtt_ms;
		if (error[0])
			snprintf(s->error, sizeof s->error, "%.255s", error);
		else if (h->up == 0)
			snprintf(s->error, sizeof s->error, "prometheus %.100s: target %.100s is down (up == 0)", src->set.url,
				 src->labels_text[i]);
		else if (!h->nseries)
			snprintf(s->error, sizeof s->error, "prometheus %.100s: no series match %.100s", src->set.url,
				 src->labels_text[i]);
		else {
			s->error[0] = '\0';
			prom_host_finish(h);
			s->m = x_malloc(sizeof *s->m);
			*s->m = h->m;
			if (vms[i].n) {
				prom_vms_finish(&vms[i]);
				s->vms = x_malloc(sizeof *s->vms);
				*s->vms = vms[i];
			} else {
				prom_vms_free(&vms[i]);
			}
			continue;
		}
		host_metrics_free(&h->m);
		prom_vms_free(&vms[i]);
	}
	src->seq++;
	pthread_cond_broadcast(&src->done);
	pthread_mutex_unlock(&src->lock);
}

static void *source_main(void *arg)
{
	struct prom_source *src = arg;
	pthread_setname_np(pthread_self(), "vdeck-prom");   /* top -H, perf */
	struct prom_host *hosts = x_calloc(src->nmembers, sizeof *hosts);
	struct prom_vms *vms = x_calloc(src->nmembers, sizeof *vms);
	char error[256];
	pthread_mutex_lock(&src->lock);
	for (;;) {
		while (!src->stopping && !src->demand)
			pthread_cond_wait(&src->want, &src->lock);
		if (src->stopping)
			break;
		int64_t wait = src->last_start_ms + MIN_GAP_MS - now_ms();
		if (wait > 0) {   /* no faster than MIN_GAP_MS, whatever is asked */
			pthread_mutex_unlock(&src->lock);
			curl_multi_poll(src->multi, NULL, 0, (int)wait, NULL);
			pthread_mutex_lock(&src->lock);
			continue;
		}
		src->demand = 0;
		src->last_start_ms = now_ms();
		pthread_mutex_unlock(&src->lock);
		double t0 = now_mono_s();
		poll_once(src, hosts, vms, error, sizeof error);
		publish(src, hosts, vms, error, (now_mono_s() - t0) * 1000.0);
		pthread_mutex_lock(&src->lock);
	}
	pthread_mutex_unlock(&src->lock);
	free(hosts);
	free(vms);
	return NULL;
}

int prom_hub_start(struct prom_hub *hub, struct vd_err *err)
{
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return err_set(err, VD_EIO, "libcurl: %s", curl_easy_strerror(curl_init_rc));
	for (struct prom_source *src = hub->sources; src; src = src->next) {
		src->slots = x_calloc(src->nmembers, sizeof *src->slots);
		src->multi = curl_multi_init();
		if (!src->multi)
			return err_set(err, VD_EIO, "cannot create a libcurl multi handle");
		if (pthread_create(&src->thread, NULL, source_main, src) != 0)
			return err_set(err, VD_EIO, "cannot start the thread polling %s", src->set.url);
		src->started = 1;
	}
	return 0;
}

void prom_hub_stop(struct prom_hub *hub)
{
	for (struct prom_source *src = hub->sources; src; src = src->next) {
		pthread_mutex_lock(&src->lock);
		src->stopping = 1;
		pthread_cond_broadcast(&src->want);
		pthread_cond_broadcast(&src->done);
		pthread_mutex_unlock(&src->lock);
		if (src->multi)
			curl_multi_wakeup(src->multi);
	}
	for (struct prom_source *src = hub->sources; src; src = src->next)
		if (src->started) {
			pthread_join(src->thread, NULL);
			src->started = 0;
		}
}

void prom_hub_free(struct prom_hub **phub)
{
	struct prom_hub *hub = *phub;
	if (!hub)
		return;
	prom_hub_stop(hub);
	while (hub->sources) {
		struct prom_source *src = hub->sources;
		hub->sources = src->next;
		for (size_t i = 0; i < src->nmembers; i++) {
			if (src->slots && src->slots[i].m) {
				host_metrics_free(src->slots[i].m);
				free(src->slots[i].m);
			}
			if (src->slots && src->slots[i].vms) {
				prom_vms_free(src->slots[i].vms);
				free(src->slots[i].vms);
			}
			free(src->labels_text[i]);
			free(src->members[i]);
		}
		free(src->slots);
		free(src->labels_text);
		free(src->members);
		if (src->multi)
			curl_multi_cleanup(src->multi);
		prom_batch_free(&src->batch);
		prom_batch_free(&src->vbatch);
		free(src->vmember);
		metrics_settings_free(&src->set);
		pthread_mutex_destroy(&src->lock);
		sb_free(&src->bodies[0]);
		sb_free(&src->bodies[1]);
		sb_free(&src->bodies[2]);
		pthread_cond_destroy(&src->want);
		pthread_cond_destroy(&src->done);
		free(src->key);
		free(src);
	}
	free(hub);
	*phub = NULL;
}

int prom_member_take(struct prom_member *pm, struct host_metrics **out, struct prom_vms **vms, double *rtt_ms,
		     struct vd_err *err)
{
	struct prom_source *src = pm->src;
	int wait_ms = 2 * src->hub->timeout_ms + 1000;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (wait_ms % 1000) * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	*out = NULL;
	*vms = NULL;
	pthread_mutex_lock(&src->lock);
	if (src->seq == pm->taken && !src->demand) {
		src->demand = 1;
		pthread_cond_signal(&src->want);
	}
	/* One wait to the deadline: prom_hub_stop (called as the fleet stops)
	 * wakes it, and each published poll does. */
	while (src->seq == pm->taken) {
		if (src->stopping || pthread_cond_timedwait(&src->done, &src->lock, &until) == ETIMEDOUT) {
			int stop = src->stopping;
			pthread_mutex_unlock(&src->lock);
			return err_set(err, VD_EUNREACH, stop ? "not polled: vdeck is exiting"
				       : "prometheus %s: no answer within %d ms", src->set.url, wait_ms);
		}
	}
	pm->taken = src->seq;
	struct slot *s = &src->slots[pm->index];
	*out = s->m;
	s->m = NULL;
	*vms = s->vms;
	s->vms = NULL;
	*rtt_ms = s->rtt_ms;
	int rc = *out ? 0 : err_set(err, VD_EUNREACH, "%s", s->error[0] ? s->error : "no metrics in this poll");
	pthread_mutex_unlock(&src->lock);
	return rc;
}

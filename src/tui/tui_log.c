/* tui_log.c — while the console owns the terminal, vd_log lines (-v, -vv,
 * warnings) become events of the Log view: written to stderr they would
 * land over the curses screen.  Any thread may log (host workers do), so
 * the sink only queues a copy under a lock; the loop thread moves queued
 * lines into the cluster's event log, which only it writes.  Capture
 * starts before the host workers do (their first lines are the connects)
 * and ends after they stop; whatever was not moved by then goes to
 * stderr.  One console per process: the queue is this file's. */
#include "core/log.h"
#include "core/xalloc.h"
#include "tui/tui_priv.h"

#include <pthread.h>
#include <stdlib.h>

/* A flood (-vv on a large fleet) must not grow without bound while the
 * loop is busy: beyond this, lines are counted, not kept. */
#define LOG_QUEUE_MAX 1000

struct log_line {
	enum log_level level;
	char          *text;
};

struct log_queue {
	pthread_mutex_t  lock;
	struct log_line *lines;
	size_t           n, cap, dropped;
};

static void queue_line(enum log_level level, const char *line, void *ctx)
{
	struct log_queue *q = ctx;
	pthread_mutex_lock(&q->lock);
	if (q->n < LOG_QUEUE_MAX) {
		x_grow(&q->lines, &q->cap, q->n + 1, sizeof *q->lines);
		q->lines[q->n++] = (struct log_line){ level, x_strdup(line) };
	} else {
		q->dropped++;
	}
	pthread_mutex_unlock(&q->lock);
}

static struct log_queue *captured;

void tui_log_capture(void)
{
	if (captured)
		return;
	struct log_queue *q = x_calloc(1, sizeof *q);
	pthread_mutex_init(&q->lock, NULL);
	captured = q;
	log_set_sink(queue_line, q);
}

static enum event_kind level_kind(enum log_level level)
{
	switch (level) {
	case LOG_ERROR: return EV_ERROR;
	case LOG_WARN: return EV_WARN;
	default: return EV_INFO;
	}
}

void tui_log_drain(struct tui *t)
{
	struct log_queue *q = captured;
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	struct log_line *lines = q->lines;
	size_t n = q->n, dropped = q->dropped;
	q->lines = NULL;
	q->n = q->cap = q->dropped = 0;
	pthread_mutex_unlock(&q->lock);
	for (size_t i = 0; i < n; i++) {
		eventlog_add(&t->c->events, level_kind(lines[i].level), "", "%s", lines[i].text);
		free(lines[i].text);
	}
	free(lines);
	if (dropped)
		eventlog_add(&t->c->events, EV_WARN, "", "%zu log lines dropped (too many at once)", dropped);
}

void tui_log_release(void)
{
	struct log_queue *q = captured;
	if (!q)
		return;
	/* vd_log calls the sink under its own lock: once this returns, no
	 * thread is inside queue_line any more. */
	log_set_sink(NULL, NULL);
	for (size_t i = 0; i < q->n; i++) {
		vd_log(q->lines[i].level, "%s", q->lines[i].text);
		free(q->lines[i].text);
	}
	if (q->dropped)
		log_warn("%zu log lines dropped (too many at once)", q->dropped);
	free(q->lines);
	pthread_mutex_destroy(&q->lock);
	x_free(&captured);
}

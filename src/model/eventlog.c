/* eventlog.c — the event ring. */
#include "model/eventlog.h"
#include "core/timeutil.h"
#include "core/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void eventlog_init(struct eventlog *log, size_t cap)
{
	memset(log, 0, sizeof *log);
	log->cap = cap ? cap : 1;
	log->ring = x_calloc(log->cap, sizeof *log->ring);
}

void eventlog_add(struct eventlog *log, enum event_kind kind, const char *host, const char *fmt, ...)
{
	if (!log->ring)
		eventlog_init(log, 2000);
	struct event *e;
	if (log->n < log->cap) {
		e = &log->ring[(log->start + log->n++) % log->cap];
	} else {
		e = &log->ring[log->start];
		log->start = (log->start + 1) % log->cap;
	}
	e->t = now_wall_s();
	e->kind = kind;
	snprintf(e->host, sizeof e->host, "%s", host ? host : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof e->text, fmt, ap);
	va_end(ap);
	log->generation++;
}

const struct event *eventlog_get(const struct eventlog *log, size_t i)
{
	return i < log->n ? &log->ring[(log->start + i) % log->cap] : NULL;
}

const char *event_kind_name(enum event_kind k)
{
	static const char *const names[] = { "info", "warn", "alert", "audit", "error" };
	return (unsigned)k < 5 ? names[k] : "?";
}

void eventlog_free(struct eventlog *log)
{
	free(log->ring);
	memset(log, 0, sizeof *log);
}

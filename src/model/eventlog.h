/* eventlog.h — a bounded ring of timestamped events (alerts raised and
 * cleared, host state changes, audit records) for the Log view. */
#ifndef VD_EVENTLOG_H
#define VD_EVENTLOG_H

#include <stddef.h>

enum event_kind { EV_INFO, EV_WARN, EV_ALERT, EV_AUDIT, EV_ERROR };

struct event {
	double          t;          /* Unix time */
	enum event_kind kind;
	char            host[64];
	char            text[320];
};

struct eventlog {
	struct event *ring;
	size_t        cap, start, n;
	unsigned      generation;
};

void eventlog_init(struct eventlog *log, size_t cap);
void eventlog_add(struct eventlog *log, enum event_kind kind, const char *host, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* i = 0 is the oldest kept event. */
const struct event *eventlog_get(const struct eventlog *log, size_t i);
const char *event_kind_name(enum event_kind k);
void eventlog_free(struct eventlog *log);

#endif

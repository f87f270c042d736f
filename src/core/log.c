/* log.c — leveled, thread-safe diagnostics. */
#include "core/log.h"
#include "core/safe_text.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static enum log_level current = LOG_WARN;
static void (*sink_fn)(enum log_level, const char *, void *);
static void *sink_ctx;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void log_set_level(enum log_level lvl) { current = lvl; }
enum log_level log_get_level(void) { return current; }

void log_set_sink(void (*sink)(enum log_level, const char *, void *), void *ctx)
{
	pthread_mutex_lock(&lock);
	sink_fn = sink;
	sink_ctx = ctx;
	pthread_mutex_unlock(&lock);
}

void vd_log(enum log_level lvl, const char *fmt, ...)
{
	static const char *const tags[] = { "error", "warning", "info", "debug" };
	char line[1024];
	if (lvl > current)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&lock);
	if (sink_fn) {
		sink_fn(lvl, line, sink_ctx);   /* the console draws it through put_text */
	} else {
		/* One line, whatever a host put in it. */
		struct strbuf safe;
		sb_init(&safe);
		sb_append_safe(&safe, line, strlen(line), 0);
		fprintf(stderr, "vdeck: %s: %s\n", tags[lvl], safe.buf);
		sb_free(&safe);
	}
	pthread_mutex_unlock(&lock);
}

/* log.h — diagnostics on stderr, filtered by -v/-q.
 *
 * Only the top layers decide what the user sees; lower layers log at debug
 * level for -v and otherwise report through struct vd_err. */
#ifndef VD_LOG_H
#define VD_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
/* Redirects log lines (e.g. into the TUI's log view); NULL restores stderr. */
void log_set_sink(void (*sink)(enum log_level, const char *line, void *ctx), void *ctx);
void vd_log(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) vd_log(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  vd_log(LOG_WARN, __VA_ARGS__)
#define log_info(...)  vd_log(LOG_INFO, __VA_ARGS__)
#define log_debug(...) vd_log(LOG_DEBUG, __VA_ARGS__)

#endif

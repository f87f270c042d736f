/* audit_syslog.h — a copy of every audit record for syslog, so the trail
 * survives the console machine (`defaults { audit = { syslog = true } }` or
 * --audit-syslog).  The local file (audit.h) stays the primary record: a
 * record syslog cannot take is dropped, never waited for, and never refuses
 * an operation.
 *
 * Each record is one RFC 5424 message over the local datagram socket
 * (/dev/log, where rsyslog or journald listen): facility authpriv,
 * severity notice (warning for failed, refused, aborted, abandoned),
 * APP-NAME vdeck, MSGID the record kind ("started", "result"), the
 * record's fields as structured data [vdeck@32473 ...] and the whole JSON
 * line as MSG. */
#ifndef VD_AUDIT_SYSLOG_H
#define VD_AUDIT_SYSLOG_H

#include "core/err.h"
#include "core/strbuf.h"
#include "ops/audit.h"

#define AUDIT_SYSLOG_SOCKET "/dev/log"
/* The longest message sent: rsyslog's default maxMessageSize.  MSG (the
 * JSON line) is cut to fit; the structured data is whole. */
#define AUDIT_SYSLOG_MAX 8192

struct audit_syslog;

/* socket_path NULL: /dev/log.  Opens nothing yet. */
struct audit_syslog *audit_syslog_new(const char *socket_path);
void audit_syslog_free(struct audit_syslog **s);

/* The message for r, as sent. Pure. */
void audit_syslog_format(const struct audit_record *r, const char *hostname, struct strbuf *sb);

/* Sends r without ever blocking.  Returns -1 with err only when syslog
 * stops taking records (the socket is gone, the receiver is full): said
 * once, until a record goes through again; 0 otherwise. */
int  audit_syslog_send(struct audit_syslog *s, const struct audit_record *r, struct vd_err *err);

#endif

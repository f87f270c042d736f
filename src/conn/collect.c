/* collect.c — one round trip per host per poll, and its parse.
 *
 * The host's transport returns the poll bundle (SSH: one remote sh over the
 * persistent libssh2 session; local: read in-process under the sysroot;
 * a simulated host: whatever its platform's transport class reads).  All
 * feed the same pure parser, host_metrics_parse(). */
#include "conn/collect.h"
#include "conn/prom_source.h"
#include "conn/transport.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "metrics/host_metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct collector {
	const struct host_config     *cfg;
	const struct transport_class *cls;
	struct transport_params       params;
	struct transport             *tr;
	struct prom_member           *prom;   /* the host's metrics come from Prometheus */
};

struct collector *collector_new(const struct host_config *cfg, const struct transport_class *local,
				int accept_new_hostkeys, int connect_timeout_ms, int cancel_fd)
{
	struct collector *col = x_calloc(1, sizeof *col);
	col->cfg = cfg;
	col->cls = cfg->transport == HT_SSH ? &transport_ssh :
		   cfg->transport == HT_LOCAL ? (local ? local : &transport_local) : &transport_none;
	col->params = (struct transport_params){
		.host_name = cfg->name,
		.address = cfg->address,
		.sysroot = cfg->sysroot,
		.port = cfg->ssh.port,
		.user = cfg->ssh.user,
		.identity = cfg->ssh.identity,
		.known_hosts = cfg->ssh.known_hosts,
		.accept_new_hostkeys = accept_new_hostkeys,
		.connect_timeout_ms = connect_timeout_ms,
		.io_timeout_ms = connect_timeout_ms,
		.keepalive_s = -1,
		.cancel_fd = cancel_fd,
	};
	return col;
}

struct transport *collector_transport_if_open(struct collector *col)
{
	return col->tr && transport_is_connected(col->tr) ? col->tr : NULL;
}

struct transport *collector_transport(struct collector *col, struct vd_err *err)
{
	if (collector_transport_if_open(col))
		return col->tr;
	transport_close(&col->tr);
	col->tr = transport_open(col->cls, &col->params, err);
	return col->tr;
}

struct transport *collector_transport_new(struct collector *col, struct vd_err *err)
{
	return transport_open(col->cls, &col->params, err);
}

static int fetch_bundle(struct collector *col, int fresh, struct strbuf *out, struct vd_err *err)
{
	struct transport *tr = collector_transport(col, err);
	if (!tr)
		return -1;
	int rc = transport_poll(tr, fresh, 0, TRANSPORT_MAX_BYTES, out, err);
	if (rc < 0 && !transport_is_connected(tr))
		transport_close(&col->tr);   /* reconnect on the next poll */
	return rc;
}

void collector_use_prometheus(struct collector *col, struct prom_member *pm) { col->prom = pm; }

static void prometheus_poll(struct collector *col, struct host_snapshot *s)
{
	struct vd_err err;
	err_clear(&err);
	s->shell_used = 1;
	if (prom_member_take(col->prom, &s->metrics, &s->vms, &s->rtt_ms, &err) < 0)
		s->shell_error = x_strdup(err.msg);
	else
		s->shell_ok = 1;
}

void collector_poll(struct collector *col, int fresh, struct host_snapshot *s)
{
	if (col->prom) {
		prometheus_poll(col, s);
		return;
	}
	if (col->cfg->transport == HT_NONE)
		return;
	s->shell_used = 1;
	struct vd_err err;
	err_clear(&err);
	struct strbuf out;
	sb_init(&out);
	double t0 = now_mono_s();
	if (fetch_bundle(col, fresh, &out, &err) < 0) {
		s->shell_error = x_strdup(err.msg);
		sb_free(&out);
		return;
	}
	s->rtt_ms = (now_mono_s() - t0) * 1000.0;
	struct host_metrics *m = x_calloc(1, sizeof *m);
	if (host_metrics_parse(out.buf, out.len, s->t, m, &err) < 0) {
		s->shell_error = x_asprintf("host files: %s", err.msg);
		host_metrics_free(m);
		free(m);
	} else {
		s->metrics = m;
		s->shell_ok = 1;
	}
	sb_free(&out);
}

void collector_free(struct collector **pcol)
{
	struct collector *col = *pcol;
	if (!col)
		return;
	transport_close(&col->tr);
	x_free(pcol);
}

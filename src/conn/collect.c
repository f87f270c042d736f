/* collect.c — one round trip per host per poll, and its parse.
 *
 * SSH hosts run bundle_script() in one remote sh over their persistent
 * libssh2 session; local hosts (and demo hosts, whose /proc and /sys are a
 * simulated tree under sysroot) are read in-process.  Both feed the same
 * pure parser, host_metrics_parse(). */
#include "conn/collect.h"
#include "conn/local_bundle.h"
#include "conn/transport.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "demo/demo.h"
#include "metrics/bundle.h"
#include "metrics/host_metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLL_FN "vdeck_poll"

struct collector {
	const struct host_config *cfg;
	struct transport_params   params;
	struct transport         *tr;
	char                     *script;
	/* demo hosts: counters advance with time, as a real host's do */
	char                     *demo_dir;   /* own copy: the inventory may go first */
	struct demo_spec          demo;
	double                    started;
};

struct collector *collector_new(const struct inventory *inv, const struct host_config *cfg,
				int accept_new_hostkeys, int connect_timeout_ms, int cancel_fd)
{
	struct collector *col = x_calloc(1, sizeof *col);
	col->cfg = cfg;
	col->params = (struct transport_params){
		.host_name = cfg->name,
		.address = cfg->address,
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
	if (cfg->transport == HT_SSH)
		col->script = bundle_function(POLL_FN, cfg->sysroot, NULL);
	if (cfg->demo_index >= 0 && inv->demo_dir) {
		col->demo_dir = x_strdup(inv->demo_dir);
		col->demo = (struct demo_spec){ inv->demo_hosts, inv->demo_vms, inv->demo_seed };
	}
	col->started = now_mono_s();
	return col;
}

struct transport *collector_transport(struct collector *col, struct vd_err *err)
{
	if (col->tr && transport_is_connected(col->tr))
		return col->tr;
	transport_close(&col->tr);
	enum transport_kind kind = col->cfg->transport == HT_SSH ? TRANSPORT_SSH :
				   col->cfg->transport == HT_LOCAL ? TRANSPORT_LOCAL : TRANSPORT_NONE;
	col->tr = transport_open(kind, &col->params, err);
	return col->tr;
}

struct transport *collector_transport_new(struct collector *col, struct vd_err *err)
{
	enum transport_kind kind = col->cfg->transport == HT_SSH ? TRANSPORT_SSH :
				   col->cfg->transport == HT_LOCAL ? TRANSPORT_LOCAL : TRANSPORT_NONE;
	return transport_open(kind, &col->params, err);
}

static int fetch_bundle(struct collector *col, struct strbuf *out, struct vd_err *err)
{
	if (col->cfg->transport == HT_LOCAL) {
		if (col->demo_dir &&
		    demo_tick(col->demo_dir, (unsigned)col->cfg->demo_index, &col->demo,
			      now_mono_s() - col->started, err) < 0)
			return -1;
		local_bundle(col->cfg->sysroot, out);
		return 0;
	}
	struct transport *tr = collector_transport(col, err);
	if (!tr)
		return -1;
	int rc = transport_poll(tr, col->script, POLL_FN, 0, out, err);
	if (rc < 0 && !transport_is_connected(tr))
		transport_close(&col->tr);   /* reconnect on the next poll */
	return rc;
}

void collector_poll(struct collector *col, struct host_snapshot *s)
{
	if (col->cfg->transport == HT_NONE)
		return;
	s->shell_used = 1;
	struct vd_err err;
	err_clear(&err);
	struct strbuf out;
	sb_init(&out);
	double t0 = now_mono_s();
	if (fetch_bundle(col, &out, &err) < 0) {
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
	free(col->script);
	free(col->demo_dir);
	x_free(pcol);
}

/* collect.h — the shell half of a poll: one round trip per host over the
 * host's transport that returns every /proc and /sys file the metrics need
 * (SSH: one remote sh; local: read in-process), parsed on the worker. */
#ifndef VD_COLLECT_H
#define VD_COLLECT_H

#include "core/err.h"
#include "model/cluster.h"

struct collector;
struct transport;
struct transport_class;

/* The host's transport class follows its inventory transport; hosts with
 * transport = local use `local` when given (a platform's simulated hosts),
 * else this machine's.  cfg must outlive the collector; cancel_fd (-1:
 * none), once readable, ends every network wait of its transports at once. */
struct collector *collector_new(const struct host_config *cfg, const struct transport_class *local,
				int accept_new_hostkeys, int connect_timeout_ms, int cancel_fd);
/* Fills the shell half of s: shell_used, shell_ok, shell_error, metrics, rtt.
 * fresh: the slow facts are read now, not at their cadence (transport_poll). */
void collector_poll(struct collector *col, int fresh, struct host_snapshot *s);
/* The open transport (connecting if needed), for h:run() and host operations. */
struct transport *collector_transport(struct collector *col, struct vd_err *err);
/* The transport if it is open and connected, else NULL: never connects. */
struct transport *collector_transport_if_open(struct collector *col);
/* A second, separate transport to the same host with the same parameters
 * (commit-confirm checks the host still answers on a NEW connection);
 * the caller closes it. */
struct transport *collector_transport_new(struct collector *col, struct vd_err *err);
void collector_free(struct collector **col);
/* Hosts with metrics.source = "prometheus": polls take the host's share
 * of its Prometheus's answer (conn/prom_source.h) instead of reading the
 * host's files; the transport stays for operations. */
struct prom_member;
void collector_use_prometheus(struct collector *col, struct prom_member *pm);

#endif

/* cluster.h — the live model: every host, its state and its domains.
 *
 * Written only on the loop thread, from snapshots that workers produce off
 * it (struct host_snapshot).  Readers (Lua, TUI) look objects up by name or
 * uuid on every access, so a vanished VM is an error, never a dangling
 * pointer. */
#ifndef VD_CLUSTER_H
#define VD_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "metrics/gpu.h"
#include "metrics/prom.h"
#include "metrics/lun.h"
#include "metrics/netxml.h"
#include "metrics/poolxml.h"
#include "model/domain.h"
#include "model/eventlog.h"
#include "model/inventory.h"
#include "model/jobs.h"
#include "model/plan_board.h"
#include "model/unfinished.h"

struct host_metrics;
struct host_alert;

enum host_state { HOST_CONNECTING, HOST_UP, HOST_DEGRADED, HOST_DOWN };

/* Where a host's data comes from: libvirt, and the host's own files read
 * over its shell transport (none when transport = "none") or, with
 * metrics.source = "prometheus", its series in Prometheus: HOST_SRC_SHELL
 * is whichever of the two gives the host's metrics. */
enum host_source { HOST_SRC_LIBVIRT, HOST_SRC_SHELL, HOST_NSRC };

/* What one poll of one host produced; built on a worker, applied on the loop. */
struct host_snapshot {
	int       libvirt_ok, shell_ok;       /* which channels answered */
	int       shell_used;                 /* host has a shell transport */
	int       shell_skipped;              /* libvirt-only poll: shell state unchanged */
	char     *libvirt_error, *shell_error;
	char      libvirt_version[32], hypervisor[32], hostname[128];
	char      cpu_model[64];
	unsigned  cpus, cpu_mhz, numa_cells;
	uint64_t  memory;                     /* bytes */
	struct domain *doms;
	size_t    ndoms;
	int       doms_same;                  /* same domains as last time: only stats[] */
	int       dom_update;                 /* one domain re-read after an operation */
	struct dom_stats *stats;              /* ndoms entries, when doms_same */
	struct host_metrics *metrics;         /* NULL when the shell side failed */
	struct gpu_inv  gpus;                 /* libvirt node devices (libvirt_ok) */
	struct lun_list san_luns;             /* volumes of libvirt SAN pools (libvirt_ok) */
	char    **pool_dirs;                  /* directories of file pools (dir, fs, netfs) (libvirt_ok) */
	size_t    npool_dirs;
	struct pool_info *pools;              /* every storage pool with its volumes (pools_read) */
	size_t    npools;
	int       pools_read;                 /* pools were re-read: they replace the host's */
	struct net_list nets;                 /* libvirt networks and nwfilters (nets_read) */
	int       nets_read;                  /* networks were re-read: they replace the host's */
	double    rtt_ms;                     /* round trip of the metrics command */
	double    t;                          /* monotonic seconds of the sample */
	double    answered[HOST_NSRC];        /* when each half answered (monotonic s); 0: at t */
	struct prom_vms *vms;                 /* per-VM figures from Prometheus (libvirt_match) */
};

struct host {
	struct host_config *cfg;
	enum host_state state;
	char     *libvirt_error, *shell_error;
	char      libvirt_version[32], hypervisor[32], hostname[128], cpu_model[64];
	unsigned  cpus, cpu_mhz, numa_cells;
	uint64_t  memory;
	struct domain *doms;
	size_t    ndoms;
	struct host_metrics *metrics;
	struct gpu_inv  gpus;                 /* libvirt's view; h->metrics->gpus is sysfs' */
	struct lun_list san_luns;             /* libvirt SAN pool volumes; h->metrics->luns: host side */
	/* Target directories of the host's active libvirt pools that hold
	 * files: the only places restore_to from another host may use. */
	char    **pool_dirs;
	size_t    npool_dirs;
	struct pool_info *pools;              /* libvirt storage pools and their volumes */
	size_t    npools;
	struct net_list nets;                 /* libvirt networks and nwfilter names */
	int       nets_known;                 /* networks were read at least once */
	struct host_alert *alerts;            /* from the latest metrics */
	size_t    nalerts;
	double    rtt_ms;
	double    last_poll_wall;             /* Unix time of the last applied poll's sample */
	double    last_poll_mono;
	double    last_full_wall;             /* Unix time of the last poll every source answered */
	unsigned  polls;                      /* applied polls so far */
	unsigned  libvirt_polls;              /* of which libvirt answered: doms is known once > 0 */
	unsigned  shell_polls;                /* of which the host's files were read */
	double    answered_mono[HOST_NSRC];   /* each source's last answer */
	double    overdue_wait[HOST_NSRC];    /* the wait already marked as unanswered */
	unsigned  generation;                 /* bumps on every change */
	int       maintenance;                /* takes no new VMs in any plan (ops/maintenance.h) */
	struct prom_vms *vms;                 /* the last per-VM figures from Prometheus, for rates */
};

struct cluster {
	struct inventory *inv;
	struct host      *hosts;
	size_t            nhosts;
	unsigned          generation;
	struct job_list   jobs;
	struct eventlog   events;
	struct unfinished_list unfinished;   /* found in the audit trail at start */
	double            connect_timeout_s;  /* a source silent longer is not answering */
	struct plan_board plan;               /* the Plan view's plan (vdeck.plan_publish) */
};

void cluster_init(struct cluster *c, struct inventory *inv);
void cluster_free(struct cluster *c);
struct host *cluster_host(struct cluster *c, const char *name);
struct host *cluster_host_by_index(struct cluster *c, size_t i);
/* Finds a domain by name anywhere; sets *host_out. NULL when absent. */
struct domain *cluster_find_domain(struct cluster *c, const char *name, struct host **host_out);
struct domain *host_find_domain_uuid(struct host *h, const char *uuid);
struct domain *host_find_domain_name(struct host *h, const char *name);
/* 1 once the host said something about its domains: libvirt answered (the
 * list is known), failed with an error, or the host was marked down.
 * Until then an empty list means "not yet", never "none". */
int host_domains_settled(const struct host *h);
/* Takes ownership of the snapshot's contents and frees what it replaces. */
void host_apply_snapshot(struct cluster *c, struct host *h, struct host_snapshot *s, double wall);
/* host_state.c, for host_apply_snapshot: takes each source's result from
 * s (its error, when it answered), then recomputes the state, logging a
 * change. */
void host_note_answers(struct host *h, struct host_snapshot *s, double wall);
void host_update_state(struct cluster *c, struct host *h);
/* The loop thread's look between answers: waiting[s] is when a poll began
 * waiting on source s (monotonic s; 0: none waits).  A source waited on
 * for longer than the connect timeout is not answering: its error says so
 * and the host's state follows, until its answer comes. */
void host_note_waits(struct cluster *c, struct host *h, const double waiting[HOST_NSRC], double now);
void host_snapshot_free(struct host_snapshot *s);
const char *host_state_name(enum host_state s);

/* Ages, per source.  "libvirt" or "shell". */
const char *host_source_name(enum host_source s);
int    host_source_used(const struct host *h, enum host_source s);
/* The source's last error (its last read failed, or it did not answer). */
const char *host_source_error(const struct host *h, enum host_source s);
/* Seconds since s last answered, at now (monotonic); -1 when it never did
 * or the host does not use it. */
double host_source_age(const struct host *h, enum host_source s, double now);
/* 1 when what s last said is too old to pass for current: older than the
 * connect timeout while s is not answering, or older than the poll
 * interval plus the connect timeout whatever the reason. */
int    host_source_stale(const struct cluster *c, const struct host *h, enum host_source s, double now);
/* 1 when any source of h is stale. */
int    host_data_stale(const struct cluster *c, const struct host *h, double now);
/* The age of the oldest data shown for h: its oldest answered source; -1
 * when nothing answered yet. */
double host_data_age(const struct host *h, double now);

#endif

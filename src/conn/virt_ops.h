/* virt_ops.h — the libvirt calls behind vdeck's operations, as plain data.
 *
 * The operation layer (ops/) validates and builds a struct vop_request; the
 * functions here run it.  Short requests run on the host's worker thread
 * (vop_call, a host_call_fn).  Long ones (migration, block commit) run on a
 * thread of their own with a private connection (vop_job_*), so a slow
 * migration never blocks other work on its host and reports progress while
 * it runs.  vop_describe() renders a request exactly as it would be sent: the
 * API call with libvirt's flag names, then the XML; that text is dry-run's
 * output and the audit record's "call".  Both take a call's name and flags
 * from one table (vop_apis, virt_ops_calls.c). */
#ifndef VD_VIRT_OPS_H
#define VD_VIRT_OPS_H

#include <stdint.h>

#include "conn/fleet.h"
#include "core/err.h"
#include "core/strbuf.h"

enum vop_kind {
	VOP_SET_VCPUS,         /* value = count */
	VOP_SET_MEMORY,        /* value = bytes (sent as KiB) */
	VOP_ATTACH_DEVICE,     /* xml */
	VOP_DETACH_DEVICE,     /* xml; alias_of = how to find its alias for the event */
	VOP_BLOCK_RESIZE,      /* target, value = bytes */
	VOP_SNAPSHOT_CREATE,   /* xml */
	VOP_SNAPSHOT_REVERT,   /* target = snapshot name */
	VOP_SNAPSHOT_DELETE,   /* target = snapshot name */
	VOP_BLOCK_COMMIT,      /* target = disk; active commit then pivot (long) */
	VOP_MIGRATE,           /* dest_uri, bandwidth, max_downtime (long) */
	VOP_ABORT_JOB,
	VOP_DEFINE,            /* xml: a new persistent domain (restore_to) on the host named by
	                        * target, after running shell there; uuid empty */
	VOP_SNAPSHOT_LIST,     /* read only: fills vop_result.snapshots */
	VOP_BLOCK_INFO,        /* read only: target = disk; fills vop_result.capacity */
	VOP_UPDATE_DEVICE,     /* xml: a device changed in place (a NIC's <coalesce>, portgroup, VLAN) */
	VOP_PIN_VCPUS,         /* pins: each vCPU's host CPU list, in order; on a failure the
	                        * vCPUs already changed get their undo list back */
	VOP_PIN_EMULATOR,      /* cpus: host CPU list of the emulator threads */
	VOP_SET_NUMATUNE,      /* target = mode name ("strict", ...), cpus = nodeset */
	/* host requests (uuid empty): */
	VOP_NODEDEV_CREATE,    /* xml: an mdev; target = its uuid; VOPF_NODEDEV_DEFINE: persistent */
	VOP_NODEDEV_REMOVE,    /* target = mdev uuid: destroy, and undefine when persistent */
	VOP_VOL_CREATE,        /* target = pool, xml = <volume> */
	VOP_VOL_DELETE,        /* target = pool, volume = its name */
	VOP_VOL_RESIZE,        /* target = pool, volume = its name, value = new capacity in bytes */
	VOP_CLONE,             /* on the host named by target: vols (new volumes, each created or
	                        * copied in its pool), then xml defined (and started: VOPF_START);
	                        * a failed step deletes the volumes made before it */
	VOP_NET_DEFINE,        /* target = network, xml = <network>: define, then net_updates on the
	                        * running network, or restart it, start it, autostart it (VOPF_NET_*) */
	/* domain reads: */
	VOP_DOMAIN_XML,        /* read only: the inactive definition into vop_result.xml */
	/* (test_vop_flags walks the kinds up to the last one, VOP_DOMAIN_XML) */
};

/* Request flags: which libvirt flags a call passes is the table's business
 * (vop_apis below); the bits are contiguous so VOPF_ALL covers them all. */
enum {
	VOPF_LIVE          = 1u << 0,
	VOPF_CONFIG        = 1u << 1,
	VOPF_DISK_ONLY     = 1u << 2,
	VOPF_ATOMIC        = 1u << 3,
	VOPF_CHILDREN      = 1u << 4,
	VOPF_MIG_LIVE      = 1u << 5,
	VOPF_MIG_PERSIST   = 1u << 6,
	VOPF_MIG_UNDEFINE  = 1u << 7,
	VOPF_MIG_UNSAFE    = 1u << 8,
	VOPF_START         = 1u << 9,   /* VOP_DEFINE: start the new domain; VOP_SNAPSHOT_REVERT: running */
	VOPF_NODEDEV_DEFINE = 1u << 10, /* VOP_NODEDEV_CREATE: define (persistent), then start */
	VOPF_CURRENT       = 1u << 11,  /* placement: neither live nor config given: libvirt's
	                                 * "current" (live when running, else config) */
	VOPF_NET_START     = 1u << 12,  /* VOP_NET_DEFINE: start the network (virNetworkCreate) */
	VOPF_NET_RESTART   = 1u << 13,  /* VOP_NET_DEFINE: destroy and start it (the running one is stale) */
	VOPF_NET_AUTOSTART = 1u << 14,  /* VOP_NET_DEFINE: start it with the host */
	VOPF_ALL           = (1u << 15) - 1,   /* every bit above */
};

/* VOP_PIN_VCPUS: one vCPU's new host CPU list ("0-3,8") and the one it had. */
struct vop_pin {
	unsigned vcpu;
	char    *cpus;             /* owned */
	char    *undo;             /* owned */
};

struct vop_request {
	enum vop_kind kind;
	char          uuid[37];        /* the domain */
	char          dom_name[128];   /* for messages and describe */
	char          target[128];     /* disk target, snapshot name */
	char         *xml;             /* owned */
	char         *pre_xml;         /* owned, optional: VOP_ATTACH_DEVICE attaches it first (a controller) */
	uint64_t      value;
	unsigned      flags;
	int           external_snapshot;   /* VOP_SNAPSHOT_CREATE: overlays on the disks (they change) */
	/* VOP_DETACH_DEVICE: the device is found in the live XML by this XPath
	 * to read its alias; the call returns once the device-removed event for
	 * that alias arrived, or fails after wait_ms. */
	char         *alias_xpath;     /* owned */
	int           wait_ms;
	/* VOP_MIGRATE */
	char         *dest_uri;        /* owned: the target host's libvirt URI */
	char         *migrate_uri;     /* owned, optional: data connection URI */
	uint64_t      bandwidth_mib;   /* MiB/s, 0 = unlimited */
	uint64_t      max_downtime_ms; /* 0 = libvirt default */
	/* VOP_DEFINE: a sh script run over the host's shell transport first
	 * (creating disk files), and one undoing it if the define fails. */
	char         *shell;           /* owned */
	char         *undo_shell;      /* owned */
	/* VOP_BLOCK_COMMIT: snapshots whose metadata is deleted after the pivot
	 * (their overlays of that disk are merged away). */
	char        **drop_snapshots;  /* owned */
	size_t        ndrop_snapshots;
	char         *volume;          /* owned: VOP_VOL_DELETE's and VOP_VOL_RESIZE's volume name */
	/* VOP_PIN_VCPUS */
	struct vop_pin *pins;          /* owned */
	size_t        npins;
	/* VOP_PIN_EMULATOR: host CPU list; VOP_SET_NUMATUNE: host node list */
	char         *cpus;            /* owned */
	/* VOP_NET_DEFINE: portgroup changes made on the running network after
	 * the definition (libvirt applies a new definition only at the next
	 * start); each an xml <portgroup> and what to do with it. */
	struct vop_net_update *net_updates;   /* owned */
	size_t        nnet_updates;
	/* VOP_CLONE: the new VM's volumes, in order. */
	struct vop_volume_step *vols;  /* owned */
	size_t        nvols;
};

enum vop_net_command { VOP_NETUP_ADD, VOP_NETUP_MODIFY, VOP_NETUP_DELETE };

struct vop_net_update {
	enum vop_net_command command;
	char                *xml;      /* owned: one <portgroup> */
};

/* One volume a clone makes: <volume> xml in pool, created empty (a thin
 * overlay names its backing file in the xml) or, with from set, copied
 * from the volume at that path (virStorageVolCreateXMLFrom). */
struct vop_volume_step {
	char *pool;
	char *xml;
	char *from;            /* NULL: no copy */
};

struct vop_snapshot {
	char   *name, *parent;     /* parent NULL for a root */
	char   *xml;               /* the snapshot's XML (virDomainSnapshotGetXMLDesc) */
	int     current;
};

struct vop_result {
	struct vop_snapshot *snapshots;
	size_t               nsnapshots;
	char                 message[256];   /* a note for the user (e.g. "device removed") */
	uint64_t             capacity;       /* VOP_BLOCK_INFO: the disk's size in bytes as QEMU sees it */
	char                *xml;            /* VOP_DOMAIN_XML: the inactive definition, owned */
};

/* Progress of a long request, sampled from virDomainGetJobStats. */
struct vop_progress {
	int      valid;
	uint64_t data_total, data_processed, data_remaining;   /* bytes */
	uint64_t mem_dirty_rate;        /* pages/s */
	uint64_t mem_page_size;
	uint64_t expected_downtime_ms;
	uint64_t downtime_ms;           /* measured, when finished */
	uint64_t time_elapsed_ms;
	double   fraction;              /* 0..1, < 0 unknown */
	char     phase[32];             /* "migrating", "committing", "pivoting", ... */
};

/* The libvirt calls whose flags a request decides, one row each in
 * virt_ops_calls.c.  vop_describe prints a row's name and flag names, and the
 * runners pass vop_flags() of the same row, so dry-run cannot show one thing
 * while another is sent.  Look-ups and polls on the way (finding the
 * snapshot or mdev, job progress, the inactive definition an operation
 * reads before validating, as the poll reads it) and calls that have no flags to choose
 * (virNodeDeviceCreate, virNodeDeviceUndefine, virDomainMigrateSetMaxDowntime:
 * libvirt defines none) have no row. */
enum vop_api {
	VOPA_SET_VCPUS, VOPA_SET_MEMORY, VOPA_ATTACH_DEVICE, VOPA_DETACH_DEVICE, VOPA_BLOCK_RESIZE,
	VOPA_SNAPSHOT_CREATE, VOPA_SNAPSHOT_REVERT, VOPA_SNAPSHOT_DELETE, VOPA_SNAPSHOT_LIST, VOPA_BLOCK_INFO,
	VOPA_BLOCK_COMMIT, VOPA_BLOCK_PIVOT, VOPA_BLOCK_CANCEL, VOPA_SNAPSHOT_FORGET,
	VOPA_MIGRATE, VOPA_NODEDEV_DEFINE, VOPA_NODEDEV_CREATE, VOPA_UPDATE_DEVICE,
	VOPA_PIN_VCPU, VOPA_PIN_EMULATOR, VOPA_SET_NUMA, VOPA_NET_UPDATE,
	VOPA_COUNT
};

/* One libvirt flag: passed when the request has any bit of `when` (0: always). */
struct vop_flag_row {
	unsigned    when;
	unsigned    value;
	const char *name;         /* libvirt's name of value; NULL ends a list */
};

struct vop_api_row {
	enum vop_kind       kind;      /* the request that makes the call */
	const char         *name;      /* libvirt's function */
	int                 on_abort;  /* made only when the job is aborted: dry-run does not show it */
	struct vop_flag_row flags[6];
};

extern const struct vop_api_row vop_apis[VOPA_COUNT];

/* The libvirt flags call api passes for request r; when names is not NULL,
 * their names are appended as libvirt spells them ("A|B", "0" for none). */
unsigned vop_flags(enum vop_api api, const struct vop_request *r, struct strbuf *names);

void vop_request_free(struct vop_request *r);
void vop_result_free(struct vop_result *res);

/* Renders r as the API call(s) with libvirt's flag names (vop_flags), then any XML. */
void vop_describe(const struct vop_request *r, struct strbuf *sb);

/* host_call_fn: runs arg (a struct vop_call) on the host's worker. */
struct vop_call {
	const struct vop_request *req;
	struct vop_result        *res;
};
int  vop_call(struct host_ctx *hc, void *arg, struct vd_err *err);
/* host_call_fn: marks the host changed (re-read domains), arg unused. */
int  vop_mark_changed(struct host_ctx *hc, void *arg, struct vd_err *err);
/* virt_ops_host.c: a host request (no domain) on conn (a virConnectPtr). */
int  vop_run_host(void *conn, const struct vop_request *req, struct vop_result *res, struct vd_err *err);
/* virt_ops_volume.c: VOP_VOL_CREATE, VOP_VOL_DELETE and VOP_VOL_RESIZE on conn. */
int  vop_run_volume(void *conn, const struct vop_request *req, struct vop_result *res, struct vd_err *err);
/* virt_ops_network.c: VOP_NET_DEFINE on conn. */
int  vop_run_network(void *conn, const struct vop_request *req, struct vop_result *res, struct vd_err *err);
/* virt_ops_define.c: VOP_DEFINE on the worker of hc (its shell, then conn). */
int  vop_run_define(struct host_ctx *hc, void *conn, const struct vop_request *req, struct vop_result *res,
		    struct vd_err *err);
/* virt_ops_clone.c: VOP_CLONE on conn. */
int  vop_run_clone(void *conn, const struct vop_request *req, struct vop_result *res, struct vd_err *err);
/* virt_ops_place.c: the placement requests (pins, numatune): their
 * dry-run text, and the run on the domain (a virDomainPtr). */
void vop_describe_place(const struct vop_request *r, struct strbuf *sb);
int  vop_run_place(void *dom, const struct vop_request *r, struct vop_result *res, struct vd_err *err);
/* Deep copy (a job keeps its own). */
void vop_request_copy(struct vop_request *dst, const struct vop_request *src);

/* Long requests on their own thread and connection (uri of the host). */
struct vop_job;
struct vop_job *vop_job_start(const char *uri, const struct vop_request *req, struct vd_err *err);
/* Copies the latest progress; returns 1 when finished (then rc/err final). */
int  vop_job_poll(struct vop_job *j, struct vop_progress *p, int *rc, struct vd_err *err);
/* Asks the job to abort (virDomainAbortJob from the job's side). */
void vop_job_abort(struct vop_job *j);
/* Joins the thread (call after poll said finished). */
void vop_job_free(struct vop_job **j);

#endif

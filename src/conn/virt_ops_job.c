/* virt_ops_job.c — long operations (live migration, active block commit)
 * on a thread of their own with private connections, so the host's worker
 * keeps polling and other hosts are never held up.
 *
 * Progress is sampled from virDomainGetJobStats (migration: data processed
 * and remaining, dirty rate, expected downtime) or virDomainGetBlockJobInfo
 * (commit) every 100 ms into a mutex-guarded struct the loop thread copies
 * with vop_job_poll(); a finished job's last progress is fraction 1, phase
 * "done".  An abort request is honoured from the job's side.  After the
 * pivot of a merge, the merged snapshots' metadata is deleted. */
#include "conn/virt_ops.h"
#include "conn/virt.h"
#include "core/timeutil.h"
#include "core/xalloc.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vop_job {
	pthread_t           thread;
	pthread_mutex_t     mu;
	struct vop_request  req;      /* private copy */
	char               *uri;
	struct vop_progress p;
	int                 finished, rc;
	struct vd_err       err;
	atomic_int          abort;
	atomic_int          running;  /* migration call in progress (sampler runs) */
	virDomainPtr        dom;
};

static void set_progress(struct vop_job *j, const struct vop_progress *p)
{
	pthread_mutex_lock(&j->mu);
	j->p = *p;
	pthread_mutex_unlock(&j->mu);
}

static void phase(struct vop_job *j, const char *name)
{
	pthread_mutex_lock(&j->mu);
	snprintf(j->p.phase, sizeof j->p.phase, "%s", name);
	pthread_mutex_unlock(&j->mu);
}

static uint64_t ull(virTypedParameterPtr params, int n, const char *name)
{
	unsigned long long v = 0;
	if (virTypedParamsGetULLong(params, n, name, &v) != 1)
		v = 0;
	return v;
}

static int read_job_stats(virDomainPtr dom, unsigned flags, struct vop_progress *p)
{
	int type = 0, n = 0;
	virTypedParameterPtr params = NULL;
	if (virDomainGetJobStats(dom, &type, &params, &n, flags) < 0) {
		virResetLastError();
		return -1;
	}
	p->valid = type != VIR_DOMAIN_JOB_NONE;
	p->data_total = ull(params, n, VIR_DOMAIN_JOB_DATA_TOTAL);
	p->data_processed = ull(params, n, VIR_DOMAIN_JOB_DATA_PROCESSED);
	p->data_remaining = ull(params, n, VIR_DOMAIN_JOB_DATA_REMAINING);
	p->mem_dirty_rate = ull(params, n, VIR_DOMAIN_JOB_MEMORY_DIRTY_RATE);
	p->mem_page_size = ull(params, n, VIR_DOMAIN_JOB_MEMORY_PAGE_SIZE);
	p->time_elapsed_ms = ull(params, n, VIR_DOMAIN_JOB_TIME_ELAPSED);
	uint64_t dt = ull(params, n, VIR_DOMAIN_JOB_DOWNTIME);
	if (flags & VIR_DOMAIN_JOB_STATS_COMPLETED)
		p->downtime_ms = dt;
	else
		p->expected_downtime_ms = dt;
	p->fraction = p->data_total ? (double)p->data_processed / (double)p->data_total : -1;
	if (p->fraction > 1)
		p->fraction = 1;
	virTypedParamsFree(params, n);
	return 0;
}

/* Sampler beside the blocking migration call. */
static void *sampler(void *arg)
{
	struct vop_job *j = arg;
	int downtime_set = 0, aborted = 0;
	while (atomic_load(&j->running)) {
		struct vop_progress p;
		pthread_mutex_lock(&j->mu);
		p = j->p;
		pthread_mutex_unlock(&j->mu);
		if (read_job_stats(j->dom, 0, &p) == 0 && p.valid) {
			snprintf(p.phase, sizeof p.phase, "migrating");
			set_progress(j, &p);
			if (!downtime_set && j->req.max_downtime_ms) {
				if (virDomainMigrateSetMaxDowntime(j->dom, j->req.max_downtime_ms, 0) < 0)
					virResetLastError();
				downtime_set = 1;
			}
		}
		if (atomic_load(&j->abort) && !aborted) {
			if (virDomainAbortJob(j->dom) < 0)
				virResetLastError();
			aborted = 1;
		}
		sleep_ms(100);
	}
	return NULL;
}

static int do_migrate(struct vop_job *j, virConnectPtr conn, struct vd_err *err)
{
	(void)conn;
	const struct vop_request *r = &j->req;
	virConnectPtr dconn = virt_open(r->dest_uri, err);
	if (!dconn)
		return -1;
	virTypedParameterPtr params = NULL;
	int n = 0, max = 0;
	if (r->bandwidth_mib)
		virTypedParamsAddULLong(&params, &n, &max, VIR_MIGRATE_PARAM_BANDWIDTH, r->bandwidth_mib);
	if (r->migrate_uri)
		virTypedParamsAddString(&params, &n, &max, VIR_MIGRATE_PARAM_URI, r->migrate_uri);
	phase(j, "starting");
	atomic_store(&j->running, 1);
	pthread_t t;
	int have_sampler = pthread_create(&t, NULL, sampler, j) == 0;
	virDomainPtr ddom = virDomainMigrate3(j->dom, dconn, params, (unsigned)n, vop_flags(VOPA_MIGRATE, r, NULL));
	int rc = 0;
	if (!ddom)
		rc = virt_error(err, atomic_load(&j->abort) ? "migration (aborted)" : "migration");
	atomic_store(&j->running, 0);
	if (have_sampler)
		pthread_join(t, NULL);
	if (ddom) {
		struct vop_progress p;
		pthread_mutex_lock(&j->mu);
		p = j->p;
		pthread_mutex_unlock(&j->mu);
		if (read_job_stats(ddom, VIR_DOMAIN_JOB_STATS_COMPLETED, &p) < 0 &&
		    read_job_stats(j->dom, VIR_DOMAIN_JOB_STATS_COMPLETED, &p) < 0)
			virResetLastError();
		p.valid = 1;
		p.fraction = 1;
		snprintf(p.phase, sizeof p.phase, "done");
		set_progress(j, &p);
		virDomainFree(ddom);
	}
	virTypedParamsFree(params, n);
	virt_close(dconn);
	return rc;
}

static int do_commit(struct vop_job *j, struct vd_err *err)
{
	const struct vop_request *r = &j->req;
	if (virDomainBlockCommit(j->dom, r->target, NULL, NULL, r->bandwidth_mib,
				 vop_flags(VOPA_BLOCK_COMMIT, r, NULL)) < 0)
		return virt_error(err, "starting the block commit");
	phase(j, "committing");
	int pivot_tries = 0;
	for (;;) {
		if (atomic_load(&j->abort)) {
			if (virDomainBlockJobAbort(j->dom, r->target, vop_flags(VOPA_BLOCK_CANCEL, r, NULL)) < 0)
				virResetLastError();
			return err_set(err, VD_EINVAL, "merge aborted; %s still uses its overlay", r->target);
		}
		virDomainBlockJobInfo info;
		int got = virDomainGetBlockJobInfo(j->dom, r->target, &info, 0);
		if (got < 0)
			return virt_error(err, "reading the block job");
		if (got == 0)
			return err_set(err, VD_ELIBVIRT, "the block job of %s vanished before the pivot", r->target);
		struct vop_progress p = { .valid = 1 };
		p.data_total = info.end;
		p.data_processed = info.cur;
		p.data_remaining = info.end > info.cur ? info.end - info.cur : 0;
		p.fraction = info.end ? (double)info.cur / (double)info.end : -1;
		snprintf(p.phase, sizeof p.phase, "committing");
		set_progress(j, &p);
		if (info.end > 0 && info.cur == info.end) {
			phase(j, "pivoting");
			if (virDomainBlockJobAbort(j->dom, r->target, vop_flags(VOPA_BLOCK_PIVOT, r, NULL)) == 0)
				break;
			/* Not ready yet (mirror still converging): try again shortly. */
			if (++pivot_tries > 100)
				return virt_error(err, "pivoting to the base image");
			virResetLastError();
		}
		sleep_ms(100);
	}
	/* The merged snapshots' metadata: without it the VM migrates again. */
	for (size_t i = 0; i < r->ndrop_snapshots; i++) {
		phase(j, "forgetting snapshots");
		virDomainSnapshotPtr snap = virDomainSnapshotLookupByName(j->dom, r->drop_snapshots[i], 0);
		int rc = snap ? virDomainSnapshotDelete(snap, vop_flags(VOPA_SNAPSHOT_FORGET, r, NULL)) : -1;
		if (rc < 0) {
			/* before virDomainSnapshotFree, which clears the error */
			char what[300];
			snprintf(what, sizeof what, "merged %s, but deleting the metadata of snapshot '%.100s'",
				 r->target, r->drop_snapshots[i]);
			virt_error(err, what);
		}
		if (snap)
			virDomainSnapshotFree(snap);
		if (rc < 0)
			return -1;
	}
	struct vop_progress p = { .valid = 1, .fraction = 1 };
	pthread_mutex_lock(&j->mu);
	p.data_total = p.data_processed = j->p.data_total;
	pthread_mutex_unlock(&j->mu);
	snprintf(p.phase, sizeof p.phase, "done");
	set_progress(j, &p);
	return 0;
}

static void *job_main(void *arg)
{
	struct vop_job *j = arg;
	struct vd_err err;
	err_clear(&err);
	int rc = -1;
	virConnectPtr conn = virt_open(j->uri, &err);
	if (conn) {
		j->dom = virDomainLookupByUUIDString(conn, j->req.uuid);
		if (!j->dom)
			virt_error(&err, "finding the domain");
		else if (j->req.kind == VOP_MIGRATE)
			rc = do_migrate(j, conn, &err);
		else if (j->req.kind == VOP_BLOCK_COMMIT)
			rc = do_commit(j, &err);
		else
			err_set(&err, VD_EUNSUPPORTED, "not a long request");
		if (j->dom)
			virDomainFree(j->dom);
		j->dom = NULL;
		virt_close(conn);
	}
	pthread_mutex_lock(&j->mu);
	j->rc = rc;
	j->err = err;
	j->finished = 1;
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

struct vop_job *vop_job_start(const char *uri, const struct vop_request *req, struct vd_err *err)
{
	if (virt_global_init(err) < 0)
		return NULL;
	struct vop_job *j = x_calloc(1, sizeof *j);
	pthread_mutex_init(&j->mu, NULL);
	vop_request_copy(&j->req, req);
	j->uri = x_strdup(uri);
	j->p.fraction = -1;
	snprintf(j->p.phase, sizeof j->p.phase, "connecting");
	atomic_init(&j->abort, 0);
	atomic_init(&j->running, 0);
	if (pthread_create(&j->thread, NULL, job_main, j) != 0) {
		vop_request_free(&j->req);
		free(j->uri);
		pthread_mutex_destroy(&j->mu);
		free(j);
		err_set(err, VD_EIO, "cannot start a job thread");
		return NULL;
	}
	return j;
}

int vop_job_poll(struct vop_job *j, struct vop_progress *p, int *rc, struct vd_err *err)
{
	pthread_mutex_lock(&j->mu);
	if (p)
		*p = j->p;
	int done = j->finished;
	if (done) {
		if (rc)
			*rc = j->rc;
		if (err && j->rc < 0)
			*err = j->err;
	}
	pthread_mutex_unlock(&j->mu);
	return done;
}

void vop_job_abort(struct vop_job *j)
{
	atomic_store(&j->abort, 1);
}

void vop_job_free(struct vop_job **pj)
{
	struct vop_job *j = *pj;
	if (!j)
		return;
	pthread_join(j->thread, NULL);
	vop_request_free(&j->req);
	free(j->uri);
	pthread_mutex_destroy(&j->mu);
	x_free(pj);
}

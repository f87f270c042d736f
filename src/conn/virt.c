/* virt.c — reading a host through libvirt, cheaply enough for 3000 VMs.
 *
 * Domain XML is parsed only when a domain first appears or its basic info
 * (state, vCPUs, memory) changes, or after an operation invalidates it; pool
 * volumes (and the file pools' directories) are re-read every half minute
 * (SLOW_FACTS_MS) to give disks capacity and allocation.  A running
 * domain's disk sizes come from the bulk statistics of every poll (QEMU's
 * own view, block.N.capacity) and win over the volumes', which may be
 * older.  Everything else is bulk calls: one stats call per poll, whose
 * records name the domains (and, where a driver's statistics carry no
 * state, three filtered listings: virt_states.c). */
#include "conn/virt.h"
#include "conn/virt_events.h"
#include "conn/virt_rpc.h"
#include "conn/virt_states.h"
#include "core/fd_room.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/xalloc.h"
#include "metrics/poolxml.h"

#include <libvirt/libvirt.h>
#include <libxml/xmlerror.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What seldom changes (node facts, pools and volumes, node devices,
 * networks) is read again after this long, and at once after an operation
 * on the host (vh->invalid); domains every poll.  By time, not by poll: a
 * refresh every second would otherwise read them every few seconds, at a
 * dozen calls each time. */
#define SLOW_FACTS_MS        30000
#define KEEPALIVE_COUNT      2

struct cached_dom {
	unsigned char   raw[VIR_UUID_BUFLEN];
	char            uuid[VIR_UUID_STRING_BUFLEN];
	int             id;
	unsigned char   state;
	unsigned short  vcpus;
	unsigned long   mem_kib, maxmem_kib;
	struct dom_info info;
	int             persistent;
	int             snapshots;
	int             seen;
	/* The last poll's handle: a call on it names the domain by UUID, as a
	 * lookup would, without the lookup's round trip (an operation then
	 * costs its own calls only: a bulk snapshot is three per VM, not six).
	 * Held only while the connection is. */
	virDomainPtr    dom;
};

struct virt_host {
	char             *uri;
	virt_uri_fn       route;              /* NULL: open uri itself */
	void             *route_ctx;
	struct virt_rpc  *rpc;                /* the stats call on vdeck's own channel; NULL: none */
	int               timeout_ms;
	int               keepalive_s;        /* ping after this much silence */
	virConnectPtr     conn;
	struct cached_dom *doms;
	size_t            ndoms, cap;
	struct pool_info *pools;      /* every pool, with the active ones' volumes */
	size_t            npools;
	char            **pool_dirs;  /* file pools' directories, read with the volumes */
	size_t            npool_dirs;
	int64_t           slow_due;     /* monotonic ms: the next poll reads the slow facts */
	int               invalid;
	/* What the model got last time: when nothing but statistics changed,
	 * the next snapshot carries statistics only (no 3000 deep copies). */
	struct cached_dom **order;
	size_t            norder, ordercap;
	int               sent;
	int               stats_unsupported;   /* the driver has no bulk stats */
	int               stats_state_only;    /* its bulk stats carry the state only: ask for that */
	unsigned long     domain_calls;        /* per-domain calls made by polls */
	unsigned long     host_calls;          /* listings and bulk statistics calls made by polls */
	unsigned long     lookups;             /* domains looked up by UUID (virt_host_domain) */
	struct host_snapshot node;             /* node facts, re-read with the volumes */
	int               node_valid;
	struct gpu_inv    gpus;       /* node devices, re-read with the slow facts */
	struct lun_list   san_luns;   /* SAN pool volumes, idem */
	struct net_list   nets;       /* networks and nwfilters, idem */
};

static void silent_error(void *ctx, virErrorPtr e) { (void)ctx; (void)e; }

static void silent_xml(void *ctx, const char *fmt, ...) { (void)ctx; (void)fmt; }

/* Under a lock: a second event loop, started by a racing caller, would
 * leave the first one's watches where no thread looks at them. */
int virt_global_init(struct vd_err *err)
{
	static pthread_mutex_t once = PTHREAD_MUTEX_INITIALIZER;
	static int done;
	int rc = 0;
	pthread_mutex_lock(&once);
	if (!done) {
		virSetErrorFunc(NULL, silent_error);
		/* The test driver's file parser would print "I/O warning" lines
		 * on stderr; libvirt's own error already says what went wrong. */
		xmlThrDefSetGenericErrorFunc(NULL, silent_xml);
		xmlSetGenericErrorFunc(NULL, silent_xml);
		if (virInitialize() < 0)
			rc = virt_error(err, "libvirt initialisation");
		else if ((rc = virt_events_start(err)) == 0)
			done = 1;
	}
	pthread_mutex_unlock(&once);
	return rc;
}

int virt_error(struct vd_err *err, const char *what)
{
	virErrorPtr e = virGetLastError();
	int code = e ? e->code : 0;
	err_set(err, VD_ELIBVIRT, "%s: %s", what, e && e->message ? e->message : "unknown libvirt error");
	if (err)
		err->sys_code = code;
	virResetLastError();
	return -1;
}

struct virt_host *virt_host_new(const char *uri, int connect_timeout_ms)
{
	struct virt_host *vh = x_calloc(1, sizeof *vh);
	vh->uri = x_strdup(uri);
	vh->timeout_ms = connect_timeout_ms;
	/* libvirt closes a connection after KEEPALIVE_COUNT + 1 unanswered
	 * pings: about the connect timeout, at least 3 s. */
	vh->keepalive_s = connect_timeout_ms / 1000 / (KEEPALIVE_COUNT + 1);
	if (vh->keepalive_s < 1)
		vh->keepalive_s = 1;
	return vh;
}

static void drop_handle(struct cached_dom *c)
{
	if (c->dom)
		virDomainFree(c->dom);
	c->dom = NULL;
}

static void keep_handle(struct cached_dom *c, virDomainPtr dom)
{
	if (c->dom == dom)
		return;
	virDomainRef(dom);
	drop_handle(c);
	c->dom = dom;
}

/* The kept handle still says what a poll's new one says: a call names the
 * domain by UUID, and ID and name are all else a handle carries.  Keeping
 * it saves two calls per VM per poll, each of which formats the UUID for
 * libvirt's debug log whether or not anything is logged (at 3000 VMs a
 * tenth of the console's CPU went to that).  GetName has no such cost. */
static int handle_current(const struct cached_dom *c, virDomainPtr dom, int id)
{
	const char *kept = c->dom ? virDomainGetName(c->dom) : NULL;
	const char *now = virDomainGetName(dom);
	return kept && now && c->id == id && !strcmp(kept, now);
}

/* The cache's entry for a raw UUID, or NULL. */
static struct cached_dom *cache_find(struct virt_host *vh, const unsigned char *raw)
{
	for (size_t i = 0; i < vh->ndoms; i++)
		if (!memcmp(vh->doms[i].raw, raw, VIR_UUID_BUFLEN))
			return &vh->doms[i];
	return NULL;
}

/* Handles for the domains vdeck's own statistics call named: the kept one
 * while it names the same run of the domain (name and ID, as
 * handle_current), else one from a listing of every domain, made once per
 * poll on first need (a new connection's first poll needs them all: one
 * call, not one lookup per domain), else a lookup by UUID (a domain defined
 * since the listing).  None is made in a poll where nothing changed. */
struct own_handles {
	virDomainPtr *all;
	int           nall, listed;
};

static virDomainPtr own_handle(struct virt_host *vh, struct own_handles *h, struct cached_dom *c,
			       const struct virt_rpc_rec *r, virDomainPtr *fresh)
{
	const char *kept = c && c->dom ? virDomainGetName(c->dom) : NULL;
	if (kept && c->id == (r->id < 0 ? -1 : r->id) && !strcmp(kept, r->name))
		return c->dom;
	if (!h->listed) {
		h->listed = 1;
		vh->host_calls++;
		h->nall = virConnectListAllDomains(vh->conn, &h->all, 0);
		if (h->nall < 0) {
			h->nall = 0;
			virResetLastError();
		}
	}
	unsigned char raw[VIR_UUID_BUFLEN];
	for (int i = 0; i < h->nall; i++) {
		if (h->all[i] && virDomainGetUUID(h->all[i], raw) == 0 && !memcmp(raw, r->uuid, sizeof raw)) {
			*fresh = h->all[i];
			h->all[i] = NULL;   /* this one is the caller's now */
			return *fresh;
		}
	}
	vh->lookups++;
	*fresh = virDomainLookupByUUID(vh->conn, r->uuid);
	return *fresh;
}

static void own_handles_free(struct own_handles *h)
{
	for (int i = 0; i < h->nall; i++)
		if (h->all[i])
			virDomainFree(h->all[i]);
	free(h->all);
}

/* doms[i] for every own record: -1 (and nothing allocated) when not one
 * resolves while there are some: the channel and libvirt's connection see
 * two sets of domains, and the channel is turned off. */
static int own_resolve(struct virt_host *vh, const struct virt_rpc_rec *own, size_t n, struct own_handles *h,
		       virDomainPtr **doms, virDomainPtr **fresh)
{
	*doms = x_calloc(n + 1, sizeof **doms);
	*fresh = x_calloc(n + 1, sizeof **fresh);
	size_t resolved = 0;
	for (size_t i = 0; i < n; i++) {
		struct cached_dom *c = cache_find(vh, own[i].uuid);
		(*doms)[i] = own_handle(vh, h, c, &own[i], &(*fresh)[i]);
		resolved += (*doms)[i] != NULL;
	}
	virResetLastError();
	if (resolved || !n)
		return 0;
	x_free(doms);
	x_free(fresh);
	own_handles_free(h);
	memset(h, 0, sizeof *h);
	virt_rpc_disable(vh->rpc);
	log_info("libvirt: %s: vdeck's own channel names domains libvirt's connection does not know: "
		 "statistics through libvirt's client until it reconnects", vh->uri);
	return -1;
}

/* A handle holds its connection: they go before it closes. */
static void drop_connection(struct virt_host *vh)
{
	for (size_t i = 0; i < vh->ndoms; i++)
		drop_handle(&vh->doms[i]);
	vh->sent = 0;
	vh->node_valid = 0;
	vh->slow_due = 0;   /* a new connection reads everything */
	vh->stats_unsupported = 0;
	vh->stats_state_only = 0;
	if (vh->rpc)
		virt_rpc_reset(vh->rpc);
	virt_close(vh->conn);
	vh->conn = NULL;
}

void virt_host_set_route(struct virt_host *vh, virt_uri_fn fn, void *ctx)
{
	vh->route = fn;
	vh->route_ctx = ctx;
}

void virt_host_set_rpc(struct virt_host *vh, const struct virt_rpc_channel *ch, void *ctx,
		       const char *daemon_uri)
{
	virt_rpc_free(&vh->rpc);
	vh->rpc = virt_rpc_new(ch, ctx, daemon_uri);
}

static virConnectPtr open_conn(const char *uri, struct vd_err *err)
{
	virConnectPtr conn = virConnectOpenAuth(uri, virConnectAuthPtrDefault, 0);
	if (!conn)
		virt_error(err, uri);
	return conn;
}

void *virt_open(const char *uri, struct vd_err *err)
{
	if (fd_room_take(FD_ROOM_LIBVIRT, err) < 0)
		return NULL;
	virConnectPtr conn = open_conn(uri, err);
	fd_room_give(FD_ROOM_LIBVIRT, conn != NULL);
	return conn;
}

void virt_close(void *conn)
{
	if (!conn)
		return;
	virConnectClose(conn);
	fd_room_release();
}

int virt_host_connect(struct virt_host *vh, struct vd_err *err)
{
	char *via = NULL;
	if (vh->conn)
		return 0;
	/* room for the tunnel's descriptors (the route) and libvirt's */
	if (fd_room_take(FD_ROOM_LIBVIRT, err) < 0)
		return -1;
	if (!vh->route || vh->route(vh->route_ctx, &via, err) == 0)
		vh->conn = open_conn(via ? via : vh->uri, err);
	fd_room_give(FD_ROOM_LIBVIRT, vh->conn != NULL);
	if (!vh->conn) {
		free(via);
		return -1;
	}
	/* Remote drivers only: a cut host or a frozen daemon fails the call
	 * that waits on it within about the connect timeout. */
	if (virConnectSetKeepAlive(vh->conn, vh->keepalive_s, KEEPALIVE_COUNT) < 0)
		virResetLastError();
	if (via)
		log_info("libvirt: connected to %s through the host's SSH session (%s)", vh->uri, via);
	else
		log_info("libvirt: connected to %s", vh->uri);
	free(via);
	return 0;
}

void *virt_host_handle(struct virt_host *vh)
{
	return vh->conn;
}

void virt_host_invalidate(struct virt_host *vh)
{
	vh->invalid = 1;
}

unsigned long virt_host_domain_calls(const struct virt_host *vh)
{
	return vh->domain_calls;
}

unsigned long virt_host_host_calls(const struct virt_host *vh)
{
	return vh->host_calls;
}

unsigned long virt_host_lookups(const struct virt_host *vh)
{
	return vh->lookups;
}

static struct cached_dom *cached(struct virt_host *vh, const char *uuid)
{
	for (size_t i = 0; i < vh->ndoms; i++)
		if (!strcmp(vh->doms[i].uuid, uuid))
			return &vh->doms[i];
	return NULL;
}

static virDomainPtr lookup(struct virt_host *vh, const char *uuid)
{
	vh->lookups++;
	return virDomainLookupByUUIDString(vh->conn, uuid);
}

void *virt_host_domain(struct virt_host *vh, const char *uuid)
{
	if (!vh->conn)
		return NULL;
	struct cached_dom *c = cached(vh, uuid);
	if (c && c->dom) {
		virDomainRef(c->dom);
		return c->dom;
	}
	return lookup(vh, uuid);
}

const char *virt_host_domain_name(const struct virt_host *vh, size_t i)
{
	return i < vh->norder ? vh->order[i]->info.name : NULL;
}

void virt_host_invalidate_domain(struct virt_host *vh, const char *uuid)
{
	struct cached_dom *c = cached(vh, uuid);
	if (c)
		c->state = 0xff;   /* forces its XML to be read again */
}

static void free_cache(struct virt_host *vh)
{
	free(vh->order);
	vh->order = NULL;
	vh->norder = vh->ordercap = 0;
	vh->sent = 0;
	for (size_t i = 0; i < vh->ndoms; i++) {
		dom_info_free(&vh->doms[i].info);
		drop_handle(&vh->doms[i]);
	}
	free(vh->doms);
	vh->doms = NULL;
	vh->ndoms = vh->cap = 0;
	pool_infos_free(vh->pools, vh->npools);
	vh->pools = NULL;
	vh->npools = 0;
	for (size_t i = 0; i < vh->npool_dirs; i++)
		free(vh->pool_dirs[i]);
	free(vh->pool_dirs);
	vh->pool_dirs = NULL;
	vh->npool_dirs = 0;
	gpu_inv_free(&vh->gpus);
	lun_list_free(&vh->san_luns);
	net_list_free(&vh->nets);
}

void virt_host_free(struct virt_host **pvh)
{
	struct virt_host *vh = *pvh;
	if (!vh)
		return;
	drop_connection(vh);
	free_cache(vh);
	virt_rpc_free(&vh->rpc);
	free(vh->uri);
	x_free(pvh);
}

/* Node facts hardly change: read on connect and with the volumes, copied
 * into every snapshot. */
static void read_node(struct virt_host *vh, struct host_snapshot *s, int refresh)
{
	if (vh->node_valid && !refresh) {
		s->cpus = vh->node.cpus;
		s->cpu_mhz = vh->node.cpu_mhz;
		s->numa_cells = vh->node.numa_cells;
		s->memory = vh->node.memory;
		memcpy(s->cpu_model, vh->node.cpu_model, sizeof s->cpu_model);
		memcpy(s->libvirt_version, vh->node.libvirt_version, sizeof s->libvirt_version);
		memcpy(s->hypervisor, vh->node.hypervisor, sizeof s->hypervisor);
		memcpy(s->hostname, vh->node.hostname, sizeof s->hostname);
		return;
	}
	virNodeInfo ni;
	if (virNodeGetInfo(vh->conn, &ni) == 0) {
		s->cpus = ni.cpus;
		s->cpu_mhz = ni.mhz;
		s->numa_cells = ni.nodes;
		s->memory = (uint64_t)ni.memory * 1024;
		snprintf(s->cpu_model, sizeof s->cpu_model, "%s", ni.model);
	}
	unsigned long lib = 0;
	if (virConnectGetLibVersion(vh->conn, &lib) == 0)
		snprintf(s->libvirt_version, sizeof s->libvirt_version, "%lu.%lu.%lu",
			 lib / 1000000, lib / 1000 % 1000, lib % 1000);
	const char *type = virConnectGetType(vh->conn);
	snprintf(s->hypervisor, sizeof s->hypervisor, "%s", type ? type : "?");
	char *hn = virConnectGetHostname(vh->conn);
	snprintf(s->hostname, sizeof s->hostname, "%s", hn ? hn : "");
	free(hn);
	virResetLastError();
	vh->node = (struct host_snapshot){
		.cpus = s->cpus, .cpu_mhz = s->cpu_mhz, .numa_cells = s->numa_cells, .memory = s->memory,
	};
	memcpy(vh->node.cpu_model, s->cpu_model, sizeof s->cpu_model);
	memcpy(vh->node.libvirt_version, s->libvirt_version, sizeof s->libvirt_version);
	memcpy(vh->node.hypervisor, s->hypervisor, sizeof s->hypervisor);
	memcpy(vh->node.hostname, s->hostname, sizeof s->hostname);
	vh->node_valid = 1;
}

/* Every pool (inactive ones too: h:pools() lists them), and the volumes
 * of the active ones with their formats and backing files. */
static void read_pools(struct virt_host *vh)
{
	virStoragePoolPtr *pools = NULL;
	int np = virConnectListAllStoragePools(vh->conn, &pools, 0);
	pool_infos_free(vh->pools, vh->npools);
	vh->pools = np > 0 ? x_calloc((size_t)np, sizeof *vh->pools) : NULL;
	vh->npools = 0;
	for (size_t i = 0; i < vh->npool_dirs; i++)
		free(vh->pool_dirs[i]);
	free(vh->pool_dirs);
	vh->pool_dirs = np > 0 ? x_calloc((size_t)np, sizeof *vh->pool_dirs) : NULL;
	vh->npool_dirs = 0;
	for (int p = 0; p < np; p++) {
		char *pxml = virStoragePoolGetXMLDesc(pools[p], 0);
		struct pool_info *pi = &vh->pools[vh->npools];
		if (!pxml || pool_xml_parse(pxml, strlen(pxml), pi, NULL) < 0) {
			free(pxml);
			virStoragePoolFree(pools[p]);
			continue;
		}
		vh->npools++;
		int autostart = 0;
		pi->active = virStoragePoolIsActive(pools[p]) == 1;
		pi->autostart = virStoragePoolGetAutostart(pools[p], &autostart) == 0 && autostart;
		char *dir = pi->active ? pool_xml_file_dir(pxml, strlen(pxml)) : NULL;
		if (dir)
			vh->pool_dirs[vh->npool_dirs++] = dir;
		free(pxml);
		virStorageVolPtr *vols = NULL;
		int nv = pi->active ? virStoragePoolListAllVolumes(pools[p], &vols, 0) : 0;
		for (int v = 0; v < nv; v++) {
			char *vxml = virStorageVolGetXMLDesc(vols[v], 0);
			struct pool_volume vol;
			if (vxml && pool_volume_xml_parse(vxml, strlen(vxml), &vol, NULL) == 0) {
				if (!vol.path)
					vol.path = virStorageVolGetPath(vols[v]);
				if (vol.path)
					pool_add_volume(pi, &vol);
				pool_volume_free(&vol);
			}
			free(vxml);
			virStorageVolFree(vols[v]);
		}
		free(vols);
		virStoragePoolFree(pools[p]);
	}
	free(pools);
	virResetLastError();
}

static const struct pool_volume *volume_at(const struct virt_host *vh, const char *path)
{
	for (size_t p = 0; path && p < vh->npools; p++)
		for (size_t v = 0; v < vh->pools[p].nvols; v++)
			if (!strcmp(vh->pools[p].vols[v].path, path))
				return &vh->pools[p].vols[v];
	return NULL;
}

/* Sizes of each disk and of each layer of its chain, from the volumes. */
static void fill_disk_sizes(const struct virt_host *vh, struct dom_info *info)
{
	for (size_t d = 0; d < info->ndisks; d++) {
		const struct dom_disk *disk = &info->disks[d];
		const struct pool_volume *v = volume_at(vh, disk->source);
		if (v && (disk->capacity != v->capacity || disk->allocation != v->allocation ||
			  disk->physical != v->physical || !disk->format[0])) {
			dom_info_own(info);   /* the model may share these arrays */
			struct dom_disk *w = &info->disks[d];
			w->capacity = v->capacity;
			w->allocation = v->allocation;
			w->physical = v->physical;
			if (!w->format[0])
				snprintf(w->format, sizeof w->format, "%s", v->format);
			disk = w;
		}
		for (size_t l = 0; l < disk->nchain; l++) {
			v = volume_at(vh, disk->chain[l].path);
			if (v && (disk->chain[l].capacity != v->capacity || disk->chain[l].allocation != v->allocation)) {
				dom_info_own(info);
				disk = &info->disks[d];
				disk->chain[l].capacity = v->capacity;
				disk->chain[l].allocation = v->allocation;
			}
		}
	}
}

/* block.N.name, .capacity, .allocation and .physical of a bulk record into
 * the disks of info; 1 when a disk's capacity changed. */
static int block_capacities(struct dom_info *info, virDomainStatsRecordPtr rec)
{
	size_t n = 0;
	for (int i = 0; i < rec->nparams; i++)
		if (!strcmp(rec->params[i].field, "block.count") && rec->params[i].type == VIR_TYPED_PARAM_UINT)
			n = rec->params[i].value.ui;
	if (!n || n > 4096)
		return 0;
	const char **names = x_calloc(n, sizeof *names);
	uint64_t *caps = x_calloc(n, sizeof *caps), *allocs = x_calloc(n, sizeof *allocs),
		 *phys = x_calloc(n, sizeof *phys);
	for (int i = 0; i < rec->nparams; i++) {
		const virTypedParameter *p = &rec->params[i];
		if (strncmp(p->field, "block.", 6))
			continue;
		char *end;
		unsigned long k = strtoul(p->field + 6, &end, 10);
		if (end == p->field + 6 || k >= n)
			continue;
		if (!strcmp(end, ".name") && p->type == VIR_TYPED_PARAM_STRING)
			names[k] = p->value.s;
		else if (!strcmp(end, ".capacity") && p->type == VIR_TYPED_PARAM_ULLONG)
			caps[k] = p->value.ul;
		else if (!strcmp(end, ".allocation") && p->type == VIR_TYPED_PARAM_ULLONG)
			allocs[k] = p->value.ul;
		else if (!strcmp(end, ".physical") && p->type == VIR_TYPED_PARAM_ULLONG)
			phys[k] = p->value.ul;
	}
	int changed = 0;
	for (size_t k = 0; k < n; k++) {
		for (size_t d = 0; names[k] && caps[k] && d < info->ndisks; d++) {
			const struct dom_disk *disk = &info->disks[d];
			if (strcmp(disk->target, names[k]))
				continue;
			/* QEMU's allocation is the highest offset written: the
			 * volume's (blocks in use) is the better answer, when known. */
			uint64_t alloc = !disk->allocation && allocs[k] ? allocs[k] : disk->allocation;
			uint64_t physical = phys[k] ? phys[k] : disk->physical;
			if (disk->capacity == caps[k] && disk->allocation == alloc && disk->physical == physical)
				continue;
			changed |= disk->capacity != caps[k];
			/* physical is not a change by itself: it grows with every
			 * write, and the model gets it with the next full send */
			dom_info_own(info);   /* the model may share these arrays */
			struct dom_disk *w = &info->disks[d];
			w->capacity = caps[k];
			w->allocation = alloc;
			w->physical = physical;
		}
	}
	free(names);
	free(caps);
	free(allocs);
	free(phys);
	return changed;
}

/* After an operation on dom: its disks' live sizes, so that a resize is
 * seen before the operation answers (the next poll is seconds away). */
static void read_block_capacities(struct virt_host *vh, virDomainPtr dom, struct dom_info *info)
{
	if (vh->stats_unsupported || vh->stats_state_only)
		return;
	virDomainPtr list[2] = { dom, NULL };
	virDomainStatsRecordPtr *recs = NULL;
	int n = virDomainListGetStats(list, VIR_DOMAIN_STATS_BLOCK, &recs, 0);
	if (n > 0)
		block_capacities(info, recs[0]);
	else
		virResetLastError();
	if (recs)
		virDomainStatsRecordListFree(recs);
}

/* As virDomainGetUUIDString writes it, from the raw bytes (no handle). */
static void uuid_string(const unsigned char *raw, char out[VIR_UUID_STRING_BUFLEN])
{
	static const char hex[] = "0123456789abcdef";
	char *o = out;
	for (int i = 0; i < VIR_UUID_BUFLEN; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = hex[raw[i] >> 4];
		*o++ = hex[raw[i] & 15];
	}
	*o = '\0';
}

static struct cached_dom *cache_lookup(struct virt_host *vh, const unsigned char *raw)
{
	struct cached_dom *found = cache_find(vh, raw);
	if (found)
		return found;
	x_grow(&vh->doms, &vh->cap, vh->ndoms + 1, sizeof *vh->doms);
	struct cached_dom *c = &vh->doms[vh->ndoms++];
	memset(c, 0, sizeof *c);
	memcpy(c->raw, raw, VIR_UUID_BUFLEN);
	uuid_string(raw, c->uuid);
	c->state = 0xff;   /* forces the first XML read */
	return c;
}

/* A poll's facts about every domain, read once on first need: which are
 * transient and which have snapshots (two listings where two calls per
 * domain would ask all 3000 VMs when a console connects). */
struct poll_facts {
	int read, ok;
	struct virt_uuid_set transient, with_snapshots;
};

static int read_facts(struct virt_host *vh, struct poll_facts *f)
{
	if (!f->read) {
		f->read = 1;
		vh->host_calls += 2;
		f->ok = virt_uuid_set_read(vh->conn, VIR_CONNECT_LIST_DOMAINS_TRANSIENT, &f->transient) == 0 &&
			virt_uuid_set_read(vh->conn, VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT, &f->with_snapshots) == 0;
	}
	return f->ok;
}

static void free_facts(struct poll_facts *f)
{
	virt_uuid_set_free(&f->transient);
	virt_uuid_set_free(&f->with_snapshots);
}

/* Persistence and snapshot count: from the poll's listings when there
 * are some (facts), else asked of the domain. */
static void read_persistence(struct virt_host *vh, virDomainPtr dom, struct cached_dom *c, struct poll_facts *facts)
{
	if (facts && read_facts(vh, facts)) {
		c->persistent = !virt_uuid_set_has(&facts->transient, c->raw);
		int any = virt_uuid_set_has(&facts->with_snapshots, c->raw);
		vh->domain_calls += (unsigned long)any;
		c->snapshots = any ? virDomainSnapshotNum(dom, 0) : 0;
	} else {
		vh->domain_calls += 2;
		c->persistent = virDomainIsPersistent(dom);
		c->snapshots = virDomainSnapshotNum(dom, 0);
	}
	if (c->snapshots < 0)
		c->snapshots = 0;
	virResetLastError();
}

/* Re-reads XML only when something visible changed or it was invalidated. */
/* sizes_from_xml: di's vCPUs and memory are the cache's own (the driver
 * gave none), so the XML read here is where they come from.  facts: the
 * poll's listings (NULL: one domain alone, asked directly). */
static int refresh_cached(struct virt_host *vh, virDomainPtr dom, struct cached_dom *c,
			  const virDomainInfo *di, int sizes_changed, int sizes_from_xml, struct poll_facts *facts)
{
	const char *name = virDomainGetName(dom);
	int changed = vh->invalid || c->state != di->state || c->vcpus != di->nrVirtCpu ||
		      c->mem_kib != di->memory || c->maxmem_kib != di->maxMem || !c->info.name[0] ||
		      (name && strncmp(name, c->info.name, sizeof c->info.name - 1));   /* renamed (kept cut) */
	if (!changed) {
		if (sizes_changed)
			fill_disk_sizes(vh, &c->info);
		return 0;
	}
	vh->sent = 0;   /* the model needs the new facts */
	vh->domain_calls++;   /* the XML */
	char *xml = virDomainGetXMLDesc(dom, 0);
	if (!xml)
		return -1;
	struct dom_info info;
	struct vd_err perr;
	err_clear(&perr);
	if (domxml_parse(xml, strlen(xml), &info, &perr) < 0) {
		log_debug("domain %s: %s", c->uuid, perr.msg);
		free(xml);
		return -1;
	}
	free(xml);
	fill_disk_sizes(vh, &info);
	dom_info_free(&c->info);
	c->info = info;
	c->state = di->state;
	c->vcpus = sizes_from_xml ? (unsigned short)info.vcpus : di->nrVirtCpu;
	c->mem_kib = sizes_from_xml ? (unsigned long)(info.memory / 1024) : di->memory;
	c->maxmem_kib = sizes_from_xml ? (unsigned long)(info.max_memory / 1024) : di->maxMem;
	read_persistence(vh, dom, c, facts);
	return 0;
}

static void stats_into(struct dom_stats *s, virDomainStatsRecordPtr rec, double t)
{
	s->t = t;
	for (int i = 0; i < rec->nparams; i++) {
		const virTypedParameter *p = &rec->params[i];
		unsigned long long v = 0;
		switch (p->type) {
		case VIR_TYPED_PARAM_ULLONG: v = p->value.ul; break;
		case VIR_TYPED_PARAM_LLONG: v = (unsigned long long)p->value.l; break;
		case VIR_TYPED_PARAM_UINT: v = p->value.ui; break;
		case VIR_TYPED_PARAM_INT: v = (unsigned long long)p->value.i; break;
		default: continue;
		}
		const char *f = p->field;
		if (!strcmp(f, "cpu.time")) { s->cpu_time_ns = v; s->valid = 1; }
		else if (!strcmp(f, "balloon.current")) s->balloon_current = v * 1024;
		else if (!strcmp(f, "balloon.maximum")) s->balloon_maximum = v * 1024;
		else if (!strcmp(f, "balloon.usable")) s->balloon_usable = v * 1024;
		else if (!strcmp(f, "balloon.available")) s->balloon_available = v * 1024;
		else if (!strcmp(f, "balloon.unused")) s->balloon_unused = v * 1024;
		else if (!strcmp(f, "vcpu.current")) s->vcpus_online = (unsigned)v;
		else if (!strncmp(f, "block.", 6) && strstr(f, ".rd.bytes")) s->rd_bytes += v;
		else if (!strncmp(f, "block.", 6) && strstr(f, ".wr.bytes")) s->wr_bytes += v;
		else if (!strncmp(f, "net.", 4) && strstr(f, ".rx.bytes")) s->rx_bytes += v;
		else if (!strncmp(f, "net.", 4) && strstr(f, ".tx.bytes")) s->tx_bytes += v;
	}
}

/* The call on vdeck's own channel, where the host has one (conn/virt_rpc.c):
 * 1 with the records, 0 when libvirt's client must make it.  Not on the
 * first poll: libvirt's records come with the handles the cache keeps,
 * where the channel would cost its handshake and a listing on top (a run
 * that polls once, as a bulk snapshot does, would only pay). */
static int fetch_own(struct virt_host *vh, unsigned groups, unsigned flags, struct virt_rpc_rec **own,
		     size_t *n)
{
	if (!vh->rpc || virt_rpc_off(vh->rpc) || !vh->ndoms)
		return 0;
	struct vd_err e;
	err_clear(&e);
	unsigned before = virt_rpc_handshakes(vh->rpc);
	if (virt_rpc_stats(vh->rpc, groups, flags, vh->timeout_ms, own, n, &e) == 0) {
		if (virt_rpc_handshakes(vh->rpc) != before)
			log_info("libvirt: %s: statistics on vdeck's own channel", vh->uri);
		return 1;
	}
	/* A failed session: libvirt's client finds out too, and says so. */
	if (virt_rpc_off(vh->rpc))
		log_info("libvirt: %s: statistics through libvirt's client until it reconnects: %s", vh->uri, e.msg);
	return 0;
}

/* One call for every domain's state, sizes and counters.  A remote host
 * answers it in one round trip; per-domain calls would cost two per VM per
 * poll.  Made by vdeck itself where it can (*own then holds the records,
 * which have no libvirt handle), else by libvirt's client.  NULL (and
 * *n = 0) where the driver has no such call; NULL and *n = -1, err set,
 * when the connection failed under it (a keepalive timeout, a closed
 * socket: not a reason to stop asking). */
static virDomainStatsRecordPtr *fetch_stats(struct virt_host *vh, int *n, struct virt_rpc_rec **own,
					    size_t *nown, struct vd_err *err)
{
	*n = 0;
	*own = NULL;
	*nown = 0;
	if (vh->stats_unsupported)
		return NULL;
	virDomainStatsRecordPtr *recs = NULL;
	unsigned groups = vh->stats_state_only ? VIR_DOMAIN_STATS_STATE :
			  VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_BALLOON |
			  VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK;
	/* NOWAIT: a domain whose job is busy (a migration's last phase, its
	 * clean-up after the peer died) gives what needs no job, instead of
	 * holding the whole host's poll for seconds. */
	unsigned flags = VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT;
	vh->host_calls++;
	if (fetch_own(vh, groups, flags, own, nown)) {
		recs = x_calloc(*nown + 1, sizeof *recs);
		for (size_t i = 0; i < *nown; i++)
			recs[i] = &(*own)[i].rec;
		*n = (int)*nown;
		return recs;
	}
	int got = virConnectGetAllDomainStats(vh->conn, groups, &recs, flags);
	if (got < 0) {
		virt_error(err, "reading domain statistics");   /* before IsAlive resets it */
		if (virConnectIsAlive(vh->conn) != 1) {
			*n = -1;
			return NULL;
		}
		err_clear(err);
		virResetLastError();
		vh->stats_unsupported = 1;
		return NULL;
	}
	*n = got;
	return recs;
}

/* What virDomainGetInfo would say, from a bulk record: a mask of what it
 * had (1 state, 2 vCPUs, 4 memory, 8 maximum memory). */
#define RECORD_HAS_ALL 15
static unsigned info_from_record(virDomainStatsRecordPtr rec, virDomainInfo *di)
{
	unsigned have = 0;
	memset(di, 0, sizeof *di);
	for (int i = 0; rec && i < rec->nparams; i++) {
		const virTypedParameter *p = &rec->params[i];
		unsigned long long v = p->type == VIR_TYPED_PARAM_ULLONG ? p->value.ul :
				       p->type == VIR_TYPED_PARAM_UINT ? p->value.ui :
				       p->type == VIR_TYPED_PARAM_INT ? (unsigned long long)p->value.i : 0;
		if (!strcmp(p->field, "state.state")) { di->state = (unsigned char)v; have |= 1; }
		else if (!strcmp(p->field, "vcpu.current")) { di->nrVirtCpu = (unsigned short)v; have |= 2; }
		else if (!strcmp(p->field, "balloon.current")) { di->memory = (unsigned long)v; have |= 4; }
		else if (!strcmp(p->field, "balloon.maximum")) { di->maxMem = (unsigned long)v; have |= 8; }
		else if (!strcmp(p->field, "cpu.time")) di->cpuTime = v;
	}
	return have;
}

/* One domain's basic info without a call per VM where the driver's bulk
 * statistics fall short (the test driver gives the state only, a driver
 * without bulk stats nothing): the state from the record or from the
 * poll's filtered listings (read once, on first need), vCPUs and memory
 * from the cached XML.  *sizes_from_xml says the XML must supply them.
 * Only a state no filter names (crashed, suspended...) costs a GetInfo. */
static int domain_info(struct virt_host *vh, virDomainPtr dom, const unsigned char *raw,
		       virDomainStatsRecordPtr rec, const struct cached_dom *c,
		       struct virt_states *states, int *states_read, virDomainInfo *di, int *sizes_from_xml)
{
	*sizes_from_xml = 0;
	unsigned have = info_from_record(rec, di);
	if (have == RECORD_HAS_ALL)
		return 0;
	int state = (have & 1) ? di->state : -1;
	if (state < 0) {
		if (!*states_read) {
			*states_read = 1;
			int failed = virt_states_read(vh->conn, states) < 0;
			vh->host_calls += states->calls;
			if (failed)
				virt_states_free(states);
		}
		state = virt_states_find(states, raw);
	}
	if (state < 0) {
		vh->domain_calls++;
		return virDomainGetInfo(dom, di);
	}
	memset(di, 0, sizeof *di);
	di->state = (unsigned char)state;
	di->nrVirtCpu = c->vcpus;
	di->memory = c->mem_kib;
	di->maxMem = c->maxmem_kib;
	*sizes_from_xml = 1;
	return 0;
}

static void domain_from_cache(struct domain *d, struct cached_dom *c)
{
	dom_info_share(&d->info, &c->info);
	d->state = (enum dom_state)c->state;
	d->id = c->id;
	d->persistent = c->persistent;
	d->snapshots = c->snapshots;
	d->info.vcpus = c->vcpus;
	d->info.memory = (uint64_t)c->mem_kib * 1024;
	d->info.max_memory = (uint64_t)c->maxmem_kib * 1024;
}

/* The snapshot count alone: two calls where a whole re-read makes five
 * (a bulk snapshot run does this 3000 times). */
static int reread_snapshots(struct cached_dom *c, virDomainPtr dom)
{
	int n = virDomainSnapshotNum(dom, 0);
	if (n < 0)
		return -1;
	c->snapshots = n;
	return 0;
}

/* State, XML (where invalidated), persistence and snapshots; 1 when the
 * domain is gone. */
static int reread_all(struct virt_host *vh, struct cached_dom *c, virDomainPtr dom)
{
	virDomainInfo di;
	if (virDomainGetInfo(dom, &di) < 0)
		return 1;
	int was_sent = vh->sent;
	int rc = refresh_cached(vh, dom, c, &di, 0, 0, NULL);
	if (rc == 0 && di.state == VIR_DOMAIN_RUNNING)
		read_block_capacities(vh, dom, &c->info);
	int id = (int)virDomainGetID(dom);
	c->id = (id < 0 || di.state == VIR_DOMAIN_SHUTOFF) ? -1 : id;
	/* The model gets the new facts with this update: the next poll need
	 * not send the whole list again for it. */
	vh->sent = was_sent;
	return rc;
}

int virt_host_poll_domain(struct virt_host *vh, const char *uuid, enum virt_reread what, struct host_snapshot *s,
			  struct vd_err *err)
{
	if (!vh->conn)
		return err_set(err, VD_EUNREACH, "not connected");
	struct cached_dom *c = cached(vh, uuid);
	/* A count needs no fresh handle; a whole re-read takes a new one: an
	 * operation may have started or stopped the domain, and the handle's
	 * ID is as old as the handle. */
	virDomainPtr dom = NULL;
	if (c && what == VIRT_REREAD_ALL) {
		dom = lookup(vh, uuid);
		if (dom)
			keep_handle(c, dom);
	} else if (c) {
		dom = virt_host_domain(vh, uuid);
	}
	int rc = !dom ? 1 : what == VIRT_REREAD_SNAPSHOTS ? reread_snapshots(c, dom) : reread_all(vh, c, dom);
	if (rc < 0 && virGetLastErrorCode() == VIR_ERR_NO_DOMAIN)
		rc = 1;   /* the handle outlived its domain */
	if (dom)
		virDomainFree(dom);
	virResetLastError();
	if (rc > 0)
		return err_set(err, VD_ENOTFOUND, "domain %s is gone", uuid);
	if (rc < 0)
		return err_set(err, VD_ELIBVIRT, "re-reading domain %s failed", uuid);
	s->dom_update = 1;
	s->doms = x_calloc(1, sizeof *s->doms);
	s->ndoms = 1;
	domain_from_cache(&s->doms[0], c);
	s->libvirt_ok = 1;
	s->shell_skipped = 1;
	return 0;
}

/* Fills s->doms from the cache in list order. */
static void send_domains(struct virt_host *vh, struct host_snapshot *s, struct dom_stats *stats)
{
	s->doms = x_calloc(vh->norder ? vh->norder : 1, sizeof *s->doms);
	s->ndoms = vh->norder;
	for (size_t i = 0; i < vh->norder; i++) {
		struct domain *d = &s->doms[i];
		domain_from_cache(d, vh->order[i]);
		d->stats = stats[i];
	}
	free(stats);
}

int virt_host_poll(struct virt_host *vh, struct host_snapshot *s, struct vd_err *err)
{
	if (virt_host_connect(vh, err) < 0)
		return -1;
	/* One call a poll: the bulk records name every domain (running or
	 * not), so the listing is needed only where the driver has none.  Each
	 * call over a tunnel is a round trip and a few thread wake-ups. */
	int nrecs = 0;
	struct virt_rpc_rec *own;
	size_t nown;
	virDomainStatsRecordPtr *recs = fetch_stats(vh, &nrecs, &own, &nown, err);
	if (nrecs < 0) {
		drop_connection(vh);
		return -1;
	}
	virDomainPtr *doms = NULL;
	/* handles looked up for the own records, released after the loop */
	virDomainPtr *fresh = NULL;
	struct own_handles handles = { 0 };
	int n;
	if (own && own_resolve(vh, own, nown, &handles, &doms, &fresh) < 0) {
		/* vdeck's channel sees domains libvirt's connection does not
		 * (a daemon with a copy per connection): libvirt's client asks */
		virt_rpc_recs_free(&own, nown);
		free(recs);
		recs = fetch_stats(vh, &nrecs, &own, &nown, err);
		if (nrecs < 0) {
			drop_connection(vh);
			return -1;
		}
	}
	if (own) {
		n = nrecs;   /* doms[i]: a kept handle or one of fresh[], NULL when gone */
	} else if (recs) {
		n = nrecs;
		doms = x_calloc((size_t)n + 1, sizeof *doms);
		for (int i = 0; i < n; i++)
			doms[i] = recs[i]->dom;   /* the records' own, freed with them */
	} else {
		vh->host_calls++;
		n = virConnectListAllDomains(vh->conn, &doms, 0);
		if (n < 0) {
			virt_error(err, "listing domains");
			drop_connection(vh);
			return -1;
		}
	}
	int sizes_changed = 0;
	int64_t t = now_ms();
	int slow = t >= vh->slow_due || vh->invalid;
	if (slow)
		vh->slow_due = t + SLOW_FACTS_MS;
	read_node(vh, s, slow);
	if (slow) {
		virt_read_devices(vh->conn, &vh->gpus, &vh->san_luns);
		virt_read_networks(vh->conn, &vh->nets);
		net_list_copy(&s->nets, &vh->nets);
		s->nets_read = 1;
	}
	gpu_inv_copy(&s->gpus, &vh->gpus);
	lun_list_copy(&s->san_luns, &vh->san_luns);
	if (slow) {
		read_pools(vh);
		sizes_changed = 1;
		vh->sent = 0;
		s->pools = vh->npools ? x_calloc(vh->npools, sizeof *s->pools) : NULL;
		for (size_t i = 0; i < vh->npools; i++)
			pool_info_copy(&s->pools[i], &vh->pools[i]);
		s->npools = vh->npools;
		s->pools_read = 1;
	}
	s->pool_dirs = x_calloc(vh->npool_dirs + 1, sizeof *s->pool_dirs);
	for (size_t i = 0; i < vh->npool_dirs; i++)
		s->pool_dirs[i] = x_strdup(vh->pool_dirs[i]);
	s->npool_dirs = vh->npool_dirs;
	for (size_t i = 0; i < vh->ndoms; i++)
		vh->doms[i].seen = 0;
	/* Pointers into vh->doms: compare first, then store (appends may move it). */
	size_t count = 0;
	struct cached_dom **now = x_calloc((size_t)n + 1, sizeof *now);
	size_t *slots = x_calloc((size_t)n + 1, sizeof *slots);
	virDomainStatsRecordPtr *rec_of = x_calloc((size_t)n + 1, sizeof *rec_of);
	struct virt_states states = { 0 };
	int states_read = 0;
	struct poll_facts facts = { 0 };
	for (int i = 0; i < n; i++) {
		unsigned char raw[VIR_UUID_BUFLEN];
		virDomainInfo di;
		int sizes_from_xml;
		virDomainPtr dom = doms ? doms[i] : NULL;
		if (own && !dom)
			continue;   /* gone since the statistics */
		if (own) {
			memcpy(raw, own[i].uuid, sizeof raw);
		} else if (virDomainGetUUID(dom, raw) < 0) {
			virResetLastError();
			continue;
		}
		virDomainStatsRecordPtr rec = recs ? recs[i] : NULL;
		struct cached_dom *c = cache_lookup(vh, raw);
		if (domain_info(vh, dom, raw, rec, c, &states, &states_read, &di, &sizes_from_xml) < 0) {
			virResetLastError();   /* vanished between list and info */
			continue;
		}
		rec_of[count] = rec;
		if (refresh_cached(vh, dom, c, &di, sizes_changed, sizes_from_xml, &facts) < 0 && !c->info.name[0]) {
			virResetLastError();
			continue;
		}
		if (rec && di.state == VIR_DOMAIN_RUNNING && block_capacities(&c->info, rec))
			vh->sent = 0;   /* a disk changed size: the model needs it */
		int id = own ? own[i].id : (int)virDomainGetID(dom);
		if (id < 0 || di.state == VIR_DOMAIN_SHUTOFF)
			id = -1;
		if (!handle_current(c, dom, id))
			keep_handle(c, dom);
		if (c->id != id)
			vh->sent = 0;   /* started again between two polls: same state, new ID */
		c->id = id;
		c->seen = 1;
		slots[count++] = (size_t)(c - vh->doms);
	}
	virt_states_free(&states);
	free_facts(&facts);
	for (int i = 0; !recs && i < n; i++)
		virDomainFree(doms[i]);
	free(doms);   /* for own records: borrowed, the kept handles and fresh[] */
	for (int i = 0; fresh && i < n; i++)
		if (fresh[i])
			virDomainFree(fresh[i]);   /* kept by keep_handle where wanted */
	free(fresh);
	own_handles_free(&handles);
	vh->invalid = 0;
	/* Drops cache entries for domains that are gone, remembering where the
	 * survivors moved. */
	size_t keep = 0;
	size_t *moved = x_calloc(vh->ndoms + 1, sizeof *moved);
	for (size_t i = 0; i < vh->ndoms; i++) {
		if (vh->doms[i].seen) {
			moved[i] = keep;
			vh->doms[keep++] = vh->doms[i];
		} else {
			dom_info_free(&vh->doms[i].info);
			drop_handle(&vh->doms[i]);
			vh->sent = 0;
		}
	}
	vh->ndoms = keep;
	if (keep && vh->cap > keep + keep / 8) {   /* kept between polls: no doubling slack */
		vh->doms = x_realloc(vh->doms, keep * sizeof *vh->doms);
		vh->cap = keep;
	}
	for (size_t i = 0; i < count; i++)
		now[i] = &vh->doms[moved[slots[i]]];
	free(moved);
	free(slots);
	if (count != vh->norder || (count && memcmp(now, vh->order, count * sizeof *now)))
		vh->sent = 0;
	free(vh->order);
	vh->order = now;
	vh->norder = count;

	struct dom_stats *stats = x_calloc(count ? count : 1, sizeof *stats);
	int useful = 0;
	for (size_t i = 0; i < count; i++) {
		stats[i].t = s->t;
		if (rec_of[i] && vh->order[i]->state == VIR_DOMAIN_RUNNING) {
			stats_into(&stats[i], rec_of[i], s->t);
			useful |= stats[i].valid;
		}
	}
	/* The test driver answers with the state group only: from now on ask
	 * for that alone (one call gives every domain's state). */
	if (nrecs > 0 && !useful && count && !vh->stats_state_only) {
		int any_running = 0;
		for (size_t i = 0; i < count; i++)
			any_running |= vh->order[i]->state == VIR_DOMAIN_RUNNING;
		if (any_running)
			vh->stats_state_only = 1;
	}
	free(rec_of);
	if (own) {
		virt_rpc_recs_free(&own, nown);
		free(recs);
	} else if (recs) {
		virDomainStatsRecordListFree(recs);
	}
	if (vh->sent) {
		s->doms_same = 1;
		s->stats = stats;
		s->ndoms = count;
	} else {
		send_domains(vh, s, stats);
		vh->sent = 1;
	}
	s->libvirt_ok = 1;
	return 0;
}

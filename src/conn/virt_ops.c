/* virt_ops.c — running short operation requests on a host's worker, and
 * describing any request in libvirt's own terms for dry-run and audit.
 *
 * A hot-unplug is reported done only when libvirt's device-removed event
 * for the device's alias arrived (libvirt's detach call returns as soon as
 * the guest was asked; without a cooperating guest the device stays). */
#include "conn/virt_ops.h"
#include "conn/virt.h"
#include "core/timeutil.h"
#include "core/xalloc.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void vop_request_free(struct vop_request *r)
{
	free(r->xml);
	free(r->pre_xml);
	r->pre_xml = NULL;
	free(r->alias_xpath);
	free(r->dest_uri);
	free(r->migrate_uri);
	free(r->shell);
	free(r->undo_shell);
	free(r->volume);
	r->volume = NULL;
	for (size_t i = 0; i < r->nvols; i++) {
		free(r->vols[i].pool);
		free(r->vols[i].xml);
		free(r->vols[i].from);
	}
	free(r->vols);
	r->vols = NULL;
	r->nvols = 0;
	for (size_t i = 0; i < r->ndrop_snapshots; i++)
		free(r->drop_snapshots[i]);
	free(r->drop_snapshots);
	for (size_t i = 0; i < r->npins; i++) {
		free(r->pins[i].cpus);
		free(r->pins[i].undo);
	}
	free(r->pins);
	free(r->cpus);
	r->pins = NULL;
	r->npins = 0;
	r->cpus = NULL;
	r->xml = r->alias_xpath = r->dest_uri = r->migrate_uri = r->shell = r->undo_shell = NULL;
	r->drop_snapshots = NULL;
	r->ndrop_snapshots = 0;
	for (size_t i = 0; i < r->nnet_updates; i++)
		free(r->net_updates[i].xml);
	free(r->net_updates);
	r->net_updates = NULL;
	r->nnet_updates = 0;
}

void vop_request_copy(struct vop_request *dst, const struct vop_request *src)
{
	*dst = *src;
	dst->xml = x_strdup(src->xml);
	dst->pre_xml = x_strdup(src->pre_xml);
	dst->alias_xpath = x_strdup(src->alias_xpath);
	dst->dest_uri = x_strdup(src->dest_uri);
	dst->migrate_uri = x_strdup(src->migrate_uri);
	dst->shell = x_strdup(src->shell);
	dst->undo_shell = x_strdup(src->undo_shell);
	dst->volume = x_strdup(src->volume);
	dst->vols = src->nvols ? x_calloc(src->nvols, sizeof *dst->vols) : NULL;
	for (size_t i = 0; i < src->nvols; i++)
		dst->vols[i] = (struct vop_volume_step){ x_strdup(src->vols[i].pool), x_strdup(src->vols[i].xml),
							 x_strdup(src->vols[i].from) };
	dst->drop_snapshots = src->ndrop_snapshots ? x_calloc(src->ndrop_snapshots, sizeof *dst->drop_snapshots) : NULL;
	for (size_t i = 0; i < src->ndrop_snapshots; i++)
		dst->drop_snapshots[i] = x_strdup(src->drop_snapshots[i]);
	dst->pins = src->npins ? x_calloc(src->npins, sizeof *dst->pins) : NULL;
	for (size_t i = 0; i < src->npins; i++)
		dst->pins[i] = (struct vop_pin){ src->pins[i].vcpu, x_strdup(src->pins[i].cpus),
						 x_strdup(src->pins[i].undo) };
	dst->cpus = x_strdup(src->cpus);
	dst->net_updates = src->nnet_updates ? x_calloc(src->nnet_updates, sizeof *dst->net_updates) : NULL;
	for (size_t i = 0; i < src->nnet_updates; i++) {
		dst->net_updates[i].command = src->net_updates[i].command;
		dst->net_updates[i].xml = x_strdup(src->net_updates[i].xml);
	}
}

void vop_result_free(struct vop_result *res)
{
	for (size_t i = 0; i < res->nsnapshots; i++) {
		free(res->snapshots[i].name);
		free(res->snapshots[i].parent);
		free(res->snapshots[i].xml);
	}
	free(res->snapshots);
	res->snapshots = NULL;
	res->nsnapshots = 0;
	free(res->xml);
	res->xml = NULL;
}

/* ---- describe ------------------------------------------------------- */

static void quoted(struct strbuf *sb, const char *s)
{
	sb_append_json(sb, s ? s : "");
}

/* "virX(": the call's name from the table. */
static void call_open(struct strbuf *sb, enum vop_api api)
{
	sb_append(sb, vop_apis[api].name);
	sb_append(sb, "(");
}

/* ", FLAGS)": the flags the runner passes, by libvirt's names. */
static void call_close(struct strbuf *sb, enum vop_api api, const struct vop_request *r)
{
	sb_append(sb, ", ");
	vop_flags(api, r, sb);
	sb_append(sb, ")");
}

/* virX("dom", xml, FLAGS) and a newline. */
static void xml_call(struct strbuf *sb, enum vop_api api, const struct vop_request *r)
{
	call_open(sb, api);
	quoted(sb, r->dom_name);
	sb_append(sb, ", xml");
	call_close(sb, api, r);
	sb_append(sb, "\n");
}

/* virX("dom"/"snapshot", FLAGS) and a newline. */
static void snapshot_call(struct strbuf *sb, enum vop_api api, const struct vop_request *r, const char *snap)
{
	call_open(sb, api);
	quoted(sb, r->dom_name);
	sb_append(sb, "/");
	quoted(sb, snap);
	call_close(sb, api, r);
	sb_append(sb, "\n");
}

static void describe_migrate(const struct vop_request *r, struct strbuf *sb)
{
	call_open(sb, VOPA_MIGRATE);
	quoted(sb, r->dom_name);
	sb_append(sb, ", dconn=");
	quoted(sb, r->dest_uri);
	sb_append(sb, ", {");
	int n = 0;
	if (r->bandwidth_mib)
		sb_appendf(sb, "%s=%llu", VIR_MIGRATE_PARAM_BANDWIDTH, (unsigned long long)r->bandwidth_mib), n++;
	if (r->migrate_uri) {
		sb_appendf(sb, "%s%s=", n++ ? ", " : "", VIR_MIGRATE_PARAM_URI);
		quoted(sb, r->migrate_uri);
	}
	sb_append(sb, "}");
	call_close(sb, VOPA_MIGRATE, r);
	sb_append(sb, "\n");
	if (r->max_downtime_ms)
		sb_appendf(sb, "with virDomainMigrateSetMaxDowntime(%llu ms) once the job runs\n",
			   (unsigned long long)r->max_downtime_ms);
}

static void describe_commit(const struct vop_request *r, struct strbuf *sb)
{
	call_open(sb, VOPA_BLOCK_COMMIT);
	quoted(sb, r->dom_name);
	sb_append(sb, ", ");
	quoted(sb, r->target);
	sb_appendf(sb, ", NULL, NULL, %llu", (unsigned long long)r->bandwidth_mib);
	call_close(sb, VOPA_BLOCK_COMMIT, r);
	sb_append(sb, "\nthen poll virDomainGetBlockJobInfo until ready, and\n");
	call_open(sb, VOPA_BLOCK_PIVOT);
	quoted(sb, r->dom_name);
	sb_append(sb, ", ");
	quoted(sb, r->target);
	call_close(sb, VOPA_BLOCK_PIVOT, r);
	sb_append(sb, "\n");
	for (size_t i = 0; i < r->ndrop_snapshots; i++) {
		sb_append(sb, "then ");
		snapshot_call(sb, VOPA_SNAPSHOT_FORGET, r, r->drop_snapshots[i]);
	}
}

static void describe_network(const struct vop_request *r, struct strbuf *sb)
{
	static const char *const commands[] = { "VIR_NETWORK_UPDATE_COMMAND_ADD_LAST",
						"VIR_NETWORK_UPDATE_COMMAND_MODIFY",
						"VIR_NETWORK_UPDATE_COMMAND_DELETE" };
	if (r->flags & VOPF_NET_RESTART) {
		sb_append(sb, "virNetworkDestroy(");
		quoted(sb, r->target);
		sb_append(sb, ") then ");
	}
	sb_append(sb, "virNetworkDefineXML(conn, xml)\n");
	for (size_t i = 0; i < r->nnet_updates; i++) {
		sb_appendf(sb, "then %s(", vop_apis[VOPA_NET_UPDATE].name);
		quoted(sb, r->target);
		sb_appendf(sb, ", %s, VIR_NETWORK_SECTION_PORTGROUP, -1, portgroup", commands[r->net_updates[i].command]);
		call_close(sb, VOPA_NET_UPDATE, r);
		sb_append(sb, ":\n");
		sb_append(sb, r->net_updates[i].xml);
	}
	if (r->flags & (VOPF_NET_START | VOPF_NET_RESTART)) {
		sb_append(sb, "then virNetworkCreate(");
		quoted(sb, r->target);
		sb_append(sb, ")\n");
	}
	if (r->flags & VOPF_NET_AUTOSTART) {
		sb_append(sb, "then virNetworkSetAutostart(");
		quoted(sb, r->target);
		sb_append(sb, ", 1)\n");
	}
	sb_append(sb, "with the network:\n");
}

/* Each volume's call and XML, then the define (its XML follows, as for
 * every request). */
static void describe_clone(const struct vop_request *r, struct strbuf *sb)
{
	sb_append(sb, "on ");
	quoted(sb, r->target);
	sb_append(sb, ":\n");
	for (size_t i = 0; i < r->nvols; i++) {
		sb_append(sb, r->vols[i].from ? "virStorageVolCreateXMLFrom(pool " : "virStorageVolCreateXML(pool ");
		quoted(sb, r->vols[i].pool);
		if (r->vols[i].from) {
			sb_append(sb, ", xml, volume ");
			quoted(sb, r->vols[i].from);
		} else {
			sb_append(sb, ", xml");
		}
		sb_append(sb, ")\n");
		sb_append(sb, r->vols[i].xml);
	}
	sb_append(sb, "virDomainDefineXML(conn of ");
	quoted(sb, r->target);
	sb_append(sb, ", xml)");
	sb_append(sb, (r->flags & VOPF_START) ? " then virDomainCreate" : "");
	sb_append(sb, r->nvols ? "; if a step fails, the volumes made before it are deleted\n" : "\n");
}

void vop_describe(const struct vop_request *r, struct strbuf *sb)
{
	switch (r->kind) {
	case VOP_SET_VCPUS:
		call_open(sb, VOPA_SET_VCPUS);
		quoted(sb, r->dom_name);
		sb_appendf(sb, ", %llu", (unsigned long long)r->value);
		call_close(sb, VOPA_SET_VCPUS, r);
		sb_append(sb, "\n");
		break;
	case VOP_SET_MEMORY:
		call_open(sb, VOPA_SET_MEMORY);
		quoted(sb, r->dom_name);
		sb_appendf(sb, ", %llu /* KiB */", (unsigned long long)(r->value / 1024));
		call_close(sb, VOPA_SET_MEMORY, r);
		sb_append(sb, "\n");
		break;
	case VOP_ATTACH_DEVICE:
		if (r->pre_xml) {
			xml_call(sb, VOPA_ATTACH_DEVICE, r);
			sb_append(sb, r->pre_xml);
		}
		xml_call(sb, VOPA_ATTACH_DEVICE, r);
		break;
	case VOP_UPDATE_DEVICE:
		xml_call(sb, VOPA_UPDATE_DEVICE, r);
		break;
	case VOP_DETACH_DEVICE:
		xml_call(sb, VOPA_DETACH_DEVICE, r);
		if (r->flags & VOPF_LIVE)
			sb_appendf(sb, "then wait up to %d ms for VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED\n", r->wait_ms);
		break;
	case VOP_BLOCK_RESIZE:
		call_open(sb, VOPA_BLOCK_RESIZE);
		quoted(sb, r->dom_name);
		sb_append(sb, ", ");
		quoted(sb, r->target);
		sb_appendf(sb, ", %llu", (unsigned long long)r->value);
		call_close(sb, VOPA_BLOCK_RESIZE, r);
		sb_append(sb, "\n");
		break;
	case VOP_SNAPSHOT_CREATE:
		xml_call(sb, VOPA_SNAPSHOT_CREATE, r);
		break;
	case VOP_SNAPSHOT_REVERT:
		snapshot_call(sb, VOPA_SNAPSHOT_REVERT, r, r->target);
		break;
	case VOP_SNAPSHOT_DELETE:
		snapshot_call(sb, VOPA_SNAPSHOT_DELETE, r, r->target);
		break;
	case VOP_BLOCK_COMMIT:
		describe_commit(r, sb);
		break;
	case VOP_MIGRATE:
		describe_migrate(r, sb);
		break;
	case VOP_ABORT_JOB:
		sb_append(sb, "virDomainAbortJob(");
		quoted(sb, r->dom_name);
		sb_append(sb, ")\n");
		break;
	case VOP_DEFINE:
		if (r->shell) {
			sb_append(sb, "on ");
			quoted(sb, r->target);
			sb_append(sb, " over its shell transport (sh):\n");
			sb_append(sb, r->shell);
			if (r->undo_shell) {
				sb_append(sb, "and if the define fails: ");
				sb_append(sb, r->undo_shell);
			}
		}
		sb_append(sb, "virDomainDefineXML(conn of ");
		quoted(sb, r->target);
		sb_append(sb, ", xml)");
		sb_append(sb, (r->flags & VOPF_START) ? " then virDomainCreate\n" : "\n");
		break;
	case VOP_SNAPSHOT_LIST:
		call_open(sb, VOPA_SNAPSHOT_LIST);
		quoted(sb, r->dom_name);
		call_close(sb, VOPA_SNAPSHOT_LIST, r);
		sb_append(sb, "\n");
		break;
	case VOP_BLOCK_INFO:
		call_open(sb, VOPA_BLOCK_INFO);
		quoted(sb, r->dom_name);
		sb_append(sb, ", ");
		quoted(sb, r->target);
		sb_append(sb, ", info");
		call_close(sb, VOPA_BLOCK_INFO, r);
		sb_append(sb, "\n");
		break;
	case VOP_NODEDEV_CREATE: {
		enum vop_api api = (r->flags & VOPF_NODEDEV_DEFINE) ? VOPA_NODEDEV_DEFINE : VOPA_NODEDEV_CREATE;
		call_open(sb, api);
		sb_append(sb, "xml");
		call_close(sb, api, r);
		sb_append(sb, api == VOPA_NODEDEV_DEFINE ? " then virNodeDeviceCreate\n" : "\n");
		break;
	}
	case VOP_NODEDEV_REMOVE:
		sb_append(sb, "virNodeDeviceDestroy(mdev ");
		quoted(sb, r->target);
		sb_append(sb, ") then virNodeDeviceUndefine when it is persistent\n");
		break;
	case VOP_VOL_CREATE:
		sb_append(sb, "virStorageVolCreateXML(pool ");
		quoted(sb, r->target);
		sb_append(sb, ", xml)\n");
		break;
	case VOP_VOL_DELETE:
		sb_append(sb, "virStorageVolDelete(pool ");
		quoted(sb, r->target);
		sb_append(sb, " volume ");
		quoted(sb, r->volume);
		sb_append(sb, ")\n");
		break;
	case VOP_NET_DEFINE:
		describe_network(r, sb);
		break;
	case VOP_PIN_VCPUS:
	case VOP_PIN_EMULATOR:
	case VOP_SET_NUMATUNE:
		vop_describe_place(r, sb);
		break;
	case VOP_VOL_RESIZE:
		sb_append(sb, "virStorageVolResize(pool ");
		quoted(sb, r->target);
		sb_append(sb, " volume ");
		quoted(sb, r->volume);
		sb_appendf(sb, ", %llu)\n", (unsigned long long)r->value);
		break;
	case VOP_CLONE:
		describe_clone(r, sb);
		break;
	case VOP_DOMAIN_XML:
		sb_append(sb, "virDomainGetXMLDesc(");
		quoted(sb, r->dom_name);
		sb_append(sb, ", inactive)\n");
		break;
	}
	if (r->xml)
		sb_append(sb, r->xml);
}

/* ---- device-removed wait -------------------------------------------- */

struct removal_wait {
	pthread_mutex_t mu;
	pthread_cond_t  cv;
	char            alias[128];
	int             removed;
};

static void on_removed(virConnectPtr conn, virDomainPtr dom, const char *alias, void *opaque)
{
	(void)conn;
	(void)dom;
	struct removal_wait *w = opaque;
	pthread_mutex_lock(&w->mu);
	if (alias && !strcmp(alias, w->alias))
		w->removed = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void removal_free(void *opaque)
{
	struct removal_wait *w = opaque;
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}

/* The device's alias from the live XML, "" when it has none. */
static void find_alias(virDomainPtr dom, const char *xpath, char *out, size_t len)
{
	out[0] = '\0';
	char *xml = virDomainGetXMLDesc(dom, 0);
	if (!xml)
		return;
	xmlDoc *doc = xmlReadMemory(xml, (int)strlen(xml), "live.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
	free(xml);
	if (!doc)
		return;
	xmlXPathContext *xc = xmlXPathNewContext(doc);
	char *expr = x_asprintf("string(%s)", xpath);
	xmlXPathObject *o = xc ? xmlXPathEvalExpression((const xmlChar *)expr, xc) : NULL;
	if (o && o->type == XPATH_STRING && o->stringval)
		snprintf(out, len, "%s", (const char *)o->stringval);
	free(expr);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(xc);
	xmlFreeDoc(doc);
}

static int detach_and_wait(virConnectPtr conn, virDomainPtr dom, const struct vop_request *r,
			   struct vop_result *res, struct vd_err *err)
{
	int live = (r->flags & VOPF_LIVE) && virDomainIsActive(dom) == 1;
	struct removal_wait *w = NULL;
	int cb = -1;
	if (live && r->alias_xpath) {
		w = x_calloc(1, sizeof *w);
		pthread_mutex_init(&w->mu, NULL);
		pthread_cond_init(&w->cv, NULL);
		find_alias(dom, r->alias_xpath, w->alias, sizeof w->alias);
		if (w->alias[0])
			cb = virConnectDomainEventRegisterAny(conn, dom, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
							      VIR_DOMAIN_EVENT_CALLBACK(on_removed), w, removal_free);
		if (cb < 0) {
			virResetLastError();
			removal_free(w);
			w = NULL;
		}
	}
	int rc = 0;
	if (virDomainDetachDeviceFlags(dom, r->xml, vop_flags(VOPA_DETACH_DEVICE, r, NULL)) < 0) {
		rc = virt_error(err, "detaching the device");
	} else if (w) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		int ms = r->wait_ms > 0 ? r->wait_ms : 10000;
		ts.tv_sec += ms / 1000;
		ts.tv_nsec += (long)(ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&w->mu);
		while (!w->removed)
			if (pthread_cond_timedwait(&w->cv, &w->mu, &ts) != 0)
				break;
		int removed = w->removed;
		pthread_mutex_unlock(&w->mu);
		if (!removed)
			rc = err_set(err, VD_ETIMEOUT, "libvirt accepted the detach of %s but the guest did not "
				     "release it within %d ms (no device-removed event); it may still go later",
				     w->alias, ms);
		else
			snprintf(res->message, sizeof res->message, "device %s removed", w->alias);
	} else if (live) {
		snprintf(res->message, sizeof res->message, "detach sent; the device had no alias to watch");
	}
	if (cb >= 0)
		virConnectDomainEventDeregisterAny(conn, cb);   /* frees w */
	return rc;
}

/* ---- snapshots ------------------------------------------------------ */

static int list_snapshots(virDomainPtr dom, const struct vop_request *r, struct vop_result *res,
			  struct vd_err *err)
{
	virDomainSnapshotPtr *snaps = NULL;
	int n = virDomainListAllSnapshots(dom, &snaps, vop_flags(VOPA_SNAPSHOT_LIST, r, NULL));
	if (n < 0)
		return virt_error(err, "listing snapshots");
	res->snapshots = x_calloc((size_t)n + 1, sizeof *res->snapshots);
	for (int i = 0; i < n; i++) {
		struct vop_snapshot *s = &res->snapshots[res->nsnapshots];
		const char *name = virDomainSnapshotGetName(snaps[i]);
		s->name = x_strdup(name ? name : "");
		virDomainSnapshotPtr parent = virDomainSnapshotGetParent(snaps[i], 0);
		if (parent) {
			s->parent = x_strdup(virDomainSnapshotGetName(parent));
			virDomainSnapshotFree(parent);
		}
		s->xml = virDomainSnapshotGetXMLDesc(snaps[i], 0);
		s->current = virDomainSnapshotIsCurrent(snaps[i], 0) == 1;
		virResetLastError();
		if (s->xml)
			res->nsnapshots++;
		else
			free(s->name), free(s->parent);
		virDomainSnapshotFree(snaps[i]);
	}
	free(snaps);
	return 0;
}

static virDomainSnapshotPtr snapshot_named(virDomainPtr dom, const char *name, struct vd_err *err)
{
	virDomainSnapshotPtr s = virDomainSnapshotLookupByName(dom, name, 0);
	if (!s)
		virt_error(err, "finding the snapshot");
	return s;
}

/* ---- the worker side ------------------------------------------------ */

static int run(virConnectPtr conn, virDomainPtr dom, const struct vop_request *r, struct vop_result *res,
	       struct vd_err *err)
{
	virDomainSnapshotPtr snap;
	int rc;
	switch (r->kind) {
	case VOP_SET_VCPUS:
		if (virDomainSetVcpusFlags(dom, (unsigned)r->value, vop_flags(VOPA_SET_VCPUS, r, NULL)) < 0)
			return virt_error(err, "setting vCPUs");
		return 0;
	case VOP_SET_MEMORY:
		if (virDomainSetMemoryFlags(dom, (unsigned long)(r->value / 1024),
					    vop_flags(VOPA_SET_MEMORY, r, NULL)) < 0)
			return virt_error(err, "setting memory");
		return 0;
	case VOP_ATTACH_DEVICE:
		if (r->pre_xml &&
		    virDomainAttachDeviceFlags(dom, r->pre_xml, vop_flags(VOPA_ATTACH_DEVICE, r, NULL)) < 0)
			return virt_error(err, "attaching the controller");
		if (virDomainAttachDeviceFlags(dom, r->xml, vop_flags(VOPA_ATTACH_DEVICE, r, NULL)) < 0)
			return virt_error(err, "attaching the device");
		return 0;
	case VOP_DETACH_DEVICE:
		return detach_and_wait(conn, dom, r, res, err);
	case VOP_UPDATE_DEVICE:
		if (virDomainUpdateDeviceFlags(dom, r->xml, vop_flags(VOPA_UPDATE_DEVICE, r, NULL)) < 0)
			return virt_error(err, "updating the device");
		return 0;
	case VOP_BLOCK_RESIZE:
		if (virDomainBlockResize(dom, r->target, r->value, vop_flags(VOPA_BLOCK_RESIZE, r, NULL)) < 0)
			return virt_error(err, "resizing the disk");
		return 0;
	case VOP_SNAPSHOT_CREATE:
		snap = virDomainSnapshotCreateXML(dom, r->xml, vop_flags(VOPA_SNAPSHOT_CREATE, r, NULL));
		if (!snap)
			return virt_error(err, "creating the snapshot");
		virDomainSnapshotFree(snap);
		return 0;
	case VOP_SNAPSHOT_REVERT:
		if (!(snap = snapshot_named(dom, r->target, err)))
			return -1;
		rc = virDomainRevertToSnapshot(snap, vop_flags(VOPA_SNAPSHOT_REVERT, r, NULL));
		if (rc < 0)
			virt_error(err, "reverting to the snapshot");
		virDomainSnapshotFree(snap);
		return rc < 0 ? -1 : 0;
	case VOP_SNAPSHOT_DELETE:
		if (!(snap = snapshot_named(dom, r->target, err)))
			return -1;
		rc = virDomainSnapshotDelete(snap, vop_flags(VOPA_SNAPSHOT_DELETE, r, NULL));
		if (rc < 0)
			virt_error(err, "deleting the snapshot");
		virDomainSnapshotFree(snap);
		return rc < 0 ? -1 : 0;
	case VOP_ABORT_JOB:
		if (virDomainAbortJob(dom) < 0)
			return virt_error(err, "aborting the job");
		return 0;
	case VOP_SNAPSHOT_LIST:
		return list_snapshots(dom, r, res, err);
	case VOP_DOMAIN_XML:
		/* the persistent definition, not the running one: what a clone copies */
		if (!(res->xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE)))
			return virt_error(err, "reading the domain's definition");
		return 0;
	case VOP_BLOCK_INFO: {
		virDomainBlockInfo info;
		if (virDomainGetBlockInfo(dom, r->target, &info, vop_flags(VOPA_BLOCK_INFO, r, NULL)) < 0)
			return virt_error(err, "reading the disk's size");
		res->capacity = info.capacity;
		return 0;
	}
	case VOP_PIN_VCPUS:
	case VOP_PIN_EMULATOR:
	case VOP_SET_NUMATUNE:
		return vop_run_place(dom, r, res, err);
	case VOP_BLOCK_COMMIT:
	case VOP_MIGRATE:
	case VOP_DEFINE:
	case VOP_NODEDEV_CREATE:
	case VOP_NODEDEV_REMOVE:
	case VOP_VOL_CREATE:
	case VOP_VOL_DELETE:
	case VOP_NET_DEFINE:
	case VOP_VOL_RESIZE:
	case VOP_CLONE:
		break;
	}
	return err_set(err, VD_EUNSUPPORTED, "this request runs as a job, not on the worker");
}

/* An internal snapshot changes no fact of the domain but its snapshot
 * count; external overlays change its disks. */
static enum virt_reread reread_after(const struct vop_request *r)
{
	return r->kind == VOP_SNAPSHOT_CREATE && !r->external_snapshot ? VIRT_REREAD_SNAPSHOTS : VIRT_REREAD_ALL;
}

int vop_call(struct host_ctx *hc, void *arg, struct vd_err *err)
{
	struct vop_call *c = arg;
	struct virt_host *vh = host_ctx_virt(hc);
	if (virt_host_connect(vh, err) < 0)
		return -1;
	virConnectPtr conn = virt_host_handle(vh);
	if (!c->req->uuid[0]) {
		int hrc = c->req->kind == VOP_DEFINE ? vop_run_define(hc, conn, c->req, c->res, err)
						     : vop_run_host(conn, c->req, c->res, err);
		host_ctx_changed(hc);
		return hrc;
	}
	virDomainPtr dom = virt_host_domain(vh, c->req->uuid);
	if (!dom)
		return virt_error(err, "finding the domain");
	int rc = run(conn, dom, c->req, c->res, err);
	virDomainFree(dom);
	if (c->req->kind != VOP_SNAPSHOT_LIST && c->req->kind != VOP_BLOCK_INFO && c->req->kind != VOP_DOMAIN_XML)
		host_ctx_changed_domain(hc, c->req->uuid, reread_after(c->req));
	return rc;
}

int vop_mark_changed(struct host_ctx *hc, void *arg, struct vd_err *err)
{
	(void)arg;
	(void)err;
	host_ctx_changed(hc);
	return 0;
}

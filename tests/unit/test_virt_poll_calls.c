/* test_virt_poll_calls.c — a poll of a driver whose bulk statistics carry
 * no figures (libvirt's test driver, as over RPC in the bench) makes no
 * call per VM and one call per host: the domains and their states come
 * from one bulk call for the state alone (no listing), vCPUs
 * and memory from the XML read once.  A VM started or stopped shows its new state on the
 * next poll, and CPU time stays unknown rather than zero. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>

#include "conn/virt.h"
#include "model/cluster.h"
#include "check.h"

#define NDOMS 12

static void quiet(void *u, virErrorPtr e) { (void)u; (void)e; }

static virDomainPtr define(virConnectPtr c, int i)
{
	char xml[1024];
	snprintf(xml, sizeof xml,
		 "<domain type='test'><name>calls-%02d</name>"
		 "<uuid>6c1a3e8e-0000-4000-8000-0000000000%02d</uuid>"
		 "<memory unit='KiB'>%d</memory><currentMemory unit='KiB'>%d</currentMemory>"
		 "<vcpu>%d</vcpu><os><type>hvm</type></os></domain>",
		 i, i, 1048576 * (1 + i % 3), 1048576 * (1 + i % 3), 1 + i % 4);
	return virDomainDefineXML(c, xml);
}

static const struct domain *find(const struct host_snapshot *s, const char *name)
{
	for (size_t i = 0; s->doms && i < s->ndoms; i++)
		if (!strcmp(s->doms[i].info.name, name))
			return &s->doms[i];
	return NULL;
}

static int poll_once(struct virt_host *vh, struct host_snapshot *s)
{
	struct vd_err e;
	err_clear(&e);
	memset(s, 0, sizeof *s);
	int rc = virt_host_poll(vh, s, &e);
	if (rc < 0)
		fprintf(stderr, "poll: %s\n", e.msg);
	return rc;
}

int main(void)
{
	virSetErrorFunc(NULL, quiet);
	struct vd_err e;
	err_clear(&e);
	CHECK_INT(virt_global_init(&e), 0);
	/* test:///default is one state shared by every connection of the
	 * process: changes made here are what the poller sees. */
	virConnectPtr c = virConnectOpen("test:///default");
	CHECK(c != NULL);
	if (!c)
		return check_summary();
	virDomainPtr doms[NDOMS];
	for (int i = 0; i < NDOMS; i++) {
		doms[i] = define(c, i);
		CHECK(doms[i] != NULL);
		if (doms[i] && i % 2 == 0)
			CHECK_INT(virDomainCreate(doms[i]), 0);
	}
	struct virt_host *vh = virt_host_new("test:///default", 3000);
	struct host_snapshot s;
	CHECK_INT(poll_once(vh, &s), 0);
	const struct domain *d = find(&s, "calls-05");
	CHECK(d != NULL);
	if (d) {
		CHECK_INT(d->state, DOM_SHUTOFF);
		CHECK_INT(d->info.vcpus, 2);
		CHECK_INT(d->info.memory, 3ull << 30);
	}
	d = find(&s, "calls-04");
	CHECK(d != NULL);
	if (d) {
		CHECK_INT(d->state, DOM_RUNNING);
		CHECK_INT(d->info.vcpus, 1);
		CHECK_INT(d->info.max_memory, 2ull << 30);
		CHECK_INT(d->stats.valid, 0);   /* no CPU time from this driver: unknown */
	}
	host_snapshot_free(&s);
	/* The first polls read each domain's XML once (and learn the driver
	 * gives no figures); after that, polls with no change cost no
	 * per-domain call at all. */
	CHECK_INT(poll_once(vh, &s), 0);
	host_snapshot_free(&s);
	unsigned long settled = virt_host_domain_calls(vh), settled_host = virt_host_host_calls(vh);
	for (int k = 0; k < 3; k++) {
		CHECK_INT(poll_once(vh, &s), 0);
		CHECK_INT(s.libvirt_ok, 1);
		host_snapshot_free(&s);
	}
	CHECK_INT(virt_host_domain_calls(vh) - settled, 0);
	/* Networks, pools and devices are not read again poll after poll (a
	 * dozen calls each time): six quick polls read none of them; an
	 * invalidation (an operation on the host) reads them at once. */
	int slow_reads = 0;
	for (int k = 0; k < 6; k++) {
		CHECK_INT(poll_once(vh, &s), 0);
		slow_reads += s.nets_read + s.pools_read;
		host_snapshot_free(&s);
	}
	CHECK_INT(slow_reads, 0);
	virt_host_invalidate(vh);
	CHECK_INT(poll_once(vh, &s), 0);
	CHECK(s.nets_read && s.pools_read);
	host_snapshot_free(&s);
	settled = virt_host_domain_calls(vh);
	settled_host = virt_host_host_calls(vh);
	for (int k = 0; k < 3; k++) {
		CHECK_INT(poll_once(vh, &s), 0);
		host_snapshot_free(&s);
	}
	CHECK_INT(virt_host_domain_calls(vh) - settled, 0);
	/* and per host, one bulk call whose records name every domain (not a
	 * listing, nor the list plus three filtered listings) */
	CHECK_INT(virt_host_host_calls(vh) - settled_host, 3 * 1);

	/* Stop one, start one, pause one: the next poll shows all three,
	 * reading again only the three XMLs that changed. */
	CHECK_INT(virDomainDestroy(doms[4]), 0);
	CHECK_INT(virDomainCreate(doms[7]), 0);
	CHECK_INT(virDomainSuspend(doms[8]), 0);
	settled = virt_host_domain_calls(vh);
	CHECK_INT(poll_once(vh, &s), 0);
	CHECK(virt_host_domain_calls(vh) - settled <= 3 * 3);
	CHECK_INT(s.ndoms, NDOMS + 1);   /* with the driver's own "test" */
	d = find(&s, "calls-04");
	CHECK(d && d->state == DOM_SHUTOFF);
	d = find(&s, "calls-07");
	CHECK(d && d->state == DOM_RUNNING && d->info.vcpus == 4 && d->info.memory == 2ull << 30);
	d = find(&s, "calls-08");
	CHECK(d && d->state == DOM_PAUSED);
	host_snapshot_free(&s);

	/* After an internal snapshot, the re-read asks for the snapshot count
	 * alone (no XML); after any other change it reads the domain again. */
	char uuid[VIR_UUID_STRING_BUFLEN];
	CHECK_INT(virDomainGetUUIDString(doms[3], uuid), 0);
	virDomainSnapshotPtr snap = virDomainSnapshotCreateXML(doms[3], "<domainsnapshot><name>s1</name></domainsnapshot>", 0);
	CHECK(snap != NULL);
	if (snap)
		virDomainSnapshotFree(snap);
	settled = virt_host_domain_calls(vh);
	memset(&s, 0, sizeof s);
	CHECK_INT(virt_host_poll_domain(vh, uuid, VIRT_REREAD_SNAPSHOTS, &s, &e), 0);
	CHECK(s.dom_update && s.ndoms == 1 && s.doms[0].snapshots == 1 && !strcmp(s.doms[0].info.name, "calls-03"));
	CHECK_INT(virt_host_domain_calls(vh) - settled, 0);
	host_snapshot_free(&s);
	virt_host_invalidate_domain(vh, uuid);
	memset(&s, 0, sizeof s);
	CHECK_INT(virt_host_poll_domain(vh, uuid, VIRT_REREAD_ALL, &s, &e), 0);
	CHECK(s.ndoms == 1 && s.doms[0].snapshots == 1 && s.doms[0].info.vcpus == 4);
	CHECK_INT(virt_host_domain_calls(vh) - settled, 3);   /* the XML, persistence, snapshots */
	host_snapshot_free(&s);

	/* A whole re-read (a reconnect, an operation on the host) learns
	 * persistence and snapshots from two listings: calls per domain only
	 * for the XML and for the count of a domain that has snapshots. */
	virDomainPtr tr = virDomainCreateXML(c, "<domain type='test'><name>calls-transient</name>"
					     "<memory unit='KiB'>1048576</memory><vcpu>1</vcpu>"
					     "<os><type>hvm</type></os></domain>", 0);
	CHECK(tr != NULL);
	virt_host_invalidate(vh);
	settled = virt_host_domain_calls(vh);
	settled_host = virt_host_host_calls(vh);
	CHECK_INT(poll_once(vh, &s), 0);
	CHECK_INT(s.ndoms, NDOMS + 2);
	CHECK_INT(virt_host_domain_calls(vh) - settled, (NDOMS + 2) + 1);
	CHECK_INT(virt_host_host_calls(vh) - settled_host, 1 + 2);
	d = find(&s, "calls-03");
	CHECK(d && d->snapshots == 1 && d->persistent == 1);
	d = find(&s, "calls-02");
	CHECK(d && d->snapshots == 0 && d->persistent == 1);
	d = find(&s, "calls-transient");
	CHECK(d && d->persistent == 0 && d->state == DOM_RUNNING);
	host_snapshot_free(&s);
	if (tr) {
		virDomainDestroy(tr);
		virDomainFree(tr);
	}

	/* Operations and the count's re-read use the poll's handle, with no
	 * lookup (a bulk snapshot made six calls per VM, three of them
	 * lookups); a whole re-read takes a fresh one (the ID may be new), and
	 * a domain the last poll did not see is looked up.  A handle whose
	 * domain is gone fails with VIR_ERR_NO_DOMAIN, and the re-read then
	 * says the domain is gone. */
	unsigned long looked = virt_host_lookups(vh);
	CHECK_INT(virDomainGetUUIDString(doms[5], uuid), 0);
	virDomainPtr h = virt_host_domain(vh, uuid);
	CHECK(h != NULL);
	if (h) {
		CHECK_INT(virDomainSnapshotNum(h, 0), 0);
		virDomainFree(h);
	}
	memset(&s, 0, sizeof s);
	CHECK_INT(virt_host_poll_domain(vh, uuid, VIRT_REREAD_SNAPSHOTS, &s, &e), 0);
	host_snapshot_free(&s);
	CHECK_INT(virt_host_lookups(vh) - looked, 0);
	memset(&s, 0, sizeof s);
	CHECK_INT(virt_host_poll_domain(vh, uuid, VIRT_REREAD_ALL, &s, &e), 0);
	host_snapshot_free(&s);
	CHECK_INT(virt_host_lookups(vh) - looked, 1);
	virDomainPtr late = define(c, 40);
	CHECK(late != NULL);
	h = virt_host_domain(vh, "6c1a3e8e-0000-4000-8000-000000000040");
	CHECK(h != NULL);
	if (h)
		virDomainFree(h);
	CHECK_INT(virt_host_lookups(vh) - looked, 2);
	CHECK_INT(virDomainUndefine(doms[5]), 0);
	h = virt_host_domain(vh, uuid);
	CHECK(h != NULL);
	if (h) {
		CHECK(virDomainSnapshotNum(h, 0) < 0);
		CHECK_INT(virGetLastErrorCode(), VIR_ERR_NO_DOMAIN);
		virDomainFree(h);
	}
	memset(&s, 0, sizeof s);
	err_clear(&e);
	CHECK_INT(virt_host_poll_domain(vh, uuid, VIRT_REREAD_SNAPSHOTS, &s, &e), -1);
	CHECK_INT(e.code, VD_ENOTFOUND);
	host_snapshot_free(&s);
	if (late)
		virDomainFree(late);

	/* A poll keeps the handle it holds while the domain's ID and name stay
	 * (a call on a handle formats its UUID for libvirt's debug log, logged
	 * or not: swapping handles every poll cost two such calls per VM); a
	 * domain started again under a new ID, or renamed, gets the new one. */
	CHECK_INT(virDomainGetUUIDString(doms[6], uuid), 0);
	CHECK_INT(poll_once(vh, &s), 0);
	host_snapshot_free(&s);
	virDomainPtr before = virt_host_domain(vh, uuid);
	CHECK_INT(poll_once(vh, &s), 0);
	host_snapshot_free(&s);
	virDomainPtr kept = virt_host_domain(vh, uuid);
	CHECK(before != NULL && kept == before);
	CHECK_INT(virDomainDestroy(doms[6]), 0);
	CHECK_INT(virDomainCreate(doms[6]), 0);
	virDomainPtr fresh = virDomainLookupByUUIDString(c, uuid);
	int new_id = fresh ? (int)virDomainGetID(fresh) : -2;
	CHECK(before && new_id >= 0 && new_id != (int)virDomainGetID(before));
	CHECK_INT(poll_once(vh, &s), 0);
	d = find(&s, "calls-06");
	CHECK(d && d->id == new_id);
	host_snapshot_free(&s);
	virDomainPtr renewed = virt_host_domain(vh, uuid);
	CHECK(renewed && renewed != before && (int)virDomainGetID(renewed) == new_id);
	char uuid9[VIR_UUID_STRING_BUFLEN];
	CHECK_INT(virDomainGetUUIDString(doms[9], uuid9), 0);
	CHECK_INT(virDomainRename(doms[9], "calls-09-renamed", 0), 0);
	CHECK_INT(poll_once(vh, &s), 0);
	CHECK(find(&s, "calls-09-renamed") != NULL);
	host_snapshot_free(&s);
	h = virt_host_domain(vh, uuid9);
	CHECK(h && !strcmp(virDomainGetName(h), "calls-09-renamed"));
	virDomainPtr held[] = { before, kept, fresh, renewed, h };
	for (size_t i = 0; i < sizeof held / sizeof held[0]; i++)
		if (held[i])
			virDomainFree(held[i]);

	virt_host_free(&vh);
	for (int i = 0; i < NDOMS; i++)
		if (doms[i])
			virDomainFree(doms[i]);
	virConnectClose(c);
	return check_summary();
}

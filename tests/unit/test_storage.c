/* test_storage.c — storage pools and volumes from XML, datastore merging
 * across hosts (NFS, iSCSI, RBD, shared and local dir pools), and the
 * backing-file index (depth-3 chains, shared bases, a missing base). */
#include "check.h"

#include "core/xalloc.h"
#include "metrics/domxml.h"
#include "metrics/poolxml.h"
#include "model/backing.h"
#include "model/cluster.h"
#include "model/datastore.h"
#include "ops/xml_storage.h"

static struct pool_info pool(const char *xml)
{
	struct pool_info p;
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(pool_xml_parse(xml, strlen(xml), &p, &err), 0);
	p.active = 1;
	return p;
}

static void add_vol(struct pool_info *p, const char *xml)
{
	struct pool_volume v;
	CHECK_INT(pool_volume_xml_parse(xml, strlen(xml), &v, NULL), 0);
	pool_add_volume(p, &v);
}

static struct domain dom(const char *xml)
{
	struct domain d;
	memset(&d, 0, sizeof d);
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(domxml_parse(xml, strlen(xml), &d.info, &err), 0);
	d.state = DOM_SHUTOFF;
	d.id = -1;
	return d;
}

/* Gives host h these pools and domains through the model's own apply. */
static void feed(struct cluster *c, size_t h, struct pool_info *pools, size_t np, struct domain *doms, size_t nd)
{
	struct host_snapshot s;
	memset(&s, 0, sizeof s);
	s.libvirt_ok = 1;
	s.t = 1;
	s.pools_read = 1;
	s.pools = x_calloc(np + 1, sizeof *s.pools);
	if (np)
		memcpy(s.pools, pools, np * sizeof *pools);
	s.npools = np;
	s.doms = x_calloc(nd + 1, sizeof *s.doms);
	if (nd)
		memcpy(s.doms, doms, nd * sizeof *doms);
	s.ndoms = nd;
	host_apply_snapshot(c, &c->hosts[h], &s, 1);
	host_snapshot_free(&s);
}

static void test_parse(void)
{
	struct pool_info p = pool(
		"<pool type='netfs'><name>nfs &amp; co</name><uuid>2b6c0000-0000-0000-0000-000000000001</uuid>"
		"<capacity unit='bytes'>107374182400</capacity><allocation unit='GiB'>10</allocation>"
		"<available>97</available>"
		"<source><host name='Filer1'/><dir path='/export/images/'/><format type='nfs'/></source>"
		"<target><path>/mnt/images/</path></target></pool>");
	CHECK_STR(p.name, "nfs & co");
	CHECK_STR(p.type, "netfs");
	CHECK_INT(p.capacity, 100ULL << 30);
	CHECK_INT(p.allocation, 10ULL << 30);
	CHECK_INT(p.available, 97);
	CHECK_INT(p.nsource_hosts, 1);
	CHECK_STR(p.source_hosts[0], "Filer1");
	CHECK_STR(p.source_dir, "/export/images/");
	CHECK_STR(p.source_format, "nfs");
	CHECK_STR(p.target_path, "/mnt/images");
	add_vol(&p, "<volume type='file'><name>a.qcow2</name><capacity unit='GiB'>20</capacity>"
		    "<allocation unit='MiB'>100</allocation><physical unit='bytes'>104988672</physical>"
		    "<target><path>/mnt/images/a.qcow2</path><format type='qcow2'/></target>"
		    "<backingStore><path>/mnt/images/base.qcow2</path><format type='qcow2'/></backingStore></volume>");
	CHECK_INT(p.nvols, 1);
	CHECK_STR(p.vols[0].path, "/mnt/images/a.qcow2");
	CHECK_STR(p.vols[0].format, "qcow2");
	CHECK_INT(p.vols[0].capacity, 20ULL << 30);
	CHECK_INT(p.vols[0].allocation, 100ULL << 20);
	CHECK_INT(p.vols[0].physical, 104988672);
	CHECK_STR(p.vols[0].backing, "/mnt/images/base.qcow2");
	struct pool_info q;
	pool_info_copy(&q, &p);
	CHECK_STR(q.vols[0].backing, "/mnt/images/base.qcow2");
	CHECK(q.vols[0].backing != p.vols[0].backing);
	pool_info_free(&q);
	pool_info_free(&p);
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(pool_xml_parse("<volume/>", 9, &p, &err), -1);
	CHECK_INT(pool_volume_xml_parse("not xml", 7, &(struct pool_volume){ 0 }, &err), -1);

	/* a chain of depth 3 in domain XML, top first */
	struct domain d = dom("<domain><name>v</name><uuid>u</uuid><devices><disk type='file' device='disk'>"
			      "<driver type='qcow2'/><source file='/a/top.qcow2'/>"
			      "<backingStore type='file'><format type='qcow2'/><source file='/a/mid.qcow2'/>"
			      "<backingStore type='file'><format type='qcow2'/><source file='/a/base.qcow2'/>"
			      "<backingStore type='block'><format type='raw'/><source dev='/dev/sdz'/>"
			      "<backingStore/></backingStore></backingStore></backingStore>"
			      "<target dev='vda'/></disk></devices></domain>");
	CHECK_INT(d.info.disks[0].nchain, 3);
	CHECK_STR(d.info.disks[0].backing, "/a/mid.qcow2");
	CHECK_STR(d.info.disks[0].chain[1].path, "/a/base.qcow2");
	CHECK_STR(d.info.disks[0].chain[2].path, "/dev/sdz");
	CHECK_STR(d.info.disks[0].chain[2].format, "raw");
	struct dom_info copy;
	dom_info_copy(&copy, &d.info);
	CHECK_STR(copy.disks[0].chain[2].path, "/dev/sdz");
	dom_info_free(&copy);
	dom_info_free(&d.info);
}

static const char nfs_a[] =
	"<pool type='netfs'><name>shared</name><uuid>aaaaaaaa-0000-0000-0000-000000000001</uuid>"
	"<capacity>1000</capacity><allocation>900</allocation><available>100</available>"
	"<source><host name='filer1'/><dir path='/export/vm'/><format type='nfs'/></source>"
	"<target><path>/mnt/vm</path></target></pool>";
/* another host: another name, UUID and mount point, the same export */
static const char nfs_b[] =
	"<pool type='netfs'><name>vmstore</name><uuid>bbbbbbbb-0000-0000-0000-000000000001</uuid>"
	"<capacity>1000</capacity><allocation>850</allocation><available>150</available>"
	"<source><host name='FILER1'/><dir path='/export/vm/'/><format type='nfs'/></source>"
	"<target><path>/mnt/vm</path></target></pool>";
static const char local_a[] =
	"<pool type='dir'><name>default</name><uuid>aaaaaaaa-0000-0000-0000-000000000002</uuid>"
	"<capacity>100</capacity><allocation>10</allocation><target><path>/var/lib/libvirt/images</path></target></pool>";
static const char local_b[] =
	"<pool type='dir'><name>default</name><uuid>bbbbbbbb-0000-0000-0000-000000000002</uuid>"
	"<capacity>100</capacity><allocation>10</allocation><target><path>/var/lib/libvirt/images</path></target></pool>";
/* one XML defined on both hosts: a shared directory */
static const char shared_dir[] =
	"<pool type='dir'><name>gfs</name><uuid>cccccccc-0000-0000-0000-000000000003</uuid>"
	"<capacity>100</capacity><allocation>20</allocation><target><path>/srv/gfs</path></target></pool>";

static void test_keys(void)
{
	char k1[512], k2[512];
	struct pool_info a = pool(nfs_a), b = pool(nfs_b);
	datastore_key("h1", &a, k1, sizeof k1);
	datastore_key("h2", &b, k2, sizeof k2);
	CHECK_STR(k1, "netfs:filer1:/export/vm");
	CHECK_STR(k2, k1);
	pool_info_free(&a);
	pool_info_free(&b);
	a = pool("<pool type='iscsi'><name>san</name><source><host name='10.0.0.5'/>"
		 "<device path='iqn.2024-01.com.example:lun1'/></source><target><path>/dev/disk/by-path</path></target></pool>");
	datastore_key("h1", &a, k1, sizeof k1);
	CHECK_STR(k1, "iscsi:10.0.0.5/iqn.2024-01.com.example:lun1");
	pool_info_free(&a);
	a = pool("<pool type='rbd'><name>ceph</name><source><name>rbd</name><host name='mon2' port='6789'/>"
		 "<host name='mon1' port='6789'/></source></pool>");
	b = pool("<pool type='rbd'><name>ceph2</name><source><name>rbd</name><host name='mon1' port='6789'/>"
		 "<host name='mon2' port='6789'/></source></pool>");
	datastore_key("h1", &a, k1, sizeof k1);
	datastore_key("h2", &b, k2, sizeof k2);
	CHECK_STR(k1, "rbd:rbd@mon1:6789,mon2:6789");
	CHECK_STR(k2, k1);
	pool_info_free(&a);
	pool_info_free(&b);
	a = pool("<pool type='logical'><name>vg0</name><source><name>vg0</name><device path='/dev/sdb'/></source>"
		 "<target><path>/dev/vg0</path></target></pool>");
	datastore_key("h1", &a, k1, sizeof k1);
	CHECK_STR(k1, "local:h1:vg0");
	pool_info_free(&a);
	a = pool(local_a);
	b = pool(local_b);
	datastore_key("h1", &a, k1, sizeof k1);
	datastore_key("h2", &b, k2, sizeof k2);
	CHECK(strcmp(k1, k2) != 0);   /* the same path, not the same storage */
	pool_info_free(&a);
	pool_info_free(&b);
}

static const struct datastore *find_ds(const struct datastore_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

#define VOL(path, cap, alloc, backing) \
	"<volume><name>x</name><capacity>" cap "</capacity><allocation>" alloc "</allocation>" \
	"<target><path>" path "</path><format type='qcow2'/></target>" backing "</volume>"
#define BACKED(path) "<backingStore><path>" path "</path><format type='qcow2'/></backingStore>"

static void build(struct cluster *c, struct inventory *inv)
{
	memset(inv, 0, sizeof *inv);
	for (int i = 0; i < 3; i++) {
		struct host_config *hc = inventory_add(inv);
		hc->name = x_asprintf("h%d", i + 1);
		hc->transport = HT_NONE;
	}
	cluster_init(c, inv);
	/* h1: the NFS export (a template, two linked clones, an orphan
	 * volume whose base is gone), its local pool, the shared dir */
	struct pool_info p1[3] = { pool(nfs_a), pool(local_a), pool(shared_dir) };
	add_vol(&p1[0], VOL("/mnt/vm/base.qcow2", "600", "300", ""));
	add_vol(&p1[0], VOL("/mnt/vm/mid.qcow2", "600", "50", BACKED("/mnt/vm/base.qcow2")));
	add_vol(&p1[0], VOL("/mnt/vm/c1.qcow2", "600", "10", BACKED("/mnt/vm/mid.qcow2")));
	add_vol(&p1[0], VOL("/mnt/vm/c2.qcow2", "600", "10", BACKED("/mnt/vm/base.qcow2")));
	add_vol(&p1[0], VOL("/mnt/vm/orphan.qcow2", "100", "1", BACKED("/mnt/vm/gone.qcow2")));
	add_vol(&p1[2], VOL("/srv/gfs/g.qcow2", "50", "5", ""));
	struct domain d1[2] = {
		/* depth 3: c1 -> mid -> base */
		dom("<domain><name>clone1</name><uuid>u1</uuid><devices><disk type='file' device='disk'>"
		    "<driver type='qcow2'/><source file='/mnt/vm/c1.qcow2'/>"
		    "<backingStore type='file'><format type='qcow2'/><source file='/mnt/vm/mid.qcow2'/>"
		    "<backingStore type='file'><format type='qcow2'/><source file='/mnt/vm/base.qcow2'/>"
		    "<backingStore/></backingStore></backingStore><target dev='vda'/></disk>"
		    "<disk type='file' device='disk'><source file='/var/lib/libvirt/images/data.raw'/>"
		    "<target dev='vdb'/></disk></devices></domain>"),
		dom("<domain><name>template</name><uuid>u0</uuid><devices><disk type='file' device='disk'>"
		    "<driver type='qcow2'/><source file='/mnt/vm/base.qcow2'/><target dev='vda'/></disk>"
		    "</devices></domain>"),
	};
	feed(c, 0, p1, 3, d1, 2);
	/* h2: the same export under another name, the shared dir, its own local pool */
	struct pool_info p2[3] = { pool(nfs_b), pool(local_b), pool(shared_dir) };
	add_vol(&p2[0], VOL("/mnt/vm/base.qcow2", "600", "300", ""));
	add_vol(&p2[0], VOL("/mnt/vm/c2.qcow2", "600", "10", BACKED("/mnt/vm/base.qcow2")));
	add_vol(&p2[2], VOL("/srv/gfs/g.qcow2", "50", "5", ""));
	struct domain d2[1] = {
		dom("<domain><name>clone2</name><uuid>u2</uuid><devices><disk type='file' device='disk'>"
		    "<driver type='qcow2'/><source file='/mnt/vm/c2.qcow2'/>"
		    "<backingStore type='file'><format type='qcow2'/><source file='/mnt/vm/base.qcow2'/>"
		    "</backingStore><target dev='vda'/></disk></devices></domain>"),
	};
	feed(c, 1, p2, 3, d2, 1);
	/* h3: no pool for the export, but a VM on it (mounted by hand) */
	struct domain d3[1] = {
		dom("<domain><name>stray</name><uuid>u3</uuid><devices><disk type='file' device='disk'>"
		    "<source file='/mnt/vm/stray.raw'/><target dev='vda'/></disk></devices></domain>"),
	};
	feed(c, 2, NULL, 0, d3, 1);
}

static void test_datastores(void)
{
	struct inventory inv;
	struct cluster c;
	build(&c, &inv);
	struct datastore_list l;
	datastores_build(&c, &l);
	/* the export once, each host's local pool, the shared dir once */
	CHECK_INT(l.n, 4);
	const struct datastore *nfs = find_ds(&l, "shared");
	CHECK(nfs != NULL);
	if (nfs) {
		CHECK_INT(nfs->nmembers, 2);
		CHECK_INT(nfs->shared, 1);
		CHECK_INT(nfs->capacity, 1000);
		CHECK_INT(nfs->allocation, 900);
		/* base, mid, c1, c2, orphan: each once though two hosts list some */
		CHECK_INT(nfs->nvolumes, 5);
		CHECK_INT(nfs->virtual_size, 600 * 4 + 100);
		CHECK(datastore_overcommit(nfs) > 2.49 && datastore_overcommit(nfs) < 2.51);
		CHECK_INT(nfs->nvms, 4);   /* clone1, template, clone2, stray */
		CHECK_INT(nfs->nstrangers, 1);
		CHECK_INT(nfs->strangers[0], 2);
		char msgs[4][256];
		size_t n = datastore_alerts(nfs, &c, DATASTORE_FULL_PCT, 2.0, msgs, 4);
		CHECK_INT(n, 3);
		CHECK(n > 0 && strstr(msgs[0], "90% allocated"));
		CHECK(n > 1 && strstr(msgs[1], "overcommit 2.50"));
		CHECK(n > 2 && strstr(msgs[2], "h3"));
		CHECK_INT(datastore_alerts(nfs, &c, 95, 3.0, msgs, 4), 1);
	}
	const struct datastore *gfs = find_ds(&l, "gfs");
	CHECK(gfs && gfs->nmembers == 2 && gfs->nvolumes == 1 && gfs->virtual_size == 50);
	size_t locals = 0;
	for (size_t i = 0; i < l.n; i++)
		if (!strcmp(l.v[i].name, "default")) {
			locals++;
			CHECK_INT(l.v[i].nmembers, 1);
			CHECK_INT(l.v[i].shared, 0);
		}
	CHECK_INT(locals, 2);
	/* clone1's data disk lies on h1's local pool, not h2's of the same path */
	const struct datastore *d = datastore_of_path(&l, &c, 0, "/var/lib/libvirt/images/data.raw");
	CHECK(d && d->members[0].host == 0 && d->nvms == 1);
	CHECK(datastore_of_path(&l, &c, 2, "/mnt/vm/stray.raw") == nfs);
	CHECK(datastore_of_path(&l, &c, 2, "/elsewhere/x") == NULL);
	datastore_list_free(&l);
	cluster_free(&c);
	inventory_free(&inv);
}

static void test_backing(void)
{
	struct inventory inv;
	struct cluster c;
	build(&c, &inv);
	struct backing_index ix;
	backing_index_build(&c, &ix);
	const struct backing_file *base = backing_index_find(&ix, "/mnt/vm/base.qcow2");
	CHECK(base != NULL);
	if (base) {
		/* the template's own disk, clone1 (depth 2), clone2 (depth 1),
		 * and the volumes mid and c2 (listed by h1 and h2) standing on it */
		CHECK_INT(base->nusers, 6);
		CHECK_INT(base->missing, 0);
		CHECK_INT(base->capacity, 600);
		CHECK_STR(base->format, "qcow2");
	}
	const struct backing_user *u = backing_index_user(&ix, "/mnt/vm/base.qcow2", "u0", 1);
	CHECK(u && u->domain && u->depth >= 1);
	/* the template itself uses it at depth 0: not "standing on" it */
	CHECK(backing_index_user(&ix, "/mnt/vm/c1.qcow2", "u1", 0) == NULL);
	u = backing_index_user(&ix, "/mnt/vm/mid.qcow2", NULL, 1);
	CHECK(u && !strcmp(u->domain ? u->domain : "", "clone1") && u->depth == 1);
	const struct backing_file *mid = backing_index_find(&ix, "/mnt/vm/mid.qcow2");
	CHECK(mid && mid->below && !strcmp(mid->below, "/mnt/vm/base.qcow2"));
	char text[256];
	CHECK_INT(backing_index_users_text(&ix, "/mnt/vm/base.qcow2", "u0", text, sizeof text), 5);
	CHECK(strstr(text, "clone1 (vda)") && strstr(text, "clone2 (vda)") && strstr(text, "volume /mnt/vm/mid.qcow2"));
	/* the orphan's base is gone: reported, not crashed on */
	const struct backing_file *gone = backing_index_find(&ix, "/mnt/vm/gone.qcow2");
	CHECK(gone && gone->missing == 1 && gone->nusers == 1);
	CHECK(backing_index_find(&ix, "/nowhere") == NULL);
	CHECK(backing_index_user(&ix, "/nowhere", NULL, 0) == NULL);
	backing_index_free(&ix);
	/* an empty cluster */
	struct backing_index empty;
	struct cluster none;
	memset(&none, 0, sizeof none);
	backing_index_build(&none, &empty);
	CHECK_INT(empty.n, 0);
	backing_index_free(&empty);
	cluster_free(&c);
	inventory_free(&inv);
}

/* the XML virStorageVolCreateXML gets, written out by hand */
static void test_volume_xml(void)
{
	struct strbuf sb;
	sb_init(&sb);
	xml_volume(&(struct xml_volume){ .name = "a<&'\"b", .format = "qcow2", .capacity = 10737418240ULL,
					 .backing = "/p/base's.img", .backing_format = "raw" }, &sb);
	CHECK_STR(sb.buf, "<volume>\n  <name>a&lt;&amp;&apos;&quot;b</name>\n"
			  "  <capacity unit='bytes'>10737418240</capacity>\n"
			  "  <allocation unit='bytes'>0</allocation>\n"
			  "  <target>\n    <format type='qcow2'/>\n  </target>\n"
			  "  <backingStore>\n    <path>/p/base&apos;s.img</path>\n    <format type='raw'/>\n"
			  "  </backingStore>\n</volume>\n");
	sb_free(&sb);
}

int main(void)
{
	test_volume_xml();
	test_parse();
	test_keys();
	test_datastores();
	test_backing();
	return check_summary();
}

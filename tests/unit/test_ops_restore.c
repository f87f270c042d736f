/* test_ops_restore.c — restore_to against hostile snapshot XML.
 *
 * The snapshot's XML is the source host's word: a disk name that climbs out
 * of the directory ("../"), a base outside the target host's pools, '..'
 * components, newlines and quotes in file names, a format that reads a
 * directory (vvfat), a cdrom, serial file or kernel naming a host file, an
 * <emulator> of the source's choosing, QEMU pass-through arguments.  Each
 * is fed through the real validate (parser, checks and builders, no I/O)
 * and must be refused naming the host, the VM, the disk and the path, or,
 * where harmless, built exactly as the hand-written golden file says.  The
 * target host's pools come from its libvirt pool XML: the parser, and a
 * real poll of a test-driver host. */
#include "check.h"
#include "conn/virt.h"
#include "metrics/poolxml.h"
#include "ops/op_impl.h"
#include "ops/optable.h"
#include "ops/snapxml.h"
#include "core/xalloc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define FIX "tests/fixtures/ops/"

/* One external snapshot of vm1 (disk TARGET on BASE in FORMAT), with ROOT
 * and DEVS added to the saved definition. */
static const char tpl[] =
	"<domainsnapshot><name>s1</name><state>disk-snapshot</state><memory snapshot='no'/>"
	"<disks><disk name='%s' snapshot='external' type='file'><source file='/pool/vm1.s1'/></disk></disks>"
	"<inactiveDomain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
	"<name>vm1</name><memory unit='KiB'>262144</memory>%s<devices>"
	"<disk type='file' device='disk'><driver name='qemu' type='%s'/><source file='%s'/>"
	"<target dev='%s' bus='virtio'/></disk>%s</devices></inactiveDomain></domainsnapshot>";

struct world {
	struct host_config c[2];
	struct host        h[2];
	struct domain      dom;
	struct cluster     cl;
	char              *pools[1];
	struct strbuf      notes;
};

/* src (the snapshot's host, a local shell) and dst (SSH, one file pool /pool). */
static void world_init(struct world *w)
{
	memset(w, 0, sizeof *w);
	w->c[0] = (struct host_config){ .name = "src", .transport = HT_LOCAL };
	w->c[1] = (struct host_config){ .name = "dst", .transport = HT_SSH };
	w->pools[0] = (char *)"/pool";
	for (int i = 0; i < 2; i++) {
		w->h[i].cfg = &w->c[i];
		w->h[i].state = HOST_UP;
	}
	w->h[1].pool_dirs = w->pools;
	w->h[1].npool_dirs = 1;
	snprintf(w->dom.info.name, sizeof w->dom.info.name, "vm1");
	snprintf(w->dom.info.uuid, sizeof w->dom.info.uuid, "7d3c8a52-0c0e-4b55-9d4e-3d8b1f1c0a01");
	w->dom.state = DOM_RUNNING;
	w->h[0].doms = &w->dom;
	w->h[0].ndoms = 1;
	w->cl.hosts = w->h;
	w->cl.nhosts = 2;
	sb_init(&w->notes);
}

static void set_arg(const struct op_def *def, struct op_args *args, const char *name, const char *v)
{
	struct vd_err err;
	err_clear(&err);
	int i = op_arg_index(def, name);
	CHECK(i >= 0);
	if (i >= 0)
		CHECK_INT(op_value_parse(&def->args[i], v, &args->v[i], &err), 0);
}

/* Runs restore_to{snapshot='s1', name=NAME, host=HOST} of snapshot XML
 * through validate, then (when it passes and req is not NULL) build. */
static int restore(struct world *w, const char *xml, const char *name, const char *host, struct vop_request *req,
		   struct vd_err *err)
{
	struct op_snapshot s;
	struct vd_err perr;
	err_clear(&perr);
	err_clear(err);
	sb_reset(&w->notes);
	CHECK_INT(snapxml_parse(xml, strlen(xml), &s, &perr), 0);
	const struct op_def *def = optable_find("restore_to");
	struct op_args args;
	memset(&args, 0, sizeof args);
	set_arg(def, &args, "snapshot", "s1");
	set_arg(def, &args, "name", name);
	if (host)
		set_arg(def, &args, "host", host);
	CHECK_INT(op_args_finish(def, &args, &perr), 0);
	struct op_ctx ctx = { .def = def, .args = &args, .cluster = &w->cl, .host = &w->h[0], .dom = &w->dom,
			      .snaps = &s, .nsnaps = 1, .notes = &w->notes };
	int rc = def->validate(&ctx, err);
	if (rc == 0 && req)
		rc = def->build(&ctx, req, err);
	op_args_free(&args);
	struct op_snapshot *heap = x_malloc(sizeof *heap);
	*heap = s;
	op_snapshots_free(heap, 1);
	return rc;
}

struct hostile {
	const char *what;
	const char *target, *format, *base, *root, *devs;
	const char *name, *host;     /* of the new VM; host NULL: the snapshot's own */
	const char *want;            /* in the refusal's message */
};

static const struct hostile cases[] = {
	{ "a disk name that climbs out of the directory", "../../etc/cron.d/x", "qcow2", "/pool/vm1.qcow2", "", "",
	  "clone", NULL, "restore_to onto host src: snapshot 's1' of VM vm1 names a disk '../../etc/cron.d/x', which "
	  "is no guest disk name (vdX, sdX, hdX)" },
	{ "a disk name with a newline", "vd&#10;a", "qcow2", "/pool/vm1.qcow2", "", "", "clone", "dst",
	  "names a disk '(with a control character)', which is no guest disk name" },
	{ "a disk name with a slash", "vd/a", "qcow2", "/pool/vm1.qcow2", "", "", "clone", "dst",
	  "names a disk 'vd/a', which is no guest disk name" },
	{ "a '..' in the base", "vda", "qcow2", "/pool/../etc/shadow", "", "", "clone", NULL,
	  "restore_to onto host src: snapshot 's1' of VM vm1: disk vda: backing file '/pool/../etc/shadow' is not "
	  "a plain absolute path" },
	{ "a '.' in the base", "vda", "qcow2", "/pool/./vm1.qcow2", "", "", "clone", "dst",
	  "disk vda: backing file '/pool/./vm1.qcow2' is not a plain absolute path" },
	{ "an empty component in the base", "vda", "qcow2", "/pool//vm1.qcow2", "", "", "clone", "dst",
	  "disk vda: backing file '/pool//vm1.qcow2' is not a plain absolute path" },
	{ "a relative base", "vda", "qcow2", "pool/vm1.qcow2", "", "", "clone", "dst",
	  "does not say which file disk vda was on" },
	{ "a newline in the base", "vda", "qcow2", "/pool/vm1&#10;rm -rf x.qcow2", "", "", "clone", NULL,
	  "disk vda: backing file '/pool/vm1\\x0arm -rf x.qcow2' is not a plain absolute path" },
	{ "a base outside the target's pools", "vda", "qcow2", "/etc/shadow", "", "", "clone", "dst",
	  "restore_to onto host dst: snapshot 's1' of VM vm1: disk vda: backing file '/etc/shadow' is not inside "
	  "a storage pool directory of the target host (pools: /pool)" },
	{ "a base beside a pool whose name starts like it", "vda", "qcow2", "/pool2/vm1.qcow2", "", "", "clone",
	  "dst", "backing file '/pool2/vm1.qcow2' is not inside a storage pool directory" },
	{ "the pool directory itself as the base", "vda", "raw", "/pool", "", "", "clone", "dst",
	  "backing file '/pool' is not inside a storage pool directory" },
	{ "a format that reads a directory", "vda", "vvfat", "/pool/vm1.qcow2", "", "", "clone", "dst",
	  "disk vda: the backing file's format 'vvfat' is neither qcow2 nor raw" },
	{ "a cdrom naming a host file", "vda", "qcow2", "/pool/vm1.qcow2", "",
	  "<disk type='file' device='cdrom'><source file='/etc/shadow'/><target dev='hdc' bus='ide'/><readonly/></disk>",
	  "clone", "dst", "restore_to onto host dst: snapshot 's1' of VM vm1: disk hdc: <source file> '/etc/shadow' "
	  "is not inside a storage pool directory of the target host (pools: /pool)" },
	{ "a shareable block disk of the host", "vda", "qcow2", "/pool/vm1.qcow2", "",
	  "<disk type='block' device='disk'><source dev='/dev/sda'/><target dev='vdb' bus='virtio'/><shareable/></disk>",
	  "clone", "dst", "disk vdb: <source dev> '/dev/sda' is not inside a storage pool directory" },
	{ "a serial port writing a host file", "vda", "qcow2", "/pool/vm1.qcow2", "",
	  "<serial type='file'><source path='/etc/cron.d/evil'/><target port='0'/></serial>", "clone", "dst",
	  "serial: <source path> '/etc/cron.d/evil' is not inside a storage pool directory" },
	{ "a relative chardev path", "vda", "qcow2", "/pool/vm1.qcow2", "",
	  "<serial type='file'><source path='etc/x'/><target port='0'/></serial>", "clone", "dst",
	  "serial: <source path> 'etc/x' is not a plain absolute path" },
	{ "a shared directory", "vda", "qcow2", "/pool/vm1.qcow2", "",
	  "<filesystem type='mount' accessmode='passthrough'><source dir='/'/><target dir='root'/></filesystem>",
	  "clone", "dst", "filesystem: <source dir> '/' is not a plain absolute path" },
	{ "a kernel of the host", "vda", "qcow2", "/pool/vm1.qcow2",
	  "<os><type arch='x86_64'>hvm</type><kernel>/boot/vmlinuz</kernel></os>", "", "clone", "dst",
	  "os: <kernel> '/boot/vmlinuz' is not inside a storage pool directory" },
	{ "a relative kernel (QEMU opens it from /)", "vda", "qcow2", "/pool/vm1.qcow2",
	  "<os><type arch='x86_64'>hvm</type><kernel>boot/vmlinuz</kernel></os>", "", "clone", "dst",
	  "os: <kernel> 'boot/vmlinuz' is not a plain absolute path" },
	{ "a relative TPM device", "vda", "qcow2", "/pool/vm1.qcow2", "",
	  "<tpm model='tpm-tis'><backend type='passthrough'><device path='dev/tpm0'/></backend></tpm>", "clone", "dst",
	  "tpm: <device path> 'dev/tpm0' is not a plain absolute path" },
	{ "an rng reading a host file", "vda", "qcow2", "/pool/vm1.qcow2", "",
	  "<rng model='virtio'><backend model='random'>/etc/shadow</backend></rng>", "clone", "dst",
	  "rng: <backend> '/etc/shadow' is not inside a storage pool directory" },
	{ "QEMU pass-through arguments", "vda", "qcow2", "/pool/vm1.qcow2",
	  "<qemu:commandline><qemu:arg value='-chardev'/></qemu:commandline>", "", "clone", "dst",
	  "restore_to onto host dst: snapshot 's1' of VM vm1: <commandline> (QEMU namespace) would pass arguments" },
	{ "a newline in the new VM's name", "vda", "qcow2", "/pool/vm1.qcow2", "", "", "clone\nx", "dst",
	  "the new VM's name has a control character" },
};

static void test_hostile(void)
{
	struct world w;
	world_init(&w);
	char xml[4096];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct hostile *c = &cases[i];
		snprintf(xml, sizeof xml, tpl, c->target, c->root, c->format, c->base, c->target, c->devs);
		struct vd_err err;
		int rc = restore(&w, xml, c->name, c->host, NULL, &err);
		int named = strstr(err.msg, c->want) != NULL;
		if (rc != -1 || !named || strchr(err.msg, '\n'))
			fprintf(stderr, "FAIL %s: rc %d, message: %s\n", c->what, rc, err.msg);
		CHECK_INT(rc, -1);
		CHECK(named);
		CHECK(strchr(err.msg, '\n') == NULL);   /* a hostile newline is shown, never printed */
		CHECK_STR(err.domain, "vm1");
	}
	/* the same files on the snapshot's own host: its own word about itself */
	snprintf(xml, sizeof xml, tpl, "vda", "", "qcow2", "/etc/vm1.qcow2", "vda",
		 "<disk type='file' device='cdrom'><source file='/iso/x.iso'/><target dev='hdc' bus='ide'/><readonly/></disk>");
	struct vd_err err;
	CHECK_INT(restore(&w, xml, "clone", NULL, NULL, &err), 0);
	/* a pool at / holds every plain path */
	w.pools[0] = (char *)"/";
	CHECK_INT(restore(&w, xml, "clone", "dst", NULL, &err), 0);
	sb_free(&w.notes);
}

/* Harmless content onto another host: built exactly as the golden file
 * (written by hand) says — the <emulator> left out, the quote and $(...) of
 * the base's name escaped in the XML and quoted for the shell, the inert
 * parts and /dev/urandom kept. */
static void test_foreign_golden(void)
{
	struct world w;
	world_init(&w);
	size_t len;
	char *xml = check_slurp(FIX "snap-restore-foreign.xml", &len);
	char *want = check_slurp(FIX "restore-domain-foreign.xml", NULL);
	CHECK(xml != NULL && want != NULL);
	if (!xml || !want)
		return;
	struct vop_request req;
	memset(&req, 0, sizeof req);
	struct vd_err err;
	int rc = restore(&w, xml, "clone", "dst", &req, &err);
	if (rc < 0)
		fprintf(stderr, "FAIL foreign restore refused: %s\n", err.msg);
	CHECK_INT(rc, 0);
	CHECK(strstr(w.notes.buf, "<emulator> is left out, dst runs its default one") != NULL);
	if (req.xml && strcmp(req.xml, want))
		fprintf(stderr, "golden restore-domain-foreign.xml differs; got:\n%s", req.xml);
	CHECK(req.xml && !strcmp(req.xml, want));
	CHECK_STR(req.target, "dst");
	CHECK(req.shell && strstr(req.shell, "qemu-img create -q -f qcow2 -F 'qcow2' -b "
				  "'/pool/it'\\''s \"$(reboot)\".qcow2' '/pool/clone-vda.qcow2'\n") != NULL);
	vop_request_free(&req);
	free(xml);
	free(want);
	sb_free(&w.notes);
}

static void test_disk_names(void)
{
	const char *good[] = { "vda", "sdb", "hdc", "vdaa", "sdzzzzzz" };
	const char *bad[] = { "", "vd", "xvda", "vd1", "vdA", "vd-a", "../vda", "vda/", "vdabcdefg", "nvme0n1" };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		CHECK(op_disk_target_ok(good[i], NULL));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(!op_disk_target_ok(bad[i], NULL));
	CHECK(op_disk_target_ok("vdb", "virtio"));
	CHECK(!op_disk_target_ok("sdb", "virtio"));
	CHECK(op_disk_target_ok("sdb", "scsi"));
	CHECK(op_disk_target_ok("hdc", "ide"));
}

static void test_pool_dirs(void)
{
	static const struct { const char *xml, *want; } c[] = {
		{ "<pool type='dir'><target><path>/var/lib/libvirt/images</path></target></pool>", "/var/lib/libvirt/images" },
		{ "<pool type='netfs'><target><path>/srv/nfs//</path></target></pool>", "/srv/nfs" },
		{ "<pool type='fs'><target><path>/</path></target></pool>", "/" },
		{ "<pool type='logical'><target><path>/dev/vg0</path></target></pool>", NULL },   /* no files */
		{ "<pool type='iscsi'><target><path>/dev/disk/by-path</path></target></pool>", NULL },
		{ "<pool type='dir'><target><path>images</path></target></pool>", NULL },          /* relative */
		{ "<pool type='dir'><target/></pool>", NULL },
		{ "<!DOCTYPE pool [<!ENTITY e '/aaaaaaaa'>]><pool type='dir'><target><path>&e;&e;&e;</path></target></pool>",
		  NULL },   /* entities are not expanded */
		{ "<pool type='dir'", NULL },
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		char *dir = pool_xml_file_dir(c[i].xml, strlen(c[i].xml));
		if (c[i].want)
			CHECK_STR(dir ? dir : "(null)", c[i].want);
		else
			CHECK(dir == NULL);
		free(dir);
	}
	/* a real poll: node-a.xml's dir pool "images" reaches the snapshot */
	char fix[PATH_MAX], uri[PATH_MAX + 16];
	CHECK(realpath("tests/fixtures/libvirt/node-a.xml", fix) != NULL);
	snprintf(uri, sizeof uri, "test://%s", fix);
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(virt_global_init(&err), 0);
	struct virt_host *vh = virt_host_new(uri, 5000);
	struct host_snapshot snap;
	memset(&snap, 0, sizeof snap);
	CHECK_INT(virt_host_poll(vh, &snap, &err), 0);
	CHECK_INT(snap.npool_dirs, 1);
	if (snap.npool_dirs == 1)
		CHECK_STR(snap.pool_dirs[0], "/var/lib/libvirt/images");
	host_snapshot_free(&snap);
	virt_host_free(&vh);
}

int main(void)
{
	test_pool_dirs();
	test_disk_names();
	test_hostile();
	test_foreign_golden();
	return check_summary();
}

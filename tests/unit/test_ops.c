/* test_ops.c — the operation layer's pure parts: XML builders against golden
 * files (values with <&'"), the snapshot XML parser, argument
 * parsing and defaults, validation refusals, placement. */
#include "check.h"
#include "ops/op_impl.h"
#include "ops/optable.h"
#include "ops/placement.h"
#include "ops/snapxml.h"
#include "ops/xml_restore.h"
#include "ops/xml.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIX "tests/fixtures/ops/"

static void test_xml(void)
{
	struct strbuf sb;
	sb_init(&sb);
	struct xml_disk d = { .type = "file", .device = "disk", .source = "/var/lib/img/a<&'\">.qcow2",
			      .target = "vdb", .bus = "virtio", .format = "qcow2", .cache = "none",
			      .readonly = 1, .shareable = 1, .serial = "S/N <1>&'\"" };
	xml_disk(&d, &sb);
	check_golden(FIX "disk.xml", sb.buf);
	sb_reset(&sb);
	struct xml_disk b = { .type = "block", .device = "lun", .source = "/dev/disk/by-path/ip-1:3260-iscsi-x-lun-1",
			      .target = "sdb", .bus = "scsi" };
	xml_disk(&b, &sb);
	check_golden(FIX "disk-block.xml", sb.buf);
	sb_reset(&sb);
	struct xml_nic n = { .network = "prod<&'\">", .model = "virtio", .mac = "52:54:00:00:00:01",
			     .portgroup = "pg\"1\"", .vlan = 100 };
	xml_nic(&n, &sb);
	check_golden(FIX "nic.xml", sb.buf);
	sb_reset(&sb);
	struct xml_nic br = { .bridge = "br0&'", .model = "e1000" };
	xml_nic(&br, &sb);
	check_golden(FIX "nic-bridge.xml", sb.buf);
	sb_reset(&sb);
	struct xml_dimm m = { 262144, 1 };
	xml_dimm(&m, &sb);
	check_golden(FIX "dimm.xml", sb.buf);
	sb_reset(&sb);
	struct xml_snapshot s = { .name = "pre <upgrade> & 'x' \"y\"", .description = "a&b<c>", .memory = 1 };
	xml_snapshot(&s, &sb);
	check_golden(FIX "snapshot-internal.xml", sb.buf);
	sb_reset(&sb);
	const char *disks[] = { "vda", "vdb" }, *skip[] = { "hdc" };
	struct xml_snapshot e = { .name = "ext", .memory = 0, .external = 1, .disks = disks, .ndisks = 2,
				  .skip = skip, .nskip = 1 };
	xml_snapshot(&e, &sb);
	check_golden(FIX "snapshot-disk-only.xml", sb.buf);
	sb_reset(&sb);
	struct xml_snapshot em = { .name = "ext-mem", .memory = 1, .external = 1, .memory_file = "/img/vm'1.mem",
				   .disks = disks, .ndisks = 1 };
	xml_snapshot(&em, &sb);
	check_golden(FIX "snapshot-external-memory.xml", sb.buf);
	sb_reset(&sb);
	xml_xpath_literal("it's \"x\"", &sb);
	CHECK_STR(sb.buf, "concat('it',\"'\",'s \"x\"','')");
	sb_free(&sb);
}

static void snap_free_one(struct op_snapshot *s)
{
	struct op_snapshot *h = x_malloc(sizeof *h);
	*h = *s;
	op_snapshots_free(h, 1);
}

static void test_snapxml(void)
{
	size_t len;
	char *xml = check_slurp(FIX "snap-internal-hotplug.xml", &len);
	struct op_snapshot s;
	struct vd_err err;
	err_clear(&err);
	CHECK(xml != NULL);
	CHECK_INT(snapxml_parse(xml, len, &s, &err), 0);
	CHECK_STR(s.name, "after-hotadd");
	CHECK_STR(s.parent, "before");
	CHECK_STR(s.state, "running");
	CHECK_STR(s.description, "a&b");
	CHECK_INT(s.memory, 1);
	CHECK_INT(s.external, 0);
	CHECK_INT(s.created, 1700000000);
	CHECK_INT(s.vcpus_hotplugged, 1);
	snap_free_one(&s);
	free(xml);
	xml = check_slurp(FIX "snap-external.xml", &len);
	CHECK_INT(snapxml_parse(xml, len, &s, &err), 0);
	CHECK_INT(s.external, 1);
	CHECK_INT(s.memory, 0);
	CHECK_INT(s.ndisks, 1);
	CHECK_STR(s.disk_targets[0], "vda");
	CHECK_STR(s.disk_sources[0], "/img/vm.ext");
	CHECK_INT(s.vcpus_hotplugged, 0);
	snap_free_one(&s);
	free(xml);
	const char *bad[] = { "", "<domain/>", "<domainsnapshot>", "<domainsnapshot/>", "\xff\xfe<" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_INT(snapxml_parse(bad[i], strlen(bad[i]), &s, &err), -1);
}

static struct domain mkdom(const char *name, unsigned vcpus, unsigned max, uint64_t mem)
{
	struct domain d;
	memset(&d, 0, sizeof d);
	snprintf(d.info.name, sizeof d.info.name, "%s", name);
	snprintf(d.info.uuid, sizeof d.info.uuid, "00000000-0000-0000-0000-%012u", (unsigned)(strlen(name) + vcpus) % 1000);
	d.info.vcpus = vcpus;
	d.info.max_vcpus = max;
	d.info.memory = d.info.max_memory = mem;
	d.state = DOM_RUNNING;
	return d;
}

static void test_args_validate(void)
{
	const struct op_def *def = optable_find("set_vcpus");
	CHECK(def != NULL);
	CHECK(optable_find("nope") == NULL);
	CHECK(optable_count() >= 16);
	struct op_args args;
	memset(&args, 0, sizeof args);
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(op_args_finish(def, &args, &err), -1);   /* count required */
	CHECK(strstr(err.msg, "'count' is required") != NULL);
	CHECK_INT(op_value_parse(&def->args[0], "x", &args.v[0], &err), -1);
	CHECK_INT(op_value_parse(&def->args[0], "8", &args.v[0], &err), 0);
	CHECK_INT(op_args_finish(def, &args, &err), 0);

	struct host_config cfg = { .name = "h1" };
	struct host h;
	memset(&h, 0, sizeof h);
	h.cfg = &cfg;
	struct domain d = mkdom("vm1", 2, 4, 1ull << 30);
	struct strbuf notes;
	sb_init(&notes);
	struct op_ctx ctx = { .def = def, .args = &args, .host = &h, .dom = &d, .notes = &notes };
	err_clear(&err);
	CHECK_INT(def->validate(&ctx, &err), -1);
	CHECK_STR(err.domain, "vm1");
	CHECK_STR(err.host, "h1");
	CHECK(strstr(err.msg, "above the domain's maximum of 4") != NULL);
	args.v[0].i = 3;
	CHECK_INT(def->validate(&ctx, &err), 0);
	struct vop_request req = { 0 };
	CHECK_INT(def->build(&ctx, &req, &err), 0);
	CHECK_INT(req.value, 3);
	CHECK_INT(req.flags, VOPF_LIVE);
	struct strbuf sb;
	sb_init(&sb);
	vop_describe(&req, &sb);
	CHECK_STR(sb.buf, "virDomainSetVcpusFlags(\"vm1\", 3, VIR_DOMAIN_AFFECT_LIVE)\n");
	vop_request_free(&req);
	op_args_free(&args);

	/* resize: anything not larger than the current size is refused (QEMU
	 * would shrink the disk), and so is any size when the current one is
	 * unknown; the model's size (statistics or pool) comes first, then the
	 * one op_run read from libvirt */
	def = optable_find("resize_disk");
	CHECK(def->flags & OPF_BLOCKINFO);
	memset(&args, 0, sizeof args);
	struct dom_disk disk = { .target = "vda", .capacity = 10ull << 30 };
	d.info.disks = &disk;
	d.info.ndisks = 1;
	op_value_parse(&def->args[0], "vda", &args.v[0], &err);
	op_value_parse(&def->args[1], "5G", &args.v[1], &err);
	ctx.def = def;
	CHECK_INT(def->validate(&ctx, &err), -1);
	CHECK_INT(err.code, VD_EREFUSED);
	CHECK_STR(err.msg, "refusing to shrink disk vda of VM vm1 on host h1: 5.0G (5368709120 bytes) is not larger "
		  "than its current size 10G (10737418240 bytes); disks only grow");
	op_value_parse(&def->args[1], "10G", &args.v[1], &err);
	CHECK_INT(def->validate(&ctx, &err), -1);
	CHECK(strstr(err.msg, "10G (10737418240 bytes) is not larger than its current size 10G") != NULL);
	ctx.disk_capacity = 1ull << 40;   /* read from libvirt, but the model knows: the model's counts */
	op_value_parse(&def->args[1], "11G", &args.v[1], &err);
	CHECK_INT(def->validate(&ctx, &err), 0);
	disk.capacity = 0;
	CHECK_INT(def->validate(&ctx, &err), -1);
	CHECK(strstr(err.msg, "11G (11811160064 bytes) is not larger than its current size 1.0T") != NULL);
	ctx.disk_capacity = 0;
	CHECK_INT(def->validate(&ctx, &err), -1);
	CHECK_INT(err.code, VD_EREFUSED);
	CHECK_STR(err.msg, "the current size of disk vda of VM vm1 on host h1 is unknown: refusing a resize to 11G "
		  "that could shrink it");
	ctx.disk_capacity = 10ull << 30;
	CHECK_INT(def->validate(&ctx, &err), 0);
	CHECK_INT(def->build(&ctx, &req, &err), 0);
	CHECK_INT(req.kind, VOP_BLOCK_RESIZE);
	CHECK_INT(req.value, 11ull << 30);
	vop_request_free(&req);
	ctx.disk_capacity = 0;
	op_args_free(&args);
	op_value_parse(&def->args[0], "vdq", &args.v[0], &err);
	op_value_parse(&def->args[1], "20G", &args.v[1], &err);
	CHECK_INT(def->validate(&ctx, &err), -1);
	CHECK_INT(err.code, VD_ENOTFOUND);
	op_args_free(&args);

	/* revert of an internal snapshot taken after a vCPU hot-add */
	def = optable_find("revert");
	struct op_snapshot snap = { .name = "s1", .memory = 1, .vcpus_hotplugged = 1 };
	ctx.def = def;
	ctx.snaps = &snap;
	ctx.nsnaps = 1;
	op_value_parse(&def->args[0], "s1", &args.v[0], &err);
	CHECK_INT(def->validate(&ctx, &err), -1);
	CHECK_INT(err.code, VD_EREFUSED);
	CHECK(strstr(err.msg, "vCPU hot-add") != NULL);
	op_value_parse(&def->args[2], "true", &args.v[2], &err);
	CHECK_INT(def->validate(&ctx, &err), 0);
	op_args_free(&args);
	snap.external = 1;
	op_value_parse(&def->args[0], "s1", &args.v[0], &err);
	CHECK_INT(def->validate(&ctx, &err), -1);
	CHECK_INT(err.code, VD_EUNSUPPORTED);
	op_args_free(&args);
	sb_free(&sb);
	sb_free(&notes);
}

/* restore_to's pure parts: the snapshot's bases, the new definition and
 * shell steps (golden), and validation against a two-host cluster; then the
 * dependency a restored VM creates refuses delete and merge of the snapshot. */
static void set_arg(const struct op_def *def, struct op_args *args, const char *name, const char *v)
{
	struct vd_err err;
	err_clear(&err);
	int i = op_arg_index(def, name);
	CHECK(i >= 0);
	if (i >= 0)
		CHECK_INT(op_value_parse(&def->args[i], v, &args->v[i], &err), 0);
}

static void test_restore(void)
{
	size_t len;
	char *xml = check_slurp(FIX "snap-restore.xml", &len);
	struct op_snapshot *s = x_calloc(1, sizeof *s);
	struct vd_err err;
	err_clear(&err);
	CHECK(xml != NULL);
	CHECK_INT(snapxml_parse(xml, len, s, &err), 0);
	free(xml);
	CHECK_STR(s->name, "before & after");
	CHECK_INT(s->ndisks, 2);
	CHECK_STR(s->disk_sources[0], "/img/o'vm.before");
	CHECK_STR(s->disk_bases[0], "/img/o'vm.qcow2");
	CHECK_STR(s->disk_formats[0], "qcow2");
	CHECK_STR(s->disk_bases[1], "/img/data & more.raw");
	CHECK_STR(s->disk_formats[1], "raw");
	CHECK(s->domain_xml && strstr(s->domain_xml, "<genid>") != NULL);   /* the inactive one */

	struct strbuf sb, make, undo;
	sb_init(&sb);
	sb_init(&make);
	sb_init(&undo);
	restore_overlay_path("/img/o'vm.qcow2", "new <vm> & 'x'", "vda", &sb);
	CHECK_STR(sb.buf, "/img/new__vm_____x_-vda.qcow2");
	sb_reset(&sb);
	struct restore_disk rd[2] = {
		{ "vda", "/img/n'1-vda.qcow2", s->disk_bases[0], s->disk_formats[0], NULL },
		{ "vdb", "/img/n'1-vdb.qcow2", s->disk_bases[1], s->disk_formats[1], NULL },
	};
	struct restore_spec spec = { "n'1 <&>", rd, 2, 0, NULL, 0, NULL, NULL, 0 };
	size_t dropped = 9;
	CHECK_INT(xml_restore_domain(s->domain_xml, strlen(s->domain_xml), &spec, &sb, &dropped, &err), 0);
	CHECK_INT(dropped, 1);
	check_golden(FIX "restore-domain.xml", sb.buf);
	restore_shell(&spec, &make, &undo);
	check_golden(FIX "restore-shell.txt", make.buf);
	CHECK_STR(undo.buf, "rm -f '/img/n'\\''1-vda.qcow2' '/img/n'\\''1-vdb.qcow2'\n");
	/* a writable disk outside the snapshot would be shared: refused */
	sb_reset(&sb);
	spec.ndisks = 1;
	CHECK_INT(xml_restore_domain(s->domain_xml, strlen(s->domain_xml), &spec, &sb, NULL, &err), -1);
	CHECK_INT(err.code, VD_EREFUSED);
	CHECK(strstr(err.msg, "disk vdb is writable") != NULL);
	spec.ndisks = 2;
	CHECK_INT(xml_restore_domain("<domainsnapshot/>", 17, &spec, &sb, NULL, &err), -1);
	CHECK_INT(xml_restore_domain(NULL, 0, &spec, &sb, NULL, &err), -1);

	/* validation against a cluster: src (local shell) and dst (no shell) */
	struct host_config c1 = { .name = "src", .transport = HT_LOCAL }, c2 = { .name = "dst", .transport = HT_NONE };
	struct host hs[2];
	memset(hs, 0, sizeof hs);
	hs[0].cfg = &c1;
	hs[1].cfg = &c2;
	hs[0].state = hs[1].state = HOST_UP;
	struct domain doms[2] = { mkdom("o'vm", 1, 4, 1ull << 30), mkdom("other", 1, 4, 1ull << 30) };
	hs[0].doms = doms;
	hs[0].ndoms = 2;
	struct cluster cl;
	memset(&cl, 0, sizeof cl);
	cl.hosts = hs;
	cl.nhosts = 2;
	const struct op_def *def = optable_find("restore_to");
	struct op_args args;
	memset(&args, 0, sizeof args);
	struct strbuf notes;
	sb_init(&notes);
	struct op_ctx ctx = { .def = def, .args = &args, .cluster = &cl, .host = &hs[0], .dom = &doms[0],
			      .snaps = s, .nsnaps = 1, .notes = &notes };
	set_arg(def, &args, "snapshot", "nope");
	set_arg(def, &args, "name", "other");
	CHECK_INT(op_args_finish(def, &args, &err), 0);
	CHECK_INT(def->validate(&ctx, &err), -1);
	CHECK_INT(err.code, VD_ENOTFOUND);
	op_args_free(&args);
	set_arg(def, &args, "snapshot", "before & after");
	set_arg(def, &args, "name", "other");
	CHECK_INT(def->validate(&ctx, &err), -1);
	CHECK(strstr(err.msg, "already has a domain named 'other'") != NULL);
	op_args_free(&args);
	set_arg(def, &args, "snapshot", "before & after");
	set_arg(def, &args, "name", "clone");
	set_arg(def, &args, "host", "dst");
	CHECK_INT(def->validate(&ctx, &err), -1);
	CHECK_INT(err.code, VD_EUNSUPPORTED);
	CHECK(strstr(err.msg, "no shell transport") != NULL);
	c2.transport = HT_SSH;
	hs[1].state = HOST_DOWN;
	CHECK_INT(def->validate(&ctx, &err), -1);
	CHECK_INT(err.code, VD_EUNREACH);
	hs[1].state = HOST_UP;
	/* onto another host: every file inside one of its file pools */
	CHECK_INT(def->validate(&ctx, &err), -1);
	CHECK_INT(err.code, VD_EREFUSED);
	CHECK_STR(err.msg, "restore_to onto host dst: snapshot 'before & after' of VM o'vm: disk vda: backing file "
		  "'/img/o'vm.qcow2' is not inside a storage pool directory of the target host (it has no active "
		  "dir, fs or netfs storage pool)");
	char *pools[] = { (char *)"/img" };
	hs[1].pool_dirs = pools;
	hs[1].npool_dirs = 1;
	CHECK_INT(def->validate(&ctx, &err), -1);
	CHECK_STR(err.msg, "restore_to onto host dst: snapshot 'before & after' of VM o'vm: disk hdc: <source file> "
		  "'/iso/install.iso' is not inside a storage pool directory of the target host (pools: /img)");
	char *two_pools[] = { (char *)"/img", (char *)"/iso" };
	hs[1].pool_dirs = two_pools;
	hs[1].npool_dirs = 2;
	CHECK_INT(def->validate(&ctx, &err), 0);
	CHECK(strstr(notes.buf, "same paths on dst") != NULL);
	struct vop_request req = { 0 };
	CHECK_INT(def->build(&ctx, &req, &err), 0);
	CHECK_INT(req.kind, VOP_DEFINE);
	CHECK_STR(req.target, "dst");
	CHECK_STR(req.uuid, "");
	CHECK(req.xml && strstr(req.xml, "<name>clone</name>") != NULL);
	CHECK(req.xml && strstr(req.xml, "<source file=\"/img/clone-vda.qcow2\"/>") != NULL);
	sb_reset(&sb);
	vop_describe(&req, &sb);
	CHECK(strstr(sb.buf, "on \"dst\" over its shell transport") != NULL);
	CHECK(strstr(sb.buf, "qemu-img create -q -f qcow2 -F 'qcow2' -b '/img/o'\\''vm.qcow2' '/img/clone-vda.qcow2'") != NULL);
	CHECK(strstr(sb.buf, "virDomainDefineXML(conn of \"dst\", xml)\n<domain") != NULL);
	vop_request_free(&req);
	/* an internal snapshot cannot back a VM */
	s->external = 0;
	CHECK_INT(def->validate(&ctx, &err), -1);
	CHECK_INT(err.code, VD_EREFUSED);
	CHECK(strstr(err.msg, "internal snapshot") != NULL);
	s->external = 1;
	op_args_free(&args);

	/* once a VM stands on the snapshot's base, delete and merge are refused */
	struct dom_disk od = { .target = "vda", .source = "/img/clone-vda.qcow2", .backing = "/img/o'vm.qcow2" };
	doms[1].info.disks = &od;
	doms[1].info.ndisks = 1;
	struct dom_disk mine = { .target = "vda", .source = "/img/o'vm.before", .backing = "/img/o'vm.qcow2" };
	doms[0].info.disks = &mine;
	doms[0].info.ndisks = 1;
	def = optable_find("delete_snapshot");
	ctx.def = def;
	set_arg(def, &args, "name", "before & after");
	CHECK_INT(def->validate(&ctx, &err), -1);
	CHECK_INT(err.code, VD_EREFUSED);
	CHECK(strstr(err.msg, "domain other depends on /img/o'vm.qcow2") != NULL);
	op_args_free(&args);
	def = optable_find("merge");
	ctx.def = def;
	set_arg(def, &args, "disk", "vda");
	CHECK_INT(def->validate(&ctx, &err), -1);
	CHECK(strstr(err.msg, "merging would change that VM's base") != NULL);
	/* without the dependent VM: allowed, and the snapshot's metadata goes too */
	od.backing = "/img/elsewhere.qcow2";
	CHECK_INT(def->validate(&ctx, &err), 0);
	CHECK_INT(def->build(&ctx, &req, &err), 0);
	CHECK_INT(req.ndrop_snapshots, 1);
	CHECK_STR(req.drop_snapshots[0], "before & after");
	sb_reset(&sb);
	vop_describe(&req, &sb);
	CHECK(strstr(sb.buf, "then virDomainSnapshotDelete(\"o'vm\"/\"before & after\", "
		     "VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY)") != NULL);
	struct vop_request copy;
	vop_request_copy(&copy, &req);
	CHECK_STR(copy.drop_snapshots[0], "before & after");
	vop_request_free(&copy);
	vop_request_free(&req);
	/* vdb still on the snapshot's overlay: the snapshot keeps its metadata */
	struct dom_disk two[2] = { mine, { .target = "vdb", .source = "/img/data.before" } };
	doms[0].info.disks = two;
	doms[0].info.ndisks = 2;
	sb_reset(&notes);
	CHECK_INT(def->build(&ctx, &req, &err), 0);
	CHECK_INT(req.ndrop_snapshots, 0);
	CHECK(strstr(notes.buf, "keeps its metadata: vdb is still on its overlay") != NULL);
	vop_request_free(&req);
	op_args_free(&args);
	sb_free(&sb);
	sb_free(&make);
	sb_free(&undo);
	sb_free(&notes);
	op_snapshots_free(s, 1);
}

static void test_placement(void)
{
	struct host_config c1 = { .name = "a" }, c2 = { .name = "b" }, c3 = { .name = "c" };
	struct host hs[3];
	memset(hs, 0, sizeof hs);
	hs[0].cfg = &c1;
	hs[1].cfg = &c2;
	hs[2].cfg = &c3;
	for (int i = 0; i < 3; i++) {
		hs[i].state = HOST_UP;
		snprintf(hs[i].hypervisor, sizeof hs[i].hypervisor, "QEMU");
	}
	hs[1].memory = 64ull << 30;
	hs[2].memory = 32ull << 30;
	hs[2].state = HOST_DOWN;
	struct domain d = mkdom("vm", 2, 2, 8ull << 30);
	struct cluster cl;
	memset(&cl, 0, sizeof cl);
	cl.hosts = hs;
	cl.nhosts = 3;
	struct strbuf why;
	sb_init(&why);
	struct vd_err err;
	err_clear(&err);
	const struct host *t = placement_choose(&cl, &hs[0], &d, NULL, &why, &err);
	CHECK(t == &hs[1]);
	CHECK(strstr(why.buf, "c: skipped, down") != NULL);
	CHECK(strstr(why.buf, "chose b") != NULL);
	uint64_t reserved[3] = { 0, 60ull << 30, 0 };
	CHECK(placement_choose(&cl, &hs[0], &d, reserved, NULL, &err) == NULL);
	CHECK(strstr(err.msg, "no host has") != NULL);
	sb_free(&why);
}

int main(void)
{
	test_xml();
	test_snapxml();
	test_args_validate();
	test_placement();
	test_restore();
	return check_summary();
}

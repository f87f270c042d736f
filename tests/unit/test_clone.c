/* test_clone.c — d:clone, h:resize_volume and d:convert_disk through their
 * table entries: the clone's definition (golden, written by hand), its
 * volumes (linked overlays naming their base, full copies naming their
 * source), new UUID and MACs, and the refusals (a running source without
 * a snapshot, a base the clone's host does not see, shrinking a volume,
 * converting a running VM's disk, an overlay or a base others stand on). */
#include "check.h"

#include "core/xalloc.h"
#include "metrics/domxml.h"
#include "metrics/poolxml.h"
#include "model/cluster.h"
#include "ops/optable.h"
#include "ops/xml_restore.h"

#define FIX "tests/fixtures/ops/"

static struct vd_err err;

static struct pool_info pool(const char *xml)
{
	struct pool_info p;
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

static void set_arg(const struct op_def *def, struct op_args *args, const char *name, const char *text)
{
	int i = op_arg_index(def, name);
	CHECK(i >= 0);
	if (i >= 0)
		CHECK_INT(op_value_parse(&def->args[i], text, &args->v[i], &err), 0);
}

/* hv1 (local shell) holds the template and its pool /pool; hv2 sees
 * only its own pool /other. */
static struct host_config c1 = { .name = "hv1", .transport = HT_LOCAL }, c2 = { .name = "hv2", .transport = HT_SSH };
static struct host hs[2];
static struct cluster cl;
static struct domain doms[1];
static struct pool_info pools1[1], pools2[1];
static char *xml;

static void setup(void)
{
	xml = check_slurp(FIX "clone-source.xml", NULL);
	CHECK(xml != NULL);
	memset(doms, 0, sizeof doms);
	CHECK_INT(domxml_parse(xml, strlen(xml), &doms[0].info, &err), 0);
	doms[0].state = DOM_SHUTOFF;
	pools1[0] = pool("<pool type='dir'><name>images</name><capacity>1000000000000</capacity>"
			 "<target><path>/pool</path></target></pool>");
	add_vol(&pools1[0], "<volume><name>tmpl-vda.qcow2</name><capacity>10737418240</capacity>"
		"<allocation>1073741824</allocation><target><path>/pool/tmpl-vda.qcow2</path>"
		"<format type='qcow2'/></target></volume>");
	add_vol(&pools1[0], "<volume><name>tmpl data.raw</name><capacity>2147483648</capacity>"
		"<allocation>2147483648</allocation><target><path>/pool/tmpl data.raw</path>"
		"<format type='raw'/></target></volume>");
	pools2[0] = pool("<pool type='dir'><name>images</name><target><path>/other</path></target></pool>");
	memset(hs, 0, sizeof hs);
	hs[0].cfg = &c1;
	hs[1].cfg = &c2;
	hs[0].state = hs[1].state = HOST_UP;
	hs[0].doms = doms;
	hs[0].ndoms = 1;
	hs[0].pools = pools1;
	hs[0].npools = 1;
	hs[1].pools = pools2;
	hs[1].npools = 1;
	memset(&cl, 0, sizeof cl);
	cl.hosts = hs;
	cl.nhosts = 2;
}

/* The clone's definition: new name, the UUID and MACs given (the second
 * NIC gets none: libvirt makes it), vda on a linked overlay naming its
 * base, vdb on a full raw copy, the cdrom as it was, no hostdev, alias,
 * tap name or genid — written out by hand in clone-domain.xml. */
static void test_clone_xml(void)
{
	struct restore_disk d[2] = {
		{ "vda", "/pool/c'1-vda.qcow2", "/pool/tmpl-vda.qcow2", "qcow2", "qcow2" },
		{ "vdb", "/pool/c'1-vdb.raw", NULL, "raw", "raw" },
	};
	const char *macs[] = { "52:54:00:aa:bb:cc" };
	struct restore_spec spec = { "c'1 <&>", d, 2, 0, NULL, 0, "0c000000-0000-4000-8000-0000000000c1", macs, 1 };
	struct strbuf sb;
	sb_init(&sb);
	size_t dropped = 0;
	CHECK_INT(restore_check(&spec, &err), 0);
	CHECK_INT(xml_restore_domain(xml, strlen(xml), &spec, &sb, &dropped, &err), 0);
	CHECK_INT(dropped, 1);
	check_golden(FIX "clone-domain.xml", sb.buf);
	/* a new file of another format is refused before any XML is built */
	d[1].format = "vvfat";
	CHECK_INT(restore_check(&spec, &err), -1);
	CHECK(strstr(err.msg, "neither qcow2 nor raw") != NULL);
	sb_free(&sb);
}

static int run_validate(const char *op, const struct domain *d, const char *const *kv, struct op_args *args,
			struct strbuf *notes)
{
	const struct op_def *def = optable_find(op);
	memset(args, 0, sizeof *args);
	for (size_t i = 0; kv[i]; i += 2)
		set_arg(def, args, kv[i], kv[i + 1]);
	CHECK_INT(op_args_finish(def, args, &err), 0);
	struct op_ctx ctx = { .def = def, .args = args, .cluster = &cl, .host = &hs[0], .dom = d,
			      .notes = notes, .domain_xml = xml };
	err_clear(&err);
	return def->validate(&ctx, &err);
}

static int run_build(const char *op, const struct domain *d, struct op_args *args, struct vop_request *req)
{
	const struct op_def *def = optable_find(op);
	struct op_ctx ctx = { .def = def, .args = args, .cluster = &cl, .host = &hs[0], .dom = d, .domain_xml = xml };
	memset(req, 0, sizeof *req);
	return def->build(&ctx, req, &err);
}

static void test_clone_op(void)
{
	struct op_args args;
	struct strbuf notes;
	sb_init(&notes);
	struct vop_request req;
	/* linked, beside the bases */
	CHECK_INT(run_validate("clone", &doms[0], (const char *[]){ "name", "c1", NULL }, &args, &notes), 0);
	CHECK(strstr(notes.buf, "stand on /pool/tmpl-vda.qcow2") != NULL);
	CHECK_INT(run_build("clone", &doms[0], &args, &req), 0);
	CHECK_INT(req.kind, VOP_CLONE);
	CHECK_STR(req.target, "hv1");
	CHECK_STR(req.uuid, "");   /* a new VM: no domain to look up */
	CHECK_INT((int)req.nvols, 2);
	CHECK_STR(req.vols[0].pool, "images");
	CHECK(req.vols[0].from == NULL);
	CHECK_STR(req.vols[0].xml, "<volume>\n  <name>c1-vda.qcow2</name>\n"
				   "  <capacity unit='bytes'>10737418240</capacity>\n"
				   "  <allocation unit='bytes'>0</allocation>\n"
				   "  <target>\n    <format type='qcow2'/>\n  </target>\n"
				   "  <backingStore>\n    <path>/pool/tmpl-vda.qcow2</path>\n    <format type='qcow2'/>\n"
				   "  </backingStore>\n</volume>\n");
	CHECK(strstr(req.vols[1].xml, "<path>/pool/tmpl data.raw</path>\n    <format type='raw'/>") != NULL);
	CHECK(strstr(req.xml, "<name>c1</name>") != NULL);
	CHECK(strstr(req.xml, "<uuid>0c000000-0000-0000-0000-000000000001</uuid>") == NULL);
	CHECK(strstr(req.xml, "<uuid>") != NULL);          /* a new one */
	CHECK(strstr(req.xml, "52:54:00:0c:00:01") == NULL);
	CHECK(strstr(req.xml, "<mac address=\"52:54:00:") != NULL);
	CHECK(strstr(req.xml, "<source file=\"/pool/c1-vda.qcow2\"/>") != NULL);
	struct strbuf sb;
	sb_init(&sb);
	vop_describe(&req, &sb);
	CHECK(strstr(sb.buf, "virStorageVolCreateXML(pool \"images\", xml)\n<volume>\n  <name>c1-vda.qcow2") != NULL);
	CHECK(strstr(sb.buf, "virDomainDefineXML(conn of \"hv1\", xml); if a step fails") != NULL);
	vop_request_free(&req);
	op_args_free(&args);

	/* full: libvirt copies each volume */
	CHECK_INT(run_validate("clone", &doms[0], (const char *[]){ "name", "c2", "linked", "false", "start", "true",
		  NULL }, &args, &notes), 0);
	CHECK_INT(run_build("clone", &doms[0], &args, &req), 0);
	CHECK_STR(req.vols[0].from, "/pool/tmpl-vda.qcow2");
	CHECK_STR(req.vols[1].from, "/pool/tmpl data.raw");
	CHECK(strstr(req.vols[1].xml, "<name>c2-vdb.raw</name>") != NULL);
	CHECK(strstr(req.vols[0].xml, "backingStore") == NULL);
	CHECK(strstr(req.xml, "<source file=\"/pool/c2-vda.qcow2\"/>\n      <backingStore/>") != NULL);
	CHECK(req.flags & VOPF_START);
	sb_reset(&sb);
	vop_describe(&req, &sb);
	CHECK(strstr(sb.buf, "virStorageVolCreateXMLFrom(pool \"images\", xml, volume \"/pool/tmpl-vda.qcow2\")") != NULL);
	CHECK(strstr(sb.buf, " then virDomainCreate;") != NULL);
	vop_request_free(&req);
	op_args_free(&args);

	/* refusals */
	doms[0].state = DOM_RUNNING;
	CHECK_INT(run_validate("clone", &doms[0], (const char *[]){ "name", "c3", NULL }, &args, &notes), -1);
	CHECK_INT(err.code, VD_EREFUSED);
	CHECK(strstr(err.msg, "is running: its disks change under a clone") != NULL);
	CHECK(strstr(err.msg, "snapshot=NAME") != NULL);
	op_args_free(&args);
	doms[0].state = DOM_SHUTOFF;
	CHECK_INT(run_validate("clone", &doms[0], (const char *[]){ "name", "c3", "host", "hv2", NULL }, &args,
			       &notes), -1);
	CHECK_STR(err.msg, "host hv2 has no volume at /pool/tmpl-vda.qcow2 (disk vda): the base of a clone must be "
		  "a volume of a storage pool its host sees (a datastore shared with hv1, or a pool of the same host)");
	op_args_free(&args);
	CHECK_INT(run_validate("clone", &doms[0], (const char *[]){ "name", "tmpl & co", NULL }, &args, &notes), -1);
	CHECK(strstr(err.msg, "already exists") != NULL);
	op_args_free(&args);
	CHECK_INT(run_validate("clone", &doms[0], (const char *[]){ "name", "c3", "pool", "nope", NULL }, &args,
			       &notes), -1);
	CHECK_INT(err.code, VD_ENOTFOUND);
	op_args_free(&args);
	add_vol(&pools1[0], "<volume><name>c4-vda.qcow2</name><target><path>/pool/c4-vda.qcow2</path></target></volume>");
	CHECK_INT(run_validate("clone", &doms[0], (const char *[]){ "name", "c4", NULL }, &args, &notes), -1);
	CHECK(strstr(err.msg, "already has a volume 'c4-vda.qcow2'") != NULL);
	op_args_free(&args);
	CHECK_INT(run_validate("clone", &doms[0], (const char *[]){ "name", "c5", "snapshot", "s1", NULL }, &args,
			       &notes), -1);
	CHECK_INT(err.code, VD_ENOTFOUND);
	op_args_free(&args);
	sb_free(&sb);
	sb_free(&notes);
}

static void test_resize_volume(void)
{
	struct op_args args;
	struct strbuf notes;
	sb_init(&notes);
	CHECK_INT(run_validate("resize_volume", NULL, (const char *[]){ "pool", "images", "name", "tmpl-vda.qcow2",
		  "size", "5G", NULL }, &args, &notes), -1);
	CHECK(strstr(err.msg, "is 10737418240 bytes: shrinking it to 5368709120") != NULL);
	op_args_free(&args);
	CHECK_INT(run_validate("resize_volume", NULL, (const char *[]){ "pool", "images", "name", "tmpl-vda.qcow2",
		  "size", "20G", NULL }, &args, &notes), 0);
	struct vop_request req;
	CHECK_INT(run_build("resize_volume", NULL, &args, &req), 0);
	struct strbuf sb;
	sb_init(&sb);
	vop_describe(&req, &sb);
	CHECK_STR(sb.buf, "virStorageVolResize(pool \"images\" volume \"tmpl-vda.qcow2\", 21474836480)\n");
	vop_request_free(&req);
	op_args_free(&args);
	doms[0].state = DOM_RUNNING;
	CHECK_INT(run_validate("resize_volume", NULL, (const char *[]){ "pool", "images", "name", "tmpl-vda.qcow2",
		  "size", "20G", NULL }, &args, &notes), -1);
	CHECK(strstr(err.msg, "running VM tmpl & co has /pool/tmpl-vda.qcow2 open as vda") != NULL);
	doms[0].state = DOM_SHUTOFF;
	op_args_free(&args);
	sb_free(&sb);
	sb_free(&notes);
}

/* The command qemu-img runs, written out by hand. */
static void test_convert_disk(void)
{
	struct op_args args;
	struct strbuf notes;
	sb_init(&notes);
	const struct op_def *def = optable_find("convert_disk");
	CHECK(def->flags & OPF_SETTING);
	CHECK_INT(run_validate("convert_disk", &doms[0], (const char *[]){ "disk", "vdb", "preallocation", "full",
		  NULL }, &args, &notes), 0);
	struct op_command cmd = { 0 };
	struct op_ctx ctx = { .def = def, .args = &args, .cluster = &cl, .host = &hs[0], .dom = &doms[0] };
	CHECK_INT(def->build_command(&ctx, &cmd, &err), 0);
	CHECK_STR(cmd.cmd, "set -e\nf='/pool/tmpl data.raw'\nt='/pool/tmpl data.raw.vdeck-convert'\n"
		  "test ! -e \"$t\" || { echo \"$t exists: an earlier conversion was cut off; remove it\" >&2; exit 1; }\n"
		  "trap 'rm -f \"$t\"' EXIT\n"
		  "qemu-img convert -f 'raw' -O 'raw' -o preallocation='full' \"$f\" \"$t\"\n"
		  "chown --reference=\"$f\" \"$t\"\nchmod --reference=\"$f\" \"$t\"\n"
		  "mv -f \"$t\" \"$f\"\ntrap - EXIT\necho \"$f: preallocation=full\"\n");
	CHECK_INT(cmd.timeout_ms, 3600000);
	free(cmd.cmd);
	op_args_free(&args);
	CHECK_INT(run_validate("convert_disk", &doms[0], (const char *[]){ "disk", "vdb", "preallocation", "metadata",
		  NULL }, &args, &notes), -1);
	CHECK(strstr(err.msg, "raw image has no metadata") != NULL);
	op_args_free(&args);
	doms[0].state = DOM_RUNNING;
	CHECK_INT(run_validate("convert_disk", &doms[0], (const char *[]){ "disk", "vda", "preallocation", "off",
		  NULL }, &args, &notes), -1);
	CHECK(strstr(err.msg, "is running: QEMU has /pool/tmpl-vda.qcow2 open") != NULL);
	doms[0].state = DOM_SHUTOFF;
	op_args_free(&args);
	/* a base another VM's disk stands on is not swapped under it */
	struct domain both[2];
	both[0] = doms[0];
	memset(&both[1], 0, sizeof both[1]);
	const char *cx = "<domain><name>kid</name><uuid>0c000000-0000-0000-0000-000000000002</uuid><devices>"
			 "<disk type='file' device='disk'><driver type='qcow2'/><source file='/pool/kid.qcow2'/>"
			 "<backingStore type='file'><format type='qcow2'/><source file='/pool/tmpl-vda.qcow2'/>"
			 "</backingStore><target dev='vda'/></disk></devices></domain>";
	CHECK_INT(domxml_parse(cx, strlen(cx), &both[1].info, &err), 0);
	both[1].state = DOM_SHUTOFF;
	hs[0].doms = both;
	hs[0].ndoms = 2;
	CHECK_INT(run_validate("convert_disk", &both[0], (const char *[]){ "disk", "vda", "preallocation", "metadata",
		  NULL }, &args, &notes), -1);
	CHECK(strstr(err.msg, "/pool/tmpl-vda.qcow2 is also used by kid (vda)") != NULL);
	op_args_free(&args);
	CHECK_INT(run_validate("convert_disk", &both[1], (const char *[]){ "disk", "vda", "preallocation", "off",
		  NULL }, &args, &notes), -1);
	CHECK(strstr(err.msg, "stands on /pool/tmpl-vda.qcow2 (an overlay") != NULL);
	op_args_free(&args);
	c1.transport = HT_NONE;
	CHECK_INT(run_validate("convert_disk", &both[0], (const char *[]){ "disk", "vdb", "preallocation", "off",
		  NULL }, &args, &notes), -1);
	CHECK(strstr(err.msg, "no shell transport") != NULL);
	c1.transport = HT_LOCAL;
	op_args_free(&args);
	hs[0].doms = doms;
	hs[0].ndoms = 1;
	dom_info_free(&both[1].info);
	sb_free(&notes);
}

int main(void)
{
	err_clear(&err);
	setup();
	test_clone_xml();
	test_clone_op();
	test_resize_volume();
	test_convert_disk();
	dom_info_free(&doms[0].info);
	pool_info_free(&pools1[0]);
	pool_info_free(&pools2[0]);
	free(xml);
	return check_summary();
}

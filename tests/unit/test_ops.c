/* test_ops.c — the operation layer's pure parts: XML builders against golden
 * files (values with <&'"), the snapshot XML parser, audit lines, argument
 * parsing and defaults, validation refusals, placement. */
#include "check.h"
#include "ops/audit.h"
#include "ops/op_impl.h"
#include "ops/optable.h"
#include "ops/placement.h"
#include "ops/snapxml.h"
#include "ops/xml.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIX "tests/fixtures/ops/"

static void golden(const char *file, const char *got)
{
	size_t len;
	char *want = check_slurp(file, &len);
	if (getenv("VDECK_UPDATE_GOLDEN")) {
		FILE *f = fopen(file, "w");
		fputs(got, f);
		fclose(f);
	}
	CHECK(want != NULL);
	if (want && strcmp(want, got)) {
		fprintf(stderr, "golden %s differs; got:\n%s", file, got);
		check_failed++;
	} else if (want) {
		check_passed++;
	}
	free(want);
}

static void test_xml(void)
{
	struct strbuf sb;
	sb_init(&sb);
	struct xml_disk d = { .type = "file", .device = "disk", .source = "/var/lib/img/a<&'\">.qcow2",
			      .target = "vdb", .bus = "virtio", .format = "qcow2", .cache = "none",
			      .readonly = 1, .shareable = 1, .serial = "S/N <1>&'\"" };
	xml_disk(&d, &sb);
	golden(FIX "disk.xml", sb.buf);
	sb_reset(&sb);
	struct xml_disk b = { .type = "block", .device = "lun", .source = "/dev/disk/by-path/ip-1:3260-iscsi-x-lun-1",
			      .target = "sdb", .bus = "scsi" };
	xml_disk(&b, &sb);
	golden(FIX "disk-block.xml", sb.buf);
	sb_reset(&sb);
	struct xml_nic n = { .network = "prod<&'\">", .model = "virtio", .mac = "52:54:00:00:00:01",
			     .portgroup = "pg\"1\"", .vlan = 100 };
	xml_nic(&n, &sb);
	golden(FIX "nic.xml", sb.buf);
	sb_reset(&sb);
	struct xml_nic br = { .bridge = "br0&'", .model = "e1000" };
	xml_nic(&br, &sb);
	golden(FIX "nic-bridge.xml", sb.buf);
	sb_reset(&sb);
	struct xml_dimm m = { 262144, 1 };
	xml_dimm(&m, &sb);
	golden(FIX "dimm.xml", sb.buf);
	sb_reset(&sb);
	struct xml_snapshot s = { .name = "pre <upgrade> & 'x' \"y\"", .description = "a&b<c>", .memory = 1 };
	xml_snapshot(&s, &sb);
	golden(FIX "snapshot-internal.xml", sb.buf);
	sb_reset(&sb);
	const char *disks[] = { "vda", "vdb" }, *skip[] = { "hdc" };
	struct xml_snapshot e = { .name = "ext", .memory = 0, .external = 1, .disks = disks, .ndisks = 2,
				  .skip = skip, .nskip = 1 };
	xml_snapshot(&e, &sb);
	golden(FIX "snapshot-disk-only.xml", sb.buf);
	sb_reset(&sb);
	struct xml_snapshot em = { .name = "ext-mem", .memory = 1, .external = 1, .memory_file = "/img/vm'1.mem",
				   .disks = disks, .ndisks = 1 };
	xml_snapshot(&em, &sb);
	golden(FIX "snapshot-external-memory.xml", sb.buf);
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

static void test_audit(void)
{
	struct strbuf sb;
	sb_init(&sb);
	struct audit_record r = { .time = 1700000000.25, .user = "ops", .host = "h1", .domain = "vm\"1",
				  .operation = "set_vcpus", .args_json = "{\"count\":4}", .call = "x(\"a\")\n",
				  .dry_run = 1, .result = "dry-run", .error = NULL, .duration = 0.5 };
	audit_format(&r, &sb);
	CHECK_STR(sb.buf, "{\"time\":\"2023-11-14T22:13:20.250Z\",\"user\":\"ops\",\"host\":\"h1\",\"domain\":\"vm\\\"1\","
		  "\"operation\":\"set_vcpus\",\"arguments\":{\"count\":4},\"call\":\"x(\\\"a\\\")\\n\",\"dry_run\":true,"
		  "\"result\":\"dry-run\",\"error\":null,\"duration\":0.500}\n");
	sb_free(&sb);
	char path[] = "/tmp/vdeck-audit-XXXXXX";
	CHECK(mkdtemp(path) != NULL);
	char *file = x_asprintf("%s/sub/audit.jsonl", path);
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(audit_append(file, &r, &err), 0);
	CHECK_INT(audit_append(file, &r, &err), 0);
	size_t len;
	char *text = check_slurp(file, &len);
	int lines = 0;
	for (size_t i = 0; text && i < len; i++)
		lines += text[i] == '\n';
	CHECK_INT(lines, 2);
	free(text);
	unlink(file);
	char *sub = x_asprintf("%s/sub", path);
	rmdir(sub);
	rmdir(path);
	free(sub);
	free(file);
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

	/* resize below the current size is refused */
	def = optable_find("resize_disk");
	memset(&args, 0, sizeof args);
	struct dom_disk disk = { .target = "vda", .capacity = 10ull << 30 };
	d.info.disks = &disk;
	d.info.ndisks = 1;
	op_value_parse(&def->args[0], "vda", &args.v[0], &err);
	op_value_parse(&def->args[1], "5G", &args.v[1], &err);
	ctx.def = def;
	CHECK_INT(def->validate(&ctx, &err), -1);
	CHECK(strstr(err.msg, "below the current size") != NULL);
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
	test_audit();
	test_args_validate();
	test_placement();
	return check_summary();
}

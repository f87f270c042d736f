/* test_ops_place.c — the placement and KSM operations' pure parts on a
 * hand-made host (nodes 0 and 1 with CPUs 0-3 and 4-7, CPU 7 offline, 4 GiB
 * and 1 GiB free): validation refusals naming host, VM, CPU or node, the
 * warning when vCPUs and memory part, and the dry-run text (golden). */
#include "check.h"
#include "metrics/host_metrics.h"
#include "ops/op_impl.h"
#include "ops/optable.h"

#include <stdlib.h>
#include <string.h>

#define FIX "tests/fixtures/ops/"

static void feed(struct numa_topo *t, const char *rel, const char *data)
{
	struct vd_err e;
	err_clear(&e);
	CHECK_INT(numa_topo_add_file(t, rel, data, strlen(data), &e), 0);
}

static struct host_metrics *two_nodes(void)
{
	struct host_metrics *m = calloc(1, sizeof *m);
	struct vd_err e;
	err_clear(&e);
	feed(&m->numa, "node0/cpulist", "0-3\n");
	feed(&m->numa, "node1/cpulist", "4-7\n");
	feed(&m->numa, "node0/meminfo", "Node 0 MemTotal: 8388608 kB\nNode 0 MemFree: 4194304 kB\n");
	feed(&m->numa, "node1/meminfo", "Node 1 MemTotal: 8388608 kB\nNode 1 MemFree: 1048576 kB\n");
	CHECK_INT(numa_topo_set_online(&m->numa, "0-6\n", 5, &e), 0);
	m->ksm.present = 1;
	m->ksm.run = 1;
	m->ksm.pages_to_scan = 100;
	m->ksm.sleep_millisecs = 20;
	m->ksm.has_merge_across_nodes = 1;
	m->ksm.merge_across_nodes = 1;
	m->ksm.pages_sharing = 256;
	m->ksm.saved = 1 << 20;
	return m;
}

/* Validates (and on success builds and describes into call) def with the
 * "k=v" texts; returns validate's result. */
static int run(const struct op_def *def, struct host *h, struct domain *d, const char *const *kv,
	       struct strbuf *notes, struct strbuf *call, struct vd_err *err)
{
	struct op_args args;
	memset(&args, 0, sizeof args);
	for (size_t i = 0; kv[i]; i++) {
		const char *eq = strchr(kv[i], '=');
		char name[32];
		snprintf(name, sizeof name, "%.*s", (int)(eq - kv[i]), kv[i]);
		int ai = op_arg_index(def, name);
		CHECK(ai >= 0);
		CHECK_INT(op_value_parse(&def->args[ai], eq + 1, &args.v[ai], err), 0);
	}
	CHECK_INT(op_args_finish(def, &args, err), 0);
	struct op_ctx ctx = { .def = def, .args = &args, .host = h, .dom = d, .notes = notes };
	err_clear(err);
	sb_reset(notes);
	sb_reset(call);
	int rc = def->validate(&ctx, err);
	if (rc == 0 && def->build) {
		struct vop_request req;
		memset(&req, 0, sizeof req);
		CHECK_INT(def->build(&ctx, &req, err), 0);
		vop_describe(&req, call);
		vop_request_free(&req);
	} else if (rc == 0) {
		struct op_command cmd = { 0 };
		CHECK_INT(def->build_command(&ctx, &cmd, err), 0);
		sb_append(call, cmd.cmd);
		free(cmd.cmd);
	}
	op_args_free(&args);
	return rc;
}

int main(void)
{
	struct host_config cfg = { .name = "hv1", .transport = HT_SSH, .sysroot = "/srv/root's/" };
	struct host h;
	memset(&h, 0, sizeof h);
	h.cfg = &cfg;
	h.cpus = 8;
	h.metrics = two_nodes();
	struct domain d;
	memset(&d, 0, sizeof d);
	snprintf(d.info.name, sizeof d.info.name, "db<1>");
	snprintf(d.info.uuid, sizeof d.info.uuid, "00000000-0000-0000-0000-000000000001");
	d.info.vcpus = d.info.max_vcpus = 4;
	d.info.memory = d.info.max_memory = 2ull << 30;
	snprintf(d.info.numatune_mode, sizeof d.info.numatune_mode, "strict");
	snprintf(d.info.numatune_nodeset, sizeof d.info.numatune_nodeset, "0");
	struct dom_vcpupin pin = { 1, "2-3" };
	d.info.pins = &pin;
	d.info.npins = 1;
	d.state = DOM_RUNNING;
	struct strbuf notes, call;
	sb_init(&notes);
	sb_init(&call);
	struct vd_err err;
	err_clear(&err);

	/* all vCPUs at once, one of them away from the memory's node */
	const struct op_def *pins = optable_find("pin_vcpus");
	CHECK(pins && (pins->args[0].flags & OAF_INDEXED));
	CHECK_INT(run(pins, &h, &d, (const char *[]){ "pins=0:0-1;1:4,6", "live=true", NULL }, &notes, &call, &err), 0);
	CHECK_STR(notes.buf, "warning: vCPU 1 of VM db<1> on host hv1 would run on node(s) 1 but its memory is on "
		  "node(s) 0 (its numatune nodeset): every access is remote\n");
	check_golden(FIX "pin_vcpus.call", call.buf);
	CHECK_INT(run(pins, &h, &d, (const char *[]){ "pins=0:0;0:1", NULL }, &notes, &call, &err), -1);
	CHECK_STR(err.msg, "pins: vCPU 0 is given twice");
	CHECK_INT(run(pins, &h, &d, (const char *[]){ "pins=0-1", NULL }, &notes, &call, &err), -1);
	CHECK_STR(err.msg, "pins: '0-1' is not VCPU:CPUS (like 0:0-3)");
	CHECK_INT(run(pins, &h, &d, (const char *[]){ "pins=0:7", NULL }, &notes, &call, &err), -1);
	CHECK_STR(err.msg, "CPU 7 on host hv1 is offline");
	CHECK_STR(err.host, "hv1");
	CHECK_STR(err.domain, "db<1>");
	CHECK_INT(run(pins, &h, &d, (const char *[]){ "pins=4:0", NULL }, &notes, &call, &err), -1);
	CHECK_STR(err.msg, "vCPU 4 does not exist: VM db<1> has 4 (0-3)");

	const struct op_def *one = optable_find("pin_vcpu");
	CHECK_INT(run(one, &h, &d, (const char *[]){ "vcpu=2", "cpus=8", NULL }, &notes, &call, &err), -1);
	CHECK_STR(err.msg, "CPU 8 does not exist on host hv1");
	CHECK_INT(run(one, &h, &d, (const char *[]){ "vcpu=2", "cpus=3", NULL }, &notes, &call, &err), 0);
	CHECK_STR(call.buf, "virDomainPinVcpuFlags(\"db<1>\", 2, cpumap=3, VIR_DOMAIN_AFFECT_CURRENT)\n");

	const struct op_def *emu = optable_find("pin_emulator");
	CHECK_INT(run(emu, &h, &d, (const char *[]){ "cpus=0-1", "config=true", NULL }, &notes, &call, &err), 0);
	CHECK_STR(call.buf, "virDomainPinEmulator(\"db<1>\", cpumap=0-1, VIR_DOMAIN_AFFECT_CONFIG)\n");

	/* numatune: the node exists, the memory fits, vCPU pins elsewhere warned */
	const struct op_def *nt = optable_find("set_numatune");
	CHECK_INT(run(nt, &h, &d, (const char *[]){ "nodeset=2", NULL }, &notes, &call, &err), -1);
	CHECK_STR(err.msg, "NUMA node 2 does not exist on host hv1 (it has 2 node(s))");
	CHECK_INT(run(nt, &h, &d, (const char *[]){ "nodeset=1", NULL }, &notes, &call, &err), -1);
	CHECK_STR(err.msg, "VM db<1> needs 2.0G but node(s) 1 of host hv1 have 1.0G free");
	CHECK_INT(run(nt, &h, &d, (const char *[]){ "nodeset=1", "mode=interleave", "config=true", NULL }, &notes,
		      &call, &err), -1);
	d.stats.valid = 1;   /* 1.5 GiB already resident on node 1 counts as room there */
	d.stats.numa_nodes = 2;
	d.stats.numa_mem[1] = 3ull << 29;
	CHECK_INT(run(nt, &h, &d, (const char *[]){ "nodeset=1", "mode=restrictive", "config=true", NULL }, &notes,
		      &call, &err), 0);
	CHECK_STR(notes.buf, "warning: the vCPUs (by their pins) of VM db<1> on host hv1 would run on node(s) 0 but its "
		  "memory is on node(s) 1 (the new nodeset): every access is remote\n");
	check_golden(FIX "set_numatune.call", call.buf);
	d.state = DOM_SHUTOFF;
	CHECK_INT(run(nt, &h, &d, (const char *[]){ "nodeset=0", "live=true", NULL }, &notes, &call, &err), -1);
	CHECK_STR(err.msg, "live=true but VM db<1> is shutoff");
	d.state = DOM_RUNNING;
	d.info.hugepages = 1;   /* hugepage-backed: no free hugepages on node 0 */
	CHECK_INT(run(nt, &h, &d, (const char *[]){ "nodeset=0", NULL }, &notes, &call, &err), -1);
	CHECK_STR(err.msg, "VM db<1> needs 2.0G but node(s) 0 of host hv1 have 0B free in 2.0M hugepages");

	/* KSM: the writes under the sysroot, unmerging around merge_across_nodes */
	const struct op_def *ksm = optable_find("set_ksm");
	CHECK(ksm && (ksm->flags & OPF_SETTING));
	CHECK_INT(run(ksm, &h, NULL, (const char *[]){ NULL }, &notes, &call, &err), -1);
	CHECK(strstr(err.msg, "nothing to set") != NULL);
	CHECK_INT(run(ksm, &h, NULL, (const char *[]){ "pages_to_scan=200", "merge_across_nodes=0", NULL }, &notes, &call,
		      &err), 0);
	check_golden(FIX "set_ksm.sh", call.buf);
	CHECK(strstr(notes.buf, "every page is unmerged first (run=2)") != NULL);
	h.metrics->ksm.has_merge_across_nodes = 0;
	CHECK_INT(run(ksm, &h, NULL, (const char *[]){ "merge_across_nodes=0", NULL }, &notes, &call, &err), -1);
	CHECK_STR(err.msg, "the kernel of host hv1 has no merge_across_nodes (built without NUMA)");
	cfg.transport = HT_NONE;
	CHECK_INT(run(ksm, &h, NULL, (const char *[]){ "run=0", NULL }, &notes, &call, &err), -1);
	CHECK(strstr(err.msg, "no shell transport") != NULL);

	host_metrics_free(h.metrics);
	free(h.metrics);
	sb_free(&notes);
	sb_free(&call);
	return check_summary();
}

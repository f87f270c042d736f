/* test_sriov_movable.c — the one rule for "a VM holding an SR-IOV VF cannot
 * leave its host" (model/sriov_use.h: domain_vfs, domain_vf_reason), on the
 * sysroot-sriov host (PF ens1f0 with VFs 0000:3b:02.0-3) and hand-written
 * domain XML: a VF NIC, a VF passed as a plain PCI <hostdev>, a PCI device
 * that is not a VF, none; d:migrate's refusal, which uses it (force=true
 * plans around VF NICs, not around a plain hostdev); and the placement
 * planner, which keeps the same VMs in place. */
#include "check.h"

#include "conn/local_bundle.h"
#include "metrics/domxml.h"
#include "model/sriov_use.h"
#include "ops/op_impl.h"
#include "ops/optable.h"
#include "ops/plan.h"

#include <stdlib.h>
#include <string.h>

#define FIX "tests/fixtures/"

static void domain_from(struct domain *d, const char *devices)
{
	char xml[2048];
	snprintf(xml, sizeof xml, "<domain type='kvm'><name>vm</name><uuid>00000000-0000-0000-0000-00000000000a</uuid>"
		 "<memory unit='MiB'>512</memory><vcpu>1</vcpu><devices>%s</devices></domain>", devices);
	memset(d, 0, sizeof *d);
	struct vd_err e;
	err_clear(&e);
	CHECK_INT(domxml_parse(xml, strlen(xml), &d->info, &e), 0);
	d->state = DOM_RUNNING;
}

#define VF_NIC "<interface type='hostdev' managed='yes'><mac address='52:54:00:00:00:05'/><source>" \
	"<address type='pci' domain='0x0000' bus='0x3b' slot='0x02' function='0x1'/></source></interface>"
#define VF_PCI "<hostdev mode='subsystem' type='pci' managed='yes'><source>" \
	"<address domain='0x0000' bus='0x3b' slot='0x02' function='0x2'/></source></hostdev>"
#define GPU_PCI "<hostdev mode='subsystem' type='pci' managed='yes'><source>" \
	"<address domain='0x0000' bus='0x5e' slot='0x00' function='0x0'/></source></hostdev>"
#define BRIDGE "<interface type='bridge'><mac address='52:54:00:00:00:01'/><source bridge='br0'/></interface>"

/* migrate's SR-IOV check with force= given, as a dry run. */
static int migrate_check(const struct host *h, const struct domain *d, const struct host *to, int force,
			 struct strbuf *notes, struct vd_err *err)
{
	const struct op_def *def = optable_find("migrate");
	CHECK(def != NULL);
	struct op_args args;
	memset(&args, 0, sizeof args);
	int ai = op_arg_index(def, "force");
	CHECK(ai >= 0);
	CHECK_INT(op_value_parse(&def->args[ai], force ? "true" : "false", &args.v[ai], err), 0);
	CHECK_INT(op_args_finish(def, &args, err), 0);
	struct op_ctx ctx = { .def = def, .args = &args, .host = h, .dom = d, .notes = notes, .dry_run = 1 };
	sb_reset(notes);
	err_clear(err);
	int rc = op_sriov_migrate_check(&ctx, to, err);
	op_args_free(&args);
	return rc;
}

int main(void)
{
	struct strbuf sb;
	sb_init(&sb);
	local_bundle(FIX "sysroot-sriov", &sb);
	struct host_metrics m;
	struct vd_err e;
	err_clear(&e);
	CHECK_INT(host_metrics_parse(sb.buf, sb.len, 1.0, &m, &e), 0);
	struct host_config cfg = { .name = "hv-s" }, cfg_t = { .name = "hv-t" };
	struct host h, t;
	memset(&h, 0, sizeof h);
	memset(&t, 0, sizeof t);
	h.cfg = &cfg;
	h.metrics = &m;
	t.cfg = &cfg_t;
	t.metrics = &m;   /* the same NIC; its VFs all free (no domains there) */
	char why[200];
	struct dom_vfs v;
	struct domain d;

	domain_from(&d, BRIDGE GPU_PCI);
	CHECK_INT(domain_vfs(&h, &d, &v), 0);
	CHECK(domain_vf_reason(&h, &d, why, sizeof why) == NULL);   /* movable as far as VFs go */
	dom_info_free(&d.info);

	domain_from(&d, BRIDGE VF_NIC);
	CHECK_INT(domain_vfs(&h, &d, &v), 1);
	CHECK(v.nics == 1 && v.hostdevs == 0);
	CHECK_STR(v.mac, "52:54:00:00:00:05");
	CHECK_STR(v.address, "0000:3b:02.1");
	CHECK_STR(domain_vf_reason(&h, &d, why, sizeof why),
		  "NIC 52:54:00:00:00:05 is SR-IOV VF 0000:3b:02.1 of ens1f0 on hv-s, passed through (hostdev)");
	/* a VF NIC is a VF whatever the host knows of it */
	CHECK_INT(domain_vfs(NULL, &d, NULL), 1);
	struct strbuf notes;
	sb_init(&notes);
	CHECK_INT(migrate_check(&h, &d, &t, 0, &notes, &e), -1);
	CHECK(strstr(e.msg, "VF 0000:3b:02.1 of ens1f0 on hv-s") && strstr(e.msg, "a VF does not migrate"));
	CHECK_INT(migrate_check(&h, &d, &t, 1, &notes, &e), 0);   /* planned: detach, migrate, attach */
	CHECK(strstr(notes.buf, "52:54:00:00:00:05: detach VF 0000:3b:02.1 of ens1f0 here; attach a free VF there"));
	dom_info_free(&d.info);

	/* the same VF handed over as a plain PCI device: a VF only because the
	 * host's sysfs says so */
	domain_from(&d, VF_PCI GPU_PCI);
	CHECK_INT(domain_vfs(&h, &d, &v), 1);
	CHECK(v.nics == 0 && v.hostdevs == 1);
	CHECK_STR(v.mac, "");
	CHECK_STR(domain_vf_reason(&h, &d, why, sizeof why),
		  "PCI host device 0000:3b:02.2 is an SR-IOV VF of ens1f0 on hv-s, passed through (hostdev)");
	CHECK_INT(domain_vfs(NULL, &d, NULL), 0);   /* no sysfs, no VF known */
	CHECK_INT(migrate_check(&h, &d, &t, 0, &notes, &e), -1);
	CHECK(strstr(e.msg, "PCI host device 0000:3b:02.2") && strstr(e.msg, "a VF does not migrate"));
	CHECK_INT(migrate_check(&h, &d, &t, 1, &notes, &e), -1);   /* no MAC to re-attach by */
	CHECK(strstr(e.msg, "force=true re-attaches VF NICs only"));
	dom_info_free(&d.info);

	domain_from(&d, VF_NIC VF_PCI);
	CHECK_INT(domain_vfs(&h, &d, &v), 2);
	CHECK_STR(v.address, "0000:3b:02.1");   /* the first one named */
	dom_info_free(&d.info);

	/* the planner: a VM with a VF NIC or a hostdev VF stays, by the same rule */
	struct domain doms[4];
	domain_from(&doms[0], VF_NIC);
	domain_from(&doms[1], VF_PCI);
	domain_from(&doms[2], GPU_PCI);
	domain_from(&doms[3], BRIDGE);
	h.doms = doms;
	h.ndoms = 4;
	struct cluster c;
	memset(&c, 0, sizeof c);
	c.hosts = &h;
	c.nhosts = 1;
	struct plan_cluster pc;
	plan_cluster_from(&c, &pc);
	CHECK_INT(pc.nvms, 4);
	if (pc.nvms == 4) {
		CHECK_STR(pc.vms[0].fixed, "holds an SR-IOV VF (passed through; a VF does not migrate)");
		CHECK_STR(pc.vms[1].fixed, "holds an SR-IOV VF (passed through; a VF does not migrate)");
		CHECK_STR(pc.vms[2].fixed, "holds a PCI host device (passthrough)");
		CHECK(pc.vms[3].fixed == NULL);
	}
	plan_cluster_free(&pc);
	for (size_t i = 0; i < 4; i++)
		dom_info_free(&doms[i].info);
	h.doms = NULL;
	h.ndoms = 0;

	sb_free(&notes);
	host_metrics_free(&m);
	sb_free(&sb);
	return check_summary();
}

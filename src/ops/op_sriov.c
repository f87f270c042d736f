/* op_sriov.c — what an SR-IOV VF passed through to a VM forbids, and what
 * a vhost-user NIC needs.
 *
 * A VF is a function of one host's NIC, handed to the guest by VFIO: QEMU
 * cannot migrate its state, and a memory snapshot cannot save it.  Both are
 * refused naming the VF and its PF.  With force=true a migration is planned
 * instead: detach the VF NIC, migrate, attach a free VF of the target with
 * the same MAC and VLAN — the migrate runbook runs the three operations;
 * in dry-run (an earlier step's result absent) the plan is printed. */
#include "ops/op_impl.h"
#include "model/sriov_use.h"

#include <stdio.h>
#include <string.h>

static const char *pf_of(const struct host *h, const char *addr)
{
	const char *pf = host_vf_pf(h, addr);
	return pf ? pf : "an unknown PF";
}

int op_sriov_migrate_check(const struct op_ctx *ctx, const struct host *target, struct vd_err *err)
{
	const struct dom_info *in = &ctx->dom->info;
	struct dom_vfs vfs;
	char why[200];
	if (!domain_vf_reason(ctx->host, ctx->dom, why, sizeof why))
		return 0;
	domain_vfs(ctx->host, ctx->dom, &vfs);
	if (!op_flag(ctx, "force"))
		return op_fail(ctx, err, VD_EREFUSED, "%s: a VF does not migrate; force=true plans detach -> migrate "
			       "-> attach a free VF of the target (the migrate runbook, dry-run first)", why);
	if (vfs.hostdevs)
		return op_fail(ctx, err, VD_EREFUSED, "%s: force=true re-attaches VF NICs only (by MAC); detach the "
			       "PCI host device first", why);
	if (!ctx->dry_run)
		return op_fail(ctx, err, VD_EREFUSED, "NIC %s (VF %s) is still attached: detach the VF NICs "
			       "first (the migrate runbook with force=true does: detach, migrate, attach)", vfs.mac,
			       vfs.address);
	size_t nvf = vfs.nics;
	size_t free = target ? host_free_vfs(target, NULL) : 0;
	op_note(ctx, "plan for %zu SR-IOV VF NIC(s): detach, migrate, attach a free VF of %s", nvf,
		target ? target->cfg->name : "the target");
	for (size_t i = 0, k = 0; i < in->nnics; i++) {
		const struct dom_nic *n = &in->nics[i];
		if (n->mode != NIC_MODE_HOSTDEV)
			continue;
		op_note(ctx, "  %s: detach VF %s of %s here; attach %s there", n->mac, n->vf_address,
			pf_of(ctx->host, n->vf_address), k < free ? "a free VF" : "NO FREE VF");
		k++;
	}
	if (free < nvf)
		return op_fail(ctx, err, VD_EREFUSED, "%s has %zu free VF(s), the VM needs %zu",
			       target ? target->cfg->name : "the target", free, nvf);
	return 0;
}

int op_sriov_snapshot_check(const struct op_ctx *ctx, int memory, struct vd_err *err)
{
	char why[200];
	if (memory && domain_vf_reason(ctx->host, ctx->dom, why, sizeof why))
		return op_fail(ctx, err, VD_EREFUSED, "%s: its device state cannot be saved in a memory snapshot; "
			       "take a disk-only snapshot (disk_only=true) or detach the VF first", why);
	return 0;
}

int op_sriov_vf_check(const struct op_ctx *ctx, const char *vf, struct vd_err *err)
{
	const struct sriov_vf *v = ctx->host->metrics ? sriov_find_vf(&ctx->host->metrics->sriov, vf) : NULL;
	if (!v) {
		if (ctx->dry_run) {   /* the VM may reach this host in an earlier step (migrate runbook) */
			op_note(ctx, "VF %s is not a VF of %s (yet)", vf, ctx->host->cfg->name);
			return 0;
		}
		return op_fail(ctx, err, VD_ENOTFOUND, "%s has no SR-IOV VF %s (see h:sriov())", ctx->host->cfg->name, vf);
	}
	const char *mac = NULL;
	const struct domain *d = host_vf_user(ctx->host, v->address, &mac);
	if (d == ctx->dom && ctx->dry_run) {   /* its own: a dry-run's earlier detach did not happen */
		op_note(ctx, "VF %s is this VM's until the detach before this step", vf);
		return 0;
	}
	if (d)
		return op_fail(ctx, err, VD_EINVAL, "VF %s of %s is held by VM %s", vf, v->pf, d->info.name);
	if (v->netdev[0])
		return op_fail(ctx, err, VD_EINVAL, "VF %s of %s is host interface %s; libvirt would take it from "
			       "the host", vf, v->pf, v->netdev);
	return 0;
}

void op_vhostuser_note(const struct op_ctx *ctx)
{
	const struct dom_info *in = &ctx->dom->info;
	for (size_t i = 0; i < in->nnics; i++)
		if (in->nics[i].mode == NIC_MODE_VHOSTUSER && !in->shared_memory) {
			op_note(ctx, "warning: vhost-user NIC %s needs shared (hugepage) memory, which %s lacks "
				"(<memoryBacking><access mode='shared'/>): the switch cannot reach its rings",
				in->nics[i].mac, in->name);
			return;
		}
}

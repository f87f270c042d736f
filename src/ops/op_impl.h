/* op_impl.h — the validate/build pairs the operation table points at
 * (ops/op_*.c), and small helpers they share. */
#ifndef VD_OP_IMPL_H
#define VD_OP_IMPL_H

#include "ops/optable.h"
#include "ops/opexec.h"

#define OP_FN(n) \
	int n##_validate(const struct op_ctx *ctx, struct vd_err *err); \
	int n##_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err);

OP_FN(set_vcpus) OP_FN(set_memory) OP_FN(attach_memory) OP_FN(detach_memory)
OP_FN(attach_disk) OP_FN(detach_disk) OP_FN(resize_disk) OP_FN(attach_nic) OP_FN(detach_nic)
OP_FN(snapshot) OP_FN(revert) OP_FN(delete_snapshot) OP_FN(merge) OP_FN(restore_to)
OP_FN(migrate) OP_FN(abort_job) OP_FN(dom_set_coalesce)
OP_FN(create_volume) OP_FN(delete_volume) OP_FN(resize_volume) OP_FN(clone)
OP_FN(pin_vcpu) OP_FN(pin_vcpus) OP_FN(pin_emulator) OP_FN(set_numatune)
OP_FN(apply_switch) OP_FN(set_nic)

#undef OP_FN

/* Host operations changing the host over its shell (ops/op_bond.c). */
#define OP_CHANGE_FN(n) \
	int n##_validate(const struct op_ctx *ctx, struct vd_err *err); \
	int n##_build_change(const struct op_ctx *ctx, struct host_change *chg, struct vd_err *err);
OP_CHANGE_FN(create_bond) OP_CHANGE_FN(delete_bond)
#undef OP_CHANGE_FN

/* h:run (ops/op_command.c). */
int run_validate(const struct op_ctx *ctx, struct vd_err *err);
int run_build_command(const struct op_ctx *ctx, struct op_command *cmd, struct vd_err *err);
/* h:set_ksm (ops/op_ksm.c). */
int set_ksm_validate(const struct op_ctx *ctx, struct vd_err *err);
int set_ksm_build_command(const struct op_ctx *ctx, struct op_command *cmd, struct vd_err *err);

/* SR-IOV VFs (ops/op_sriov.c): what a VF NIC forbids, and attach's check
 * that vf is a free VF of the domain's host. */
int op_sriov_migrate_check(const struct op_ctx *ctx, const struct host *target, struct vd_err *err);
int op_sriov_snapshot_check(const struct op_ctx *ctx, int memory, struct vd_err *err);
int op_sriov_vf_check(const struct op_ctx *ctx, const char *vf, struct vd_err *err);
void op_vhostuser_note(const struct op_ctx *ctx);

/* h:set_coalesce (ops/op_coalesce.c). */
int set_coalesce_validate(const struct op_ctx *ctx, struct vd_err *err);
int set_coalesce_build_command(const struct op_ctx *ctx, struct op_command *cmd, struct vd_err *err);
int set_coalesce_command_result(const struct op_def *def, const struct op_args *args, const struct host_run *run,
				struct op_outcome *out, struct vd_err *err);
/* d:convert_disk (ops/op_convert.c). */
int convert_disk_validate(const struct op_ctx *ctx, struct vd_err *err);
int convert_disk_build_command(const struct op_ctx *ctx, struct op_command *cmd, struct vd_err *err);

/* A random (version 4) UUID; a random MAC address in QEMU's 52:54:00 range. */
void op_new_uuid(char out[37]);
void op_new_mac(char out[18]);
/* The volume of h's pools whose path is path, and its pool; NULL none. */
const struct pool_volume *op_find_volume_path(const struct host *h, const char *path,
					      const struct pool_info **pool);

/* LIVE/CONFIG from the live= and config= arguments; neither given means the
 * running definition when running, else the persistent one. */
unsigned op_affect(const struct op_ctx *ctx);
/* A detach of the disk whose XML is in disk_xml (taken), waiting for
 * libvirt's device-removed event of the guest disk `target`. */
void op_detach_disk_request(const struct op_ctx *ctx, struct vop_request *req, char *disk_xml,
			    const char *target);
int  op_dom_running(const struct domain *d);
/* Fills uuid and dom_name of req from ctx->dom. */
void op_req_domain(const struct op_ctx *ctx, struct vop_request *req);
const struct dom_disk *op_find_disk(const struct domain *d, const char *target);
/* A guest disk name that fits bus (virtio: vdX, ide: hdX, others: sdX; NULL:
 * any of them): two letters, then 1 to 6 lower-case letters. */
int  op_disk_target_ok(const char *t, const char *bus);
const struct dom_nic *op_find_nic(const struct domain *d, const char *mac);
const struct op_snapshot *op_find_snapshot(const struct op_ctx *ctx, const char *name);
/* err with op/host/domain and code VD_EINVAL (or code) set from ctx. */
int  op_fail(const struct op_ctx *ctx, struct vd_err *err, enum vd_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void op_note(const struct op_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

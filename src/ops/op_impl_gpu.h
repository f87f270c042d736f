/* op_impl_gpu.h — the validate/build pairs of the vGPU and RDM operations
 * (ops/op_gpu.c, ops/op_rdm.c) and the checks migration borrows from them. */
#ifndef VD_OP_IMPL_GPU_H
#define VD_OP_IMPL_GPU_H

#include "ops/optable.h"

#define OP_FN(n) \
	int n##_validate(const struct op_ctx *ctx, struct vd_err *err); \
	int n##_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err);

OP_FN(create_mdev) OP_FN(remove_mdev) OP_FN(attach_mdev) OP_FN(detach_mdev)
OP_FN(attach_lun) OP_FN(detach_lun)

#undef OP_FN

/* Refuses to migrate a domain holding an mdev (a vGPU is bound to one GPU). */
int  op_gpu_migrate_check(const struct op_ctx *ctx, struct vd_err *err);
/* Notes the raw LUNs of the domain that the target host does not see. */
void op_rdm_migrate_note(const struct op_ctx *ctx, const struct host *target);

#endif

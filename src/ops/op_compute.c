/* op_compute.c — vCPU and memory operations: set_vcpus, set_memory (balloon),
 * attach_memory / detach_memory (DIMMs). */
#include "ops/op_impl.h"
#include "ops/xml.h"
#include "core/units.h"

#include <string.h>

#define MIN_BALLOON (64ull << 20)

int set_vcpus_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	int64_t n = op_get(ctx, "count")->i;
	const struct dom_info *i = &ctx->dom->info;
	if (i->max_vcpus && (uint64_t)n > i->max_vcpus)
		return op_fail(ctx, err, VD_EINVAL, "%lld vCPUs is above the domain's maximum of %u "
			       "(raise <vcpu> in the definition and restart)", (long long)n, i->max_vcpus);
	unsigned f = op_affect(ctx);
	if ((f & VOPF_LIVE) && !op_dom_running(ctx->dom))
		return op_fail(ctx, err, VD_EINVAL, "live=true but the domain is %s", dom_state_name(ctx->dom->state));
	if ((f & VOPF_LIVE) && (uint64_t)n < i->vcpus)
		op_note(ctx, "vCPU hot-unplug needs the guest's cooperation; it may time out");
	if ((uint64_t)n == i->vcpus)
		op_note(ctx, "the domain already has %u vCPUs", i->vcpus);
	return 0;
}

int set_vcpus_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	req->kind = VOP_SET_VCPUS;
	op_req_domain(ctx, req);
	req->value = (uint64_t)op_get(ctx, "count")->i;
	req->flags = op_affect(ctx);
	return 0;
}

int set_memory_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	uint64_t size = (uint64_t)op_get(ctx, "size")->i;
	const struct dom_info *i = &ctx->dom->info;
	char a[32], b[32];
	if (size < MIN_BALLOON)
		return op_fail(ctx, err, VD_EINVAL, "%s is below the 64M floor vdeck allows for a balloon",
			       size_format(size, a, sizeof a));
	if (i->max_memory && size > i->max_memory)
		return op_fail(ctx, err, VD_EINVAL, "%s is above the domain's memory of %s (the balloon "
			       "cannot grow past it; attach a DIMM instead)", size_format(size, a, sizeof a),
			       size_format(i->max_memory, b, sizeof b));
	unsigned f = op_affect(ctx);
	if ((f & VOPF_LIVE) && !op_dom_running(ctx->dom))
		return op_fail(ctx, err, VD_EINVAL, "live=true but the domain is %s", dom_state_name(ctx->dom->state));
	if ((f & VOPF_LIVE) && i->max_memory && size < i->max_memory / 2)
		op_note(ctx, "ballooning below half of the memory can starve the guest");
	return 0;
}

int set_memory_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	req->kind = VOP_SET_MEMORY;
	op_req_domain(ctx, req);
	req->value = (uint64_t)op_get(ctx, "size")->i;
	req->flags = op_affect(ctx);
	return 0;
}

static int dimm_common(const struct op_ctx *ctx, struct vd_err *err)
{
	const struct dom_info *i = &ctx->dom->info;
	uint64_t size = (uint64_t)op_get(ctx, "size")->i;
	int64_t node = op_get(ctx, "node")->i;
	if (!i->memory_slots || !i->hotplug_memory)
		return op_fail(ctx, err, VD_EINVAL, "the domain has no <maxMemory slots=...>: DIMMs cannot be hot-plugged");
	if (size == 0 || size % (2u << 20))
		return op_fail(ctx, err, VD_EINVAL, "DIMM size must be a multiple of 2 MiB");
	if (node < 0 || (i->guest_numa_cells && (uint64_t)node >= i->guest_numa_cells))
		return op_fail(ctx, err, VD_EINVAL, "guest NUMA node %lld does not exist (the guest has %u)",
			       (long long)node, i->guest_numa_cells);
	if (!i->guest_numa_cells)
		return op_fail(ctx, err, VD_EINVAL, "DIMM hot-plug needs a guest NUMA topology (<cpu><numa>)");
	unsigned f = op_affect(ctx);
	if ((f & VOPF_LIVE) && !op_dom_running(ctx->dom))
		return op_fail(ctx, err, VD_EINVAL, "live=true but the domain is %s", dom_state_name(ctx->dom->state));
	return 0;
}

int attach_memory_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	if (dimm_common(ctx, err) < 0)
		return -1;
	const struct dom_info *i = &ctx->dom->info;
	uint64_t size = (uint64_t)op_get(ctx, "size")->i;
	char a[32], b[32];
	if (i->dimms >= i->memory_slots)
		return op_fail(ctx, err, VD_EINVAL, "all %u memory slots are in use", i->memory_slots);
	if (i->max_memory + size > i->hotplug_memory)
		return op_fail(ctx, err, VD_EINVAL, "%s more would exceed maxMemory %s",
			       size_format(size, a, sizeof a), size_format(i->hotplug_memory, b, sizeof b));
	return 0;
}

static int dimm_build(const struct op_ctx *ctx, struct vop_request *req, enum vop_kind kind)
{
	struct strbuf sb;
	sb_init(&sb);
	struct xml_dimm m = { (uint64_t)op_get(ctx, "size")->i / 1024, (int)op_get(ctx, "node")->i };
	xml_dimm(&m, &sb);
	req->kind = kind;
	op_req_domain(ctx, req);
	req->xml = sb_detach(&sb);
	req->flags = op_affect(ctx);
	if (kind == VOP_DETACH_DEVICE) {
		sb_appendf(&sb, "/domain/devices/memory[@model='dimm'][target/size=%llu][target/node=%d]/alias/@name",
			   (unsigned long long)m.size_kib, m.node);
		req->alias_xpath = sb_detach(&sb);
		req->wait_ms = (int)(op_get(ctx, "timeout")->n * 1000);
	}
	sb_free(&sb);
	return 0;
}

int attach_memory_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	return dimm_build(ctx, req, VOP_ATTACH_DEVICE);
}

int detach_memory_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	if (dimm_common(ctx, err) < 0)
		return -1;
	if (!ctx->dom->info.dimms)
		return op_fail(ctx, err, VD_EINVAL, "the domain has no DIMM to remove");
	return 0;
}

int detach_memory_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	return dimm_build(ctx, req, VOP_DETACH_DEVICE);
}

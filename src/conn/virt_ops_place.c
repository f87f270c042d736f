/* virt_ops_place.c — the placement requests: vCPU pins, the emulator pin and
 * numatune, described for dry-run and run on the host's worker.
 *
 * A CPU list travels as text ("0-3,8") and becomes libvirt's cpumap (one bit
 * per host CPU) only here.  Pinning several vCPUs is one request: libvirt
 * has no call for all at once, so the vCPUs are pinned in order and, when
 * one is refused, those already changed are put back to what they had. */
#include "conn/virt_ops.h"
#include "conn/virt.h"
#include "core/xalloc.h"
#include "metrics/cpulist.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libvirt's constant for a numatune mode name, -1 unknown. */
static int numa_mode(const char *name, const char **constant)
{
	static const struct { const char *name, *constant; int value; } modes[] = {
		{ "strict", "VIR_DOMAIN_NUMATUNE_MEM_STRICT", VIR_DOMAIN_NUMATUNE_MEM_STRICT },
		{ "preferred", "VIR_DOMAIN_NUMATUNE_MEM_PREFERRED", VIR_DOMAIN_NUMATUNE_MEM_PREFERRED },
		{ "interleave", "VIR_DOMAIN_NUMATUNE_MEM_INTERLEAVE", VIR_DOMAIN_NUMATUNE_MEM_INTERLEAVE },
		{ "restrictive", "VIR_DOMAIN_NUMATUNE_MEM_RESTRICTIVE", VIR_DOMAIN_NUMATUNE_MEM_RESTRICTIVE },
	};
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if (!strcmp(modes[i].name, name)) {
			if (constant)
				*constant = modes[i].constant;
			return modes[i].value;
		}
	return -1;
}

static void quoted(struct strbuf *sb, const char *s)
{
	sb_append_json(sb, s ? s : "");
}

static void pin_call(struct strbuf *sb, const struct vop_request *r, unsigned vcpu, const char *cpus)
{
	sb_append(sb, vop_apis[VOPA_PIN_VCPU].name);
	sb_append(sb, "(");
	quoted(sb, r->dom_name);
	sb_appendf(sb, ", %u, cpumap=%s, ", vcpu, cpus ? cpus : "");
	vop_flags(VOPA_PIN_VCPU, r, sb);
	sb_append(sb, ")\n");
}

void vop_describe_place(const struct vop_request *r, struct strbuf *sb)
{
	const char *constant = "?";
	switch (r->kind) {
	case VOP_PIN_VCPUS:
		if (!r->npins)
			pin_call(sb, r, 0, "");
		for (size_t i = 0; i < r->npins; i++)
			pin_call(sb, r, r->pins[i].vcpu, r->pins[i].cpus);
		if (r->npins > 1) {
			sb_append(sb, "and when one is refused, the vCPUs before it are pinned back:");
			for (size_t i = 0; i < r->npins; i++)
				sb_appendf(sb, " %u=%s", r->pins[i].vcpu, r->pins[i].undo ? r->pins[i].undo : "");
			sb_append(sb, "\n");
		}
		break;
	case VOP_PIN_EMULATOR:
		sb_append(sb, vop_apis[VOPA_PIN_EMULATOR].name);
		sb_append(sb, "(");
		quoted(sb, r->dom_name);
		sb_appendf(sb, ", cpumap=%s, ", r->cpus ? r->cpus : "");
		vop_flags(VOPA_PIN_EMULATOR, r, sb);
		sb_append(sb, ")\n");
		break;
	case VOP_SET_NUMATUNE:
		numa_mode(r->target, &constant);
		sb_append(sb, vop_apis[VOPA_SET_NUMA].name);
		sb_append(sb, "(");
		quoted(sb, r->dom_name);
		sb_appendf(sb, ", {%s=%s, %s=", VIR_DOMAIN_NUMA_MODE, constant, VIR_DOMAIN_NUMA_NODESET);
		quoted(sb, r->cpus);
		sb_append(sb, "}, ");
		vop_flags(VOPA_SET_NUMA, r, sb);
		sb_append(sb, ")\n");
		break;
	default:
		break;
	}
}

/* cpus as libvirt's cpumap (x_calloc'd, *len bytes); NULL when the list is bad. */
static unsigned char *cpumap(const char *cpus, int *len, struct vd_err *err)
{
	int *set = NULL;
	size_t n = 0;
	if (!cpus || parse_cpulist(cpus, strlen(cpus), &set, &n, err) < 0 || !n) {
		free(set);
		if (err->code == VD_OK)
			err_set(err, VD_EINVAL, "empty CPU list '%s'", cpus ? cpus : "");
		return NULL;
	}
	*len = VIR_CPU_MAPLEN(set[n - 1] + 1);
	unsigned char *map = x_calloc((size_t)*len, 1);
	for (size_t i = 0; i < n; i++)
		VIR_USE_CPU(map, set[i]);
	free(set);
	return map;
}

static int pin_one(virDomainPtr dom, const struct vop_request *r, unsigned vcpu, const char *cpus,
		   struct vd_err *err)
{
	int len;
	unsigned char *map = cpumap(cpus, &len, err);
	if (!map)
		return -1;
	int rc = virDomainPinVcpuFlags(dom, vcpu, map, len, vop_flags(VOPA_PIN_VCPU, r, NULL));
	free(map);
	if (rc < 0) {
		char what[96];
		snprintf(what, sizeof what, "pinning vCPU %u to CPUs %s", vcpu, cpus);
		return virt_error(err, what);
	}
	return 0;
}

static int pin_vcpus(virDomainPtr dom, const struct vop_request *r, struct vop_result *res, struct vd_err *err)
{
	for (size_t i = 0; i < r->npins; i++) {
		if (pin_one(dom, r, r->pins[i].vcpu, r->pins[i].cpus, err) == 0)
			continue;
		size_t undone = 0;
		for (size_t k = 0; k < i; k++) {
			struct vd_err e;
			err_clear(&e);
			undone += r->pins[k].undo && pin_one(dom, r, r->pins[k].vcpu, r->pins[k].undo, &e) == 0;
		}
		if (i) {
			size_t n = strlen(err->msg);
			snprintf(err->msg + n, sizeof err->msg - n, " (%zu of the %zu vCPU(s) pinned before it put back)",
				 undone, i);
		}
		return -1;
	}
	snprintf(res->message, sizeof res->message, "%zu vCPU(s) pinned", r->npins);
	return 0;
}

static int set_numatune(virDomainPtr dom, const struct vop_request *r, struct vd_err *err)
{
	int mode = numa_mode(r->target, NULL);
	if (mode < 0)
		return err_set(err, VD_EINVAL, "unknown numatune mode '%s'", r->target);
	virTypedParameter params[2];
	memset(params, 0, sizeof params);
	snprintf(params[0].field, sizeof params[0].field, "%s", VIR_DOMAIN_NUMA_MODE);
	params[0].type = VIR_TYPED_PARAM_INT;
	params[0].value.i = mode;
	snprintf(params[1].field, sizeof params[1].field, "%s", VIR_DOMAIN_NUMA_NODESET);
	params[1].type = VIR_TYPED_PARAM_STRING;
	params[1].value.s = r->cpus;
	if (virDomainSetNumaParameters(dom, params, 2, vop_flags(VOPA_SET_NUMA, r, NULL)) < 0)
		return virt_error(err, "setting numatune");
	return 0;
}

int vop_run_place(void *domain, const struct vop_request *r, struct vop_result *res, struct vd_err *err)
{
	virDomainPtr dom = domain;
	int len;
	unsigned char *map;
	switch (r->kind) {
	case VOP_PIN_VCPUS:
		return pin_vcpus(dom, r, res, err);
	case VOP_PIN_EMULATOR:
		if (!(map = cpumap(r->cpus, &len, err)))
			return -1;
		if (virDomainPinEmulator(dom, map, len, vop_flags(VOPA_PIN_EMULATOR, r, NULL)) < 0) {
			free(map);
			return virt_error(err, "pinning the emulator threads");
		}
		free(map);
		return 0;
	case VOP_SET_NUMATUNE:
		return set_numatune(dom, r, err);
	default:
		return err_set(err, VD_EUNSUPPORTED, "not a placement request");
	}
}

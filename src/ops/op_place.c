/* op_place.c — where a VM runs on its host: pin_vcpu, pin_vcpus,
 * pin_emulator and set_numatune.
 *
 * Validation reads the host's live topology from its last poll (NUMA nodes,
 * their CPUs, online CPUs, free memory and hugepages per node): every CPU
 * must exist and be online, every node must exist, and a VM bound to nodes
 * must fit their free memory (hugepages of its page size when it is
 * hugepage-backed), counting what it already holds there.  A host that has
 * not been polled yet is checked against libvirt's CPU and cell counts only,
 * and a note says so.  A note also warns when the vCPUs and the memory end
 * up on different nodes. */
#include "ops/op_impl.h"
#include "core/units.h"
#include "core/xalloc.h"
#include "metrics/cpulist.h"
#include "metrics/host_metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_HUGEPAGE (2ull << 20)

/* A sorted, unique set of CPU or node numbers. */
struct idset {
	int   *v;
	size_t n, cap;
};

static void idset_free(struct idset *s)
{
	free(s->v);
	memset(s, 0, sizeof *s);
}

static void idset_format(const int *v, size_t n, struct strbuf *sb)
{
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && v[j + 1] == v[j] + 1)
			j++;
		sb_appendf(sb, "%s%d", i ? "," : "", v[i]);
		if (j > i)
			sb_appendf(sb, "-%d", v[j]);
		i = j + 1;
	}
}

static const struct numa_topo *topo(const struct op_ctx *ctx)
{
	const struct host_metrics *m = ctx->host->metrics;
	return m && m->numa.n ? &m->numa : NULL;
}

static const struct numa_node *node_of_cpu(const struct numa_topo *t, int cpu)
{
	for (size_t i = 0; t && i < t->n; i++)
		if (cpulist_has(t->nodes[i].cpus, t->nodes[i].ncpus, cpu))
			return &t->nodes[i];
	return NULL;
}

static const struct numa_node *node_by_id(const struct numa_topo *t, int id)
{
	for (size_t i = 0; t && i < t->n; i++)
		if (t->nodes[i].id == id)
			return &t->nodes[i];
	return NULL;
}

/* Parses the list in text (argument `what`) into *set: non-empty, each
 * member an existing CPU (nodes = 0) or node (nodes = 1) of the host, CPUs
 * online. */
static int check_ids(const struct op_ctx *ctx, const char *what, const char *text, int nodes, struct idset *set,
		     struct vd_err *err)
{
	struct vd_err perr;
	err_clear(&perr);
	memset(set, 0, sizeof *set);
	if (!text || parse_cpulist(text, strlen(text), &set->v, &set->n, &perr) < 0)
		return op_fail(ctx, err, VD_EINVAL, "%s: '%s' is not a %s list (like 0-3,8)", what, text ? text : "",
			       nodes ? "node" : "CPU");
	set->cap = set->n;
	if (!set->n)
		return op_fail(ctx, err, VD_EINVAL, "%s: the %s list is empty", what, nodes ? "node" : "CPU");
	const struct numa_topo *t = topo(ctx);
	const struct host *h = ctx->host;
	for (size_t i = 0; i < set->n; i++) {
		int id = set->v[i];
		if (nodes && t && !node_by_id(t, id))
			return op_fail(ctx, err, VD_ENOTFOUND, "NUMA node %d does not exist on host %s (it has %zu node(s))",
				       id, h->cfg->name, t->n);
		if (nodes && !t && h->numa_cells && (unsigned)id >= h->numa_cells)
			return op_fail(ctx, err, VD_ENOTFOUND, "NUMA node %d does not exist on host %s (libvirt reports "
				       "%u cell(s))", id, h->cfg->name, h->numa_cells);
		if (!nodes && t && !node_of_cpu(t, id))
			return op_fail(ctx, err, VD_ENOTFOUND, "CPU %d does not exist on host %s", id, h->cfg->name);
		if (!nodes && t && !numa_cpu_online(t, id))
			return op_fail(ctx, err, VD_EINVAL, "CPU %d on host %s is offline", id, h->cfg->name);
		if (!nodes && !t && h->cpus && (unsigned)id >= h->cpus)
			return op_fail(ctx, err, VD_ENOTFOUND, "CPU %d does not exist on host %s (libvirt reports %u CPUs)",
				       id, h->cfg->name, h->cpus);
	}
	if (!t)
		op_note(ctx, "host %s has no NUMA data yet (not polled over its shell): %s checked against libvirt's "
			"counts only", h->cfg->name, what);
	return 0;
}

/* The host nodes of the CPUs in cpus (known ones only). */
static void nodes_of(const struct numa_topo *t, const struct idset *cpus, struct idset *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < cpus->n; i++) {
		const struct numa_node *n = node_of_cpu(t, cpus->v[i]);
		if (n)
			cpulist_add(&out->v, &out->n, &out->cap, n->id);
	}
}

/* Where the VM's memory is bound (numatune nodeset), else where it sits
 * (the poll's per-node residency); empty when neither is known.  *why
 * says which. */
static void memory_nodes(const struct domain *d, struct idset *out, const char **why)
{
	memset(out, 0, sizeof *out);
	*why = "";
	if (d->info.numatune_nodeset[0]) {
		struct vd_err e;
		err_clear(&e);
		if (parse_cpulist(d->info.numatune_nodeset, strlen(d->info.numatune_nodeset), &out->v, &out->n, &e) == 0) {
			out->cap = out->n;
			*why = "its numatune nodeset";
			return;
		}
	}
	for (unsigned i = 0; d->stats.valid && i < d->stats.numa_nodes && i < DOM_MAX_NUMA; i++)
		if (d->stats.numa_mem[i])
			cpulist_add(&out->v, &out->n, &out->cap, (int)i);
	*why = "where it is resident";
}

static int overlaps(const struct idset *a, const struct idset *b)
{
	for (size_t i = 0; i < a->n; i++)
		if (cpulist_has(b->v, b->n, a->v[i]))
			return 1;
	return 0;
}

/* The note when vCPUs on cpu_nodes and memory on mem_nodes share no node. */
static void warn_split(const struct op_ctx *ctx, const char *who, const struct idset *cpu_nodes,
		       const struct idset *mem_nodes, const char *why)
{
	if (!cpu_nodes->n || !mem_nodes->n || overlaps(cpu_nodes, mem_nodes))
		return;
	struct strbuf a, b;
	sb_init(&a);
	sb_init(&b);
	idset_format(cpu_nodes->v, cpu_nodes->n, &a);
	idset_format(mem_nodes->v, mem_nodes->n, &b);
	op_note(ctx, "warning: %s of VM %s on host %s would run on node(s) %s but its memory is on node(s) %s (%s): "
		"every access is remote", who, ctx->dom->info.name, ctx->host->cfg->name, a.buf, b.buf, why);
	sb_free(&a);
	sb_free(&b);
}

/* The request's affect bits: libvirt's "current" when neither live= nor
 * config= was given (validation reads op_affect, which means the same). */
static unsigned affect(const struct op_ctx *ctx)
{
	return op_get(ctx, "live") || op_get(ctx, "config") ? op_affect(ctx) : VOPF_CURRENT;
}

static int check_live(const struct op_ctx *ctx, struct vd_err *err)
{
	if ((op_affect(ctx) & VOPF_LIVE) && !op_dom_running(ctx->dom))
		return op_fail(ctx, err, VD_EINVAL, "live=true but VM %s is %s", ctx->dom->info.name,
			       dom_state_name(ctx->dom->state));
	return 0;
}

/* The CPU list a vCPU has now (its pin, else every online CPU), for undo. */
static char *current_pin(const struct op_ctx *ctx, unsigned vcpu)
{
	for (size_t i = 0; i < ctx->dom->info.npins; i++)
		if (ctx->dom->info.pins[i].vcpu == vcpu)
			return x_strdup(ctx->dom->info.pins[i].cpuset);
	struct strbuf sb;
	sb_init(&sb);
	const struct numa_topo *t = topo(ctx);
	if (t && t->has_online)
		idset_format(t->online, t->nonline, &sb);
	else if (ctx->host->cpus)
		sb_appendf(&sb, "0-%u", ctx->host->cpus - 1);
	char *s = sb_detach(&sb);
	sb_free(&sb);
	return s;
}

/* ---- pins ------------------------------------------------------------- */

/* pin_vcpus' text: "VCPU:LIST;VCPU:LIST" ("0:0-3;1:4-7"). */
struct pin_list {
	struct vop_pin *p;
	size_t n;
};

static void pin_list_free(struct pin_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->p[i].cpus);
	free(l->p);
	memset(l, 0, sizeof *l);
}

static int parse_pins(const struct op_ctx *ctx, struct pin_list *l, struct vd_err *err)
{
	memset(l, 0, sizeof *l);
	if (op_get(ctx, "vcpu")) {   /* pin_vcpu(vcpu, cpus): one entry */
		l->p = x_calloc(1, sizeof *l->p);
		l->p[0].vcpu = (unsigned)op_get(ctx, "vcpu")->i;
		l->p[0].cpus = x_strdup(op_str(ctx, "cpus"));
		l->n = 1;
		return 0;
	}
	const char *s = op_str(ctx, "pins");
	for (const char *p = s ? s : ""; *p;) {
		size_t len = strcspn(p, ";");
		char *item = x_strndup(p, len), *colon = strchr(item, ':'), *end = NULL;
		long v = colon ? strtol(item, &end, 10) : -1;
		if (!colon || end != colon || colon == item || v < 0 || v > 16383) {
			op_fail(ctx, err, VD_EINVAL, "pins: '%s' is not VCPU:CPUS (like 0:0-3)", item);
			free(item);
			pin_list_free(l);
			return -1;
		}
		for (size_t i = 0; i < l->n; i++)
			if (l->p[i].vcpu == (unsigned)v) {
				op_fail(ctx, err, VD_EINVAL, "pins: vCPU %ld is given twice", v);
				free(item);
				pin_list_free(l);
				return -1;
			}
		l->p = x_realloc(l->p, (l->n + 1) * sizeof *l->p);
		l->p[l->n++] = (struct vop_pin){ (unsigned)v, x_strdup(colon + 1), NULL };
		free(item);
		p += len + (p[len] == ';');
	}
	if (!l->n)
		return op_fail(ctx, err, VD_EINVAL, "pins: no vCPU given (pins = { [0] = \"0-3\", ... })");
	return 0;
}

static int pins_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	struct pin_list l;
	if (check_live(ctx, err) < 0 || parse_pins(ctx, &l, err) < 0)
		return -1;
	const struct dom_info *i = &ctx->dom->info;
	const struct numa_topo *t = topo(ctx);
	struct idset mem;
	const char *why;
	memory_nodes(ctx->dom, &mem, &why);
	int rc = 0;
	for (size_t k = 0; k < l.n && rc == 0; k++) {
		struct idset cpus, nodes;
		char what[32];
		snprintf(what, sizeof what, "vCPU %u", l.p[k].vcpu);
		if (i->max_vcpus && l.p[k].vcpu >= i->max_vcpus) {
			rc = op_fail(ctx, err, VD_ENOTFOUND, "vCPU %u does not exist: VM %s has %u (0-%u)", l.p[k].vcpu,
				     i->name, i->max_vcpus, i->max_vcpus - 1);
			break;
		}
		if ((op_affect(ctx) & VOPF_LIVE) && i->vcpus && l.p[k].vcpu >= i->vcpus) {
			rc = op_fail(ctx, err, VD_EINVAL, "vCPU %u of VM %s is not online (%u of %u are): pin it with "
				     "config=true", l.p[k].vcpu, i->name, i->vcpus, i->max_vcpus);
			break;
		}
		if ((rc = check_ids(ctx, what, l.p[k].cpus, 0, &cpus, err)) < 0) {
			idset_free(&cpus);
			break;
		}
		nodes_of(t, &cpus, &nodes);
		warn_split(ctx, what, &nodes, &mem, why);
		idset_free(&cpus);
		idset_free(&nodes);
	}
	idset_free(&mem);
	pin_list_free(&l);
	return rc;
}

static int pins_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	struct pin_list l;
	if (parse_pins(ctx, &l, err) < 0)
		return -1;
	req->kind = VOP_PIN_VCPUS;
	op_req_domain(ctx, req);
	req->flags = affect(ctx);
	for (size_t k = 0; k < l.n; k++)
		l.p[k].undo = current_pin(ctx, l.p[k].vcpu);
	req->pins = l.p;
	req->npins = l.n;
	return 0;
}

int pin_vcpu_validate(const struct op_ctx *ctx, struct vd_err *err) { return pins_validate(ctx, err); }
int pin_vcpu_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err) { return pins_build(ctx, req, err); }
int pin_vcpus_validate(const struct op_ctx *ctx, struct vd_err *err) { return pins_validate(ctx, err); }
int pin_vcpus_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err) { return pins_build(ctx, req, err); }

int pin_emulator_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	struct idset cpus;
	if (check_live(ctx, err) < 0)
		return -1;
	int rc = check_ids(ctx, "the emulator pin", op_str(ctx, "cpus"), 0, &cpus, err);
	idset_free(&cpus);
	return rc;
}

int pin_emulator_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	(void)err;
	req->kind = VOP_PIN_EMULATOR;
	op_req_domain(ctx, req);
	req->flags = affect(ctx);
	req->cpus = x_strdup(op_str(ctx, "cpus"));
	return 0;
}

/* ---- numatune --------------------------------------------------------- */

/* Bytes the VM can have on node n: free memory (or free hugepages of its
 * page size), plus what it already holds there; -1 when the poll did not
 * say. */
static int64_t room_on(const struct op_ctx *ctx, const struct numa_node *n, uint64_t page)
{
	const struct domain *d = ctx->dom;
	uint64_t have = d->stats.valid && n->id >= 0 && n->id < DOM_MAX_NUMA && (unsigned)n->id < d->stats.numa_nodes
		? d->stats.numa_mem[n->id] : 0;
	if (page) {
		for (size_t i = 0; i < n->nhugepages; i++)
			if (n->hugepages[i].page_size == page && n->hugepages[i].has_free)
				return (int64_t)(n->hugepages[i].free * page + have);
		return 0;
	}
	if (!n->has_meminfo || !n->mem.has_free)
		return -1;
	return (int64_t)(n->mem.mem_free + have);
}

static int check_fit(const struct op_ctx *ctx, const struct idset *nodes, const char *mode, struct vd_err *err)
{
	const struct numa_topo *t = topo(ctx);
	const struct dom_info *i = &ctx->dom->info;
	if (!t)
		return 0;
	uint64_t page = i->hugepages ? (i->hugepage_size ? i->hugepage_size : DEFAULT_HUGEPAGE) : 0;
	uint64_t room = 0;
	for (size_t k = 0; k < nodes->n; k++) {
		int64_t r = room_on(ctx, node_by_id(t, nodes->v[k]), page);
		if (r < 0) {
			op_note(ctx, "node %d of host %s did not report its free memory: the fit is not checked",
				nodes->v[k], ctx->host->cfg->name);
			return 0;
		}
		room += (uint64_t)r;
	}
	uint64_t need = i->max_memory;
	if (need <= room)
		return 0;
	char a[32], b[32], pg[32];
	struct strbuf ns;
	sb_init(&ns);
	idset_format(nodes->v, nodes->n, &ns);
	if (page)
		snprintf(pg, sizeof pg, " in %s hugepages", size_format(page, a, sizeof a));
	else
		pg[0] = '\0';
	if (!strcmp(mode, "preferred")) {
		op_note(ctx, "VM %s needs %s but node(s) %s of host %s have %s free%s: the rest comes from other nodes",
			i->name, size_format(need, a, sizeof a), ns.buf, ctx->host->cfg->name, size_format(room, b, sizeof b), pg);
		sb_free(&ns);
		return 0;
	}
	op_fail(ctx, err, VD_EINVAL, "VM %s needs %s but node(s) %s of host %s have %s free%s", i->name,
		size_format(need, a, sizeof a), ns.buf, ctx->host->cfg->name, size_format(room, b, sizeof b), pg);
	sb_free(&ns);
	return -1;
}

int set_numatune_validate(const struct op_ctx *ctx, struct vd_err *err)
{
	struct idset nodes = { 0 };
	const char *mode = op_str(ctx, "mode");
	if (check_live(ctx, err) < 0 || check_ids(ctx, "nodeset", op_str(ctx, "nodeset"), 1, &nodes, err) < 0) {
		idset_free(&nodes);
		return -1;
	}
	int rc = check_fit(ctx, &nodes, mode, err);
	const struct dom_info *i = &ctx->dom->info;
	if (rc == 0 && (op_affect(ctx) & VOPF_LIVE) && i->numatune_mode[0] && strcmp(i->numatune_mode, mode))
		op_note(ctx, "QEMU cannot change the numatune mode of a running VM (%s → %s): use config=true and restart",
			i->numatune_mode, mode);
	/* vCPUs pinned elsewhere than the new memory nodes */
	const struct numa_topo *t = topo(ctx);
	struct idset cpus = { 0 }, cpu_nodes;
	for (size_t k = 0; rc == 0 && t && k < i->npins; k++) {
		int *v = NULL;
		size_t n = 0;
		struct vd_err e;
		err_clear(&e);
		if (parse_cpulist(i->pins[k].cpuset, strlen(i->pins[k].cpuset), &v, &n, &e) == 0)
			for (size_t j = 0; j < n; j++)
				cpulist_add(&cpus.v, &cpus.n, &cpus.cap, v[j]);
		free(v);
	}
	nodes_of(t, &cpus, &cpu_nodes);
	if (rc == 0)
		warn_split(ctx, "the vCPUs (by their pins)", &cpu_nodes, &nodes, "the new nodeset");
	idset_free(&cpus);
	idset_free(&cpu_nodes);
	idset_free(&nodes);
	return rc;
}

int set_numatune_build(const struct op_ctx *ctx, struct vop_request *req, struct vd_err *err)
{
	(void)err;
	req->kind = VOP_SET_NUMATUNE;
	op_req_domain(ctx, req);
	req->flags = affect(ctx);
	snprintf(req->target, sizeof req->target, "%s", op_str(ctx, "mode"));
	req->cpus = x_strdup(op_str(ctx, "nodeset"));
	return 0;
}

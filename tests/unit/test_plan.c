/* test_plan.c — the placement planners on small hand-made clusters whose
 * best answer is known: moves, rules that forbid them, maintenance, NUMA
 * fit on the target, evacuation, the greedy baseline, NUMA placement. */
#include "check.h"
#include "ops/plan.h"

#include <math.h>

#define GIB (1ull << 30)

struct fixture {
	struct host_config cfg[6];
	char *tags[6][2];
	struct plan_host hosts[6];
	struct plan_vm vms[16];
	struct plan_cluster pc;
};

static void fx_init(struct fixture *f, unsigned nhosts)
{
	memset(f, 0, sizeof *f);
	static const char *const names[] = { "A", "B", "C", "D", "E", "F" };
	for (unsigned i = 0; i < nhosts; i++) {
		f->cfg[i].name = (char *)names[i];
		f->tags[i][0] = (char *)"rack1";
		f->cfg[i].tags = f->tags[i];
		f->cfg[i].ntags = 1;
		struct plan_host *h = &f->hosts[i];
		h->cfg = &f->cfg[i];
		snprintf(h->hypervisor, sizeof h->hypervisor, "QEMU");
		h->up = h->in_scope = 1;
		h->mem_total = 100 * GIB;
		h->cpu_total = 32;
		/* two nodes of 50 GiB, all free until VMs are added */
		h->nnodes = 2;
		for (unsigned k = 0; k < 2; k++) {
			h->nodes[k].id = (int)k;
			h->nodes[k].ncpus = 16;
			snprintf(h->nodes[k].cpus, sizeof h->nodes[k].cpus, "%u-%u", k * 16, k * 16 + 15);
			h->nodes[k].total = h->nodes[k].free = 50 * GIB;
		}
	}
	f->pc.hosts = f->hosts;
	f->pc.nhosts = nhosts;
	f->pc.vms = f->vms;
}

/* A VM of gib GiB on host h, resident on node (or half on each when -1). */
static struct plan_vm *fx_vm(struct fixture *f, const char *name, size_t h, unsigned gib, int node)
{
	struct plan_vm *v = &f->vms[f->pc.nvms++];
	memset(v, 0, sizeof *v);
	v->name = name;
	v->host = h;
	v->mem = gib * GIB;
	v->vcpus = 2;
	v->cpu = 2;
	v->nnodes = 2;
	struct plan_host *ph = &f->hosts[h];
	ph->mem_used += v->mem;
	ph->cpu_used += v->cpu;
	if (node >= 0) {
		v->node_mem[node] = v->mem;
		ph->nodes[node].free -= v->mem;
	} else {
		v->node_mem[0] = v->node_mem[1] = v->mem / 2;
		ph->nodes[0].free -= v->mem / 2;
		ph->nodes[1].free -= v->mem / 2;
	}
	return v;
}

static int run(struct fixture *f, struct plan_balance_opts *o, struct plan_result *r)
{
	struct vd_err err = { 0 };
	int rc = plan_balance(&f->pc, o, r, &err);
	if (rc < 0)
		fprintf(stderr, "plan_balance: %s\n", err.msg);
	return rc;
}

static void test_balanced_is_empty(void)
{
	struct fixture f;
	fx_init(&f, 3);
	for (size_t h = 0; h < 3; h++) {
		fx_vm(&f, h == 0 ? "a1" : h == 1 ? "b1" : "c1", h, 20, 0);
		fx_vm(&f, h == 0 ? "a2" : h == 1 ? "b2" : "c2", h, 20, 1);
	}
	struct plan_balance_opts o;
	plan_balance_defaults(&o);
	o.threshold = 0;
	struct plan_result r;
	CHECK_INT(run(&f, &o, &r), 0);
	CHECK_INT(r.nmoves, 0);
	CHECK(r.before == 0 && r.after == 0);
	CHECK(strstr(r.stop, "threshold") != NULL);
	plan_result_free(&r);
}

/* A: 40 20 10 5, B: 25.  The best is 20 then 5 (even at 50/50): two
 * moves.  Greedy moves 40 first and needs three. */
static void known_skew(struct fixture *f)
{
	fx_init(f, 2);
	fx_vm(f, "big", 0, 40, 0);
	fx_vm(f, "mid", 0, 20, 1);
	fx_vm(f, "small", 0, 10, 1);
	fx_vm(f, "tiny", 0, 5, 1);
	fx_vm(f, "b", 1, 25, 0);
}

static void test_best_moves(void)
{
	struct fixture f;
	known_skew(&f);
	struct plan_balance_opts o;
	plan_balance_defaults(&o);
	o.threshold = 0.01;
	struct plan_result r;
	CHECK_INT(run(&f, &o, &r), 0);
	CHECK(fabs(r.before - 0.5) < 1e-9);
	CHECK_INT(r.nmoves, 2);
	if (r.nmoves == 2) {
		CHECK_STR(f.vms[r.moves[0].vm].name, "mid");
		CHECK_INT(r.moves[0].from, 0);
		CHECK_INT(r.moves[0].to, 1);
		CHECK(fabs(r.moves[0].imbalance - 0.1) < 1e-9);
		CHECK_INT(r.moves[0].node, 1);    /* B's node 1 is empty: most free */
		CHECK_STR(f.vms[r.moves[1].vm].name, "tiny");
		CHECK(r.moves[1].imbalance < 1e-9);
		CHECK(strstr(r.moves[0].reason, "memory A 75% -> B 25%") != NULL);
	}
	CHECK(r.after < 1e-9);
	plan_result_free(&r);

	known_skew(&f);
	o.greedy = 1;
	CHECK_INT(run(&f, &o, &r), 0);
	CHECK_INT(r.nmoves, 3);
	if (r.nmoves == 3) {
		CHECK_STR(f.vms[r.moves[0].vm].name, "big");
		CHECK_STR(f.vms[r.moves[1].vm].name, "b");
		CHECK_STR(f.vms[r.moves[2].vm].name, "small");
	}
	CHECK(r.after < 1e-9);
	plan_result_free(&r);

	/* max_moves stops it early, and the margin refuses a gain too small */
	known_skew(&f);
	o.greedy = 0;
	o.max_moves = 1;
	CHECK_INT(run(&f, &o, &r), 0);
	CHECK_INT(r.nmoves, 1);
	CHECK(strstr(r.stop, "max_moves") != NULL);
	plan_result_free(&r);
	known_skew(&f);
	o.max_moves = 0;
	o.margin = 0.45;
	CHECK_INT(run(&f, &o, &r), 0);
	CHECK_INT(r.nmoves, 0);
	CHECK(strstr(r.stop, "margin") != NULL);
	plan_result_free(&r);
}

static void test_rules(void)
{
	struct fixture f;
	struct plan_balance_opts o;
	struct plan_result r;
	char *apart12[] = { (char *)"db-0[12]" }, *apart_all[] = { (char *)"db-*" };
	struct placement_rule rule = { .kind = RULE_KEEP_APART, .vms = apart12, .nvms = 1 };

	/* db-01 may not join db-02 on B: db-03 goes */
	fx_init(&f, 2);
	fx_vm(&f, "db-01", 0, 30, 0);
	fx_vm(&f, "db-03", 0, 30, 1);
	fx_vm(&f, "db-02", 1, 10, 0);
	plan_balance_defaults(&o);
	o.rules = &rule;
	o.nrules = 1;
	CHECK_INT(run(&f, &o, &r), 0);
	CHECK_INT(r.nmoves, 1);
	if (r.nmoves)
		CHECK_STR(f.vms[r.moves[0].vm].name, "db-03");
	plan_result_free(&r);

	/* all three apart: no move is possible, the plan is empty */
	fx_init(&f, 2);
	fx_vm(&f, "db-01", 0, 30, 0);
	fx_vm(&f, "db-03", 0, 30, 1);
	fx_vm(&f, "db-02", 1, 10, 0);
	rule.vms = apart_all;
	CHECK_INT(run(&f, &o, &r), 0);
	CHECK_INT(r.nmoves, 0);
	CHECK(r.after == r.before && r.before > 0.4);
	plan_result_free(&r);

	/* pin_to keeps app* on A (the cluster's own rules count too) */
	char *apps[] = { (char *)"app*" };
	struct placement_rule pin = { .kind = RULE_PIN_TO, .vms = apps, .nvms = 1, .hosts = (char *)"A" };
	fx_init(&f, 2);
	fx_vm(&f, "app1", 0, 30, 0);
	fx_vm(&f, "app2", 0, 30, 1);
	f.pc.rules = &pin;
	f.pc.nrules = 1;
	plan_balance_defaults(&o);
	CHECK_INT(run(&f, &o, &r), 0);
	CHECK_INT(r.nmoves, 0);
	plan_result_free(&r);
	/* a pin_to naming a tag both carry allows it */
	pin.hosts = (char *)"rack1";
	fx_init(&f, 2);
	fx_vm(&f, "app1", 0, 30, 0);
	fx_vm(&f, "app2", 0, 30, 1);
	f.pc.rules = &pin;
	f.pc.nrules = 1;
	CHECK_INT(run(&f, &o, &r), 0);
	CHECK_INT(r.nmoves, 1);
	plan_result_free(&r);

	/* keep_together: a and b move as one, to one host */
	char *ab[] = { (char *)"a", (char *)"b" };
	struct placement_rule tog = { .kind = RULE_KEEP_TOGETHER, .vms = ab, .nvms = 2 };
	fx_init(&f, 2);
	fx_vm(&f, "a", 0, 15, 0);
	fx_vm(&f, "b", 0, 15, 0);
	fx_vm(&f, "gpu", 0, 30, 1)->fixed = "holds a vGPU (mdev)";
	plan_balance_defaults(&o);
	o.threshold = 0.01;
	o.rules = &tog;
	o.nrules = 1;
	CHECK_INT(run(&f, &o, &r), 0);
	CHECK_INT(r.nmoves, 2);
	if (r.nmoves == 2) {
		CHECK(r.moves[0].to == 1 && r.moves[1].to == 1);
		CHECK(strstr(r.moves[0].reason, "kept together") != NULL);
	}
	CHECK(r.after < 1e-9);
	plan_result_free(&r);

	/* excluded VMs and fixed VMs stay */
	const char *ex[] = { "a", "b" };
	fx_init(&f, 2);
	fx_vm(&f, "a", 0, 15, 0);
	fx_vm(&f, "b", 0, 15, 0);
	fx_vm(&f, "gpu", 0, 30, 1)->fixed = "holds a vGPU (mdev)";
	plan_balance_defaults(&o);
	o.exclude = ex;
	o.nexclude = 2;
	CHECK_INT(run(&f, &o, &r), 0);
	CHECK_INT(r.nmoves, 0);
	plan_result_free(&r);
}

static void test_maintenance_and_numa_fit(void)
{
	struct fixture f;
	struct plan_balance_opts o;
	struct plan_result r;
	fx_init(&f, 3);
	fx_vm(&f, "x", 0, 30, 0);
	fx_vm(&f, "y", 0, 30, 1);
	fx_vm(&f, "c", 2, 10, 0);
	f.hosts[1].maintenance = 1;   /* B: empty, but takes nothing */
	plan_balance_defaults(&o);
	CHECK_INT(run(&f, &o, &r), 0);
	CHECK_INT(r.nmoves, 1);
	if (r.nmoves)
		CHECK_INT(r.moves[0].to, 2);
	CHECK_INT(r.hosts, 2);   /* B is not counted */
	plan_result_free(&r);

	/* Evening A 80 / B 28 best moves "big" (26), but no node of B has
	 * 26 GiB free (page cache): "small" (24) goes, to node 1. */
	fx_init(&f, 2);
	fx_vm(&f, "big", 0, 26, 0);
	fx_vm(&f, "small", 0, 24, 1);
	fx_vm(&f, "filler", 0, 30, -1);
	fx_vm(&f, "b1", 1, 28, 0);
	f.hosts[1].nodes[0].free = 20 * GIB;
	f.hosts[1].nodes[1].free = 25 * GIB;
	plan_balance_defaults(&o);
	o.threshold = 0.05;
	CHECK_INT(run(&f, &o, &r), 0);
	CHECK_INT(r.nmoves, 1);
	if (r.nmoves) {
		CHECK_STR(f.vms[r.moves[0].vm].name, "small");
		CHECK_INT(r.moves[0].node, 1);
	}
	plan_result_free(&r);

	/* a strict numatune VM goes to its node on the target or nowhere */
	fx_init(&f, 2);
	struct plan_vm *s = fx_vm(&f, "strict", 0, 30, 1);
	s->strict_nodes = 1u << 1;
	fx_vm(&f, "other", 0, 30, 0);
	fx_vm(&f, "b1", 1, 25, 1);
	plan_balance_defaults(&o);
	CHECK_INT(run(&f, &o, &r), 0);
	CHECK_INT(r.nmoves, 1);
	if (r.nmoves)
		CHECK_STR(f.vms[r.moves[0].vm].name, "other");
	plan_result_free(&r);

	/* evacuation: every movable VM leaves A; the vGPU one cannot */
	fx_init(&f, 3);
	fx_vm(&f, "v1", 0, 30, 0);
	fx_vm(&f, "v2", 0, 20, 1);
	fx_vm(&f, "g", 0, 5, 1)->fixed = "holds a vGPU (mdev)";
	fx_vm(&f, "c", 2, 20, 0);
	plan_balance_defaults(&o);
	o.evacuate = 0;
	CHECK_INT(run(&f, &o, &r), 0);
	CHECK_INT(r.nmoves, 2);
	if (r.nmoves == 2) {
		CHECK_STR(f.vms[r.moves[0].vm].name, "v1");
		CHECK_INT(r.moves[0].to, 1);      /* the emptier host */
		CHECK_INT(r.moves[1].to, 2);      /* then C evens it out: B 30, C 40 */
	}
	CHECK_INT(r.nskips, 1);
	if (r.nskips)
		CHECK(strstr(r.skips[0].reason, "vGPU") != NULL);
	plan_result_free(&r);
}

/* A migration under way (plan_assume_move) counts as done: a new plan
 * goes on from there instead of repeating it. */
static void test_assume_move(void)
{
	static const char *const names[] = { "v0", "v1", "v2", "v3", "v4", "v5" };
	struct fixture f;
	struct plan_balance_opts o;
	struct plan_result all, rest, blind;
	struct vd_err err = { 0 };
	plan_balance_defaults(&o);
	o.threshold = 0.01;
	fx_init(&f, 3);
	for (size_t i = 0; i < 6; i++)
		fx_vm(&f, names[i], 0, 10, 0);
	CHECK_INT(run(&f, &o, &all), 0);
	CHECK_INT(all.nmoves, 4);   /* 60/0/0 -> 20/20/20 */
	if (all.nmoves != 4)
		return;
	const char *first = f.vms[all.moves[0].vm].name;
	const char *to = f.cfg[all.moves[0].to].name;
	int node = all.moves[0].node;

	fx_init(&f, 3);
	for (size_t i = 0; i < 6; i++)
		fx_vm(&f, names[i], 0, 10, 0);
	CHECK_INT(plan_assume_move(&f.pc, first, to, node, &err), 0);
	CHECK_INT(run(&f, &o, &rest), 0);
	CHECK_INT(rest.nmoves, 3);
	for (size_t i = 0; i < rest.nmoves && i + 1 < all.nmoves; i++) {
		CHECK(rest.moves[i].vm == all.moves[i + 1].vm);
		CHECK(rest.moves[i].to == all.moves[i + 1].to);
		CHECK(f.vms[rest.moves[i].vm].name != first);
	}
	CHECK(f.hosts[all.moves[0].to].nodes[node].free == 40 * GIB);

	/* leaving the VM out without counting its move plans one too many */
	fx_init(&f, 3);
	for (size_t i = 0; i < 6; i++)
		fx_vm(&f, names[i], 0, 10, 0);
	o.exclude = &first;
	o.nexclude = 1;
	CHECK_INT(run(&f, &o, &blind), 0);
	CHECK_INT(blind.nmoves, 4);

	CHECK_INT(plan_assume_move(&f.pc, "nope", to, node, &err), -1);
	CHECK_INT(plan_assume_move(&f.pc, first, "Z", node, &err), -1);
	plan_result_free(&all);
	plan_result_free(&rest);
	plan_result_free(&blind);
}

static void test_plan_numa(void)
{
	struct fixture f;
	fx_init(&f, 1);
	struct plan_vm *span = fx_vm(&f, "span", 0, 40, -1);     /* 20/20, unpinned */
	struct plan_vm *st = fx_vm(&f, "strict", 0, 20, 1);
	st->strict_nodes = 1u << 1;
	st->vcpu_nodes = 1u << 1;
	struct plan_vm *ok = fx_vm(&f, "local", 0, 4, 1);
	ok->vcpu_nodes = 1u << 1;
	(void)span;
	struct plan_numa_result r;
	struct vd_err err = { 0 };
	CHECK_INT(plan_numa(&f.pc, 0, 0, &r, &err), 0);
	CHECK_INT(r.npins, 3);
	if (r.npins == 3) {
		CHECK_STR(f.vms[r.pins[0].vm].name, "span");
		CHECK_INT(r.pins[0].action, PN_PIN);
		CHECK_INT(r.pins[0].node, 0);    /* node 1 holds the strict VM */
		CHECK(fabs(r.pins[0].before - 0.5) < 1e-9 && r.pins[0].after == 1);
		CHECK_INT(r.pins[1].action, PN_STRICT);
		CHECK_INT(r.pins[2].action, PN_KEEP);
		CHECK_INT(r.pins[2].node, 1);
	}
	CHECK(r.locality_after > r.locality_before);
	plan_numa_result_free(&r);

	/* a VM bigger than any node spans; a strict VM may move when told */
	fx_init(&f, 1);
	fx_vm(&f, "huge", 0, 60, -1);
	st = fx_vm(&f, "strict", 0, 20, 1);
	st->strict_nodes = 1u << 1;
	CHECK_INT(plan_numa(&f.pc, 0, 1, &r, &err), 0);
	CHECK_INT(r.npins, 2);
	if (r.npins == 2) {
		CHECK_INT(r.pins[0].action, PN_SPANS);
		CHECK_INT(r.pins[1].action, PN_PIN);
		CHECK_INT(r.pins[1].node, 1);    /* where its pages already are */
	}
	plan_numa_result_free(&r);

	/* one node: nothing to place, whatever the VMs' pins */
	fx_init(&f, 1);
	f.hosts[0].nnodes = 1;
	f.hosts[0].nodes[0].total = f.hosts[0].nodes[0].free = 100 * GIB;
	for (unsigned i = 0; i < 2; i++) {
		struct plan_vm *v = fx_vm(&f, i ? "b" : "a", 0, 8, 0);
		v->nnodes = 1;
	}
	CHECK_INT(plan_numa(&f.pc, 0, 0, &r, &err), 0);
	CHECK_INT(r.npins, 2);
	for (size_t i = 0; i < r.npins; i++) {
		CHECK_INT(r.pins[i].action, PN_KEEP);
		CHECK_INT(r.pins[i].node, 0);
		CHECK(strstr(r.pins[i].reason, "A has one NUMA node: nothing to place") != NULL);
		CHECK(r.pins[i].after == r.pins[i].before);
	}
	plan_numa_result_free(&r);
	/* no NUMA files: libvirt's one cell says the same; two cells say nothing */
	f.hosts[0].nnodes = 0;
	f.hosts[0].cells = 1;
	CHECK_INT(plan_numa(&f.pc, 0, 0, &r, &err), 0);
	CHECK_INT(r.npins, 2);
	if (r.npins == 2)
		CHECK(r.pins[0].action == PN_KEEP && strstr(r.pins[0].reason, "one NUMA node") != NULL);
	plan_numa_result_free(&r);
	f.hosts[0].cells = 2;
	CHECK_INT(plan_numa(&f.pc, 0, 0, &r, &err), -1);
	CHECK(strstr(err.msg, "NUMA topology unknown") != NULL);
	plan_numa_result_free(&r);
}

int main(void)
{
	test_balanced_is_empty();
	test_best_moves();
	test_rules();
	test_maintenance_and_numa_fit();
	test_assume_move();
	test_plan_numa();
	return check_summary();
}

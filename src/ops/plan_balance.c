/* plan_balance.c — an ordered list of live migrations that evens out host
 * usage across the cluster.
 *
 * The imbalance is the coefficient of variation (stddev / mean) of host
 * usage — used memory / total, CPU used / CPUs, or the mean of both — over
 * the hosts in play that are up and not in maintenance.  Each step takes
 * the one move that lowers it most (steepest descent; sums kept so one
 * candidate costs O(1)), among VMs that can migrate live, to a host that
 * has the memory and a NUMA node to hold the VM whole (its strict
 * numatune node when it has one), honouring the rules; it stops under the
 * threshold, at max_moves, or when no move gains the margin.  VMs kept
 * together by a rule move as one unit.  Evacuation moves every movable VM
 * off one host, largest first, each where it leaves the cluster most even.
 * greedy is the baseline the bench compares with: the largest VM of the
 * most loaded host that helps goes to the least loaded host. */
#include "ops/plan.h"
#include "core/units.h"
#include "core/xalloc.h"

#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unit {
	size_t   first, n;          /* its VMs: members[first .. first+n) */
	uint64_t mem;
	double   cpu;
	const char *fixed;
};

struct bal {
	struct plan_cluster *pc;
	const struct plan_balance_opts *o;
	unsigned char *counted;     /* host counts in the imbalance */
	unsigned char *takes;       /* host may receive VMs */
	double   s1m, s2m, s1c, s2c;
	unsigned n;
	struct unit *units;
	size_t   nunits;
	size_t  *members;
	long    *unit_of;           /* per VM */
};

static const struct placement_rule *rule_at(const struct bal *b, size_t i)
{
	return i < b->pc->nrules ? &b->pc->rules[i] : &b->o->rules[i - b->pc->nrules];
}

static size_t nrules(const struct bal *b)
{
	return b->pc->nrules + b->o->nrules;
}

static int rule_names(const struct placement_rule *r, const char *vm)
{
	for (size_t i = 0; i < r->nvms; i++)
		if (!fnmatch(r->vms[i], vm, 0))
			return 1;
	return 0;
}

static double frac_mem(const struct plan_host *h)
{
	return h->mem_total ? (double)h->mem_used / (double)h->mem_total : 0;
}

static double frac_cpu(const struct plan_host *h)
{
	return h->cpu_total > 0 ? h->cpu_used / h->cpu_total : 0;
}

static double load(const struct bal *b, const struct plan_host *h)
{
	switch (b->o->by) {
	case PLAN_BY_MEMORY: return frac_mem(h);
	case PLAN_BY_CPU: return frac_cpu(h);
	case PLAN_BY_BOTH: break;
	}
	return (frac_mem(h) + frac_cpu(h)) / 2;
}

static double cv(double s1, double s2, unsigned n)
{
	if (n < 2 || s1 <= 0)
		return 0;
	double mean = s1 / n, var = s2 / n - mean * mean;
	return var > 0 ? sqrt(var) / mean : 0;
}

static double imbalance_of(const struct bal *b, double s1m, double s2m, double s1c, double s2c)
{
	switch (b->o->by) {
	case PLAN_BY_MEMORY: return cv(s1m, s2m, b->n);
	case PLAN_BY_CPU: return cv(s1c, s2c, b->n);
	case PLAN_BY_BOTH: break;
	}
	return (cv(s1m, s2m, b->n) + cv(s1c, s2c, b->n)) / 2;
}

static void sums(struct bal *b)
{
	b->s1m = b->s2m = b->s1c = b->s2c = 0;
	b->n = 0;
	for (size_t i = 0; i < b->pc->nhosts; i++) {
		if (!b->counted[i])
			continue;
		double m = frac_mem(&b->pc->hosts[i]), c = frac_cpu(&b->pc->hosts[i]);
		b->s1m += m, b->s2m += m * m, b->s1c += c, b->s2c += c * c;
		b->n++;
	}
}

/* The imbalance after moving u from s to t, without moving it. */
static double imbalance_if(const struct bal *b, const struct unit *u, size_t s, size_t t)
{
	double s1m = b->s1m, s2m = b->s2m, s1c = b->s1c, s2c = b->s2c;
	const struct plan_host *hs = &b->pc->hosts[s], *ht = &b->pc->hosts[t];
	if (b->counted[s]) {
		double m0 = frac_mem(hs), c0 = frac_cpu(hs);
		double m1 = hs->mem_total ? ((double)hs->mem_used - (double)u->mem) / (double)hs->mem_total : 0;
		double c1 = hs->cpu_total > 0 ? (hs->cpu_used - u->cpu) / hs->cpu_total : 0;
		s1m += m1 - m0, s2m += m1 * m1 - m0 * m0, s1c += c1 - c0, s2c += c1 * c1 - c0 * c0;
	}
	if (b->counted[t]) {
		double m0 = frac_mem(ht), c0 = frac_cpu(ht);
		double m1 = ht->mem_total ? ((double)ht->mem_used + (double)u->mem) / (double)ht->mem_total : 0;
		double c1 = ht->cpu_total > 0 ? (ht->cpu_used + u->cpu) / ht->cpu_total : 0;
		s1m += m1 - m0, s2m += m1 * m1 - m0 * m0, s1c += c1 - c0, s2c += c1 * c1 - c0 * c0;
	}
	return imbalance_of(b, s1m, s2m, s1c, s2c);
}

static size_t unit_host(const struct bal *b, const struct unit *u)
{
	return b->pc->vms[b->members[u->first]].host;
}

/* The node of t that takes v (free[] as planned so far), -1 spans, -2 none. */
static int pick_node(const struct plan_host *t, const struct plan_vm *v, const uint64_t *free)
{
	int best = -1, any_big = 0;
	for (unsigned k = 0; k < t->nnodes; k++) {
		const struct plan_node *nd = &t->nodes[k];
		if (!nd->ncpus)
			continue;
		if (v->strict_nodes && !(v->strict_nodes & (1u << nd->id)))
			continue;
		if (nd->total >= v->mem)
			any_big = 1;
		if (free[k] < v->mem)
			continue;
		/* its vCPU pins' node first (they move with it), then the most free */
		int pref = v->vcpu_nodes && (v->vcpu_nodes & (1u << nd->id));
		int bpref = best >= 0 && v->vcpu_nodes && (v->vcpu_nodes & (1u << t->nodes[best].id));
		if (best < 0 || pref > bpref || (pref == bpref && free[k] > free[best]))
			best = (int)k;
	}
	if (best >= 0)
		return best;
	if (!t->nnodes || (!any_big && !v->strict_nodes))
		return -1;   /* no node could ever hold it: it spans wherever it goes */
	return -2;
}

/* 0 when t can take u; else -1 and why.  nodes[i]: index of the node of
 * t for the unit's i-th VM (-1 spans). */
static int can_take(const struct bal *b, const struct unit *u, size_t t, int *nodes, char *why, size_t wl)
{
	const struct plan_host *ht = &b->pc->hosts[t], *hs = &b->pc->hosts[unit_host(b, u)];
	if (hs->hypervisor[0] && ht->hypervisor[0] && strcmp(hs->hypervisor, ht->hypervisor)) {
		snprintf(why, wl, "%s runs %s, not %s", ht->cfg->name, ht->hypervisor, hs->hypervisor);
		return -1;
	}
	if (ht->mem_total < ht->mem_used + u->mem) {
		snprintf(why, wl, "%s has too little free memory", ht->cfg->name);
		return -1;
	}
	uint64_t free[PLAN_MAX_NODES];
	for (unsigned k = 0; k < ht->nnodes; k++)
		free[k] = ht->nodes[k].free;
	for (size_t i = 0; i < u->n; i++) {
		const struct plan_vm *v = &b->pc->vms[b->members[u->first + i]];
		for (size_t r = 0; r < nrules(b); r++) {
			const struct placement_rule *rl = rule_at(b, r);
			if (!rule_names(rl, v->name))
				continue;
			if (rl->kind == RULE_PIN_TO && !host_matches(ht->cfg, rl->hosts)) {
				snprintf(why, wl, "rule pin_to keeps %s on %s", v->name, rl->hosts);
				return -1;
			}
			if (rl->kind != RULE_KEEP_APART)
				continue;
			for (size_t w = 0; w < b->pc->nvms; w++) {
				const struct plan_vm *o = &b->pc->vms[w];
				if (o->host == t && o != v && rule_names(rl, o->name)) {
					snprintf(why, wl, "rule keep_apart: %s is on %s", o->name, ht->cfg->name);
					return -1;
				}
			}
		}
		int k = pick_node(ht, v, free);
		if (k == -2) {
			snprintf(why, wl, "no NUMA node of %s has room for %s", ht->cfg->name, v->name);
			return -1;
		}
		if (k >= 0)
			free[k] -= v->mem;
		nodes[i] = k;
	}
	return 0;
}

static void move_unit(struct bal *b, struct unit *u, size_t t, const int *nodes)
{
	struct plan_host *ht = &b->pc->hosts[t];
	for (size_t i = 0; i < u->n; i++) {
		struct plan_vm *v = &b->pc->vms[b->members[u->first + i]];
		struct plan_host *hs = &b->pc->hosts[v->host];
		hs->mem_used = hs->mem_used > v->mem ? hs->mem_used - v->mem : 0;
		hs->cpu_used -= v->cpu;
		for (unsigned k = 0; k < hs->nnodes; k++)
			for (unsigned n = 0; n < v->nnodes; n++)
				if (hs->nodes[k].id == (int)n)
					hs->nodes[k].free += v->node_mem[n];
		ht->mem_used += v->mem;
		ht->cpu_used += v->cpu;
		memset(v->node_mem, 0, sizeof v->node_mem);
		if (nodes[i] >= 0) {
			struct plan_node *nd = &ht->nodes[nodes[i]];
			nd->free -= v->mem;
			v->node_mem[nd->id] = v->mem;
			v->nnodes = (unsigned)nd->id + 1;
		} else {
			v->nnodes = 0;   /* spread: unknown until the target's numa_maps say */
		}
		v->host = t;
	}
	sums(b);
}

static int cmp_mem_desc(const void *a, const void *c, void *arg)
{
	const struct unit *us = arg;
	const struct unit *x = &us[*(const size_t *)a], *y = &us[*(const size_t *)c];
	return x->mem < y->mem ? 1 : x->mem > y->mem ? -1 : (x->first > y->first) - (x->first < y->first);
}

static int excluded(const struct plan_balance_opts *o, const char *name)
{
	for (size_t i = 0; i < o->nexclude; i++)
		if (!fnmatch(o->exclude[i], name, 0))
			return 1;
	return 0;
}

/* Units: a keep_together rule's VMs that share a host move as one; one
 * whose VMs are on several hosts holds them where they are. */
static void build_units(struct bal *b)
{
	struct plan_cluster *pc = b->pc;
	b->units = x_calloc(pc->nvms ? pc->nvms : 1, sizeof *b->units);
	b->members = x_calloc(pc->nvms ? pc->nvms : 1, sizeof *b->members);
	b->unit_of = x_malloc((pc->nvms ? pc->nvms : 1) * sizeof *b->unit_of);
	for (size_t v = 0; v < pc->nvms; v++)
		b->unit_of[v] = -1;
	size_t nm = 0;
	for (size_t r = 0; r < nrules(b); r++) {
		const struct placement_rule *rl = rule_at(b, r);
		if (rl->kind != RULE_KEEP_TOGETHER)
			continue;
		struct unit *u = &b->units[b->nunits];
		u->first = nm;
		long host = -1;
		int split = 0;
		for (size_t v = 0; v < pc->nvms; v++) {
			if (b->unit_of[v] >= 0 || !rule_names(rl, pc->vms[v].name))
				continue;
			if (host >= 0 && (size_t)host != pc->vms[v].host)
				split = 1;
			host = (long)pc->vms[v].host;
			b->members[nm++] = v;
			b->unit_of[v] = (long)b->nunits;
			u->n++;
		}
		if (!u->n)
			continue;
		if (split)
			u->fixed = "rule keep_together: its VMs are on several hosts";
		b->nunits++;
	}
	for (size_t v = 0; v < pc->nvms; v++) {
		if (b->unit_of[v] >= 0)
			continue;
		struct unit *u = &b->units[b->nunits];
		u->first = nm;
		u->n = 1;
		b->members[nm++] = v;
		b->unit_of[v] = (long)b->nunits++;
	}
	for (size_t i = 0; i < b->nunits; i++) {
		struct unit *u = &b->units[i];
		for (size_t k = 0; k < u->n; k++) {
			const struct plan_vm *v = &pc->vms[b->members[u->first + k]];
			u->mem += v->mem;
			u->cpu += v->cpu;
			if (!u->fixed && v->fixed)
				u->fixed = v->fixed;
			if (!u->fixed && excluded(b->o, v->name))
				u->fixed = "excluded";
		}
	}
}

static void add_move(struct bal *b, struct plan_result *out, const struct unit *u, size_t from, size_t t,
		     const int *nodes, double after, const char *why)
{
	for (size_t i = 0; i < u->n; i++) {
		x_grow(&out->moves, &out->moves_cap, out->nmoves + 1, sizeof *out->moves);
		struct plan_move *m = &out->moves[out->nmoves++];
		m->vm = b->members[u->first + i];
		m->from = from;
		m->to = t;
		m->node = nodes[i] >= 0 ? b->pc->hosts[t].nodes[nodes[i]].id : -1;
		m->imbalance = after;
		snprintf(m->reason, sizeof m->reason, "%s%s", why, u->n > 1 ? " (kept together)" : "");
	}
}

static void add_skip(struct plan_result *out, size_t vm, const char *why)
{
	x_grow(&out->skips, &out->skips_cap, out->nskips + 1, sizeof *out->skips);
	struct plan_skip *s = &out->skips[out->nskips++];
	s->vm = vm;
	snprintf(s->reason, sizeof s->reason, "%s", why);
}

static const char *by_name(enum plan_by by)
{
	return by == PLAN_BY_MEMORY ? "memory" : by == PLAN_BY_CPU ? "CPU" : "memory+CPU";
}

static void describe(const struct bal *b, size_t s, size_t t, char *out, size_t len)
{
	snprintf(out, len, "%s %s %.0f%% -> %s %.0f%%", by_name(b->o->by), b->pc->hosts[s].cfg->name,
		 100 * load(b, &b->pc->hosts[s]), b->pc->hosts[t].cfg->name, 100 * load(b, &b->pc->hosts[t]));
}

static size_t *sorted_units(const struct bal *b)
{
	size_t *ord = x_malloc((b->nunits ? b->nunits : 1) * sizeof *ord);
	for (size_t i = 0; i < b->nunits; i++)
		ord[i] = i;
	qsort_r(ord, b->nunits, sizeof *ord, cmp_mem_desc, b->units);
	return ord;
}

static void evacuate(struct bal *b, struct plan_result *out)
{
	size_t src = (size_t)b->o->evacuate;
	size_t *ord = sorted_units(b);
	int *tn = NULL, *bn = NULL;
	for (size_t oi = 0; oi < b->nunits; oi++) {
		struct unit *u = &b->units[ord[oi]];
		if (unit_host(b, u) != src)
			continue;
		if (u->fixed) {
			for (size_t i = 0; i < u->n; i++)
				add_skip(out, b->members[u->first + i], u->fixed);
			continue;
		}
		if (b->o->max_moves && out->nmoves >= b->o->max_moves) {
			add_skip(out, b->members[u->first], "max_moves reached");
			continue;
		}
		tn = x_realloc(tn, (u->n + 1) * sizeof *tn);
		bn = x_realloc(bn, (u->n + 1) * sizeof *bn);
		long best = -1;
		double best_v = 0;
		char why[160] = "no host in play takes VMs";
		for (size_t t = 0; t < b->pc->nhosts; t++) {
			if (!b->takes[t] || t == src)
				continue;
			if (can_take(b, u, t, tn, why, sizeof why) < 0)
				continue;
			double v = imbalance_if(b, u, src, t);
			if (best < 0 || v < best_v) {
				best = (long)t, best_v = v;
				memcpy(bn, tn, u->n * sizeof *bn);
			}
		}
		if (best < 0) {
			for (size_t i = 0; i < u->n; i++)
				add_skip(out, b->members[u->first + i], why);
			continue;
		}
		char d[160];
		snprintf(d, sizeof d, "evacuate %s", b->pc->hosts[src].cfg->name);
		move_unit(b, u, (size_t)best, bn);
		add_move(b, out, u, src, (size_t)best, bn, imbalance_of(b, b->s1m, b->s2m, b->s1c, b->s2c), d);
	}
	free(tn);
	free(bn);
	free(ord);
	snprintf(out->stop, sizeof out->stop, "%zu VM(s) leave %s, %zu cannot", out->nmoves,
		 b->pc->hosts[src].cfg->name, out->nskips);
}

/* One step; 0 when a move was planned, -1 when none helps (out->stop says why). */
static int step(struct bal *b, struct plan_result *out, const size_t *ord, double cur)
{
	double mean = b->n ? (b->o->by == PLAN_BY_CPU ? b->s1c : b->o->by == PLAN_BY_MEMORY ? b->s1m
			     : (b->s1m + b->s1c) / 2) / b->n : 0;
	long bu = -1, bt = -1;
	double bv = cur;
	int tn[64], bn[64];
	int *tnp = tn, *bnp = bn;
	size_t maxn = 1;
	for (size_t i = 0; i < b->nunits; i++)
		if (b->units[i].n > maxn)
			maxn = b->units[i].n;
	if (maxn > 64) {
		tnp = x_malloc(maxn * sizeof *tnp);
		bnp = x_malloc(maxn * sizeof *bnp);
	}
	char why[160];
	size_t gs = 0, gt = 0, nt = 0;
	/* loads once per step, and the hosts a move may go to: under the mean */
	double *ld = x_malloc((b->pc->nhosts + 1) * sizeof *ld);
	size_t *targets = x_malloc((b->pc->nhosts + 1) * sizeof *targets);
	for (size_t i = 0; i < b->pc->nhosts; i++) {
		ld[i] = load(b, &b->pc->hosts[i]);
		if (b->takes[i] && (!b->counted[i] || ld[i] < mean))
			targets[nt++] = i;
	}
	if (b->o->greedy) {
		double hi = -1, lo = 2;
		for (size_t i = 0; i < b->pc->nhosts; i++) {
			double l = load(b, &b->pc->hosts[i]);
			if (b->counted[i] && l > hi)
				hi = l, gs = i;
			if (b->takes[i] && l < lo)
				lo = l, gt = i;
		}
	}
	for (size_t oi = 0; oi < b->nunits; oi++) {
		const struct unit *u = &b->units[ord[oi]];
		size_t s = unit_host(b, u);
		if (u->fixed || !b->counted[s] || ld[s] <= mean)
			continue;
		if (b->o->greedy && s != gs)
			continue;
		for (size_t ti = 0; ti < nt; ti++) {
			size_t t = targets[ti];
			if (t == s || (b->o->greedy && t != gt))
				continue;
			double v = imbalance_if(b, u, s, t);
			if (v >= bv)
				continue;
			if (can_take(b, u, t, tnp, why, sizeof why) < 0)
				continue;
			bu = (long)ord[oi], bt = (long)t, bv = v;
			memcpy(bnp, tnp, u->n * sizeof *bnp);
		}
		if (b->o->greedy && bu >= 0)
			break;   /* the largest that helps */
	}
	int rc = -1;
	if (bu < 0 || cur - bv < b->o->margin) {
		snprintf(out->stop, sizeof out->stop, "no move lowers the imbalance %.3f by the margin %.3f", cur,
			 b->o->margin);
	} else {
		struct unit *u = &b->units[bu];
		size_t s = unit_host(b, u);
		char d[160];
		describe(b, s, (size_t)bt, d, sizeof d);
		move_unit(b, u, (size_t)bt, bnp);
		add_move(b, out, u, s, (size_t)bt, bnp, bv, d);
		rc = 0;
	}
	if (tnp != tn) {
		free(tnp);
		free(bnp);
	}
	free(ld);
	free(targets);
	return rc;
}

void plan_balance_defaults(struct plan_balance_opts *o)
{
	memset(o, 0, sizeof *o);
	o->by = PLAN_BY_MEMORY;
	o->threshold = 0.10;
	o->margin = 0.001;
	o->evacuate = -1;
}

static void scope(struct bal *b)
{
	const struct plan_balance_opts *o = b->o;
	for (size_t i = 0; i < b->pc->nhosts; i++) {
		struct plan_host *h = &b->pc->hosts[i];
		if ((o->hosts && !host_matches(h->cfg, o->hosts)) || (o->tag && !host_has_tag(h->cfg, o->tag)))
			h->in_scope = 0;
		int ok = h->in_scope && h->up && !h->maintenance && (long)i != o->evacuate;
		b->counted[i] = (unsigned char)ok;
		b->takes[i] = (unsigned char)ok;
	}
	sums(b);
}

double plan_imbalance(const struct plan_cluster *pc, const struct plan_balance_opts *o)
{
	struct bal b = { .pc = (struct plan_cluster *)pc, .o = o };
	b.counted = x_calloc(pc->nhosts + 1, 1);
	b.takes = x_calloc(pc->nhosts + 1, 1);
	scope(&b);
	double v = imbalance_of(&b, b.s1m, b.s2m, b.s1c, b.s2c);
	free(b.counted);
	free(b.takes);
	return v;
}

int plan_balance(struct plan_cluster *pc, const struct plan_balance_opts *o, struct plan_result *out,
		 struct vd_err *err)
{
	memset(out, 0, sizeof *out);
	if (o->threshold < 0 || o->margin < 0)
		return err_set(err, VD_EINVAL, "threshold and margin must not be negative");
	if (o->evacuate >= (long)pc->nhosts)
		return err_set(err, VD_EINVAL, "no such host to evacuate");
	for (size_t r = 0; r < o->nrules; r++)
		if (o->rules[r].kind == RULE_PIN_TO && !o->rules[r].hosts)
			return err_set(err, VD_EINVAL, "rule pin_to needs hosts");
	struct bal b = { .pc = pc, .o = o };
	b.counted = x_calloc(pc->nhosts + 1, 1);
	b.takes = x_calloc(pc->nhosts + 1, 1);
	scope(&b);
	out->hosts = b.n;
	build_units(&b);
	out->before = imbalance_of(&b, b.s1m, b.s2m, b.s1c, b.s2c);
	if (o->evacuate >= 0) {
		evacuate(&b, out);
	} else {
		size_t *ord = sorted_units(&b);
		for (;;) {
			double cur = imbalance_of(&b, b.s1m, b.s2m, b.s1c, b.s2c);
			if (cur <= o->threshold) {
				snprintf(out->stop, sizeof out->stop, "imbalance %.3f is at or under the threshold %.3f",
					 cur, o->threshold);
				break;
			}
			if (o->max_moves && out->nmoves >= o->max_moves) {
				snprintf(out->stop, sizeof out->stop, "max_moves %u reached", o->max_moves);
				break;
			}
			if (step(&b, out, ord, cur) < 0)
				break;
		}
		free(ord);
	}
	out->after = imbalance_of(&b, b.s1m, b.s2m, b.s1c, b.s2c);
	free(b.counted);
	free(b.takes);
	free(b.units);
	free(b.members);
	free(b.unit_of);
	return 0;
}

void plan_result_free(struct plan_result *r)
{
	free(r->moves);
	free(r->skips);
	memset(r, 0, sizeof *r);
}

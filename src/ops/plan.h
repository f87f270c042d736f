/* plan.h — the placement planners: NUMA placement inside one host and
 * live-migration balancing across hosts.
 *
 * Pure: the planners read a plan_cluster, a scratch copy of what placement
 * needs (plan_model.c builds one from the live model; tests build small
 * ones by hand) and change only that copy as they plan.  Nothing here
 * talks to a host: runbooks apply a plan with d:migrate, d:pin_vcpus and
 * d:set_numatune.  Sizes in bytes, CPU in host CPUs. */
#ifndef VD_PLAN_H
#define VD_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "model/cluster.h"

#define PLAN_MAX_NODES DOM_MAX_NUMA

struct plan_node {
	int      id;
	unsigned ncpus;            /* 0: memory-only node, never a home */
	char     cpus[96];         /* its CPU list, "0-15,32-47" */
	uint64_t total, free;      /* bytes; free changes as moves are planned */
};

struct plan_host {
	const struct host_config *cfg;   /* name, tags (borrowed) */
	char     hypervisor[32];
	int      up;               /* answering: may take VMs */
	int      in_scope;         /* hosts = / tag = of the call */
	int      maintenance;      /* takes no new VMs */
	uint64_t mem_total, mem_used;
	double   cpu_total, cpu_used;
	struct plan_node nodes[PLAN_MAX_NODES];
	unsigned nnodes;
	unsigned cells;            /* NUMA cells libvirt reports (nodes[] come from the host's own files) */
};

struct plan_vm {
	const char *name;          /* borrowed */
	size_t   host;             /* index in hosts; changes as moves are planned */
	uint64_t mem;              /* what it needs on a host */
	double   cpu;              /* CPUs it uses */
	unsigned vcpus;
	uint64_t node_mem[PLAN_MAX_NODES];   /* resident per node (numa_maps) */
	unsigned nnodes;
	uint32_t vcpu_nodes;       /* mask: nodes of its vCPU pins, 0 unpinned */
	uint32_t strict_nodes;     /* mask: numatune strict nodeset, 0 none */
	const char *fixed;         /* why it cannot migrate live; NULL: it can */
};

struct plan_cluster {
	struct plan_host *hosts;
	size_t nhosts;
	struct plan_vm *vms;
	size_t nvms;
	const struct placement_rule *rules;   /* the inventory's, borrowed */
	size_t nrules;
};

/* Builds pc from the live model (plan_model.c).  Free with plan_cluster_free. */
void plan_cluster_from(const struct cluster *c, struct plan_cluster *pc);
void plan_cluster_free(struct plan_cluster *pc);
/* Index of the host named name, -1 when none. */
long plan_host_index(const struct plan_cluster *pc, const char *name);
/* Counts the running VM named vm as on host to already, its memory on
 * NUMA node node there (-1: spread): a migration under way, which a new
 * plan must neither repeat nor undo.  The VM is marked as not movable. */
int  plan_assume_move(struct plan_cluster *pc, const char *vm, const char *to, int node, struct vd_err *err);
/* Locality (0..1, -1 unknown) of v as placed now. */
double plan_vm_locality(const struct plan_vm *v);

/* ---- balancing (plan_balance.c) ---- */

enum plan_by { PLAN_BY_MEMORY, PLAN_BY_CPU, PLAN_BY_BOTH };

struct plan_balance_opts {
	enum plan_by by;
	double   threshold;        /* done when the imbalance is at or under it */
	double   margin;           /* a move must lower the imbalance by at least this */
	unsigned max_moves;        /* 0: no limit */
	const char *hosts;         /* --hosts style patterns of the hosts in play, NULL all */
	const char *tag;           /* and/or a tag they carry */
	const char *const *exclude;   /* VM globs never moved */
	size_t   nexclude;
	const struct placement_rule *rules;   /* in addition to the cluster's */
	size_t   nrules;
	int      greedy;           /* the baseline: largest VM from the most to the least loaded host */
	long     evacuate;         /* host index whose movable VMs all go, -1 none */
};

struct plan_move {
	size_t   vm, from, to;
	int      node;             /* NUMA node on the target, -1: the VM spans nodes there */
	double   imbalance;        /* cluster imbalance after this step */
	char     reason[160];
};

struct plan_skip {
	size_t   vm;
	char     reason[160];
};

struct plan_result {
	struct plan_move *moves;
	size_t   nmoves, moves_cap;
	struct plan_skip *skips;   /* VMs that had to move (evacuate) but could not */
	size_t   nskips, skips_cap;
	double   before, after;    /* cluster imbalance */
	unsigned hosts;            /* hosts counted in the imbalance */
	char     stop[160];        /* why planning ended */
};

void plan_balance_defaults(struct plan_balance_opts *o);
/* Plans moves in pc (which it changes); -1 with err on bad options. */
int  plan_balance(struct plan_cluster *pc, const struct plan_balance_opts *o, struct plan_result *out,
		  struct vd_err *err);
/* The imbalance (coefficient of variation of host usage) of pc now. */
double plan_imbalance(const struct plan_cluster *pc, const struct plan_balance_opts *o);
void plan_result_free(struct plan_result *r);

/* ---- NUMA placement on one host (plan_numa.c) ---- */

enum plan_numa_action {
	PN_PIN,        /* pin vCPUs and memory to node */
	PN_KEEP,       /* already inside node */
	PN_STRICT,     /* an existing strict numatune, respected */
	PN_SPANS,      /* fits in no single node: left as is */
};

struct plan_pin {
	size_t   vm;
	enum plan_numa_action action;
	int      node;             /* PN_PIN, PN_KEEP: the node; else -1 */
	double   before, after;    /* locality, -1 unknown */
	char     reason[160];
};

struct plan_numa_result {
	struct plan_pin *pins;
	size_t   npins, pins_cap;
	double   locality_before, locality_after;    /* mean over the host's VMs, -1 unknown */
	double   imbalance_before, imbalance_after;  /* across the host's CPU nodes */
};

/* Plans one host; override_strict: existing strict numatune may be moved. */
int  plan_numa(const struct plan_cluster *pc, size_t host, int override_strict, struct plan_numa_result *out,
	       struct vd_err *err);
void plan_numa_result_free(struct plan_numa_result *r);
const char *plan_numa_action_name(enum plan_numa_action a);

#endif

/* numa_locality.h — how local a VM's memory is to its vCPUs, and how evenly
 * a host's NUMA nodes are used.
 *
 * Pure over the model.  A VM's locality is the share of its resident
 * memory (numa_maps, d->stats.numa_mem) on the nodes its vCPUs run on: the
 * nodes holding a CPU of its <vcpupin> cpusets.  An unpinned VM's threads
 * float; the best the scheduler can do is keep them on the node holding
 * most of its memory, so its locality is that node's share.  A host's
 * imbalance is the coefficient of variation of the used share of memory
 * over its nodes that have CPUs (0 = even). */
#ifndef VD_NUMA_LOCALITY_H
#define VD_NUMA_LOCALITY_H

#include <stdint.h>

#include "model/cluster.h"

/* Node ids (< DOM_MAX_NUMA) holding a CPU of d's vCPU pins, as a mask;
 * 0 when d has no pins or the host's topology is unknown. */
uint32_t numa_vcpu_nodes(const struct host *h, const struct dom_info *info);
/* Locality of memory bytes[] (per node) for vCPUs on the nodes of mask
 * (0: unpinned, the fullest node counts).  -1 when no memory is known. */
double   numa_locality_of(const uint64_t *bytes, unsigned nodes, uint32_t mask);
/* d's locality, 0..1; -1 when unknown (not running, no numa_maps). */
double   domain_numa_locality(const struct host *h, const struct domain *d);
/* Mean locality of h's VMs whose locality is known; -1 when none is. */
double   host_numa_locality(const struct host *h);
/* Coefficient of variation of the used memory share of h's CPU nodes;
 * -1 when unknown (no metrics, fewer than two such nodes: 0). */
double   host_numa_imbalance(const struct host *h);
/* Coefficient of variation of x[0..n-1] (stddev / mean); 0 when n < 2 or
 * the mean is 0. */
double   coeff_variation(const double *x, unsigned n);

#endif

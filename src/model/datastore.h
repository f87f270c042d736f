/* datastore.h — storage pools of several hosts that are one storage.
 *
 * A datastore is the storage behind libvirt pools, keyed by what the pool
 * says its storage is, so that the same storage seen from several hosts is
 * one datastore with the list of those hosts:
 *   netfs        the server(s) and the export:      netfs:HOST:/export
 *   gluster      the server, volume and directory:  gluster:HOST/VOLUME/DIR
 *   iscsi, iscsi-direct  the portal and target IQN: iscsi:HOST/IQN
 *   rbd          the Ceph pool and its monitors:    rbd:POOL@MON,MON
 *   dir, fs      the pool's UUID and its path:      path:UUID:/PATH
 * A dir or fs pool is local unless it is declared on several hosts with one
 * UUID and one target path: defining the pool from the same XML on each
 * host (virsh pool-define of one file; pool-dumpxml keeps the UUID) is how
 * an operator says "this path is the same storage everywhere" (a cluster
 * file system, or a mount made outside libvirt).  Every other type
 * (logical, scsi, mpath, disk, zfs, ...) is local: local:HOST:POOL.
 *
 * Pure: built on demand from the model; indices point into the cluster as
 * it was when built. */
#ifndef VD_MODEL_DATASTORE_H
#define VD_MODEL_DATASTORE_H

#include <stddef.h>
#include <stdint.h>

#include "metrics/poolxml.h"

struct cluster;

/* Defaults of the alert thresholds. */
#define DATASTORE_FULL_PCT        85
#define DATASTORE_OVERCOMMIT_MAX  3.0

struct ds_member { size_t host, pool; };
struct ds_vm     { size_t host, dom; };

struct datastore {
	char     key[512];
	char     name[128];          /* the first member pool's name */
	char     type[16];
	int      shared;             /* network storage, or a directory several hosts declare */
	struct ds_member *members;   /* the hosts that see it, one pool each */
	size_t   nmembers;
	uint64_t capacity, allocation, available;   /* the largest member's view */
	uint64_t virtual_size;       /* sum of the distinct volumes' capacities */
	uint64_t volume_allocation;  /* sum of their allocations */
	size_t   nvolumes;
	struct ds_vm *vms;           /* VMs with a disk (or a chain layer) on it */
	size_t   nvms;
	size_t  *strangers;          /* hosts running its VMs without a pool for it */
	size_t   nstrangers;
};

struct datastore_list {
	struct datastore *v;
	size_t            n;
};

/* The key of pool p of host host_name (above). */
void datastore_key(const char *host_name, const struct pool_info *p, char *buf, size_t len);
void datastores_build(const struct cluster *c, struct datastore_list *out);
void datastore_list_free(struct datastore_list *l);
/* virtual_size / capacity; 0 when capacity is unknown. */
double datastore_overcommit(const struct datastore *d);
/* The datastore holding path for a VM of host index h; NULL none. */
const struct datastore *datastore_of_path(const struct datastore_list *l, const struct cluster *c, size_t h,
					  const char *path);

/* Alerts of one datastore: over full_pct % allocated, a thin overcommit
 * over max_ratio, hosts running its VMs without seeing it.  Writes up to
 * max messages of len bytes each into msgs; returns how many. */
size_t datastore_alerts(const struct datastore *d, const struct cluster *c, unsigned full_pct, double max_ratio,
			char (*msgs)[256], size_t max);

#endif

/* devices.h — a host's GPUs and LUNs as the model knows them, and who uses
 * them: libvirt's view (host->gpus, host->san_luns) joined with the host
 * side (host->metrics: sysfs mdev tree, /dev/disk links), and the domains
 * whose XML names an mdev or a LUN.  Read-only helpers over the model for
 * the Lua API, validation and the TUI. */
#ifndef VD_MODEL_DEVICES_H
#define VD_MODEL_DEVICES_H

#include "model/cluster.h"

/* libvirt's node devices, completed by sysfs (caller frees with gpu_inv_free). */
void host_gpus(const struct host *h, struct gpu_inv *out);
/* Host-side LUNs, with the SAN pool volumes that name them (lun_list_free). */
void host_luns(const struct host *h, struct lun_list *out);
/* The domain of h whose XML holds the mdev uuid, NULL when none. */
const struct domain *host_mdev_user(const struct host *h, const char *uuid);
/* The host (other than skip) that has mdev uuid, NULL when none. */
const struct host *cluster_mdev_host(const struct cluster *c, const char *uuid, const struct host *skip);
/* Free instances of type over every GPU of inv; -1 when no GPU offers it. */
int  gpu_inv_free_instances(const struct gpu_inv *inv, const char *type);

/* What identifies a LUN across hosts: its WWN, else its iSCSI target/LUN,
 * else (one host only) its path. */
struct lun_ident {
	char wwn[80];
	char iscsi[240];    /* "IQN/LUN" */
	char path[300];     /* "HOST:PATH" */
};
void lun_ident_of(const struct host *h, const struct lun *u, struct lun_ident *id);
/* A disk that reaches a raw device (device='lun', a block source, an iSCSI
 * network source): fills id (from the host's LUN when one matches) and
 * returns 1; 0 for other disks. */
int  disk_lun_ident(const struct host *h, const struct lun_list *luns, const struct dom_disk *d,
		    struct lun_ident *id);
int  lun_ident_same(const struct lun_ident *a, const struct lun_ident *b);
/* Cluster-wide key: "wwn:…", "iscsi:…" or "path:HOST:…". */
void lun_ident_key(const struct lun_ident *id, char *out, size_t len);

#endif

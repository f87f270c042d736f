/* lun.h — raw LUNs a host sees (for RDM), from the host's /dev/disk links
 * and /sys/block, and from libvirt storage pools of SAN types.
 *
 * Pure parsers over bundle records: the "luns" command record holds lines
 * "<link> <readlink target>" for the iSCSI and FC links of
 * /dev/disk/by-path and the wwn- links of /dev/disk/by-id; /sys/block/<dev>/{size,
 * device/vendor,device/model,device/wwid} come as file records.  A LUN is
 * a block device named by at least one such link.  WWNs are kept
 * normalised (lower-case hex, no "0x"/"naa." prefix) so the same LUN seen
 * from two hosts compares equal. */
#ifndef VD_METRICS_LUN_H
#define VD_METRICS_LUN_H

#include <stddef.h>
#include <stdint.h>

struct vd_err;
struct dom_disk;

struct lun {
	char     dev[32];        /* sdb, dm-3 ("" for a pool volume with no device seen) */
	char     path[256];      /* preferred stable path: by-path, else by-id, else /dev/<dev> */
	char     by_id[128];     /* /dev/disk/by-id/wwn-... or "" */
	char     wwn[80];        /* normalised, "" unknown */
	char     vendor[32], model[48];
	uint64_t size;           /* bytes, 0 unknown */
	char     transport[16];  /* iscsi, fc, scsi, mpath, iscsi-direct */
	char     portal[64];     /* iSCSI: host:port */
	char     iqn[224];       /* iSCSI target name */
	int      lun;            /* iSCSI/FC LUN number, -1 unknown */
	char     pool[64], volume[128];   /* libvirt pool volume naming it */
};

struct lun_list {
	struct lun *v;
	size_t      n, cap;
};

/* The "luns" record. */
int  lun_parse_links(struct lun_list *l, const char *data, size_t n, struct vd_err *err);
/* One /sys/block file; rel is below /sys/block/ ("sdb/size", "sdb/device/wwid"). */
int  lun_sysfs_file(struct lun_list *l, const char *rel, const char *data, size_t n, struct vd_err *err);
/* Drops /sys/block entries that no LUN link named; call once all records are in. */
void lun_list_finish(struct lun_list *l);

/* A volume of a libvirt pool (type iscsi, iscsi-direct, scsi, mpath):
 * pool_xml and vol_xml are virStoragePoolGetXMLDesc / virStorageVolGetXMLDesc. */
int  lun_pool_volume_add(struct lun_list *l, const char *pool_xml, size_t plen,
			 const char *vol_xml, size_t vlen, struct vd_err *err);
/* 1 when pool_xml is a pool of one of the SAN types above. */
int  lun_pool_is_san(const char *pool_xml, size_t len);

/* Adds src's LUNs to dst: a pool volume whose path (or WWN) matches a
 * device already in dst only names its pool and volume there. */
void lun_list_merge(struct lun_list *dst, const struct lun_list *src);
void lun_list_copy(struct lun_list *dst, const struct lun_list *src);
void lun_list_free(struct lun_list *l);

/* Lower-case hex WWN of s ("0x6001...", "naa.6001...", "36001..."), "" when none. */
void lun_wwn_normalise(const char *s, char *out, size_t len);
/* The LUN of l that a domain disk uses (block path, pool volume or iSCSI
 * network source), NULL when none. */
const struct lun *lun_for_disk(const struct lun_list *l, const struct dom_disk *d);
/* The LUN of l with this path, /dev name, by-id link, WWN or "pool/volume". */
const struct lun *lun_find(const struct lun_list *l, const char *what);
const struct lun *lun_find_iscsi(const struct lun_list *l, const char *iqn, int lun);

#endif

/* poolxml.h — libvirt storage pools and volumes from their XML.
 *
 * Pure parsers over virStoragePoolGetXMLDesc and virStorageVolGetXMLDesc:
 * a pool's type, where its storage comes from (<source>: NFS server and
 * export, iSCSI portal and target, RBD monitors and pool, devices), where
 * it appears on the host (<target><path>), its sizes; a volume's path,
 * format, sizes and backing file.  Pools of type dir, fs and netfs keep
 * their volumes as files under the target directory: the only places
 * operations may look for and create disk files on a host (restore_to). */
#ifndef VD_METRICS_POOLXML_H
#define VD_METRICS_POOLXML_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct pool_volume {
	char    *name;
	char    *path;            /* target path: file, device, or rbd/pool name */
	char     format[16];      /* qcow2, raw, ... ("" unknown) */
	uint64_t capacity;        /* what a guest sees */
	uint64_t allocation;      /* what is used */
	uint64_t physical;        /* the file's size; 0 when the XML has none */
	char    *backing;         /* <backingStore><path>, NULL none */
	char     backing_format[16];
};

struct pool_info {
	char     name[128];
	char     uuid[37];
	char     type[16];        /* dir, fs, netfs, logical, iscsi, iscsi-direct, scsi, mpath, rbd, gluster, ... */
	char     source_format[16];   /* <source><format type>: nfs, glusterfs, lvm2, ... */
	char   **source_hosts;    /* <source><host name[:port]> (NFS server, portal, RBD monitors) */
	size_t   nsource_hosts;
	char    *source_dir;      /* <source><dir path> (NFS export, gluster path) */
	char    *source_device;   /* first <source><device path> (iSCSI target IQN, disk) */
	char    *source_name;     /* <source><name> (RBD pool, VG, gluster volume) */
	char    *target_path;     /* <target><path>, without trailing '/' */
	int      active, autostart;   /* from the API, not the XML: the caller fills them */
	uint64_t capacity, allocation, available;
	struct pool_volume *vols;
	size_t   nvols;
};

/* A pool's XML into out (zeroed first); -1 and err when it is no <pool>. */
int  pool_xml_parse(const char *xml, size_t len, struct pool_info *out, struct vd_err *err);
/* A volume's XML into out (zeroed first); -1 and err when it is no <volume>. */
int  pool_volume_xml_parse(const char *xml, size_t len, struct pool_volume *out, struct vd_err *err);
/* Appends v (taken: v is zeroed) to p's volumes. */
void pool_add_volume(struct pool_info *p, struct pool_volume *v);
/* 1 for the types whose volumes are files under target_path. */
int  pool_type_holds_files(const char *type);
void pool_volume_free(struct pool_volume *v);
void pool_info_free(struct pool_info *p);
void pool_info_copy(struct pool_info *dst, const struct pool_info *src);
void pool_infos_free(struct pool_info *v, size_t n);

/* The pool's target directory without trailing '/' ("/" stays), as a heap
 * string; NULL when the XML is no file pool or names no absolute path. */
char *pool_xml_file_dir(const char *xml, size_t len);

#endif

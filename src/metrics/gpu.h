/* gpu.h — GPUs, their vGPU (mdev) types and the mdevs that exist, as
 * libvirt's node devices and the kernel's sysfs mdev tree describe them.
 *
 * Pure parsers: one node device XML document at a time (libvirt side), one
 * bundle record at a time (sysfs side: /sys/class/mdev_bus/<pci>/... files
 * and the "mdevs" command record of "<uuid> <mdev_type link>" lines).  Both
 * fill the same struct gpu_inv; gpu_inv_merge() joins the two views, the
 * first one given winning where both know a value. */
#ifndef VD_METRICS_GPU_H
#define VD_METRICS_GPU_H

#include <stddef.h>

struct vd_err;

enum { GPU_FROM_LIBVIRT = 1u << 0, GPU_FROM_SYSFS = 1u << 1 };

struct gpu_type {
	char id[64];           /* nvidia-63, i915-GVTg_V5_4 */
	char name[64];         /* GRID P40-2Q */
	char device_api[16];   /* vfio-pci */
	char description[160];
	int  available;        /* free instances, -1 unknown */
};

struct gpu_dev {
	char name[64];         /* libvirt node device name: pci_0000_3b_00_0 */
	char address[16];      /* PCI address: 0000:3b:00.0 */
	char vendor[64], product[96];
	char vendor_id[8], product_id[8];   /* 0x10de */
	int  numa_node;        /* -1 unknown */
	unsigned from;         /* GPU_FROM_* */
	struct gpu_type *types;
	size_t ntypes, tcap;
};

struct gpu_mdev {
	char uuid[37];
	char type[64];
	char parent[16];       /* PCI address of the parent GPU */
	unsigned from;
};

struct gpu_inv {
	struct gpu_dev  *gpus;
	size_t           ngpus, gcap;
	struct gpu_mdev *mdevs;
	size_t           nmdevs, mcap;
};

/* Adds what one libvirt node device XML says: a PCI device with an
 * mdev_types capability becomes a GPU, an mdev capability an mdev; others
 * are ignored.  -1 only for XML that does not parse. */
int  gpu_nodedev_add(struct gpu_inv *inv, const char *xml, size_t len, struct vd_err *err);
/* One sysfs file, rel being the path below /sys/class/mdev_bus/
 * ("0000:3b:00.0/mdev_supported_types/nvidia-63/available_instances",
 * "0000:3b:00.0/numa_node", ...).  Unknown files are ignored. */
int  gpu_sysfs_file(struct gpu_inv *inv, const char *rel, const char *data, size_t n, struct vd_err *err);
/* The "mdevs" record: lines "<uuid> <target of /sys/bus/mdev/devices/<uuid>/mdev_type>". */
int  gpu_sysfs_mdevs(struct gpu_inv *inv, const char *data, size_t n, struct vd_err *err);

/* Adds to dst what only src knows (GPUs, types, mdevs, unknown fields). */
void gpu_inv_merge(struct gpu_inv *dst, const struct gpu_inv *src);
void gpu_inv_copy(struct gpu_inv *dst, const struct gpu_inv *src);
void gpu_inv_free(struct gpu_inv *inv);
/* Sorts GPUs by address, types by id, mdevs by parent then uuid. */
void gpu_inv_sort(struct gpu_inv *inv);

/* By node device name or PCI address (either spelling); NULL when absent. */
const struct gpu_dev  *gpu_find(const struct gpu_inv *inv, const char *parent);
const struct gpu_type *gpu_find_type(const struct gpu_dev *g, const char *type);
const struct gpu_mdev *gpu_find_mdev(const struct gpu_inv *inv, const char *uuid);
/* "0000:3b:00.0" <-> "pci_0000_3b_00_0"; 0 on success. */
int  gpu_name_to_address(const char *name, char *out, size_t len);
void gpu_address_to_name(const char *address, char *out, size_t len);
/* 1 when s is a UUID in 8-4-4-4-12 hex form. */
int  gpu_uuid_valid(const char *s);

#endif

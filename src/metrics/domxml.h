/* domxml.h — what vdeck needs from a libvirt domain XML document.
 *
 * A pure parser: XML text in, struct dom_info out.  Sizes are bytes.  The
 * fields are those the console shows and the operations validate against
 * (vCPUs, memory, disks, NICs, pinning, numatune, hostdevs). */
#ifndef VD_DOMXML_H
#define VD_DOMXML_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* One layer of a disk's backing chain, below the disk's own file. */
struct dom_layer {
	char    *path;         /* file or device; NULL when libvirt names no source */
	char     format[16];
	uint64_t capacity;     /* filled from pool volumes; 0 = unknown */
	uint64_t allocation;
};

#define DOM_MAX_CHAIN 32   /* deeper chains are cut here (a loop in foreign XML) */

struct dom_disk {
	char     target[32];   /* vda, sdb */
	char     device[16];   /* disk, cdrom, lun */
	char     type[16];     /* file, block, network, volume */
	char     bus[16];
	char     format[16];   /* qcow2, raw */
	char    *source;       /* file/dev path, pool/volume, or protocol:name */
	char    *backing;      /* first file/dev of <backingStore> (the source's backing file), NULL none */
	int      shareable;
	char     sgio[16];
	uint64_t capacity;     /* filled from pool volumes or block info; 0 = unknown */
	uint64_t allocation;
	uint64_t physical;     /* the file's size (block.N.physical, volume <physical>); 0 = unknown */
	struct dom_layer *chain;   /* <backingStore> layers, top first (chain[0].path == backing) */
	size_t   nchain;
};

/* How a VM NIC reaches the host (dom_nic.mode), from <interface type=>
 * and <virtualport type=>. */
enum nic_mode {
	NIC_MODE_OTHER,      /* user, ethernet, mcast, ... */
	NIC_MODE_BRIDGE,     /* type='bridge': a tap in a Linux bridge */
	NIC_MODE_NETWORK,    /* type='network': a libvirt network */
	NIC_MODE_OVS,        /* <virtualport type='openvswitch'>: a tap in an OVS bridge */
	NIC_MODE_DIRECT,     /* type='direct': macvtap on a host NIC */
	NIC_MODE_HOSTDEV,    /* type='hostdev': an SR-IOV VF passed through */
	NIC_MODE_VHOSTUSER,  /* type='vhostuser': a user-space switch (OVS-DPDK) socket */
};

struct dom_nic {
	char  mac[18];
	char  type[16];        /* network, bridge, hostdev, direct, vhostuser */
	char  model[16];
	char *source;          /* network or bridge or device name */
	char  interfaceid[37]; /* <virtualport><parameters interfaceid=> (an OVS port's), "" none */
	char  portgroup[32];
	char  target[32];      /* tap device when running */
	unsigned vlan;         /* 0 = none; the first tag of a trunk */
	enum nic_mode mode;
	unsigned queues;       /* <driver queues=>, 0 = not set (one) */
	char  direct_mode[16]; /* direct: vepa, bridge, private, passthrough */
	char  vf_address[16];  /* hostdev: the VF's PCI address 0000:3b:02.0 */
	char  filter[32];      /* <filterref filter=> */
	int   vlan_trunk;      /* <vlan trunk='yes'> or several tags */
	uint64_t in_average, out_average;  /* <bandwidth> KiB/s, 0 = none */
	int64_t  coalesce_rx_frames;       /* <coalesce><rx><frames max=>, -1 = not set */
	char    *xml;          /* the <interface> element as libvirt dumped it (an update starts from it) */
};

const char *nic_mode_name(enum nic_mode m);   /* "bridge", "network", "ovs", ... */

struct dom_vcpupin {
	unsigned vcpu;
	char     cpuset[64];
};

struct dom_hostdev {
	char type[16];         /* mdev, pci, scsi */
	char uuid[37];         /* mdev */
	char model[16];        /* vfio-pci */
	char address[32];      /* pci 0000:3b:00.0 */
};

struct dom_info {
	char     name[128];
	char     uuid[37];
	unsigned vcpus, max_vcpus;
	uint64_t memory, max_memory, hotplug_memory; /* currentMemory, memory, maxMemory */
	unsigned memory_slots;
	char     numatune_mode[16];
	char     numatune_nodeset[64];
	unsigned guest_numa_cells;

	struct dom_disk    *disks;    size_t ndisks;
	struct dom_nic     *nics;     size_t nnics;
	struct dom_vcpupin *pins;     size_t npins;
	struct dom_hostdev *hostdevs; size_t nhostdevs;
	unsigned scsi_controllers;    /* virtio-scsi controllers present */
	unsigned dimms;
	char     emulatorpin[64];     /* <cputune><emulatorpin cpuset>, "" none */
	int      hugepages;           /* <memoryBacking><hugepages> */
	uint64_t hugepage_size;       /* its first <page size>, bytes; 0: the host's default */
	int      shared_memory;       /* <memoryBacking><access mode='shared'> (vhost-user needs it) */
	atomic_int *arrays_refs;      /* set by dom_info_share: how many infos hold the arrays */
};

int  domxml_parse(const char *xml, size_t len, struct dom_info *out, struct vd_err *err);
void dom_info_free(struct dom_info *info);
void dom_info_copy(struct dom_info *dst, const struct dom_info *src);   /* deep */
/* dst gets src's fields and shares its arrays (disks, NICs, pins, host
 * devices, their strings) read-only: a poll's cache and the model hold one
 * copy of 3000 VMs' devices, not two.  Whoever changes shared arrays calls
 * dom_info_own first, which gives it a private copy when others hold them. */
void dom_info_share(struct dom_info *dst, struct dom_info *src);
void dom_info_own(struct dom_info *info);

#endif

/* optable.c — the operation table and its typed arguments.
 *
 * Each entry names the operation as the Lua method is called (d:set_vcpus),
 * its arguments with types, defaults and one-line docs, and its flags.  The
 * generic code in ops/opexec.c and lua/api_ops.c reads only this table. */
#include "ops/optable.h"
#include "ops/op_impl.h"
#include "ops/op_impl_gpu.h"
#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define ARGS(a) a, sizeof a / sizeof a[0]
#define LIVE_CONFIG \
	{ "live", OT_BOOLEAN, 0, NULL, "change the running domain (default: when running)", NULL, NULL, NULL }, \
	{ "config", OT_BOOLEAN, 0, NULL, "change the persistent definition (default: when shut off)", NULL, NULL, NULL }
#define RELEASE_TIMEOUT \
	{ "timeout", OT_NUMBER, 0, "10", "seconds to wait for the guest to release the device", NULL, "0", "3600" }

static const char *const buses[] = { "virtio", "scsi", "sata", "ide", "usb", NULL };
static const char *const disk_types[] = { "file", "block", NULL };
static const char *const formats[] = { "raw", "qcow2", NULL };
static const char *const devices[] = { "disk", "lun", "cdrom", NULL };
static const char *const caches[] = { "default", "none", "writethrough", "writeback", "directsync", "unsafe", NULL };
static const char *const nic_models[] = { "virtio", "e1000", "e1000e", "rtl8139", NULL };

static const struct op_arg a_run[] = {
	{ "command", OT_STRING, OAF_REQUIRED | OAF_POSITIONAL, NULL, "sh command line", NULL, NULL, NULL },
	{ "timeout", OT_NUMBER, 0, "30", "seconds before the command is given up", NULL, "0.001", "86400" },
	{ "max_bytes", OT_SIZE, 0, "16M", "output (stdout and stderr) past which the command is stopped",
	  NULL, "4K", "256M" },
};
static const struct op_arg a_set_vcpus[] = {
	{ "count", OT_INTEGER, OAF_REQUIRED | OAF_POSITIONAL, NULL, "number of vCPUs", NULL, "1", NULL },
	LIVE_CONFIG,
};
static const struct op_arg a_set_memory[] = {
	{ "size", OT_SIZE, OAF_REQUIRED | OAF_POSITIONAL, NULL, "balloon target (e.g. 2G)", NULL, NULL, NULL },
	LIVE_CONFIG,
};
static const struct op_arg a_dimm[] = {
	{ "size", OT_SIZE, OAF_REQUIRED | OAF_POSITIONAL, NULL, "DIMM size (e.g. 256M)", NULL, NULL, NULL },
	{ "node", OT_INTEGER, 0, "0", "guest NUMA node", NULL, "0", NULL },
	LIVE_CONFIG,
	RELEASE_TIMEOUT,
};
static const struct op_arg a_attach_disk[] = {
	{ "source", OT_STRING, OAF_REQUIRED, NULL, "image file or block device", NULL, NULL, NULL },
	{ "target", OT_STRING, OAF_REQUIRED, NULL, "guest device name (vdb, sdc)", NULL, NULL, NULL },
	{ "type", OT_ENUM, 0, "file", "source type", disk_types, NULL, NULL },
	{ "bus", OT_ENUM, 0, "virtio", "bus", buses, NULL, NULL },
	{ "format", OT_ENUM, 0, "raw", "image format", formats, NULL, NULL },
	{ "device", OT_ENUM, 0, "disk", "device kind", devices, NULL, NULL },
	{ "cache", OT_ENUM, 0, NULL, "cache mode", caches, NULL, NULL },
	{ "readonly", OT_BOOLEAN, 0, NULL, "read-only", NULL, NULL, NULL },
	{ "shareable", OT_BOOLEAN, 0, NULL, "shared with other VMs", NULL, NULL, NULL },
	{ "serial", OT_STRING, 0, NULL, "serial number the guest sees", NULL, NULL, NULL },
	LIVE_CONFIG,
};
static const struct op_arg a_detach_disk[] = {
	{ "target", OT_STRING, OAF_REQUIRED | OAF_POSITIONAL, NULL, "guest device name (vdb)", NULL, NULL, NULL },
	LIVE_CONFIG,
	RELEASE_TIMEOUT,
};
static const struct op_arg a_resize_disk[] = {
	{ "target", OT_STRING, OAF_REQUIRED | OAF_POSITIONAL, NULL, "guest device name (vda)", NULL, NULL, NULL },
	{ "size", OT_SIZE, OAF_REQUIRED | OAF_POSITIONAL, NULL, "new size, larger than the current", NULL, NULL, NULL },
};
static const struct op_arg a_attach_nic[] = {
	{ "network", OT_STRING, 0, NULL, "libvirt network", NULL, NULL, NULL },
	{ "bridge", OT_STRING, 0, NULL, "host bridge (instead of network)", NULL, NULL, NULL },
	{ "model", OT_ENUM, 0, "virtio", "NIC model", nic_models, NULL, NULL },
	{ "mac", OT_STRING, 0, NULL, "MAC address (default: libvirt picks)", NULL, NULL, NULL },
	{ "portgroup", OT_STRING, 0, NULL, "network portgroup", NULL, NULL, NULL },
	{ "vlan", OT_INTEGER, 0, NULL, "VLAN tag", NULL, "1", "4094" },
	LIVE_CONFIG,
	{ "vf", OT_STRING, 0, NULL, "SR-IOV VF of the host to pass through (PCI 0000:3b:02.1; instead of network)", NULL, NULL, NULL },
};
static const struct op_arg a_detach_nic[] = {
	{ "mac", OT_STRING, OAF_REQUIRED | OAF_POSITIONAL, NULL, "MAC address of the NIC", NULL, NULL, NULL },
	LIVE_CONFIG,
	RELEASE_TIMEOUT,
};
static const struct op_arg a_snapshot[] = {
	{ "name", OT_STRING, OAF_REQUIRED | OAF_POSITIONAL, NULL, "snapshot name", NULL, NULL, NULL },
	{ "description", OT_STRING, 0, NULL, "free text", NULL, NULL, NULL },
	{ "memory", OT_BOOLEAN, 0, NULL, "include memory state (default: when running and not disk_only)", NULL, NULL, NULL },
	{ "disk_only", OT_BOOLEAN, 0, NULL, "external overlays of the disks, no memory", NULL, NULL, NULL },
	{ "external", OT_BOOLEAN, 0, NULL, "external files instead of qcow2-internal (default: disk_only)", NULL, NULL, NULL },
	{ "memory_file", OT_STRING, 0, NULL, "external memory file (default beside the first disk)", NULL, NULL, NULL },
};
static const struct op_arg a_revert[] = {
	{ "name", OT_STRING, OAF_REQUIRED | OAF_POSITIONAL, NULL, "snapshot name", NULL, NULL, NULL },
	{ "running", OT_BOOLEAN, 0, NULL, "start the domain after reverting (default: as snapshotted)", NULL, NULL, NULL },
	{ "force", OT_BOOLEAN, 0, NULL, "revert even where vdeck knows it is unsafe", NULL, NULL, NULL },
};
static const struct op_arg a_delete_snapshot[] = {
	{ "name", OT_STRING, OAF_REQUIRED | OAF_POSITIONAL, NULL, "snapshot name", NULL, NULL, NULL },
	{ "children", OT_BOOLEAN, 0, NULL, "also delete its descendants", NULL, NULL, NULL },
	{ "force", OT_BOOLEAN, 0, NULL, "delete even when other VMs use its files", NULL, NULL, NULL },
};
static const struct op_arg a_merge[] = {
	{ "disk", OT_STRING, OAF_POSITIONAL, NULL, "disk target (default: every disk with an overlay)", NULL, NULL, NULL },
	{ "bandwidth", OT_INTEGER, 0, NULL, "MiB/s limit", NULL, "1", NULL },
	{ "on_progress", OT_CALLBACK, 0, NULL, "function(progress) called while it runs", NULL, NULL, NULL },
	{ "async", OT_BOOLEAN, 0, NULL, "return a task at once instead of waiting", NULL, NULL, NULL },
};
static const struct op_arg a_restore_to[] = {
	{ "snapshot", OT_STRING, OAF_REQUIRED, NULL, "external snapshot whose disks to use", NULL, NULL, NULL },
	{ "name", OT_STRING, OAF_REQUIRED, NULL, "name of the new VM", NULL, NULL, NULL },
	{ "host", OT_HOST, 0, NULL, "host of the new VM (default: the same host)", NULL, NULL, NULL },
	{ "start", OT_BOOLEAN, 0, NULL, "start the new VM", NULL, NULL, NULL },
};
static const struct op_arg a_migrate[] = {
	{ "to", OT_HOST, OAF_POSITIONAL, NULL, "target host (default: best free memory and NUMA fit)", NULL, NULL, NULL },
	{ "live", OT_BOOLEAN, 0, "true", "live migration (false: paused)", NULL, NULL, NULL },
	{ "bandwidth", OT_INTEGER, 0, NULL, "MiB/s limit", NULL, "1", NULL },
	{ "max_downtime", OT_INTEGER, 0, NULL, "ms of pause allowed at the switch-over", NULL, "1", NULL },
	{ "persistent", OT_BOOLEAN, 0, "true", "define on the target, undefine on the source", NULL, NULL, NULL },
	{ "unsafe", OT_BOOLEAN, 0, NULL, "allow disks without cache=none (shared storage)", NULL, NULL, NULL },
	{ "migrate_uri", OT_STRING, 0, NULL, "data connection URI (tcp://ADDR)", NULL, NULL, NULL },
	{ "on_progress", OT_CALLBACK, 0, NULL, "function(progress) called while it runs", NULL, NULL, NULL },
	{ "async", OT_BOOLEAN, 0, NULL, "return a task at once instead of waiting", NULL, NULL, NULL },
	{ "force", OT_BOOLEAN, 0, NULL, "plan around SR-IOV VFs: detached before, a free one attached after "
	  "(the migrate runbook does the three steps)", NULL, NULL, NULL },
};

static const char *const numa_modes[] = { "strict", "preferred", "interleave", "restrictive", NULL };
static const struct op_arg a_pin_vcpu[] = {
	{ "vcpu", OT_INTEGER, OAF_REQUIRED | OAF_POSITIONAL, NULL, "vCPU number", NULL, "0", "16383" },
	{ "cpus", OT_STRING, OAF_REQUIRED | OAF_POSITIONAL, NULL, "host CPU list (0-3,8)", NULL, NULL, NULL },
	LIVE_CONFIG,
};
static const struct op_arg a_pin_vcpus[] = {
	{ "pins", OT_STRING, OAF_REQUIRED | OAF_INDEXED, NULL,
	  "host CPU list per vCPU: { [0] = \"0-3\", [1] = \"4-7\" } (text: 0:0-3;1:4-7)", NULL, NULL, NULL },
	LIVE_CONFIG,
};
static const struct op_arg a_pin_emulator[] = {
	{ "cpus", OT_STRING, OAF_REQUIRED | OAF_POSITIONAL, NULL, "host CPU list of the emulator threads", NULL, NULL, NULL },
	LIVE_CONFIG,
};
static const struct op_arg a_set_numatune[] = {
	{ "mode", OT_ENUM, 0, "strict", "memory policy", numa_modes, NULL, NULL },
	{ "nodeset", OT_STRING, OAF_REQUIRED, NULL, "host NUMA nodes (0 or 0-1)", NULL, NULL, NULL },
	LIVE_CONFIG,
};

static const struct op_arg a_set_ksm[] = {
	{ "run", OT_INTEGER, 0, NULL, "0 stop, 1 run, 2 stop and unmerge every page", NULL, "0", "2" },
	{ "pages_to_scan", OT_INTEGER, 0, NULL, "pages scanned per wake-up", NULL, "1", "100000" },
	{ "sleep_millisecs", OT_INTEGER, 0, NULL, "ms between scans", NULL, "0", "3600000" },
	{ "merge_across_nodes", OT_INTEGER, 0, NULL, "1: merge pages of different NUMA nodes (unmerges first)",
	  NULL, "0", "1" },
};

static const char *const sgio_modes[] = { "filtered", "unfiltered", NULL };
static const struct op_arg a_create_mdev[] = {
	{ "parent", OT_STRING, OAF_REQUIRED, NULL, "GPU: node device name (pci_0000_3b_00_0) or PCI address", NULL, NULL, NULL },
	{ "type", OT_STRING, OAF_REQUIRED, NULL, "vGPU (mdev) type id (nvidia-63)", NULL, NULL, NULL },
	{ "uuid", OT_STRING, 0, NULL, "UUID of the new mdev (default: a random one)", NULL, NULL, NULL },
	{ "persistent", OT_BOOLEAN, 0, NULL, "define it (survives a reboot) instead of a transient one", NULL, NULL, NULL },
};
static const struct op_arg a_remove_mdev[] = {
	{ "uuid", OT_STRING, OAF_REQUIRED | OAF_POSITIONAL, NULL, "UUID of the mdev", NULL, NULL, NULL },
};
static const struct op_arg a_attach_mdev[] = {
	{ "uuid", OT_STRING, OAF_REQUIRED | OAF_POSITIONAL, NULL, "UUID of an mdev on the domain's host", NULL, NULL, NULL },
	LIVE_CONFIG,
};
static const struct op_arg a_detach_mdev[] = {
	{ "uuid", OT_STRING, OAF_REQUIRED | OAF_POSITIONAL, NULL, "UUID of the domain's mdev", NULL, NULL, NULL },
	LIVE_CONFIG,
	RELEASE_TIMEOUT,
};
static const struct op_arg a_attach_lun[] = {
	{ "path", OT_STRING, 0, NULL, "block device of the LUN on the host (/dev/disk/by-path/...)", NULL, NULL, NULL },
	{ "pool", OT_STRING, 0, NULL, "SAN storage pool (iscsi, iscsi-direct, scsi, mpath) ...", NULL, NULL, NULL },
	{ "volume", OT_STRING, 0, NULL, "... and its volume (unit:0:0:1)", NULL, NULL, NULL },
	{ "iscsi_portal", OT_STRING, 0, NULL, "iscsi = { portal = HOST[:PORT] } QEMU connects to", NULL, NULL, NULL },
	{ "iscsi_iqn", OT_STRING, 0, NULL, "iscsi = { iqn = target name }", NULL, NULL, NULL },
	{ "iscsi_lun", OT_INTEGER, 0, NULL, "iscsi = { lun = number } (default 0)", NULL, "0", NULL },
	{ "sgio", OT_ENUM, 0, NULL, "SG_IO filtering of SCSI commands (block LUNs)", sgio_modes, NULL, NULL },
	{ "shareable", OT_BOOLEAN, 0, NULL, "shared with other VMs (clustered databases)", NULL, NULL, NULL },
	{ "readonly", OT_BOOLEAN, 0, NULL, "read-only", NULL, NULL, NULL },
	{ "target", OT_STRING, 0, NULL, "guest SCSI disk name (default: the first free sdX)", NULL, NULL, NULL },
	LIVE_CONFIG,
};
static const struct op_arg a_detach_lun[] = {
	{ "target", OT_STRING, OAF_REQUIRED | OAF_POSITIONAL, NULL, "guest device name of the LUN (sdb)", NULL, NULL, NULL },
	LIVE_CONFIG,
	RELEASE_TIMEOUT,
};

static const char *const bond_modes[] = { "802.3ad", "active-backup", "balance-xor", NULL };
static const char *const lacp_rates[] = { "fast", "slow", NULL };
static const char *const xmit_policies[] = { "layer2", "layer2+3", "layer3+4", "encap2+3", "encap3+4", NULL };
static const char *const bond_backends[] = { "auto", "ovs", "iproute2", NULL };
#define CONFIRM_ARGS \
	{ "confirm_timeout", OT_INTEGER, 0, "30", "seconds the host waits for vdeck's confirm before it rolls back", NULL, "5", "3600" }, \
	{ "commit", OT_BOOLEAN, 0, "true", "false: a trial, never confirmed: the host rolls back after confirm_timeout", NULL, NULL, NULL }
static const struct op_arg a_create_bond[] = {
	{ "name", OT_STRING, OAF_REQUIRED | OAF_POSITIONAL, NULL, "bond name (bond0)", NULL, NULL, NULL },
	{ "ports", OT_LIST, OAF_REQUIRED, NULL, "member NICs ({\"ens2f0\", \"ens2f1\"})", NULL, NULL, NULL },
	{ "mode", OT_ENUM, 0, "802.3ad", "bonding mode", bond_modes, NULL, NULL },
	{ "lacp_rate", OT_ENUM, 0, NULL, "LACPDU rate (802.3ad; default: the backend's, slow)", lacp_rates, NULL, NULL },
	{ "xmit_hash_policy", OT_ENUM, 0, NULL, "transmit hash (OVS: layer2 = balance-slb, layer3+4 = balance-tcp)", xmit_policies, NULL, NULL },
	{ "miimon", OT_INTEGER, 0, NULL, "link monitoring interval in ms (iproute2 default 100)", NULL, "0", "100000" },
	{ "backend", OT_ENUM, 0, "auto", "auto: OVS when the ports are in an OVS bridge, else iproute2", bond_backends, NULL, NULL },
	{ "bridge", OT_STRING, 0, NULL, "OVS bridge (default: the ports' bridge)", NULL, NULL, NULL },
	CONFIRM_ARGS,
};
static const struct op_arg a_delete_bond[] = {
	{ "name", OT_STRING, OAF_REQUIRED | OAF_POSITIONAL, NULL, "bond name", NULL, NULL, NULL },
	{ "backend", OT_ENUM, 0, "auto", "expected backend (auto: as the host reports the bond)", bond_backends, NULL, NULL },
	CONFIRM_ARGS,
};

static const char *const volume_formats[] = { "qcow2", "raw", NULL };
static const struct op_arg a_create_volume[] = {
	{ "pool", OT_STRING, OAF_REQUIRED, NULL, "storage pool", NULL, NULL, NULL },
	{ "name", OT_STRING, OAF_REQUIRED, NULL, "volume name (a file name in a directory pool)", NULL, NULL, NULL },
	{ "size", OT_SIZE, OAF_REQUIRED, NULL, "capacity the guest sees (e.g. 20G)", NULL, NULL, NULL },
	{ "format", OT_ENUM, 0, "qcow2", "image format", volume_formats, NULL, NULL },
	{ "allocation", OT_SIZE, 0, "0", "bytes allocated now (0: thin; size: preallocated)", NULL, NULL, NULL },
};
static const struct op_arg a_delete_volume[] = {
	{ "pool", OT_STRING, OAF_REQUIRED, NULL, "storage pool", NULL, NULL, NULL },
	{ "name", OT_STRING, OAF_REQUIRED, NULL, "volume name", NULL, NULL, NULL },
};
static const struct op_arg a_apply_switch[] = {
	{ "switch", OT_STRING, OAF_REQUIRED | OAF_POSITIONAL, NULL, "switch name (the inventory's switch{})", NULL, NULL, NULL },
	{ "restart", OT_BOOLEAN, 0, NULL, "restart the running network under attached VMs when a change needs it",
	  NULL, NULL, NULL },
};
#define NIC_RATE(dir) \
	{ "bandwidth_" dir "_average", OT_INTEGER, 0, NULL, dir " average KiB/s (bandwidth = { " dir " = { average = } })", NULL, "1", NULL }, \
	{ "bandwidth_" dir "_peak", OT_INTEGER, 0, NULL, dir " peak KiB/s", NULL, "1", NULL }, \
	{ "bandwidth_" dir "_burst", OT_INTEGER, 0, NULL, dir " burst KiB", NULL, "1", NULL }
static const struct op_arg a_set_nic[] = {
	{ "mac", OT_STRING, OAF_REQUIRED | OAF_POSITIONAL, NULL, "MAC address of the NIC", NULL, NULL, NULL },
	{ "portgroup", OT_STRING, 0, NULL, "move the NIC to this portgroup of its network", NULL, NULL, NULL },
	{ "vlan", OT_INTEGER, 0, NULL, "a VLAN tag of the NIC's own (instead of a portgroup's)", NULL, "1", "4094" },
	NIC_RATE("inbound"),
	NIC_RATE("outbound"),
	{ "filter", OT_STRING, 0, NULL, "nwfilter for <filterref> (default: the switch portgroup's)", NULL, NULL, NULL },
	LIVE_CONFIG,
};

/* Interrupt coalescing (issue 15) */
static const struct op_arg a_set_coalesce[] = {
	{ "nic", OT_STRING, OAF_REQUIRED | OAF_POSITIONAL, NULL, "host interface (ens1f0, vnet3)", NULL, NULL, NULL },
	{ "adaptive_rx", OT_BOOLEAN, 0, NULL, "adaptive RX coalescing (the driver picks the moderation)", NULL, NULL, NULL },
	{ "adaptive_tx", OT_BOOLEAN, 0, NULL, "adaptive TX coalescing", NULL, NULL, NULL },
	{ "rx_usecs", OT_INTEGER, 0, NULL, "microseconds an RX interrupt is delayed", NULL, "0", "1000000" },
	{ "rx_frames", OT_INTEGER, 0, NULL, "packets received before an RX interrupt", NULL, "0", "65535" },
	{ "tx_usecs", OT_INTEGER, 0, NULL, "microseconds a TX interrupt is delayed", NULL, "0", "1000000" },
	{ "tx_frames", OT_INTEGER, 0, NULL, "packets sent before a TX interrupt", NULL, "0", "65535" },
};

static const struct op_arg a_dom_set_coalesce[] = {
	{ "mac", OT_STRING, OAF_REQUIRED | OAF_POSITIONAL, NULL, "MAC address of the NIC", NULL, NULL, NULL },
	{ "rx_frames", OT_INTEGER, OAF_REQUIRED, NULL, "packets received before an RX interrupt (libvirt <coalesce>)",
	  NULL, "0", "65535" },
	LIVE_CONFIG,
};

static const struct op_arg a_resize_volume[] = {
	{ "pool", OT_STRING, OAF_REQUIRED, NULL, "storage pool", NULL, NULL, NULL },
	{ "name", OT_STRING, OAF_REQUIRED, NULL, "volume name", NULL, NULL, NULL },
	{ "size", OT_SIZE, OAF_REQUIRED, NULL, "new capacity, larger than the current (e.g. 40G)", NULL, NULL, NULL },
};
static const struct op_arg a_clone[] = {
	{ "name", OT_STRING, OAF_REQUIRED | OAF_POSITIONAL, NULL, "name of the new VM", NULL, NULL, NULL },
	{ "linked", OT_BOOLEAN, 0, "true", "qcow2 overlays on the source's disks (false: full copies)", NULL, NULL, NULL },
	{ "host", OT_HOST, 0, NULL, "host of the clone (default: the source's); it must see the disks' pools", NULL, NULL, NULL },
	{ "pool", OT_STRING, 0, NULL, "pool of the new volumes (default: each base's own)", NULL, NULL, NULL },
	{ "start", OT_BOOLEAN, 0, NULL, "start the clone", NULL, NULL, NULL },
	{ "snapshot", OT_STRING, 0, NULL, "external snapshot whose bases to use (the source may run)", NULL, NULL, NULL },
};
static const char *const preallocations[] = { "full", "metadata", "off", NULL };
static const struct op_arg a_convert_disk[] = {
	{ "disk", OT_STRING, OAF_REQUIRED | OAF_POSITIONAL, NULL, "guest device name (vda)", NULL, NULL, NULL },
	{ "preallocation", OT_ENUM, OAF_REQUIRED, NULL, "full: thick; metadata: qcow2 tables only; off: thin",
	  preallocations, NULL, NULL },
	{ "timeout", OT_NUMBER, 0, "3600", "seconds before qemu-img is given up", NULL, "1", "86400" },
};

#define ENTRY(n, t, sum, a, fl) { #n, t, sum, ARGS(a), fl, n##_validate, n##_build, NULL, NULL, NULL }
#define M OPF_MUTATES

static const struct op_def table[] = {
	ENTRY(set_vcpus, OP_DOMAIN, "hot add or remove vCPUs", a_set_vcpus, M | OPF_LIVE | OPF_CONFIG),
	ENTRY(set_memory, OP_DOMAIN, "set the balloon target", a_set_memory, M | OPF_LIVE | OPF_CONFIG),
	ENTRY(attach_memory, OP_DOMAIN, "hot add a DIMM", a_dimm, M | OPF_LIVE | OPF_CONFIG),
	ENTRY(detach_memory, OP_DOMAIN, "hot remove a DIMM", a_dimm, M | OPF_LIVE | OPF_CONFIG | OPF_DESTRUCTIVE),
	ENTRY(attach_disk, OP_DOMAIN, "hot add a disk", a_attach_disk, M | OPF_LIVE | OPF_CONFIG),
	ENTRY(detach_disk, OP_DOMAIN, "hot remove a disk", a_detach_disk, M | OPF_LIVE | OPF_CONFIG | OPF_DESTRUCTIVE),
	ENTRY(resize_disk, OP_DOMAIN, "grow a disk online", a_resize_disk, M | OPF_LIVE | OPF_BLOCKINFO),
	ENTRY(attach_nic, OP_DOMAIN, "hot add a NIC", a_attach_nic, M | OPF_LIVE | OPF_CONFIG),
	ENTRY(detach_nic, OP_DOMAIN, "hot remove a NIC", a_detach_nic, M | OPF_LIVE | OPF_CONFIG | OPF_DESTRUCTIVE),
	ENTRY(snapshot, OP_DOMAIN, "take a snapshot", a_snapshot, M | OPF_SNAPSHOTS),
	ENTRY(revert, OP_DOMAIN, "revert to a snapshot", a_revert, M | OPF_DESTRUCTIVE | OPF_SNAPSHOTS),
	ENTRY(delete_snapshot, OP_DOMAIN, "delete a snapshot", a_delete_snapshot, M | OPF_DESTRUCTIVE | OPF_SNAPSHOTS),
	ENTRY(merge, OP_DOMAIN, "live merge: active block commit with pivot", a_merge, M | OPF_LONG | OPF_SNAPSHOTS),
	ENTRY(restore_to, OP_DOMAIN, "a new VM built from a snapshot's disks", a_restore_to, M | OPF_SNAPSHOTS),
	ENTRY(migrate, OP_DOMAIN, "live-migrate to another host", a_migrate, M | OPF_LIVE | OPF_LONG | OPF_SNAPSHOTS),
	{ "abort_job", OP_DOMAIN, "abort the running migration or block job", NULL, 0, M,
	  abort_job_validate, abort_job_build, NULL, NULL, NULL },
	/* vGPU and RDM (issue 7) */
	ENTRY(create_mdev, OP_HOST, "create a vGPU (mediated device) on a GPU", a_create_mdev, M),
	ENTRY(remove_mdev, OP_HOST, "remove a vGPU (mediated device)", a_remove_mdev, M | OPF_DESTRUCTIVE),
	ENTRY(attach_mdev, OP_DOMAIN, "attach a vGPU (mdev) of the domain's host", a_attach_mdev, M | OPF_LIVE | OPF_CONFIG),
	ENTRY(detach_mdev, OP_DOMAIN, "detach a vGPU (mdev)", a_detach_mdev, M | OPF_LIVE | OPF_CONFIG | OPF_DESTRUCTIVE),
	ENTRY(attach_lun, OP_DOMAIN, "attach a raw LUN (RDM, SCSI passthrough)", a_attach_lun, M | OPF_LIVE | OPF_CONFIG),
	ENTRY(detach_lun, OP_DOMAIN, "detach a raw LUN", a_detach_lun, M | OPF_LIVE | OPF_CONFIG | OPF_DESTRUCTIVE),
	/* LACP bonds (issue 7) */
	{ "create_bond", OP_HOST, "create a bond on host uplinks (commit-confirm)", ARGS(a_create_bond),
	  M | OPF_DESTRUCTIVE, create_bond_validate, NULL, create_bond_build_change, NULL, NULL },
	{ "delete_bond", OP_HOST, "delete a bond on host uplinks (commit-confirm)", ARGS(a_delete_bond),
	  M | OPF_DESTRUCTIVE, delete_bond_validate, NULL, delete_bond_build_change, NULL, NULL },
	/* storage volumes (issue 14) */
	ENTRY(create_volume, OP_HOST, "create a storage volume (thin unless allocation= is given)", a_create_volume, M),
	ENTRY(delete_volume, OP_HOST, "delete a storage volume no VM or backing chain uses", a_delete_volume,
	      M | OPF_DESTRUCTIVE),
	ENTRY(resize_volume, OP_HOST, "grow a storage volume", a_resize_volume, M),
	ENTRY(clone, OP_DOMAIN, "a new VM on linked (overlay) or full copies of the disks", a_clone,
	      M | OPF_SNAPSHOTS | OPF_DOMXML),
	{ "convert_disk", OP_DOMAIN, "rewrite a shut-off VM's disk thin or preallocated (qemu-img)",
	  ARGS(a_convert_disk), M | OPF_SETTING, convert_disk_validate, NULL, NULL, convert_disk_build_command,
	  NULL },
	/* placement (issue 13) */
	ENTRY(pin_vcpu, OP_DOMAIN, "pin one vCPU to host CPUs", a_pin_vcpu, M | OPF_LIVE | OPF_CONFIG),
	ENTRY(pin_vcpus, OP_DOMAIN, "pin several vCPUs at once", a_pin_vcpus, M | OPF_LIVE | OPF_CONFIG),
	ENTRY(pin_emulator, OP_DOMAIN, "pin the emulator threads to host CPUs", a_pin_emulator, M | OPF_LIVE | OPF_CONFIG),
	ENTRY(set_numatune, OP_DOMAIN, "bind the memory to host NUMA nodes", a_set_numatune, M | OPF_LIVE | OPF_CONFIG),
	{ "set_ksm", OP_HOST, "kernel samepage merging settings (sysfs)", ARGS(a_set_ksm), M | OPF_SETTING,
	  set_ksm_validate, NULL, NULL, set_ksm_build_command, NULL },
	/* distributed virtual switch (issue 15) */
	ENTRY(apply_switch, OP_HOST, "define or converge a switch's libvirt network on the host", a_apply_switch, M),
	ENTRY(set_nic, OP_DOMAIN, "move a NIC to a portgroup or VLAN, set its bandwidth or filter (live)", a_set_nic,
	      M | OPF_LIVE | OPF_CONFIG),
	/* An ad-hoc command: anything may change, so it is refused under
	 * --readonly, printed under --dry-run and audited like the others. */
	{ "run", OP_HOST, "run a command on the host's shell", ARGS(a_run), M,
	  run_validate, NULL, NULL, run_build_command, NULL },
	/* Interrupt coalescing (issue 15): a VM NIC's through libvirt, a host NIC's with ethtool */
	{ "set_coalesce", OP_DOMAIN, "set a VM NIC's interrupt coalescing (libvirt <coalesce>)", ARGS(a_dom_set_coalesce),
	  M | OPF_LIVE | OPF_CONFIG, dom_set_coalesce_validate, dom_set_coalesce_build, NULL, NULL, NULL },
	{ "set_coalesce", OP_HOST, "set a host NIC's interrupt coalescing (ethtool -C)", ARGS(a_set_coalesce), M,
	  set_coalesce_validate, NULL, NULL, set_coalesce_build_command, set_coalesce_command_result },
};

const struct op_def *optable_find(const char *name)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

const struct op_def *optable_at(size_t i)
{
	return i < sizeof table / sizeof table[0] ? &table[i] : NULL;
}

size_t optable_count(void)
{
	return sizeof table / sizeof table[0];
}

int op_arg_index(const struct op_def *def, const char *name)
{
	for (size_t i = 0; i < def->nargs; i++)
		if (!strcmp(def->args[i].name, name))
			return (int)i;
	return -1;
}

const struct op_value *op_get(const struct op_ctx *ctx, const char *name)
{
	int i = op_arg_index(ctx->def, name);
	return i >= 0 && ctx->args->v[i].set ? &ctx->args->v[i] : NULL;
}

int op_flag(const struct op_ctx *ctx, const char *name)
{
	const struct op_value *v = op_get(ctx, name);
	return v ? v->b : 0;
}

const char *op_str(const struct op_ctx *ctx, const char *name)
{
	const struct op_value *v = op_get(ctx, name);
	return v ? v->s : NULL;
}

int op_args_finish(const struct op_def *def, struct op_args *args, struct vd_err *err)
{
	for (size_t i = 0; i < def->nargs; i++) {
		const struct op_arg *a = &def->args[i];
		if (args->v[i].set)
			continue;
		if (a->def && op_value_parse(a, a->def, &args->v[i], err) < 0)
			return -1;
		if (!args->v[i].set && (a->flags & OAF_REQUIRED))
			return err_set(err, VD_EINVAL, "argument '%s' is required", a->name);
	}
	return 0;
}

void op_args_free(struct op_args *args)
{
	for (size_t i = 0; i < OP_MAX_ARGS; i++) {
		free(args->v[i].s);
		args->v[i].s = NULL;
		args->v[i].set = 0;
	}
}

void op_args_json(const struct op_def *def, const struct op_args *args, struct strbuf *sb)
{
	sb_appendc(sb, '{');
	int first = 1;
	for (size_t i = 0; i < def->nargs; i++) {
		const struct op_value *v = &args->v[i];
		const struct op_arg *a = &def->args[i];
		if (!v->set || a->type == OT_CALLBACK)
			continue;
		if (!first)
			sb_appendc(sb, ',');
		first = 0;
		sb_append_json(sb, a->name);
		sb_appendc(sb, ':');
		switch (a->type) {
		case OT_INTEGER: case OT_SIZE: sb_appendf(sb, "%lld", (long long)v->i); break;
		case OT_NUMBER: sb_appendf(sb, "%.17g", v->n); break;
		case OT_BOOLEAN: sb_append(sb, v->b ? "true" : "false"); break;
		case OT_LIST: {
			sb_appendc(sb, '[');
			int k = 0;
			for (const char *p = v->s ? v->s : ""; *p;) {
				size_t n = strcspn(p, " ");
				char *item = x_strndup(p, n);
				if (n) {
					if (k++)
						sb_appendc(sb, ',');
					sb_append_json(sb, item);
				}
				free(item);
				p += n + (p[n] == ' ');
			}
			sb_appendc(sb, ']');
			break;
		}
		default: sb_append_json(sb, v->s ? v->s : "");
		}
	}
	sb_appendc(sb, '}');
}

void op_snapshots_free(struct op_snapshot *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].name);
		free(s[i].parent);
		free(s[i].description);
		for (size_t d = 0; d < s[i].ndisks; d++) {
			free(s[i].disk_sources[d]);
			free(s[i].disk_targets[d]);
			free(s[i].disk_bases[d]);
			free(s[i].disk_formats[d]);
		}
		free(s[i].disk_sources);
		free(s[i].disk_targets);
		free(s[i].disk_bases);
		free(s[i].disk_formats);
		free(s[i].domain_xml);
	}
	free(s);
}

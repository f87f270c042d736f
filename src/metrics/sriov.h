/* sriov.h — SR-IOV physical functions and their virtual functions, and
 * the Open vSwitch DPDK settings, from a host's poll.
 *
 * Three pure parsers of text the poll bundle carries:
 *   - the "sriov PF" record: the PF's sysfs links, one per line,
 *       "device ../../../0000:3b:00.0"   (the PF's own PCI device)
 *       "virtfn3 ../0000:3b:02.3"        (each VF's PCI device)
 *       "net virtfn3 ens1f0v3"           (a VF bound to a host driver)
 *     (sriov_totalvfs and sriov_numvfs come as files: struct nic);
 *   - `ip -d link show dev PF`: each VF's MAC, VLAN, spoof check, trust
 *     and link state, as the PF's driver reports them;
 *   - `ovs-vsctl get Open_vSwitch . other_config`: dpdk-init, pmd-cpu-mask.
 * VF PCI addresses are "0000:3b:02.3" (lower case, as sysfs writes them). */
#ifndef VD_METRICS_SRIOV_H
#define VD_METRICS_SRIOV_H

#include <stddef.h>
#include <stdint.h>

#include "metrics/netdev.h"

struct vd_err;

/* VFs per host past this many are left out (the largest NICs have 256 per
 * PF, a host rarely more than 4 such PFs). */
#define SRIOV_MAX_VFS 2048

struct sriov_vf {
	char     pf[NIC_NAME_MAX];
	unsigned index;            /* virtfnN */
	char     address[16];      /* PCI 0000:3b:02.3 */
	char     netdev[NIC_NAME_MAX];   /* its host interface when bound to a host driver, "" none */
	char     mac[18];          /* from ip -d link, "" unknown */
	unsigned vlan;             /* 0 none */
	int      spoofchk, trust;  /* 1 on, 0 off, -1 unknown */
	char     link_state[12];   /* auto, enable, disable, "" unknown */
};

struct sriov_pf {
	char name[NIC_NAME_MAX];
	char address[16];          /* the PF's PCI address, "" unknown */
};

struct sriov_inv {
	struct sriov_pf *pfs;
	size_t           npfs;
	struct sriov_vf *vfs;      /* grouped by PF, by index */
	size_t           nvfs;
	int              ovs_config;       /* other_config was read */
	int              dpdk_init;        /* 1 true, 0 false or unset */
	char             pmd_cpu_mask[40]; /* "" unset */
	char             dpdk_socket_mem[40];
};

/* The "sriov PF" record of PF pf: adds the PF and its VFs. */
int  sriov_links_parse(const char *pf, const char *buf, size_t len, struct sriov_inv *inv, struct vd_err *err);
/* `ip -d link show dev PF` output: fills mac/vlan/spoofchk/trust/link_state
 * of pf's VFs already known (by index); VF lines for unknown indexes are
 * ignored.  Output that names no such device ("Device ... does not exist")
 * is not an error: nothing is filled.  Returns the VF lines read. */
int  sriov_ip_link_parse(const char *pf, const char *buf, size_t len, struct sriov_inv *inv, struct vd_err *err);
/* `ovs-vsctl get Open_vSwitch . other_config` output ({k="v", ...}). */
int  sriov_ovs_config_parse(const char *buf, size_t len, struct sriov_inv *inv, struct vd_err *err);
/* Sorts VFs by PF then index (call once after parsing). */
void sriov_finish(struct sriov_inv *inv);
const struct sriov_vf *sriov_find_vf(const struct sriov_inv *inv, const char *address);
const struct sriov_pf *sriov_find_pf(const struct sriov_inv *inv, const char *name);
void sriov_free(struct sriov_inv *inv);

#endif

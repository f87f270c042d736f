/* host_metrics.h — everything one poll learns about one host at one instant.
 *
 * Units: sizes in bytes; rates per second (NIC rates in bits/s and
 * packets/s, swap rates in bytes/s); CPU utilisation in percent (0..100);
 * t in seconds (any clock the caller keeps monotonic).  Rates and
 * utilisations are -1 until host_metrics_rates() had a usable previous
 * sample.
 *
 * host_metrics_parse is tolerant: a file that fails to parse is counted in
 * nerrors (first message kept in first_error) and the rest still counts;
 * it fails only when the bundle holds no record at all. */
#ifndef VD_METRICS_HOST_METRICS_H
#define VD_METRICS_HOST_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "metrics/bonding.h"
#include "metrics/gpu.h"
#include "metrics/ksm.h"
#include "metrics/lun.h"
#include "metrics/meminfo.h"
#include "metrics/netclass.h"
#include "metrics/numa.h"
#include "metrics/ovs_lacp.h"
#include "metrics/interrupts.h"
#include "metrics/procstat.h"
#include "metrics/sriov.h"
#include "metrics/vmnuma.h"
#include "metrics/vmstat.h"

struct vd_err;

/* NICs (and, apart, bonds) past this many are left out and counted as a
 * parse error: real hosts have far fewer, and it bounds what one hostile
 * host can make the console hold. */
#define HOST_MAX_NICS 4096

/* One interrupt of a NIC's queue, from /proc/interrupts (host_net.c). */
struct nic_queue {
	unsigned irq;
	char     name[64];      /* as the driver named it: "i40e-ens1f0-TxRx-3" */
	char     label[24];     /* short: "TxRx-3", "input.0", "comp3" (interrupts_queue_label) */
	uint64_t count;         /* since boot, summed over CPUs */
	double   rate;          /* interrupts/s, -1 until two samples */
};

struct host_metrics {
	double   t;                 /* seconds, given by the caller */
	char     kernel[64];        /* /proc/sys/kernel/osrelease, "" unknown */
	uint64_t page_size;         /* bytes; 4096 unless getconf said otherwise */

	struct numa_topo numa;      /* at least one node (implicit when no node/) */

	struct meminfo mem;
	int      has_mem;
	struct vmstat vm;
	int      has_vmstat;
	double   swap_in_rate, swap_out_rate;   /* bytes/s */
	struct ksm ksm;
	struct hugepage_pool *hugepages;        /* /sys/kernel/mm/hugepages */
	size_t   nhugepages;

	struct nic *nics;           /* sorted by name */
	size_t   nnics, nics_cap;
	struct bond *bonds;         /* sorted by name; kernel and OVS (bond->ovs) */
	size_t   nbonds, bonds_cap;
	int      has_ovs;           /* the poll reached an Open vSwitch */
	struct ovs_iface *ovs_ifaces;   /* every OVS bridge interface (ovs-vsctl show), by iface */
	size_t   novs_ifaces;

	struct cpu_jiffies cpu_total;   /* aggregate "cpu" line; util = host CPU % */
	struct cpu_jiffies *cpus;       /* per CPU, sorted by number */
	size_t   ncpus;
	int      has_cpu;

	struct vm_numa *vm_numa;    /* running VMs' memory per node (by domain name) */
	size_t   nvm_numa, vm_numa_cap;

	struct gpu_inv  gpus;       /* sysfs mdev tree (libvirt's view is in the host model) */
	struct lun_list luns;       /* iSCSI/FC/WWN LUNs from /dev/disk and /sys/block */

	struct sriov_inv sriov;     /* SR-IOV PFs and VFs, OVS-DPDK settings (host_net.c) */
	struct irq_list  irqs;      /* /proc/interrupts */
	int      has_irqs;
	/* NIC queue interrupts, NIC by NIC in the order of nics: those of nic
	 * are nic_queues[nic->irq_first .. + nic->irq_queues] */
	struct nic_queue *nic_queues;
	size_t   nnic_queues;
	char    *netdev_devices;    /* the "netdev-devices" record until finish, then NULL */

	unsigned nerrors;
	char     first_error[256];
	/* Mapped from Prometheus series (metrics/prom.h): what they do not
	 * carry is unknown here, not zero. */
	int      from_prometheus;
};

int  host_metrics_parse(const char *bundle, size_t len, double t, struct host_metrics *out,
			struct vd_err *err);
void host_metrics_free(struct host_metrics *m);
/* Fills cur's rates and utilisations from the deltas since prev (which may
 * be NULL: everything stays -1). */
void host_metrics_rates(const struct host_metrics *prev, struct host_metrics *cur);

/* host_devices.c: the GPU and LUN records of a bundle.  route returns 1
 * when path is not one of them, else 0 or -1 (parse error in e). */
int  host_devices_route(struct host_metrics *m, const char *path, const char *data, size_t n,
			struct vd_err *e);
void host_devices_finish(struct host_metrics *m);
void host_devices_free(struct host_metrics *m);

/* host_net.c: SR-IOV, OVS other_config, NIC device links and interrupts.
 * route: as host_devices_route; finish runs once the NICs are sorted. */
int  host_net_route(struct host_metrics *m, const char *path, const char *data, size_t n, struct vd_err *e);
void host_net_finish(struct host_metrics *m);
void host_net_free(struct host_metrics *m);
/* The NICs' and their queues' interrupt rates from the previous sample
 * (host_rates.c calls it); a queue is the same when its IRQ number and
 * name are. */
void host_net_rates(const struct host_metrics *prev, struct host_metrics *cur, double dt);

/* Look-ups by name (NULL when absent). */
struct nic  *host_metrics_nic(const struct host_metrics *m, const char *name);
struct bond *host_metrics_bond(const struct host_metrics *m, const char *name);
/* The OVS interface named iface (NULL when not in any OVS bridge). */
const struct ovs_iface *host_metrics_ovs_iface(const struct host_metrics *m, const char *iface);
/* The queue interrupts of nic (a NIC of m), *n set to how many. */
const struct nic_queue *host_metrics_nic_queues(const struct host_metrics *m, const struct nic *nic, size_t *n);

enum alert_severity { ALERT_INFO, ALERT_WARN, ALERT_CRIT };

struct host_alert {
	enum alert_severity severity;
	char kind[32];     /* "bond_port_down", "bond_port_churned", ... */
	char message[256];
	char bond[32];     /* the bond concerned, "" none */
	char port[32];     /* the port (NIC) concerned, "" none */
};

/* x_calloc'd array in *out (NULL when none); returns the count.  Kinds:
 * bond_down, bond_port_down, bond_port_churned, bond_port_other_aggregator,
 * bond_partner_mac_zero, nic_down (a bond port whose operstate is down),
 * bond_port_defaulted, bond_port_expired, bond_port_detached (LACP member
 * states), bond_partner_differs (ports of one bond facing different partner
 * systems or keys), bond_aggregator_short (the aggregator holds fewer ports
 * than the bond has), cpu_offline, parse_error. */
size_t host_metrics_alerts(const struct host_metrics *m, struct host_alert **out);
const char *alert_severity_name(enum alert_severity s);

#endif

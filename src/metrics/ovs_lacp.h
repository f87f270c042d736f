/* ovs_lacp.h — Open vSwitch bonds: `ovs-appctl bond/show`, `ovs-appctl
 * lacp/show` and `ovs-vsctl show`, parsed into the struct bond of
 * metrics/bonding.h so that h:bonds() and the alerts treat kernel and OVS
 * bonds alike.
 *
 * Mapping: mode is OVS's bond_mode ("balance-tcp", "active-backup", ...);
 * is_8023ad when lacp/show lists the bond with a status other than "off";
 * lacp_rate is lacp_time; actor_key the aggregation key; aggregator_id stays
 * -1 (OVS has none) and num_ports counts the members attached to the
 * aggregator that may be enabled.  A member's lacp_state is OVS's word pair
 * ("current attached"); its mii_status is "up" when bond/show says
 * "enabled", else "down" (host_metrics replaces it by the NIC's operstate
 * when it knows the NIC).  OVS 3.1 prints "status: active negotiated" with
 * no partner at all, so nothing here trusts that line: members are judged
 * by their own state and partner sys_id (all zeros: no partner). */
#ifndef VD_METRICS_OVS_LACP_H
#define VD_METRICS_OVS_LACP_H

#include <stddef.h>

#include "metrics/bonding.h"

struct vd_err;

/* Either text may be NULL (len 0).  Appends one struct bond per bond found
 * to *bonds (x_grow'n, *n and *cap updated); returns the number added.
 * Never fails: unparseable text adds nothing. */
size_t parse_ovs_bonds(const char *bond_show, size_t bond_len, const char *lacp_show, size_t lacp_len,
		       struct bond **bonds, size_t *n, size_t *cap);

/* One interface of an OVS bridge, from `ovs-vsctl show`. */
struct ovs_iface {
	char bridge[32];
	char port[32];      /* the port holding it (the bond's name for members) */
	char iface[32];
	char type[16];      /* "internal", "patch", ... ("" for a system NIC) */
};

/* Returns the number of interfaces parsed into *out (x_calloc'd, NULL when
 * none). */
size_t parse_ovs_vsctl_show(const char *buf, size_t len, struct ovs_iface **out);

#endif

/* bonding.h — /proc/net/bonding/<bond> and the equivalent sysfs files.
 *
 * Speeds in Mbit/s (-1 unknown); counts are plain counts; MAC addresses
 * as text "aa:bb:cc:dd:ee:ff" (empty when not printed).  Each port carries
 * `problems`, the reasons it deserves an alert (BOND_PORT_*). */
#ifndef VD_METRICS_BONDING_H
#define VD_METRICS_BONDING_H

#include <stddef.h>
#include <stdint.h>

struct vd_err;

enum {
	BOND_PORT_DOWN          = 1 << 0,  /* MII status known and not "up" */
	BOND_PORT_CHURNED       = 1 << 1,  /* actor or partner churn state "churned" */
	BOND_PORT_OTHER_AGG     = 1 << 2,  /* 802.3ad: not in the active aggregator */
	BOND_PORT_ZERO_PARTNER  = 1 << 3,  /* 802.3ad: partner MAC 00:00:00:00:00:00 */
	/* LACP member states (not set on a port that is down: they follow from it) */
	BOND_PORT_DEFAULTED     = 1 << 4,  /* no LACPDU received: partner info defaulted */
	BOND_PORT_EXPIRED       = 1 << 5,  /* the partner's LACPDUs stopped arriving */
	BOND_PORT_DETACHED      = 1 << 6,  /* OVS: current, yet not attached to the aggregator */
	BOND_PORT_PARTNER_DIFF  = 1 << 7,  /* faces another partner system or key than the others */
};

struct bond_port {
	char     name[32];
	char     mii_status[16];
	int64_t  speed_mbps;          /* -1 unknown */
	char     duplex[16];
	uint64_t link_failures;
	int      aggregator_id;       /* -1 when not printed */
	char     actor_churn[24], partner_churn[24];
	int      actor_port_state, partner_port_state;   /* -1 unknown */
	char     perm_hwaddr[18];
	char     partner_mac[18];     /* "details partner lacp pdu" system MAC */
	int      partner_key;         /* partner oper key, -1 unknown */
	char     lacp_state[32];      /* OVS: "current attached", "expired detached", ... */
	int      may_enable;          /* OVS: 1/0, -1 unknown */
	unsigned problems;            /* BOND_PORT_* */
};

struct bond {
	char     name[32];
	char     mode[64];            /* "IEEE 802.3ad Dynamic link aggregation", ... */
	int      is_8023ad;
	char     lacp_rate[16];       /* "slow" / "fast"; empty when not 802.3ad */
	char     mii_status[16];
	char     active_port[32];     /* active-backup: "Currently Active Slave" */
	int      aggregator_id;       /* active aggregator, -1 none */
	int      num_ports;           /* ports in the active aggregator, -1 unknown */
	int      actor_key, partner_key;   /* -1 unknown */
	char     partner_mac[18];
	int      from_sysfs;          /* built from /sys/class/net, fewer details */
	int      ovs;                 /* an Open vSwitch bond (metrics/ovs_lacp.h) */
	char     bridge[32];          /* OVS: its bridge, "" unknown */
	int      counts_only;         /* a source with port counts, no ports (Prometheus) */
	int      ports_total, ports_up;   /* those counts, when counts_only */
	struct bond_port *ports;
	size_t   nports;
};

/* Ports read from one /proc/net/bonding file; the rest are left out. */
#define BOND_MAX_PORTS 1024

/* name is the bond's name (the file name under /proc/net/bonding). */
int  parse_bonding(const char *name, const char *buf, size_t len, struct bond *out,
		   struct vd_err *err);
/* Recomputes every port's problems (also after sysfs or OVS assembly). */
void bond_flag_problems(struct bond *b);
/* Zeroes p, names it and marks every numeric field unknown (-1). */
void bond_port_init(struct bond_port *p, const char *name);
/* Number of ports whose MII status is "up". */
size_t bond_ports_up(const struct bond *b);
void bond_free(struct bond *b);

#endif

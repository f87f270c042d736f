/* netxml.h — a libvirt virtual network as vdeck's switches see it.
 *
 * One struct serves both sides of a distributed switch: what the inventory
 * wants on every host (lua/inventory_switch.c fills it, ops/xml_network.c
 * turns it into network XML) and what a host has (netxml_parse of
 * virNetworkGetXMLDesc).  Comparing the two (net_compare) names the fields
 * that drifted.  libvirt has no nwfilter reference on a portgroup: the
 * filter a portgroup requires is kept in the network's <metadata> under
 * vdeck's namespace (NETXML_NS), and put on each VM interface's
 * <filterref> when a NIC joins the portgroup (d:set_nic). */
#ifndef VD_METRICS_NETXML_H
#define VD_METRICS_NETXML_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define NETXML_NS        "urn:vdeck:switch:1"
#define NET_MAX_TAGS     64
#define NET_MAX_PORTGROUPS 64

/* <inbound>/<outbound>: average and peak in KiB/s, burst in KiB; all 0: none. */
struct net_rate {
	uint64_t average, peak, burst;
};

struct net_portgroup {
	char     name[64];
	int      is_default;
	unsigned tags[NET_MAX_TAGS];
	size_t   ntags;             /* 0: no VLAN */
	int      trunk;             /* <vlan trunk='yes'> */
	struct net_rate in, out;
	char     filter[64];        /* nwfilter the portgroup requires ("" none), from the metadata */
};

struct net_def {
	char     name[64];
	char     uuid[37];          /* "" when not known (a definition still to be made) */
	char     forward[16];       /* forward mode: bridge, nat, route, ... ("" none) */
	char     bridge[64];        /* <bridge name>: the uplink bridge */
	char     virtualport[24];   /* <virtualport type>: openvswitch, ... ("" none) */
	struct net_portgroup *pgs;
	size_t   npgs;
	int      active, autostart; /* from the API, not the XML: the caller fills them */
	int      next_start;        /* the persistent definition of a running network where it differs
	                             * from the running one (what its next start brings) */
};

/* A host's networks and the nwfilters it defines (filters_known: 0 when
 * the driver has no nwfilter support, e.g. the test driver). */
struct net_list {
	struct net_def *nets;
	size_t          n;
	char          **filters;
	size_t          nfilters;
	int             filters_known;
};

/* A network's XML into out (zeroed first); -1 and err when it is no <network>. */
int  netxml_parse(const char *xml, size_t len, struct net_def *out, struct vd_err *err);
void net_def_free(struct net_def *d);
void net_def_copy(struct net_def *dst, const struct net_def *src);
void net_defs_free(struct net_def *v, size_t n);
void net_list_free(struct net_list *l);
void net_list_copy(struct net_list *dst, const struct net_list *src);
/* The network as it runs (or is defined, when inactive); NULL when absent. */
const struct net_def *net_list_find(const struct net_list *l, const char *name);
/* The definition a running network's next start brings, when it differs
 * from the running one; NULL otherwise. */
const struct net_def *net_list_find_next_start(const struct net_list *l, const char *name);
int  net_list_has_filter(const struct net_list *l, const char *filter);
/* Appends an empty portgroup named name; NULL past NET_MAX_PORTGROUPS. */
struct net_portgroup *net_def_add_portgroup(struct net_def *d, const char *name);
const struct net_portgroup *net_def_portgroup(const struct net_def *d, const char *name);
/* The default portgroup, else NULL. */
const struct net_portgroup *net_def_default_portgroup(const struct net_def *d);

/* What differs between the network a switch wants and the one a host has. */
enum {
	NETD_UPLINK    = 1u << 0,   /* bridge name */
	NETD_BACKEND   = 1u << 1,   /* forward mode or virtualport type */
	NETD_VLAN      = 1u << 2,   /* a portgroup's tags or trunk */
	NETD_BANDWIDTH = 1u << 3,   /* a portgroup's inbound/outbound */
	NETD_FILTER    = 1u << 4,   /* a portgroup's required nwfilter */
	NETD_PORTGROUP = 1u << 5,   /* a portgroup missing, extra, or its default flag */
	NETD_INACTIVE  = 1u << 6,   /* defined but not running */
	NETD_AUTOSTART = 1u << 7,   /* not started with the host */
};

/* Compares want with have (both parsed or built); returns the NETD_* bits
 * of what differs and writes a one-line explanation of each into why
 * ("portgroup web: vlan 100, host has 200; ..."), truncated to len. */
unsigned net_compare(const struct net_def *want, const struct net_def *have, char *why, size_t len);
/* The NETD_* bits of what differs between two portgroups of one name. */
unsigned net_portgroup_compare(const struct net_portgroup *want, const struct net_portgroup *have);
/* "uplink", "backend", "vlan", "bandwidth", "filter", "portgroup",
 * "inactive", "autostart" for one NETD_* bit. */
const char *net_drift_name(unsigned bit);

#endif

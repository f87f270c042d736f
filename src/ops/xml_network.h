/* xml_network.h — the XML of a distributed switch's operations (pure
 * builders, every value escaped; golden text in tests/unit/test_switch.c):
 * the libvirt network a switch defines on each host, one portgroup for
 * virNetworkUpdate, and a VM interface moved to a portgroup or VLAN for
 * virDomainUpdateDeviceFlags. */
#ifndef VD_OPS_XML_NETWORK_H
#define VD_OPS_XML_NETWORK_H

#include "core/strbuf.h"
#include "metrics/netxml.h"

/* <network> with uuid (when known), vdeck's <metadata> (filters, when any
 * portgroup names one), forward, bridge, virtualport and portgroups. */
void xml_network(const struct net_def *d, struct strbuf *sb);
/* One <portgroup>, unindented, for virNetworkUpdate. */
void xml_portgroup(const struct net_portgroup *pg, struct strbuf *sb);

/* A VM interface as virDomainUpdateDeviceFlags wants it: the same MAC,
 * model and source as the NIC has, with what set_nic changes. */
struct xml_nic_update {
	const char *mac, *model, *target;
	const char *network, *bridge;    /* exactly one */
	const char *portgroup;           /* network only; NULL: none */
	const char *virtualport;         /* bridge: "openvswitch" for an OVS bridge; NULL: none */
	const char *interfaceid;         /* the port's id, kept: libvirt reconnects a NIC whose
	                                  * virtualport differs; NULL or "": none */
	const unsigned *tags;            /* VLAN on the interface itself; ntags 0: none */
	size_t      ntags;
	int         trunk;
	const struct net_rate *in, *out; /* NULL: none */
	const char *filter;              /* <filterref>; NULL: none */
};
void xml_nic_update(const struct xml_nic_update *n, struct strbuf *sb);

#endif

/* switch_state.h — where a distributed switch stands on each of its hosts:
 * converged, missing (no network of that name), drifted (naming the
 * fields: vlan, bandwidth, filter, uplink, ...) or unknown (the host's
 * networks were never read).  The filter a portgroup requires must be
 * defined on the host and be each of its NICs' <filterref>.  Pure over the model: the networks the
 * workers read (host.nets) against the inventory's switch. */
#ifndef VD_MODEL_SWITCH_STATE_H
#define VD_MODEL_SWITCH_STATE_H

#include "model/cluster.h"

enum switch_state { SWS_CONVERGED, SWS_MISSING, SWS_DRIFTED, SWS_UNKNOWN };

struct switch_host_status {
	size_t            host;          /* index in the cluster */
	enum switch_state state;
	unsigned          fields;        /* NETD_* bits when drifted */
	char              why[768];
	const struct net_def *have;      /* the host's network, NULL when missing or unknown */
};

/* One entry per host of c that sw selects, in cluster order (caller frees
 * *out); returns the count. */
size_t switch_status(const struct cluster *c, const struct switch_config *sw, struct switch_host_status **out);
/* The status of sw on host h alone (h need not be selected). */
void   switch_host_status(const struct cluster *c, const struct switch_config *sw, size_t h,
			  struct switch_host_status *st);
const char *switch_state_name(enum switch_state s);
/* "vlan,bandwidth" of the NETD_* bits in fields. */
void   switch_fields_text(unsigned fields, char *buf, size_t len);

#endif

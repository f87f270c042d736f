/* virt_states.h — facts of every domain from a few filtered listings: the
 * state, for drivers whose bulk statistics carry none, and which domains
 * are transient or have snapshots (a handful of calls per host per poll
 * instead of calls per VM). */
#ifndef VD_VIRT_STATES_H
#define VD_VIRT_STATES_H

#include <stddef.h>

struct virt_states {
	struct virt_state_entry *v;   /* sorted by raw UUID */
	size_t n;
	unsigned calls;               /* listings made to fill it */
};

/* Fills st from conn (a virConnectPtr); -1 when a listing failed. */
int  virt_states_read(void *conn, struct virt_states *st);
/* The state of the domain with this raw UUID (VIR_UUID_BUFLEN bytes), or
 * -1 when it is in no listing (a state the filters cannot tell, or gone). */
int  virt_states_find(const struct virt_states *st, const unsigned char *raw);
void virt_states_free(struct virt_states *st);

/* The domains of one filtered listing (VIR_CONNECT_LIST_DOMAINS_TRANSIENT,
 * _HAS_SNAPSHOT...) by raw UUID: one round trip where a call per domain
 * would ask every VM (3000 calls when a console connects). */
struct virt_uuid_set {
	unsigned char (*raw)[16];   /* VIR_UUID_BUFLEN, sorted */
	size_t n;
};
int  virt_uuid_set_read(void *conn, unsigned flag, struct virt_uuid_set *set);
int  virt_uuid_set_has(const struct virt_uuid_set *set, const unsigned char *raw);
void virt_uuid_set_free(struct virt_uuid_set *set);

#endif

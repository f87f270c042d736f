/* virt_states.c — domain facts from filtered listings: one
 * virConnectListAllDomains per state the filters can name (or per fact:
 * transient, with snapshots), UUIDs read locally from the returned
 * handles, so the cost does not grow in round trips with the number of
 * VMs. */
#include "conn/virt_states.h"
#include "core/xalloc.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdlib.h>
#include <string.h>

struct virt_state_entry {
	unsigned char raw[VIR_UUID_BUFLEN];
	int state;
};

static const struct { unsigned flag; int state; } filters[] = {
	{ VIR_CONNECT_LIST_DOMAINS_RUNNING, VIR_DOMAIN_RUNNING },
	{ VIR_CONNECT_LIST_DOMAINS_PAUSED,  VIR_DOMAIN_PAUSED },
	{ VIR_CONNECT_LIST_DOMAINS_SHUTOFF, VIR_DOMAIN_SHUTOFF },
};

static int by_uuid(const void *a, const void *b)
{
	return memcmp(((const struct virt_state_entry *)a)->raw, ((const struct virt_state_entry *)b)->raw,
		      VIR_UUID_BUFLEN);
}

int virt_states_read(void *conn, struct virt_states *st)
{
	size_t cap = 0;
	memset(st, 0, sizeof *st);
	for (size_t f = 0; f < sizeof filters / sizeof filters[0]; f++) {
		virDomainPtr *doms = NULL;
		int n = virConnectListAllDomains(conn, &doms, filters[f].flag);
		st->calls++;
		if (n < 0) {
			virResetLastError();
			return -1;
		}
		x_grow(&st->v, &cap, st->n + (size_t)n + 1, sizeof *st->v);
		for (int i = 0; i < n; i++) {
			struct virt_state_entry *e = &st->v[st->n];
			if (virDomainGetUUID(doms[i], e->raw) == 0) {
				e->state = filters[f].state;
				st->n++;
			}
			virDomainFree(doms[i]);
		}
		free(doms);
	}
	virResetLastError();
	if (st->n)
		qsort(st->v, st->n, sizeof *st->v, by_uuid);
	return 0;
}

int virt_states_find(const struct virt_states *st, const unsigned char *raw)
{
	struct virt_state_entry key;
	memcpy(key.raw, raw, VIR_UUID_BUFLEN);
	const struct virt_state_entry *e = st->n ? bsearch(&key, st->v, st->n, sizeof *st->v, by_uuid) : NULL;
	return e ? e->state : -1;
}

void virt_states_free(struct virt_states *st)
{
	free(st->v);
	memset(st, 0, sizeof *st);
}

_Static_assert(VIR_UUID_BUFLEN == 16, "struct virt_uuid_set holds 16-byte UUIDs");

static int by_raw(const void *a, const void *b)
{
	return memcmp(a, b, VIR_UUID_BUFLEN);
}

int virt_uuid_set_read(void *conn, unsigned flag, struct virt_uuid_set *set)
{
	memset(set, 0, sizeof *set);
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(conn, &doms, flag);
	if (n < 0) {
		virResetLastError();
		return -1;
	}
	set->raw = x_calloc((size_t)n + 1, sizeof *set->raw);
	for (int i = 0; i < n; i++) {
		if (virDomainGetUUID(doms[i], set->raw[set->n]) == 0)
			set->n++;
		virDomainFree(doms[i]);
	}
	free(doms);
	if (set->n)
		qsort(set->raw, set->n, sizeof *set->raw, by_raw);
	return 0;
}

int virt_uuid_set_has(const struct virt_uuid_set *set, const unsigned char *raw)
{
	return set->n && bsearch(raw, set->raw, set->n, sizeof *set->raw, by_raw) != NULL;
}

void virt_uuid_set_free(struct virt_uuid_set *set)
{
	free(set->raw);
	memset(set, 0, sizeof *set);
}

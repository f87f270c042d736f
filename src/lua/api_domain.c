/* api_domain.c — domain handles: looked up by (host, uuid) on every access,
 * so a VM that vanished raises a clear error instead of crashing. */
#include "lua/lvdeck.h"
#include "model/numa_locality.h"

#include <stdio.h>
#include <string.h>

struct domain *lvd_check_domain(lua_State *L, int idx, struct host **host_out)
{
	struct dom_handle *dh = luaL_checkudata(L, idx, DOMAIN_MT);
	struct host *h = cluster_host_by_index(lctx_get(L)->cluster, dh->host);
	struct domain *d = h ? host_find_domain_uuid(h, dh->uuid) : NULL;
	if (!d)
		lvd_raisef(L, VD_ESTALE, NULL, h ? h->cfg->name : NULL, dh->name,
			   "domain no longer exists on this host (handle is stale)");
	if (host_out)
		*host_out = h;
	return d;
}

void lvd_push_domain(lua_State *L, size_t host, const struct domain *d)
{
	struct dom_handle *dh = lua_newuserdatauv(L, sizeof *dh, 0);
	dh->host = host;
	snprintf(dh->uuid, sizeof dh->uuid, "%s", d->info.uuid);
	snprintf(dh->name, sizeof dh->name, "%s", d->info.name);
	luaL_setmetatable(L, DOMAIN_MT);
}

static int dom_index(lua_State *L)
{
	struct host *h;
	struct domain *d = lvd_check_domain(L, 1, &h);
	const char *k = luaL_checkstring(L, 2);
	const struct dom_info *i = &d->info;
	if (!strcmp(k, "name")) lua_pushstring(L, i->name);
	else if (!strcmp(k, "uuid")) lua_pushstring(L, i->uuid);
	else if (!strcmp(k, "host")) lua_pushstring(L, h->cfg->name);
	else if (!strcmp(k, "state")) lua_pushstring(L, dom_state_name(d->state));
	else if (!strcmp(k, "vcpus")) lua_pushinteger(L, i->vcpus);
	else if (!strcmp(k, "max_vcpus")) lua_pushinteger(L, i->max_vcpus);
	else if (!strcmp(k, "memory")) lua_pushinteger(L, (lua_Integer)i->memory);
	else if (!strcmp(k, "max_memory")) lua_pushinteger(L, (lua_Integer)i->max_memory);
	else if (!strcmp(k, "hotplug_max_memory")) lua_pushinteger(L, (lua_Integer)i->hotplug_memory);
	else if (!strcmp(k, "memory_slots")) lua_pushinteger(L, i->memory_slots);
	else if (!strcmp(k, "id")) { if (d->id >= 0) lua_pushinteger(L, d->id); else lua_pushnil(L); }
	else if (!strcmp(k, "persistent")) lua_pushboolean(L, d->persistent);
	else if (!strcmp(k, "snapshot_count")) lua_pushinteger(L, d->snapshots);
	else if (!strcmp(k, "emulator_pin")) { if (i->emulatorpin[0]) lua_pushstring(L, i->emulatorpin); else lua_pushnil(L); }
	else if (!strcmp(k, "hugepages")) lua_pushboolean(L, i->hugepages);
	else {
		luaL_getmetafield(L, 1, "methods");
		lua_getfield(L, -1, k);
	}
	return 1;
}

static int dom_disks(lua_State *L)
{
	struct domain *d = lvd_check_domain(L, 1, NULL);
	lua_createtable(L, (int)d->info.ndisks, 0);
	for (size_t n = 0; n < d->info.ndisks; n++) {
		const struct dom_disk *k = &d->info.disks[n];
		lua_createtable(L, 0, 10);
		lvd_set_str(L, "target", k->target);
		lvd_set_str(L, "source", k->source);
		lvd_set_str(L, "device", k->device);
		lvd_set_str(L, "type", k->type);
		lvd_set_str(L, "bus", k->bus);
		lvd_set_str(L, "format", k->format);
		lvd_set_int(L, "capacity", (lua_Integer)k->capacity);
		lvd_set_int(L, "allocation", (lua_Integer)k->allocation);
		lua_pushboolean(L, k->shareable);
		lua_setfield(L, -2, "shareable");
		lvd_set_str(L, "sgio", k->sgio);
		lvd_disk_storage(L, d, k);
		lua_rawseti(L, -2, (lua_Integer)n + 1);
	}
	return 1;
}

/* The NIC's mode and what comes with it (issue 15): mode, queues, the VF,
 * macvtap mode, trunk, bandwidth (KiB/s), filter, coalesce. */
static void dom_nic_mode_fields(lua_State *L, const struct dom_nic *c)
{
	lvd_set_str(L, "mode", nic_mode_name(c->mode));
	if (c->queues)
		lvd_set_int(L, "queues", c->queues);
	if (c->vf_address[0])
		lvd_set_str(L, "vf", c->vf_address);
	if (c->direct_mode[0])
		lvd_set_str(L, "direct_mode", c->direct_mode);
	if (c->vlan_trunk) {
		lua_pushboolean(L, 1);
		lua_setfield(L, -2, "trunk");
	}
	if (c->in_average || c->out_average) {
		lua_createtable(L, 0, 2);
		if (c->in_average)
			lvd_set_int(L, "inbound", (lua_Integer)c->in_average);
		if (c->out_average)
			lvd_set_int(L, "outbound", (lua_Integer)c->out_average);
		lua_setfield(L, -2, "bandwidth");
	}
	if (c->filter[0])
		lvd_set_str(L, "filter", c->filter);
	if (c->coalesce_rx_frames >= 0)
		lvd_set_int(L, "coalesce_rx_frames", c->coalesce_rx_frames);
}

static int dom_nics(lua_State *L)
{
	struct domain *d = lvd_check_domain(L, 1, NULL);
	lua_createtable(L, (int)d->info.nnics, 0);
	for (size_t n = 0; n < d->info.nnics; n++) {
		const struct dom_nic *c = &d->info.nics[n];
		lua_createtable(L, 0, 7);
		lvd_set_str(L, "mac", c->mac);
		lvd_set_str(L, "type", c->type);
		lvd_set_str(L, "model", c->model);
		lvd_set_str(L, "source", c->source);
		lvd_set_str(L, "portgroup", c->portgroup);
		lvd_set_str(L, "target", c->target);
		if (c->vlan)
			lvd_set_int(L, "vlan", c->vlan);
		dom_nic_mode_fields(L, c);
		lua_rawseti(L, -2, (lua_Integer)n + 1);
	}
	return 1;
}

static int dom_vcpu_pins(lua_State *L)
{
	struct domain *d = lvd_check_domain(L, 1, NULL);
	lua_createtable(L, (int)d->info.npins, 0);
	for (size_t n = 0; n < d->info.npins; n++) {
		lua_createtable(L, 0, 2);
		lvd_set_int(L, "vcpu", d->info.pins[n].vcpu);
		lvd_set_str(L, "cpuset", d->info.pins[n].cpuset);
		lua_rawseti(L, -2, (lua_Integer)n + 1);
	}
	return 1;
}

static int dom_numatune(lua_State *L)
{
	struct domain *d = lvd_check_domain(L, 1, NULL);
	if (!d->info.numatune_mode[0] && !d->info.numatune_nodeset[0]) {
		lua_pushnil(L);
		return 1;
	}
	lua_createtable(L, 0, 2);
	lvd_set_str(L, "mode", d->info.numatune_mode[0] ? d->info.numatune_mode : "strict");
	lvd_set_str(L, "nodeset", d->info.numatune_nodeset);
	return 1;
}

static int dom_stats(lua_State *L)
{
	struct host *h;
	struct domain *d = lvd_check_domain(L, 1, &h);
	const struct dom_stats *s = &d->stats;
	lua_createtable(L, 0, 8);
	lua_pushnumber(L, s->cpu_util);
	lua_setfield(L, -2, "cpu_util");
	lua_createtable(L, 0, 3);
	lvd_set_int(L, "current", (lua_Integer)(s->balloon_current ? s->balloon_current : d->info.memory));
	lvd_set_int(L, "maximum", (lua_Integer)(s->balloon_maximum ? s->balloon_maximum : d->info.max_memory));
	if (s->balloon_usable)
		lvd_set_int(L, "usable", (lua_Integer)s->balloon_usable);
	if (s->balloon_available)
		lvd_set_int(L, "available", (lua_Integer)s->balloon_available);
	if (s->balloon_unused)
		lvd_set_int(L, "unused", (lua_Integer)s->balloon_unused);
	lua_setfield(L, -2, "balloon");
	lua_createtable(L, 0, 4);
	lvd_set_int(L, "rd_bytes", (lua_Integer)s->rd_bytes);
	lvd_set_int(L, "wr_bytes", (lua_Integer)s->wr_bytes);
	lua_pushnumber(L, s->rd_bps);
	lua_setfield(L, -2, "rd_bps");
	lua_pushnumber(L, s->wr_bps);
	lua_setfield(L, -2, "wr_bps");
	lua_setfield(L, -2, "disks");
	lua_createtable(L, 0, 4);
	lvd_set_int(L, "rx_bytes", (lua_Integer)s->rx_bytes);
	lvd_set_int(L, "tx_bytes", (lua_Integer)s->tx_bytes);
	lua_pushnumber(L, s->rx_bps);
	lua_setfield(L, -2, "rx_bps");
	lua_pushnumber(L, s->tx_bps);
	lua_setfield(L, -2, "tx_bps");
	lua_setfield(L, -2, "nics");
	lua_createtable(L, 0, (int)s->numa_nodes);
	for (unsigned n = 0; n < s->numa_nodes && n < DOM_MAX_NUMA; n++) {
		if (s->numa_mem[n]) {
			lua_pushinteger(L, (lua_Integer)s->numa_mem[n]);
			lua_rawseti(L, -2, n);
		}
	}
	lua_setfield(L, -2, "numa_mem");
	lvd_set_num(L, "numa_locality", domain_numa_locality(h, d));
	lua_pushboolean(L, s->valid);
	lua_setfield(L, -2, "live");
	if (s->from_prometheus) {   /* the libvirt exporter's figures: no placement, no guest balloon stats */
		lvd_set_str(L, "source", "prometheus");
		lua_createtable(L, 2, 0);
		lua_pushstring(L, "numa_mem");
		lua_rawseti(L, -2, 1);
		lua_pushstring(L, "balloon.usable");
		lua_rawseti(L, -2, 2);
		lua_setfield(L, -2, "unavailable");
	}
	return 1;
}

static int dom_refresh(lua_State *L)
{
	struct host *h;
	lvd_check_domain(L, 1, &h);
	lua_settop(L, 1);
	return lvd_refresh(L, h, 1);
}

static int dom_info_table(lua_State *L)
{
	struct host *h;
	struct domain *d = lvd_check_domain(L, 1, &h);
	lvd_push_domain_table(L, h, d);
	return 1;
}

static int dom_tostring(lua_State *L)
{
	struct host *h;
	struct domain *d = lvd_check_domain(L, 1, &h);
	lua_pushfstring(L, "domain %s on %s (%s)", d->info.name, h->cfg->name, dom_state_name(d->state));
	return 1;
}

static int dom_eq(lua_State *L)
{
	struct dom_handle *a = luaL_checkudata(L, 1, DOMAIN_MT), *b = luaL_checkudata(L, 2, DOMAIN_MT);
	lua_pushboolean(L, a->host == b->host && !strcmp(a->uuid, b->uuid));
	return 1;
}

void lvd_push_domain_table(lua_State *L, const struct host *h, const struct domain *d)
{
	lua_createtable(L, 0, 12);
	lvd_set_str(L, "name", d->info.name);
	lvd_set_str(L, "uuid", d->info.uuid);
	lvd_set_str(L, "host", h->cfg->name);
	lvd_set_str(L, "state", dom_state_name(d->state));
	lvd_set_int(L, "vcpus", d->info.vcpus);
	lvd_set_int(L, "max_vcpus", d->info.max_vcpus);
	lvd_set_int(L, "memory", (lua_Integer)d->info.memory);
	lvd_set_int(L, "max_memory", (lua_Integer)d->info.max_memory);
	lvd_set_int(L, "hotplug_max_memory", (lua_Integer)d->info.hotplug_memory);
	lvd_set_int(L, "memory_slots", d->info.memory_slots);
}

static const luaL_Reg dom_methods[] = {
	{ "disks", dom_disks },
	{ "nics", dom_nics },
	{ "vcpu_pins", dom_vcpu_pins },
	{ "numatune", dom_numatune },
	{ "stats", dom_stats },
	{ "refresh", dom_refresh },
	{ "info", dom_info_table },
	{ NULL, NULL },
};

void lvd_domain_register(lua_State *L)
{
	luaL_newmetatable(L, DOMAIN_MT);
	lua_pushcfunction(L, dom_index);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, dom_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pushcfunction(L, dom_eq);
	lua_setfield(L, -2, "__eq");
	lua_pushliteral(L, "vdeck.domain");
	lua_setfield(L, -2, "__name");
	luaL_newlib(L, dom_methods);
	lua_setfield(L, -2, "methods");
	lua_pop(L, 1);
}

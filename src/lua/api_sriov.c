/* api_sriov.c — SR-IOV as Lua tables: h:sriov() (the host's PFs, their VFs
 * with MAC/VLAN/trust/spoof check and the VM holding each, and the OVS-DPDK
 * settings) and vdeck.sriov() (free VFs per PF per host, for placing or
 * moving a VM that needs one). */
#include "lua/lvdeck.h"
#include "model/sriov_use.h"

#include <string.h>

static void set_bool(lua_State *L, const char *k, int v)
{
	if (v < 0)
		return;
	lua_pushboolean(L, v);
	lua_setfield(L, -2, k);
}

static void push_vf(lua_State *L, const struct host *h, const struct sriov_vf *vf)
{
	lua_createtable(L, 0, 10);
	lvd_set_int(L, "index", vf->index);
	lvd_set_str(L, "address", vf->address);
	if (vf->netdev[0])
		lvd_set_str(L, "netdev", vf->netdev);
	if (vf->mac[0])
		lvd_set_str(L, "mac", vf->mac);
	if (vf->vlan)
		lvd_set_int(L, "vlan", vf->vlan);
	set_bool(L, "spoofchk", vf->spoofchk);
	set_bool(L, "trust", vf->trust);
	if (vf->link_state[0])
		lvd_set_str(L, "link_state", vf->link_state);
	const char *mac = NULL;
	const struct domain *d = host_vf_user(h, vf->address, &mac);
	if (d) {
		lvd_set_str(L, "vm", d->info.name);
		if (mac && mac[0])
			lvd_set_str(L, "vm_mac", mac);
	}
}

static int host_sriov(lua_State *L)
{
	struct host *h = lvd_check_host(L, 1);
	if (!h->metrics)
		lvd_raisef(L, h->cfg->transport == HT_NONE ? VD_EUNSUPPORTED : VD_EUNREACH, "sriov", h->cfg->name, NULL,
			   "%s", h->cfg->transport == HT_NONE ? "host has no shell transport (transport = \"none\")"
			   : h->shell_error ? h->shell_error : "no host metrics yet");
	int stale = lvd_check_fresh(L, h, LVD_SRC(HOST_SRC_SHELL), 2, "sriov");
	const struct host_metrics *m = h->metrics;
	const struct sriov_inv *inv = &m->sriov;
	lua_createtable(L, 0, 2);
	lvd_mark_stale(L, stale);
	lua_createtable(L, (int)inv->npfs, 0);
	for (size_t p = 0; p < inv->npfs; p++) {
		const struct sriov_pf *pf = &inv->pfs[p];
		const struct nic *n = host_metrics_nic(m, pf->name);
		lua_createtable(L, 0, 6);
		lvd_set_str(L, "name", pf->name);
		lvd_set_str(L, "address", pf->address);
		if (n && n->sriov_totalvfs >= 0)
			lvd_set_int(L, "totalvfs", n->sriov_totalvfs);
		if (n && n->sriov_numvfs >= 0)
			lvd_set_int(L, "numvfs", n->sriov_numvfs);
		lvd_set_int(L, "free", (long long)host_free_vfs(h, pf->name));
		lua_newtable(L);
		lua_Integer k = 0;
		for (size_t i = 0; i < inv->nvfs; i++)
			if (!strcmp(inv->vfs[i].pf, pf->name)) {
				push_vf(L, h, &inv->vfs[i]);
				lua_rawseti(L, -2, ++k);
			}
		lua_setfield(L, -2, "vfs");
		lua_rawseti(L, -2, (lua_Integer)p + 1);
	}
	lua_setfield(L, -2, "pfs");
	if (inv->ovs_config) {
		lua_createtable(L, 0, 3);
		lua_pushboolean(L, inv->dpdk_init);
		lua_setfield(L, -2, "dpdk_init");
		if (inv->pmd_cpu_mask[0])
			lvd_set_str(L, "pmd_cpu_mask", inv->pmd_cpu_mask);
		if (inv->dpdk_socket_mem[0])
			lvd_set_str(L, "dpdk_socket_mem", inv->dpdk_socket_mem);
		lua_setfield(L, -2, "ovs");
	}
	return 1;
}

/* { { host =, pf =, vfs =, free =, free_vfs = { address, ... } }, ... }:
 * every PF of every host whose metrics are in. */
static int vdeck_sriov(lua_State *L)
{
	struct cluster *c = lctx_get(L)->cluster;
	lua_newtable(L);
	lua_Integer k = 0;
	for (size_t hi = 0; hi < c->nhosts; hi++) {
		const struct host *h = &c->hosts[hi];
		const struct sriov_inv *inv = h->metrics ? &h->metrics->sriov : NULL;
		for (size_t p = 0; inv && p < inv->npfs; p++) {
			const char *pf = inv->pfs[p].name;
			lua_createtable(L, 0, 5);
			lvd_set_str(L, "host", h->cfg->name);
			lvd_set_str(L, "pf", pf);
			lua_newtable(L);
			lua_Integer nv = 0, nf = 0;
			for (size_t i = 0; i < inv->nvfs; i++) {
				const struct sriov_vf *vf = &inv->vfs[i];
				if (strcmp(vf->pf, pf))
					continue;
				nv++;
				if (vf->netdev[0] || host_vf_user(h, vf->address, NULL))
					continue;   /* bound to a host driver, or a VM's */
				lua_pushstring(L, vf->address);
				lua_rawseti(L, -2, ++nf);
			}
			lua_setfield(L, -2, "free_vfs");
			lvd_set_int(L, "vfs", nv);
			lvd_set_int(L, "free", nf);
			lua_rawseti(L, -2, ++k);
		}
	}
	return 1;
}

static const luaL_Reg host_methods[] = { { "sriov", host_sriov }, { NULL, NULL } };
static const luaL_Reg vdeck_funcs[] = { { "sriov", vdeck_sriov }, { NULL, NULL } };

void lvd_sriov_register(lua_State *L)
{
	static const char *const readers[] = { "sriov", NULL };
	luaL_getmetatable(L, HOST_MT);
	lua_getfield(L, -1, "methods");
	luaL_setfuncs(L, host_methods, 0);
	lvd_wait_for_answer(L, -1, readers);
	lua_pop(L, 2);
	lua_getglobal(L, "vdeck");
	luaL_setfuncs(L, vdeck_funcs, 0);
	lvd_wait_for_answer(L, -1, readers);
	lua_pop(L, 1);
}

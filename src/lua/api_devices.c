/* api_devices.c — GPUs, vGPU types, mdevs and LUNs as Lua tables:
 * h:gpus(), h:luns(), vdeck.gpus() (free vGPU instances per type per host)
 * and vdeck.luns() (which LUN is visible on which hosts, used by which VMs).
 * Everything is read from the model: no call leaves the process.  A host's
 * lists raise "stale" when what they come from is old (lfresh.c). */
#include "lua/lvdeck.h"
#include "core/xalloc.h"
#include "model/devices.h"

#include <stdlib.h>
#include <string.h>

static const char *source_name(unsigned from)
{
	return from == (GPU_FROM_LIBVIRT | GPU_FROM_SYSFS) ? "libvirt+sysfs" : from == GPU_FROM_SYSFS ? "sysfs" : "libvirt";
}

static void push_gpu(lua_State *L, const struct host *h, const struct gpu_inv *inv, const struct gpu_dev *g)
{
	lua_createtable(L, 0, 12);
	lvd_set_str(L, "host", h->cfg->name);
	lvd_set_str(L, "name", g->name);
	lvd_set_str(L, "address", g->address);
	lvd_set_str(L, "vendor", g->vendor);
	lvd_set_str(L, "product", g->product);
	lvd_set_str(L, "vendor_id", g->vendor_id);
	lvd_set_str(L, "product_id", g->product_id);
	if (g->numa_node >= 0)
		lvd_set_int(L, "numa_node", g->numa_node);
	lvd_set_str(L, "source", source_name(g->from));
	lua_createtable(L, (int)g->ntypes, 0);
	for (size_t i = 0; i < g->ntypes; i++) {
		const struct gpu_type *t = &g->types[i];
		lua_createtable(L, 0, 5);
		lvd_set_str(L, "id", t->id);
		lvd_set_str(L, "name", t->name);
		lvd_set_str(L, "device_api", t->device_api);
		lvd_set_str(L, "description", t->description);
		if (t->available >= 0)
			lvd_set_int(L, "available", t->available);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "types");
	lua_newtable(L);
	int n = 0;
	for (size_t i = 0; i < inv->nmdevs; i++) {
		const struct gpu_mdev *m = &inv->mdevs[i];
		if (strcmp(m->parent, g->address))
			continue;
		lua_createtable(L, 0, 4);
		lvd_set_str(L, "uuid", m->uuid);
		lvd_set_str(L, "type", m->type);
		lvd_set_str(L, "parent", g->name);
		const struct domain *d = host_mdev_user(h, m->uuid);
		if (d) {
			lvd_set_str(L, "domain", d->info.name);
			lvd_set_str(L, "domain_state", dom_state_name(d->state));
		}
		lua_rawseti(L, -2, ++n);
	}
	lua_setfield(L, -2, "mdevs");
}

/* h:gpus() → { { name, address, vendor, product, numa_node, source,
 *               types = { {id, name, device_api, description, available} },
 *               mdevs = { {uuid, type, parent, domain} } } } */
static int host_gpus_l(lua_State *L)
{
	struct host *h = lvd_check_host(L, 1);
	int stale = lvd_check_fresh(L, h, LVD_SRC_BOTH, 2, "gpus");
	struct gpu_inv inv;
	host_gpus(h, &inv);
	lua_createtable(L, (int)inv.ngpus, 0);
	lvd_mark_stale(L, stale);
	for (size_t i = 0; i < inv.ngpus; i++) {
		push_gpu(L, h, &inv, &inv.gpus[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	gpu_inv_free(&inv);
	return 1;
}

/* vdeck.gpus() → { { host, type, name, device_api, free, gpus = { {address, numa_node, available} } } }
 * one row per host and vGPU type, sorted by host then type. */
static int vdeck_gpus(lua_State *L)
{
	struct cluster *c = lctx_get(L)->cluster;
	lua_newtable(L);
	int row = 0;
	for (size_t hi = 0; hi < c->nhosts; hi++) {
		const struct host *h = &c->hosts[hi];
		struct gpu_inv inv;
		host_gpus(h, &inv);
		/* distinct type ids of the host, in first-seen order of sorted GPUs */
		for (size_t g = 0; g < inv.ngpus; g++)
			for (size_t t = 0; t < inv.gpus[g].ntypes; t++) {
				const struct gpu_type *ty = &inv.gpus[g].types[t];
				int seen = 0;
				for (size_t pg = 0; pg <= g && !seen; pg++)
					for (size_t pt = 0; pt < (pg == g ? t : inv.gpus[pg].ntypes) && !seen; pt++)
						seen = !strcmp(inv.gpus[pg].types[pt].id, ty->id);
				if (seen)
					continue;
				lua_createtable(L, 0, 6);
				lvd_set_str(L, "host", h->cfg->name);
				lvd_set_str(L, "type", ty->id);
				lvd_set_str(L, "name", ty->name);
				lvd_set_str(L, "device_api", ty->device_api);
				int free_n = gpu_inv_free_instances(&inv, ty->id);
				lvd_set_int(L, "free", free_n < 0 ? 0 : free_n);
				lua_newtable(L);
				int k = 0;
				for (size_t x = g; x < inv.ngpus; x++) {
					const struct gpu_type *xt = gpu_find_type(&inv.gpus[x], ty->id);
					if (!xt)
						continue;
					lua_createtable(L, 0, 4);
					lvd_set_str(L, "name", inv.gpus[x].name);
					lvd_set_str(L, "address", inv.gpus[x].address);
					if (inv.gpus[x].numa_node >= 0)
						lvd_set_int(L, "numa_node", inv.gpus[x].numa_node);
					lvd_set_int(L, "available", xt->available < 0 ? 0 : xt->available);
					lua_rawseti(L, -2, ++k);
				}
				lua_setfield(L, -2, "gpus");
				lua_rawseti(L, -2, ++row);
			}
		gpu_inv_free(&inv);
	}
	return 1;
}

/* Appends { host, domain, target, shareable } for every disk in the cluster
 * that reaches the LUN id, to the table on top. */
static void push_users(lua_State *L, const struct cluster *c, const struct lun_ident *id)
{
	lua_newtable(L);
	int n = 0;
	for (size_t hi = 0; hi < c->nhosts; hi++) {
		const struct host *h = &c->hosts[hi];
		struct lun_list luns;
		int have = 0;
		for (size_t di = 0; di < h->ndoms; di++) {
			const struct domain *d = &h->doms[di];
			for (size_t k = 0; k < d->info.ndisks; k++) {
				struct lun_ident did;
				if (!have) {
					host_luns(h, &luns);
					have = 1;
				}
				if (!disk_lun_ident(h, &luns, &d->info.disks[k], &did) || !lun_ident_same(id, &did))
					continue;
				lua_createtable(L, 0, 5);
				lvd_set_str(L, "host", h->cfg->name);
				lvd_set_str(L, "domain", d->info.name);
				lvd_set_str(L, "target", d->info.disks[k].target);
				lvd_set_str(L, "device", d->info.disks[k].device);
				lua_pushboolean(L, d->info.disks[k].shareable);
				lua_setfield(L, -2, "shareable");
				lua_rawseti(L, -2, ++n);
			}
		}
		if (have)
			lun_list_free(&luns);
	}
}

static void push_lun(lua_State *L, const struct lun *u)
{
	lvd_set_str(L, "path", u->path);
	lvd_set_str(L, "dev", u->dev);
	lvd_set_str(L, "by_id", u->by_id);
	lvd_set_str(L, "wwn", u->wwn);
	if (u->size)
		lvd_set_int(L, "size", (long long)u->size);
	lvd_set_str(L, "vendor", u->vendor);
	lvd_set_str(L, "model", u->model);
	lvd_set_str(L, "transport", u->transport);
	lvd_set_str(L, "portal", u->portal);
	lvd_set_str(L, "iqn", u->iqn);
	if (u->lun >= 0)
		lvd_set_int(L, "lun", u->lun);
	lvd_set_str(L, "pool", u->pool);
	lvd_set_str(L, "volume", u->volume);
}

/* h:luns() → { { path, wwn, size, vendor, model, transport, portal, iqn,
 *               lun, pool, volume, used_by = { {host, domain, target, shareable} } } } */
static int host_luns_l(lua_State *L)
{
	struct host *h = lvd_check_host(L, 1);
	int stale = lvd_check_fresh(L, h, LVD_SRC_BOTH, 2, "luns");
	const struct cluster *c = lctx_get(L)->cluster;
	struct lun_list luns;
	host_luns(h, &luns);
	lua_createtable(L, (int)luns.n, 0);
	lvd_mark_stale(L, stale);
	for (size_t i = 0; i < luns.n; i++) {
		lua_createtable(L, 0, 14);
		push_lun(L, &luns.v[i]);
		struct lun_ident id;
		lun_ident_of(h, &luns.v[i], &id);
		push_users(L, c, &id);
		lua_setfield(L, -2, "used_by");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lun_list_free(&luns);
	return 1;
}

/* vdeck.luns() → { { id, wwn, size, vendor, model, transport, iqn, lun,
 *   hosts = { {host, path} }, used_by = { {host, domain, target, shareable} } } }
 * Every LUN a host sees, and every raw disk of a VM that no host lists
 * (an iSCSI LUN QEMU reaches by itself). */
static int vdeck_luns(lua_State *L)
{
	const struct cluster *c = lctx_get(L)->cluster;
	struct lun_ident *ids = NULL;
	size_t nids = 0, cap = 0;
	lua_newtable(L);
	int out = lua_gettop(L);
	/* first pass: host-visible LUNs, grouped by identity */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t hi = 0; hi < c->nhosts; hi++) {
			const struct host *h = &c->hosts[hi];
			struct lun_list luns;
			host_luns(h, &luns);
			size_t count = pass == 0 ? luns.n : 0;
			for (size_t di = 0; pass == 1 && di < h->ndoms; di++)
				count += h->doms[di].info.ndisks;
			for (size_t i = 0; i < count; i++) {
				struct lun_ident id;
				const struct lun *u = NULL;
				if (pass == 0) {
					u = &luns.v[i];
					lun_ident_of(h, u, &id);
				} else {
					size_t k = i;
					const struct domain *d = h->doms;
					while (k >= d->info.ndisks) {
						k -= d->info.ndisks;
						d++;
					}
					if (!disk_lun_ident(h, &luns, &d->info.disks[k], &id))
						continue;
				}
				size_t j = 0;
				while (j < nids && !lun_ident_same(&ids[j], &id))
					j++;
				if (j == nids) {
					x_grow(&ids, &cap, nids + 1, sizeof *ids);
					ids[nids++] = id;
					char key[400];
					lun_ident_key(&id, key, sizeof key);
					lua_createtable(L, 0, 12);
					lvd_set_str(L, "id", key);
					if (u)
						push_lun(L, u);
					else if (id.iscsi[0])
						lvd_set_str(L, "transport", "iscsi");
					lua_newtable(L);
					lua_setfield(L, -2, "hosts");
					push_users(L, c, &id);
					lua_setfield(L, -2, "used_by");
					lua_rawseti(L, out, (lua_Integer)nids);
				}
				if (pass == 0) {
					lua_rawgeti(L, out, (lua_Integer)j + 1);
					lua_getfield(L, -1, "hosts");
					lua_createtable(L, 0, 2);
					lvd_set_str(L, "host", h->cfg->name);
					lvd_set_str(L, "path", u->path);
					lua_rawseti(L, -2, (lua_Integer)luaL_len(L, -2) + 1);
					lua_pop(L, 2);
				}
			}
			lun_list_free(&luns);
		}
	}
	free(ids);
	return 1;
}

static const luaL_Reg host_methods[] = {
	{ "gpus", host_gpus_l }, { "luns", host_luns_l }, { NULL, NULL },
};

static const luaL_Reg vdeck_funcs[] = {
	{ "gpus", vdeck_gpus }, { "luns", vdeck_luns }, { NULL, NULL },
};

void lvd_devices_register(lua_State *L)
{
	luaL_getmetatable(L, HOST_MT);
	lua_getfield(L, -1, "methods");
	luaL_setfuncs(L, host_methods, 0);
	static const char *const readers[] = { "gpus", "luns", NULL };
	lvd_wait_for_answer(L, -1, readers);
	lua_pop(L, 2);
	lua_getglobal(L, "vdeck");
	luaL_setfuncs(L, vdeck_funcs, 0);
	lvd_wait_for_answer(L, -1, readers);
	lua_pop(L, 1);
}

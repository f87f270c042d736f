/* api_storage.c — h:pools(), vdeck.datastores() and the storage half of
 * d:disks() (provisioning, backing chain and who stands on each layer).
 *
 * Datastores and the backing-file index are built from the model on each
 * call (model/datastore.h, model/backing.h); the index is kept while the
 * cluster's generation stays the same, so a script reading the disks of
 * 3000 VMs builds it once. */
#include "lua/lvdeck.h"
#include "model/backing.h"
#include "model/datastore.h"
#include "core/xalloc.h"

#include <string.h>

#define INDEX_KEY "vdeck.backing_index"

struct index_owner {
	struct backing_index ix;
	unsigned             generation;
	int                  built;
};

static int index_gc(lua_State *L)
{
	struct index_owner *o = lua_touserdata(L, 1);
	backing_index_free(&o->ix);
	return 0;
}

/* The cluster's backing-file index, current for its generation. */
static const struct backing_index *current_index(lua_State *L)
{
	const struct cluster *c = lctx_get(L)->cluster;
	if (lua_getfield(L, LUA_REGISTRYINDEX, INDEX_KEY) != LUA_TUSERDATA) {
		lua_pop(L, 1);
		lvd_new_owner(L, sizeof(struct index_owner), index_gc);
		lua_pushvalue(L, -1);
		lua_setfield(L, LUA_REGISTRYINDEX, INDEX_KEY);
	}
	struct index_owner *o = lua_touserdata(L, -1);
	lua_pop(L, 1);   /* the registry keeps it */
	if (!o->built || o->generation != c->generation) {
		backing_index_free(&o->ix);
		backing_index_build(c, &o->ix);
		o->generation = c->generation;
		o->built = 1;
	}
	return &o->ix;
}

static void set_bool(lua_State *L, const char *k, int v)
{
	lua_pushboolean(L, v);
	lua_setfield(L, -2, k);
}

/* { {host, domain, target, depth} or {host, volume} }: who uses path, but
 * not the domain with exclude_uuid. */
static void push_users(lua_State *L, const struct cluster *c, const struct backing_file *f, const char *exclude_uuid)
{
	lua_newtable(L);
	int n = 0;
	for (size_t i = 0; f && i < f->nusers; i++) {
		const struct backing_user *u = &f->users[i];
		if (exclude_uuid && u->uuid && !strcmp(u->uuid, exclude_uuid))
			continue;
		lua_createtable(L, 0, 4);
		lvd_set_str(L, "host", c->hosts[u->host].cfg->name);
		if (u->domain) {
			lvd_set_str(L, "domain", u->domain);
			lvd_set_str(L, "target", u->target);
		} else {
			lvd_set_str(L, "volume", u->target);
		}
		lvd_set_int(L, "depth", u->depth);
		lua_rawseti(L, -2, ++n);
	}
}

/* "thin" when less is used than the guest sees, else "preallocated"; nil unknown. */
static const char *provisioning(uint64_t capacity, uint64_t allocation)
{
	if (!capacity || !allocation)
		return capacity && !allocation ? "thin" : NULL;
	return allocation < capacity ? "thin" : "preallocated";
}

/* Adds physical, provisioning, thin, datastore, chain = { {path, format,
 * capacity, allocation, missing, used_by} } to the disk table on top. */
void lvd_disk_storage(lua_State *L, const struct domain *d, const struct dom_disk *k)
{
	const struct cluster *c = lctx_get(L)->cluster;
	const struct backing_index *ix = current_index(L);
	if (k->physical)
		lvd_set_int(L, "physical", (lua_Integer)k->physical);
	const char *prov = strcmp(k->device, "cdrom") ? provisioning(k->capacity, k->allocation) : NULL;
	lvd_set_str(L, "provisioning", prov);
	if (prov)
		set_bool(L, "thin", !strcmp(prov, "thin"));
	const struct backing_file *own = backing_index_find(ix, k->source);
	push_users(L, c, own, d->info.uuid);
	lua_setfield(L, -2, "used_by");
	lua_newtable(L);
	int n = 0;
	const char *path = own ? own->below : k->backing;
	for (size_t l = 0; path && l < DOM_MAX_CHAIN; l++) {
		const struct backing_file *f = backing_index_find(ix, path);
		const struct dom_layer *layer = l < k->nchain ? &k->chain[l] : NULL;
		lua_createtable(L, 0, 6);
		lvd_set_str(L, "path", path);
		lvd_set_str(L, "format", layer && layer->format[0] ? layer->format : f ? f->format : NULL);
		uint64_t cap = layer && layer->capacity ? layer->capacity : f ? f->capacity : 0;
		uint64_t alloc = layer && layer->allocation ? layer->allocation : f ? f->allocation : 0;
		if (cap)
			lvd_set_int(L, "capacity", (lua_Integer)cap);
		if (alloc)
			lvd_set_int(L, "allocation", (lua_Integer)alloc);
		set_bool(L, "missing", f && f->missing);
		push_users(L, c, f, d->info.uuid);
		lua_setfield(L, -2, "used_by");
		lua_rawseti(L, -2, ++n);
		path = layer && l + 1 < k->nchain ? k->chain[l + 1].path : f ? f->below : NULL;
	}
	lua_setfield(L, -2, "chain");
}

static void push_pool(lua_State *L, const char *host_name, const struct pool_info *p)
{
	lua_createtable(L, 0, 14);
	lvd_set_str(L, "name", p->name);
	lvd_set_str(L, "uuid", p->uuid);
	lvd_set_str(L, "type", p->type);
	lvd_set_str(L, "state", p->active ? "active" : "inactive");
	set_bool(L, "autostart", p->autostart);
	lvd_set_int(L, "capacity", (lua_Integer)p->capacity);
	lvd_set_int(L, "allocation", (lua_Integer)p->allocation);
	lvd_set_int(L, "available", (lua_Integer)p->available);
	lvd_set_str(L, "target", p->target_path);
	lua_createtable(L, 0, 5);
	lua_createtable(L, (int)p->nsource_hosts, 0);
	for (size_t i = 0; i < p->nsource_hosts; i++) {
		lua_pushstring(L, p->source_hosts[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "hosts");
	lvd_set_str(L, "dir", p->source_dir);
	lvd_set_str(L, "device", p->source_device);
	lvd_set_str(L, "name", p->source_name);
	lvd_set_str(L, "format", p->source_format);
	lua_setfield(L, -2, "source");
	char key[512];
	datastore_key(host_name, p, key, sizeof key);
	lvd_set_str(L, "datastore", key);
	uint64_t virt = 0;
	lua_createtable(L, (int)p->nvols, 0);
	for (size_t i = 0; i < p->nvols; i++) {
		const struct pool_volume *v = &p->vols[i];
		lua_createtable(L, 0, 8);
		lvd_set_str(L, "name", v->name);
		lvd_set_str(L, "path", v->path);
		lvd_set_str(L, "format", v->format);
		lvd_set_int(L, "capacity", (lua_Integer)v->capacity);
		lvd_set_int(L, "allocation", (lua_Integer)v->allocation);
		if (v->physical)
			lvd_set_int(L, "physical", (lua_Integer)v->physical);
		lvd_set_str(L, "provisioning", provisioning(v->capacity, v->allocation));
		lvd_set_str(L, "backing", v->backing);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
		virt += v->capacity;
	}
	lua_setfield(L, -2, "volumes");
	lvd_set_int(L, "virtual_size", (lua_Integer)virt);
}

/* h:pools([{allow_stale=}]) → { {name, uuid, type, state, autostart,
 *   capacity, allocation, available, source = {hosts, dir, device, name,
 *   format}, target, datastore, virtual_size, volumes = { {name, path,
 *   format, capacity, allocation, physical, provisioning, backing} } } } */
static int host_pools(lua_State *L)
{
	struct host *h = lvd_check_host(L, 1);
	if (!h->libvirt_polls)
		return lvd_raise_unreachable(L, h, "pools");
	int stale = lvd_check_fresh(L, h, LVD_SRC(HOST_SRC_LIBVIRT), 2, "pools");
	lua_createtable(L, (int)h->npools, 0);
	lvd_mark_stale(L, stale);
	for (size_t i = 0; i < h->npools; i++) {
		push_pool(L, h->cfg->name, &h->pools[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	return 1;
}

/* A number option of the table at idx, or def. */
static double opt_num(lua_State *L, int idx, const char *k, double def)
{
	if (lua_type(L, idx) != LUA_TTABLE)
		return def;
	lua_getfield(L, idx, k);
	double v = lua_isnil(L, -1) ? def : luaL_checknumber(L, -1);
	lua_pop(L, 1);
	return v;
}

/* vdeck.datastores([{full_pct = 85, overcommit = 3}]) → { {key, name, type,
 *   shared, hosts = {name...}, pools = { {host, pool} }, capacity,
 *   allocation, available, virtual_size, volume_allocation, volumes,
 *   overcommit, vms = { {host, name} }, missing_hosts = {name...},
 *   alerts = {message...} } } */
static int vdeck_datastores(lua_State *L)
{
	const struct cluster *c = lctx_get(L)->cluster;
	double full = opt_num(L, 1, "full_pct", DATASTORE_FULL_PCT);
	double ratio = opt_num(L, 1, "overcommit", DATASTORE_OVERCOMMIT_MAX);
	luaL_argcheck(L, full >= 0 && full <= 100, 1, "full_pct is a percentage");
	struct datastore_list l;
	datastores_build(c, &l);
	lua_createtable(L, (int)l.n, 0);
	for (size_t i = 0; i < l.n; i++) {
		const struct datastore *d = &l.v[i];
		lua_createtable(L, 0, 16);
		lvd_set_str(L, "key", d->key);
		lvd_set_str(L, "name", d->name);
		lvd_set_str(L, "type", d->type);
		set_bool(L, "shared", d->shared);
		lua_createtable(L, (int)d->nmembers, 0);
		lua_createtable(L, (int)d->nmembers, 0);
		for (size_t m = 0; m < d->nmembers; m++) {
			const struct host *h = &c->hosts[d->members[m].host];
			lua_pushstring(L, h->cfg->name);
			lua_rawseti(L, -3, (lua_Integer)m + 1);
			lua_createtable(L, 0, 2);
			lvd_set_str(L, "host", h->cfg->name);
			lvd_set_str(L, "pool", h->pools[d->members[m].pool].name);
			lua_rawseti(L, -2, (lua_Integer)m + 1);
		}
		lua_setfield(L, -3, "pools");
		lua_setfield(L, -2, "hosts");
		lvd_set_int(L, "capacity", (lua_Integer)d->capacity);
		lvd_set_int(L, "allocation", (lua_Integer)d->allocation);
		lvd_set_int(L, "available", (lua_Integer)d->available);
		lvd_set_int(L, "virtual_size", (lua_Integer)d->virtual_size);
		lvd_set_int(L, "volume_allocation", (lua_Integer)d->volume_allocation);
		lvd_set_int(L, "volumes", (lua_Integer)d->nvolumes);
		lvd_set_num(L, "overcommit", datastore_overcommit(d));
		lua_createtable(L, (int)d->nvms, 0);
		for (size_t v = 0; v < d->nvms; v++) {
			const struct host *h = &c->hosts[d->vms[v].host];
			lua_createtable(L, 0, 2);
			lvd_set_str(L, "host", h->cfg->name);
			lvd_set_str(L, "name", h->doms[d->vms[v].dom].info.name);
			lua_rawseti(L, -2, (lua_Integer)v + 1);
		}
		lua_setfield(L, -2, "vms");
		lua_createtable(L, (int)d->nstrangers, 0);
		for (size_t s = 0; s < d->nstrangers; s++) {
			lua_pushstring(L, c->hosts[d->strangers[s]].cfg->name);
			lua_rawseti(L, -2, (lua_Integer)s + 1);
		}
		lua_setfield(L, -2, "missing_hosts");
		char msgs[4][256];
		size_t na = datastore_alerts(d, c, (unsigned)full, ratio, msgs, 4);
		lua_createtable(L, (int)na, 0);
		for (size_t a = 0; a < na; a++) {
			lua_pushstring(L, msgs[a]);
			lua_rawseti(L, -2, (lua_Integer)a + 1);
		}
		lua_setfield(L, -2, "alerts");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	datastore_list_free(&l);
	return 1;
}

static const luaL_Reg host_methods[] = {
	{ "pools", host_pools }, { NULL, NULL },
};

static const luaL_Reg vdeck_funcs[] = {
	{ "datastores", vdeck_datastores }, { NULL, NULL },
};

void lvd_storage_register(lua_State *L)
{
	luaL_getmetatable(L, HOST_MT);
	lua_getfield(L, -1, "methods");
	luaL_setfuncs(L, host_methods, 0);
	static const char *const host_readers[] = { "pools", NULL };
	lvd_wait_for_answer(L, -1, host_readers);
	lua_pop(L, 2);
	lua_getglobal(L, "vdeck");
	luaL_setfuncs(L, vdeck_funcs, 0);
	static const char *const readers[] = { "datastores", NULL };
	lvd_wait_for_answer(L, -1, readers);
	lua_pop(L, 1);
}

/* test_lua_util.h — a Lua state over a one-host cluster that polls
 * nothing (host "hv1", no transport, libvirt test:///default), for tests
 * of the Lua side that feed the model or run jobs themselves. */
#ifndef VD_TEST_LUA_UTIL_H
#define VD_TEST_LUA_UTIL_H

#include "check.h"

#include "conn/fleet.h"
#include "core/xalloc.h"
#include "lua/vlua.h"
#include "model/cluster.h"

struct lua_fixture {
	struct inventory   inv;
	struct cluster     c;
	struct vd_options  opts;
	struct fleet      *f;
	struct vlua       *vl;
};

static inline void lua_fixture_open(struct lua_fixture *x)
{
	memset(x, 0, sizeof *x);
	struct host_config *h = inventory_add(&x->inv);
	h->name = x_strdup("hv1");
	h->transport = HT_NONE;
	h->libvirt_uri = x_strdup("test:///default");
	cluster_init(&x->c, &x->inv);
	struct fleet_opts fo = { .connect_timeout_ms = 5000, .poll = 0 };
	struct vd_err err;
	err_clear(&err);
	x->f = fleet_start(&x->c, &fo, &err);
	CHECK(x->f != NULL);
	x->vl = vlua_new(x->f, &x->opts, &err);
	CHECK(x->vl != NULL);
}

static inline void lua_fixture_close(struct lua_fixture *x)
{
	vlua_free(&x->vl);
	fleet_stop(&x->f);
	cluster_free(&x->c);
	inventory_free(&x->inv);
}

#endif

/* runbook_info.c — loads each runbook file in a throw-away Lua state with a
 * stub `vdeck` module, to read what it declares without running it. */
#include "lua/runbook_info.h"
#include "core/paths.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "lua/lvdeck.h"
#include "lua/safe_load.h"
#include "ops/value.h"

#include <dirent.h>
#include <lualib.h>
#include <stdlib.h>
#include <string.h>

static int stub_runbook(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	return 1;
}

static int stub_require(lua_State *L)
{
	lua_getglobal(L, "vdeck");
	return 1;
}

static char *field_str(lua_State *L, int t, const char *k)
{
	lua_getfield(L, t, k);
	char *s = NULL;
	if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER)
		s = x_strdup(lua_tostring(L, -1));
	else if (lua_isboolean(L, -1))
		s = x_strdup(lua_toboolean(L, -1) ? "true" : "false");
	lua_pop(L, 1);
	return s;
}

static void read_params(lua_State *L, int rb, struct runbook_info *info)
{
	lua_getfield(L, rb, "params");
	if (!lua_istable(L, -1)) {
		lua_pop(L, 1);
		return;
	}
	int pt = lua_gettop(L);
	size_t n = lua_rawlen(L, pt);
	info->params = x_calloc(n ? n : 1, sizeof *info->params);
	for (size_t i = 1; i <= n; i++) {
		lua_rawgeti(L, pt, (lua_Integer)i);
		if (lua_istable(L, -1)) {
			int p = lua_gettop(L);
			struct runbook_param *rp = &info->params[info->nparams++];
			rp->name = field_str(L, p, "name");
			if (!rp->name)
				rp->name = x_strdup("?");
			rp->type = field_str(L, p, "type");
			if (!rp->type)
				rp->type = x_strdup("string");
			rp->description = field_str(L, p, "description");
			rp->def = field_str(L, p, "default");
			rp->min = field_str(L, p, "min");
			rp->max = field_str(L, p, "max");
			enum op_type t;
			if (op_type_parse(rp->type, &t) < 0 && !info->error)
				info->error = x_asprintf("param '%s' has unknown type '%s'", rp->name, rp->type);
			lua_getfield(L, p, "required");
			rp->required = lua_toboolean(L, -1);
			lua_pop(L, 1);
			lua_getfield(L, p, "values");
			if (lua_istable(L, -1)) {
				size_t nv = lua_rawlen(L, -1);
				rp->values = x_calloc(nv + 1, sizeof *rp->values);
				for (size_t v = 1; v <= nv; v++) {
					lua_rawgeti(L, -1, (lua_Integer)v);
					rp->values[v - 1] = x_strdup(lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
					lua_pop(L, 1);
				}
			}
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

static void load_one(const char *path, const char *fallback_name, struct runbook_info *info)
{
	memset(info, 0, sizeof *info);
	info->path = x_strdup(path);
	info->mutating = 1;
	lua_State *L = luaL_newstate();
	luaL_openlibs(L);
	lua_newtable(L);
	lua_pushcfunction(L, stub_runbook);
	lua_setfield(L, -2, "runbook");
	lua_setglobal(L, "vdeck");
	lua_pushcfunction(L, stub_require);
	lua_setglobal(L, "require");
	if (safe_loadfile(L, "runbook", path) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK) {
		info->error = x_strdup(lua_tostring(L, -1) ? lua_tostring(L, -1) : "error");
	} else if (!lua_istable(L, -1)) {
		info->error = x_strdup("does not return vdeck.runbook{...}");
	} else {
		int rb = lua_gettop(L);
		info->name = field_str(L, rb, "name");
		info->description = field_str(L, rb, "description");
		lua_getfield(L, rb, "readonly");
		info->mutating = !lua_toboolean(L, -1);
		lua_pop(L, 1);
		read_params(L, rb, info);
	}
	if (!info->name)
		info->name = x_strdup(fallback_name);
	if (!info->description)
		info->description = x_strdup("");
	lua_close(L);
}

static int cmp_info(const void *a, const void *b)
{
	return strcmp(((const struct runbook_info *)a)->name, ((const struct runbook_info *)b)->name);
}

size_t runbook_info_list(struct runbook_info **out)
{
	struct strbuf paths;
	sb_init(&paths);
	lvd_runbook_paths(&paths);
	size_t n = 0, cap = 0;
	*out = NULL;
	char *save = NULL;
	for (char *dir = strtok_r(paths.buf, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		DIR *d = opendir(dir);
		if (!d)
			continue;
		struct dirent *e;
		while ((e = readdir(d))) {
			size_t len = strlen(e->d_name);
			if (len < 5 || strcmp(e->d_name + len - 4, ".lua") || e->d_name[0] == '.')
				continue;
			char *base = x_strndup(e->d_name, len - 4);
			int dup = 0;
			for (size_t i = 0; i < n; i++)
				dup |= !strcmp(base, (*out)[i].name);
			if (!dup) {
				char *p = x_asprintf("%s/%s", dir, e->d_name);
				x_grow(out, &cap, n + 1, sizeof **out);
				load_one(p, base, &(*out)[n++]);
				free(p);
			}
			free(base);
		}
		closedir(d);
	}
	sb_free(&paths);
	if (n)
		qsort(*out, n, sizeof **out, cmp_info);
	return n;
}

void runbook_info_free(struct runbook_info *rb, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rb[i].name);
		free(rb[i].description);
		free(rb[i].path);
		free(rb[i].error);
		for (size_t p = 0; p < rb[i].nparams; p++) {
			struct runbook_param *rp = &rb[i].params[p];
			free(rp->name);
			free(rp->type);
			free(rp->description);
			free(rp->def);
			free(rp->min);
			free(rp->max);
			for (size_t v = 0; rp->values && rp->values[v]; v++)
				free(rp->values[v]);
			free(rp->values);
		}
		free(rb[i].params);
	}
	free(rb);
}

int runbook_param_check(const struct runbook_param *rp, const char *text, struct vd_err *err)
{
	struct op_arg a = { .name = rp->name, .values = (const char *const *)rp->values, .min = rp->min,
			    .max = rp->max };
	if (op_type_parse(rp->type, &a.type) < 0)
		return err_set(err, VD_EUSAGE, "%s: unknown type '%s'", rp->name, rp->type);
	struct op_value v;
	if (op_value_parse(&a, text, &v, err) < 0)
		return -1;
	free(v.s);
	return 0;
}

/* emit.c — Lua values to JSON, and vdeck.emit() for headless output.
 *
 * Objects get sorted keys so that output is stable for diffing and tests;
 * a table is an array when its keys are exactly 1..#t. */
#include "lua/lvdeck.h"
#include "core/strbuf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32

static int is_array(lua_State *L, int idx)
{
	lua_Integer n = (lua_Integer)lua_rawlen(L, idx), count = 0;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		if (!lua_isinteger(L, -1)) {
			lua_pop(L, 1);
			return 0;
		}
		lua_Integer k = lua_tointeger(L, -1);
		if (k < 1 || k > n) {
			lua_pop(L, 1);
			return 0;
		}
		count++;
	}
	return count == n && n > 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Numbers read back as the same value: integers exactly, a float that
 * holds an integer below 2^53 as that integer, any other float with the
 * fewest digits (15 to 17) that round-trip; NaN and infinities as null. */
static void number_json(lua_State *L, int idx, struct strbuf *sb)
{
	if (lua_isinteger(L, idx)) {
		sb_appendf(sb, "%lld", (long long)lua_tointeger(L, idx));
		return;
	}
	double v = lua_tonumber(L, idx);
	if (!isfinite(v)) {
		sb_append(sb, "null");
		return;
	}
	if (v == floor(v) && fabs(v) <= 9007199254740992.0) {
		sb_appendf(sb, "%.0f", v);
		return;
	}
	char buf[32];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	sb_append(sb, buf);
}

static void object_json(lua_State *L, int idx, struct strbuf *sb, int depth)
{
	size_t n = 0, cap = 16;
	char **keys = malloc(cap * sizeof *keys);
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		if (n == cap)
			keys = realloc(keys, (cap *= 2) * sizeof *keys);
		lua_pushvalue(L, -1);   /* tostring on a copy keeps lua_next's key intact */
		keys[n++] = strdup(lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
		lua_pop(L, 1);
	}
	qsort(keys, n, sizeof *keys, cmp_str);
	sb_appendc(sb, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_appendc(sb, ',');
		sb_append_json(sb, keys[i]);
		sb_appendc(sb, ':');
		lua_getfield(L, idx, keys[i]);
		if (lua_isnil(L, -1)) {
			/* an integer key: look it up as a number */
			lua_pop(L, 1);
			lua_pushinteger(L, strtoll(keys[i], NULL, 10));
			lua_rawget(L, idx);
		}
		lvd_to_json(L, -1, sb, depth + 1);
		lua_pop(L, 1);
		free(keys[i]);
	}
	sb_appendc(sb, '}');
	free(keys);
}

void lvd_to_json(lua_State *L, int idx, struct strbuf *sb, int depth)
{
	idx = lua_absindex(L, idx);
	if (depth > MAX_DEPTH)
		luaL_error(L, "emit: value nested too deeply (or cyclic)");
	switch (lua_type(L, idx)) {
	case LUA_TNIL: sb_append(sb, "null"); break;
	case LUA_TBOOLEAN: sb_append(sb, lua_toboolean(L, idx) ? "true" : "false"); break;
	case LUA_TNUMBER: number_json(L, idx, sb); break;
	case LUA_TSTRING: sb_append_json(sb, lua_tostring(L, idx)); break;
	case LUA_TTABLE:
		if (luaL_getmetafield(L, idx, "__tostring") != LUA_TNIL) {
			lua_pop(L, 1);
			sb_append_json(sb, luaL_tolstring(L, idx, NULL));
			lua_pop(L, 1);
		} else if (is_array(L, idx)) {
			sb_appendc(sb, '[');
			lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
			for (lua_Integer i = 1; i <= n; i++) {
				if (i > 1)
					sb_appendc(sb, ',');
				lua_rawgeti(L, idx, i);
				lvd_to_json(L, -1, sb, depth + 1);
				lua_pop(L, 1);
			}
			sb_appendc(sb, ']');
		} else {
			object_json(L, idx, sb, depth);
		}
		break;
	case LUA_TUSERDATA: {
		/* Handles encode as their name: what a reader of the output wants. */
		if (luaL_testudata(L, idx, HOST_MT) || luaL_testudata(L, idx, DOMAIN_MT)) {
			lua_getfield(L, idx, "name");
			sb_append_json(sb, lua_tostring(L, -1));
			lua_pop(L, 1);
		} else {
			sb_append_json(sb, luaL_tolstring(L, idx, NULL));
			lua_pop(L, 1);
		}
		break;
	}
	default:
		sb_append_json(sb, luaL_typename(L, idx));
	}
}

static void text_value(lua_State *L, int idx, struct strbuf *sb)
{
	if (lua_type(L, idx) == LUA_TTABLE || lua_type(L, idx) == LUA_TUSERDATA) {
		lvd_to_json(L, idx, sb, 0);
		return;
	}
	if (lua_type(L, idx) == LUA_TNUMBER) {
		number_json(L, idx, sb);
		return;
	}
	const char *s = luaL_tolstring(L, idx, NULL);
	if (!*s || strpbrk(s, " \t\"=\n"))
		sb_append_json(sb, s);
	else
		sb_append(sb, s);
	lua_pop(L, 1);
}

/* vdeck.emit(value): one JSON line with --json, else key=value text. */
int lvd_emit(lua_State *L)
{
	struct lctx *ctx = lctx_get(L);
	luaL_checkany(L, 1);
	struct strbuf sb;
	sb_init(&sb);
	if (ctx->opts->json || lua_type(L, 1) != LUA_TTABLE) {
		if (ctx->opts->json)
			lvd_to_json(L, 1, &sb, 0);
		else
			text_value(L, 1, &sb);
	} else {
		/* Sorted keys: reuse the JSON object walk's order by collecting keys. */
		size_t n = 0, cap = 16;
		char **keys = malloc(cap * sizeof *keys);
		lua_pushnil(L);
		while (lua_next(L, 1)) {
			lua_pop(L, 1);
			if (n == cap)
				keys = realloc(keys, (cap *= 2) * sizeof *keys);
			lua_pushvalue(L, -1);
			keys[n++] = strdup(lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
			lua_pop(L, 1);
		}
		qsort(keys, n, sizeof *keys, cmp_str);
		for (size_t i = 0; i < n; i++) {
			if (i)
				sb_appendc(&sb, ' ');
			sb_appendf(&sb, "%s=", keys[i]);
			lua_getfield(L, 1, keys[i]);
			if (lua_isnil(L, -1)) {
				lua_pop(L, 1);
				lua_pushinteger(L, strtoll(keys[i], NULL, 10));
				lua_rawget(L, 1);
			}
			text_value(L, -1, &sb);
			lua_pop(L, 1);
			free(keys[i]);
		}
		free(keys);
	}
	sb_appendc(&sb, '\n');
	lvd_write(L, ctx->opts->json ? LVD_JSON : LVD_OUT, sb.buf, sb.len);
	sb_free(&sb);
	return 0;
}

/* emit.c — Lua values to JSON (with jansson), and vdeck.emit() for
 * headless output.
 *
 * Objects get sorted keys so that output is stable for diffing and tests;
 * a table is an array when its keys are exactly 1..#t. */
#include "lua/lvdeck.h"
#include "core/strbuf.h"

#include <jansson.h>

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

/* Numbers in key=value text read back as the same value: integers
 * exactly, a float that holds an integer below 2^53 as that integer, any
 * other float with the fewest digits (15 to 17) that round-trip; NaN and
 * infinities as null. */
static void number_text(lua_State *L, int idx, struct strbuf *sb)
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

/* The digits (15 to 17) a float needs to read back as itself. */
static int real_digits(double v)
{
	char buf[32];
	for (int prec = 15; prec < 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return prec;
	}
	return 17;
}

/* A JSON string of s: bytes that are not UTF-8 become U+FFFD (jansson
 * refuses them, as would any JSON reader). */
static json_t *string_json(const char *s, size_t len)
{
	json_t *j = json_stringn(s, len);
	if (j)
		return j;
	struct strbuf sb;
	sb_init(&sb);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
		json_t *one = n && i + n <= len ? json_stringn(s + i, n) : NULL;
		if (one) {
			sb_append_n(&sb, s + i, n);
			json_decref(one);
			i += n - 1;
		} else {
			sb_append(&sb, "\xef\xbf\xbd");
		}
	}
	j = json_stringn(sb.buf ? sb.buf : "", sb.len);
	sb_free(&sb);
	return j;
}

static json_t *value_json(lua_State *L, int idx, int depth, int *digits);

static json_t *object_json(lua_State *L, int idx, int depth, int *digits)
{
	json_t *obj = json_object();
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		json_t *v = value_json(L, -1, depth + 1, digits);
		lua_pop(L, 1);
		if (!v) {
			lua_pop(L, 1);
			json_decref(obj);
			return NULL;
		}
		lua_pushvalue(L, -1);   /* tostring on a copy keeps lua_next's key intact */
		const char *k = lua_tostring(L, -1);
		json_t *key = string_json(k ? k : "?", k ? strlen(k) : 1);
		json_object_set_new(obj, json_string_value(key), v);
		json_decref(key);
		lua_pop(L, 1);
	}
	return obj;
}

static json_t *array_json(lua_State *L, int idx, int depth, int *digits)
{
	json_t *arr = json_array();
	lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, idx, i);
		json_t *v = value_json(L, -1, depth + 1, digits);
		lua_pop(L, 1);
		if (!v) {
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, v);
	}
	return arr;
}

/* The string Lua's tostring gives the value at idx. */
static json_t *tostring_json(lua_State *L, int idx)
{
	const char *s = luaL_tolstring(L, idx, NULL);
	json_t *j = string_json(s, strlen(s));
	lua_pop(L, 1);
	return j;
}

/* NULL when nested past MAX_DEPTH (or cyclic): the caller raises once
 * nothing is left to free.  *digits grows to what the reals need. */
static json_t *value_json(lua_State *L, int idx, int depth, int *digits)
{
	idx = lua_absindex(L, idx);
	if (depth > MAX_DEPTH)
		return NULL;
	const char *s;
	switch (lua_type(L, idx)) {
	case LUA_TNIL: return json_null();
	case LUA_TBOOLEAN: return json_boolean(lua_toboolean(L, idx));
	case LUA_TNUMBER: {
		if (lua_isinteger(L, idx))
			return json_integer((json_int_t)lua_tointeger(L, idx));
		double v = lua_tonumber(L, idx);
		if (!isfinite(v))
			return json_null();
		if (v == floor(v) && fabs(v) <= 9007199254740992.0)
			return json_integer((json_int_t)v);
		int d = real_digits(v);
		if (d > *digits)
			*digits = d;
		return json_real(v);
	}
	case LUA_TSTRING:
		s = lua_tostring(L, idx);
		return string_json(s, strlen(s));
	case LUA_TTABLE:
		if (luaL_getmetafield(L, idx, "__tostring") != LUA_TNIL) {
			lua_pop(L, 1);
			return tostring_json(L, idx);
		}
		return is_array(L, idx) ? array_json(L, idx, depth, digits) : object_json(L, idx, depth, digits);
	case LUA_TUSERDATA:
		/* Handles encode as their name: what a reader of the output wants. */
		if (luaL_testudata(L, idx, HOST_MT) || luaL_testudata(L, idx, DOMAIN_MT)) {
			lua_getfield(L, idx, "name");
			s = lua_tostring(L, -1);
			json_t *j = string_json(s ? s : "", s ? strlen(s) : 0);
			lua_pop(L, 1);
			return j;
		}
		return tostring_json(L, idx);
	default:
		s = luaL_typename(L, idx);
		return string_json(s, strlen(s));
	}
}

/* jansson leaves DEL and the C1 controls (U+0080-U+009F, bytes C2 80-9F)
 * raw; vdeck escapes every control so its output is safe to print on a
 * terminal.  Outside strings JSON has neither byte, so this is exact. */
static void append_escaping_controls(struct strbuf *sb, const char *json)
{
	for (const unsigned char *p = (const unsigned char *)json; *p; p++) {
		if (*p == 0x7f)
			sb_append(sb, "\\u007f");
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			sb_appendf(sb, "\\u%04x", *++p);
		else
			sb_appendc(sb, (char)*p);
	}
}

/* Through jansson: keys sorted (stable output for diffing and tests);
 * integers exact; reals with the digits the most demanding one of the
 * document needs to read back as itself (jansson has one precision per
 * document: 0.1 beside 1/3 prints as 0.10000000000000001, the same
 * double). */
void lvd_to_json(lua_State *L, int idx, struct strbuf *sb, int depth)
{
	int digits = 15;
	json_t *j = value_json(L, idx, depth, &digits);
	if (!j)
		luaL_error(L, "emit: value nested too deeply (or cyclic)");
	char *text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(digits));
	json_decref(j);
	if (!text)
		luaL_error(L, "emit: cannot encode the value as JSON");
	append_escaping_controls(sb, text);
	free(text);
}

static void text_value(lua_State *L, int idx, struct strbuf *sb)
{
	if (lua_type(L, idx) == LUA_TTABLE || lua_type(L, idx) == LUA_TUSERDATA) {
		lvd_to_json(L, idx, sb, 0);
		return;
	}
	if (lua_type(L, idx) == LUA_TNUMBER) {
		number_text(L, idx, sb);
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

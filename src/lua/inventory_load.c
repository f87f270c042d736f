/* inventory_load.c — the defaults{}, host{} and rule{} declarations.
 *
 * The file is ordinary Lua (loops, string.format) run in a private state
 * whose only vdeck functions are defaults, host, rule and switch
 * (lua/inventory_switch.c).  Each call validates its
 * table at once, so an error points at the line that made it; defaults are
 * merged into hosts after the whole file ran, so their order does not
 * matter. */
#include "lua/inventory_load.h"
#include "lua/inventory_metrics.h"
#include "core/filesafe.h"
#include "core/paths.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "lua/inventory_switch.h"
#include "lua/safe_load.h"
#include "model/libvirt_route.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct loader {
	struct inventory *inv;
	struct ssh_settings defaults_ssh;
	int   defaults_interval_ms;
	int   defaults_seen;
	char *defaults_sysroot;
	enum libvirt_via defaults_libvirt_via;   /* AUTO: not declared */
	enum libvirt_stats defaults_libvirt_stats;
	struct metrics_settings defaults_metrics;
};

static struct loader *get_loader(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(1));
}

/* Raises "FILE:LINE: what" pointing at the declaration's caller. */
static int decl_error(lua_State *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int decl_error(lua_State *L, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	luaL_where(L, 1);
	lua_pushstring(L, msg);
	lua_concat(L, 2);
	return lua_error(L);
}

static int check_known(lua_State *L, int t, const char *what, const char *const *known)
{
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING)
			return decl_error(L, "%s: keys must be field names", what);
		const char *k = lua_tostring(L, -1);
		int ok = 0;
		for (const char *const *p = known; *p && !ok; p++)
			ok = !strcmp(*p, k);
		if (!ok)
			return decl_error(L, "%s: unknown field '%s'", what, k);
	}
	return 0;
}

static char *opt_string(lua_State *L, int t, const char *what, const char *field)
{
	lua_getfield(L, t, field);
	char *out = NULL;
	if (lua_type(L, -1) == LUA_TSTRING)
		out = x_strdup(lua_tostring(L, -1));
	else if (!lua_isnil(L, -1))
		decl_error(L, "%s: field '%s' must be a string, not %s", what, field, luaL_typename(L, -1));
	lua_pop(L, 1);
	return out;
}

static int opt_int(lua_State *L, int t, const char *what, const char *field, int min, int max, int dflt)
{
	lua_getfield(L, t, field);
	int out = dflt;
	if (!lua_isnil(L, -1)) {
		int isnum = 0;
		lua_Integer v = lua_tointegerx(L, -1, &isnum);
		if (!isnum || lua_type(L, -1) != LUA_TNUMBER)
			decl_error(L, "%s: field '%s' must be an integer", what, field);
		if (v < min || v > max)
			decl_error(L, "%s: field '%s' must be between %d and %d", what, field, min, max);
		out = (int)v;
	}
	lua_pop(L, 1);
	return out;
}

/* interval in seconds (fractions allowed) → ms */
static int opt_interval(lua_State *L, int t, const char *what)
{
	lua_getfield(L, t, "interval");
	int out = 0;
	if (!lua_isnil(L, -1)) {
		if (lua_type(L, -1) != LUA_TNUMBER)
			decl_error(L, "%s: field 'interval' must be a number of seconds", what);
		double s = lua_tonumber(L, -1);
		if (!(s >= 0.1 && s <= 3600))   /* so nan is refused too */
			decl_error(L, "%s: field 'interval' must be between 0.1 and 3600 seconds", what);
		out = (int)(s * 1000);
	}
	lua_pop(L, 1);
	return out;
}

/* A trust-store path (known_hosts, identity) with "~" expanded here, once,
 * so every consumer sees an absolute path.  A relative one is refused: it
 * would be read (and with --accept-new-hostkeys written) in whatever
 * directory vdeck starts in, which a cron job does not choose carefully. */
static char *opt_trust_path(lua_State *L, int t, const char *what, const char *field)
{
	char *raw = opt_string(L, t, what, field);
	if (!raw)
		return NULL;
	char *path = path_expand_home(raw);
	char msg[1024];
	struct vd_err err;
	err_clear(&err);
	if (path[0] != '/')
		snprintf(msg, sizeof msg, "%s: field '%s' must be an absolute path or start with ~/, "
			 "not \"%s\" (a relative path depends on the directory vdeck starts in)",
			 what, field, raw);
	else if (filesafe_check(field, path, &err) < 0)
		snprintf(msg, sizeof msg, "%s: %s", what, err.msg);
	else
		msg[0] = '\0';
	free(raw);
	if (msg[0]) {
		free(path);
		decl_error(L, "%s", msg);
	}
	return path;
}

static void read_ssh(lua_State *L, int t, const char *what, struct ssh_settings *ssh)
{
	static const char *const known[] = { "user", "port", "identity", "known_hosts", NULL };
	lua_getfield(L, t, "ssh");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1))
		decl_error(L, "%s: field 'ssh' must be a table", what);
	int s = lua_gettop(L);
	char sub[96];
	snprintf(sub, sizeof sub, "%s ssh", what);
	check_known(L, s, sub, known);
	char *v;
	if ((v = opt_string(L, s, sub, "user"))) { free(ssh->user); ssh->user = v; }
	if ((v = opt_trust_path(L, s, sub, "identity"))) { free(ssh->identity); ssh->identity = v; }
	if ((v = opt_trust_path(L, s, sub, "known_hosts"))) { free(ssh->known_hosts); ssh->known_hosts = v; }
	ssh->port = opt_int(L, s, sub, "port", 1, 65535, ssh->port);
	lua_pop(L, 1);
}

/* audit = { syslog = true, syslog_socket = "/dev/log" }: a copy of the
 * audit trail for syslog (ops/audit_syslog.h). */
static void read_audit(lua_State *L, struct inventory *inv)
{
	static const char *const known[] = { "syslog", "syslog_socket", NULL };
	lua_getfield(L, 1, "audit");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1))
		decl_error(L, "defaults: field 'audit' must be a table");
	int a = lua_gettop(L);
	check_known(L, a, "defaults audit", known);
	lua_getfield(L, a, "syslog");
	if (!lua_isnil(L, -1) && !lua_isboolean(L, -1))
		decl_error(L, "defaults audit: field 'syslog' must be true or false");
	inv->audit_syslog = lua_toboolean(L, -1);
	lua_pop(L, 1);
	char *sock = opt_string(L, a, "defaults audit", "syslog_socket");
	if (sock && sock[0] != '/') {
		free(sock);
		decl_error(L, "defaults audit: field 'syslog_socket' must be an absolute path");
	}
	free(inv->audit_syslog_socket);
	inv->audit_syslog_socket = sock;
	lua_pop(L, 1);
}

/* keys = { action = "key", ... }: checked for shape here, for meaning by the TUI. */
static void read_keys(lua_State *L, struct inventory *inv)
{
	lua_getfield(L, 1, "keys");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1))
		decl_error(L, "defaults: field 'keys' must be a table of action = \"key\"");
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
			decl_error(L, "defaults: keys must map action names to key names (strings)");
		x_grow(&inv->keys, &(size_t){ inv->nkeys }, inv->nkeys + 1, sizeof *inv->keys);
		inv->keys[inv->nkeys].action = x_strdup(lua_tostring(L, -2));
		inv->keys[inv->nkeys].key = x_strdup(lua_tostring(L, -1));
		inv->nkeys++;
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/* key = one of two words: what the first or the second means, or absent
 * when the key is not there; anything else is an error naming both. */
static int opt_either(lua_State *L, const char *what, const char *key, const char *first, int first_is,
		      const char *second, int second_is, int absent)
{
	char *v = opt_string(L, 1, what, key);
	int got = !v ? absent : !strcmp(v, first) ? first_is : !strcmp(v, second) ? second_is : -1;
	if (got == -1) {
		char bad[64];
		snprintf(bad, sizeof bad, "%s", v);
		free(v);
		decl_error(L, "%s: %s must be \"%s\" or \"%s\", not \"%s\"", what, key, first, second, bad);
	}
	free(v);
	return got;
}

static enum libvirt_via opt_libvirt_via(lua_State *L, const char *what)
{
	return (enum libvirt_via)opt_either(L, what, "libvirt_via", "tunnel", LV_VIA_TUNNEL, "uri", LV_VIA_URI,
					    LV_VIA_AUTO);
}

static enum libvirt_stats opt_libvirt_stats(lua_State *L, const char *what)
{
	return (enum libvirt_stats)opt_either(L, what, "libvirt_stats", "vdeck", LV_STATS_VDECK, "libvirt",
					      LV_STATS_LIBVIRT, LV_STATS_AUTO);
}

static int l_defaults(lua_State *L)
{
	static const char *const known[] = { "ssh", "interval", "theme", "connect_timeout", "sysroot", "keys",
					     "libvirt_via", "libvirt_stats", "audit", "metrics", NULL };
	struct loader *ld = get_loader(L);
	luaL_checktype(L, 1, LUA_TTABLE);
	if (ld->defaults_seen++)
		return decl_error(L, "defaults: declared twice");
	check_known(L, 1, "defaults", known);
	read_ssh(L, 1, "defaults", &ld->defaults_ssh);
	ld->defaults_interval_ms = opt_interval(L, 1, "defaults");
	char *theme = opt_string(L, 1, "defaults", "theme");
	if (theme) {
		free(ld->inv->theme);
		ld->inv->theme = theme;
	}
	ld->inv->connect_timeout_ms = opt_int(L, 1, "defaults", "connect_timeout", 1, 600, 0) * 1000;
	ld->defaults_sysroot = opt_string(L, 1, "defaults", "sysroot");
	read_keys(L, ld->inv);
	ld->defaults_libvirt_via = opt_libvirt_via(L, "defaults");
	ld->defaults_libvirt_stats = opt_libvirt_stats(L, "defaults");
	read_audit(L, ld->inv);
	inventory_read_metrics(L, 1, "defaults", &ld->defaults_metrics);
	return 0;
}

static void read_tags(lua_State *L, struct host_config *h, const char *what)
{
	lua_getfield(L, 1, "tags");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return;
	}
	if (!lua_istable(L, -1))
		decl_error(L, "%s: field 'tags' must be a list of strings", what);
	lua_Integer n = luaL_len(L, -1);
	h->tags = x_calloc((size_t)n + 1, sizeof *h->tags);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		if (lua_type(L, -1) != LUA_TSTRING)
			decl_error(L, "%s: tags must be strings", what);
		h->tags[h->ntags++] = x_strdup(lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

static int valid_name(const char *s)
{
	if (!*s || strlen(s) > 63)
		return 0;
	for (; *s; s++)
		if (!(('a' <= *s && *s <= 'z') || ('A' <= *s && *s <= 'Z') || ('0' <= *s && *s <= '9') ||
		      *s == '-' || *s == '_' || *s == '.'))
			return 0;
	return 1;
}

static int l_host(lua_State *L)
{
	static const char *const known[] = {
		"name", "address", "libvirt", "transport", "sysroot", "tags", "ssh", "interval",
		"libvirt_via", "libvirt_stats", "libvirt_socket", "metrics", NULL,
	};
	struct loader *ld = get_loader(L);
	luaL_checktype(L, 1, LUA_TTABLE);
	check_known(L, 1, "host", known);
	char *name = opt_string(L, 1, "host", "name");
	if (!name)
		return decl_error(L, "host: field 'name' is required");
	char what[96];
	snprintf(what, sizeof what, "host %s", name);
	if (!valid_name(name)) {
		free(name);
		return decl_error(L, "host: name must be 1-63 letters, digits, '-', '_' or '.'");
	}
	if (inventory_find(ld->inv, name)) {
		const struct host_config *prev = inventory_find(ld->inv, name);
		char dup[256];
		snprintf(dup, sizeof dup, "host %s: duplicate name (first declared at %s)", name, prev->source);
		free(name);
		return decl_error(L, "%s", dup);
	}
	struct host_config *h = inventory_add(ld->inv);
	h->name = name;
	luaL_where(L, 1);
	const char *where = lua_tostring(L, -1);
	size_t wl = strlen(where);
	h->source = x_strndup(where, wl >= 2 ? wl - 2 : wl);   /* drop ": " */
	lua_pop(L, 1);
	h->address = opt_string(L, 1, what, "address");
	h->libvirt_uri = opt_string(L, 1, what, "libvirt");
	h->sysroot = opt_string(L, 1, what, "sysroot");
	char *transport = opt_string(L, 1, what, "transport");
	if (!transport)
		h->transport = h->address ? HT_SSH : HT_LOCAL;
	else if (!strcmp(transport, "ssh"))
		h->transport = HT_SSH;
	else if (!strcmp(transport, "local"))
		h->transport = HT_LOCAL;
	else if (!strcmp(transport, "none"))
		h->transport = HT_NONE;
	else {
		char bad[64];
		snprintf(bad, sizeof bad, "%s", transport);
		free(transport);
		return decl_error(L, "%s: transport must be \"ssh\", \"local\" or \"none\", not \"%s\"", what, bad);
	}
	free(transport);
	if (h->transport == HT_SSH && !h->address)
		return decl_error(L, "%s: transport \"ssh\" needs an address", what);
	if (h->transport == HT_NONE && !h->libvirt_uri)
		return decl_error(L, "%s: transport \"none\" needs a libvirt URI", what);
	read_tags(L, h, what);
	h->ssh.port = 0;
	read_ssh(L, 1, what, &h->ssh);
	h->interval_ms = opt_interval(L, 1, what);
	h->libvirt_via = opt_libvirt_via(L, what);
	h->libvirt_stats = opt_libvirt_stats(L, what);
	h->libvirt_socket = opt_string(L, 1, what, "libvirt_socket");
	if (h->libvirt_socket && h->libvirt_socket[0] != '/')
		return decl_error(L, "%s: libvirt_socket must be an absolute path", what);
	inventory_read_metrics(L, 1, what, &h->metrics);
	return 0;
}

/* Strings of the value at idx (a string or a list of them) appended to
 * *v; -1 when it is anything else. */
static int read_names(lua_State *L, int idx, char ***v, size_t *n)
{
	idx = lua_absindex(L, idx);
	if (lua_type(L, idx) == LUA_TSTRING) {
		*v = x_realloc(*v, (*n + 1) * sizeof **v);
		(*v)[(*n)++] = x_strdup(lua_tostring(L, idx));
		return 0;
	}
	if (!lua_istable(L, idx))
		return -1;
	lua_Integer len = (lua_Integer)lua_rawlen(L, idx);
	for (lua_Integer i = 1; i <= len; i++) {
		lua_rawgeti(L, idx, i);
		int ok = lua_type(L, -1) == LUA_TSTRING;
		if (ok) {
			*v = x_realloc(*v, (*n + 1) * sizeof **v);
			(*v)[(*n)++] = x_strdup(lua_tostring(L, -1));
		}
		lua_pop(L, 1);
		if (!ok)
			return -1;
	}
	return 0;
}

int inventory_read_rule(lua_State *L, int idx, struct placement_rule *r, char *msg, size_t len)
{
	static const char *const kinds[] = { "keep_apart", "keep_together", "pin_to" };
	memset(r, 0, sizeof *r);
	idx = lua_absindex(L, idx);
	if (!lua_istable(L, idx)) {
		snprintf(msg, len, "rule: want a table { keep_apart | keep_together | pin_to = ... }");
		return -1;
	}
	int found = -1;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
		int kind = -1;
		for (int i = 0; i < 3; i++)
			if (!strcmp(k, kinds[i]))
				kind = i;
		if (kind < 0 || found >= 0) {
			snprintf(msg, len, kind < 0 ? "rule: unknown field '%s' (keep_apart, keep_together, pin_to)"
				 : "rule: one of keep_apart, keep_together, pin_to per rule ('%s' is a second)", k);
			lua_pop(L, 1);
			return -1;
		}
		found = kind;
	}
	if (found < 0) {
		snprintf(msg, len, "rule: needs keep_apart, keep_together or pin_to");
		return -1;
	}
	r->kind = (enum rule_kind)found;
	lua_getfield(L, idx, kinds[found]);
	int rc = 0;
	if (r->kind != RULE_PIN_TO) {
		if (read_names(L, -1, &r->vms, &r->nvms) < 0 || r->nvms < 2) {
			snprintf(msg, len, "rule: %s wants a list of two or more VM names", kinds[found]);
			rc = -1;
		}
	} else if (!lua_istable(L, -1)) {
		snprintf(msg, len, "rule: pin_to wants { vm = ..., hosts = ... }");
		rc = -1;
	} else {
		char **hosts = NULL;
		size_t nh = 0;
		lua_getfield(L, -1, "vm");
		if (read_names(L, -1, &r->vms, &r->nvms) < 0 || !r->nvms) {
			snprintf(msg, len, "rule: pin_to.vm wants a VM name or a list of them");
			rc = -1;
		}
		lua_getfield(L, -2, "hosts");
		if (rc == 0 && (read_names(L, -1, &hosts, &nh) < 0 || !nh)) {
			snprintf(msg, len, "rule: pin_to.hosts wants host names, globs or tags");
			rc = -1;
		}
		lua_pop(L, 2);
		struct strbuf sb;
		sb_init(&sb);
		for (size_t i = 0; i < nh; i++) {
			sb_appendf(&sb, "%s%s", i ? "," : "", hosts[i]);
			free(hosts[i]);
		}
		free(hosts);
		r->hosts = nh ? sb_detach(&sb) : NULL;
		sb_free(&sb);
	}
	lua_pop(L, 1);
	return rc;
}

static int l_rule(lua_State *L)
{
	struct loader *ld = get_loader(L);
	struct inventory *inv = ld->inv;
	inv->rules = x_realloc(inv->rules, (inv->nrules + 1) * sizeof *inv->rules);
	struct placement_rule *r = &inv->rules[inv->nrules++];
	char msg[256];
	int rc = inventory_read_rule(L, 1, r, msg, sizeof msg);
	luaL_where(L, 1);
	const char *where = lua_tostring(L, -1);
	size_t wl = strlen(where);
	r->source = x_strndup(where, wl >= 2 ? wl - 2 : wl);
	lua_pop(L, 1);
	if (rc < 0)
		return decl_error(L, "%s", msg);
	return 0;
}

/* ~/.ssh/known_hosts, for SSH hosts whose inventory names no other: judged
 * like a declared one, but the error can only name the inventory. */
static char *default_known_hosts(const char *inventory, struct vd_err *err)
{
	char *path = path_expand_home("~/.ssh/known_hosts");
	struct vd_err why;
	err_clear(&why);
	if (path[0] != '/')
		err_set(err, VD_ECONFIG, "%s: the default known_hosts %s is relative ($HOME is not an "
			"absolute path); set ssh.known_hosts", inventory, path);
	else if (filesafe_check("known_hosts", path, &why) < 0)
		err_set(err, VD_ECONFIG, "%s: the default %s", inventory, why.msg);
	else
		return path;
	free(path);
	return NULL;
}

/* Settles h's libvirt_via (model/libvirt_route.h): the tunnel where it
 * applies unless declared otherwise; a declared tunnel that cannot carry
 * the URI is an error at the host's line. */
static int route_host(struct host_config *h, enum libvirt_via defaults_via, struct vd_err *err)
{
	struct libvirt_route r;
	struct vd_err why;
	err_clear(&why);
	/* In defaults, "tunnel" means "wherever it applies" (the default). */
	enum libvirt_via want = h->libvirt_via != LV_VIA_AUTO ? h->libvirt_via
			      : defaults_via == LV_VIA_URI ? LV_VIA_URI : LV_VIA_AUTO;
	if (libvirt_route_plan(h, want, &r, &why) < 0)
		return err_set(err, VD_ECONFIG, "%s: %s", h->source ? h->source : "inventory", why.msg);
	h->libvirt_via = r.via;
	libvirt_route_free(&r);
	return 0;
}

static int apply_defaults(struct loader *ld, struct vd_err *err)
{
	const struct ssh_settings *d = &ld->defaults_ssh;
	char *default_kh = NULL;
	for (size_t i = 0; i < ld->inv->nhosts; i++) {
		struct host_config *h = &ld->inv->hosts[i];
		if (!h->ssh.user)
			h->ssh.user = x_strdup(d->user ? d->user : getenv("USER") ? getenv("USER") : "root");
		if (!h->ssh.port)
			h->ssh.port = d->port ? d->port : 22;
		if (!h->ssh.identity && d->identity)
			h->ssh.identity = x_strdup(d->identity);
		if (!h->ssh.known_hosts && d->known_hosts)
			h->ssh.known_hosts = x_strdup(d->known_hosts);
		if (!h->ssh.known_hosts && h->transport == HT_SSH) {
			if (!default_kh && !(default_kh = default_known_hosts(ld->inv->path, err)))
				return -1;
			h->ssh.known_hosts = x_strdup(default_kh);
		}
		if (!h->interval_ms)
			h->interval_ms = ld->defaults_interval_ms ? ld->defaults_interval_ms : 2000;
		if (!h->sysroot && ld->defaults_sysroot)
			h->sysroot = x_strdup(ld->defaults_sysroot);
		if (!h->libvirt_uri) {
			if (h->transport == HT_SSH)
				h->libvirt_uri = x_asprintf("qemu+ssh://%s@%s:%d/system", h->ssh.user, h->address, h->ssh.port);
			else
				h->libvirt_uri = x_strdup("qemu:///system");
		}
		if (h->libvirt_stats == LV_STATS_AUTO)
			h->libvirt_stats = ld->defaults_libvirt_stats;
		if (route_host(h, ld->defaults_libvirt_via, err) < 0 ||
		    inventory_merge_metrics(h, &ld->defaults_metrics, err) < 0)
			return -1;
	}
	ld->inv->interval_ms = ld->defaults_interval_ms ? ld->defaults_interval_ms : 2000;
	free(default_kh);
	return 0;
}

static int load(lua_State *L, struct loader *ld, int loaded, struct vd_err *err)
{
	if (loaded != LUA_OK)
		return err_set(err, VD_ECONFIG, "%s", lua_tostring(L, -1));
	lua_pushlightuserdata(L, ld);
	lua_pushcclosure(L, l_defaults, 1);
	lua_setglobal(L, "defaults");
	lua_pushlightuserdata(L, ld);
	lua_pushcclosure(L, l_host, 1);
	lua_setglobal(L, "host");
	lua_pushlightuserdata(L, ld);
	lua_pushcclosure(L, l_rule, 1);
	lua_setglobal(L, "rule");
	inventory_switch_register(L, ld->inv);
	lua_pushvalue(L, -1);   /* the chunk, still on the stack */
	lua_remove(L, -2);
	if (lua_pcall(L, 0, 0, 0) != LUA_OK)
		return err_set(err, VD_ECONFIG, "%s", lua_tostring(L, -1));
	if (ld->inv->nhosts == 0)
		return err_set(err, VD_ECONFIG, "%s: declares no host", ld->inv->path ? ld->inv->path : "inventory");
	if (inventory_switch_check(ld->inv, err) < 0)
		return -1;
	return apply_defaults(ld, err);
}

static int run_loader(const char *text, const char *path, struct inventory *inv, struct vd_err *err)
{
	lua_State *L = luaL_newstate();
	if (!L)
		return err_set(err, VD_EIO, "cannot create a Lua state");
	luaL_openlibs(L);
	struct loader ld = { .inv = inv, .defaults_libvirt_via = LV_VIA_AUTO };
	int rc;
	if (text) {
		char chunk[256];
		snprintf(chunk, sizeof chunk, "@%s", path);
		rc = load(L, &ld, luaL_loadbuffer(L, text, strlen(text), chunk), err);
	} else {
		rc = load(L, &ld, safe_loadfile(L, "inventory", path), err);
	}
	free(ld.defaults_ssh.user);
	free(ld.defaults_ssh.identity);
	free(ld.defaults_ssh.known_hosts);
	free(ld.defaults_sysroot);
	metrics_settings_free(&ld.defaults_metrics);
	lua_close(L);
	return rc;
}

int inventory_load(const char *path, struct inventory *inv, struct vd_err *err)
{
	memset(inv, 0, sizeof *inv);
	inv->path = x_strdup(path);
	if (run_loader(NULL, path, inv, err) < 0) {
		inventory_free(inv);
		return -1;
	}
	return 0;
}

int inventory_load_string(const char *text, const char *name, struct inventory *inv, struct vd_err *err)
{
	memset(inv, 0, sizeof *inv);
	inv->path = x_strdup(name);
	if (run_loader(text, name, inv, err) < 0) {
		inventory_free(inv);
		return -1;
	}
	return 0;
}

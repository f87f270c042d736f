/* inventory_metrics.c — the `metrics = { ... }` field of defaults{} and
 * host{}: where a host's metrics come from (its own files over its shell
 * transport, or a Prometheus server), checked when declared so an error
 * points at its line, and merged into each host after the file ran.
 *
 *   metrics = { source = "prometheus", url = "https://prom:9090",
 *               match = { instance = "10.0.0.7:9100" },
 *               bearer_token_file = "/etc/vdeck/prom.token",
 *               -- or username = "vdeck", password_file = "/etc/vdeck/prom.pw",
 *               ca_file = "/etc/ssl/prom-ca.pem", insecure = false,
 *               libvirt_match = { instance = "10.0.0.7:9177" } }
 *
 * libvirt_match selects the host's libvirt exporter series (per-VM
 * figures); without it Prometheus gives no per-VM figures. */
#include "lua/inventory_metrics.h"
#include "core/paths.h"
#include "core/xalloc.h"

#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNSET_SOURCE ((enum metrics_source)-1)

static int metrics_error(lua_State *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int metrics_error(lua_State *L, const char *fmt, ...)
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

/* Prometheus label names: [a-zA-Z_][a-zA-Z0-9_]*, "__" reserved. */
static int valid_label(const char *s)
{
	if (!*s || (s[0] == '_' && s[1] == '_') || strlen(s) > 128)
		return 0;
	for (const char *p = s; *p; p++) {
		int alpha = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_';
		if (!alpha && !(p > s && *p >= '0' && *p <= '9'))
			return 0;
	}
	return 1;
}

static char *field_string(lua_State *L, int t, const char *what, const char *field)
{
	lua_getfield(L, t, field);
	char *out = NULL;
	if (lua_type(L, -1) == LUA_TSTRING)
		out = x_strdup(lua_tostring(L, -1));
	else if (!lua_isnil(L, -1))
		metrics_error(L, "%s: field '%s' must be a string, not %s", what, field, luaL_typename(L, -1));
	lua_pop(L, 1);
	return out;
}

/* A secret or trust file: absolute (or ~/), read when a poll needs it. */
static char *field_path(lua_State *L, int t, const char *what, const char *field)
{
	char *raw = field_string(L, t, what, field);
	if (!raw)
		return NULL;
	char *path = path_expand_home(raw);
	if (path[0] != '/') {
		char bad[256];
		snprintf(bad, sizeof bad, "%s", raw);
		free(raw);
		free(path);
		metrics_error(L, "%s: field '%s' must be an absolute path or start with ~/, not \"%s\"", what,
			      field, bad);
	}
	free(raw);
	return path;
}

static int cmp_match(const void *a, const void *b)
{
	return strcmp(((const struct prom_label *)a)->name, ((const struct prom_label *)b)->name);
}

/* A table of label = "value" matchers (field match or libvirt_match);
 * 1 when declared. */
static int read_labels(lua_State *L, int t, const char *what, const char *field, struct prom_label **out,
		       size_t *n)
{
	lua_getfield(L, t, field);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return 0;
	}
	if (!lua_istable(L, -1))
		metrics_error(L, "%s: field '%s' must be a table of label = \"value\"", what, field);
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		if (lua_type(L, -2) != LUA_TSTRING || !valid_label(lua_tostring(L, -2)))
			metrics_error(L, "%s: %s keys must be Prometheus label names ([a-zA-Z_][a-zA-Z0-9_]*, "
				      "not starting with __)", what, field);
		if (lua_type(L, -1) != LUA_TSTRING || !lua_tostring(L, -1)[0])
			metrics_error(L, "%s: %s.%s must be a non-empty string", what, field, lua_tostring(L, -2));
		x_grow(out, &(size_t){ *n }, *n + 1, sizeof **out);
		(*out)[*n].name = x_strdup(lua_tostring(L, -2));
		(*out)[*n].value = x_strdup(lua_tostring(L, -1));
		(*n)++;
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	if (*n)
		qsort(*out, *n, sizeof **out, cmp_match);
	return 1;
}

void inventory_read_metrics(lua_State *L, int t, const char *what, struct metrics_settings *m)
{
	static const char *const known[] = { "source", "url", "match", "bearer_token_file", "username",
					     "password_file", "ca_file", "insecure", "libvirt_match", NULL };
	memset(m, 0, sizeof *m);
	m->source = UNSET_SOURCE;
	m->insecure = -1;
	lua_getfield(L, t, "metrics");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return;
	}
	char sub[128];
	snprintf(sub, sizeof sub, "%s metrics", what);
	if (!lua_istable(L, -1))
		metrics_error(L, "%s: field 'metrics' must be a table", what);
	int mt = lua_gettop(L);
	lua_pushnil(L);
	while (lua_next(L, mt)) {
		lua_pop(L, 1);
		const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
		int ok = 0;
		for (const char *const *p = known; k && *p && !ok; p++)
			ok = !strcmp(*p, k);
		if (!ok)
			metrics_error(L, "%s: unknown field '%s' (known: source, url, match, bearer_token_file, "
				      "username, password_file, ca_file, insecure, libvirt_match)", sub, k ? k : "?");
	}
	char *source = field_string(L, mt, sub, "source");
	if (source) {
		m->source = !strcmp(source, "prometheus") ? MS_PROMETHEUS : !strcmp(source, "shell") ? MS_SHELL
			  : UNSET_SOURCE;
		if (m->source == UNSET_SOURCE) {
			char bad[64];
			snprintf(bad, sizeof bad, "%s", source);
			free(source);
			metrics_error(L, "%s: source must be \"prometheus\" or \"shell\", not \"%s\"", sub, bad);
		}
		free(source);
	}
	m->url = field_string(L, mt, sub, "url");
	if (m->url && strncmp(m->url, "http://", 7) && strncmp(m->url, "https://", 8))
		metrics_error(L, "%s: url must start with http:// or https://, not \"%s\"", sub, m->url);
	m->match_declared = read_labels(L, mt, sub, "match", &m->match, &m->nmatch);
	if (read_labels(L, mt, sub, "libvirt_match", &m->libvirt_match, &m->nlibvirt_match)
	    && !m->nlibvirt_match)
		metrics_error(L, "%s: libvirt_match = {} selects every series: name at least one label, "
			      "or leave it out (no per-VM figures from Prometheus)", sub);
	m->bearer_token_file = field_path(L, mt, sub, "bearer_token_file");
	m->username = field_string(L, mt, sub, "username");
	m->password_file = field_path(L, mt, sub, "password_file");
	m->ca_file = field_path(L, mt, sub, "ca_file");
	lua_getfield(L, mt, "insecure");
	if (!lua_isnil(L, -1)) {
		if (!lua_isboolean(L, -1))
			metrics_error(L, "%s: field 'insecure' must be true or false", sub);
		m->insecure = lua_toboolean(L, -1);
	}
	lua_pop(L, 1);
	if (!m->username != !m->password_file)
		metrics_error(L, "%s: username and password_file go together (basic auth)", sub);
	if (m->username && m->bearer_token_file)
		metrics_error(L, "%s: bearer_token_file or username/password_file, not both", sub);
	lua_pop(L, 1);
}

static void take_str(char **dst, const char *dflt)
{
	if (!*dst && dflt)
		*dst = x_strdup(dflt);
}

static int has_label(const struct metrics_settings *m, const char *name)
{
	for (size_t i = 0; i < m->nmatch; i++)
		if (!strcmp(m->match[i].name, name))
			return 1;
	return 0;
}

static void add_label(struct metrics_settings *m, const char *name, char *value)
{
	x_grow(&m->match, &(size_t){ m->nmatch }, m->nmatch + 1, sizeof *m->match);
	m->match[m->nmatch].name = x_strdup(name);
	m->match[m->nmatch].value = value;
	m->nmatch++;
}

int inventory_merge_metrics(struct host_config *h, const struct metrics_settings *d, struct vd_err *err)
{
	struct metrics_settings *m = &h->metrics;
	if (m->source == UNSET_SOURCE)
		m->source = d->source == UNSET_SOURCE ? MS_SHELL : d->source;
	take_str(&m->url, d->url);
	if (!m->bearer_token_file && !m->username) {
		take_str(&m->bearer_token_file, d->bearer_token_file);
		take_str(&m->username, d->username);
		take_str(&m->password_file, d->password_file);
	}
	take_str(&m->ca_file, d->ca_file);
	if (m->insecure < 0)
		m->insecure = d->insecure > 0;
	/* The defaults' labels, each unless the host names it itself. */
	for (size_t i = 0; i < d->nmatch; i++)
		if (!has_label(m, d->match[i].name))
			add_label(m, d->match[i].name, x_strdup(d->match[i].value));
	/* The exporter's labels: the host's own, or else the defaults'. */
	if (!m->nlibvirt_match && m->source == MS_PROMETHEUS)
		for (size_t i = 0; i < d->nlibvirt_match; i++) {
			x_grow(&m->libvirt_match, &(size_t){ m->nlibvirt_match }, m->nlibvirt_match + 1,
			       sizeof *m->libvirt_match);
			m->libvirt_match[m->nlibvirt_match].name = x_strdup(d->libvirt_match[i].name);
			m->libvirt_match[m->nlibvirt_match].value = x_strdup(d->libvirt_match[i].value);
			m->nlibvirt_match++;
		}
	if (m->source != MS_PROMETHEUS) {
		if (m->nlibvirt_match)
			return err_set(err, VD_ECONFIG, "%s: metrics libvirt_match needs source = \"prometheus\"",
				       h->source);
		goto sorted;
	}
	if (!m->url)
		return err_set(err, VD_ECONFIG, "%s: metrics source \"prometheus\" needs a url", h->source);
	/* node_exporter's usual target, unless the host chose its own labels. */
	if (!m->match_declared && !has_label(m, "instance")) {
		if (!h->address)
			return err_set(err, VD_ECONFIG, "%s: metrics source \"prometheus\" needs match = { ... } "
				       "(the host has no address for the default instance = \"ADDRESS:9100\")",
				       h->source);
		add_label(m, "instance", x_asprintf("%s:9100", h->address));
	}
	if (!m->nmatch)
		return err_set(err, VD_ECONFIG, "%s: metrics match selects every series: name at least one label",
			       h->source);
sorted:
	if (m->nmatch)
		qsort(m->match, m->nmatch, sizeof *m->match, cmp_match);
	return 0;
}

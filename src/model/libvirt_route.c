/* libvirt_route.c — a host's libvirt URI taken apart: does it go over SSH
 * to the host's own address (then vdeck's session can carry it), which
 * daemon socket it names, and the DRIVER+unix URI that replaces it.
 *
 * URIs are parsed as libvirt reads them: DRIVER[+TRANSPORT]://[USER@]HOST
 * [:PORT]/PATH[?NAME=VALUE&...]; HOST may be an [IPv6] literal; values are
 * %-escaped.  Of the query, socket= names the remote socket and name= is
 * kept (the remote driver passes it to the daemon); the rest configure
 * libvirt's SSH child (keyfile, known_hosts, netcat, mode, ...) and have no
 * meaning on a local socket. */
#include "model/libvirt_route.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/strbuf.h"
#include "core/xalloc.h"

#define DEFAULT_SOCKET  "/run/libvirt/libvirt-sock"
#define MODULAR_QEMU    "/run/libvirt/virtqemud-sock"

struct parsed_uri {
	char *driver, *transport;   /* "qemu", "ssh"; transport NULL when none */
	char *user, *host;          /* NULL when absent; host without brackets */
	int   port;                 /* 0 when absent, -1 when not a number */
	char *path;                 /* as written, "" when none */
	char *socket;               /* socket= unescaped, NULL when absent */
	char *name;                 /* name= unescaped, NULL when absent */
	struct strbuf kept;         /* name=... as written, '&'-joined */
};

static void parsed_free(struct parsed_uri *u)
{
	free(u->driver);
	free(u->transport);
	free(u->user);
	free(u->host);
	free(u->path);
	free(u->socket);
	free(u->name);
	sb_free(&u->kept);
}

static int hexval(char c)
{
	if (isdigit((unsigned char)c))
		return c - '0';
	return isxdigit((unsigned char)c) ? tolower((unsigned char)c) - 'a' + 10 : -1;
}

/* s[0..n) with %XX decoded (a bad escape stays as written). */
static char *unescape(const char *s, size_t n)
{
	char *out = x_calloc(1, n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			*o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	return out;
}

static void parse_query(struct parsed_uri *u, const char *q)
{
	while (*q) {
		size_t len = strcspn(q, "&;");
		const char *eq = memchr(q, '=', len);
		size_t klen = eq ? (size_t)(eq - q) : len;
		if (klen == 6 && !strncmp(q, "socket", 6) && eq) {
			free(u->socket);
			u->socket = unescape(eq + 1, len - klen - 1);
		} else if (klen == 4 && !strncmp(q, "name", 4)) {
			if (u->kept.len)
				sb_appendc(&u->kept, '&');
			sb_append_n(&u->kept, q, len);
			free(u->name);
			u->name = eq ? unescape(eq + 1, len - klen - 1) : x_strdup("");
		}
		q += len;
		if (*q)
			q++;
	}
}

/* 0, or -1 when uri is not DRIVER[+TRANSPORT]://... */
static int parse_uri(const char *uri, struct parsed_uri *u)
{
	memset(u, 0, sizeof *u);
	sb_init(&u->kept);
	const char *sep = strstr(uri, "://");
	if (!sep || sep == uri)
		return -1;
	const char *plus = memchr(uri, '+', (size_t)(sep - uri));
	if (plus == uri)
		return -1;
	u->driver = x_strndup(uri, (size_t)((plus ? plus : sep) - uri));
	if (plus)
		u->transport = x_strndup(plus + 1, (size_t)(sep - plus - 1));
	const char *auth = sep + 3, *end = auth + strcspn(auth, "/?#");
	const char *at = NULL;
	for (const char *p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	const char *hp = auth;
	if (at) {
		u->user = unescape(auth, (size_t)(at - auth));
		hp = at + 1;
	}
	const char *colon = NULL;
	if (*hp == '[') {
		const char *close = memchr(hp, ']', (size_t)(end - hp));
		if (!close)
			return -1;
		u->host = x_strndup(hp + 1, (size_t)(close - hp - 1));
		colon = close + 1 < end && close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = memchr(hp, ':', (size_t)(end - hp));
		u->host = x_strndup(hp, (size_t)((colon ? colon : end) - hp));
	}
	if (colon) {
		char *stop;
		long port = strtol(colon + 1, &stop, 10);
		u->port = stop == end && stop > colon + 1 && port > 0 && port < 65536 ? (int)port : -1;
	}
	const char *qs = end + strcspn(end, "?#");
	u->path = x_strndup(end, (size_t)(qs - end));
	if (*qs == '?') {
		char *q = x_strndup(qs + 1, strcspn(qs + 1, "#"));
		parse_query(u, q);
		free(q);
	}
	return 0;
}

static int ssh_transport(const char *t)
{
	return t && (!strcmp(t, "ssh") || !strcmp(t, "libssh2") || !strcmp(t, "libssh"));
}

/* NULL when the URI is carried by h's own session; else why not. */
static const char *why_not(const struct host_config *h, const struct parsed_uri *u)
{
	if (h->transport != HT_SSH)
		return "the host has no SSH session (transport is not \"ssh\")";
	if (!ssh_transport(u->transport))
		return "the libvirt URI does not go over SSH";
	if (!u->host || !*u->host || !h->address || strcasecmp(u->host, h->address))
		return "the libvirt URI names another host than the host's address";
	if ((u->port ? u->port : 22) != (h->ssh.port > 0 ? h->ssh.port : 22))
		return "the libvirt URI names another SSH port than the host's";
	if (u->user && (!h->ssh.user || strcmp(u->user, h->ssh.user)))
		return "the libvirt URI names another SSH user than the host's";
	if (!u->socket && !h->libvirt_socket && !strcmp(u->path, "/session"))
		return "a session daemon's socket is not known from the URI (give libvirt_socket)";
	return NULL;
}

/* libvirt_stats = "vdeck" where libvirt does not go through the tunnel. */
static int own_stats_refused(const struct host_config *h, struct vd_err *err)
{
	if (h->libvirt_stats != LV_STATS_VDECK)
		return 0;
	return err_set(err, VD_ECONFIG, "host %s: libvirt_stats = \"vdeck\" needs libvirt through the tunnel "
		       "(libvirt_via)", h->name ? h->name : "?");
}

static void add_socket(struct libvirt_route *r, const char *s)
{
	r->sockets[r->nsockets++] = x_strdup(s);
}

int libvirt_route_plan(const struct host_config *h, enum libvirt_via want, struct libvirt_route *r,
		       struct vd_err *err)
{
	struct parsed_uri u;
	memset(r, 0, sizeof *r);
	r->via = LV_VIA_URI;
	if (want == LV_VIA_URI)
		return own_stats_refused(h, err);
	const char *why = !h->libvirt_uri ? "the host has no libvirt URI"
		: parse_uri(h->libvirt_uri, &u) < 0 ? "the libvirt URI is not DRIVER+TRANSPORT://HOST/PATH"
		: why_not(h, &u);
	if (why) {
		if (h->libvirt_uri)
			parsed_free(&u);
		if (want == LV_VIA_TUNNEL)
			return err_set(err, VD_ECONFIG, "host %s: libvirt_via = \"tunnel\" cannot carry %s: %s",
				       h->name ? h->name : "?", h->libvirt_uri ? h->libvirt_uri : "(none)", why);
		return own_stats_refused(h, err);
	}
	r->via = LV_VIA_TUNNEL;
	if (u.socket) {
		add_socket(r, u.socket);
	} else if (h->libvirt_socket) {
		add_socket(r, h->libvirt_socket);
	} else {
		/* libvirt's own choice on the host: the modular daemon's socket
		 * where there is one, else the monolithic libvirtd's. */
		if (!strcmp(u.driver, "qemu") && !strcmp(u.path, "/system"))
			add_socket(r, MODULAR_QEMU);
		add_socket(r, DEFAULT_SOCKET);
	}
	r->local_head = x_asprintf("%s+unix://%s?%s%s", u.driver, u.path[0] ? u.path : "/", u.kept.buf,
				   u.kept.len ? "&" : "");
	/* as libvirt's remote driver names it: name= where given */
	r->daemon_uri = u.name && *u.name ? x_strdup(u.name) : x_asprintf("%s://%s", u.driver, u.path[0] ? u.path : "/");
	int private_copies = !strncmp(r->daemon_uri, "test://", 7) && strcmp(r->daemon_uri, "test:///default");
	r->own_stats = h->libvirt_stats == LV_STATS_VDECK || (h->libvirt_stats == LV_STATS_AUTO && !private_copies);
	parsed_free(&u);
	return 0;
}

char *libvirt_route_local_uri(const struct libvirt_route *r, const char *local_socket)
{
	struct strbuf sb;
	sb_init(&sb);
	sb_append(&sb, r->local_head);
	sb_append(&sb, "socket=");
	for (const char *p = local_socket; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (isalnum(c) || strchr("/-._~", c))
			sb_appendc(&sb, (char)c);
		else
			sb_appendf(&sb, "%%%02X", c);
	}
	return sb_detach(&sb);
}

void libvirt_route_free(struct libvirt_route *r)
{
	for (size_t i = 0; i < r->nsockets; i++)
		free(r->sockets[i]);
	free(r->local_head);
	free(r->daemon_uri);
	memset(r, 0, sizeof *r);
}

const char *libvirt_stats_name(enum libvirt_stats s)
{
	return s == LV_STATS_VDECK ? "vdeck" : s == LV_STATS_LIBVIRT ? "libvirt" : "auto";
}

const char *libvirt_via_name(enum libvirt_via v)
{
	return v == LV_VIA_TUNNEL ? "tunnel" : v == LV_VIA_URI ? "uri" : "auto";
}

/* test_libvirt_route.c — which hosts' libvirt goes through vdeck's own SSH
 * session, which daemon socket it is sent to, and the URI libvirt opens
 * instead; what the daemon there opens and whether vdeck makes the poll's
 * statistics call itself; the inventory keys libvirt_via, libvirt_stats and
 * libvirt_socket.
 * Expectations are written by hand from libvirt's URI rules. */
#include "check.h"

#include "lua/inventory_load.h"
#include "model/libvirt_route.h"

static struct host_config host(const char *uri)
{
	static char name[] = "h1", addr[] = "node1.example", user[] = "ops";
	return (struct host_config){
		.name = name, .address = addr, .libvirt_uri = (char *)uri, .transport = HT_SSH,
		.ssh = { .user = user, .port = 22 },
	};
}

/* plan(uri, want) and check the route: via, sockets (NULL-ended), and the
 * local URI for the socket "/run/user/0/vdeck-lv.x/libvirt-sock". */
static void expect(const struct host_config *h, enum libvirt_via want, enum libvirt_via via,
		   const char *s0, const char *s1, const char *local)
{
	struct libvirt_route r;
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(libvirt_route_plan(h, want, &r, &err), 0);
	CHECK_STR(libvirt_via_name(r.via), libvirt_via_name(via));
	CHECK_INT(r.nsockets, s1 ? 2 : s0 ? 1 : 0);
	if (s0 && r.nsockets > 0)
		CHECK_STR(r.sockets[0], s0);
	if (s1 && r.nsockets > 1)
		CHECK_STR(r.sockets[1], s1);
	if (local && r.via == LV_VIA_TUNNEL) {
		char *u = libvirt_route_local_uri(&r, "/run/user/0/vdeck-lv.x/libvirt-sock");
		CHECK_STR(u, local);
		free(u);
	}
	libvirt_route_free(&r);
}

static void expect_uri(const char *uri)
{
	struct host_config h = host(uri);
	expect(&h, LV_VIA_AUTO, LV_VIA_URI, NULL, NULL, NULL);
}

static void test_rules(void)
{
	struct host_config h = host("qemu+ssh://ops@node1.example/system");
	/* the inventory's default URI: the modular daemon's socket first */
	expect(&h, LV_VIA_AUTO, LV_VIA_TUNNEL, "/run/libvirt/virtqemud-sock", "/run/libvirt/libvirt-sock",
	       "qemu+unix:///system?socket=/run/user/0/vdeck-lv.x/libvirt-sock");
	expect(&h, LV_VIA_TUNNEL, LV_VIA_TUNNEL, "/run/libvirt/virtqemud-sock", "/run/libvirt/libvirt-sock", NULL);
	expect(&h, LV_VIA_URI, LV_VIA_URI, NULL, NULL, NULL);
	/* address compared without case, port 22 written out, no user */
	h = host("qemu+ssh://NODE1.example:22/system");
	expect(&h, LV_VIA_AUTO, LV_VIA_TUNNEL, "/run/libvirt/virtqemud-sock", "/run/libvirt/libvirt-sock", NULL);
	/* libssh2 and libssh transports too */
	h = host("qemu+libssh2://node1.example/system?known_hosts=/x&sshauth=privkey");
	expect(&h, LV_VIA_AUTO, LV_VIA_TUNNEL, "/run/libvirt/virtqemud-sock", "/run/libvirt/libvirt-sock",
	       "qemu+unix:///system?socket=/run/user/0/vdeck-lv.x/libvirt-sock");
	/* the test driver: its file path stays; the monolithic socket only */
	h = host("test+ssh://ops@node1.example/var/lib/vdeck/h1.xml");
	expect(&h, LV_VIA_AUTO, LV_VIA_TUNNEL, "/run/libvirt/libvirt-sock", NULL,
	       "test+unix:///var/lib/vdeck/h1.xml?socket=/run/user/0/vdeck-lv.x/libvirt-sock");
	/* socket= in the URI wins, %-escapes decoded; name= is kept */
	h = host("qemu+ssh://node1.example/system?name=qemu%3A%2F%2F%2Fsystem&socket=/srv/lv%20x/sock&no_tty=1");
	expect(&h, LV_VIA_AUTO, LV_VIA_TUNNEL, "/srv/lv x/sock", NULL,
	       "qemu+unix:///system?name=qemu%3A%2F%2F%2Fsystem&socket=/run/user/0/vdeck-lv.x/libvirt-sock");
	/* libvirt_socket when the URI names none */
	h = host("qemu+ssh://node1.example/system");
	h.libvirt_socket = (char *)"/run/libvirt/virtqemud-sock";
	expect(&h, LV_VIA_AUTO, LV_VIA_TUNNEL, "/run/libvirt/virtqemud-sock", NULL, NULL);
	/* a session daemon: only with libvirt_socket */
	h = host("qemu+ssh://node1.example/session");
	expect(&h, LV_VIA_AUTO, LV_VIA_URI, NULL, NULL, NULL);
	h.libvirt_socket = (char *)"/run/user/1000/libvirt/virtqemud-sock";
	expect(&h, LV_VIA_AUTO, LV_VIA_TUNNEL, "/run/user/1000/libvirt/virtqemud-sock", NULL,
	       "qemu+unix:///session?socket=/run/user/0/vdeck-lv.x/libvirt-sock");
	/* an IPv6 literal address */
	h = host("qemu+ssh://ops@[fd00::7]:2222/system");
	h.address = (char *)"fd00::7";
	h.ssh.port = 2222;
	expect(&h, LV_VIA_AUTO, LV_VIA_TUNNEL, "/run/libvirt/virtqemud-sock", "/run/libvirt/libvirt-sock", NULL);

	/* everything else: the URI as written */
	expect_uri("qemu:///system");
	expect_uri("test:///default");
	expect_uri("qemu+tcp://node1.example/system");
	expect_uri("qemu+tls://node1.example/system");
	expect_uri("qemu+unix:///system?socket=/tmp/x");
	expect_uri("qemu+ssh://node2.example/system");      /* another host */
	expect_uri("qemu+ssh://node1.example:2222/system"); /* another port */
	expect_uri("qemu+ssh://root@node1.example/system"); /* another user */
	expect_uri("qemu+ssh://node1.example:22x/system");  /* a bad port */
	expect_uri("qemu+ssh://[fd00::7/system");           /* a bad literal */
	expect_uri("node1.example");
	expect_uri("");
	expect_uri("+ssh://node1.example/system");
	h = host("qemu+ssh://node1.example/system");
	h.transport = HT_LOCAL;
	expect(&h, LV_VIA_AUTO, LV_VIA_URI, NULL, NULL, NULL);
}

/* "tunnel" where it cannot apply is an error naming why. */
static void test_tunnel_refused(void)
{
	struct host_config h = host("qemu+ssh://node2.example/system");
	struct libvirt_route r;
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(libvirt_route_plan(&h, LV_VIA_TUNNEL, &r, &err), -1);
	CHECK_INT(err.code, VD_ECONFIG);
	CHECK(strstr(err.msg, "another host") != NULL);
	h = host(NULL);
	CHECK_INT(libvirt_route_plan(&h, LV_VIA_TUNNEL, &r, &err), -1);
	CHECK(strstr(err.msg, "no libvirt URI") != NULL);
}

/* The local socket path is escaped for libvirt's query parser. */
static void test_escaping(void)
{
	struct host_config h = host("qemu+ssh://node1.example/system");
	struct libvirt_route r;
	struct vd_err err;
	CHECK_INT(libvirt_route_plan(&h, LV_VIA_AUTO, &r, &err), 0);
	char *u = libvirt_route_local_uri(&r, "/tmp/a b&c=d+e%f#g?h;i");
	CHECK_STR(u, "qemu+unix:///system?socket=/tmp/a%20b%26c%3Dd%2Be%25f%23g%3Fh%3Bi");
	free(u);
	libvirt_route_free(&r);
}

static const struct host_config *load(struct inventory *inv, const char *text, struct vd_err *err)
{
	err_clear(err);
	if (inventory_load_string(text, "cluster.lua", inv, err) < 0)
		return NULL;
	return &inv->hosts[0];
}

/* The daemon's URI as libvirt's client names it, and who makes the poll's
 * statistics call (libvirt_stats; AUTO: vdeck where the daemon's domains
 * are shared by its connections). */
static void stats_case(const char *uri, enum libvirt_stats want, int rc, const char *daemon, int own)
{
	struct host_config h = host(uri);
	h.libvirt_stats = want;
	struct libvirt_route r;
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(libvirt_route_plan(&h, LV_VIA_AUTO, &r, &err), rc);
	if (rc == 0) {
		if (daemon)
			CHECK_STR(r.daemon_uri, daemon);
		CHECK_INT(r.own_stats, own);
		libvirt_route_free(&r);
	} else {
		CHECK(strstr(err.msg, "libvirt_stats = \"vdeck\" needs libvirt through the tunnel") != NULL);
	}
}

static void test_own_stats(void)
{
	stats_case("qemu+ssh://ops@node1.example/system", LV_STATS_AUTO, 0, "qemu:///system", 1);
	stats_case("qemu+ssh://ops@node1.example/system?keyfile=/k&no_verify=1", LV_STATS_AUTO, 0, "qemu:///system", 1);
	stats_case("qemu+ssh://ops@node1.example/system", LV_STATS_LIBVIRT, 0, "qemu:///system", 0);
	stats_case("qemu+ssh://ops@node1.example/system", LV_STATS_VDECK, 0, "qemu:///system", 1);
	/* name= is what the daemon opens, unescaped */
	stats_case("qemu+ssh://ops@node1.example/system?name=qemu%3A%2F%2F%2Fsession", LV_STATS_AUTO, 0,
		   "qemu:///session", 1);
	/* the test driver: a file is a copy per connection, "default" is shared */
	stats_case("test+ssh://ops@node1.example/var/lib/t.xml", LV_STATS_AUTO, 0, "test:///var/lib/t.xml", 0);
	stats_case("test+ssh://ops@node1.example/var/lib/t.xml", LV_STATS_VDECK, 0, "test:///var/lib/t.xml", 1);
	stats_case("test+ssh://ops@node1.example/default", LV_STATS_AUTO, 0, "test:///default", 1);
	/* not through the tunnel: libvirt's client, and "vdeck" is refused */
	stats_case("qemu+ssh://ops@other.example/system", LV_STATS_AUTO, 0, NULL, 0);
	stats_case("qemu+ssh://ops@other.example/system", LV_STATS_VDECK, -1, NULL, 0);
	struct host_config h = host("qemu+ssh://ops@node1.example/system");
	h.libvirt_stats = LV_STATS_VDECK;
	struct libvirt_route r;
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(libvirt_route_plan(&h, LV_VIA_URI, &r, &err), -1);
	CHECK(strstr(err.msg, "host h1: libvirt_stats = \"vdeck\" needs libvirt through the tunnel") != NULL);
}

static void test_inventory_keys(void)
{
	struct inventory inv;
	struct vd_err err;
	const char *kh = "defaults { ssh = { user = 'ops', known_hosts = '/kh' } }\n";
	char text[1024];
	const struct host_config *h;
	/* the default URI goes through the tunnel */
	snprintf(text, sizeof text, "%shost { name = 'a', address = '10.0.0.1' }\n", kh);
	CHECK((h = load(&inv, text, &err)) != NULL);
	if (h) {
		CHECK_INT(h->libvirt_via, LV_VIA_TUNNEL);
		inventory_free(&inv);
	}
	/* libvirt_via = "uri" keeps libvirt's own path, per host or for all */
	snprintf(text, sizeof text, "%shost { name = 'a', address = '10.0.0.1', libvirt_via = 'uri' }\n", kh);
	CHECK((h = load(&inv, text, &err)) != NULL);
	if (h) {
		CHECK_INT(h->libvirt_via, LV_VIA_URI);
		inventory_free(&inv);
	}
	CHECK((h = load(&inv, "defaults { libvirt_via = 'uri', ssh = { known_hosts = '/kh' } }\n"
			      "host { name = 'a', address = '10.0.0.1' }\n", &err)) != NULL);
	if (h) {
		CHECK_INT(h->libvirt_via, LV_VIA_URI);
		inventory_free(&inv);
	}
	/* libvirt_socket is kept */
	snprintf(text, sizeof text, "%shost { name = 'a', address = '10.0.0.1', "
		 "libvirt_socket = '/run/libvirt/virtqemud-sock' }\n", kh);
	CHECK((h = load(&inv, text, &err)) != NULL);
	if (h) {
		CHECK_STR(h->libvirt_socket, "/run/libvirt/virtqemud-sock");
		struct host_config copy;
		host_config_copy(&copy, h);
		CHECK_STR(copy.libvirt_socket, "/run/libvirt/virtqemud-sock");
		CHECK_INT(copy.libvirt_via, LV_VIA_TUNNEL);
		host_config_free(&copy);
		inventory_free(&inv);
	}
	/* libvirt_stats, per host or in defaults (the host's wins) */
	snprintf(text, sizeof text, "defaults { ssh = { user = 'ops', known_hosts = '/kh' }, libvirt_stats = 'libvirt' }\n"
		 "host { name = 'a', address = '10.0.0.1' }\n");
	CHECK((h = load(&inv, text, &err)) != NULL);
	if (h) {
		CHECK_INT(h->libvirt_stats, LV_STATS_LIBVIRT);
		inventory_free(&inv);
	}
	snprintf(text, sizeof text, "defaults { ssh = { user = 'ops', known_hosts = '/kh' }, libvirt_stats = 'libvirt' }\n"
		 "host { name = 'a', address = '10.0.0.1', libvirt_stats = 'vdeck' }\n");
	CHECK((h = load(&inv, text, &err)) != NULL);
	if (h) {
		CHECK_INT(h->libvirt_stats, LV_STATS_VDECK);
		inventory_free(&inv);
	}
	snprintf(text, sizeof text, "%shost { name = 'a', address = '10.0.0.1', libvirt_stats = 'own' }\n", kh);
	CHECK(load(&inv, text, &err) == NULL);
	CHECK(strstr(err.msg, "cluster.lua:2: host a: libvirt_stats must be \"vdeck\" or \"libvirt\", not \"own\"") != NULL);
	/* errors at the host's line */
	snprintf(text, sizeof text, "%shost { name = 'a', address = '10.0.0.1', libvirt_via = 'ssh' }\n", kh);
	CHECK(load(&inv, text, &err) == NULL);
	CHECK(strstr(err.msg, "cluster.lua:2: host a: libvirt_via must be \"tunnel\" or \"uri\"") != NULL);
	snprintf(text, sizeof text, "%shost { name = 'a', address = '10.0.0.1', libvirt_socket = 'sock' }\n", kh);
	CHECK(load(&inv, text, &err) == NULL);
	CHECK(strstr(err.msg, "cluster.lua:2: host a: libvirt_socket must be an absolute path") != NULL);
	snprintf(text, sizeof text, "%s\nhost { name = 'a', address = '10.0.0.1', libvirt = 'test:///default',\n"
		 "  libvirt_via = 'tunnel' }\n", kh);
	CHECK(load(&inv, text, &err) == NULL);
	CHECK(strstr(err.msg, "cluster.lua:3: host a: libvirt_via = \"tunnel\" cannot carry test:///default") != NULL);
	if (!strstr(err.msg, "cluster.lua:3:"))
		fprintf(stderr, "  got: %s\n", err.msg);
}

int main(void)
{
	test_rules();
	test_tunnel_refused();
	test_escaping();
	test_own_stats();
	test_inventory_keys();
	return check_summary();
}

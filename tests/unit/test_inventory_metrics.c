/* test_inventory_metrics.c — metrics = { source = "prometheus", ... } in
 * defaults{} and host{}: merging, the default instance, and each error
 * naming FILE:LINE. */
#include "check.h"

#include "lua/inventory_load.h"

static void expect_error(const char *text, const char *want)
{
	struct inventory inv;
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(inventory_load_string(text, "cluster.lua", &inv, &err), -1);
	CHECK_INT(err.code, VD_ECONFIG);
	if (!strstr(err.msg, want)) {
		check_failed++;
		fprintf(stderr, "FAIL: error \"%s\" lacks \"%s\"\n", err.msg, want);
	} else {
		check_passed++;
	}
}

static const char *label(const struct host_config *h, const char *name)
{
	for (size_t i = 0; h && i < h->metrics.nmatch; i++)
		if (!strcmp(h->metrics.match[i].name, name))
			return h->metrics.match[i].value;
	return NULL;
}

static void test_merge(void)
{
	struct inventory inv;
	struct vd_err err;
	err_clear(&err);
	int rc = inventory_load_string(
		"defaults { metrics = { source = 'prometheus', url = 'https://prom:9090',\n"
		"                       match = { job = 'node' }, bearer_token_file = '/etc/vdeck/t',\n"
		"                       ca_file = '/etc/ca.pem' },\n"
		"           ssh = { known_hosts = '/kh' } }\n"
		"host { name = 'a', address = '10.0.0.7' }\n"
		"host { name = 'b', address = '10.0.0.8', metrics = { match = { instance = 'b:9100', job = 'n2' } } }\n"
		"host { name = 'c', transport = 'local', metrics = { source = 'shell' } }\n"
		"host { name = 'd', address = 'x', metrics = { username = 'u', password_file = '/pw', insecure = true } }\n",
		"cluster.lua", &inv, &err);
	CHECK_INT(rc, 0);
	if (rc < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	const struct host_config *a = inventory_find(&inv, "a"), *b = inventory_find(&inv, "b");
	const struct host_config *c = inventory_find(&inv, "c"), *d = inventory_find(&inv, "d");
	CHECK_INT(a->metrics.source, MS_PROMETHEUS);
	CHECK_STR(a->metrics.url, "https://prom:9090");
	CHECK_INT(a->metrics.nmatch, 2);
	CHECK_STR(a->metrics.match[0].name, "instance");   /* sorted by name */
	CHECK_STR(label(a, "instance"), "10.0.0.7:9100");
	CHECK_STR(label(a, "job"), "node");
	CHECK_STR(a->metrics.bearer_token_file, "/etc/vdeck/t");
	CHECK_STR(a->metrics.ca_file, "/etc/ca.pem");
	CHECK_INT(a->metrics.insecure, 0);
	/* The host's own labels win; its own match drops the default instance. */
	CHECK_INT(b->metrics.nmatch, 2);
	CHECK_STR(label(b, "instance"), "b:9100");
	CHECK_STR(label(b, "job"), "n2");
	CHECK_INT(c->metrics.source, MS_SHELL);
	/* Basic auth in the host replaces the defaults' bearer token. */
	CHECK_STR(d->metrics.username, "u");
	CHECK(d->metrics.bearer_token_file == NULL);
	CHECK_INT(d->metrics.insecure, 1);
	struct host_config copy;
	host_config_copy(&copy, b);
	CHECK_STR(label(&copy, "job"), "n2");
	host_config_free(&copy);
	inventory_free(&inv);

	CHECK_INT(inventory_load_string("host { name = 'l', transport = 'local' }\n", "cluster.lua", &inv, &err), 0);
	CHECK_INT(inv.hosts[0].metrics.source, MS_SHELL);
	CHECK_INT(inv.hosts[0].metrics.nmatch, 0);
	inventory_free(&inv);
}

/* libvirt_match: the host's own, else the defaults'; none by default. */
static void test_libvirt_match(void)
{
	struct inventory inv;
	struct vd_err err;
	err_clear(&err);
	int rc = inventory_load_string(
		"defaults { metrics = { source = 'prometheus', url = 'http://prom:9090',\n"
		"                       libvirt_match = { job = 'libvirt' } },\n"
		"           ssh = { known_hosts = '/kh' } }\n"
		"host { name = 'a', address = '10.0.0.7' }\n"
		"host { name = 'b', address = '10.0.0.8', metrics = { libvirt_match = { instance = '10.0.0.8:9177' } } }\n"
		"host { name = 'c', transport = 'local', metrics = { source = 'shell' } }\n",
		"cluster.lua", &inv, &err);
	CHECK_INT(rc, 0);
	if (rc < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	const struct host_config *a = inventory_find(&inv, "a"), *b = inventory_find(&inv, "b");
	const struct host_config *c = inventory_find(&inv, "c");
	CHECK_INT(a->metrics.nlibvirt_match, 1);
	CHECK_STR(a->metrics.libvirt_match[0].name, "job");
	CHECK_STR(a->metrics.libvirt_match[0].value, "libvirt");
	CHECK_INT(b->metrics.nlibvirt_match, 1);
	CHECK_STR(b->metrics.libvirt_match[0].name, "instance");
	CHECK_STR(b->metrics.libvirt_match[0].value, "10.0.0.8:9177");
	CHECK_INT(c->metrics.nlibvirt_match, 0);   /* shell source: per-VM figures from libvirt */
	inventory_free(&inv);
	err_clear(&err);
	CHECK_INT(inventory_load_string("defaults { metrics = { source = 'prometheus', url = 'http://p' } }\n"
					"host { name = 'a', address = '10.0.0.7' }\n", "cluster.lua", &inv, &err), 0);
	CHECK_INT(inventory_find(&inv, "a")->metrics.nlibvirt_match, 0);
	inventory_free(&inv);
}

int main(void)
{
	test_merge();
	test_libvirt_match();
	expect_error("host { name = 'a', metrics = { libvirt_match = {} } }", "libvirt_match = {} selects every series");
	expect_error("host { name = 'a', metrics = { libvirt_match = { job = false } } }",
		     "libvirt_match.job must be a non-empty string");
	expect_error("host { name = 'a', metrics = { libvirt_match = 'x' } }",
		     "field 'libvirt_match' must be a table");
	expect_error("host { name = 'a', transport = 'local', metrics = { libvirt_match = { job = 'lv' } } }",
		     "libvirt_match needs source = \"prometheus\"");
	const char *ok = "ssh = { known_hosts = '/kh' }";
	char text[512];
	snprintf(text, sizeof text, "defaults { %s }\nhost { name = 'a', address = 'x', metrics = { source = 'snmp' } }", ok);
	expect_error(text, "cluster.lua:2: host a metrics: source must be \"prometheus\" or \"shell\", not \"snmp\"");
	expect_error("host { name = 'a', metrics = { url = 'prom:9090' } }", "url must start with http:// or https://");
	expect_error("host { name = 'a', metrics = { colour = 1 } }", "host a metrics: unknown field 'colour'");
	expect_error("host { name = 'a', metrics = 'prometheus' }", "field 'metrics' must be a table");
	expect_error("host { name = 'a', metrics = { match = { ['bad-label'] = 'x' } } }", "Prometheus label names");
	expect_error("host { name = 'a', metrics = { match = { __name__ = 'x' } } }", "Prometheus label names");
	expect_error("host { name = 'a', metrics = { match = { job = 7 } } }", "match.job must be a non-empty string");
	expect_error("host { name = 'a', metrics = { username = 'u' } }", "username and password_file go together");
	expect_error("host { name = 'a', metrics = { username = 'u', password_file = '/p', bearer_token_file = '/t' } }",
		     "not both");
	expect_error("host { name = 'a', metrics = { bearer_token_file = 'token' } }", "must be an absolute path");
	expect_error("host { name = 'a', metrics = { insecure = 'yes' } }", "'insecure' must be true or false");
	expect_error("\nhost { name = 'a', transport = 'local', metrics = { source = 'prometheus' } }",
		     "cluster.lua:2: metrics source \"prometheus\" needs a url");
	expect_error("host { name = 'a', transport = 'local', metrics = { source = 'prometheus', url = 'http://p' } }",
		     "needs match = { ... }");
	expect_error("host { name = 'a', transport = 'local', metrics = { source = 'prometheus', url = 'http://p', "
		     "match = {} } }", "selects every series");
	return check_summary();
}

/* test_inventory.c — the inventory contract: defaults{}, host{}, and every
 * error naming FILE:LINE. */
#include "check.h"

#include "lua/inventory_load.h"

static const char good[] =
	"defaults { ssh = { user = 'ops', port = 2222, identity = '~/.ssh/id', known_hosts = '/kh' }, interval = 5,\n"
	"           keys = { quit = 'x' } }\n"
	"for i = 1, 4 do\n"
	"  host { name = string.format('cna%03d', i), address = '10.0.0.' .. i,\n"
	"         tags = { 'rack' .. (i % 2) } }\n"
	"end\n"
	"host { name = 'gpu01', address = '10.0.0.200', ssh = { port = 22 }, sysroot = '/host' }\n"
	"host { name = 'local', transport = 'local', libvirt = 'qemu:///system', sysroot = '/' }\n"
	"host { name = 'lv', transport = 'none', libvirt = 'test:///default' }\n";

static void expect_error(const char *text, const char *want)
{
	struct inventory inv;
	struct vd_err err;
	err_clear(&err);
	int rc = inventory_load_string(text, "cluster.lua", &inv, &err);
	CHECK_INT(rc, -1);
	CHECK_INT(err.code, VD_ECONFIG);
	if (!strstr(err.msg, want)) {
		check_failed++;
		fprintf(stderr, "FAIL: error \"%s\" lacks \"%s\"\n", err.msg, want);
	} else {
		check_passed++;
	}
}

/* "~" in trust-store paths is $HOME at load time, once; a relative path is
 * refused at its line; the default known_hosts is $HOME's, for SSH hosts. */
static void test_trust_paths(const char *home)
{
	struct inventory inv;
	struct vd_err err;
	char want[300];
	err_clear(&err);
	CHECK_INT(inventory_load_string("defaults { ssh = { known_hosts = '~/kh' } }\n"
					"host { name = 'a', address = 'x', ssh = { identity = '~/.ssh/id_a' } }\n"
					"host { name = 'b', address = 'y' }\n",
					"cluster.lua", &inv, &err), 0);
	const struct host_config *h = inventory_find(&inv, "a");
	snprintf(want, sizeof want, "%s/kh", home);
	CHECK(h && h->ssh.known_hosts && !strcmp(h->ssh.known_hosts, want));
	snprintf(want, sizeof want, "%s/.ssh/id_a", home);
	CHECK(h && h->ssh.identity && !strcmp(h->ssh.identity, want));
	h = inventory_find(&inv, "b");
	CHECK(h && h->ssh.identity == NULL);
	inventory_free(&inv);

	CHECK_INT(inventory_load_string("host { name = 'a', address = 'x' }\n"
					"host { name = 'l', transport = 'local' }\n", "cluster.lua", &inv, &err), 0);
	h = inventory_find(&inv, "a");
	snprintf(want, sizeof want, "%s/.ssh/known_hosts", home);
	CHECK(h && h->ssh.known_hosts && !strcmp(h->ssh.known_hosts, want));
	h = inventory_find(&inv, "l");
	CHECK(h && h->ssh.known_hosts == NULL);   /* no SSH, nothing to trust */
	inventory_free(&inv);

	expect_error("\nhost { name = 'a', address = 'x', ssh = { known_hosts = '.ssh/known_hosts' } }",
		     "cluster.lua:2: host a ssh: field 'known_hosts' must be an absolute path or start with ~/");
	expect_error("defaults { ssh = { identity = 'id_ed25519' } }\nhost { name = 'a', address = 'x' }",
		     "cluster.lua:1: defaults ssh: field 'identity' must be an absolute path");
	expect_error("host { name = 'a', address = 'x', ssh = { known_hosts = '~ops/kh' } }",
		     "not \"~ops/kh\"");
	/* a key or known_hosts in a directory anyone may write */
	snprintf(want, sizeof want, "mkdir -p '%s/ww' && chmod 777 '%s/ww'", home, home);
	CHECK_INT(system(want), 0);
	expect_error("host { name = 'a', address = 'x', ssh = { identity = '~/ww/id' } }",
		     "cluster.lua:1: host a ssh: identity ");
	snprintf(want, sizeof want, "refused: directory %s/ww is world-writable (mode 0777)", home);
	expect_error("host { name = 'a', address = 'x', ssh = { known_hosts = '~/ww/kh' } }", want);
	/* the default known_hosts, judged the same way */
	snprintf(want, sizeof want, "chmod 777 '%s'", home);
	CHECK_INT(system(want), 0);
	expect_error("host { name = 'a', address = 'x' }", "cluster.lua: the default known_hosts ");
	CHECK_INT(inventory_load_string("host { name = 'l', transport = 'local' }\n", "cluster.lua", &inv, &err), 0);
	inventory_free(&inv);
	snprintf(want, sizeof want, "chmod 755 '%s'", home);
	CHECK_INT(system(want), 0);
}

/* rule{}: placement rules for the planners, each naming where it was
 * declared; a bad one is an error at its line. */
static void test_rules(void)
{
	struct inventory inv;
	struct vd_err err;
	err_clear(&err);
	int rc = inventory_load_string("host { name = 'a', transport = 'none', libvirt = 'test:///default' }\n"
				       "rule { keep_apart = { 'db-01', 'db-02' } }\n"
				       "rule { keep_together = { 'app-*', 'cache-1' } }\n"
				       "rule { pin_to = { vm = 'lic-*', hosts = { 'a', 'rack2' } } }\n",
				       "cluster.lua", &inv, &err);
	CHECK_INT(rc, 0);
	CHECK_INT(inv.nrules, 3);
	if (rc == 0 && inv.nrules == 3) {
		CHECK_INT(inv.rules[0].kind, RULE_KEEP_APART);
		CHECK_INT(inv.rules[0].nvms, 2);
		CHECK_STR(inv.rules[0].vms[1], "db-02");
		CHECK_STR(inv.rules[0].source, "cluster.lua:2");
		CHECK_INT(inv.rules[1].kind, RULE_KEEP_TOGETHER);
		CHECK_STR(inv.rules[1].vms[0], "app-*");
		CHECK_INT(inv.rules[2].kind, RULE_PIN_TO);
		CHECK_STR(inv.rules[2].vms[0], "lic-*");
		CHECK_STR(inv.rules[2].hosts, "a,rack2");
	}
	inventory_free(&inv);
	static const char h[] = "host { name = 'a', transport = 'none', libvirt = 'test:///default' }\n";
	char text[512];
	snprintf(text, sizeof text, "%srule { keep_apart = { 'x' } }", h);
	expect_error(text, "cluster.lua:2: rule: keep_apart wants a list of two or more VM names");
	snprintf(text, sizeof text, "%srule { keep_apart = { 'x', 'y' }, pin_to = { vm = 'x', hosts = 'a' } }", h);
	expect_error(text, "cluster.lua:2: rule: one of keep_apart, keep_together, pin_to per rule");
	snprintf(text, sizeof text, "%srule { pin_to = { vm = 'x' } }", h);
	expect_error(text, "cluster.lua:2: rule: pin_to.hosts wants host names, globs or tags");
	snprintf(text, sizeof text, "%srule { spread = { 'x', 'y' } }", h);
	expect_error(text, "cluster.lua:2: rule: unknown field 'spread'");
}

int main(void)
{
	struct inventory inv;
	struct vd_err err;
	char home[] = "/tmp/vdeck-inv-home.XXXXXX";
	if (!mkdtemp(home))
		return 1;
	setenv("HOME", home, 1);
	test_trust_paths(home);
	test_rules();
	err_clear(&err);
	CHECK_INT(inventory_load_string(good, "cluster.lua", &inv, &err), 0);
	CHECK_INT(inv.nhosts, 7);
	const struct host_config *h = inventory_find(&inv, "cna003");
	CHECK(h != NULL);
	if (h) {
		CHECK_STR(h->address, "10.0.0.3");
		CHECK_INT(h->transport, HT_SSH);
		CHECK_STR(h->ssh.user, "ops");
		CHECK_INT(h->ssh.port, 2222);
		CHECK_STR(h->ssh.known_hosts, "/kh");
		char id[300];
		snprintf(id, sizeof id, "%s/.ssh/id", home);
		CHECK_STR(h->ssh.identity, id);
		CHECK_INT(h->interval_ms, 5000);
		CHECK_STR(h->libvirt_uri, "qemu+ssh://ops@10.0.0.3:2222/system");
		CHECK_STR(h->tags[0], "rack1");
		CHECK_STR(h->source, "cluster.lua:4");
	}
	CHECK_INT(inv.nkeys, 1);
	if (inv.nkeys)
		CHECK(!strcmp(inv.keys[0].action, "quit") && !strcmp(inv.keys[0].key, "x"));
	h = inventory_find(&inv, "gpu01");
	CHECK(h && h->ssh.port == 22 && h->sysroot && !strcmp(h->sysroot, "/host"));
	h = inventory_find(&inv, "local");
	CHECK(h && h->transport == HT_LOCAL && !strcmp(h->libvirt_uri, "qemu:///system"));
	h = inventory_find(&inv, "lv");
	CHECK(h && h->transport == HT_NONE);
	inventory_free(&inv);

	expect_error("host { name = 'a' \n", "cluster.lua:2:");                      /* syntax */
	expect_error("\n\nhost { name = 'a', adress = 'x' }", "cluster.lua:3: host: unknown field 'adress'");
	expect_error("host { name = 'a', address = 'x' }\nhost { name = 'a', address = 'y' }",
		     "cluster.lua:2: host a: duplicate name (first declared at cluster.lua:1)");
	expect_error("host { name = 'a', address = 'x', ssh = { port = 'twenty' } }", "cluster.lua:1: host a ssh: field 'port' must be an integer");
	expect_error("host { name = 'a', address = 'x', ssh = { port = 99999 } }", "between 1 and 65535");
	expect_error("host { name = 'a', address = 7 }", "field 'address' must be a string");
	expect_error("host { name = 'a', transport = 'telnet' }", "transport must be");
	expect_error("host { name = 'a', transport = 'ssh' }", "needs an address");
	expect_error("host { name = 'a', transport = 'none' }", "needs a libvirt URI");
	expect_error("host { address = 'x' }", "field 'name' is required");
	expect_error("host { name = 'bad name!', address = 'x' }", "name must be");
	expect_error("host { name = 'a', address = 'x', tags = 'one' }", "list of strings");
	expect_error("defaults { colour = 1 }\nhost { name = 'a', address = 'x' }", "cluster.lua:1: defaults: unknown field 'colour'");
	expect_error("defaults { interval = 0 }", "interval");
	/* nan compares false with both bounds: refused, not cast to int */
	expect_error("host { name = 'a', interval = 0/0 }", "field 'interval' must be between 0.1 and 3600");
	expect_error("defaults { keys = { quit = 7 } }", "keys must map action names");
	expect_error("-- nothing\n", "declares no host");
	expect_error("error('boom')", "boom");
	char rm[300];
	snprintf(rm, sizeof rm, "rm -rf '%s'", home);
	CHECK_INT(system(rm), 0);
	return check_summary();
}

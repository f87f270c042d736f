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

int main(void)
{
	struct inventory inv;
	struct vd_err err;
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
	return check_summary();
}

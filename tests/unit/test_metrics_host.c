/* test_metrics_host.c — metrics parsers on the project's own fixtures,
 * the poll script run by a real sh on a fake sysroot, rates across counter
 * wrap / reset / rename, and host alerts. */
#include "check.h"

#include "core/err.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "metrics/bonding.h"
#include "metrics/bundle.h"
#include "metrics/cpulist.h"
#include "metrics/ethtool.h"
#include "metrics/host_metrics.h"

#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIX "tests/fixtures/metrics/"
#define NEAR(a, b) CHECK(fabs((a) - (b)) < 0.01)

static char *fixture(const char *name, size_t *len)
{
	char path[256];
	snprintf(path, sizeof(path), FIX "%s", name);
	char *s = check_slurp(path, len);
	if (!s)
		fprintf(stderr, "FAIL missing fixture %s\n", path);
	return s;
}

static void test_cpulist(void)
{
	struct vd_err e;
	int *c = NULL;
	size_t n = 0;
	err_clear(&e);
	CHECK_INT(parse_cpulist("0-3,8-11\n", 9, &c, &n, &e), 0);
	CHECK_INT(n, 8);
	CHECK(n == 8 && c[3] == 3 && c[4] == 8 && c[7] == 11);
	x_free(&c);
	CHECK_INT(parse_cpulist("\n", 1, &c, &n, &e), 0);
	CHECK_INT(n, 0);
	CHECK_INT(parse_cpulist("3-1", 3, &c, &n, &e), -1);
	CHECK_INT(parse_cpulist("0-99999999", 10, &c, &n, &e), -1);
	CHECK_INT(parse_cpulist("1,x", 3, &c, &n, &e), -1);
}

/* A VM name holding a NUL would read as a shorter, other VM's name. */
static void test_vm_numa_nul(void)
{
	static const char text[] = "web\0x N0=1\nweb N0=2\n";
	struct vm_numa *v = NULL;
	size_t n = 0, cap = 0;
	struct vd_err e;
	err_clear(&e);
	CHECK_INT(parse_vm_numa(text, sizeof text - 1, &v, &n, &cap, &e), 0);
	CHECK_INT(n, 1);
	CHECK(n == 1 && !strcmp(v[0].name, "web") && v[0].bytes[0] == 2);
	x_free(&v);
}

static void test_parsers(void)
{
	struct vd_err e;
	size_t len;
	char *s;
	err_clear(&e);

	s = fixture("meminfo", &len);
	struct meminfo mi;
	CHECK_INT(parse_meminfo(s, len, &mi, &e), 0);
	CHECK(mi.total == 65768036ull * 1024 && mi.available == 40211996ull * 1024);
	CHECK(mi.swap_free == 8121340ull * 1024 && mi.hugepages_total == 16 && mi.hugepage_size == 2 << 20);
	free(s);
	CHECK_INT(parse_meminfo("junk", 4, &mi, &e), -1);

	s = fixture("bond0", &len);
	struct bond b;
	CHECK_INT(parse_bonding("bond0", s, len, &b, &e), 0);
	CHECK(b.is_8023ad);
	CHECK_STR(b.lacp_rate, "fast");
	CHECK_INT(b.aggregator_id, 3);
	CHECK_INT(b.num_ports, 1);
	CHECK_INT(b.actor_key, 21);
	CHECK_INT(b.partner_key, 32801);
	CHECK_STR(b.partner_mac, "00:1c:73:de:ad:01");
	CHECK_INT(b.nports, 2);
	if (b.nports == 2) {
		CHECK_STR(b.ports[0].name, "ens1f0");
		CHECK_INT(b.ports[0].speed_mbps, 25000);
		CHECK_INT(b.ports[0].link_failures, 2);
		CHECK_INT(b.ports[0].problems, 0);
		CHECK_INT(b.ports[0].partner_port_state, 63);
		CHECK_STR(b.ports[1].mii_status, "down");
		CHECK_INT(b.ports[1].speed_mbps, -1);
		CHECK_INT(b.ports[1].aggregator_id, 4);
		CHECK_INT(b.ports[1].actor_port_state, 69);
		CHECK_INT(b.ports[1].problems, BOND_PORT_DOWN | BOND_PORT_CHURNED |
			  BOND_PORT_OTHER_AGG | BOND_PORT_ZERO_PARTNER);
	}
	bond_free(&b);
	free(s);

	s = fixture("ethtool_c_netlink", &len);
	struct coalesce co;
	CHECK_INT(parse_ethtool_coalesce(s, len, &co, &e), 0);
	CHECK(co.supported && co.adaptive_rx == 1 && co.adaptive_tx == 0);
	CHECK(co.rx_usecs == 50 && co.rx_frames == -1 && co.tx_frames_irq == 256);
	CHECK_STR(co.iface, "ens1f0");
	free(s);
	s = fixture("ethtool_c_netlink_unsupported", &len);
	CHECK_INT(parse_ethtool_coalesce(s, len, &co, &e), 0);
	CHECK(co.parsed && !co.supported);
	free(s);
	CHECK_INT(parse_ethtool_coalesce("Cannot get device coalesce settings: No such device\n",
					 52, &co, &e), -1);
}

static struct host_metrics *load_poll(const char *name, double t)
{
	size_t len;
	char *s = fixture(name, &len);
	struct vd_err e;
	struct host_metrics *m = x_calloc(1, sizeof(*m));
	err_clear(&e);
	if (!s || host_metrics_parse(s, len, t, m, &e) < 0)
		fprintf(stderr, "FAIL parse %s: %s\n", name, e.msg);
	free(s);
	return m;
}

static void test_host_and_rates(void)
{
	struct host_metrics *a = load_poll("poll1.bundle", 100.0);
	struct host_metrics *b = load_poll("poll2.bundle", 110.0);
	CHECK_INT(a->nerrors, 0);
	CHECK_STR(a->kernel, "6.1.0-18-amd64");
	CHECK_INT(a->numa.n, 2);
	if (a->numa.n == 2) {
		CHECK_INT(a->numa.nodes[1].id, 2);           /* sparse ids */
		CHECK_INT(a->numa.nodes[1].ncpus, 2);
		CHECK(a->numa.nodes[0].mem.mem_total == 32884018ull * 1024);
		CHECK_INT(a->numa.nodes[0].ndistance, 2);
		CHECK_INT(a->numa.nodes[0].nhugepages, 1);
		CHECK(a->numa.nodes[0].nhugepages && a->numa.nodes[0].hugepages[0].nr == 8 &&
		      a->numa.nodes[0].hugepages[0].free == 2);
	}
	CHECK(a->ksm.present && a->ksm.saved == 52000ull * 4096 && a->ksm.full_scans == 17);
	CHECK_INT(a->nhugepages, 1);
	struct nic *n = host_metrics_nic(a, "ens1f0");
	CHECK(n && n->physical && n->sriov_numvfs == 4 && n->sriov_totalvfs == 64);
	CHECK(n && n->coalesce.parsed && n->coalesce.rx_usecs == 50);
	CHECK(n && strcmp(n->bond_master, "bond0") == 0);

	/* first sample: nothing to compare against */
	host_metrics_rates(NULL, a);
	CHECK(host_metrics_nic(a, "lo")->rx_bps == -1);
	host_metrics_rates(a, b);
	struct nic *lo = host_metrics_nic(b, "lo"), *e0 = host_metrics_nic(b, "eth0");
	struct nic *e1 = host_metrics_nic(b, "eth1"), *e9 = host_metrics_nic(b, "eth9");
	CHECK(lo && e0 && e1 && e9 && !host_metrics_nic(b, "eth2"));
	if (lo && e0 && e1 && e9) {
		NEAR(lo->rx_bps, 800);
		NEAR(lo->rx_pps, 1);
		NEAR(e0->rx_bps, 800);      /* 32-bit wrap */
		NEAR(e0->rx_pps, 100);
		NEAR(e0->tx_bps, 800);
		NEAR(e1->rx_bps, 0);        /* 64-bit counter went down: reset */
		NEAR(e1->rx_pps, 0);
		NEAR(e9->rx_bps, -1);       /* renamed from eth2: no bogus rate */
	}
	NEAR(b->swap_in_rate, 100.0 * 4096 / 10);
	NEAR(b->swap_out_rate, 400.0 * 4096 / 10);
	CHECK_INT(b->ncpus, 4);
	if (b->ncpus == 4) {
		NEAR(b->cpus[0].util, 50);
		NEAR(b->cpus[1].util, 200.0 / 3);
		NEAR(b->cpus[2].util, 0);
	}
	NEAR(b->numa.nodes[0].cpu_util, 60);
	NEAR(b->numa.nodes[1].cpu_util, 0);
	NEAR(b->cpu_total.util, 100.0 / 3);
	/* the same instant twice: no division by zero, no rate */
	host_metrics_rates(b, b);
	NEAR(host_metrics_nic(b, "lo")->rx_bps, -1);

	struct host_alert *al;
	size_t na = host_metrics_alerts(a, &al);
	int down = 0, churn = 0, agg = 0, zero = 0, nicdown = 0;
	for (size_t i = 0; i < na; i++) {
		down += strcmp(al[i].kind, "bond_port_down") == 0 && strstr(al[i].message, "ens1f1");
		churn += strcmp(al[i].kind, "bond_port_churned") == 0;
		agg += strcmp(al[i].kind, "bond_port_other_aggregator") == 0;
		zero += strcmp(al[i].kind, "bond_partner_mac_zero") == 0;
		nicdown += strcmp(al[i].kind, "nic_down") == 0;
	}
	CHECK(down == 1 && churn == 1 && agg == 1 && zero == 1 && nicdown == 1);
	x_free(&al);
	host_metrics_free(a);
	host_metrics_free(b);
	free(a);
	free(b);
}

static void put(const char *root, const char *rel, const char *content)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

static int count_cb(const char *path, const char *data, size_t n, void *ctx)
{
	(void)data;
	(void)n;
	if (path[0] == '/' && strncmp(path, "/tmp", 4) == 0)
		(*(int *)ctx) = -1000;    /* sysroot leaked into a path */
	else if (*(int *)ctx >= 0)
		(*(int *)ctx)++;
	return 0;
}

static void test_script(void)
{
	char root[] = "/tmp/vd-sysroot-XXXXXX";
	if (!mkdtemp(root)) {
		CHECK(!"mkdtemp for the fake sysroot");
		return;
	}
	size_t len;
	char *mi = fixture("meminfo", &len), *st = fixture("stat", &len);
	char *nd = fixture("net_dev", &len), *bd = fixture("bond0", &len);
	put(root, "proc/meminfo", mi);
	put(root, "proc/stat", st);
	/* the counters of every NIC come from here, not from sysfs */
	char *nd2 = x_asprintf("%s  ens1f1: 123456789012 5 0 0 0 0 0 0 7 1 0 0 0 0 0 0\n", nd);
	put(root, "proc/net/dev", nd2);
	free(nd2);
	put(root, "proc/net/bonding/bond0", bd);
	put(root, "proc/sys/kernel/osrelease", "5.10.0-test\n");
	put(root, "sys/devices/system/cpu/online", "0-2\n");
	/* node0: old kernel, cpuN entries only; node1: memory-only */
	put(root, "sys/devices/system/node/node0/cpu0", "");
	put(root, "sys/devices/system/node/node0/cpu1", "");
	put(root, "sys/devices/system/node/node0/cpu3", "");
	put(root, "sys/devices/system/node/node0/meminfo", "Node 0 MemTotal: 1024 kB\nNode 0 MemFree: 512 kB\n");
	put(root, "sys/devices/system/node/node1/cpulist", "\n");
	put(root, "sys/devices/system/node/node1/meminfo", "Node 1 MemTotal: 2048 kB\nNode 1 MemFree: 2048 kB\n");
	put(root, "sys/kernel/mm/ksm/pages_sharing", "10\n");
	put(root, "sys/class/net/ens1f1/operstate", "down\n");
	put(root, "sys/class/net/ens1f1/mtu", "9000\n");
	put(root, "sys/class/net/ens1f1/statistics/rx_bytes", "1\n");
	free(mi); free(st); free(nd); free(bd);

	const char *extra[] = { "echo 'it''s here'", NULL };
	char *script = bundle_script(root, extra);
	char spath[600];
	snprintf(spath, sizeof(spath), "%s/poll.sh", root);
	put(root, "poll.sh", script);
	x_free(&script);
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "sh %s", spath);
	FILE *p = popen(cmd, "r");
	struct strbuf_like { char *b; size_t n, cap; } out = { NULL, 0, 0 };
	char chunk[4096];
	size_t r;
	while (p && (r = fread(chunk, 1, sizeof(chunk), p)) > 0) {
		x_grow(&out.b, &out.cap, out.n + r + 1, 1);
		memcpy(out.b + out.n, chunk, r);
		out.n += r;
	}
	int status = p ? pclose(p) : -1;
	CHECK_INT(status, 0);
	struct strbuf bundle;
	sb_init(&bundle);
	bundle_wire_decode(out.b, out.n, &bundle);
	x_free(&out.b);
	out.b = sb_detach(&bundle);
	out.n = strlen(out.b);
	int records = 0;
	bundle_split(out.b, out.n, count_cb, &records);
	CHECK(records >= 15);

	struct host_metrics m;
	struct vd_err e;
	err_clear(&e);
	CHECK_INT(host_metrics_parse(out.b, out.n, 1.0, &m, &e), 0);
	CHECK_INT(m.nerrors, 0);
	CHECK_STR(m.kernel, "5.10.0-test");
	CHECK_INT(m.numa.n, 2);
	if (m.numa.n == 2) {
		CHECK_INT(m.numa.nodes[0].ncpus, 3);
		CHECK(!m.numa.nodes[0].has_cpulist);
		CHECK_INT(m.numa.nodes[1].ncpus, 0);
		CHECK(m.numa.nodes[1].mem.mem_total == 2048 * 1024);
		CHECK(!numa_cpu_online(&m.numa, 3) && numa_cpu_online(&m.numa, 1));
	}
	CHECK_INT(m.ncpus, 4);
	CHECK(m.has_mem && m.has_cpu);
	CHECK_INT(m.nbonds, 1);
	CHECK(m.ksm.pages_sharing == 10);
	struct nic *n = host_metrics_nic(&m, "ens1f1");
	CHECK(n && n->mtu == 9000 && n->rx_bytes == 123456789012ull && strcmp(n->operstate, "down") == 0);
	host_metrics_free(&m);
	CHECK(out.b && strstr(out.b, "\036C echo 'it''s here'\nits here\n"));
	x_free(&out.b);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	CHECK_INT(system(cmd), 0);
}

static void test_bundle_edges(void)
{
	int records = 0;
	const char junk[] = "motd\n\036Fnope\n\036F /a\nx\036X /b\n\036F /c";
	bundle_split(junk, sizeof(junk) - 1, count_cb, &records);
	CHECK_INT(records, 2);
	struct host_metrics m;
	struct vd_err e;
	err_clear(&e);
	CHECK_INT(host_metrics_parse("hello", 5, 0, &m, &e), -1);
	/* no node/ at all: one implicit node with every CPU and the host's memory */
	const char nonuma[] = "\036F /proc/stat\ncpu 1 2 3 4\ncpu0 1 2 3 4\ncpu1 0 0 0 0\n"
			      "\036F /proc/meminfo\nMemTotal: 100 kB\nMemFree: 10 kB\n";
	CHECK_INT(host_metrics_parse(nonuma, sizeof(nonuma) - 1, 0, &m, &e), 0);
	CHECK_INT(m.numa.n, 1);
	CHECK(m.numa.n == 1 && m.numa.nodes[0].implicit && m.numa.nodes[0].ncpus == 2 &&
	      m.numa.nodes[0].mem.mem_total == 102400);
	host_metrics_free(&m);
}

int main(void)
{
	test_cpulist();
	test_vm_numa_nul();
	test_parsers();
	test_host_and_rates();
	test_script();
	test_bundle_edges();
	return check_summary();
}

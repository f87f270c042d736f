/* test_parse_cost.c — hostile inputs of about 1 MB that once cost seconds
 * to parse (a CPU list of full ranges, tens of thousands of NICs, bonds,
 * NUMA nodes, hugepage sizes, OVS interfaces, known_hosts key types,
 * domain and snapshot XML with thousands of disks) must
 * parse in well under a second and give a bounded, explained result.
 *
 * Time is this process's user CPU time, not wall time: a loaded machine
 * does not stretch it, nor do the kernel's page faults when ASan maps fresh
 * memory.  0.5 s is several times what the linear parsers need under ASan;
 * the code these cases were written against took 1 to 8 s each. */
#include "check.h"

#include "conn/knownhosts.h"
#include "conn/ssh_crypto.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "metrics/bundle.h"
#include "metrics/cpulist.h"
#include "metrics/domxml.h"
#include "metrics/host_metrics.h"
#include "metrics/netdev.h"
#include "ops/optable.h"
#include "ops/snapxml.h"

#include <sys/resource.h>

#define BUDGET_S 0.5
#define MB (1u << 20)

static double cpu_now(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
}

#define CHECK_FAST(what, t0) do { \
	double s_ = cpu_now() - (t0); \
	printf("%6.3f s user CPU  %s\n", s_, what); \
	if (s_ < BUDGET_S) check_passed++; \
	else { check_failed++; fprintf(stderr, "FAIL %s:%d: %s took %.2f s of user CPU (budget %.1f s)\n", \
	       __FILE__, __LINE__, what, s_, BUDGET_S); } \
} while (0)

/* Repeats piece until sb holds about size bytes. */
static void repeat(struct strbuf *sb, const char *piece, size_t size)
{
	while (sb->len < size)
		sb_append(sb, piece);
}

static void test_cpulist_full_ranges(void)
{
	struct strbuf sb;
	struct vd_err e;
	int *c = NULL;
	size_t n = 0;
	double t0;
	sb_init(&sb);
	err_clear(&e);
	/* every range as wide as the largest CPU number accepted */
	char piece[32];
	snprintf(piece, sizeof piece, "0-%d,", CPULIST_MAX_CPU);
	repeat(&sb, piece, MB);
	t0 = cpu_now();
	CHECK_INT(parse_cpulist(sb.buf, sb.len, &c, &n, &e), 0);
	CHECK_FAST("1 MB of full CPU ranges", t0);
	CHECK_INT(n, CPULIST_MAX_CPU + 1);
	CHECK(n && c[0] == 0 && c[n - 1] == CPULIST_MAX_CPU);
	x_free(&c);

	/* a range past the largest CPU is refused, at once and by name */
	sb_reset(&sb);
	repeat(&sb, "0-65535,", MB);
	t0 = cpu_now();
	CHECK_INT(parse_cpulist(sb.buf, sb.len, &c, &n, &e), -1);
	CHECK_FAST("1 MB of 0-65535 ranges", t0);
	CHECK(strstr(e.msg, "CPU number 65535 above") != NULL);
	if (!strstr(e.msg, "CPU number 65535 above"))
		fprintf(stderr, "    message: %s\n", e.msg);
	sb_free(&sb);
}

/* Parses a bundle and checks the CPU budget; the caller frees *m. */
static void parse_timed(const char *what, const struct strbuf *sb, struct host_metrics *m)
{
	struct vd_err e;
	err_clear(&e);
	double t0 = cpu_now();
	CHECK_INT(host_metrics_parse(sb->buf, sb->len, 1.0, m, &e), 0);
	CHECK_FAST(what, t0);
}

static void test_many_nics(void)
{
	struct strbuf sb;
	struct host_metrics m;
	sb_init(&sb);
	/* 40 000 NICs, one sysfs record each */
	for (int i = 0; i < 40000; i++)
		sb_appendf(&sb, "\036F /sys/class/net/eth%d/mtu\n1500\n", i);
	parse_timed("40 000 NIC records", &sb, &m);
	CHECK_INT(m.nnics, HOST_MAX_NICS);
	for (size_t i = 1; i < m.nnics; i++)    /* sorted, each name once */
		if (strcmp(m.nics[i - 1].name, m.nics[i].name) >= 0) {
			CHECK(!"NIC names sorted and unique");
			break;
		}
	const struct nic *nic = host_metrics_nic(&m, "eth17");
	CHECK(nic && nic->mtu == 1500);
	CHECK(host_metrics_nic(&m, "eth39999") == NULL);
	CHECK(m.nerrors > 0 && strstr(m.first_error, "more than 4096 NICs"));
	if (!strstr(m.first_error, "more than 4096 NICs"))
		fprintf(stderr, "    first error: %s\n", m.first_error);
	host_metrics_free(&m);

	/* the same NICs from /proc/net/dev, then a second sample's rates */
	sb_reset(&sb);
	sb_append(&sb, "\036F /proc/net/dev\nInter-| head\n face | head\n");
	for (int i = 0; i < 40000; i++)
		sb_appendf(&sb, "eth%d: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", i);
	struct host_metrics m2;
	parse_timed("/proc/net/dev with 40 000 NICs", &sb, &m);
	parse_timed("/proc/net/dev with 40 000 NICs, again", &sb, &m2);
	m2.t = 2.0;
	double t0 = cpu_now();
	host_metrics_rates(&m, &m2);
	CHECK_FAST("rates over 4096 NICs", t0);
	CHECK_INT(m2.nnics, HOST_MAX_NICS);
	CHECK(m2.nnics && m2.nics[0].rx_bps == 0);
	host_metrics_free(&m);
	host_metrics_free(&m2);
	sb_free(&sb);
}

static void test_many_bonds(void)
{
	struct strbuf sb;
	struct host_metrics m;
	sb_init(&sb);
	for (int i = 0; i < 30000; i++)
		sb_appendf(&sb, "\036F /proc/net/bonding/bond%d\nBonding Mode: active-backup\n", i);
	for (int i = 0; i < 30000; i++)
		sb_appendf(&sb, "\036F /sys/class/net/sb%d/bonding/slaves\neth%d\n", i, i);
	parse_timed("30 000 kernel and 30 000 sysfs bonds", &sb, &m);
	CHECK(m.nbonds <= 2 * HOST_MAX_NICS);
	CHECK(m.nerrors > 0);
	host_metrics_free(&m);
	sb_free(&sb);
}

static void test_many_ovs_members(void)
{
	struct strbuf sb;
	struct host_metrics m;
	sb_init(&sb);
	/* 1024 OVS bonds of 32 members, and 20 000 bridge interfaces */
	sb_append(&sb, "\036C ovs-vsctl show\n    Bridge br0\n");
	for (int i = 0; i < 20000; i++)
		sb_appendf(&sb, "        Port p%d\n            Interface if%d\n", i, i);
	sb_append(&sb, "\036C ovs-appctl bond/show\n");
	for (int b = 0; b < 1024; b++) {
		sb_appendf(&sb, "---- ob%d ----\nbond_mode: balance-tcp\n", b);
		for (int p = 0; p < 32; p++)
			sb_appendf(&sb, "member m%d_%d: enabled\n", b, p);
	}
	parse_timed("32 768 OVS members against 20 000 OVS interfaces", &sb, &m);
	CHECK_INT(m.nbonds, 1024);
	host_metrics_free(&m);
	sb_free(&sb);
}

static void test_many_numa_nodes(void)
{
	struct strbuf sb;
	struct host_metrics m;
	sb_init(&sb);
	/* node numbers counting down: every new node goes to the front */
	for (int i = 30000; i >= 0; i--)
		sb_appendf(&sb, "\036F /sys/devices/system/node/node%d/cpu1\n\n", i);
	parse_timed("30 000 NUMA nodes, descending", &sb, &m);
	CHECK(m.numa.n <= NUMA_MAX_NODES);
	host_metrics_free(&m);

	/* one node, CPUs counting down: every CPU goes to the front */
	sb_reset(&sb);
	for (int i = CPULIST_MAX_CPU; i >= 0; i--)
		sb_appendf(&sb, "\036F /sys/devices/system/node/node0/cpu%d\n\n", i);
	parse_timed("every CPU of one node, descending", &sb, &m);
	CHECK(m.numa.n == 1 && m.numa.nodes[0].ncpus == CPULIST_MAX_CPU + 1);
	host_metrics_free(&m);
	sb_free(&sb);
}

static void test_many_hugepage_sizes(void)
{
	struct strbuf sb;
	struct host_metrics m;
	sb_init(&sb);
	for (int i = 40000; i > 0; i--)
		sb_appendf(&sb, "\036F /sys/kernel/mm/hugepages/hugepages-%dkB/nr_hugepages\n1\n", i);
	parse_timed("40 000 hugepage sizes, descending", &sb, &m);
	CHECK(m.nhugepages <= HUGEPAGE_MAX_SIZES);
	CHECK(m.nerrors > 0);
	host_metrics_free(&m);
	sb_free(&sb);
}

/* A known_hosts file of distinct key types for one host: the list of types
 * (for the algorithm preference) stays short and quick to build. */
static void test_knownhosts_many_types(void)
{
	struct strbuf sb, types;
	sb_init(&sb);
	sb_init(&types);
	for (int i = 0; sb.len < MB; i++) {
		unsigned char blob[4 + 16];
		char type[17], b64[64];
		int tl = snprintf(type, sizeof type, "t%d", i);
		blob[0] = blob[1] = blob[2] = 0;
		blob[3] = (unsigned char)tl;
		memcpy(blob + 4, type, (size_t)tl);
		ssh_b64_encode(blob, 4 + (size_t)tl, b64, sizeof b64, 1);
		sb_appendf(&sb, "h %s %s\n", type, b64);
	}
	double t0 = cpu_now();
	knownhosts_host_types(sb.buf, sb.len, "h", 22, &types);
	CHECK_FAST("known_hosts with 70 000 key types for one host", t0);
	CHECK(types.len < 4096);
	sb_free(&sb);
	sb_free(&types);
}

/* Tens of thousands of disks: each append must not copy the whole array
 * (realloc moves it every time under ASan). */
static void test_domain_many_disks(void)
{
	struct strbuf sb;
	struct vd_err e;
	struct dom_info d;
	sb_init(&sb);
	err_clear(&e);
	sb_append(&sb, "<domain><name>x</name><devices>");
	repeat(&sb, "<disk type='file'><source file='/a'/><target dev='vda'/></disk>", MB);
	sb_append(&sb, "</devices></domain>");
	double t0 = cpu_now();
	CHECK_INT(domxml_parse(sb.buf, sb.len, &d, &e), 0);
	CHECK_FAST("domain XML with 16 000 disks", t0);
	CHECK(d.ndisks > 16000 && d.disks[d.ndisks - 1].source && !strcmp(d.disks[d.ndisks - 1].source, "/a"));
	dom_info_free(&d);
	sb_free(&sb);
}

/* Each snapshot disk finds its base among the saved domain's disks. */
static void test_snapshot_many_disks(void)
{
	struct strbuf sb;
	struct vd_err e;
	struct op_snapshot *s = calloc(1, sizeof *s);
	sb_init(&sb);
	err_clear(&e);
	sb_append(&sb, "<domainsnapshot><name>s</name><disks>");
	for (int i = 0; i < 8000; i++)
		sb_appendf(&sb, "<disk name='vd%d' snapshot='external'/>", i);
	sb_append(&sb, "</disks><domain><devices>");
	for (int i = 7999; i >= 0; i--)
		sb_appendf(&sb, "<disk><source file='/b%d'/><target dev='vd%d'/></disk>", i, i);
	sb_append(&sb, "</devices></domain></domainsnapshot>");
	double t0 = cpu_now();
	CHECK_INT(snapxml_parse(sb.buf, sb.len, s, &e), 0);
	CHECK_FAST("snapshot XML with 8 000 disks on both sides", t0);
	CHECK_INT(s->ndisks, 8000);
	CHECK(s->ndisks == 8000 && !strcmp(s->disk_bases[0], "/b0") && !strcmp(s->disk_bases[7999], "/b7999"));
	op_snapshots_free(s, 1);
	sb_free(&sb);
}

int main(void)
{
	test_cpulist_full_ranges();
	test_many_nics();
	test_many_bonds();
	test_many_ovs_members();
	test_many_numa_nodes();
	test_many_hugepage_sizes();
	test_knownhosts_many_types();
	test_domain_many_disks();
	test_snapshot_many_disks();
	return check_summary();
}

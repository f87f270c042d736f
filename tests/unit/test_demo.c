/* test_demo.c — the demo cluster generator: spec parsing, the files it
 * writes (counts, unique names/uuids/MACs, host trees consistent with the
 * VMs) and demo_tick() moving counters forward only. */
#include <dirent.h>
#include <sys/stat.h>

#include "demo/demo.h"
#include "test_demo_util.h"

static void test_parse(void)
{
	struct demo_spec s;
	struct vd_err e;
	err_clear(&e);
	CHECK_INT(demo_parse_spec(NULL, &s, &e), 0);
	CHECK_INT(s.hosts, 8);
	CHECK_INT(s.vms, 120);
	CHECK_INT(demo_parse_spec("", &s, &e), 0);
	CHECK_INT(s.hosts, 8);
	CHECK_INT(demo_parse_spec("128x3000", &s, &e), 0);
	CHECK_INT(s.hosts, 128);
	CHECK_INT(s.vms, 3000);
	CHECK_INT(demo_parse_spec("1X0", &s, &e), 0);
	CHECK_INT(s.hosts, 1);
	CHECK_INT(s.vms, 0);
	CHECK_INT(demo_parse_spec("1024x100000", &s, &e), 0);
	static const char *const bad[] = {
		"x", "8", "8x", "x8", "0x10", "1025x1", "8x100001", "8x12a", "-1x3", " 8x1",
		"8x-1", "8 x 1", "99999999999x1", "8x1x2", "8,120",
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&e);
		int rc = demo_parse_spec(bad[i], &s, &e);
		CHECK_INT(rc, -1);
		CHECK_INT(e.code, VD_EINVAL);
		CHECK(strstr(e.msg, "demo size") != NULL);
		if (rc == 0)
			fprintf(stderr, "accepted bad spec \"%s\"\n", bad[i]);
	}
	err_clear(&e);
	demo_parse_spec("2000x10", &s, &e);
	CHECK(strstr(e.msg, "1..1024") != NULL);
	err_clear(&e);
	demo_parse_spec("8x200000", &s, &e);
	CHECK(strstr(e.msg, "0..100000") != NULL);

	CHECK_INT(demo_parse_spec("128x3000:skewed", &s, &e), 0);
	CHECK_INT(s.hosts, 128);
	CHECK_INT(s.skewed, 1);
	CHECK_INT(demo_parse_spec("128x3000", &s, &e), 0);
	CHECK_INT(s.skewed, 0);
	CHECK_INT(demo_parse_spec("8x120:lumpy", &s, &e), -1);
	CHECK_INT(demo_parse_spec("8x120:", &s, &e), -1);

	char buf[16];
	CHECK_STR(demo_host_name(0, 8, buf, sizeof buf), "cna01");
	CHECK_STR(demo_host_name(7, 8, buf, sizeof buf), "cna08");
	CHECK_STR(demo_host_name(0, 128, buf, sizeof buf), "cna001");
	CHECK_STR(demo_host_name(127, 128, buf, sizeof buf), "cna128");
	CHECK_STR(demo_host_name(98, 99, buf, sizeof buf), "cna99");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the list and counts adjacent duplicates. */
static unsigned dups(char **v, unsigned n)
{
	qsort(v, n, sizeof *v, cmp_str);
	unsigned d = 0;
	for (unsigned i = 1; i < n; i++)
		if (strcmp(v[i - 1], v[i]) == 0) {
			fprintf(stderr, "duplicate: %s\n", v[i]);
			d++;
		}
	return d;
}

/* Collects the text between open and '<' or '\'' after every `after` mark. */
static unsigned collect(const char *xml, const char *after, const char *open, char **out,
			unsigned max, unsigned n)
{
	for (const char *p = xml; (p = strstr(p, after)); p += strlen(after)) {
		const char *q = strstr(p, open);
		if (!q || n >= max)
			break;
		q += strlen(open);
		size_t len = strcspn(q, "<'");
		out[n++] = strndup(q, len);
	}
	return n;
}

static unsigned long long field(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static void check_host_tree(const char *dir, const char *name, unsigned *down, unsigned *churned,
			    unsigned *memonly, unsigned *sriov)
{
	char root[1024], path[4200];
	snprintf(root, sizeof root, "%s/hosts/%s/root", dir, name);
	unsigned nodes = 0, cpus = 0, cpu_nodes = 0;
	unsigned long long node_total = 0;
	for (unsigned n = 0; n < 8; n++) {
		snprintf(path, sizeof path, "%s/sys/devices/system/node/node%u/cpulist", root, n);
		char *cl = check_slurp(path, NULL);
		if (!cl)
			break;
		nodes++;
		/* Count CPUs in "a-b,c-d". */
		unsigned here = 0;
		for (char *p = cl; *p && *p != '\n';) {
			unsigned a = (unsigned)strtoul(p, &p, 10), b = a;
			if (*p == '-')
				b = (unsigned)strtoul(p + 1, &p, 10);
			here += b - a + 1;
			if (*p == ',')
				p++;
		}
		cpus += here;
		cpu_nodes += here > 0;
		*memonly += here == 0;
		free(cl);
		snprintf(path, sizeof path, "%s/sys/devices/system/node/node%u/meminfo", root, n);
		char *mi = check_slurp(path, NULL);
		CHECK(mi != NULL);
		if (mi) {
			char key[32];
			snprintf(key, sizeof key, "Node %u MemTotal:", n);
			CHECK(strncmp(mi, key, strlen(key)) == 0);
			unsigned long long t = field(mi, "MemTotal:"), f = field(mi, "MemFree:");
			CHECK(f > 0 && f < t);
			CHECK_INT(field(mi, "MemUsed:"), t - f);
			node_total += t;
			free(mi);
		}
		snprintf(path, sizeof path,
			 "%s/sys/devices/system/node/node%u/hugepages/hugepages-2048kB/free_hugepages", root, n);
		CHECK(access(path, R_OK) == 0);
	}
	CHECK(nodes >= 2 && nodes <= 4);
	CHECK(cpu_nodes >= 2);
	char *online = slurpf("%s/%s", root, "sys/devices/system/cpu/online");
	CHECK(online != NULL);
	if (online) {
		char want[32];
		snprintf(want, sizeof want, "0-%u\n", cpus - 1);
		CHECK_STR(online, want);
		free(online);
	}
	char *mi = slurpf("%s/%s", root, "proc/meminfo");
	CHECK(mi && strncmp(mi, "MemTotal:       ", 16) == 0);
	if (mi) {
		CHECK_INT(field(mi, "MemTotal:"), node_total);
		CHECK(strstr(mi, "\nHugePages_Total:   ") != NULL);
		free(mi);
	}
	char *bond = slurpf("%s/%s", root, "proc/net/bonding/bond0");
	CHECK(bond && strstr(bond, "Bonding Mode: IEEE 802.3ad Dynamic link aggregation\n"));
	if (bond) {
		CHECK_INT(count_str(bond, "Slave Interface: "), 2);
		*down += strstr(bond, "MII Status: down") != NULL;
		*churned += strstr(bond, "Churn State: churned") != NULL;
		free(bond);
	}
	static const char *const files[] = {
		"proc/vmstat", "proc/stat", "proc/net/dev", "proc/sys/kernel/osrelease",
		"sys/kernel/mm/ksm/run", "sys/kernel/mm/ksm/pages_sharing", "sys/kernel/mm/ksm/full_scans",
		"sys/kernel/mm/ksm/merge_across_nodes", "sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages",
		"sys/class/net/bond0/statistics/rx_bytes", "sys/class/net/ens1f0/speed",
		"sys/class/net/virbr0/operstate", "sys/class/net/eno1/mtu",
		"sys/class/net/ens1f1/statistics/tx_dropped",
	};
	for (unsigned i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", root, files[i]);
		if (access(path, R_OK) != 0)
			fprintf(stderr, "missing %s\n", path);
		CHECK(access(path, R_OK) == 0);
	}
	snprintf(path, sizeof path, "%s/sys/class/net/ens2f0/device/sriov_numvfs", root);
	*sriov += access(path, R_OK) == 0;
	char *stat = slurpf("%s/%s", root, "proc/stat");
	if (stat) {
		char key[32];
		snprintf(key, sizeof key, "\ncpu%u ", cpus - 1);
		CHECK(strncmp(stat, "cpu  ", 5) == 0);
		CHECK(strstr(stat, key) != NULL);
		free(stat);
	}
	char *vm = slurpf("%s/%s", root, "proc/vmstat");
	CHECK(vm && strstr(vm, "\npswpin ") && strstr(vm, "\npswpout "));
	free(vm);
}

static void test_generate(void)
{
	char dir[] = "/tmp/vdeck-test-demo-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	struct demo_spec s;
	struct vd_err e;
	err_clear(&e);
	demo_parse_spec("8x120", &s, &e);
	s.seed = 7;
	int rc = demo_generate(dir, &s, &e);
	CHECK_INT(rc, 0);
	if (rc < 0)
		fprintf(stderr, "%s\n", e.msg);

	char path[4200];
	snprintf(path, sizeof path, "%s/hosts", dir);
	DIR *d = opendir(path);
	unsigned xml = 0, sub = 0;
	for (struct dirent *de; d && (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		size_t l = strlen(de->d_name);
		if (l > 4 && strcmp(de->d_name + l - 4, ".xml") == 0)
			xml++;
		else
			sub++;
	}
	if (d)
		closedir(d);
	CHECK_INT(xml, 8);
	CHECK_INT(sub, 8);

	enum { MAX = 4096 };
	char **names = calloc(MAX, sizeof *names), **uuids = calloc(MAX, sizeof *uuids),
	     **macs = calloc(MAX, sizeof *macs);
	unsigned nn = 0, nu = 0, nm = 0, domains = 0, gpus = 0, mdevs = 0, paused = 0, shutoff = 0;
	unsigned pinned = 0, numatune = 0, hotplug = 0, vdb = 0;
	unsigned down = 0, churned = 0, memonly = 0, sriov = 0;
	int shared_hosts = 0, clones = 0;
	for (unsigned i = 0; i < 8; i++) {
		char name[16];
		demo_host_name(i, 8, name, sizeof name);
		char *x = slurpf("%s/hosts/%s.xml", dir, name);
		CHECK(x != NULL);
		if (!x)
			continue;
		CHECK(strstr(x, "<node>") != NULL && strstr(x, "</node>\n") != NULL);
		domains += count_str(x, "<domain ");
		nn = collect(x, "<domain ", "<name>", names, MAX, nn);
		nu = collect(x, "<domain ", "<uuid>", uuids, MAX, nu);
		nm = collect(x, "<interface type='network'>", "<mac address='", macs, MAX, nm);
		gpus += count_str(x, "<capability type='mdev_types'>");
		mdevs += count_str(x, "<capability type='mdev'>");
		paused += count_str(x, "<test:runstate>3<");
		shutoff += count_str(x, "<test:runstate>5<");
		pinned += count_str(x, "<cputune>");
		numatune += count_str(x, "<numatune>");
		hotplug += count_str(x, "<vcpu placement='static' current=");
		vdb += count_str(x, "<target dev='vdb'");
		CHECK_INT(count_str(x, "<network>"), 1);
		CHECK(count_str(x, "<portgroup name='vlan") >= 2);
		/* its own pool, and the one its group shares (the golden image) when it has one */
		int shared = count_str(x, "<name>shared-g");
		CHECK(shared <= 1);
		CHECK_INT(count_str(x, "<pool type='dir'>"), 1 + shared);
		CHECK_INT(count_str(x, "<volume type='file'>"), count_str(x, "<disk type='file'") + shared);
		/* a linked clone's disk and its overlay volume both name the golden image */
		CHECK_INT(count_str(x, "<backingStore>\n        <path>/var/lib/libvirt/shared/g"),
			  count_str(x, "<backingStore type='file'>"));
		CHECK(!count_str(x, "<backingStore type='file'>") || shared);
		shared_hosts += shared;
		clones += count_str(x, "<backingStore type='file'>");
		check_host_tree(dir, name, &down, &churned, &memonly, &sriov);
		free(x);
	}
	CHECK_INT(domains, 120);
	CHECK_INT(nn, 120);
	CHECK_INT(nu, 120);
	CHECK(nm >= 120);
	CHECK_INT(shared_hosts, 4);   /* group 0 of 8 hosts shares a pool, group 1 does not */
	CHECK(clones >= 2);
	CHECK_INT(dups(names, nn), 0);
	CHECK_INT(dups(uuids, nu), 0);
	CHECK_INT(dups(macs, nm), 0);
	for (unsigned i = 0; i < nu; i++)
		CHECK_INT(strlen(uuids[i]), 36);
	CHECK(gpus >= 1);
	CHECK(mdevs >= 1);
	CHECK(paused >= 1 && shutoff >= 1 && paused + shutoff < 60);
	CHECK(pinned >= 1 && numatune >= pinned && hotplug >= 1 && vdb >= 1);
	CHECK(down >= 1);
	CHECK(churned >= 1);
	CHECK(memonly >= 1);
	CHECK(sriov >= 1);
	for (unsigned i = 0; i < MAX; i++) {
		free(names[i]);
		free(uuids[i]);
		free(macs[i]);
	}
	free(names);
	free(uuids);
	free(macs);

	/* Same seed, same bytes; another seed, other content. */
	char dir2[] = "/tmp/vdeck-test-demo-XXXXXX";
	CHECK(mkdtemp(dir2) != NULL);
	CHECK_INT(demo_generate(dir2, &s, &e), 0);
	char *a = slurpf("%s/hosts/%s.xml", dir, "cna03"), *b = slurpf("%s/hosts/%s.xml", dir2, "cna03");
	CHECK(a && b && strcmp(a, b) == 0);
	free(b);
	s.seed = 8;
	CHECK_INT(demo_generate(dir2, &s, &e), 0);
	b = slurpf("%s/hosts/%s.xml", dir2, "cna03");
	CHECK(a && b && strcmp(a, b) != 0);
	free(a);
	free(b);
	rm_tree(dir2);

	/* Zero VMs and a single host are fine too. */
	char dir3[] = "/tmp/vdeck-test-demo-XXXXXX";
	CHECK(mkdtemp(dir3) != NULL);
	struct demo_spec z = { 1, 0, 0, 0 };
	CHECK_INT(demo_generate(dir3, &z, &e), 0);
	char *x = slurpf("%s/hosts/%s.xml", dir3, "cna01");
	CHECK(x && count_str(x, "<domain ") == 0);
	free(x);
	rm_tree(dir3);

	/* Bad arguments. */
	struct demo_spec bad = { 0, 10, 0, 0 };
	CHECK_INT(demo_generate(dir3, &bad, &e), -1);
	CHECK_INT(demo_tick(dir, 8, &s, 1, &e), -1);
	CHECK_INT(demo_generate("/proc/no-such-place", &s, &e), -1);

	rm_tree(dir);
	struct stat st;
	CHECK(stat(dir, &st) != 0);
}

struct sample { unsigned long long rx, tx, user, idle, pswpout, scans, bond_rx; };

static void sample(const char *dir, struct sample *o)
{
	const char *root = "hosts/cna05/root";
	char base[1024];
	snprintf(base, sizeof base, "%s/%s", dir, root);
	char *v = slurpf("%s/%s", base, "sys/class/net/ens1f0/statistics/rx_bytes");
	o->rx = v ? strtoull(v, NULL, 10) : 0;
	free(v);
	v = slurpf("%s/%s", base, "sys/class/net/eno1/statistics/tx_packets");
	o->tx = v ? strtoull(v, NULL, 10) : 0;
	free(v);
	v = slurpf("%s/%s", base, "sys/class/net/bond0/statistics/rx_bytes");
	o->bond_rx = v ? strtoull(v, NULL, 10) : 0;
	free(v);
	v = slurpf("%s/%s", base, "proc/stat");
	o->user = o->idle = 0;
	if (v) {
		char *p = v + 4;
		o->user = strtoull(p, &p, 10);
		strtoull(p, &p, 10);
		strtoull(p, &p, 10);
		o->idle = strtoull(p, &p, 10);
	}
	free(v);
	v = slurpf("%s/%s", base, "proc/vmstat");
	o->pswpout = v ? field(v, "\npswpout ") : 0;
	free(v);
	v = slurpf("%s/%s", base, "sys/kernel/mm/ksm/full_scans");
	o->scans = v ? strtoull(v, NULL, 10) : 0;
	free(v);
}

static void test_tick(void)
{
	char dir[] = "/tmp/vdeck-test-demo-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	struct demo_spec s = { 8, 120, 3, 0 };
	struct vd_err e;
	err_clear(&e);
	CHECK_INT(demo_generate(dir, &s, &e), 0);
	struct sample prev, cur;
	sample(dir, &prev);
	CHECK(prev.rx > 0 && prev.user > 0 && prev.idle > 0);
	CHECK(prev.bond_rx >= prev.rx);
	unsigned grew_rx = 0, grew_user = 0, grew_idle = 0, grew_swap = 0;
	for (double t = 0.5; t < 600; t *= 1.7) {
		CHECK_INT(demo_tick(dir, 4, &s, t, &e), 0);
		sample(dir, &cur);
		CHECK(cur.rx >= prev.rx && cur.tx >= prev.tx && cur.bond_rx >= prev.bond_rx);
		CHECK(cur.user >= prev.user && cur.idle >= prev.idle);
		CHECK(cur.pswpout >= prev.pswpout && cur.scans >= prev.scans);
		grew_rx += cur.rx > prev.rx;
		grew_user += cur.user > prev.user;
		grew_idle += cur.idle > prev.idle;
		grew_swap += cur.pswpout > prev.pswpout;
		prev = cur;
	}
	CHECK(grew_rx >= 8);
	CHECK(grew_user >= 8);
	CHECK(grew_idle >= 8);
	CHECK(grew_swap >= 5);          /* cna05 is a swapping host */
	CHECK(prev.scans > 0);
	/* Deterministic: the same t gives the same bytes. */
	CHECK_INT(demo_tick(dir, 4, &s, 42, &e), 0);
	char *a = slurpf("%s/%s", dir, "hosts/cna05/root/proc/net/dev");
	CHECK_INT(demo_tick(dir, 4, &s, 42, &e), 0);
	char *b = slurpf("%s/%s", dir, "hosts/cna05/root/proc/net/dev");
	CHECK(a && b && strcmp(a, b) == 0);
	free(a);
	free(b);
	rm_tree(dir);
}

/* Skewed: the crowded host has far more VMs than the others, and many of
 * the running VMs' numa_maps hold pages on two nodes; the plain demo's
 * VMs sit on one node each. */
static void spanning(const char *dir, const char *host, unsigned *qemus, unsigned *span)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/hosts/%s/root/run/libvirt/qemu", dir, host);
	DIR *d = opendir(path);
	for (struct dirent *de; d && (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		char rel[300];
		snprintf(rel, sizeof rel, "run/libvirt/qemu/%.200s", de->d_name);
		char base[256];
		snprintf(base, sizeof base, "%s/hosts/%s/root", dir, host);
		char *pid = slurpf("%s/%s", base, rel);
		if (!pid)
			continue;
		pid[strcspn(pid, "\n")] = '\0';
		snprintf(rel, sizeof rel, "proc/%s/numa_maps", pid);
		char *maps = slurpf("%s/%s", base, rel);
		(*qemus)++;
		CHECK(maps != NULL);
		if (maps && strstr(maps, " N0=") && strstr(maps, " N1="))
			(*span)++;
		free(maps);
		free(pid);
	}
	if (d)
		closedir(d);
}

static void test_skewed(void)
{
	struct vd_err e;
	struct demo_spec s;
	err_clear(&e);
	for (int skewed = 0; skewed < 2; skewed++) {
		char dir[] = "/tmp/vdeck-test-demo-XXXXXX";
		CHECK(mkdtemp(dir) != NULL);
		demo_parse_spec(skewed ? "16x400:skewed" : "16x400", &s, &e);
		CHECK_INT(demo_generate(dir, &s, &e), 0);
		unsigned qemus = 0, span = 0, crowded = 0;
		for (unsigned i = 0; i < 16; i++) {
			char name[16];
			demo_host_name(i, 16, name, sizeof name);
			char *x = slurpf("%s/hosts/%s.xml", dir, name);
			unsigned n = x ? count_str(x, "<domain ") : 0;
			if (i == 1)
				crowded = n;
			free(x);
			spanning(dir, name, &qemus, &span);
		}
		CHECK(qemus > 300);
		if (skewed) {
			CHECK(crowded > 2 * 400 / 16);
			CHECK(span > qemus / 4);
		} else {
			CHECK_INT(span, 0);
		}
		rm_tree(dir);
	}
}

int main(void)
{
	test_parse();
	test_generate();
	test_skewed();
	test_tick();
	return check_summary();
}

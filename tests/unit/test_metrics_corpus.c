/* test_metrics_corpus.c — the metrics parsers on real captures from the
 * shared corpus: every sysfs NUMA tree (true node count, CPU lists,
 * memory), node_exporter's end-to-end expectations for NUMA memory,
 * bonding and KSM (inputs read from its ttar archive), every
 * /proc/net/bonding capture (failed and churned ports flagged), every
 * `ethtool -c` capture and every domain XML.  The test does the I/O; the
 * parsers get text.  The only unit test that needs the corpus, which is not
 * part of the repository: without it the whole test is one skip. */
#include "check.h"

#include "core/err.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "metrics/bonding.h"
#include "metrics/domxml.h"
#include "metrics/ethtool.h"
#include "metrics/host_metrics.h"

#include <dirent.h>
#include <ftw.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

/* paths here are corpus paths: truncation would only make a test fail */
#pragma GCC diagnostic ignored "-Wformat-truncation"

static const char *corpus;
static int trees;

static void add_record(struct strbuf *sb, const char *path, const char *data, size_t n)
{
	sb_appendf(sb, "\036F %s\n", path);
	sb_append_n(sb, data, n);
}

static void add_file(struct strbuf *sb, const char *fs_path, const char *rec_path)
{
	size_t n;
	char *s = check_slurp(fs_path, &n);
	if (s) {
		add_record(sb, rec_path, s, n);
		free(s);
	}
}

static int is_node_name(const char *name, int *id)
{
	char *end;
	if (strncmp(name, "node", 4) != 0 || name[4] < '0' || name[4] > '9')
		return 0;
	long v = strtol(name + 4, &end, 10);
	*id = (int)v;
	return *end == '\0';
}

/* The CPU list a node's files promise: cpulist, else its cpuN entries. */
static int expected_cpus(const char *nodedir, int *cpus, int max)
{
	char path[1200];
	size_t len;
	int n = 0;
	snprintf(path, sizeof(path), "%s/cpulist", nodedir);
	char *s = check_slurp(path, &len);
	if (s) {
		char *p = s;
		while (*p && *p != '\n') {
			long a = strtol(p, &p, 10), b = a;
			if (*p == '-')
				b = strtol(p + 1, &p, 10);
			for (long c = a; c <= b && n < max; c++)
				cpus[n++] = (int)c;
			if (*p == ',')
				p++;
		}
		free(s);
		return n;
	}
	DIR *d = opendir(nodedir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char *end;
		if (strncmp(de->d_name, "cpu", 3) || de->d_name[3] < '0' || de->d_name[3] > '9')
			continue;
		long c = strtol(de->d_name + 3, &end, 10);
		if (!*end && n < max)
			cpus[n++] = (int)c;
	}
	if (d)
		closedir(d);
	for (int i = 1; i < n; i++)   /* insertion sort */
		for (int k = i; k > 0 && cpus[k - 1] > cpus[k]; k--) {
			int t = cpus[k]; cpus[k] = cpus[k - 1]; cpus[k - 1] = t;
		}
	return n;
}

static unsigned long long memtotal_kb(const char *nodedir)
{
	char path[1200];
	unsigned long long kb = 0;
	snprintf(path, sizeof(path), "%s/meminfo", nodedir);
	char *s = check_slurp(path, NULL);
	char *p = s ? strstr(s, "MemTotal:") : NULL;
	if (p)
		kb = strtoull(p + 9, NULL, 10);
	free(s);
	return kb;
}

static void check_numa_tree(const char *noderoot)
{
	struct strbuf sb;
	char path[1200], rec[256];
	int nids = 0;
	DIR *d = opendir(noderoot);
	struct dirent *de;
	sb_init(&sb);
	while (d && (de = readdir(d))) {
		int id;
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", noderoot, de->d_name);
		if (!is_node_name(de->d_name, &id) || lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		nids++;
		DIR *nd = opendir(path);
		struct dirent *f;
		while (nd && (f = readdir(nd))) {
			char fp[1500];
			snprintf(fp, sizeof(fp), "%s/%s", path, f->d_name);
			snprintf(rec, sizeof(rec), "/sys/devices/system/node/%s/%s", de->d_name, f->d_name);
			if (!strcmp(f->d_name, "cpulist") || !strcmp(f->d_name, "meminfo") ||
			    !strcmp(f->d_name, "distance"))
				add_file(&sb, fp, rec);
			else if (!strncmp(f->d_name, "cpu", 3) && f->d_name[3] >= '0' && f->d_name[3] <= '9')
				add_record(&sb, rec, "", 0);
		}
		if (nd)
			closedir(nd);
	}
	if (d)
		closedir(d);
	snprintf(path, sizeof(path), "%s/../cpu/online", noderoot);
	add_file(&sb, path, "/sys/devices/system/cpu/online");

	struct host_metrics m;
	struct vd_err e;
	err_clear(&e);
	int rc = host_metrics_parse(sb.buf, sb.len, 0, &m, &e);
	CHECK_INT(rc, 0);
	if (rc == 0) {
		trees++;
		if ((int)m.numa.n != nids)
			fprintf(stderr, "tree %s\n", noderoot);
		CHECK_INT(m.numa.n, nids);
		CHECK_INT(m.nerrors, 0);
		for (size_t i = 0; i < m.numa.n; i++) {
			struct numa_node *nd = &m.numa.nodes[i];
			int want[4096];
			snprintf(path, sizeof(path), "%s/node%d", noderoot, nd->id);
			int nw = expected_cpus(path, want, 4096);
			CHECK_INT(nd->ncpus, nw);
			int same = (int)nd->ncpus == nw;
			for (int k = 0; same && k < nw; k++)
				same = nd->cpus[k] == want[k];
			if (!same)
				fprintf(stderr, "FAIL CPU list of %s\n", path);
			CHECK(same);
			CHECK(nd->mem.mem_total == memtotal_kb(path) * 1024);
			/* resctrl captures were trimmed of meminfo */
			CHECK(nd->has_meminfo == (memtotal_kb(path) > 0));
		}
	}
	host_metrics_free(&m);
	sb_free(&sb);
}

static int numa_walk(const char *fpath, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	if (flag == FTW_D && strcmp(fpath + ftw->base, "node") == 0) {
		/* a node/ folder with nodeN children, the root of a NUMA tree */
		DIR *d = opendir(fpath);
		struct dirent *de;
		int has = 0, id;
		while (d && (de = readdir(d)))
			has |= is_node_name(de->d_name, &id);
		if (d)
			closedir(d);
		if (has)
			check_numa_tree(fpath);
	}
	return 0;
}

static void test_numa_trees(void)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/sysfs-numa", corpus);
	nftw(path, numa_walk, 16, FTW_PHYS);
	CHECK(trees >= 14);
	printf("%d NUMA trees checked\n", trees);
}

/* ---- ttar ---- */

static void ttar_to_bundle(const char *ttar, struct strbuf *sb)
{
	char *text = check_slurp(ttar, NULL);
	char *cur = text, *line;
	while (cur && *cur) {
		line = cur;
		char *nl = strchr(cur, '\n');
		if (nl)
			*nl = '\0';
		cur = nl ? nl + 1 : cur + strlen(cur);
		if (strncmp(line, "Path: ", 6) != 0)
			continue;
		const char *path = line + 6;
		if (strncmp(cur, "Lines: ", 7) != 0)
			continue;
		long lines = strtol(cur + 7, NULL, 10);
		cur = strchr(cur, '\n');
		cur = cur ? cur + 1 : text + strlen(text);
		struct strbuf data;
		sb_init(&data);
		for (long i = 0; i < lines && *cur; i++) {
			nl = strchr(cur, '\n');
			size_t n = nl ? (size_t)(nl - cur) : strlen(cur);
			if (i == lines - 1 && n >= 3 && !strncmp(cur + n - 3, "EOF", 3))
				sb_append_n(&data, cur, n - 3);
			else {
				sb_append_n(&data, cur, n);
				sb_appendc(&data, '\n');
			}
			cur = nl ? nl + 1 : cur + n;
		}
		if (!strncmp(path, "sys/devices/system/node/", 24) || !strncmp(path, "sys/kernel/mm/ksm/", 18) ||
		    !strncmp(path, "sys/class/net/", 14) || !strcmp(path, "sys/devices/system/cpu/online")) {
			char rec[512];
			snprintf(rec, sizeof(rec), "/%s", path);
			add_record(sb, rec, data.buf, data.len);
		}
		sb_free(&data);
	}
	free(text);
}

static int e2e_checked;

static void e2e_compare(const char *line, const struct host_metrics *m)
{
	char name[128], label[64] = "";
	double want, got;
	const char *sp = strrchr(line, ' ');
	if (!sp)
		return;
	want = strtod(sp + 1, NULL);
	if (sscanf(line, "%127[^{ ]{%*[a-z]=\"%63[^\"]\"}", name, label) < 1)
		return;
	if (!strncmp(name, "node_memory_numa_", 17)) {
		static const struct { const char *k; size_t off; } keys[] = {
			{ "MemTotal", offsetof(struct numa_meminfo, mem_total) },
			{ "MemFree", offsetof(struct numa_meminfo, mem_free) },
			{ "MemUsed", offsetof(struct numa_meminfo, mem_used) },
			{ "FilePages", offsetof(struct numa_meminfo, file_pages) },
			{ "AnonPages", offsetof(struct numa_meminfo, anon_pages) },
			{ "Active", offsetof(struct numa_meminfo, active) },
			{ "Inactive", offsetof(struct numa_meminfo, inactive) },
			{ "Shmem", offsetof(struct numa_meminfo, shmem) },
			{ "Slab", offsetof(struct numa_meminfo, slab) },
			{ "AnonHugePages", offsetof(struct numa_meminfo, anon_huge_pages) },
			{ "HugePages_Total", offsetof(struct numa_meminfo, hugepages_total) },
			{ "HugePages_Free", offsetof(struct numa_meminfo, hugepages_free) },
			{ "HugePages_Surp", offsetof(struct numa_meminfo, hugepages_surp) },
		};
		int id = atoi(label);
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			if (strcmp(name + 17, keys[k].k))
				continue;
			const struct numa_node *nd = NULL;
			for (size_t i = 0; i < m->numa.n; i++)
				if (m->numa.nodes[i].id == id)
					nd = &m->numa.nodes[i];
			CHECK(nd != NULL);
			if (!nd)
				return;
			got = (double)*(const uint64_t *)((const char *)&nd->mem + keys[k].off);
			goto cmp;
		}
		return;
	}
	if (!strncmp(name, "node_bonding_", 13)) {
		const struct bond *b = host_metrics_bond(m, label);
		CHECK(b != NULL);
		if (!b)
			return;
		if (!strcmp(name + 13, "slaves"))
			got = (double)b->nports;
		else if (!strcmp(name + 13, "active"))
			got = (double)bond_ports_up(b);
		else
			return;
		goto cmp;
	}
	if (!strncmp(name, "node_ksmd_", 10)) {
		const char *k = name + 10;
		const struct ksm *s = &m->ksm;
		if (!strcmp(k, "run")) got = (double)s->run;
		else if (!strcmp(k, "pages_shared")) got = (double)s->pages_shared;
		else if (!strcmp(k, "pages_sharing")) got = (double)s->pages_sharing;
		else if (!strcmp(k, "pages_unshared")) got = (double)s->pages_unshared;
		else if (!strcmp(k, "pages_volatile")) got = (double)s->pages_volatile;
		else if (!strcmp(k, "pages_to_scan")) got = (double)s->pages_to_scan;
		else if (!strcmp(k, "full_scans_total")) got = (double)s->full_scans;
		else if (!strcmp(k, "merge_across_nodes")) got = (double)s->merge_across_nodes;
		else if (!strcmp(k, "general_profit_bytes")) got = (double)s->general_profit;
		else if (!strcmp(k, "sleep_seconds")) got = (double)s->sleep_millisecs / 1000;
		else return;
		goto cmp;
	}
	return;
cmp:
	e2e_checked++;
	if (fabs(got - want) > fabs(want) * 1e-9 + 1e-9) {
		check_failed++;
		fprintf(stderr, "FAIL e2e %s: got %.17g want %.17g\n", line, got, want);
	} else {
		check_passed++;
	}
}

static void test_node_exporter_e2e(void)
{
	char path[1024];
	struct strbuf sb;
	sb_init(&sb);
	snprintf(path, sizeof(path), "%s/ttar/node_exporter/sys.ttar", corpus);
	ttar_to_bundle(path, &sb);
	struct host_metrics m;
	struct vd_err e;
	err_clear(&e);
	CHECK_INT(host_metrics_parse(sb.buf, sb.len, 0, &m, &e), 0);
	CHECK_INT(m.numa.n, 3);
	CHECK_INT(m.nbonds, 3);
	snprintf(path, sizeof(path), "%s/ttar/node_exporter/e2e-output.txt", corpus);
	char *out = check_slurp(path, NULL), *cur = out, *line;
	while (cur && (line = strsep(&cur, "\n")))
		if (line[0] != '#')
			e2e_compare(line, &m);
	free(out);
	printf("%d node_exporter e2e values compared\n", e2e_checked);
	CHECK(e2e_checked >= 40);
	host_metrics_free(&m);
	sb_free(&sb);
}

/* ---- bonding and ethtool captures ---- */

static const struct bond_port *port(const struct bond *b, const char *name)
{
	for (size_t i = 0; i < b->nports; i++)
		if (!strcmp(b->ports[i].name, name))
			return &b->ports[i];
	return NULL;
}

static void test_bonding(void)
{
	char dir[1024], path[1500];
	snprintf(dir, sizeof(dir), "%s/bonding/proc_net_bonding", corpus);
	DIR *d = opendir(dir);
	struct dirent *de;
	int files = 0;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		size_t len = 0;
		char *s = check_slurp(path, &len);
		struct bond b;
		struct vd_err e;
		err_clear(&e);
		int rc = parse_bonding("bond0", s, len, &b, &e);
		CHECK_INT(rc, 0);
		files++;
		const char *n = de->d_name;
		const struct bond_port *p, *q;
		if (rc == 0 && strstr(n, "facter.802.3ad-split")) {
			p = port(&b, "eth2");
			q = port(&b, "eth3");
			CHECK(b.is_8023ad && b.aggregator_id == 1 && !strcmp(b.lacp_rate, "fast"));
			CHECK(p && (p->problems & BOND_PORT_CHURNED) && (p->problems & BOND_PORT_ZERO_PARTNER) &&
			      !(p->problems & BOND_PORT_OTHER_AGG) && !(p->problems & BOND_PORT_DOWN));
			CHECK(q && (q->problems & BOND_PORT_CHURNED) && (q->problems & BOND_PORT_OTHER_AGG));
			CHECK(q && q->actor_port_state == 199 && q->partner_port_state == 3);
		} else if (rc == 0 && strstr(n, "BOND_MODE_4")) {
			p = port(&b, "enp0s8");
			q = port(&b, "enp0s9");
			CHECK(p && (p->problems & BOND_PORT_DOWN) && (p->problems & BOND_PORT_OTHER_AGG));
			CHECK(q && !(q->problems & BOND_PORT_DOWN) && (q->problems & BOND_PORT_CHURNED));
			CHECK(!strcmp(b.lacp_rate, "slow") && b.actor_key == 9 && b.partner_key == 1);
		} else if (rc == 0 && strstr(n, "libtpa")) {
			p = port(&b, "eth1");
			q = port(&b, "eth0");
			CHECK(p && p->problems == BOND_PORT_DOWN && p->link_failures == 122 &&
			      p->speed_mbps == 100000);
			CHECK(q && q->problems == 0);
			CHECK(b.num_ports == 2 && !strcmp(b.partner_mac, "00:00:5e:00:01:bd"));
		} else if (rc == 0 && strstr(n, "kerub")) {
			CHECK(b.nports == 3 && !b.is_8023ad);
			for (size_t i = 0; i < b.nports; i++)
				CHECK_INT(b.ports[i].problems, 0);
		} else if (rc == 0 && strstr(n, "active-backup")) {
			CHECK(b.nports == 2 && strstr(b.mode, "active-backup") && b.active_port[0]);
			for (size_t i = 0; i < b.nports; i++)
				CHECK_INT(b.ports[i].problems, 0);
		}
		if (rc == 0)
			bond_free(&b);
		free(s);
	}
	if (d)
		closedir(d);
	CHECK(files >= 6);
}

static void test_ethtool(void)
{
	static const char *const dirs[] = { "github-issues", "hotsos" };
	int files = 0;
	for (unsigned k = 0; k < 2; k++) {
		char dir[1024], path[1500];
		snprintf(dir, sizeof(dir), "%s/ethtool/%s", corpus, dirs[k]);
		DIR *d = opendir(dir);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			if (!strstr(de->d_name, "ethtool_-c"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			size_t len = 0;
			char *s = check_slurp(path, &len);
			struct coalesce c;
			struct vd_err e;
			err_clear(&e);
			CHECK_INT(parse_ethtool_coalesce(s, len, &c, &e), 0);
			files++;
			int refused = strstr(s, "Operation not supported") != NULL;
			CHECK_INT(c.supported, !refused);
			if (strstr(de->d_name, "_ens3"))
				CHECK(c.rx_frames == 1 && c.adaptive_rx == 0 && c.tx_usecs == 0);
			if (strstr(de->d_name, "enp1s0"))
				CHECK(c.rx_usecs == 3 && c.rx_frames == -1 && c.adaptive_rx == -1);
			free(s);
		}
		if (d)
			closedir(d);
	}
	CHECK(files >= 7);
}

/* Every domain XML of the corpus parses and has a name. */
static void test_domain_xml(void)
{
	const char *dirs[] = { "libvirt-domain/qemuxml2argvdata", "libvirt-domain/qemuxml2xmloutdata",
			       "libvirt-domain/hotsos-openstack", "libvirt-domain/virt-manager",
			       "libvirt-domain/libvirt-upstream" };
	int parsed = 0, failed = 0;
	for (unsigned i = 0; i < 5; i++) {
		char path[512];
		snprintf(path, sizeof path, "%s/%s", corpus, dirs[i]);
		DIR *d = opendir(path);
		CHECK(d != NULL);
		if (!d) {
			fprintf(stderr, "corpus folder %s missing\n", path);
			continue;
		}
		struct dirent *e;
		while ((e = readdir(d))) {
			size_t n = strlen(e->d_name);
			if (n < 5 || strcmp(e->d_name + n - 4, ".xml"))
				continue;
			char file[1024];
			snprintf(file, sizeof file, "%s/%s", path, e->d_name);
			size_t len;
			char *text = check_slurp(file, &len);
			if (!text || !strstr(text, "<domain")) {
				free(text);
				continue;
			}
			struct dom_info info;
			struct vd_err err;
			err_clear(&err);
			if (domxml_parse(text, len, &info, &err) == 0) {
				parsed++;
				if (!info.name[0] && strstr(text, "<name>")) {
					failed++;
					fprintf(stderr, "no name parsed from %s\n", file);
				}
				dom_info_free(&info);
			} else if (strncmp(text, "<domain", 7) == 0) {
				failed++;
				fprintf(stderr, "%s: %s\n", file, err.msg);
			}
			free(text);
		}
		closedir(d);
	}
	CHECK(parsed > 10);
	CHECK_INT(failed, 0);
	printf("corpus: %d domain XML files parsed\n", parsed);
}

int main(void)
{
	char probe[1024];
	corpus = check_corpus();
	if (corpus)
		snprintf(probe, sizeof(probe), "%s/sysfs-numa", corpus);
	if (!corpus || access(probe, R_OK) != 0) {
		SKIP("metrics corpus tests: no shared corpus (../shared/corpus, or set VD_CORPUS)");
		return check_summary();
	}
	test_numa_trees();
	test_node_exporter_e2e();
	test_bonding();
	test_ethtool();
	test_domain_xml();
	return check_summary();
}

/* test_local_bundle.c — the in-process reader of a local host and the
 * remote poll script must say the same thing: both run on generated demo
 * host trees (and the per-VM NUMA fixture), both are parsed, and every
 * metric is compared, the script once under sh (one grep) and once under
 * bash (no process).  Also: the script finds tools in the sbin
 * directories, and a long-lived shell keeps the slow facts and the device
 * links between polls, reading them again on a fresh poll. */
#include "check.h"

#include "conn/local_bundle.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "demo/demo.h"
#include "metrics/bundle.h"
#include "metrics/host_metrics.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

/* A scratch directory under /tmp with what `commands` (shell, run in it)
 * make; NULL (a failed check) when it cannot be made.  drop_tree removes
 * it. */
static char *make_tree(const char *commands)
{
	char dir[] = "/tmp/vdeck-lb-XXXXXX";
	if (!mkdtemp(dir)) {
		check_failed++;
		return NULL;
	}
	char *cmd = x_asprintf("cd %s && %s", dir, commands);
	CHECK_INT(system(cmd), 0);
	free(cmd);
	return x_strdup(dir);
}

static void drop_tree(char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/* The shell the poll script runs under: "sh", then "bash". */
static const char *shell = "sh";

static void run_script(const char *sysroot, struct strbuf *out)
{
	char *script = bundle_script(sysroot, NULL);
	char path[] = "/tmp/vdeck-bundle-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, script, strlen(script)) < 0) {
		check_failed++;
		free(script);
		return;
	}
	close(fd);
	char *cmd = x_asprintf("%s %s", shell, path);
	FILE *p = popen(cmd, "r");
	char buf[8192];
	size_t n;
	struct strbuf wire;
	sb_init(&wire);
	while (p && (n = fread(buf, 1, sizeof buf, p)) > 0)
		sb_append_n(&wire, buf, n);
	if (p)
		pclose(p);
	if (!strcmp(shell, "bash")) {
		/* one write (metrics/bundle.c): the reply up to its padding is
		 * whole 4 KiB blocks, with no NUL (a line-buffered stdout writes
		 * the rest of a block line by line) */
		const char *z = wire.buf ? memmem(wire.buf, wire.len, "\036Z", 2) : NULL;
		CHECK(z != NULL);
		if (z) {
			const char *nl = memchr(z, '\n', wire.len - (size_t)(z - wire.buf));
			CHECK(nl && (size_t)(nl + 1 - wire.buf) % 4096 == 0);
			CHECK(!memchr(wire.buf, '\0', (size_t)(z - wire.buf)));
		}
	}
	bundle_wire_decode(wire.buf, wire.len, out);
	sb_free(&wire);
	unlink(path);
	free(cmd);
	free(script);
}

static void parse(const struct strbuf *b, struct host_metrics *m)
{
	struct vd_err err;
	err_clear(&err);
	memset(m, 0, sizeof *m);
	CHECK_INT(host_metrics_parse(b->buf, b->len, 1.0, m, &err), 0);
}

/* Returns how many VMs the per-VM NUMA record named (both sides agree);
 * ksm (may be NULL): the script's KSM figures. */
static size_t compare(const char *sysroot, struct ksm *ksm)
{
	struct strbuf a, b;
	sb_init(&a);
	sb_init(&b);
	run_script(sysroot, &a);
	local_bundle(sysroot, &b);
	struct host_metrics ma, mb;
	parse(&a, &ma);
	parse(&b, &mb);
	CHECK_STR(ma.kernel, mb.kernel);
	CHECK_INT(ma.numa.n, mb.numa.n);
	for (size_t i = 0; i < ma.numa.n && i < mb.numa.n; i++) {
		CHECK_INT(ma.numa.nodes[i].ncpus, mb.numa.nodes[i].ncpus);
		CHECK_INT(ma.numa.nodes[i].mem.mem_total, mb.numa.nodes[i].mem.mem_total);
		CHECK_INT(ma.numa.nodes[i].ndistance, mb.numa.nodes[i].ndistance);
		CHECK_INT(ma.numa.nodes[i].nhugepages, mb.numa.nodes[i].nhugepages);
	}
	CHECK_INT(ma.mem.total, mb.mem.total);
	CHECK_INT(ma.mem.available, mb.mem.available);
	CHECK_INT(ma.vm.pswpin, mb.vm.pswpin);
	const struct ksm *x = &ma.ksm, *y = &mb.ksm;
	CHECK_INT(x->run, y->run);
	CHECK_INT(x->pages_shared, y->pages_shared);
	CHECK_INT(x->pages_sharing, y->pages_sharing);
	CHECK_INT(x->pages_unshared, y->pages_unshared);
	CHECK_INT(x->pages_volatile, y->pages_volatile);
	CHECK_INT(x->pages_to_scan, y->pages_to_scan);
	CHECK_INT(x->full_scans, y->full_scans);
	CHECK_INT(x->sleep_millisecs, y->sleep_millisecs);
	CHECK_INT(x->merge_across_nodes, y->merge_across_nodes);
	CHECK_INT(x->general_profit, y->general_profit);
	if (ksm)
		*ksm = ma.ksm;
	CHECK_INT(ma.nhugepages, mb.nhugepages);
	CHECK_INT(ma.ncpus, mb.ncpus);
	CHECK_INT(ma.nnics, mb.nnics);
	for (size_t i = 0; i < ma.nnics && i < mb.nnics; i++) {
		CHECK_STR(ma.nics[i].name, mb.nics[i].name);
		CHECK_STR(ma.nics[i].operstate, mb.nics[i].operstate);
		CHECK_INT(ma.nics[i].rx_bytes, mb.nics[i].rx_bytes);
		CHECK_INT(ma.nics[i].sriov_totalvfs, mb.nics[i].sriov_totalvfs);
		CHECK_STR(ma.nics[i].bond_master, mb.nics[i].bond_master);
	}
	CHECK_INT(ma.nbonds, mb.nbonds);
	for (size_t i = 0; i < ma.nbonds && i < mb.nbonds; i++)
		CHECK_INT(ma.bonds[i].nports, mb.bonds[i].nports);
	CHECK_INT(ma.nvm_numa, mb.nvm_numa);
	for (size_t i = 0; i < ma.nvm_numa && i < mb.nvm_numa; i++) {
		CHECK_STR(ma.vm_numa[i].name, mb.vm_numa[i].name);
		for (unsigned k = 0; k < VM_NUMA_MAX_NODES; k++)
			CHECK_INT(ma.vm_numa[i].bytes[k], mb.vm_numa[i].bytes[k]);
	}
	CHECK_INT(ma.nerrors, 0);
	CHECK_INT(mb.nerrors, 0);
	if (ma.has_mem)   /* a whole host tree: the comparison compared something */
		CHECK(ma.numa.n >= 2 && ma.nnics >= 4 && ma.nbonds >= 1 && ma.ncpus >= 8);
	size_t vms = ma.nvm_numa;
	host_metrics_free(&ma);
	host_metrics_free(&mb);
	sb_free(&a);
	sb_free(&b);
	return vms;
}

/* This machine's own /proc and /sys, where files are not regular files: a
 * sysfs cpulist answers a one-byte read with end-of-file on recent
 * kernels, so a reader that reads byte by byte (the shell's `read`) gets
 * an empty CPU list.  Only what stands still between the two reads is
 * compared. */
static void test_this_machine(void)
{
	struct strbuf a, b;
	sb_init(&a);
	sb_init(&b);
	run_script("/", &a);
	local_bundle("/", &b);
	struct host_metrics ma, mb;
	parse(&a, &ma);
	parse(&b, &mb);
	CHECK_STR(ma.kernel, mb.kernel);
	CHECK(mb.kernel[0] != '\0');
	CHECK_INT(ma.numa.n, mb.numa.n);
	for (size_t i = 0; i < ma.numa.n && i < mb.numa.n; i++) {
		const struct numa_node *x = &ma.numa.nodes[i], *y = &mb.numa.nodes[i];
		CHECK_INT(x->id, y->id);
		CHECK_INT(x->implicit, y->implicit);
		CHECK(y->ncpus > 0 || y->has_meminfo);
		CHECK_INT(x->ncpus, y->ncpus);
		for (size_t c = 0; c < x->ncpus && c < y->ncpus; c++)
			CHECK_INT(x->cpus[c], y->cpus[c]);
		CHECK_INT(x->ndistance, y->ndistance);
		CHECK_INT(x->mem.mem_total, y->mem.mem_total);
	}
	CHECK_INT(ma.mem.total, mb.mem.total);
	CHECK_INT(ma.ncpus, mb.ncpus);
	CHECK_INT(ma.nnics, mb.nnics);
	for (size_t i = 0; i < ma.nnics && i < mb.nnics; i++)
		CHECK_STR(ma.nics[i].name, mb.nics[i].name);
	CHECK_INT(ma.page_size, mb.page_size);
	host_metrics_free(&ma);
	host_metrics_free(&mb);
	sb_free(&a);
	sb_free(&b);
}

/* A non-root SSH login's PATH lacks the sbin directories, where ethtool
 * lives: the poll function adds them, once however often it runs in the
 * same long-lived shell. */
static void test_sbin_on_path(void)
{
	char *fn = bundle_function("poll", "/nonexistent-sysroot", NULL);
	struct strbuf cmd;
	sb_init(&cmd);
	sb_append(&cmd, "env -i PATH=/usr/bin:/bin sh -c ");
	char *body = x_asprintf("%spoll >/dev/null; poll >/dev/null; printf '%%s\\n' \"$PATH\"", fn);
	sb_append_shell(&cmd, body);
	FILE *p = popen(cmd.buf, "r");
	char line[512] = "";
	if (!p || !fgets(line, sizeof line, p))
		check_failed++;
	if (p)
		pclose(p);
	CHECK_STR(line, "/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin\n");
	free(body);
	free(fn);
	sb_free(&cmd);
}

/* The slow facts (here `ip -d link` of a PF with VFs, a fake `ip` that
 * counts its calls) and the device links (a SAN LUN's) are read on the
 * first poll of a shell, kept while polls are plain, and read again on a
 * fresh poll; the output of a plain poll is that of the last fresh one. */
static void test_slow_facts_kept(void)
{
	char *dir = make_tree("mkdir -p bin root/sys/class/net/pf0/device/vf0 root/dev/disk/by-id &&"
			      " ln -s vf0 root/sys/class/net/pf0/device/virtfn0 &&"
			      " ln -s ../../sda root/dev/disk/by-id/wwn-0x5000");
	if (!dir)
		return;
	char *ip_path = x_asprintf("%s/bin/ip", dir);
	FILE *ipf = fopen(ip_path, "w");
	if (ipf) {
		fprintf(ipf, "#!/bin/sh\necho x >>%s/calls; echo call $(wc -l <%s/calls)\n", dir, dir);
		fclose(ipf);
	}
	chmod(ip_path, 0755);
	free(ip_path);
	char *root = x_asprintf("%s/root", dir);
	char *fn = bundle_function("poll", root, NULL);
	char *body = x_asprintf("%s"
		"poll; echo; echo =1; poll; echo; echo =2\n"
		"ln -sfn ../../sdb %s/dev/disk/by-id/wwn-0x5000\n"
		"poll; echo; echo =3; poll fresh; echo; echo =4; poll; echo; echo =5\n", fn, root);
	char *script = x_asprintf("%s/poll.sh", dir);
	FILE *f = fopen(script, "w");
	if (f) {
		fputs(body, f);
		fclose(f);
	}
	char *cmd = x_asprintf("PATH=%s/bin:$PATH %s %s", dir, shell, script);
	FILE *p = popen(cmd, "r");
	struct strbuf out;
	sb_init(&out);
	char buf[4096];
	size_t n;
	while (p && (n = fread(buf, 1, sizeof buf, p)) > 0)
		sb_append_n(&out, buf, n);
	if (p)
		pclose(p);
	/* each poll's output, cut at its "=N" line */
	const char *want_ip[] = { "call 1", "call 1", "call 1", "call 2", "call 2" };
	const char *want_lun[] = { "sda", "sda", "sda", "sdb", "sdb" };
	const char *at = out.buf ? out.buf : "";
	for (int i = 0; i < 5; i++) {
		char mark[16];
		snprintf(mark, sizeof mark, "\n=%d\n", i + 1);
		const char *end = strstr(at, mark);
		CHECK(end != NULL);
		if (!end)
			break;
		char *one = x_strndup(at, (size_t)(end - at));
		char ip[64], lun[64];
		snprintf(ip, sizeof ip, "\036C ip -d link show pf0\n%s\n", want_ip[i]);
		snprintf(lun, sizeof lun, "/dev/disk/by-id/wwn-0x5000 ../../%s\n", want_lun[i]);
		CHECK(strstr(one, ip) != NULL);
		CHECK(strstr(one, lun) != NULL);
		free(one);
		at = end + strlen(mark);
	}
	sb_free(&out);
	free(cmd);
	free(script);
	free(body);
	free(fn);
	free(root);
	drop_tree(dir);
}

/* The script names the KSM files metrics/ksm.c reads (not the folder):
 * every field the parser fills is the local reader's, general_profit
 * (negative, kernel 6.1 and later) included. */
static void test_ksm_files(void)
{
	char *dir = make_tree("mkdir -p root/sys/kernel/mm/ksm && cd root/sys/kernel/mm/ksm &&"
		" echo 1 >run && echo 11 >pages_shared && echo 12 >pages_sharing && echo 13 >pages_unshared &&"
		" echo 14 >pages_volatile && echo 15 >pages_to_scan && echo 16 >full_scans &&"
		" echo 17 >sleep_millisecs && echo 0 >merge_across_nodes && echo -4096 >general_profit &&"
		" echo 9 >advisor_mode");
	if (!dir)
		return;
	char *root = x_asprintf("%s/root", dir);
	struct ksm k;
	compare(root, &k);
	CHECK_INT(k.run, 1);
	CHECK_INT(k.full_scans, 16);
	CHECK_INT(k.general_profit, -4096);
	CHECK_INT(k.has_general_profit, 1);
	CHECK_INT(k.has_merge_across_nodes, 1);
	/* a file the parser does not read is not sent */
	struct strbuf a;
	sb_init(&a);
	run_script(root, &a);
	CHECK(a.buf && !strstr(a.buf, "advisor_mode") && strstr(a.buf, "pages_volatile"));
	sb_free(&a);
	free(root);
	drop_tree(dir);
}

/* The file list is one string split once with globbing off: a name that
 * is itself a pattern (a NIC may be called "e*") names that NIC alone,
 * and no file is read twice. */
static void test_pattern_names(void)
{
	char *dir = make_tree("for n in e0 e1 'e*'; do mkdir -p \"root/sys/class/net/$n\" &&"
		" echo up >\"root/sys/class/net/$n/operstate\"; done &&"
		" echo 1500 >root/sys/class/net/e0/mtu && echo 9000 >'root/sys/class/net/e*/mtu'");
	if (!dir)
		return;
	char *root = x_asprintf("%s/root", dir);
	struct strbuf out;
	sb_init(&out);
	run_script(root, &out);
	const char *names[] = { "e0", "e1", "e*" };
	for (int i = 0; i < 3; i++) {
		char rec[64];
		snprintf(rec, sizeof rec, "/sys/class/net/%s/operstate\n", names[i]);
		size_t seen = 0;
		for (const char *p = out.buf; p && (p = strstr(p, rec)); p++)
			seen++;
		CHECK_INT(seen, 1);
	}
	CHECK(out.buf && strstr(out.buf, "/sys/class/net/e*/mtu\n9000\n"));
	CHECK(out.buf && strstr(out.buf, "/sys/class/net/e0/mtu\n1500\n"));
	sb_free(&out);
	free(root);
	drop_tree(dir);
}

static void test_shell(void)
{
	test_slow_facts_kept();
	test_pattern_names();
	test_ksm_files();
	test_this_machine();
	char dir[] = "/tmp/vdeck-lb-XXXXXX";
	if (!mkdtemp(dir)) {
		check_failed++;
		return;
	}
	struct demo_spec spec = { 4, 12, 7, 0 };
	struct vd_err err;
	err_clear(&err);
	CHECK_INT(demo_generate(dir, &spec, &err), 0);
	for (unsigned i = 0; i < spec.hosts; i++) {
		char name[32];
		demo_host_name(i, spec.hosts, name, sizeof name);
		char *root = x_asprintf("%s/hosts/%s/root", dir, name);
		compare(root, NULL);
		free(root);
	}
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	/* per-VM NUMA placement: pid files and numa_maps */
	char cwd[4096];
	if (getcwd(cwd, sizeof cwd)) {
		char *root = x_asprintf("%s/tests/fixtures/sysroot-vmnuma", cwd);
		CHECK_INT(compare(root, NULL), 1);
		free(root);
	}
}

int main(void)
{
	test_sbin_on_path();
	test_shell();
	/* bash reads the files itself (bash 5.2 and later: metrics/bundle.c) */
	shell = "bash";
	test_shell();
	return check_summary();
}

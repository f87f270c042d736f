/* local_bundle.c — bundle_script()'s file list, read with glob and read(),
 * every file whole, as the script's grep reads it.
 * tests/unit/test_local_bundle.c checks that both give the same metrics.
 *
 * Left out on purpose: the command records (ethtool, and the Open vSwitch
 * `ovs-vsctl show` / `ovs-appctl bond/show` / `lacp/show`).  They need a
 * fork and exec per poll, which this reader exists to avoid; a local host
 * whose OVS bonds should be watched is declared with transport "ssh" to
 * localhost, or read through h:run(). */
#include "conn/local_bundle.h"
#include "core/xalloc.h"
#include "metrics/bundle.h"
#include "metrics/ksm.h"
#include "metrics/vmnuma.h"

#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct reader {
	struct strbuf *out;
	const char    *root;
	size_t         rootlen;
};

/* 0 when the path can head a record (bundle.h: no 0x1E, no newline). */
static int header(struct reader *r, const char *path)
{
	if (strchr(path, BUNDLE_SEP) || strchr(path, '\n'))
		return -1;
	sb_appendc(r->out, BUNDLE_SEP);
	sb_appendf(r->out, "F %s\n", path + r->rootlen);
	return 0;
}

static int slurp(const char *path, struct strbuf *into, size_t limit)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char buf[8192];
	ssize_t n;
	size_t total = 0;
	while ((n = read(fd, buf, sizeof buf)) > 0 && total < limit) {
		sb_append_n(into, buf, (size_t)n);
		total += (size_t)n;
	}
	close(fd);
	return n < 0 && total == 0 ? -1 : 0;
}

/* A file, whole, as the script's grep gives it: every line ends with a
 * newline; empty files and files holding 0x1E are left out. */
static void whole(struct reader *r, const char *path)
{
	struct strbuf data;
	sb_init(&data);
	if (slurp(path, &data, 4u << 20) == 0 && data.len && !memchr(data.buf, BUNDLE_SEP, data.len) &&
	    header(r, path) == 0) {
		sb_append_n(r->out, data.buf, data.len);
		if (data.buf[data.len - 1] != '\n')
			sb_appendc(r->out, '\n');
	}
	sb_free(&data);
}

/* The files named in files[] below dir (dir carries the root). */
static void files_in(struct reader *r, const char *dir, const char *const *files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *p = x_asprintf("%s/%s", dir, files[i]);
		whole(r, p);
		free(p);
	}
}

static void each(struct reader *r, const char *pattern, void (*fn)(struct reader *, const char *))
{
	char *full = x_asprintf("%s%s", r->root, pattern);
	glob_t g;
	if (glob(full, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			fn(r, g.gl_pathv[i]);
		globfree(&g);
	}
	free(full);
}

static void mark(struct reader *r, const char *path)
{
	(void)header(r, path);
}

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void node_dir(struct reader *r, const char *d)
{
	static const char *const files[] = { "cpulist", "distance" };
	if (!is_dir(d))
		return;
	const char *rel = d + r->rootlen;
	files_in(r, d, files, sizeof files / sizeof files[0]);
	char *pat = x_asprintf("%s/hugepages/*/nr_hugepages", rel);
	each(r, pat, whole);
	free(pat);
	pat = x_asprintf("%s/hugepages/*/free_hugepages", rel);
	each(r, pat, whole);
	free(pat);
	char *cpulist = x_asprintf("%s/cpulist", d);
	if (access(cpulist, R_OK) != 0) {
		pat = x_asprintf("%s/cpu[0-9]*", rel);
		each(r, pat, mark);
		free(pat);
	}
	free(cpulist);
}

static void net_dir(struct reader *r, const char *d)
{
	static const char *const files[] = {
		"ifindex", "operstate", "mtu", "speed", "device/sriov_numvfs", "device/sriov_totalvfs", "bonding/mode", "bonding/slaves",
		"bonding_slave/mii_status",
	};
	if (!is_dir(d))
		return;
	files_in(r, d, files, sizeof files / sizeof files[0]);
	char *dev = x_asprintf("%s/device", d);
	if (access(dev, F_OK) == 0)
		mark(r, dev);
	free(dev);
}

/* The "vm-numa" record: what the remote awk computes, summed here. */
static void vm_numa(struct reader *r)
{
	sb_appendc(r->out, BUNDLE_SEP);
	sb_append(r->out, "C vm-numa\n");
	char *pat = x_asprintf("%s/run/libvirt/qemu/*.pid", r->root);
	glob_t g;
	if (glob(pat, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			struct strbuf pid, maps;
			sb_init(&pid);
			sb_init(&maps);
			if (slurp(g.gl_pathv[i], &pid, 64) == 0 && pid.len) {
				pid.buf[strcspn(pid.buf, "\n")] = '\0';
				char *path = x_asprintf("%s/proc/%s/numa_maps", r->root, pid.buf);
				const char *base = strrchr(g.gl_pathv[i], '/') + 1;
				if (!strchr(pid.buf, '/') && slurp(path, &maps, 64u << 20) == 0 && maps.len &&
				    !strchr(base, BUNDLE_SEP) && !strchr(base, '\n')) {
					uint64_t bytes[VM_NUMA_MAX_NODES] = { 0 };
					unsigned nodes = 0;
					numa_maps_sum(maps.buf, maps.len, bytes, &nodes);
					sb_append_n(r->out, base, strlen(base) - 4);   /* drop ".pid" */
					for (unsigned n = 0; n < nodes; n++)
						if (bytes[n])
							sb_appendf(r->out, " N%u=%llu", n, (unsigned long long)bytes[n]);
					sb_appendc(r->out, '\n');
				}
				free(path);
			}
			sb_free(&pid);
			sb_free(&maps);
		}
		globfree(&g);
	}
	free(pat);
}

/* ---- NIC devices and SR-IOV (bundle.c; `ip -d link` is a command) --- */

static void link_line(struct reader *r, const char *link, const char *name);

static void netdev_device(struct reader *r, const char *d)
{
	char *link = x_asprintf("%s/device", d);
	link_line(r, link, strrchr(d, '/') + 1);
	free(link);
}

static void virtfn_link(struct reader *r, const char *l)
{
	link_line(r, l, strrchr(l, '/') + 1);
}

/* "net virtfnN IFNAME" of a VF bound to a host driver. */
static void virtfn_net(struct reader *r, const char *v)
{
	const char *netdir = NULL;
	for (const char *p = v; (p = strstr(p, "/net/")); p++)
		netdir = p;   /* the last one: the path starts in /sys/class/net/ */
	if (!netdir)
		return;
	const char *fn = netdir;
	while (fn > v && fn[-1] != '/')
		fn--;
	sb_appendf(r->out, "net %.*s %s\n", (int)(netdir - fn), fn, netdir + 5);
}

static void sriov_pf(struct reader *r, const char *d)
{
	char *total = x_asprintf("%s/device/sriov_totalvfs", d);
	int pf = access(total, R_OK) == 0;
	free(total);
	if (!pf)
		return;
	sb_appendc(r->out, BUNDLE_SEP);
	sb_appendf(r->out, "C sriov %s\n", strrchr(d, '/') + 1);
	char *dev = x_asprintf("%s/device", d);
	link_line(r, dev, "device");
	free(dev);
	char *pat = x_asprintf("%s/device/virtfn*", d + r->rootlen);
	each(r, pat, virtfn_link);
	free(pat);
	pat = x_asprintf("%s/device/virtfn*/net/*", d + r->rootlen);
	each(r, pat, virtfn_net);
	free(pat);
}

static void net_devices(struct reader *r)
{
	sb_appendc(r->out, BUNDLE_SEP);
	sb_append(r->out, "C netdev-devices\n");
	each(r, "/sys/class/net/*", netdev_device);
	each(r, "/sys/class/net/*", sriov_pf);
}

/* ---- GPUs and LUNs (bundle.c's script_commands) ------------------ */

static void mdev_type_dir(struct reader *r, const char *t)
{
	static const char *const files[] = { "name", "available_instances", "device_api", "description" };
	if (!is_dir(t))
		return;
	files_in(r, t, files, sizeof files / sizeof files[0]);
}

static void mdev_bus_dir(struct reader *r, const char *d)
{
	static const char *const files[] = { "numa_node", "vendor", "device" };
	if (!is_dir(d))
		return;
	files_in(r, d, files, sizeof files / sizeof files[0]);
	char *pat = x_asprintf("%s/mdev_supported_types/*", d + r->rootlen);
	each(r, pat, mdev_type_dir);
	free(pat);
}

/* "<name> <readlink target>" of a symlink; name is the path without root
 * or, with base_only, its last component. */
static void link_line(struct reader *r, const char *link, const char *name)
{
	struct stat st;
	char target[4096];
	if (lstat(link, &st) != 0 || !S_ISLNK(st.st_mode))
		return;
	ssize_t n = readlink(link, target, sizeof target - 1);
	if (n < 0)
		return;
	target[n] = '\0';
	sb_appendf(r->out, "%s %s\n", name, target);
}

static void mdev_line(struct reader *r, const char *m)
{
	char *link = x_asprintf("%s/mdev_type", m);
	link_line(r, link, strrchr(m, '/') + 1);
	free(link);
}

static void lun_line(struct reader *r, const char *l)
{
	link_line(r, l, l + r->rootlen);
}

static void block_dir(struct reader *r, const char *b)
{
	static const char *const files[] = { "size", "device/vendor", "device/model", "device/wwid" };
	if (!is_dir(b))
		return;
	files_in(r, b, files, sizeof files / sizeof files[0]);
}

static void devices(struct reader *r)
{
	each(r, "/sys/class/mdev_bus/*", mdev_bus_dir);
	each(r, "/sys/block/sd*", block_dir);
	each(r, "/sys/block/dm-*", block_dir);
	sb_appendc(r->out, BUNDLE_SEP);
	sb_append(r->out, "C mdevs\n");
	each(r, "/sys/bus/mdev/devices/*", mdev_line);
	sb_appendc(r->out, BUNDLE_SEP);
	sb_append(r->out, "C luns\n");
	each(r, "/dev/disk/by-path/*-iscsi-*-lun-*", lun_line);
	each(r, "/dev/disk/by-path/*-fc-*-lun-*", lun_line);
	each(r, "/dev/disk/by-id/wwn-*", lun_line);
}

void local_bundle(const char *sysroot, struct strbuf *out)
{
	char *root = x_strdup(sysroot && strcmp(sysroot, "/") ? sysroot : "");
	size_t n = strlen(root);
	while (n > 0 && root[n - 1] == '/')
		root[--n] = '\0';
	struct reader r = { out, root, n };
	static const char *const multi[] = {
		"/proc/meminfo", "/proc/vmstat", "/proc/stat", "/proc/net/dev", "/proc/interrupts", "/proc/net/bonding/*",
		"/sys/devices/system/node/node*/meminfo",
	};
	for (size_t i = 0; i < sizeof multi / sizeof multi[0]; i++)
		each(&r, multi[i], whole);
	each(&r, "/proc/sys/kernel/osrelease", whole);
	each(&r, "/sys/devices/system/cpu/online", whole);
	for (size_t i = 0; ksm_file_name(i); i++) {   /* what the parser reads, as the script */
		char *path = x_asprintf("/sys/kernel/mm/ksm/%s", ksm_file_name(i));
		each(&r, path, whole);
		free(path);
	}
	each(&r, "/sys/kernel/mm/hugepages/*/nr_hugepages", whole);
	each(&r, "/sys/kernel/mm/hugepages/*/free_hugepages", whole);
	each(&r, "/sys/devices/system/node/node*", node_dir);
	each(&r, "/sys/class/net/*", net_dir);
	vm_numa(&r);
	net_devices(&r);
	devices(&r);
	sb_appendc(out, BUNDLE_SEP);
	sb_appendf(out, "C getconf PAGESIZE\n%ld\n", sysconf(_SC_PAGESIZE));
	free(root);
}

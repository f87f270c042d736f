/* bundle.c — the host-poll shell script and the splitter of the bundle.
 *
 * Cost on the host per poll: the shell's globbing (no fork) and one `grep`
 * that reads every file whole, in one process.  Whole reads matter: on
 * recent kernels a sysfs cpulist answers the one-byte reads of the shell's
 * `read` builtin with end-of-file.  The page size is asked once, when the
 * long-lived shell learns the function.  Where present: ethtool once per
 * physical NIC (looked for in the sbin directories too), the Open vSwitch
 * status (three commands) where an OVS database socket exists, readlink
 * once per mdev or SAN LUN link.  The reply's wire format and its decoder
 * are in bundle_wire.c. */
#include "metrics/bundle.h"

#include "core/strbuf.h"
#include "core/xalloc.h"

#include <string.h>

/* The function works inside
 * the sysroot (cd), so every path it names is relative to it.  Files are
 * gathered in "$@" and read by the one grep at the end of script_files;
 * markers (a path that exists, no content) are printed as they are found. */
static const char script_files[] =
		"set -- proc/meminfo proc/vmstat proc/stat proc/net/dev proc/interrupts proc/net/bonding/* sys/devices/system/node/node*/meminfo"
	" proc/sys/kernel/osrelease sys/devices/system/cpu/online sys/kernel/mm/ksm/*"
	" sys/kernel/mm/hugepages/*/nr_hugepages sys/kernel/mm/hugepages/*/free_hugepages\n"
	"for d in sys/devices/system/node/node*; do [ -d \"$d\" ] || continue\n"
	"  set -- \"$@\" \"$d\"/cpulist \"$d\"/distance \"$d\"/hugepages/*/nr_hugepages \"$d\"/hugepages/*/free_hugepages\n"
	"  [ -r \"$d\"/cpulist ] || for c in \"$d\"/cpu[0-9]*; do [ -e \"$c\" ] || [ -L \"$c\" ] || continue\n"
	"    printf '\\036F /%s\\n' \"$c\"; done\n"
	"done\n"
	"for d in sys/class/net/*; do [ -d \"$d\" ] || continue; s=$d/statistics\n"
	"  set -- \"$@\" \"$d\"/ifindex \"$d\"/operstate \"$d\"/mtu \"$d\"/speed \"$s\"/rx_bytes \"$s\"/tx_bytes"
	" \"$s\"/rx_packets \"$s\"/tx_packets \"$s\"/rx_dropped \"$s\"/tx_dropped \"$s\"/rx_errors \"$s\"/tx_errors"
	" \"$d\"/device/sriov_numvfs \"$d\"/device/sriov_totalvfs"
	" \"$d\"/bonding/mode \"$d\"/bonding/slaves \"$d\"/bonding_slave/mii_status\n"
	"  [ -e \"$d\"/device ] && printf '\\036F /%s/device\\n' \"$d\"\n"
	"done\n"
	/* GPUs (sysfs mdev tree) and LUNs: see metrics/gpu.h and metrics/lun.h. */
	"for d in sys/class/mdev_bus/*; do [ -d \"$d\" ] || continue\n"
	"  set -- \"$@\" \"$d\"/numa_node \"$d\"/vendor \"$d\"/device\n"
	"  for t in \"$d\"/mdev_supported_types/*; do [ -d \"$t\" ] || continue\n"
	"    set -- \"$@\" \"$t\"/name \"$t\"/available_instances \"$t\"/device_api \"$t\"/description; done\n"
	"done\n"
	"for b in sys/block/sd* sys/block/dm-*; do [ -d \"$b\" ] || continue\n"
	"  set -- \"$@\" \"$b\"/size \"$b\"/device/vendor \"$b\"/device/model \"$b\"/device/wwid; done\n"
	/* Per-VM NUMA placement: each QEMU's numa_maps, named after its VM
	 * (summed per node by the reader: metrics/bundle_wire.c). */
	"printf '\\036P\\n'\n"
	"for p in run/libvirt/qemu/*.pid; do [ -r \"$p\" ] || continue; n=${p##*/}; pid=\n"
	"  { IFS= read -r pid <\"$p\" || [ -n \"$pid\" ]; } 2>/dev/null || continue\n"
	"  case $pid in ''|*[!0-9]*) continue;; esac\n"
	"  [ -r proc/$pid/numa_maps ] || continue\n"
	"  printf '/proc/%s/numa_maps\\0%s\\n' \"$pid\" \"${n%.pid}\"; set -- \"$@\" proc/$pid/numa_maps; done\n"
	/* Every file, whole, by one process: "<path>\0<line>\n" per line. */
	"printf '\\036G\\n'\n"
	"grep -a -H -Z -s -d skip -D skip -e '' -- \"$@\"\n";

/* Commands: the links of mdevs and LUNs (readlink forks once per existing
 * link only: none on a host without mdevs or SAN LUNs), the page size read
 * when the script was defined, ethtool once per physical NIC where it is
 * installed (not under a sysroot: ethtool asks the running kernel, whose
 * NICs are not the tree's), and the Open vSwitch status (three commands) only where an OVS
 * database socket exists. */
static const char script_commands[] =
	"printf '\\036C mdevs\\n'\n"
	"for m in sys/bus/mdev/devices/*; do [ -L \"$m\"/mdev_type ] || continue\n"
	"  printf '%s %s\\n' \"${m##*/}\" \"$(readlink \"$m\"/mdev_type)\"; done\n"
	"printf '\\036C luns\\n'\n"
	"for l in dev/disk/by-path/*-iscsi-*-lun-* dev/disk/by-path/*-fc-*-lun-* dev/disk/by-id/wwn-*; do\n"
	"  [ -L \"$l\" ] || continue; printf '/%s %s\\n' \"$l\" \"$(readlink \"$l\")\"; done\n"
	"[ -n \"$vdeck_pagesize\" ] && printf '\\036C getconf PAGESIZE\\n%s\\n' \"$vdeck_pagesize\"\n"
	"if [ -z \"$R\" ] && command -v ethtool >/dev/null 2>&1; then for d in sys/class/net/*; do\n"
	"  [ -e \"$d\"/device ] || continue; n=${d##*/}\n"
	"  printf '\\036C ethtool -c %s\\n' \"$n\"; ethtool -c \"$n\" 2>&1; done; fi\n"
	/* Each NIC's device link (interrupt names say virtio0 or a PCI address)
	 * and the SR-IOV PFs' VF links.  A link needs readlink, a fork; links
	 * change only when NICs or VFs come and go (a VF bound to a driver is
	 * a NIC too), so the long-lived shell keeps the answer and reads the
	 * links again only when the set of names (globbing, no fork) changed.
	 * `ip -d link` (VF MAC, VLAN, trust) runs once per PF that has VFs. */
	"k=; for d in sys/class/net/*; do [ -L \"$d\"/device ] && k=\"$k ${d##*/}\"\n"
	"  for l in \"$d\"/device/virtfn*; do [ -L \"$l\" ] && k=\"$k $l\"; done; done\n"
	"if [ \"$k\" != \"$vdeck_linkkey\" ]; then vdeck_linkkey=$k; vdeck_devs=; vdeck_sriov=\n"
	"  for d in sys/class/net/*; do [ -L \"$d\"/device ] || continue\n"
	"    vdeck_devs=\"$vdeck_devs${d##*/} $(readlink \"$d\"/device)\n\"\n"
	"    [ -r \"$d\"/device/sriov_totalvfs ] || continue\n"
	"    vdeck_sriov=\"$vdeck_sriov${vdeck_rs}C sriov ${d##*/}\n\"\n"
	"    for l in \"$d\"/device \"$d\"/device/virtfn*; do [ -L \"$l\" ] || continue\n"
	"      vdeck_sriov=\"$vdeck_sriov${l##*/} $(readlink \"$l\")\n\"; done\n"
	"    for v in \"$d\"/device/virtfn*/net/*; do [ -e \"$v\" ] || continue; f=${v%/net/*}\n"
	"      vdeck_sriov=\"${vdeck_sriov}net ${f##*/} ${v##*/}\n\"; done\n"
	"  done; fi\n"
	"printf '\\036C netdev-devices\\n%s%s' \"$vdeck_devs\" \"$vdeck_sriov\"\n"
	"if command -v ip >/dev/null 2>&1; then for d in sys/class/net/*; do [ -L \"$d\"/device/virtfn0 ] || continue\n"
	"  printf '\\036C ip -d link show %s\\n' \"${d##*/}\"; ip -d link show dev \"${d##*/}\" 2>&1; done; fi\n"
	/* Open vSwitch bonds: only when its database socket exists (no fork
	 * otherwise); OVS_RUNDIR as the OVS tools themselves read it. */
	"o=${OVS_RUNDIR:-/var/run/openvswitch}\n"
	"if [ -S \"$o/db.sock\" ] && command -v ovs-appctl >/dev/null 2>&1; then\n"
	"  printf '\\036C ovs-vsctl show\\n'; ovs-vsctl --timeout=3 show 2>&1\n"
	"  printf '\\036C ovs-appctl bond/show\\n'; ovs-appctl --timeout=3 bond/show 2>&1\n"
	"  printf '\\036C ovs-appctl lacp/show\\n'; ovs-appctl --timeout=3 lacp/show 2>&1\n"
	"  printf '\\036C ovs-vsctl get Open_vSwitch . other_config\\n'\n"
	"  ovs-vsctl --timeout=3 get Open_vSwitch . other_config 2>&1; fi\n";

/* Run once, where the script or the function is defined: the page size
 * never changes, so a long-lived shell asks for it once per session.  The
 * sbin directories go on PATH because a non-root login's PATH lacks them,
 * and ethtool lives in /usr/sbin. */
static const char script_once[] =
	"export LC_ALL=C\n"
	"for d in /usr/local/sbin /usr/sbin /sbin; do case :$PATH: in *:$d:*) ;; *) PATH=${PATH:+$PATH:}$d;; esac; done\n"
	"vdeck_pagesize=$(getconf PAGESIZE 2>/dev/null)\n"
	"vdeck_rs=$(printf '\\036')\n";

static void append_header_text(struct strbuf *sb, const char *s)
{
	for (; *s; s++)
		sb_appendc(sb, (*s == '\n' || *s == '\r' || *s == BUNDLE_SEP) ? ' ' : *s);
}

/* leave: how the body gives up when the sysroot is not there. */
static void append_body(struct strbuf *sb, const char *sysroot, const char *const *extra_cmds,
			const char *leave)
{
	sb_append(sb, "R=");
	if (sysroot && *sysroot) {
		size_t n = strlen(sysroot);
		while (n > 0 && sysroot[n - 1] == '/')
			n--;
		char *root = x_strndup(sysroot, n);
		sb_append_shell(sb, root);
		x_free(&root);
	} else {
		sb_append(sb, "''");
	}
	sb_appendc(sb, '\n');
	sb_appendf(sb, "cd \"$R/\" 2>/dev/null || %s\n", leave);
	sb_append(sb, script_files);
	sb_append(sb, script_commands);
	for (size_t i = 0; extra_cmds && extra_cmds[i]; i++) {
		/* The header names the command; the command itself runs as given. */
		struct strbuf hdr;
		sb_init(&hdr);
		append_header_text(&hdr, extra_cmds[i]);
		sb_append(sb, "printf '\\036C %s\\n' ");
		sb_append_shell(sb, hdr.buf);
		sb_append(sb, "\n{ ");
		sb_append(sb, extra_cmds[i]);
		sb_append(sb, "\n} 2>&1\n");
		sb_free(&hdr);
	}
}

char *bundle_script(const char *sysroot, const char *const *extra_cmds)
{
	struct strbuf sb;
	sb_init(&sb);
	sb_append(&sb, script_once);
	append_body(&sb, sysroot, extra_cmds, "exit 0");
	sb_append(&sb, "exit 0\n");
	return sb_detach(&sb);
}

char *bundle_function(const char *name, const char *sysroot, const char *const *extra_cmds)
{
	struct strbuf sb;
	sb_init(&sb);
	sb_append(&sb, script_once);
	sb_appendf(&sb, "%s() {\n", name);
	append_body(&sb, sysroot, extra_cmds, "return 0");
	sb_append(&sb, "return 0\n}\n");
	return sb_detach(&sb);
}

int bundle_split(const char *buf, size_t len,
		 int (*cb)(const char *path, const char *data, size_t n, void *ctx),
		 void *ctx)
{
	const char *p = buf, *end = buf + len;
	if (!buf)
		return 0;
	p = memchr(p, BUNDLE_SEP, len);
	while (p && p < end) {
		const char *rec = p + 1;
		const char *next = memchr(rec, BUNDLE_SEP, (size_t)(end - rec));
		const char *rend = next ? next : end;
		const char *nl = memchr(rec, '\n', (size_t)(rend - rec));
		p = next;
		if (rend - rec < 2 || (rec[0] != 'F' && rec[0] != 'C') || rec[1] != ' ')
			continue;
		const char *hend = nl ? nl : rend;
		const char *data = nl ? nl + 1 : rend;
		size_t hlen = (size_t)(hend - (rec + 2));
		char path[1024];
		size_t off = 0;
		if (rec[0] == 'C')
			path[off++] = '!';
		if (hlen > sizeof(path) - 1 - off)
			continue;
		memcpy(path + off, rec + 2, hlen);
		path[off + hlen] = '\0';
		if (memchr(path, '\0', off + hlen))
			continue;
		int rc = cb(path, data, (size_t)(rend - data), ctx);
		if (rc)
			return rc;
	}
	return 0;
}

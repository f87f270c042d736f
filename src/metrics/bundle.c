/* bundle.c — the host-poll shell script and the splitter of the bundle.
 *
 * Cost on the host per poll, in steady state: no process at all where the
 * shell is bash 5.2 or later (the poll shell is bash where the host has it:
 * conn/ssh_poll.c), one `grep` elsewhere.  Every file is read whole: on
 * recent kernels a sysfs cpulist answers the one-byte reads of the shell's
 * `read` builtin with end-of-file; bash's `$(<file)` reads whole, without a
 * fork since 5.2 (earlier versions take the grep path).  What needs a
 * command and changes only when the host is reconfigured is kept by the
 * long-lived shell between polls: the page size (asked once), the device
 * links of NICs, VFs, mdevs and SAN LUNs (read again when the set of names
 * changes), and the slow facts, `ethtool -c` per physical NIC, `ip -d link`
 * per SR-IOV PF and the Open vSwitch status (run again on a poll called
 * with the argument "fresh": the caller's cadence, conn/transport.c).  The
 * reply's wire format and its decoder are in bundle_wire.c. */
#include "metrics/bundle.h"

#include "core/strbuf.h"
#include "core/xalloc.h"
#include "metrics/ksm.h"

#include <string.h>

/* The function works inside
 * the sysroot (cd), so every path it names is relative to it.  Files are
 * gathered in vdeck_files, a path per word (sysfs and procfs names hold no
 * blank; appending to a string, where `set -- "$@" ...` would copy the
 * whole list on every append), and read by the one vdeck_cat at the end of
 * script_files; the glob patterns are expanded as they are appended, and
 * the final split runs with globbing off, so a name is never expanded
 * twice.  Markers (a path that exists, no content) are printed as they
 * are found. */
static const char script_files[] =
	"for f in proc/meminfo proc/vmstat proc/stat proc/net/dev proc/interrupts proc/net/bonding/* sys/devices/system/node/node*/meminfo"
	" proc/sys/kernel/osrelease sys/devices/system/cpu/online"
	" sys/kernel/mm/hugepages/*/nr_hugepages sys/kernel/mm/hugepages/*/free_hugepages; do vdeck_files=\"$vdeck_files $f\"; done\n"
	"for d in sys/devices/system/node/node*; do [ -d \"$d\" ] || continue\n"
	"  for f in \"$d\"/cpulist \"$d\"/distance \"$d\"/hugepages/*/nr_hugepages \"$d\"/hugepages/*/free_hugepages; do\n"
	"    vdeck_files=\"$vdeck_files $f\"; done\n"
	"  [ -r \"$d\"/cpulist ] || for c in \"$d\"/cpu[0-9]*; do [ -e \"$c\" ] || [ -L \"$c\" ] || continue\n"
	"    vdeck_put '\\036F /%s\\n' \"$c\"; done\n"
	"done\n"
	/* A NIC's counters come from proc/net/dev, one file for them all: its
	 * statistics/ folder would be eight more files per NIC (and a host has
	 * a tap per VM NIC). */
	"for d in sys/class/net/*; do [ -d \"$d\" ] || continue\n"
	"  vdeck_files=\"$vdeck_files $d/ifindex $d/operstate $d/mtu $d/speed\"\n"
	/* the files most NICs lack, behind one test (a missing file costs
	 * bash an error message) */
	"  [ -d \"$d\"/bonding ] && vdeck_files=\"$vdeck_files $d/bonding/mode $d/bonding/slaves\"\n"
	"  [ -d \"$d\"/bonding_slave ] && vdeck_files=\"$vdeck_files $d/bonding_slave/mii_status\"\n"
	"  [ -e \"$d\"/device ] || continue; vdeck_put '\\036F /%s/device\\n' \"$d\"\n"
	"  [ -e \"$d\"/device/sriov_totalvfs ] && vdeck_files=\"$vdeck_files $d/device/sriov_numvfs $d/device/sriov_totalvfs\"\n"
	"done\n"
	/* GPUs (sysfs mdev tree) and LUNs: see metrics/gpu.h and metrics/lun.h. */
	"for d in sys/class/mdev_bus/*; do [ -d \"$d\" ] || continue\n"
	"  vdeck_files=\"$vdeck_files $d/numa_node $d/vendor $d/device\"\n"
	"  for t in \"$d\"/mdev_supported_types/*; do [ -d \"$t\" ] || continue\n"
	"    vdeck_files=\"$vdeck_files $t/name $t/available_instances $t/device_api $t/description\"; done\n"
	"done\n"
	"for b in sys/block/sd* sys/block/dm-*; do [ -d \"$b\" ] || continue\n"
	"  vdeck_files=\"$vdeck_files $b/size $b/device/vendor $b/device/model $b/device/wwid\"; done\n"
	/* Per-VM NUMA placement: each QEMU's numa_maps, named after its VM
	 * (summed per node by the reader: metrics/bundle_wire.c).  One
	 * redirection of stderr for the loop, not one per pid file. */
	"vdeck_put '\\036P\\n'\n"
	"{ for p in run/libvirt/qemu/*.pid; do pid=\n"
	"  IFS= read -r pid <\"$p\" || [ -n \"$pid\" ] || continue\n"
	"  case $pid in ''|*[!0-9]*) continue;; esac\n"
	"  [ -r proc/$pid/numa_maps ] || continue\n"
	"  n=${p##*/}; vdeck_vm \"$pid\" \"${n%.pid}\"; vdeck_files=\"$vdeck_files proc/$pid/numa_maps\"; done; } 2>/dev/null\n"
	/* Every file, whole (vdeck_cat: script_once). */
	"set -f; set -- $vdeck_files; set +f\n"
	"vdeck_cat \"$@\" 2>/dev/null\n";

/* Device links, kept by the long-lived shell: the mdevs' types and the
 * SAN LUNs' block devices, each NIC's device (interrupt names say virtio0
 * or a PCI address) and the SR-IOV PFs' VF links.  A link needs readlink,
 * a fork; links change when devices come and go (a VF bound to a driver
 * is a NIC too), so they are read again only when the set of names
 * (globbing, no fork) changed, or on a fresh poll (a LUN's link may point
 * to another disk under the same name after a rescan). */
static const char script_links[] =
	"k=; for d in sys/class/net/*; do [ -L \"$d\"/device ] && k=\"$k ${d##*/}\"\n"
	"  for l in \"$d\"/device/virtfn*; do [ -L \"$l\" ] && k=\"$k $l\"; done; done\n"
	"for m in sys/bus/mdev/devices/*; do [ -L \"$m\"/mdev_type ] && k=\"$k $m\"; done\n"
	"for l in dev/disk/by-path/*-iscsi-*-lun-* dev/disk/by-path/*-fc-*-lun-* dev/disk/by-id/wwn-*; do\n"
	"  [ -L \"$l\" ] && k=\"$k $l\"; done\n"
	"if [ \"$k\" != \"${vdeck_linkkey-}\" ] || [ -n \"$vdeck_fresh\" ]; then\n"
	"  vdeck_linkkey=$k; vdeck_mdevs=; vdeck_luns=; vdeck_devs=; vdeck_sriov=\n"
	"  for m in sys/bus/mdev/devices/*; do [ -L \"$m\"/mdev_type ] || continue\n"
	"    vdeck_mdevs=\"$vdeck_mdevs${m##*/} $(readlink \"$m\"/mdev_type)\n\"; done\n"
	"  for l in dev/disk/by-path/*-iscsi-*-lun-* dev/disk/by-path/*-fc-*-lun-* dev/disk/by-id/wwn-*; do\n"
	"    [ -L \"$l\" ] && vdeck_luns=\"$vdeck_luns/$l $(readlink \"$l\")\n\"; done\n"
	"  for d in sys/class/net/*; do [ -L \"$d\"/device ] || continue\n"
	"    vdeck_devs=\"$vdeck_devs${d##*/} $(readlink \"$d\"/device)\n\"\n"
	"    [ -r \"$d\"/device/sriov_totalvfs ] || continue\n"
	"    vdeck_sriov=\"$vdeck_sriov${vdeck_rs}C sriov ${d##*/}\n\"\n"
	"    for l in \"$d\"/device \"$d\"/device/virtfn*; do [ -L \"$l\" ] || continue\n"
	"      vdeck_sriov=\"$vdeck_sriov${l##*/} $(readlink \"$l\")\n\"; done\n"
	"    for v in \"$d\"/device/virtfn*/net/*; do [ -e \"$v\" ] || continue; f=${v%/net/*}\n"
	"      vdeck_sriov=\"${vdeck_sriov}net ${f##*/} ${v##*/}\n\"; done\n"
	"  done\n"
	"fi\n"
	"vdeck_put '\\036C mdevs\\n%s\\036C luns\\n%s' \"$vdeck_mdevs\" \"$vdeck_luns\"\n"
	"[ -n \"$vdeck_pagesize\" ] && vdeck_put '\\036C getconf PAGESIZE\\n%s\\n' \"$vdeck_pagesize\"\n"
	"vdeck_put '\\036C netdev-devices\\n%s%s' \"$vdeck_devs\" \"$vdeck_sriov\"\n";

/* The slow facts: commands whose answers change only when the host is
 * reconfigured, run on the first poll of a shell and on a fresh poll, their
 * output kept in between (one subshell to capture it; the x keeps trailing
 * newlines).  ethtool once per physical NIC where it is installed (not
 * under a sysroot: ethtool asks the running kernel, whose NICs are not the
 * tree's), `ip -d link` (VF MAC, VLAN, trust) once per PF that has VFs, the
 * Open vSwitch configuration (two commands) only where its database socket
 * exists; OVS_RUNDIR as the OVS tools themselves read it. */
static const char script_slow[] =
	"if [ -n \"$vdeck_fresh\" ] || [ -z \"${vdeck_slow-}\" ]; then vdeck_slow=$(\n"
	"  if [ -z \"$R\" ] && command -v ethtool >/dev/null 2>&1; then for d in sys/class/net/*; do\n"
	"    [ -e \"$d\"/device ] || continue; n=${d##*/}\n"
	"    printf '\\036C ethtool -c %s\\n' \"$n\"; ethtool -c \"$n\" 2>&1; done; fi\n"
	"  if command -v ip >/dev/null 2>&1; then for d in sys/class/net/*; do [ -L \"$d\"/device/virtfn0 ] || continue\n"
	"    printf '\\036C ip -d link show %s\\n' \"${d##*/}\"; ip -d link show dev \"${d##*/}\" 2>&1; done; fi\n"
	"  o=${OVS_RUNDIR:-/var/run/openvswitch}\n"
	"  if [ -S \"$o/db.sock\" ] && command -v ovs-appctl >/dev/null 2>&1; then\n"
	"    printf '\\036C ovs-vsctl show\\n'; ovs-vsctl --timeout=3 show 2>&1\n"
	"    printf '\\036C ovs-vsctl get Open_vSwitch . other_config\\n'\n"
	"    ovs-vsctl --timeout=3 get Open_vSwitch . other_config 2>&1; fi\n"
	"  printf x); fi\n"
	"vdeck_put '%s' \"${vdeck_slow%x}\"\n"
	"vdeck_flush\n"
	/* A bond's LACP state is live: a partner that goes away is an alert on
	 * the next poll, so bond/show and lacp/show run every poll, where OVS
	 * runs. */
	"o=${OVS_RUNDIR:-/var/run/openvswitch}\n"
	"if [ -S \"$o/db.sock\" ] && command -v ovs-appctl >/dev/null 2>&1; then\n"
	"  printf '\\036C ovs-appctl bond/show\\n'; ovs-appctl --timeout=3 bond/show 2>&1\n"
	"  printf '\\036C ovs-appctl lacp/show\\n'; ovs-appctl --timeout=3 lacp/show 2>&1; fi\n";

/* Run once, where the script or the function is defined: the page size
 * never changes, so a long-lived shell asks for it once per session.  The
 * sbin directories go on PATH because a non-root login's PATH lacks them,
 * and ethtool lives in /usr/sbin.
 *
 * Output goes through vdeck_put (printf's arguments), vdeck_vm PID NAME
 * (a VM's numa_maps is read with the files and summed for NAME) and
 * vdeck_cat FILE... (every file whole), until vdeck_flush.
 *
 * Any shell: printed as it comes; the files by one grep, "\036G\n" then
 * "<path>\0<line>\n" per line; a VM as "<path>\0<name>\n" after the
 * "\036P" line.
 *
 * bash 5.2 and later: no process, and one write.  The reply is gathered
 * in a variable and written at once: bash's stdout is line-buffered, and
 * glibc writes whole 4 KiB blocks at once but the rest line by line,
 * each line then an SSH packet for the sshd to read, encrypt and send (a
 * hundred and more per poll, a line per mapping of every QEMU's
 * numa_maps); padded to whole blocks (a Z record, which no reader reads),
 * it goes in one write.  A variable cannot hold a NUL, so records carry
 * no NUL: each file a "\036F /<path>" record, numa_maps included, and a VM
 * a "\036V /proc/PID/numa_maps" record holding its name (the decoder sums
 * the F records of the paths V names).  `$(<f)` fails on a missing file;
 * it drops trailing newlines, so a file of only newlines reads empty:
 * `read` then tells it (it succeeds) from an empty or unreadable one.
 * Files holding 0x1E, and names holding it or a newline, are left out
 * as the decoder leaves them out. */
static const char script_once[] =
	"export LC_ALL=C\n"
	"for d in /usr/local/sbin /usr/sbin /sbin; do case :$PATH: in *:$d:*) ;; *) PATH=${PATH:+$PATH:}$d;; esac; done\n"
	"vdeck_pagesize=$(getconf PAGESIZE 2>/dev/null)\n"
	"vdeck_rs=$(printf '\\036')\n"
	"vdeck_put() { printf \"$@\"; }\n"
	"vdeck_vm() { printf '/proc/%s/numa_maps\\0%s\\n' \"$1\" \"$2\"; }\n"
	"vdeck_cat() { printf '\\036G\\n'; grep -a -H -Z -s -d skip -D skip -e '' -- \"$@\"; }\n"
	"vdeck_flush() { :; }\n"
	"case ${BASH_VERSION-} in 5.[2-9]*|5.[1-9][0-9]*|[6-9].*|[1-9][0-9]*) eval '\n"
	"vdeck_out=\n"
	"vdeck_put() { local t; printf -v t \"$@\"; vdeck_out+=$t; }\n"
	"vdeck_vm() { case $2 in *\"$vdeck_rs\"*|*\"\n\"*) return;; esac; vdeck_out+=\"${vdeck_rs}V /proc/$1/numa_maps\n$2\n\"; }\n"
	"vdeck_cat() {\n"
	"  local f c\n"
	"  for f; do\n"
	"    c=$(<\"$f\") || continue\n"
	"    case $c in *\"$vdeck_rs\"*) continue;; \"\") IFS= read -r c <\"$f\" || continue;; esac\n"
	"    vdeck_out+=\"${vdeck_rs}F /$f\n$c\n\"\n"
	"  done\n"
	"  vdeck_out+=\"${vdeck_rs}G\n\"\n"
	"}\n"
	"vdeck_flush() {\n"
	"  local z\n"
	"  printf -v z \"%*s\" $(( (4096 - (${#vdeck_out} + 3) % 4096) % 4096 )) \"\"\n"
	"  printf %s \"$vdeck_out${vdeck_rs}Z$z\n\"\n"
	"  vdeck_out=\n"
	"}';; esac\n";

static void append_header_text(struct strbuf *sb, const char *s)
{
	for (; *s; s++)
		sb_appendc(sb, (*s == '\n' || *s == '\r' || *s == BUNDLE_SEP) ? ' ' : *s);
}

/* leave: how the body gives up when the sysroot is not there. */
static void append_body(struct strbuf *sb, const char *sysroot, const char *const *extra_cmds,
			const char *leave)
{
	/* before `set --` takes the arguments: "fresh" runs the slow facts */
	sb_append(sb, "vdeck_fresh=${1-}\nR=");
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
	/* vdeck_files starts with the KSM files metrics/ksm.c reads, not the
	 * folder (24 files on kernel 6.18); script_files adds the rest */
	sb_append(sb, "vdeck_files='");
	for (size_t i = 0; ksm_file_name(i); i++)
		sb_appendf(sb, "%ssys/kernel/mm/ksm/%s", i ? " " : "", ksm_file_name(i));
	sb_append(sb, "'\n");
	sb_append(sb, script_files);
	sb_append(sb, script_links);
	sb_append(sb, script_slow);
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

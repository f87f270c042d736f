/* bundle.c — the host-poll shell script and the splitter of its output.
 *
 * Cost on the host: one `sh`.  Single-line sysfs values are read with the
 * `read` builtin (no fork); multi-line /proc files go through one `awk`
 * for all of them (a `cat` per file only when awk is missing); ethtool runs
 * once per physical NIC, only when installed (looked for in the sbin
 * directories too); the Open vSwitch status (three commands) only where an
 * OVS database socket exists. */
#include "metrics/bundle.h"

#include "core/strbuf.h"
#include "core/xalloc.h"

#include <string.h>

/* Shell functions: v = single-line values, m = multi-line files.  The sbin
 * directories go on PATH (once: the script is also a function the
 * long-lived remote shell runs every poll) because a non-root login's PATH
 * lacks them, and ethtool lives in /usr/sbin. */
static const char script_head[] =
	"export LC_ALL=C R\n"
	"for d in /usr/local/sbin /usr/sbin /sbin; do case :$PATH: in *:$d:*) ;; *) PATH=${PATH:+$PATH:}$d;; esac; done\n"
	"v() { for f do [ -r \"$f\" ] || continue; l=\n"
	"  { IFS= read -r l <\"$f\"; } 2>/dev/null || [ -n \"$l\" ] || continue\n"
	"  printf '\\036F %s\\n%s\\n' \"${f#\"$R\"}\" \"$l\"; done; }\n"
	"m() { for f do shift; [ -r \"$f\" ] && set -- \"$@\" \"$f\"; done\n"
	"  [ $# -gt 0 ] || return 0\n"
	"  if command -v awk >/dev/null 2>&1; then\n"
	"    awk 'FNR==1{p=FILENAME; r=ENVIRON[\"R\"]; if (r!=\"\" && index(p,r)==1) p=substr(p,length(r)+1);"
	" printf \"\\036F %s\\n\", p} {print}' \"$@\" 2>/dev/null\n"
	"  else for f do printf '\\036F %s\\n' \"${f#\"$R\"}\"; cat \"$f\" 2>/dev/null; done; fi; }\n"
	"m \"$R\"/proc/meminfo \"$R\"/proc/vmstat \"$R\"/proc/stat \"$R\"/proc/net/dev \"$R\"/proc/interrupts \"$R\"/proc/net/bonding/*"
	" \"$R\"/sys/devices/system/node/node*/meminfo\n"
	"v \"$R\"/proc/sys/kernel/osrelease \"$R\"/sys/devices/system/cpu/online \"$R\"/sys/kernel/mm/ksm/*\n"
	"v \"$R\"/sys/kernel/mm/hugepages/*/nr_hugepages \"$R\"/sys/kernel/mm/hugepages/*/free_hugepages\n"
	"for d in \"$R\"/sys/devices/system/node/node*; do [ -d \"$d\" ] || continue\n"
	"  v \"$d\"/cpulist \"$d\"/distance \"$d\"/hugepages/*/nr_hugepages \"$d\"/hugepages/*/free_hugepages\n"
	"  [ -r \"$d\"/cpulist ] || for c in \"$d\"/cpu[0-9]*; do [ -e \"$c\" ] || [ -L \"$c\" ] || continue\n"
	"    printf '\\036F %s\\n' \"${c#\"$R\"}\"; done\n"
	"done\n"
	"for d in \"$R\"/sys/class/net/*; do [ -d \"$d\" ] || continue; s=\"$d\"/statistics\n"
	"  v \"$d\"/ifindex \"$d\"/operstate \"$d\"/mtu \"$d\"/speed \"$s\"/rx_bytes \"$s\"/tx_bytes \"$s\"/rx_packets \"$s\"/tx_packets"
	" \"$s\"/rx_dropped \"$s\"/tx_dropped \"$s\"/rx_errors \"$s\"/tx_errors"
	" \"$d\"/device/sriov_numvfs \"$d\"/device/sriov_totalvfs"
	" \"$d\"/bonding/mode \"$d\"/bonding/slaves \"$d\"/bonding_slave/mii_status\n"
	"  [ -e \"$d\"/device ] && printf '\\036F %s\\n' \"${d#\"$R\"}/device\"\n"
	"done\n"
	/* Per-VM NUMA placement: each QEMU's numa_maps summed per node, on the
	 * host, so a 64 GiB VM costs one line instead of thousands. */
	"printf '\\036C vm-numa\\n'; set --\n"
	"for p in \"$R\"/run/libvirt/qemu/*.pid; do [ -r \"$p\" ] || continue; n=${p##*/}\n"
	"  IFS= read -r pid <\"$p\" 2>/dev/null || continue; f=\"$R/proc/$pid/numa_maps\"\n"
	"  [ -r \"$f\" ] && set -- \"$@\" \"vm=${n%.pid}\" \"$f\"; done\n"
	"[ $# -gt 0 ] && awk 'function out(){printf \"%s\", cur; for (x in s) printf \" N%s=%.0f\", x, s[x]; print \"\"; split(\"\", s)}"
	" FNR==1{if (cur!=\"\") out(); cur=vm} {k=4; for(i=1;i<=NF;i++) if ($i ~ /^kernelpagesize_kB=/) k=substr($i,19);"
	" for(i=1;i<=NF;i++) if ($i ~ /^N[0-9]+=/) {split(substr($i,2),a,\"=\"); s[a[1]]+=a[2]*k*1024}}"
	" END{if (cur!=\"\") out()}' \"$@\" 2>/dev/null\n"
	"command -v getconf >/dev/null 2>&1 && printf '\\036C getconf PAGESIZE\\n' && getconf PAGESIZE\n"
	"if command -v ethtool >/dev/null 2>&1; then for d in \"$R\"/sys/class/net/*; do\n"
	"  [ -e \"$d\"/device ] || continue; n=${d##*/}\n"
	"  printf '\\036C ethtool -c %s\\n' \"$n\"; ethtool -c \"$n\" 2>&1; done; fi\n"
	/* Each NIC's device (interrupt names say virtio0 or a PCI address), and
	 * SR-IOV PFs: their VFs' links, and `ip -d link` for VF MAC/VLAN/trust
	 * when VFs exist (one readlink per physical NIC and per VF). */
	"printf '\\036C netdev-devices\\n'\n"
	"for d in \"$R\"/sys/class/net/*; do [ -L \"$d\"/device ] || continue\n"
	"  printf '%s %s\\n' \"${d##*/}\" \"$(readlink \"$d\"/device)\"; done\n"
	"for d in \"$R\"/sys/class/net/*; do [ -r \"$d\"/device/sriov_totalvfs ] || continue; n=${d##*/}\n"
	"  printf '\\036C sriov %s\\n' \"$n\"\n"
	"  for l in \"$d\"/device \"$d\"/device/virtfn*; do [ -L \"$l\" ] || continue\n"
	"    printf '%s %s\\n' \"${l##*/}\" \"$(readlink \"$l\")\"; done\n"
	"  for v in \"$d\"/device/virtfn*/net/*; do [ -e \"$v\" ] || continue; f=${v%/net/*}\n"
	"    printf 'net %s %s\\n' \"${f##*/}\" \"${v##*/}\"; done\n"
	"  k=0; { IFS= read -r k <\"$d\"/device/sriov_numvfs; } 2>/dev/null\n"
	"  if [ \"${k:-0}\" != 0 ] && command -v ip >/dev/null 2>&1; then\n"
	"    printf '\\036C ip -d link show %s\\n' \"$n\"; ip -d link show dev \"$n\" 2>&1; fi\n"
	"done\n"
	/* Open vSwitch bonds: only when its database socket exists (no fork
	 * otherwise); OVS_RUNDIR as the OVS tools themselves read it. */
	"o=${OVS_RUNDIR:-/var/run/openvswitch}\n"
	"if [ -S \"$o/db.sock\" ] && command -v ovs-appctl >/dev/null 2>&1; then\n"
	"  printf '\\036C ovs-vsctl show\\n'; ovs-vsctl --timeout=3 show 2>&1\n"
	"  printf '\\036C ovs-appctl bond/show\\n'; ovs-appctl --timeout=3 bond/show 2>&1\n"
	"  printf '\\036C ovs-appctl lacp/show\\n'; ovs-appctl --timeout=3 lacp/show 2>&1\n"
	"  printf '\\036C ovs-vsctl get Open_vSwitch . other_config\\n'\n"
	"  ovs-vsctl --timeout=3 get Open_vSwitch . other_config 2>&1; fi\n";

/* GPUs (sysfs mdev tree) and LUNs: see metrics/gpu.h and metrics/lun.h.
 * readlink forks once per existing link only (none on a host without
 * mdevs or SAN LUNs). */
static const char script_devices[] =
	"for d in \"$R\"/sys/class/mdev_bus/*; do [ -d \"$d\" ] || continue\n"
	"  v \"$d\"/numa_node \"$d\"/vendor \"$d\"/device\n"
	"  for t in \"$d\"/mdev_supported_types/*; do [ -d \"$t\" ] || continue\n"
	"    v \"$t\"/name \"$t\"/available_instances \"$t\"/device_api \"$t\"/description; done\n"
	"done\n"
	"printf '\\036C mdevs\\n'\n"
	"for m in \"$R\"/sys/bus/mdev/devices/*; do [ -L \"$m\"/mdev_type ] || continue\n"
	"  printf '%s %s\\n' \"${m##*/}\" \"$(readlink \"$m\"/mdev_type)\"; done\n"
	"printf '\\036C luns\\n'\n"
	"for l in \"$R\"/dev/disk/by-path/*-iscsi-*-lun-* \"$R\"/dev/disk/by-path/*-fc-*-lun-* \"$R\"/dev/disk/by-id/wwn-*; do\n"
	"  [ -L \"$l\" ] || continue; printf '%s %s\\n' \"${l#\"$R\"}\" \"$(readlink \"$l\")\"; done\n"
	"for b in \"$R\"/sys/block/sd* \"$R\"/sys/block/dm-*; do [ -d \"$b\" ] || continue\n"
	"  v \"$b\"/size \"$b\"/device/vendor \"$b\"/device/model \"$b\"/device/wwid; done\n";

static void append_header_text(struct strbuf *sb, const char *s)
{
	for (; *s; s++)
		sb_appendc(sb, (*s == '\n' || *s == '\r' || *s == BUNDLE_SEP) ? ' ' : *s);
}

static void append_body(struct strbuf *sb, const char *sysroot, const char *const *extra_cmds)
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
	sb_append(sb, script_head);
	sb_append(sb, script_devices);
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
	append_body(&sb, sysroot, extra_cmds);
	sb_append(&sb, "exit 0\n");
	return sb_detach(&sb);
}

char *bundle_function(const char *name, const char *sysroot, const char *const *extra_cmds)
{
	struct strbuf sb;
	sb_init(&sb);
	sb_appendf(&sb, "%s() {\n", name);
	append_body(&sb, sysroot, extra_cmds);
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

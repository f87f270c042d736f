# lab-libvirtd.sh — private libvirtd + QEMU (TCG) daemons for tests (POSIX sh, sourced).
#
# Each instance runs in its own mount namespace (unshare -m, private
# propagation) with /etc/libvirt, /run/libvirt, /var/lib/libvirt,
# /var/log/libvirt and /var/cache/libvirt bind-mounted from
# $LAB_ROOT/lv-NAME/{etc,run,lib,log,cache}, optionally inside a lab network
# namespace, with its own host_uuid and the qemu.conf settings of
# ../shared/LAB.md.  Clients reach it from anywhere through its unix socket:
#   qemu+unix:///system?socket=$LAB_ROOT/lv-NAME/run/libvirt-sock
# Stopping kills every process of the instance's mount namespace (libvirtd
# and its QEMUs) by PID.  Disk images live in $LAB_ROOT/images, a path every
# instance sees, so a migrated VM finds its disk (migrate with --unsafe).
#
# Usage (after `. tests/lib/lab-libvirtd.sh`; lab_init is called if needed):
#   lab_libvirtd_available                   (prints why not and fails: for SKIP lines)
#   lab_libvirtd_start NAME [NETNS [ADDR]]   -> LAB_LV_URI_NAME, LAB_LV_DIR_NAME, LAB_LV_PID_NAME
#     NAME [A-Za-z0-9_]; NETNS a lab namespace (lab_netns_add); ADDR its
#     migration_host (default: the namespace's first global IPv4 address).
#     = lab_libvirtd_spawn (no wait) + lab_libvirtd_wait (bounded).
#   lab_libvirtd_uri NAME                    (prints the URI)
#   lab_libvirtd_stop NAME
#   lab_libvirtd_signal NAME SIG             (libvirtd only: its QEMUs keep running)
#   lab_libvirtd_restart NAME                (after a kill: the same directories, namespace
#                                             and host_uuid; it reconnects to its QEMUs)
#   lab_vm_xml NAME DISK [RAM_FILE]          (prints the test VM's XML)
#   lab_vm_define URI NAME [FILL_MIB]        (qcow2 disk $LAB_ROOT/images/NAME.qcow2 +
#                                             define + start; type qemu, machine pc, vda;
#                                             FILL_MIB of random data in its RAM, so that
#                                             a migration at 1 MiB/s lasts seconds)
#   lab_migration_pair_start [SRC DST]       (two daemons, two namespaces, one veth pair)
#     -> LAB_MIG_SRC LAB_MIG_DST (instance names) LAB_MIG_SRC_URI LAB_MIG_DST_URI
#        LAB_MIG_SRC_ADDR LAB_MIG_DST_ADDR
#   lab_migration_pair_stop
# QEMU's capability probe costs a fresh daemon ~8 s; the probe's result is
# kept in $LAB_QEMU_CAPS_CACHE (default /tmp/vdeck-lab-qemu-caps; empty to
# disable) and copied into each new instance.  libvirt checks it against the
# QEMU binary, its own version and the kernel, and probes again if stale.
# libvirtd itself is pinned to one CPU so that cache stays valid (QEMU is not).
# Tunables: LAB_LV_READY_SECS (60) bounds the wait for a fresh daemon;
# LAB_VM_MEM_MIB (256), LAB_VM_MAXMEM_MIB (1024), LAB_VM_DISK_MIB (64).

: "${LAB_LIB:=$(cd "$(dirname "$0")/../lib" 2>/dev/null && pwd)}"
. "$LAB_LIB/lab-common.sh"

lab_libvirtd_available() {
	lab_have libvirtd virsh qemu-system-x86_64 qemu-img unshare ip || {
		echo "libvirtd, virsh, qemu-system-x86_64, qemu-img, unshare or ip missing (tools/deps.sh)"
		return 1
	}
	[ "$(id -u)" = 0 ] || { echo "needs root (mount namespaces)"; return 1; }
	return 0
}

# The QEMU driver refuses to start without these, even with user = "root".
lab_libvirtd_ensure_user() {
	getent group libvirt-qemu >/dev/null 2>&1 || groupadd -r libvirt-qemu 2>/dev/null
	getent passwd libvirt-qemu >/dev/null 2>&1 ||
		useradd -r -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu 2>/dev/null
	getent passwd libvirt-qemu >/dev/null 2>&1
}

lab_libvirtd_uri() {
	eval "echo \"\${LAB_LV_URI_$1:-}\""
}

# lab_libvirtd_prepare NAME ADDR: write the instance's directory and configs.
lab_libvirtd_prepare() {
	local name="$1" addr="$2" dir cpu
	dir=$LAB_ROOT/lv-$name
	mkdir -p "$dir/etc/qemu" "$dir/run" "$dir/lib" "$dir/log" "$dir/cache" "$LAB_ROOT/images" || return 1
	cat >"$dir/etc/libvirtd.conf" <<EOF
unix_sock_dir = "$dir/run"
unix_sock_rw_perms = "0770"
auth_unix_ro = "none"
auth_unix_rw = "none"
host_uuid = "$(cat /proc/sys/kernel/random/uuid)"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
max_clients = 256
max_anonymous_clients = 256
max_workers = 16
keepalive_interval = 5
EOF
	cat >"$dir/etc/qemu.conf" <<EOF
user = "root"
group = "root"
security_driver = "none"
namespaces = [ ]
cgroup_controllers = [ ]
stdio_handler = "file"
dynamic_ownership = 0
remember_owner = 0
EOF
	[ -n "$addr" ] && echo "migration_host = \"$addr\"" >>"$dir/etc/qemu.conf"
	lab_libvirtd_caps_seed "$dir"
	# The daemon is pinned to one CPU (QEMU is not: libvirt gives each VM
	# every host CPU): the probe's CPUID leaf 0x1f holds the x2APIC id of the
	# CPU it ran on, and a cache made on another CPU would count as stale.
	cpu=$(awk '/^Cpus_allowed_list/ {split($2, a, /[-,]/); print a[1]}' /proc/self/status)
	# the startup script runs inside the new mount namespace
	cat >"$dir/start.sh" <<EOF
set -e
mount --make-rprivate /
for m in etc:/etc/libvirt run:/run/libvirt lib:/var/lib/libvirt log:/var/log/libvirt cache:/var/cache/libvirt; do
	mkdir -p "\${m#*:}"
	mount --bind "$dir/\${m%%:*}" "\${m#*:}"
done
exec taskset -c $cpu libvirtd -f /etc/libvirt/libvirtd.conf -p "$dir/run/libvirtd.pid"
EOF
}

LAB_QEMU_CAPS_CACHE=${LAB_QEMU_CAPS_CACHE-/tmp/vdeck-lab-qemu-caps}

lab_libvirtd_caps_seed() {
	[ -n "$LAB_QEMU_CAPS_CACHE" ] || return 0
	ls "$LAB_QEMU_CAPS_CACHE"/*.xml >/dev/null 2>&1 || return 0
	mkdir -p "$1/cache/qemu/capabilities" &&
		cp "$LAB_QEMU_CAPS_CACHE"/*.xml "$1/cache/qemu/capabilities/" 2>/dev/null
	return 0
}

# lab_libvirtd_caps_save DIR: keep a ready daemon's probe for later ones.
lab_libvirtd_caps_save() {
	local tmp
	[ -n "$LAB_QEMU_CAPS_CACHE" ] || return 0
	ls "$LAB_QEMU_CAPS_CACHE"/*.xml >/dev/null 2>&1 && return 0
	ls "$1"/cache/qemu/capabilities/*.xml >/dev/null 2>&1 || return 0
	tmp=$LAB_QEMU_CAPS_CACHE.tmp.$$
	mkdir -p "$tmp" && cp "$1"/cache/qemu/capabilities/*.xml "$tmp/" &&
		mv -T "$tmp" "$LAB_QEMU_CAPS_CACHE" 2>/dev/null
	rm -rf "$tmp"
	return 0
}

lab_libvirtd_ready() {
	timeout 15 virsh -q -c "$1" version >/dev/null 2>&1
}

# lab_libvirtd_spawn NAME [NETNS [ADDR]]: start without waiting.
lab_libvirtd_spawn() {
	local name="$1" netns="${2:-}" addr="${3:-}" dir uri pid
	case $name in *[!A-Za-z0-9_]*|'') lab_log "bad instance name '$name'"; return 1 ;; esac
	[ -n "${LAB_ROOT:-}" ] || lab_init || return 1
	lab_libvirtd_ensure_user || { lab_log "cannot create libvirt-qemu user"; return 1; }
	if [ -n "$netns" ] && [ -z "$addr" ]; then
		addr=$(ip -n "$(lab_netns "$netns")" -4 -o addr show scope global 2>/dev/null |
			awk '{sub(/\/.*/, "", $4); print $4; exit}')
	fi
	dir=$LAB_ROOT/lv-$name
	lab_libvirtd_prepare "$name" "$addr" || return 1
	uri="qemu+unix:///system?socket=$dir/run/libvirt-sock"
	: >"$dir/daemon.out"
	: >"$dir/mntns"
	eval "LAB_LV_DIR_$name=\$dir LAB_LV_NETNS_$name=\$netns"
	lab_libvirtd_run "$name"
	eval "pid=\$LAB_LV_PID_$name"
	eval "LAB_LV_URI_$name=\$uri LAB_LV_DIR_$name=\$dir LAB_LV_PID_$name=\$pid LAB_LV_NETNS_$name=\$netns"
	export "LAB_LV_URI_$name" "LAB_LV_DIR_$name" "LAB_LV_PID_$name" "LAB_LV_NETNS_$name"
	lab_defer "lab_libvirtd_stop $name"
}

# lab_libvirtd_run NAME: starts the prepared instance's start.sh (no wait).
lab_libvirtd_run() {
	local dir netns
	eval "dir=\${LAB_LV_DIR_$1:-} netns=\${LAB_LV_NETNS_$1:-}"
	if [ -n "$netns" ]; then
		setsid ip netns exec "$(lab_netns "$netns")" unshare -m --propagation private \
			sh "$dir/start.sh" </dev/null >>"$dir/daemon.out" 2>&1 &
	else
		setsid unshare -m --propagation private \
			sh "$dir/start.sh" </dev/null >>"$dir/daemon.out" 2>&1 &
	fi
	eval "LAB_LV_PID_$1=\$!"
}

# lab_libvirtd_pid NAME: the daemon's PID (its pidfile once written).
lab_libvirtd_pid() {
	local dir pid
	eval "dir=\${LAB_LV_DIR_$1:-} pid=\${LAB_LV_PID_$1:-}"
	[ -s "$dir/run/libvirtd.pid" ] && pid=$(cat "$dir/run/libvirtd.pid")
	echo "$pid"
}

# lab_libvirtd_signal NAME SIG: signals libvirtd alone; the QEMUs it
# started run on (SIGKILL: as a crashed daemon leaves them).
lab_libvirtd_signal() {
	local pid
	pid=$(lab_libvirtd_pid "$1")
	[ -n "$pid" ] && kill "-$2" "$pid"
}

# lab_libvirtd_restart NAME: starts a killed instance again (same
# directories, network namespace, host_uuid) and waits until it answers.
# It finds the QEMUs its predecessor left and reconnects to them.
lab_libvirtd_restart() {
	local dir pid
	eval "dir=\${LAB_LV_DIR_$1:-}"
	[ -n "$dir" ] || return 1
	pid=$(lab_libvirtd_pid "$1")
	kill -KILL "$pid" 2>/dev/null
	lab_wait 5 lab_pid_gone "$pid"
	rm -f "$dir/run/libvirtd.pid"
	lab_libvirtd_run "$1" && lab_libvirtd_wait "$1"
}

# lab_libvirtd_wait NAME: bounded wait until `virsh version` answers.
lab_libvirtd_wait() {
	local name="$1" dir uri pid deadline mnt
	eval "dir=\${LAB_LV_DIR_$name:-} uri=\${LAB_LV_URI_$name:-} pid=\${LAB_LV_PID_$name:-}"
	[ -n "$pid" ] || return 1
	deadline=$(( $(date +%s) + ${LAB_LV_READY_SECS:-60} ))
	while ! lab_libvirtd_ready "$uri"; do
		[ -s "$dir/run/libvirtd.pid" ] && pid=$(cat "$dir/run/libvirtd.pid")
		if ! lab_pid_alive "$pid" || [ "$(date +%s)" -ge "$deadline" ]; then
			lab_log "libvirtd '$name' did not come up; its log:"
			tail -n 20 "$dir/daemon.out" "$dir/log/libvirtd.log" 2>/dev/null | sed 's/^/#   /' >&2
			return 1
		fi
		sleep 0.2
	done
	# the pidfile is the truth; $! is the same process unless setsid forked
	[ -s "$dir/run/libvirtd.pid" ] && pid=$(cat "$dir/run/libvirtd.pid")
	# every mount namespace the instance ever had (one per start) holds
	# processes to stop: QEMUs outlive a killed daemon
	mnt=$(readlink "/proc/$pid/ns/mnt" 2>/dev/null)
	echo "$mnt" >>"$dir/mntns"
	lab_libvirtd_caps_save "$dir"
	eval "LAB_LV_PID_$name=\$pid"
	return 0
}

# lab_libvirtd_start NAME [NETNS [ADDR]]: start and wait until ready.
# NETNS is a lab namespace (lab_netns_add); ADDR (default: its first global
# IPv4 address) becomes qemu.conf's migration_host.
lab_libvirtd_start() {
	lab_libvirtd_spawn "$@" && lab_libvirtd_wait "$1"
}

# lab_libvirtd_stop NAME: kill libvirtd and every QEMU it started, by PID.
lab_libvirtd_stop() {
	local name="$1" dir pid mnts mnt p pids self
	eval "dir=\${LAB_LV_DIR_$name:-}"
	[ -n "$dir" ] || return 0
	pid=$(lab_libvirtd_pid "$name")
	mnts=$(cat "$dir/mntns" 2>/dev/null)
	[ -z "$mnts" ] && mnts=$(readlink "/proc/$pid/ns/mnt" 2>/dev/null)
	self=$(readlink /proc/self/ns/mnt)
	pids=""
	for p in $(cat "$dir"/run/qemu/*.pid 2>/dev/null); do
		pids="$pids $p"
	done
	for mnt in $mnts; do
		[ "$mnt" = "$self" ] && continue
		for p in /proc/[0-9]*; do
			[ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$mnt" ] && pids="$pids ${p#/proc/}"
		done
	done
	lab_kill_pid "$pid" 5
	for p in $pids; do
		[ "$p" = "$pid" ] && continue
		# only QEMU or libvirt helpers of this instance
		case $(cat "/proc/$p/comm" 2>/dev/null) in
		qemu*|libvirt*|virt*|rpc*|vir*|dnsmasq|prio-rpc*) kill -KILL "$p" 2>/dev/null ;;
		esac
	done
	for p in $pids; do
		lab_wait 5 lab_pid_gone "$p"
	done
	wait "$pid" 2>/dev/null
	eval "LAB_LV_PID_$name="
	return 0
}

# lab_vm_xml NAME DISK [RAM_FILE]: a 256 MiB guest without OS made for
# hotplug tests: 4 vCPUs max / 1 current, maxMemory with 4 slots, one guest
# NUMA cell, a virtio qcow2 disk (vda), a virtio-scsi controller, a virtio
# balloon.  RAM_FILE is loaded into its RAM at 32 MiB (QEMU's loader device):
# a guest without OS has only zero pages, which migrate at once.
lab_vm_xml() {
	local mem="${LAB_VM_MEM_MIB:-256}" ns= extra=
	if [ -n "${3:-}" ]; then
		ns=" xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'"
		extra="  <qemu:commandline>
    <qemu:arg value='-device'/>
    <qemu:arg value='loader,file=$3,addr=0x2000000,force-raw=on'/>
  </qemu:commandline>"
	fi
	cat <<EOF
<domain type='qemu'$ns>
  <name>$1</name>
  <maxMemory slots='4' unit='MiB'>${LAB_VM_MAXMEM_MIB:-1024}</maxMemory>
  <memory unit='MiB'>$mem</memory>
  <currentMemory unit='MiB'>$mem</currentMemory>
  <vcpu placement='static' current='1'>4</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <boot dev='hd'/>
  </os>
  <features><acpi/><apic/></features>
  <cpu mode='custom' match='exact' check='none'>
    <model fallback='allow'>qemu64</model>
    <numa>
      <cell id='0' cpus='0-3' memory='$mem' unit='MiB'/>
    </numa>
  </cpu>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' cache='none'/>
      <source file='$2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <controller type='scsi' index='0' model='virtio-scsi'/>
    <memballoon model='virtio'/>
  </devices>
$extra
</domain>
EOF
}

# lab_vm_define URI NAME [FILL_MIB]: create $LAB_ROOT/images/NAME.qcow2,
# define and start the VM (with FILL_MIB of random data in its RAM).  Prints
# nothing; returns non-zero (with virsh's message on stderr) on failure.
lab_vm_define() {
	local uri="$1" name="$2" disk xml ram=
	disk=$LAB_ROOT/images/$name.qcow2
	mkdir -p "$LAB_ROOT/images"
	timeout 30 qemu-img create -q -f qcow2 "$disk" "${LAB_VM_DISK_MIB:-64}M" || return 1
	if [ -n "${3:-}" ]; then
		ram=$LAB_ROOT/images/$name.ram
		head -c "$3M" /dev/urandom >"$ram" || return 1
	fi
	xml=$LAB_ROOT/images/$name.xml
	lab_vm_xml "$name" "$disk" "$ram" >"$xml"
	timeout 30 virsh -q -c "$uri" define "$xml" >/dev/null || return 1
	timeout 60 virsh -q -c "$uri" start "$name" >/dev/null
}

# lab_migration_pair_start [SRC DST]: two daemons (default names src and
# dst) in namespaces SRC and DST joined by a veth pair 10.77.0.1 <-> 10.77.0.2
# (private to the namespaces), each with migration_host set to its address.
# Migrate with: virsh -c "$LAB_MIG_SRC_URI" migrate --live --unsafe VM "$LAB_MIG_DST_URI"
lab_migration_pair_start() {
	LAB_MIG_SRC=${1:-src} LAB_MIG_DST=${2:-dst}
	LAB_MIG_SRC_ADDR=10.77.0.1 LAB_MIG_DST_ADDR=10.77.0.2
	[ -n "${LAB_ROOT:-}" ] || lab_init || return 1
	lab_netns_add "$LAB_MIG_SRC" && lab_netns_add "$LAB_MIG_DST" || return 1
	lab_veth_pair "$LAB_MIG_SRC" mig0 "$LAB_MIG_DST" mig0 || return 1
	timeout 10 ip -n "$(lab_netns "$LAB_MIG_SRC")" addr add "$LAB_MIG_SRC_ADDR/24" dev mig0 &&
	timeout 10 ip -n "$(lab_netns "$LAB_MIG_DST")" addr add "$LAB_MIG_DST_ADDR/24" dev mig0 || return 1
	# one after the other: the second reuses the first one's QEMU probe
	lab_libvirtd_start "$LAB_MIG_SRC" "$LAB_MIG_SRC" "$LAB_MIG_SRC_ADDR" &&
	lab_libvirtd_start "$LAB_MIG_DST" "$LAB_MIG_DST" "$LAB_MIG_DST_ADDR" || return 1
	LAB_MIG_SRC_URI=$(lab_libvirtd_uri "$LAB_MIG_SRC")
	LAB_MIG_DST_URI=$(lab_libvirtd_uri "$LAB_MIG_DST")
	export LAB_MIG_SRC LAB_MIG_DST LAB_MIG_SRC_ADDR LAB_MIG_DST_ADDR LAB_MIG_SRC_URI LAB_MIG_DST_URI
}

lab_migration_pair_stop() {
	[ -n "${LAB_MIG_SRC:-}" ] || return 0
	lab_libvirtd_stop "$LAB_MIG_SRC"
	lab_libvirtd_stop "$LAB_MIG_DST"
	# the veth pair goes with the namespaces
	timeout 10 ip netns del "$(lab_netns "$LAB_MIG_SRC")" 2>/dev/null
	timeout 10 ip netns del "$(lab_netns "$LAB_MIG_DST")" 2>/dev/null
	return 0
}

# lab_pair_or_skip TAG WHAT — the two-daemon lab for a test, or its SKIP
# (machine cannot run it) / FAIL (daemons did not come up), then exit.
lab_pair_or_skip() {
	if ! _why=$(lab_libvirtd_available); then
		lab_skip "$2: $_why"
		lab_summary
		exit $?
	fi
	lab_init "$1"
	T0=$(lab_now)   # the test's own total is measured from here
	if ! lab_migration_pair_start src dst; then
		lab_fail "two lab daemons up"
		lab_summary
		exit 1
	fi
	lab_pass "two lab daemons up ($(lab_elapsed "$T0") s)"
}

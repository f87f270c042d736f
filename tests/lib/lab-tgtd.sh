# lab-tgtd.sh — a private tgtd (userspace iSCSI target) serving one LUN (POSIX sh, sourced).
#
# tgtd runs in the foreground with its own control port (socket
# /var/run/tgtd/socket.N) and portal; the LUN is a sparse file in LAB_ROOT,
# bound to all initiators.  tgtd ignores SIGTERM, so stopping deletes the
# target, then asks the daemon to exit (--op delete --mode system), and only
# then falls back to SIGKILL by PID.
#
# Usage (after `. tests/lib/lab-tgtd.sh`; lab_init is called if needed):
#   lab_tgtd_start NAME [ADDR [NETNS]]
#     ADDR: portal address (default 127.0.0.1, port chosen free in the root
#     namespace; 3260 inside a lab namespace NETNS).  Exports, for NAME:
#       LAB_TGT_PID_NAME   daemon PID          LAB_TGT_CTL_NAME   control port (tgtadm -C)
#       LAB_TGT_HOST_NAME  portal address      LAB_TGT_PORT_NAME  portal TCP port
#       LAB_TGT_IQN_NAME   target IQN          LAB_TGT_LUN_NAME   LUN number (1)
#       LAB_TGT_FILE_NAME  backing file        LAB_TGT_SIZE_NAME  LUN size in bytes
#   lab_tgtd_disk_xml NAME [DEV]   prints <disk type='network' device='lun'> for the LUN
#   lab_tgtd_adm NAME ARGS...      tgtadm against this instance (--lld iscsi added)
#   lab_tgtd_stop NAME
# Tunables: LAB_TGT_LUN_MIB (64).

: "${LAB_LIB:=$(cd "$(dirname "$0")/../lib" 2>/dev/null && pwd)}"
. "$LAB_LIB/lab-common.sh"

lab_tgtd_available() {
	lab_have tgtd tgtadm ss || { echo "tgtd, tgtadm or ss missing (tools/deps.sh: tgt, iproute2)"; return 1; }
	[ "$(id -u)" = 0 ] || { echo "needs root"; return 1; }
	return 0
}

# lab_free_tcp_port: a TCP port nobody listens on in the root namespace.
lab_free_tcp_port() {
	local p i=0
	while [ $i -lt 50 ]; do
		p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 20000 ))
		ss -Htln "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return 0; }
		i=$((i + 1))
	done
	return 1
}

lab_tgtd_adm() {
	local name="$1" ctl
	shift
	eval "ctl=\${LAB_TGT_CTL_$name:-}"
	timeout 10 tgtadm -C "$ctl" --lld iscsi "$@"
}

lab_tgtd_start() {
	local name="$1" addr="${2:-127.0.0.1}" netns="${3:-}" port ctl i dir pid iqn file size
	case $name in *[!A-Za-z0-9_]*|'') lab_log "bad instance name '$name'"; return 1 ;; esac
	[ -n "${LAB_ROOT:-}" ] || lab_init || return 1
	if [ -n "$netns" ]; then
		port=3260
	else
		port=$(lab_free_tcp_port) || return 1
	fi
	# a control port whose socket nobody holds
	i=0
	while :; do
		ctl=$(( 1000 + $(od -An -N2 -tu2 /dev/urandom) % 30000 ))
		[ -e "/var/run/tgtd/socket.$ctl" ] || break
		i=$((i + 1))
		[ $i -ge 50 ] && return 1
	done
	dir=$LAB_ROOT/tgt-$name
	mkdir -p "$dir" || return 1
	file=$dir/lun1.img
	size=$(( ${LAB_TGT_LUN_MIB:-64} * 1048576 ))
	truncate -s "$size" "$file" || return 1
	iqn="iqn.2024-01.org.vdeck.lab:$(echo "$name" | tr 'A-Z_' 'a-z-')"
	if [ -n "$netns" ]; then
		setsid ip netns exec "$(lab_netns "$netns")" tgtd -f -C "$ctl" --iscsi "portal=$addr:$port" \
			</dev/null >"$dir/tgtd.log" 2>&1 &
	else
		setsid tgtd -f -C "$ctl" --iscsi "portal=$addr:$port" </dev/null >"$dir/tgtd.log" 2>&1 &
	fi
	pid=$!
	eval "LAB_TGT_PID_$name=\$pid LAB_TGT_CTL_$name=\$ctl LAB_TGT_HOST_$name=\$addr LAB_TGT_PORT_$name=\$port"
	eval "LAB_TGT_IQN_$name=\$iqn LAB_TGT_LUN_$name=1 LAB_TGT_FILE_$name=\$file LAB_TGT_SIZE_$name=\$size"
	export "LAB_TGT_PID_$name" "LAB_TGT_CTL_$name" "LAB_TGT_HOST_$name" "LAB_TGT_PORT_$name" \
		"LAB_TGT_IQN_$name" "LAB_TGT_LUN_$name" "LAB_TGT_FILE_$name" "LAB_TGT_SIZE_$name"
	lab_defer "lab_tgtd_stop $name"
	if ! lab_wait 15 timeout 5 tgtadm -C "$ctl" --op show --mode system; then
		lab_log "tgtd '$name' did not answer on control port $ctl:"
		tail -n 10 "$dir/tgtd.log" | sed 's/^/#   /' >&2
		return 1
	fi
	lab_tgtd_adm "$name" --op new --mode target --tid 1 -T "$iqn" &&
	lab_tgtd_adm "$name" --op new --mode logicalunit --tid 1 --lun 1 -b "$file" &&
	lab_tgtd_adm "$name" --op bind --mode target --tid 1 -I ALL || {
		lab_log "tgtd '$name': cannot create the target"
		return 1
	}
}

# lab_tgtd_disk_xml NAME [DEV]: the LUN as SCSI passthrough (scsi-block) over
# QEMU's own iSCSI initiator, target DEV (default sda) on the scsi bus.
lab_tgtd_disk_xml() {
	local name="$1" host port iqn lun
	eval "host=\${LAB_TGT_HOST_$name} port=\${LAB_TGT_PORT_$name} iqn=\${LAB_TGT_IQN_$name} lun=\${LAB_TGT_LUN_$name}"
	cat <<EOF
<disk type='network' device='lun'>
  <driver name='qemu' type='raw'/>
  <source protocol='iscsi' name='$iqn/$lun'>
    <host name='$host' port='$port'/>
  </source>
  <target dev='${2:-sda}' bus='scsi'/>
</disk>
EOF
}

lab_tgtd_stop() {
	local name="$1" pid ctl
	eval "pid=\${LAB_TGT_PID_$name:-} ctl=\${LAB_TGT_CTL_$name:-}"
	[ -n "$pid" ] || return 0
	if lab_pid_alive "$pid"; then
		lab_tgtd_adm "$name" --op delete --mode target --tid 1 --force >/dev/null 2>&1
		timeout 5 tgtadm -C "$ctl" --op delete --mode system >/dev/null 2>&1
		lab_wait 5 lab_pid_gone "$pid" || { kill -KILL "$pid" 2>/dev/null; lab_wait 3 lab_pid_gone "$pid"; }
	fi
	wait "$pid" 2>/dev/null
	rm -f "/var/run/tgtd/socket.$ctl" "/var/run/tgtd/socket.$ctl.lock"
	eval "LAB_TGT_PID_$name="
	return 0
}

# lab-ovs.sh — private Open vSwitch instances (userspace datapath) for LACP tests (POSIX sh, sourced).
#
# An instance NAME is an ovsdb-server and an ovs-vswitchd running in the
# lab network namespace ovs_NAME, with every path (database, db socket,
# unixctl sockets, pidfiles, logs) under $LAB_ROOT/ovs-NAME and one bridge
# br0 with datapath_type=netdev.  The OVS clients reach an instance from any
# namespace through its unix sockets: set OVS_RUNDIR (LAB_OVS_ENV_NAME) or
# put LAB_OVS_BIN_NAME first in PATH, and plain `ovs-vsctl` / `ovs-appctl`
# talk to that instance.  The daemons are stopped by PID; the namespace (and
# the veths in it) is deleted.
#
# Usage (after `. tests/lib/lab-ovs.sh`; lab_init is called if needed):
#   lab_ovs_start NAME            -> LAB_OVS_DIR_NAME LAB_OVS_RUNDIR_NAME LAB_OVS_DB_NAME
#                                    LAB_OVS_CTL_NAME LAB_OVS_NETNS_NAME LAB_OVS_ENV_NAME
#                                    LAB_OVS_BIN_NAME LAB_OVS_PIDS_NAME
#   lab_ovs_stop NAME
#   lab_ovs_vsctl NAME ARGS...    ovs-vsctl against instance NAME (bounded)
#   lab_ovs_appctl NAME ARGS...   ovs-appctl to NAME's ovs-vswitchd (bounded)
#   lab_ovs_host_vsctl / lab_ovs_host_appctl ARGS...   the same for "host"
#   lab_ovs_pair_start            instances "host" and "switch", joined by two veth
#                                 pairs host:eth1<->switch:swp1, host:eth2<->switch:swp2
#     -> LAB_OVS_HOST_PORTS="eth1 eth2" LAB_OVS_SWITCH_PORTS="swp1 swp2"
#        LAB_OVS_HOST_NETNS LAB_OVS_SWITCH_NETNS (real namespace names)
#   lab_ovs_pair_stop
#   lab_ovs_bond NAME BOND PORT...   add-bond on br0: lacp=active, bond_mode=balance-tcp,
#                                    other_config:lacp-time=fast
#   lab_ovs_switch_bond [BOND]       that bond (default bond0) over swp1 swp2 on "switch"
#   lab_ovs_link NAME PORT up|down   sets the link of PORT in NAME's namespace
#   lab_ovs_lacp_negotiated NAME BOND  true when lacp/show says negotiated and
#                                      every member is current and attached

: "${LAB_LIB:=$(cd "$(dirname "$0")/../lib" 2>/dev/null && pwd)}"
. "$LAB_LIB/lab-common.sh"

LAB_OVS_SCHEMA=${LAB_OVS_SCHEMA:-/usr/share/openvswitch/vswitch.ovsschema}

lab_ovs_available() {
	lab_have ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl ovs-appctl ip ||
		{ echo "Open vSwitch or iproute2 missing (tools/deps.sh: openvswitch-switch)"; return 1; }
	[ -r "$LAB_OVS_SCHEMA" ] || { echo "no $LAB_OVS_SCHEMA"; return 1; }
	[ -c /dev/net/tun ] || { echo "no /dev/net/tun (the netdev bridge port needs a tap)"; return 1; }
	[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; return 1; }
	return 0
}

lab_ovs_vsctl() {
	local db
	eval "db=\${LAB_OVS_DB_$1:-}"
	shift
	timeout 15 ovs-vsctl --db="$db" --timeout=10 "$@"
}

lab_ovs_appctl() {
	local ctl
	eval "ctl=\${LAB_OVS_CTL_$1:-}"
	shift
	timeout 15 ovs-appctl -t "$ctl" --timeout=10 "$@"
}

lab_ovs_host_vsctl() { lab_ovs_vsctl host "$@"; }
lab_ovs_host_appctl() { lab_ovs_appctl host "$@"; }

lab_ovs_start() {
	local name="$1" dir run ns pids p envs ctl
	case $name in *[!A-Za-z0-9_]*|'') lab_log "bad instance name '$name'"; return 1 ;; esac
	[ -n "${LAB_ROOT:-}" ] || lab_init || return 1
	dir=$LAB_ROOT/ovs-$name
	run=$dir/run
	mkdir -p "$run" "$dir/db" "$dir/log" "$dir/etc" "$dir/bin" || return 1
	lab_netns_add "ovs_$name" || return 1
	ns=$(lab_netns "ovs_$name")
	envs="OVS_RUNDIR=$run OVS_DBDIR=$dir/db OVS_LOGDIR=$dir/log OVS_SYSCONFDIR=$dir/etc"
	eval "LAB_OVS_DIR_$name=\$dir LAB_OVS_RUNDIR_$name=\$run LAB_OVS_DB_$name=unix:\$run/db.sock"
	eval "LAB_OVS_NETNS_$name=\$ns LAB_OVS_ENV_$name=\$envs LAB_OVS_BIN_$name=\$dir/bin LAB_OVS_PIDS_$name="
	export "LAB_OVS_DIR_$name" "LAB_OVS_RUNDIR_$name" "LAB_OVS_DB_$name" "LAB_OVS_NETNS_$name" \
		"LAB_OVS_ENV_$name" "LAB_OVS_BIN_$name" "LAB_OVS_PIDS_$name"
	lab_defer "lab_ovs_stop $name"
	timeout 15 ovsdb-tool create "$dir/db/conf.db" "$LAB_OVS_SCHEMA" || return 1
	# shellcheck disable=SC2086
	setsid ip netns exec "$ns" env $envs ovsdb-server "$dir/db/conf.db" \
		--remote="punix:$run/db.sock" --pidfile="$run/ovsdb-server.pid" \
		--unixctl="$run/ovsdb-server.ctl" --log-file="$dir/log/ovsdb-server.log" \
		--no-chdir </dev/null >"$dir/log/ovsdb-server.out" 2>&1 &
	pids=$!
	eval "LAB_OVS_PIDS_$name=\$pids"
	if ! lab_wait 15 timeout 5 ovs-vsctl --db="unix:$run/db.sock" --timeout=3 --no-wait init; then
		lab_log "ovsdb-server '$name' did not come up:"
		tail -n 10 "$dir/log/ovsdb-server.log" "$dir/log/ovsdb-server.out" 2>/dev/null | sed 's/^/#   /' >&2
		return 1
	fi
	# default unixctl path ($OVS_RUNDIR/ovs-vswitchd.PID.ctl): plain
	# `ovs-appctl CMD` with OVS_RUNDIR set finds it
	# shellcheck disable=SC2086
	setsid ip netns exec "$ns" env $envs ovs-vswitchd "unix:$run/db.sock" \
		--pidfile="$run/ovs-vswitchd.pid" --log-file="$dir/log/ovs-vswitchd.log" \
		--no-chdir </dev/null >"$dir/log/ovs-vswitchd.out" 2>&1 &
	p=$!
	pids="$pids $p"
	ctl=$run/ovs-vswitchd.$p.ctl
	eval "LAB_OVS_PIDS_$name=\$pids LAB_OVS_CTL_$name=\$ctl"
	export "LAB_OVS_CTL_$name"
	if ! lab_wait 15 timeout 5 ovs-appctl -t "$ctl" --timeout=3 version; then
		lab_log "ovs-vswitchd '$name' did not come up:"
		tail -n 10 "$dir/log/ovs-vswitchd.log" "$dir/log/ovs-vswitchd.out" 2>/dev/null | sed 's/^/#   /' >&2
		return 1
	fi
	for p in ovs-vsctl ovs-appctl ovs-ofctl; do
		printf '#!/bin/sh\n# %s of lab OVS instance %s\nexport %s\nexec %s "$@"\n' \
			"$p" "$name" "$envs" "$(command -v $p)" >"$dir/bin/$p"
		chmod 755 "$dir/bin/$p"
	done
	lab_ovs_vsctl "$name" add-br br0 -- set bridge br0 datapath_type=netdev
}

lab_ovs_stop() {
	local name="$1" pids p
	eval "pids=\${LAB_OVS_PIDS_$name:-}"
	[ -n "$pids" ] || return 0
	# ovs-vswitchd first (it is the second PID), then ovsdb-server
	for p in $(echo "$pids" | awk '{for (i = NF; i > 0; i--) print $i}'); do
		lab_kill_pid "$p" 5
		wait "$p" 2>/dev/null
	done
	timeout 10 ip netns del "$(lab_netns "ovs_$name")" 2>/dev/null
	eval "LAB_OVS_PIDS_$name="
	return 0
}

lab_ovs_pair_start() {
	lab_ovs_start host && lab_ovs_start switch || return 1
	lab_veth_pair ovs_host eth1 ovs_switch swp1 &&
	lab_veth_pair ovs_host eth2 ovs_switch swp2 || return 1
	LAB_OVS_HOST_PORTS="eth1 eth2" LAB_OVS_SWITCH_PORTS="swp1 swp2"
	LAB_OVS_HOST_NETNS=$LAB_OVS_NETNS_host LAB_OVS_SWITCH_NETNS=$LAB_OVS_NETNS_switch
	export LAB_OVS_HOST_PORTS LAB_OVS_SWITCH_PORTS LAB_OVS_HOST_NETNS LAB_OVS_SWITCH_NETNS
}

lab_ovs_pair_stop() {
	lab_ovs_stop host
	lab_ovs_stop switch
}

# lab_ovs_bond NAME BOND PORT...
lab_ovs_bond() {
	local name="$1" bond="$2"
	shift 2
	lab_ovs_vsctl "$name" add-bond br0 "$bond" "$@" lacp=active \
		-- set port "$bond" bond_mode=balance-tcp other_config:lacp-time=fast
}

lab_ovs_switch_bond() {
	lab_ovs_bond switch "${1:-bond0}" swp1 swp2
}

lab_ovs_link() {
	timeout 10 ip -n "$(lab_netns "ovs_$1")" link set "$2" "$3"
}

# lab_ovs_lacp_negotiated NAME BOND: lacp/show reports "status: active
# negotiated" and no member is anything but current and attached.  The
# status line alone is not enough: OVS 3.1 prints "negotiated" right after
# add-bond with no partner at all (members "expired", partner sys_id zero).
lab_ovs_lacp_negotiated() {
	local out
	out=$(lab_ovs_appctl "$1" lacp/show "$2" 2>/dev/null) || return 1
	printf '%s\n' "$out" | grep -q 'status: .*negotiated' || return 1
	printf '%s\n' "$out" | grep -qE '^(slave|member):? ' || return 1
	! printf '%s\n' "$out" | grep -E '^(slave|member):? ' | grep -qvE ': current attached$'
}

#!/bin/sh
# test_lab_ovs.sh — smoke test of tests/lib/lab-ovs.sh: two private Open
# vSwitch instances ("host" and "switch", userspace datapath, one network
# namespace each, two veth pairs) negotiate an LACP bond; a member set down
# is reported disabled, and set up again it rejoins.
LAB_LIB=$(cd "$(dirname "$0")/../lib" && pwd)
. "$LAB_LIB/lab-ovs.sh"

T0=$(lab_now)
if ! why=$(lab_ovs_available); then
	lab_skip "lab ovs: $why"
	lab_summary
	exit $?
fi
lab_init ovstest

if lab_ovs_pair_start; then
	lab_pass "host and switch instances up ($(lab_elapsed "$T0") s)"
else
	lab_fail "host and switch instances up"
	lab_summary
	exit 1
fi
lab_check "bridge br0 uses the netdev datapath" sh -c \
	"[ \"\$(timeout 10 ovs-vsctl --db='$LAB_OVS_DB_host' get bridge br0 datapath_type)\" = netdev ]"
lab_check "host ports eth1 eth2 are in the host namespace" \
	timeout 10 ip -n "$LAB_OVS_HOST_NETNS" link show eth2
lab_check "the instances are private (host db knows no swp1)" sh -c \
	"! timeout 10 ovs-vsctl --db='$LAB_OVS_DB_host' list-ifaces br0 | grep -q swp"

# the host side as vdeck will do it over SSH: plain ovs-vsctl, PATH wrapper
lab_check "host-side LACP bond through the PATH wrappers" env PATH="$LAB_OVS_BIN_host:$PATH" \
	timeout 15 ovs-vsctl add-bond br0 bond0 eth1 eth2 lacp=active \
	-- set port bond0 bond_mode=balance-tcp other_config:lacp-time=fast
sleep 0.3
# OVS may already print "status: active negotiated" here, with members
# "expired" and a partner 00:00:00:00:00:00: only member states tell
if lab_ovs_lacp_negotiated host bond0; then
	lab_fail "without a partner the host bond is not negotiated"
else
	lab_pass "without a partner the host bond is not negotiated"
fi
lab_check "switch-side LACP bond" lab_ovs_switch_bond bond0

t=$(lab_now)
if lab_wait 10 lab_ovs_lacp_negotiated host bond0 && lab_wait 5 lab_ovs_lacp_negotiated switch bond0; then
	lab_pass "LACP negotiated on both sides ($(lab_elapsed "$t") s)"
else
	lab_fail "LACP negotiated on both sides"
	lab_ovs_host_appctl lacp/show bond0 | sed 's/^/    /'
fi
sw_id=$(lab_ovs_appctl switch lacp/show bond0 | awk '/^  sys_id:/ {print $2; exit}')
lab_check "host's partner is the switch ($sw_id)" sh -c \
	"[ -n '$sw_id' ] && env OVS_RUNDIR='$LAB_OVS_RUNDIR_host' timeout 10 ovs-appctl lacp/show bond0 | grep -q 'partner sys_id: $sw_id'"
lab_check "bond/show: both members enabled" sh -c \
	"[ \"\$(env PATH='$LAB_OVS_BIN_host':\$PATH timeout 10 ovs-appctl bond/show bond0 | grep -c '^member eth[12]: enabled')\" = 2 ]"

eth1_disabled() { lab_ovs_host_appctl bond/show bond0 | grep -q '^member eth1: disabled'; }
eth1_enabled() { lab_ovs_host_appctl bond/show bond0 | grep -q '^member eth1: enabled'; }

t=$(lab_now)
lab_ovs_link host eth1 down
if lab_wait 5 eth1_disabled; then
	lab_pass "member eth1 down is reported disabled ($(lab_elapsed "$t") s)"
else
	lab_fail "member eth1 down is reported disabled"
fi
lab_check "lacp/show no longer has eth1 current" sh -c \
	"lab_out=\$(timeout 10 ovs-appctl -t '$LAB_OVS_CTL_host' lacp/show bond0) && \
	printf '%s\n' \"\$lab_out\" | grep -q '^member: eth1: ' && ! printf '%s\n' \"\$lab_out\" | grep -q '^member: eth1: current'"
lab_check "the bond stays up on eth2" sh -c \
	"timeout 10 ovs-appctl -t '$LAB_OVS_CTL_host' bond/show bond0 | grep -q '^member eth2: enabled'"

t=$(lab_now)
lab_ovs_link host eth1 up
if lab_wait 10 eth1_enabled && lab_wait 10 lab_ovs_lacp_negotiated host bond0; then
	lab_pass "member eth1 up rejoins ($(lab_elapsed "$t") s)"
else
	lab_fail "member eth1 up rejoins"
	lab_ovs_host_appctl lacp/show bond0 | sed 's/^/    /'
fi

pids="$LAB_OVS_PIDS_host $LAB_OVS_PIDS_switch"
lab_ovs_pair_stop
gone=1
for p in $pids; do lab_pid_gone "$p" || gone=""; done
lab_check "daemons stopped by PID" test -n "$gone"
lab_check "namespaces removed" sh -c "! ip netns list | grep -q '$LAB_OVS_HOST_NETNS'"

echo "# wall time $(lab_elapsed "$T0") s"
lab_summary

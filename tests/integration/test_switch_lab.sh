#!/bin/sh
# test_switch_lab.sh — a distributed switch on two real hosts: two private
# libvirtd daemons (QEMU under TCG), each in the network namespace of its
# own Open vSwitch (userspace datapath, bridge br0 as the uplink), its
# ovs-vsctl reaching that instance.  switch-apply defines dvs0 on both and
# stops at the first host whose nwfilter reference does not resolve
# (nwfilter is real here, unlike in the test driver); a VM's NIC on
# portgroup web gets VLAN 100 on its OVS port, and nic-portgroup moves it
# live to app (VLAN 200); a portgroup changed live by hand (virsh
# net-update) and a definition changed by hand (virsh net-define of an
# edited XML) are reported by --check and converged back.
# Run only under the shared lab lock: flock /tmp/vdeck-lab.lock sh THIS.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_LIB=$ROOT/tests/lib
. "$LAB_LIB/lab-ovs.sh"
. "$LAB_LIB/lab-libvirtd.sh"
VDECK=${VDECK:-$ROOT/vdeck}

for why in "$(lab_ovs_available)" "$(lab_libvirtd_available)"; do
	if [ -n "$why" ]; then
		lab_skip "switch lab: $why"
		lab_summary
		exit $?
	fi
done
lab_init switch
T0=$(lab_now)

# one OVS and one libvirtd per host, in one namespace; libvirtd's
# ovs-vsctl is the PATH wrapper that talks to its host's instance
for n in a b; do
	lab_ovs_start "$n" || { lab_fail "OVS $n up"; lab_summary; exit 1; }
	eval "bin=\$LAB_OVS_BIN_$n rundir=\$LAB_OVS_RUNDIR_$n"
	saved_path=$PATH
	PATH="$bin:$PATH"
	export OVS_RUNDIR="$rundir"
	lab_libvirtd_spawn "$n" "ovs_$n"
	PATH=$saved_path
	unset OVS_RUNDIR
done
for n in a b; do
	lab_libvirtd_wait "$n" || { lab_fail "libvirtd $n up"; lab_summary; exit 1; }
done
lab_pass "two hosts (OVS + libvirtd each) up in $(lab_elapsed "$T0") s"
URI_A=$LAB_LV_URI_a URI_B=$LAB_LV_URI_b
va() { timeout 30 virsh -q -c "$URI_A" "$@"; }
vb() { timeout 30 virsh -q -c "$URI_B" "$@"; }

export XDG_STATE_HOME="$LAB_ROOT/state" XDG_CONFIG_HOME="$LAB_ROOT/config"
cat >"$LAB_ROOT/cluster.lua" <<EOF
host { name = "lva", transport = "none", libvirt = "$URI_A", interval = 1 }
host { name = "lvb", transport = "none", libvirt = "$URI_B", interval = 1 }
switch { name = "dvs0", hosts = { "lva", "lvb" }, uplink = "br0", backend = "ovs",
  portgroups = {
    { name = "web", vlan = 100, default = true },
    { name = "app", vlan = 200 },
    { name = "secure", vlan = 300, filter = "vdeck-clean" },
    { name = "db", trunk = { 10, 20 }, bandwidth = { inbound = { average = 1000, peak = 2000, burst = 256 } } },
  } }
EOF
vd() { timeout 120 "$VDECK" -c "$LAB_ROOT/cluster.lua" --no-lock "$@" >"$LAB_ROOT/out" 2>&1; echo $? >"$LAB_ROOT/rc"; }
has() { grep -qF -- "$1" "$LAB_ROOT/out"; }
rc_is() { [ "$(cat "$LAB_ROOT/rc")" = "$1" ]; }
show() { sed 's/^/    /' "$LAB_ROOT/out" | tail -n 25; }
check_out() { # MSG NEEDLE
	if has "$2"; then lab_pass "$1"; else lab_fail "$1 (no '$2')"; show; fi
}
printf "<filter name='no-mac-spoofing' chain='mac'/>\n" >"$LAB_ROOT/f0.xml"
printf "<filter name='vdeck-clean' chain='root'>\n  <filterref filter='no-mac-spoofing'/>\n</filter>\n" >"$LAB_ROOT/f.xml"

vd --check
check_out "--check: dvs0 missing on lva" "dvs0         lva          missing"
check_out "--check: dvs0 missing on lvb" "dvs0         lvb          missing"

vd --dry-run --exec switch-apply switch=dvs0
check_out "dry-run prints lva's network as it would be defined" "lva: network missing, defined as"
check_out "dry-run shows the OVS virtualport" "+   <virtualport type='openvswitch'/>"
if va net-list --all | grep -q dvs0 || vb net-list --all | grep -q dvs0; then
	lab_fail "dry-run defined nothing"
else
	lab_pass "dry-run defined nothing"
fi

# the nwfilter the portgroup secure requires exists on lva only: lvb fails
if va nwfilter-define "$LAB_ROOT/f0.xml" >/dev/null && va nwfilter-define "$LAB_ROOT/f.xml" >/dev/null; then
	lab_pass "nwfilter vdeck-clean defined on lva"
else
	lab_fail "nwfilter vdeck-clean defined on lva"
fi
vd --exec switch-apply switch=dvs0
if rc_is 1 && has "lvb: still drifted after the change: portgroup secure: nwfilter vdeck-clean is not defined on the host" &&
   has "(stopped; done: lva)"; then
	lab_pass "switch-apply stops at lvb, whose nwfilter reference does not resolve"
else
	lab_fail "switch-apply stops at lvb, whose nwfilter reference does not resolve"; show
fi
vb nwfilter-define "$LAB_ROOT/f0.xml" >/dev/null && vb nwfilter-define "$LAB_ROOT/f.xml" >/dev/null
vd --exec switch-apply switch=dvs0
if rc_is 0 && has "lvb: converged" && has 'skipped=["lva","lvb"]'; then
	lab_pass "once lvb has the nwfilter, both are converged (its network was defined the first time)"
else
	lab_fail "once lvb has the nwfilter, both are converged"; show
fi
for n in a b; do
	eval "u=\$LAB_LV_URI_$n"
	x=$(timeout 30 virsh -q -c "$u" net-dumpxml dvs0 2>&1)
	case $x in
	*"<virtualport type='openvswitch'/>"*"<portgroup name='web' default='yes'>"*"<tag id='100'/>"*"<portgroup name='db'>"*"<vlan trunk='yes'>"*"<inbound average='1000' peak='2000' burst='256'/>"*)
		lab_pass "host $n: libvirt's dvs0 has the OVS virtualport, VLANs, trunk and bandwidth" ;;
	*) lab_fail "host $n: libvirt's dvs0 as the switch declares it"; echo "$x" | sed 's/^/    /' ;;
	esac
	if timeout 30 virsh -q -c "$u" net-info dvs0 | grep -q '^Autostart: *yes'; then
		lab_pass "host $n: dvs0 autostarts"
	else
		lab_fail "host $n: dvs0 autostarts"
	fi
done
vd --check
check_out "--check: converged on lva" "dvs0         lva          converged"
check_out "--check: converged on lvb" "dvs0         lvb          converged"

# a VM on portgroup web: its OVS port carries VLAN 100
timeout 30 qemu-img create -q -f qcow2 "$LAB_ROOT/images/vm1.qcow2" 64M
lab_vm_xml vm1 "$LAB_ROOT/images/vm1.qcow2" |
	sed "s#</devices>#<interface type='network'><mac address='52:54:00:d5:00:01'/><source network='dvs0' portgroup='web'/><model type='virtio'/></interface></devices>#" \
	>"$LAB_ROOT/vm1.xml"
if va define "$LAB_ROOT/vm1.xml" >/dev/null && va start vm1 >"$LAB_ROOT/start.out" 2>&1; then
	lab_pass "vm1 starts with its NIC on dvs0/web"
else
	lab_fail "vm1 starts with its NIC on dvs0/web"; sed 's/^/    /' "$LAB_ROOT/start.out"
fi
tap=$(va domiflist vm1 | awk '$5 == "52:54:00:d5:00:01" {print $1}')
tag_of() { lab_ovs_vsctl a get Port "$tap" tag 2>/dev/null; }
tag_is() { [ "$(tag_of)" = "$1" ]; }
if [ -n "$tap" ] && tag_is 100; then
	lab_pass "vm1's OVS port $tap has tag 100 (portgroup web)"
else
	lab_fail "vm1's OVS port ${tap:-?} has tag 100 (got '$(tag_of)')"
fi

# moved live to portgroup app: the tag follows, the VM keeps running
vd --exec nic-portgroup vm=vm1 portgroup=app
if rc_is 0 && lab_wait 5 tag_is 200; then
	lab_pass "nic-portgroup moves vm1 to app live: tag 200 on $tap"
else
	lab_fail "nic-portgroup moves vm1 to app live (tag '$(tag_of)')"; show
fi
if va domstate vm1 | grep -q running; then lab_pass "vm1 still runs"; else lab_fail "vm1 still runs"; fi
if va dumpxml vm1 | grep -q "portgroup='app'"; then
	lab_pass "vm1's live XML names portgroup app"
else
	lab_fail "vm1's live XML names portgroup app"
fi
vd -e 'vdeck.domain("vm1"):set_nic("52:54:00:d5:00:01", { vlan = 42 })'
if rc_is 0 && lab_wait 5 tag_is 42; then
	lab_pass "d:set_nic{ vlan = 42 } retags the port live"
else
	lab_fail "d:set_nic{ vlan = 42 } retags the port live (tag '$(tag_of)')"; show
fi

# drift by hand, live: lva's portgroup app on VLAN 201
va net-update dvs0 modify portgroup "<portgroup name='app'><vlan><tag id='201'/></vlan></portgroup>" --live --config >/dev/null
vd --check
check_out "--check reports lva's live VLAN drift" "portgroup app: vlan 200, host has 201"
# drift by hand, in the definition: lvb's web on VLAN 101 (net-define of an edited XML)
vb net-dumpxml dvs0 | sed "s/<tag id='100'\/>/<tag id='101'\/>/" >"$LAB_ROOT/edited.xml"
vb net-define "$LAB_ROOT/edited.xml" >/dev/null
vd --check
check_out "--check reports lvb's edited definition" "next start: portgroup web: vlan 100, host has 101"
vd --exec switch-apply switch=dvs0
if rc_is 0 && has 'done=["lva","lvb"]'; then
	lab_pass "switch-apply converges both back"
else
	lab_fail "switch-apply converges both back"; show
fi
vd --check
check_out "--check: lva converged again" "dvs0         lva          converged"
check_out "--check: lvb converged again" "dvs0         lvb          converged"
if va net-dumpxml dvs0 | grep -A2 "name='app'" | grep -q "tag id='200'"; then
	lab_pass "lva's running network has app on VLAN 200 again (virNetworkUpdate)"
else
	lab_fail "lva's running network has app on VLAN 200 again"
fi
if vb net-dumpxml --inactive dvs0 | grep -A2 "name='web'" | grep -q "tag id='100'"; then
	lab_pass "lvb's definition has web on VLAN 100 again"
else
	lab_fail "lvb's definition has web on VLAN 100 again"
fi
if va domstate vm1 | grep -q running; then lab_pass "vm1 ran through it all"; else lab_fail "vm1 ran through it all"; fi
lab_log "total $(lab_elapsed "$T0") s"
lab_summary

#!/bin/sh
# test_coalesce_lab.sh — d:set_coalesce on real QEMU (TCG) behind a private
# libvirtd in a network namespace (tests/lib/lab-libvirtd.sh): the VM's
# bridge NIC gets <coalesce><rx><frames max='32'/> through
# virDomainUpdateDeviceFlags, libvirt applies it to the host-side tap, and
# `ethtool -c vnetN` in the namespace shows rx-frames 32; d:nics() reads it
# back; --dry-run prints the update and changes nothing.  A second,
# multiqueue NIC (<driver queues='2'/>) takes its update too: the XML sent
# is the NIC's element as libvirt dumped it, queues and all.  Run under
# `flock /tmp/vdeck-lab.lock`; cleans up its namespace and daemon.
LAB_LIB=$(cd "$(dirname "$0")/../lib" && pwd)
. "$LAB_LIB/lab-libvirtd.sh"
VDECK=${VDECK:-$(cd "$(dirname "$0")/../.." && pwd)/vdeck}

if ! why=$(lab_libvirtd_available); then
	lab_skip "lab libvirtd: $why"
	lab_summary
	exit $?
fi
command -v ethtool >/dev/null 2>&1 || { lab_skip "ethtool not installed"; lab_summary; exit $?; }
lab_init coallab
lab_netns_add coal || { lab_fail "namespace"; lab_summary; exit 1; }
lab_netns_exec coal ip link add br0 type bridge && lab_netns_exec coal ip link set br0 up ||
	{ lab_fail "a bridge in the namespace"; lab_summary; exit 1; }
lab_libvirtd_start one coal || { lab_fail "libvirtd in the namespace"; lab_summary; exit 1; }
URI=$LAB_LV_URI_one
mkdir -p "$LAB_ROOT/images"
timeout 30 qemu-img create -q -f qcow2 "$LAB_ROOT/images/cvm.qcow2" 64M
lab_vm_xml cvm "$LAB_ROOT/images/cvm.qcow2" |
	sed "s|<memballoon model='virtio'/>|<interface type='bridge'><mac address='52:54:00:c0:a1:01'/><source bridge='br0'/><model type='virtio'/></interface>\n    <interface type='bridge'><mac address='52:54:00:c0:a1:02'/><source bridge='br0'/><model type='virtio'/><driver queues='2'/></interface>\n    <memballoon model='virtio'/>|" \
	>"$LAB_ROOT/images/cvm.xml"
if timeout 30 virsh -q -c "$URI" define "$LAB_ROOT/images/cvm.xml" >/dev/null &&
   timeout 60 virsh -q -c "$URI" start cvm >/dev/null; then
	lab_pass "a VM with a bridge NIC runs"
else
	lab_fail "a VM with a bridge NIC runs"
	lab_summary
	exit 1
fi
tap=$(timeout 30 virsh -q -c "$URI" domiflist cvm | awk '{print $1; exit}')
lab_check "its tap is in the namespace ($tap)" lab_netns_exec coal ip link show "$tap"
before=$(lab_netns_exec coal ethtool -c "$tap" 2>&1 | awk '/^rx-frames:/{print $2}')

export XDG_STATE_HOME="$LAB_ROOT/state"
cat >"$LAB_ROOT/cluster.lua" <<LUA
host { name = "lab", transport = "none", libvirt = "$URI", interval = 1 }
LUA
"$VDECK" -c "$LAB_ROOT/cluster.lua" --no-lock --dry-run \
	-e 'vdeck.domain("cvm"):set_coalesce("52:54:00:c0:a1:01", { rx_frames = 32 })' >"$LAB_ROOT/dry.out" 2>&1
lab_check "dry-run prints virDomainUpdateDeviceFlags" grep -q 'virDomainUpdateDeviceFlags("cvm", xml, VIR_DOMAIN_AFFECT_LIVE)' "$LAB_ROOT/dry.out"
lab_check "with the <coalesce> element" grep -q '<coalesce><rx><frames max="32"/></rx></coalesce>' "$LAB_ROOT/dry.out"
now=$(lab_netns_exec coal ethtool -c "$tap" 2>&1 | awk '/^rx-frames:/{print $2}')
lab_check "dry-run changed nothing (rx-frames $before)" test "$now" = "$before"

"$VDECK" -c "$LAB_ROOT/cluster.lua" --no-lock -e '
local d = vdeck.domain("cvm")
d:set_coalesce("52:54:00:c0:a1:01", { rx_frames = 32 })
for _, n in ipairs(d:nics()) do print("nic", n.mac, n.mode, n.target, n.coalesce_rx_frames) end' >"$LAB_ROOT/run.out" 2>&1
sed 's/^/    /' "$LAB_ROOT/run.out"
lab_check "libvirt took the update" grep -q "^nic	52:54:00:c0:a1:01	bridge	$tap	32" "$LAB_ROOT/run.out"
lab_netns_exec coal ethtool -c "$tap" >"$LAB_ROOT/ethtool.out" 2>&1
lab_check "ethtool -c $tap shows rx-frames 32" grep -qx 'rx-frames: 32' "$LAB_ROOT/ethtool.out"
lab_check "audited" grep -q '"domain":"cvm","operation":"set_coalesce".*"result":"ok"' "$LAB_ROOT/state/vdeck/audit.jsonl"

# a multiqueue NIC: the update keeps its <driver queues='2'/> (a rebuilt
# element without it would be another device to libvirt)
tap2=$(timeout 30 virsh -q -c "$URI" domiflist cvm | awk '$5 == "52:54:00:c0:a1:02" {print $1}')
"$VDECK" -c "$LAB_ROOT/cluster.lua" --no-lock --dry-run \
	-e 'vdeck.domain("cvm"):set_coalesce("52:54:00:c0:a1:02", { rx_frames = 16 })' >"$LAB_ROOT/dry2.out" 2>&1
lab_check "the update is the NIC as libvirt has it (queues, tap, alias)" \
	sh -c "grep -q 'queues=\"2\"' '$LAB_ROOT/dry2.out' && grep -q 'dev=\"$tap2\"' '$LAB_ROOT/dry2.out' && grep -q '<alias name=' '$LAB_ROOT/dry2.out'"
"$VDECK" -c "$LAB_ROOT/cluster.lua" --no-lock -e '
local d = vdeck.domain("cvm")
d:set_coalesce("52:54:00:c0:a1:02", { rx_frames = 16 })
for _, n in ipairs(d:nics()) do print("nic", n.mac, n.queues, n.target, n.coalesce_rx_frames) end' >"$LAB_ROOT/run2.out" 2>&1
sed 's/^/    /' "$LAB_ROOT/run2.out"
lab_check "libvirt took the multiqueue NIC's update" grep -q "^nic	52:54:00:c0:a1:02	2	$tap2	16" "$LAB_ROOT/run2.out"
lab_netns_exec coal ethtool -c "$tap2" >"$LAB_ROOT/ethtool2.out" 2>&1
lab_check "ethtool -c $tap2 shows rx-frames 16" grep -qx 'rx-frames: 16' "$LAB_ROOT/ethtool2.out"
lab_summary

#!/bin/sh
# test_numa_place_lab.sh — numa-place against a private libvirtd + QEMU
# (TCG) with three tiny guests without OS (tests/lib/lab-libvirtd.sh).
#   - the host polled locally as it is: this machine's NUMA topology (one
#     node here, as libvirt also reports): the plan keeps every VM and says
#     why, the apply changes nothing (no pin or numatune sent, virsh shows
#     none); the same from libvirt's cell count alone (transport "none");
#   - the same daemon seen through a sysroot that splits this machine's two
#     CPUs into two nodes (node 0: CPU 0, room for two guests; node 1: CPU
#     1), the guests' real numa_maps read through it: the plan puts two
#     guests on node 0 and one on node 1, and the apply with config=true
#     leaves each persistent definition with its vCPU pinned to its node's
#     CPU and a strict numatune on the node (virsh dumpxml --inactive).
# Skips where the machine cannot run it.
LAB_LIB=$(cd "$(dirname "$0")/../lib" && pwd)
. "$LAB_LIB/lab-libvirtd.sh"
VDECK=${VDECK:-$(cd "$(dirname "$0")/../.." && pwd)/vdeck}
LAB_VM_MEM_MIB=128
export LAB_VM_MEM_MIB

if ! _why=$(lab_libvirtd_available); then
	lab_skip "numa-place lab: $_why"
	lab_summary
	exit $?
fi
if [ "$(nproc)" -lt 2 ]; then
	lab_skip "numa-place lab: needs 2 CPUs to make two nodes of ($(nproc) here)"
	lab_summary
	exit $?
fi
lab_init nplab
T0=$(lab_now)
lab_libvirtd_start np || { lab_fail "lab daemon up"; lab_summary; exit 1; }
URI=$(lab_libvirtd_uri np)
pids=""
for v in g1 g2 g3; do
	lab_vm_define "$URI" "$v" &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p" || { lab_fail "three guests started"; lab_summary; exit 1; }
done
lab_pass "lab daemon and three guests up ($(lab_elapsed "$T0") s)"
export XDG_STATE_HOME="$LAB_ROOT/state" XDG_CONFIG_HOME="$LAB_ROOT/config"
AUDIT=$XDG_STATE_HOME/vdeck/audit.jsonl

vd() { # INVENTORY ARGS...: output in $LAB_ROOT/out, exit code in $rc
	_inv=$1
	shift
	_t=$(lab_now)
	timeout 120 "$VDECK" -c "$_inv" --no-lock "$@" >"$LAB_ROOT/out" 2>&1
	rc=$?
	echo "# vdeck $* : exit $rc, $(lab_elapsed "$_t") s"
	sed 's/^/#   /' "$LAB_ROOT/out"
}
inactive() { # VM: its persistent definition
	timeout 10 virsh -q -c "$URI" dumpxml --inactive "$1"
}

# ---- the machine as it is ----
cells=$(timeout 10 virsh -q -c "$URI" nodeinfo | sed -n 's/^NUMA cell(s): *//p')
nodes=$(ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l)
echo "# libvirt reports $cells NUMA cell(s); sysfs has $nodes node(s)"
echo "host { name = \"lab\", transport = \"local\", libvirt = \"$URI\", interval = 1 }" >"$LAB_ROOT/one.lua"
if [ "$nodes" = 1 ] && [ "$cells" = 1 ]; then
	vd "$LAB_ROOT/one.lua" --exec numa-place host=lab
	lab_check "one node: numa-place exits 0" test "$rc" = 0
	lab_check "every guest kept, with the reason" sh -c \
		"[ \$(grep -Ec '^g[123] +0\\.1G +keep +0 .* lab has one NUMA node: nothing to place\$' '$LAB_ROOT/out') = 3 ]"
	lab_check "it says there is nothing to place" grep -q '^numa-place lab: nothing to place' "$LAB_ROOT/out"
	lab_check "nothing placed" grep -q 'placed=0 to_place=0' "$LAB_ROOT/out"
	lab_check "no pin or numatune sent" sh -c "! grep -Eq '\"operation\":\"(pin_vcpus|set_numatune)\"' '$AUDIT' 2>/dev/null"
	lab_check "virsh: no pins, no numatune" sh -c \
		"! timeout 10 virsh -q -c '$URI' dumpxml g1 | grep -Eq '<vcpupin|<numatune'"
	# no shell transport: libvirt's cell count alone
	echo "host { name = \"lab0\", transport = \"none\", libvirt = \"$URI\", interval = 1 }" >"$LAB_ROOT/none.lua"
	vd "$LAB_ROOT/none.lua" --exec numa-place host=lab0
	lab_check "libvirt's one cell alone: exit 0, every guest kept" sh -c "[ $rc = 0 ] &&
		[ \$(grep -Ec '^g[123] +0\\.1G +keep +0 .* lab0 has one NUMA node: nothing to place\$' '$LAB_ROOT/out') = 3 ]"
else
	lab_skip "one-node plan: this machine has $nodes node(s), libvirt $cells cell(s)"
fi

# ---- two nodes, through a sysroot ----
S=$LAB_ROOT/sysroot
mkdir -p "$S/sys/devices/system/cpu" "$S/proc" "$S/run/libvirt"
node() { # ID CPUS TOTAL_KB FREE_KB DISTANCES
	mkdir -p "$S/sys/devices/system/node/node$1"
	echo "$2" >"$S/sys/devices/system/node/node$1/cpulist"
	printf 'Node %s MemTotal: %12s kB\nNode %s MemFree:  %12s kB\nNode %s MemUsed:  %12s kB\n' \
		"$1" "$3" "$1" "$4" "$1" $(($3 - $4)) >"$S/sys/devices/system/node/node$1/meminfo"
	echo "$5" >"$S/sys/devices/system/node/node$1/distance"
}
node 0 0 327680 327680 "10 21"     # 320 MiB: two 128 MiB guests, not three
node 1 1 4194304 4194304 "21 10"
echo 0-1 >"$S/sys/devices/system/cpu/online"
cp /proc/meminfo "$S/proc/meminfo"
# the daemon's QEMU pidfiles and the QEMUs' /proc entries (numa_maps)
ln -s "$(eval echo "\$LAB_LV_DIR_np")/run/qemu" "$S/run/libvirt/qemu"
for v in g1 g2 g3; do
	p=$(cat "$(eval echo "\$LAB_LV_DIR_np")/run/qemu/$v.pid")
	ln -s "/proc/$p" "$S/proc/$p"
done
echo "host { name = \"lab2\", transport = \"local\", libvirt = \"$URI\", sysroot = \"$S\", interval = 1 }" \
	>"$LAB_ROOT/two.lua"
vd "$LAB_ROOT/two.lua" --dry-run --exec numa-place host=lab2
lab_check "two nodes: the dry run exits 0" test "$rc" = 0
lab_check "two guests to node 0 (CPU 0), one to node 1 (CPU 1)" sh -c \
	"[ \$(grep -Ec '^g[123] +0\\.1G +pin +0 +0 ' '$LAB_ROOT/out') = 2 ] &&
	 [ \$(grep -Ec '^g[123] +0\\.1G +pin +1 +1 ' '$LAB_ROOT/out') = 1 ]"
sed -n 's/^\(g[123]\) .* pin \+\([01]\) .*/\1 \2/p' "$LAB_ROOT/out" >"$LAB_ROOT/plan"
lab_check "the dry run sent nothing" sh -c "! grep -Eq '\"operation\":\"(pin_vcpus|set_numatune)\".*\"dry_run\":false' '$AUDIT' 2>/dev/null"

vd "$LAB_ROOT/two.lua" --exec numa-place host=lab2 config=true
lab_check "apply (config=true) exits 0" test "$rc" = 0
lab_check "three guests placed" grep -q 'placed=3 to_place=3' "$LAB_ROOT/out"
while read -r vm n; do
	inactive "$vm" | grep -E 'vcpupin|numatune|memory mode' | sed "s/^/# $vm: /"
	lab_check "virsh dumpxml --inactive $vm: vCPU 0 pinned to CPU $n" sh -c \
		"timeout 10 virsh -q -c '$URI' dumpxml --inactive $vm | grep -q \"<vcpupin vcpu='0' cpuset='$n'/>\""
	lab_check "virsh dumpxml --inactive $vm: numatune strict on node $n" sh -c \
		"timeout 10 virsh -q -c '$URI' dumpxml --inactive $vm | grep -q \"<memory mode='strict' nodeset='$n'/>\""
done <"$LAB_ROOT/plan"
lab_check "audit: three pins and three numatunes ok" sh -c \
	"[ \$(grep -c '\"record\":\"result\".*\"operation\":\"pin_vcpus\".*\"result\":\"ok\"' '$AUDIT') = 3 ] &&
	 [ \$(grep -c '\"record\":\"result\".*\"operation\":\"set_numatune\".*\"result\":\"ok\"' '$AUDIT') = 3 ]"
echo "# total $(lab_elapsed "$T0") s"
lab_summary

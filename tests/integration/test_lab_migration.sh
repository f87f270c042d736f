#!/bin/sh
# test_lab_migration.sh — smoke test of lab_migration_pair_start: two private
# libvirtd daemons in two network namespaces joined by a veth pair; a running
# VM migrates live from one to the other and runs there, not on the source,
# taking along an iSCSI LUN (tgtd in the source namespace) it uses as RDM.
LAB_LIB=$(cd "$(dirname "$0")/../lib" && pwd)
. "$LAB_LIB/lab-libvirtd.sh"
. "$LAB_LIB/lab-tgtd.sh"

T0=$(lab_now)
if ! why=$(lab_libvirtd_available) || ! why=$(lab_tgtd_available); then
	lab_skip "lab migration: $why"
	lab_summary
	exit $?
fi
lab_init migtest

if lab_migration_pair_start src dst; then
	lab_pass "two daemons up in two namespaces ($(lab_elapsed "$T0") s)"
else
	lab_fail "two daemons up in two namespaces"
	lab_summary
	exit 1
fi
lab_check "destination address is on the dst namespace's veth" sh -c \
	"timeout 10 ip -n '$(lab_netns dst)' -4 -o addr show dev mig0 | grep -q ' $LAB_MIG_DST_ADDR/'"
u1=$(timeout 10 virsh -q -c "$LAB_MIG_SRC_URI" capabilities | grep -m1 '<uuid>')
u2=$(timeout 10 virsh -q -c "$LAB_MIG_DST_URI" capabilities | grep -m1 '<uuid>')
lab_check "host UUIDs differ ($u1 / $u2)" sh -c "[ -n '$u1' ] && [ '$u1' != '$u2' ]"

if lab_vm_define "$LAB_MIG_SRC_URI" mvm; then
	lab_pass "VM started on the source"
else
	lab_fail "VM started on the source"
	lab_summary
	exit 1
fi

# the LUN's portal is the source namespace's address, reachable from both
if lab_tgtd_start mlun "$LAB_MIG_SRC_ADDR" "$LAB_MIG_SRC"; then
	lab_pass "tgtd up in the source namespace at $LAB_TGT_HOST_mlun:$LAB_TGT_PORT_mlun"
else
	lab_fail "tgtd up in the source namespace"
fi
lab_tgtd_disk_xml mlun sda >"$LAB_ROOT/lun.xml"
lab_check "attach the LUN before migrating" timeout 30 virsh -q -c "$LAB_MIG_SRC_URI" \
	attach-device mvm "$LAB_ROOT/lun.xml" --live

t=$(lab_now)
lab_check "virsh migrate --live --unsafe" timeout 60 virsh -q -c "$LAB_MIG_SRC_URI" \
	migrate --live --unsafe --verbose mvm "$LAB_MIG_DST_URI"
echo "# migration took $(lab_elapsed "$t") s"
lab_check "VM runs on the destination" sh -c \
	"timeout 10 virsh -q -c '$LAB_MIG_DST_URI' domstate mvm | grep -qx running"
lab_check "VM no longer runs on the source" sh -c \
	"! timeout 10 virsh -q -c '$LAB_MIG_SRC_URI' list --name | grep -qx mvm"
lab_check "source QEMU exited" sh -c "[ ! -e '$LAB_ROOT/lv-src/run/qemu/mvm.pid' ]"
lab_check "the LUN came along as scsi-block" sh -c \
	"timeout 10 virsh -q -c '$LAB_MIG_DST_URI' qemu-monitor-command mvm --hmp 'info qtree' | grep -q 'dev: scsi-block'"
lab_check "destination QEMU process is alive" sh -c \
	"kill -0 \$(cat '$LAB_ROOT/lv-dst/run/qemu/mvm.pid')"
lab_check "destination QEMU lives in the dst namespace" sh -c \
	"[ \"\$(readlink /proc/\$(cat '$LAB_ROOT/lv-dst/run/qemu/mvm.pid')/ns/net)\" = \
	\"\$(readlink /proc/$LAB_LV_PID_dst/ns/net)\" ]"

p1=$LAB_LV_PID_src p2=$LAB_LV_PID_dst
q=$(cat "$LAB_ROOT/lv-dst/run/qemu/mvm.pid" 2>/dev/null)
lab_migration_pair_stop
lab_check "daemons and QEMU stopped" sh -c "! kill -0 $p1 2>/dev/null && ! kill -0 $p2 2>/dev/null && \
	{ ! kill -0 $q 2>/dev/null || grep -q '^State:.*Z' /proc/$q/status; }"
lab_check "namespaces removed" sh -c "! ip netns list | grep -q '$(lab_netns src)'"

echo "# wall time $(lab_elapsed "$T0") s"
lab_summary

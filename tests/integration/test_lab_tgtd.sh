#!/bin/sh
# test_lab_tgtd.sh — smoke test of tests/lib/lab-tgtd.sh: a private tgtd
# serves a file-backed LUN, and a running VM of a private libvirtd hot-plugs
# it as <disk type='network' device='lun'> (SCSI passthrough through QEMU's
# libiscsi); tgtd then stops cleanly although it ignores SIGTERM.
LAB_LIB=$(cd "$(dirname "$0")/../lib" && pwd)
. "$LAB_LIB/lab-libvirtd.sh"
. "$LAB_LIB/lab-tgtd.sh"

T0=$(lab_now)
if ! why=$(lab_libvirtd_available) || ! why=$(lab_tgtd_available); then
	lab_skip "lab tgtd: $why"
	lab_summary
	exit $?
fi
lab_init tgttest

if lab_tgtd_start lun0; then
	lab_pass "tgtd up with a target ($(lab_elapsed "$T0") s)"
else
	lab_fail "tgtd up with a target"
	lab_summary
	exit 1
fi
show=$(lab_tgtd_adm lun0 --op show --mode target 2>&1)
lab_check "target lists the IQN" sh -c "printf '%s' \"\$1\" | grep -q 'Target 1: $LAB_TGT_IQN_lun0'" - "$show"
lab_check "LUN 1 is backed by the sparse file" sh -c "printf '%s' \"\$1\" | grep -q 'Backing store path: $LAB_TGT_FILE_lun0'" - "$show"
lab_check "bound to all initiators" sh -c "printf '%s' \"\$1\" | grep -q '^ *ALL\$'" - "$show"
lab_check "portal listens on $LAB_TGT_HOST_lun0:$LAB_TGT_PORT_lun0" sh -c \
	"ss -Htln 'sport = :$LAB_TGT_PORT_lun0' | grep -q '$LAB_TGT_HOST_lun0:$LAB_TGT_PORT_lun0'"

if lab_libvirtd_start one && lab_vm_define "$LAB_LV_URI_one" rdm; then
	lab_pass "libvirtd and a VM up ($(lab_elapsed "$T0") s)"
else
	lab_fail "libvirtd and a VM up"
	lab_summary
	exit 1
fi
URI=$LAB_LV_URI_one
lab_tgtd_disk_xml lun0 sda >"$LAB_ROOT/lun.xml"
lab_check "attach the iSCSI LUN live" timeout 30 virsh -q -c "$URI" attach-device rdm "$LAB_ROOT/lun.xml" --live
lab_check "the VM lists sda" sh -c "timeout 10 virsh -q -c '$URI' domblklist rdm | grep -q '^ *sda .*$LAB_TGT_IQN_lun0/1'"
lab_check "QEMU drives it as scsi-block (passthrough)" sh -c \
	"timeout 10 virsh -q -c '$URI' qemu-monitor-command rdm --hmp 'info qtree' | grep -q 'dev: scsi-block'"
lab_check "tgtd sees the initiator's session" sh -c \
	"lab() { timeout 10 tgtadm -C $LAB_TGT_CTL_lun0 --lld iscsi --op show --mode target; }; lab | grep -q 'I_T nexus: [0-9]'"
lab_check "capacity is the LUN size" sh -c \
	"timeout 10 virsh -q -c '$URI' domblkinfo rdm sda | grep -Eq '^Capacity: +$LAB_TGT_SIZE_lun0\$'"

lab_libvirtd_stop one
pid=$LAB_TGT_PID_lun0
t=$(lab_now)
lab_tgtd_stop lun0
lab_check "tgtd exited by --op delete --mode system ($(lab_elapsed "$t") s)" lab_pid_gone "$pid"
lab_check "its control socket is gone" sh -c "[ ! -e /var/run/tgtd/socket.$LAB_TGT_CTL_lun0 ]"

echo "# wall time $(lab_elapsed "$T0") s"
lab_summary

#!/bin/sh
# test_lab_libvirtd.sh — smoke test of tests/lib/lab-libvirtd.sh: a private
# libvirtd + QEMU (TCG) runs a VM, and the live operations vdeck's operation
# tests rely on really work there (vCPU add, balloon, DIMM, external
# snapshot + active commit with pivot, online resize, domstats); stopping
# leaves no process behind.
LAB_LIB=$(cd "$(dirname "$0")/../lib" && pwd)
. "$LAB_LIB/lab-libvirtd.sh"

T0=$(lab_now)
if ! why=$(lab_libvirtd_available); then
	lab_skip "lab libvirtd: $why"
	lab_summary
	exit $?
fi
lab_init lvtest

v() { timeout 30 virsh -q -c "$URI" "$@"; }

if lab_libvirtd_start one; then
	lab_pass "libvirtd starts privately and answers ($(lab_elapsed "$T0") s)"
else
	lab_fail "libvirtd starts privately and answers"
	lab_summary
	exit 1
fi
URI=$LAB_LV_URI_one
case $URI in
"qemu+unix:///system?socket=$LAB_ROOT/lv-one/run/libvirt-sock") lab_pass "URI exported as LAB_LV_URI_one" ;;
*) lab_fail "URI exported as LAB_LV_URI_one (got '$URI')" ;;
esac
lab_check "the daemon's own /etc/libvirt is private" \
	sh -c "[ ! -e /etc/libvirt/qemu.conf ] || ! grep -q 'security_driver = \"none\"' /etc/libvirt/qemu.conf"

t=$(lab_now)
if lab_vm_define "$URI" vm1; then
	lab_pass "VM defined and started ($(lab_elapsed "$t") s)"
else
	lab_fail "VM defined and started"
	lab_summary
	exit 1
fi
lab_check "VM is running" sh -c "timeout 10 virsh -q -c '$URI' domstate vm1 | grep -qx running"

lab_check "setvcpus --live 2" v setvcpus vm1 2 --live
lab_check "vcpucount reads 2" sh -c "[ \"\$(timeout 10 virsh -q -c '$URI' vcpucount vm1 --live --active)\" = 2 ]"

lab_check "setmem --live 200M" v setmem vm1 200M --live
# without a guest balloon driver the reported size stays put; the target is
# accepted, and one above the maximum must be refused
lab_check "setmem above the maximum is refused" sh -c "! timeout 10 virsh -q -c '$URI' setmem vm1 2G --live"

cat >"$LAB_ROOT/dimm.xml" <<'EOF'
<memory model='dimm'>
  <target>
    <size unit='MiB'>128</size>
    <node>0</node>
  </target>
</memory>
EOF
lab_check "attach a 128 MiB dimm" v attach-device vm1 "$LAB_ROOT/dimm.xml" --live
lab_check "total memory is 384 MiB" sh -c \
	"timeout 10 virsh -q -c '$URI' dumpxml vm1 | grep -q \"<memory unit='KiB'>393216<\""

overlay=$LAB_ROOT/images/vm1-snap1.qcow2
lab_check "external disk-only snapshot" v snapshot-create-as vm1 snap1 --disk-only --atomic \
	--diskspec "vda,snapshot=external,file=$overlay"
lab_check "vda now writes to the overlay" sh -c \
	"timeout 10 virsh -q -c '$URI' domblklist vm1 | grep -q '$overlay'"
lab_check "blockcommit --active --pivot" timeout 60 virsh -q -c "$URI" blockcommit vm1 vda --active --pivot --wait
lab_check "vda is back on the base image" sh -c \
	"timeout 10 virsh -q -c '$URI' domblklist vm1 | grep -q '$LAB_ROOT/images/vm1.qcow2'"

lab_check "blockresize vda to 128 MiB" v blockresize vm1 vda 128M
lab_check "capacity reads 134217728" sh -c \
	"timeout 10 virsh -q -c '$URI' domblkinfo vm1 vda | grep -Eq '^Capacity: +134217728$'"

stats=$(timeout 30 virsh -q -c "$URI" domstats vm1 2>&1)
for key in state.state=1 vcpu.current=2 balloon.current= block.count=1 block.0.capacity=134217728 cpu.time=; do
	if printf '%s\n' "$stats" | grep -q "^ *$key"; then
		lab_pass "domstats has $key"
	else
		lab_fail "domstats has $key"
	fi
done

pid=$LAB_LV_PID_one
qpid=$(cat "$LAB_ROOT"/lv-one/run/qemu/vm1.pid 2>/dev/null)
t=$(lab_now)
lab_libvirtd_stop one
lab_check "libvirtd stopped ($(lab_elapsed "$t") s)" lab_pid_gone "$pid"
lab_check "its QEMU stopped" lab_pid_gone "$qpid"

echo "# wall time $(lab_elapsed "$T0") s"
lab_summary

#!/bin/sh
# test_pinning_lab.sh — placement on real QEMU (TCG) behind a private
# libvirtd (tests/lib/lab-libvirtd.sh): live vCPU pins and the emulator pin,
# checked with virsh and with the affinity of QEMU's threads
# (/proc/PID/task/*/status); numatune in the persistent definition, checked
# with virsh dumpxml --inactive; memory-reclaim on the lab guest, which has
# no OS and so no balloon statistics: the runbook lists it with that reason
# and leaves its balloon alone.  The host is polled locally (transport
# "local"), so validation reads this machine's real NUMA topology.
LAB_LIB=$(cd "$(dirname "$0")/../lib" && pwd)
. "$LAB_LIB/lab-libvirtd.sh"
VDECK=${VDECK:-$(cd "$(dirname "$0")/../.." && pwd)/vdeck}

if ! _why=$(lab_libvirtd_available); then
	lab_skip "pinning lab: $_why"
	lab_summary
	exit $?
fi
if [ "$(nproc)" -lt 2 ]; then
	lab_skip "pinning lab: needs 2 CPUs to tell pins apart ($(nproc) here)"
	lab_summary
	exit $?
fi
lab_init pinlab
T0=$(lab_now)
lab_libvirtd_start pin || { lab_fail "lab daemon up"; lab_summary; exit 1; }
URI=$(lab_libvirtd_uri pin)
lab_vm_define "$URI" pvm || { lab_fail "VM started"; lab_summary; exit 1; }
lab_pass "lab daemon and VM up ($(lab_elapsed "$T0") s)"
export XDG_STATE_HOME="$LAB_ROOT/state"
echo "host { name = \"lab\", transport = \"local\", libvirt = \"$URI\", interval = 1 }" >"$LAB_ROOT/cluster.lua"
cat >"$LAB_ROOT/pin.lua" <<'LUA'
local function ok(c, name, detail) print((c and "ok - " or "not ok - ") .. name .. ((not c and detail) and (": " .. tostring(detail)) or "")) end
local d = vdeck.domain("pvm")
ok(d.state == "running", "pvm runs")
d:set_vcpus(2)
ok(d.vcpus == 2, "two vCPUs online", d.vcpus)
local r = d:pin_vcpus { [0] = "0", [1] = "1", live = true }
ok(r.ok and r.call:find('virDomainPinVcpuFlags("pvm", 1, cpumap=1, VIR_DOMAIN_AFFECT_LIVE)', 1, true) ~= nil,
   "pin_vcpus accepted live", r.call)
local pins = {}
for _, p in ipairs(d:vcpu_pins()) do pins[p.vcpu] = p.cpuset end
ok(pins[0] == "0" and pins[1] == "1", "the live definition has both pins", tostring(pins[0]) .. " " .. tostring(pins[1]))
r = d:pin_emulator("1", { live = true })
ok(r.ok and d.emulator_pin == "1", "emulator pinned live", d.emulator_pin)
local good, err = pcall(d.pin_vcpu, d, 0, "64")
ok(not good and tostring(err):find("CPU 64 does not exist on host lab") ~= nil, "a CPU the host lacks: refused", err)
r = d:set_numatune { mode = "strict", nodeset = "0", config = true }
ok(r.ok, "numatune in the persistent definition", r.call)
good, err = pcall(d.set_numatune, d, { nodeset = "7", config = true })
ok(not good and tostring(err):find("NUMA node 7 does not exist on host lab") ~= nil, "a node the host lacks: refused", err)
LUA
t=$(lab_now)
timeout 120 "$VDECK" -c "$LAB_ROOT/cluster.lua" --no-lock --exec "$LAB_ROOT/pin.lua" >"$LAB_ROOT/out" 2>&1
rc=$?
echo "# vdeck ran $(lab_elapsed "$t") s, exit $rc"
lab_tap_results "$LAB_ROOT/out"
lab_check "vdeck exited 0" test "$rc" = 0

virsh -q -c "$URI" vcpupin pvm | sed 's/^/# vcpupin: /'
virsh -q -c "$URI" emulatorpin pvm | sed 's/^/# emulatorpin: /'
lab_check "virsh vcpupin: vCPU 0 on CPU 0, vCPU 1 on CPU 1" sh -c \
	"timeout 10 virsh -q -c '$URI' vcpupin pvm | tr -s ' ' | grep -qx ' *0 *0' &&
	 timeout 10 virsh -q -c '$URI' vcpupin pvm | tr -s ' ' | grep -qx ' *1 *1'"
lab_check "virsh emulatorpin: CPU 1" sh -c \
	"timeout 10 virsh -q -c '$URI' emulatorpin pvm | grep -Eqx ' *(\\*: *)?1 *'"
dir=$(eval echo "\$LAB_LV_DIR_pin")
pid=$(cat "$dir/run/qemu/pvm.pid" 2>/dev/null)
# Cpus_allowed_list of QEMU's thread whose name starts with $1
allowed() {
	for s in /proc/"$pid"/task/*/status; do
		case $(sed -n 's/^Name:\t//p' "$s") in
		"$1"*) sed -n 's/^Cpus_allowed_list:\t//p' "$s"; return 0 ;;
		esac
	done
	echo none
}
for s in /proc/"$pid"/task/*/status; do
	echo "# thread $(sed -n 's/^Name:\t//p' "$s"): $(sed -n 's/^Cpus_allowed_list:\t//p' "$s")"
done
lab_check "thread affinity: vCPU 0's thread on CPU 0" test "$(allowed 'CPU 0/')" = 0
lab_check "thread affinity: vCPU 1's thread on CPU 1" test "$(allowed 'CPU 1/')" = 1
lab_check "thread affinity: the emulator's main thread on CPU 1" test \
	"$(sed -n 's/^Cpus_allowed_list:\t//p' "/proc/$pid/task/$pid/status")" = 1
lab_check "virsh dumpxml --inactive: numatune strict on node 0" sh -c \
	"timeout 10 virsh -q -c '$URI' dumpxml --inactive pvm | grep -q \"<memory mode='strict' nodeset='0'/>\""
lab_check "audit holds the pins" grep -q '"operation":"pin_vcpus".*"result":"ok"' "$XDG_STATE_HOME/vdeck/audit.jsonl"

# memory-reclaim on a guest without OS: no balloon statistics, said so
before=$(timeout 10 virsh -q -c "$URI" dominfo pvm | sed -n 's/^Used memory: *//p')
timeout 120 "$VDECK" -c "$LAB_ROOT/cluster.lua" --no-lock --exec memory-reclaim host=lab >"$LAB_ROOT/reclaim" 2>&1
rc=$?
sed 's/^/# /' "$LAB_ROOT/reclaim"
lab_check "memory-reclaim exited 0" test "$rc" = 0
lab_check "memory-reclaim says the guest reports no balloon statistics" \
	grep -q "skip  pvm on lab: the guest reports no balloon statistics" "$LAB_ROOT/reclaim"
lab_check "the balloon is unchanged" test \
	"$(timeout 10 virsh -q -c "$URI" dominfo pvm | sed -n 's/^Used memory: *//p')" = "$before"
echo "# total $(lab_elapsed "$T0") s"
lab_summary

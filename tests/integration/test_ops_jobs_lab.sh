#!/bin/sh
# test_ops_jobs_lab.sh — hot-unplug and long jobs against real QEMU (TCG)
# behind two private libvirtd daemons (tests/lib/lab-libvirtd.sh):
#   - NIC attach on a bridge, then detach: the VM has no guest OS, so QEMU
#     never releases the NIC; vdeck must not report it done but time out
#     naming the missing device-removed event, and the NIC stays;
#   - DIMM attach, then detach_memory: the same event logic;
#   - d:abort_job() during a migration held at 1 MiB/s: the migration fails
#     as cancelled and the VM still runs on the source;
#   - an async migration (a task) whose on_progress sees in-flight samples
#     and always a final "done" report at fraction 1, then t:wait().
# Skips with a reason where the machine cannot run it.
LAB_LIB=$(cd "$(dirname "$0")/../lib" && pwd)
. "$LAB_LIB/lab-libvirtd.sh"
VDECK=${VDECK:-$(cd "$(dirname "$0")/../.." && pwd)/vdeck}

lab_pair_or_skip jobslab "jobs lab"
[ -n "${LAB_KEEP_AUDIT:-}" ] && lab_defer "cp $LAB_ROOT/state/vdeck/audit.jsonl $LAB_KEEP_AUDIT"
lab_vm_define "$LAB_MIG_SRC_URI" jvm || { lab_fail "VM started"; lab_summary; exit 1; }
# a bridge for NICs in both daemons' network namespaces (the NIC that
# stays must find its bridge on the migration target too)
if timeout 10 ip -n "$(lab_netns src)" link add vbr0 type bridge &&
	timeout 10 ip -n "$(lab_netns src)" link set vbr0 up &&
	timeout 10 ip -n "$(lab_netns dst)" link add vbr0 type bridge &&
	timeout 10 ip -n "$(lab_netns dst)" link set vbr0 up; then
	HAVE_BRIDGE=1
else
	HAVE_BRIDGE=0
	lab_skip "NIC hotplug: cannot create a bridge in the lab namespace"
fi
export XDG_STATE_HOME="$LAB_ROOT/state"
cat >"$LAB_ROOT/cluster.lua" <<EOF
host { name = "src", transport = "none", libvirt = "$LAB_MIG_SRC_URI", interval = 1 }
host { name = "dst", transport = "none", libvirt = "$LAB_MIG_DST_URI", interval = 1 }
EOF
cat >"$LAB_ROOT/jobs.lua" <<'EOF'
local function ok(c, name, detail) print((c and "ok - " or "not ok - ") .. name .. ((not c and detail) and (": " .. tostring(detail)) or "")) end
local function sleep(s) os.execute("sleep " .. s) end
local d = vdeck.domain("jvm")
ok(d.state == "running", "jvm runs")
-- NIC hotplug; without a guest the unplug never completes
if os.getenv("HAVE_BRIDGE") == "1" then
  local r = d:attach_nic { bridge = "vbr0", model = "virtio" }
  local nic = d:nics()[1]
  ok(r.ok and #d:nics() == 1 and nic.source == "vbr0" and nic.mac:match("^%x%x:"), "NIC attached on vbr0",
     nic and nic.source)
  local t0 = os.clock()
  local good, err = pcall(d.detach_nic, d, nic.mac, { timeout = 2 })
  ok(not good and tostring(err):find("did not release it within 2000 ms (no device-removed event)", 1, true),
     "NIC detach times out naming the missing device-removed event", err)
  ok(type(err) == "table" and err.code == "timeout", "the error is a timeout", type(err) == "table" and err.code)
  vdeck.refresh()
  ok(#d:nics() == 1, "the NIC is still there", #d:nics())
end
-- DIMM: attach, then unplug without a guest
local before = d.max_memory
d:attach_memory { size = "128M", node = 0 }
ok(d.max_memory == before + 128 * 1048576, "DIMM attached", d.max_memory)
local good, err = pcall(d.detach_memory, d, { size = "128M", node = 0, timeout = 2 })
ok(not good and tostring(err):find("no device-removed event", 1, true), "DIMM detach times out naming the event", err)
vdeck.refresh()
ok(d.max_memory == before + 128 * 1048576, "the DIMM is still there", d.max_memory)
-- abort_job during a slow migration
local t = d:migrate { to = "dst", unsafe = true, bandwidth = 1, async = true }
local under_way
for _ = 1, 100 do
  local p = t:progress()
  if p.phase == "migrating" then under_way = p break end
  if t:done() then break end
  sleep(0.05)
end
ok(under_way, "migration under way at 1 MiB/s")
local r = d:abort_job()
ok(r.ok and r.call:find("virDomainAbortJob", 1, true), "abort_job accepted", r.call)
good, err = pcall(t.wait, t)
ok(not good and (tostring(err):lower():find("cancel", 1, true) or tostring(err):find("abort", 1, true)),
   "the migration failed as cancelled", err)
ok(d.host == "src" and d.state == "running", "the VM still runs on src", d.host .. " " .. d.state)
local on_dst = false
for _, x in ipairs(vdeck.host("dst"):domains()) do if x.name == "jvm" then on_dst = true end end
ok(not on_dst, "nothing arrived on dst")
-- async migration with progress callbacks
local seen, inflight, last = 0, 0, nil
t = d:migrate { to = "dst", unsafe = true, bandwidth = 1, async = true,
                on_progress = function(p) seen = seen + 1; last = p
                  if p.phase == "migrating" and p.data_total > 0 then inflight = inflight + 1 end end }
ok(tostring(t):find("task", 1, true), "async=true returns a task", tostring(t))
r = t:wait()
ok(r.ok and d.host == "dst", "the task finished; the handle followed the VM to dst", d.host)
ok(inflight >= 1, "in-flight progress samples with data totals", inflight)
ok(last and last.phase == "done" and last.fraction == 1, "final progress report: done, fraction 1",
   last and (last.phase .. " " .. last.fraction))
print("progress callbacks: " .. seen .. ", in flight " .. inflight .. "; " .. tostring(r.message))
EOF
t=$(lab_now)
HAVE_BRIDGE=$HAVE_BRIDGE timeout 100 "$VDECK" -c "$LAB_ROOT/cluster.lua" --no-lock --exec "$LAB_ROOT/jobs.lua" \
	>"$LAB_ROOT/out" 2>&1
rc=$?
echo "# vdeck ran $(lab_elapsed "$t") s, exit $rc"
lab_tap_results "$LAB_ROOT/out"
lab_check "vdeck exited 0" test "$rc" = 0
lab_check "virsh: jvm runs on dst" sh -c "timeout 10 virsh -q -c '$LAB_MIG_DST_URI' domstate jvm | grep -qx running"
lab_check "audit holds abort_job ok" grep -q '"operation":"abort_job".*"result":"ok"' "$XDG_STATE_HOME/vdeck/audit.jsonl"
lab_check "audit holds the failed (aborted) migration" grep -q '"operation":"migrate".*"result":"failed"' "$XDG_STATE_HOME/vdeck/audit.jsonl"
lab_check "audit holds the NIC detach timeout" grep -q '"operation":"detach_nic".*"result":"failed"' "$XDG_STATE_HOME/vdeck/audit.jsonl"
echo "# total $(lab_elapsed "$T0") s"
lab_summary

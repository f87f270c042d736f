#!/bin/sh
# test_ops_lab.sh — operations against real QEMU (TCG) behind two private
# libvirtd daemons (tests/lib/lab-libvirtd.sh), for what the test driver
# lacks: live vCPU add, balloon, DIMM attach, disk attach and online resize
# (and the refusal of a shrink right after a grow: QEMU would shrink),
# external snapshots (disk-only and with memory) and live merge with pivot,
# the device-removed wait, the refused revert after a vCPU hot-add, and a
# live migration with progress between the two daemons.  Skips with a
# reason where the machine cannot run them.
LAB_LIB=$(cd "$(dirname "$0")/../lib" && pwd)
. "$LAB_LIB/lab-libvirtd.sh"
VDECK=${VDECK:-$(cd "$(dirname "$0")/../.." && pwd)/vdeck}

lab_pair_or_skip opslab "ops lab"
lab_vm_define "$LAB_MIG_SRC_URI" ovm && lab_vm_define "$LAB_MIG_SRC_URI" ivm ||
	{ lab_fail "VMs started"; lab_summary; exit 1; }
timeout 30 qemu-img create -q -f qcow2 "$LAB_ROOT/images/data<&'1.qcow2" 64M
export XDG_STATE_HOME="$LAB_ROOT/state"
cat >"$LAB_ROOT/cluster.lua" <<EOF
host { name = "src", transport = "none", libvirt = "$LAB_MIG_SRC_URI", interval = 1 }
host { name = "dst", transport = "none", libvirt = "$LAB_MIG_DST_URI", interval = 1 }
EOF
cat >"$LAB_ROOT/ops.lua" <<'EOF'
local function ok(c, name, detail) print((c and "ok - " or "not ok - ") .. name .. ((not c and detail) and (": " .. tostring(detail)) or "")) end
local img = os.getenv("IMAGES")
local d = vdeck.domain("ovm")
ok(d.state == "running", "ovm runs")
-- vCPU hot-add
d:set_vcpus(2)
ok(d.vcpus == 2, "live vCPU add read back", d.vcpus)
-- balloon
-- (no guest OS: QEMU accepts the target but the balloon cannot move)
local rb = d:set_memory("200M")
ok(rb.ok and rb.call:find("204800 /* KiB */", 1, true) ~= nil, "balloon target accepted by QEMU", rb.call)
-- DIMM
local before = d.max_memory
d:attach_memory { size = "128M", node = 0 }
ok(d.max_memory == before + 128 * 1048576, "DIMM attach grows memory", d.max_memory)
-- disk attach, online resize
d:attach_disk { source = img .. "/data<&'1.qcow2", target = "vdb", format = "qcow2" }
local found
for _, k in ipairs(d:disks()) do if k.target == "vdb" then found = k end end
ok(found and found.source == img .. "/data<&'1.qcow2", "disk attached with its exact source")
local function size_of(dom, target)
  for _, k in ipairs(dom:disks()) do if k.target == target then return k.capacity end end
end
ok(size_of(d, "vdb") == 64 * 1048576, "vdb's size 64M from QEMU's block statistics (no pool here)",
   size_of(d, "vdb"))
local rr = d:resize_disk("vdb", "96M")
ok(rr.ok, "online resize to 96M accepted")
ok(size_of(d, "vdb") == 96 * 1048576, "the model has the new size as soon as the resize answered",
   size_of(d, "vdb"))
-- libvirt 9.0 + QEMU 7.2 would shrink the disk: vdeck refuses, whatever the timing
local good, err = pcall(d.resize_disk, d, "vdb", "80M")
ok(not good and tostring(err):find("refusing to shrink disk vdb of VM ovm on host src: 80M (83886080 bytes) " ..
   "is not larger than its current size 96M (100663296 bytes)", 1, true) ~= nil,
   "shrink to 80M right after the grow refused, naming host, VM, disk and both sizes", err)
good, err = pcall(d.resize_disk, d, "vdb", "96M")
ok(not good and tostring(err):find("is not larger than its current size 96M", 1, true) ~= nil,
   "resize to the same size refused", err)
vdeck.host("src"):refresh()
ok(size_of(d, "vdb") == 96 * 1048576, "a full poll keeps 96M", size_of(d, "vdb"))
-- unplug without a guest: never reported done without the event
good, err = pcall(d.detach_disk, d, "vdb", { timeout = 2 })
ok(not good and tostring(err):find("device%-removed") ~= nil, "detach waits for device-removed and says so", err)
-- external snapshot, disk only, then live merge with pivot
local base = d:disks()[1].source
d:snapshot { name = "ext1", disk_only = true }
local snaps = d:snapshots()
ok(#snaps == 1 and snaps[1].kind == "external" and not snaps[1].memory, "disk-only external snapshot listed")
ok(d:disks()[1].source ~= base, "vda now on its overlay", d:disks()[1].source)
local r = d:merge { disk = "vda", on_progress = function(p) end }
ok(r.ok and d:disks()[1].source == base, "live merge pivoted vda back to its base", d:disks()[1].source)
-- external snapshot with memory
d:snapshot { name = "ext2", memory = true, external = true }
local e2
for _, s in ipairs(d:snapshots()) do if s.name == "ext2" then e2 = s end end
ok(e2 and e2.kind == "external" and e2.memory, "external snapshot with memory listed")
good, err = pcall(d.revert, d, "ext2")
ok(not good and tostring(err):find("external") ~= nil, "revert of external snapshot refused with reason", err)
good, err = pcall(d.snapshot, d, { name = "int" })
ok(not good and tostring(err):find("mix") ~= nil, "internal after external refused", err)
d:merge { disk = "vda" }
ok(d:disks()[1].source == base, "second merge pivoted back too", d:disks()[1].source)
-- internal snapshot after a vCPU hot-add: revert refused
local i = vdeck.domain("ivm")
i:set_vcpus(2)
i:snapshot { name = "after-add" }
local s = i:snapshots()[1]
ok(s and s.kind == "internal" and s.memory and s.vcpus_hotplugged, "internal snapshot notes the hot-added vCPU")
good, err = pcall(i.revert, i, "after-add")
ok(not good and tostring(err):find("vCPU hot%-add") ~= nil, "revert after vCPU hot-add refused", err)
ok(i.state == "running", "refused revert left the VM running")
-- libvirt refuses to migrate a VM with snapshot metadata: vdeck says so first
good, err = pcall(d.migrate, d, { to = "dst", unsafe = true })
ok(not good and tostring(err):find("snapshot") ~= nil, "migration of a VM with snapshots refused", err)
-- ext1 and ext2 also cover vdb, still on its overlay: merging vdb drops both
ok(#d:snapshots() == 2, "merges of vda kept the snapshots that cover vdb too", #d:snapshots())
local vdb_base = img .. "/data<&'1.qcow2"
r = d:merge { disk = "vdb" }
local vdb
for _, k in ipairs(d:disks()) do if k.target == "vdb" then vdb = k end end
ok(r.ok and vdb and vdb.source == vdb_base, "merge of vdb pivoted it back to its base", vdb and vdb.source)
ok(#d:snapshots() == 0, "then the snapshots' metadata is gone", #d:snapshots())
i:delete_snapshot("after-add")
ok(#i:snapshots() == 0, "internal snapshot deleted")
-- live migration with progress
-- (1 MiB/s keeps it running for seconds, so samples are taken however busy
-- the machine is; the last report is always "done" at fraction 1)
local seen, inflight, lastp = 0, 0, nil
r = i:migrate { to = "dst", unsafe = true, bandwidth = 1,
                on_progress = function(p) seen = seen + 1; lastp = p
                  if p.phase == "migrating" then inflight = inflight + 1 end end }
ok(r.ok and i.host == "dst", "migrated; the handle follows the VM to dst", i.host)
ok(i.vcpus == 2, "hot-added vCPU came along", i.vcpus)
local on_src = false
for _, x in ipairs(vdeck.host("src"):domains()) do if x.name == "ivm" then on_src = true end end
ok(not on_src, "ivm gone from src in the model")
ok(inflight >= 1, "progress reported during migration", seen)
ok(lastp and lastp.phase == "done" and lastp.fraction == 1, "last progress report is done at fraction 1",
   lastp and lastp.phase)
local mj
for _, j in ipairs(vdeck.jobs()) do if j.kind == "migrate" then mj = j end end
ok(mj and mj.state == "done" and mj.domain == "ivm", "migration job done in the job list", mj and mj.state)
print("message: " .. tostring(r.message))
EOF
t=$(lab_now)
IMAGES=$LAB_ROOT/images timeout 120 "$VDECK" -c "$LAB_ROOT/cluster.lua" --no-lock --exec "$LAB_ROOT/ops.lua" \
	>"$LAB_ROOT/out" 2>&1
rc=$?
echo "# vdeck ran $(lab_elapsed "$t") s, exit $rc"
lab_tap_results "$LAB_ROOT/out"
lab_check "vdeck exited 0" test "$rc" = 0
lab_check "virsh agrees: ivm runs on dst" sh -c \
	"timeout 10 virsh -q -c '$LAB_MIG_DST_URI' domstate ivm | grep -qx running"
lab_check "virsh agrees: ivm is gone from src" sh -c \
	"! timeout 10 virsh -q -c '$LAB_MIG_SRC_URI' list --all --name | grep -qx ivm"
lab_check "virsh: vdb is 96 MiB (resized, and the refused shrink changed nothing)" sh -c \
	"timeout 10 virsh -q -c '$LAB_MIG_SRC_URI' domblkinfo ovm vdb | grep -q 'Capacity: *100663296'"
lab_check "DIMM present in the live XML" sh -c \
	"timeout 10 virsh -q -c '$LAB_MIG_SRC_URI' dumpxml ovm | grep -q \"<memory model='dimm'\""
lab_check "audit holds the migration" grep -q '"operation":"migrate".*"result":"ok"' "$XDG_STATE_HOME/vdeck/audit.jsonl"
lab_check "audit holds the refused shrink" grep -q '"operation":"resize_disk".*"size":83886080.*"result":"refused"' "$XDG_STATE_HOME/vdeck/audit.jsonl"
lab_check "audit holds the refused revert" grep -q '"operation":"revert".*"result":"refused"' "$XDG_STATE_HOME/vdeck/audit.jsonl"
echo "# total $(lab_elapsed "$T0") s"
lab_summary

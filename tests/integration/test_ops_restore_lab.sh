#!/bin/sh
# test_ops_restore_lab.sh — restore_to and what it changes for snapshots,
# against real QEMU (TCG) behind two private libvirtd daemons that share one
# image directory (tests/lib/lab-libvirtd.sh):
#   - an external snapshot of a running VM, then d:restore_to a new VM on the
#     same daemon and one on the second daemon, both started, each disk a new
#     qcow2 overlay whose backing file is the file current at the snapshot
#     (checked with qemu-img info --backing-chain and libvirt's XML);
#   - dry-run prints the qemu-img steps and the XML and changes nothing;
#   - onto the second daemon only once its file pool holds the base files:
#     before, refused naming host, VM, disk and path;
#   - deleting or merging that snapshot is then refused with the reason;
#     restore_to from an internal snapshot, onto a taken name, or onto a host
#     without a shell transport is refused;
#   - a merge deletes the merged snapshots' metadata, so the VM migrates.
# Skips with a reason where the machine cannot run it.
LAB_LIB=$(cd "$(dirname "$0")/../lib" && pwd)
. "$LAB_LIB/lab-libvirtd.sh"
VDECK=${VDECK:-$(cd "$(dirname "$0")/../.." && pwd)/vdeck}

lab_pair_or_skip rstlab "restore lab"
lab_vm_define "$LAB_MIG_SRC_URI" rvm && lab_vm_define "$LAB_MIG_SRC_URI" mvm &&
	lab_vm_define "$LAB_MIG_SRC_URI" ivm || { lab_fail "VMs started"; lab_summary; exit 1; }
IMG=$LAB_ROOT/images
export XDG_STATE_HOME="$LAB_ROOT/state"
# "local": restore_to creates the overlays with qemu-img over the host's
# shell; the daemons' mount namespaces share $IMG with this one.
cat >"$LAB_ROOT/cluster.lua" <<EOF
host { name = "src", transport = "local", libvirt = "$LAB_MIG_SRC_URI", interval = 1 }
host { name = "dst", transport = "local", libvirt = "$LAB_MIG_DST_URI", interval = 1 }
host { name = "noshell", transport = "none", libvirt = "$LAB_MIG_DST_URI", interval = 1 }
EOF
cat >"$LAB_ROOT/prep.lua" <<'EOF'
local d = vdeck.domain("rvm")
d:snapshot { name = "s1", disk_only = true }
print("snapshots " .. #d:snapshots())
EOF
cat >"$LAB_ROOT/dry.lua" <<'EOF'
local d = vdeck.domain("rvm")
d:restore_to { snapshot = "s1", name = "dry", start = true }
EOF
cat >"$LAB_ROOT/nopool.lua" <<'EOF'
local function ok(c, name, detail) print((c and "ok - " or "not ok - ") .. name .. ((not c and detail) and (": " .. tostring(detail)) or "")) end
local d = vdeck.domain("rvm")
local good, err = pcall(d.restore_to, d, { snapshot = "s1", name = "clone9", host = "dst", start = true })
ok(not good and tostring(err):find("restore_to onto host dst: snapshot 's1' of VM rvm: disk vda: backing file '" ..
   os.getenv("IMAGES") .. "/rvm.qcow2' is not inside a storage pool directory of the target host (it has no " ..
   "active dir, fs or netfs storage pool)", 1, true) ~= nil, "restore onto a host without a pool refused", err)
EOF
cat >"$LAB_ROOT/restore.lua" <<'EOF'
local function ok(c, name, detail) print((c and "ok - " or "not ok - ") .. name .. ((not c and detail) and (": " .. tostring(detail)) or "")) end
local img = os.getenv("IMAGES")
local d = vdeck.domain("rvm")
local r = d:restore_to { snapshot = "s1", name = "clone1", start = true }
ok(r.ok and r.message and r.message:find("started clone1 on src", 1, true), "restore_to on the same host", r.message)
local c1 = vdeck.domain("clone1")
ok(c1 and c1.state == "running" and c1.host == "src", "clone1 runs on src", c1 and c1.state)
ok(c1 and c1:disks()[1].source == img .. "/clone1-vda.qcow2", "clone1's vda is its own overlay",
   c1 and c1:disks()[1].source)
r = d:restore_to { snapshot = "s1", name = "clone2", host = "dst", start = true }
local c2 = vdeck.domain("clone2")
ok(r.ok and c2 and c2.host == "dst" and c2.state == "running", "restore_to on the second daemon runs there",
   c2 and c2.host)
ok(r.notes and r.notes:find("same paths on dst", 1, true), "notes the shared-storage need", r.notes)
-- the snapshot's base is now depended upon
local good, err = pcall(d.delete_snapshot, d, "s1")
ok(not good and tostring(err):find("depends on " .. img .. "/rvm.qcow2", 1, true), "delete of the snapshot refused", err)
good, err = pcall(d.merge, d, { disk = "vda" })
ok(not good and tostring(err):find("merging would change that VM's base", 1, true), "merge refused", err)
ok(#d:snapshots() == 1, "refusals kept the snapshot")
-- other refusals
good, err = pcall(d.restore_to, d, { snapshot = "s1", name = "clone1" })
ok(not good and tostring(err):find("already has a domain named 'clone1'", 1, true), "taken name refused", err)
good, err = pcall(d.restore_to, d, { snapshot = "s1", name = "clone3", host = "noshell" })
ok(not good and tostring(err):find("no shell transport", 1, true), "host without a shell refused", err)
good, err = pcall(d.restore_to, d, { snapshot = "nope", name = "clone3" })
ok(not good and tostring(err):find("no snapshot named 'nope'", 1, true), "unknown snapshot refused", err)
local i = vdeck.domain("ivm")
i:snapshot { name = "in1" }
good, err = pcall(i.restore_to, i, { snapshot = "in1", name = "clone3" })
ok(not good and tostring(err):find("internal snapshot", 1, true) and tostring(err):find("disk_only=true", 1, true),
   "internal snapshot refused with the reason", err)
-- a merge forgets the merged snapshots, so the VM migrates afterwards
local m = vdeck.domain("mvm")
m:snapshot { name = "m1", disk_only = true }
m:snapshot { name = "m2", disk_only = true }
good, err = pcall(m.migrate, m, { to = "dst", unsafe = true })
ok(not good and tostring(err):find("snapshot", 1, true), "migration with snapshots refused first", err)
r = m:merge { disk = "vda" }
ok(r.ok and m:disks()[1].source == img .. "/mvm.qcow2", "merge pivoted mvm back to its base", m:disks()[1].source)
ok(#m:snapshots() == 0, "merge deleted the merged snapshots' metadata", #m:snapshots())
ok(r.call and r.call:find("VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY", 1, true), "the call says so")
r = m:migrate { to = "dst", unsafe = true }
ok(r.ok and m.host == "dst", "mvm migrated after the merge", m.host)
EOF
t=$(lab_now)
out=$(timeout 40 "$VDECK" -c "$LAB_ROOT/cluster.lua" --no-lock --exec "$LAB_ROOT/prep.lua" 2>&1)
lab_check "external snapshot s1 of running rvm" sh -c "echo '$out' | grep -qx 'snapshots 1'"
timeout 40 "$VDECK" -c "$LAB_ROOT/cluster.lua" --no-lock --dry-run --exec "$LAB_ROOT/dry.lua" >"$LAB_ROOT/dry.out" 2>&1
lab_check "dry-run prints the qemu-img step" grep -q "qemu-img create -q -f qcow2 -F 'qcow2' -b '$IMG/rvm.qcow2' '$IMG/dry-vda.qcow2'" "$LAB_ROOT/dry.out"
lab_check "dry-run prints the define, start and XML" sh -c \
	"grep -q 'virDomainDefineXML(conn of \"src\", xml) then virDomainCreate' '$LAB_ROOT/dry.out' && grep -q '<name>dry</name>' '$LAB_ROOT/dry.out' && grep -q '<backingStore type=\"file\">' '$LAB_ROOT/dry.out'"
lab_check "dry-run created no file" test ! -e "$IMG/dry-vda.qcow2"
lab_check "dry-run defined no domain" sh -c "! timeout 10 virsh -q -c '$LAB_MIG_SRC_URI' list --all --name | grep -qx dry"
IMAGES=$IMG timeout 40 "$VDECK" -c "$LAB_ROOT/cluster.lua" --no-lock --exec "$LAB_ROOT/nopool.lua" \
	>"$LAB_ROOT/nopool.out" 2>&1
lab_tap_results "$LAB_ROOT/nopool.out"
lab_check "the refused restore created no file" test ! -e "$IMG/clone9-vda.qcow2"
lab_check "the refused restore defined nothing on dst" sh -c \
	"! timeout 10 virsh -q -c '$LAB_MIG_DST_URI' list --all --name | grep -qx clone9"
# dst's file pool: the shared image directory
lab_check "dir pool 'images' on dst" sh -c "timeout 20 virsh -q -c '$LAB_MIG_DST_URI' pool-define-as images dir \
	--target '$IMG' >/dev/null && timeout 20 virsh -q -c '$LAB_MIG_DST_URI' pool-start images >/dev/null"
IMAGES=$IMG timeout 90 "$VDECK" -c "$LAB_ROOT/cluster.lua" --no-lock --exec "$LAB_ROOT/restore.lua" \
	>"$LAB_ROOT/out" 2>&1
rc=$?
echo "# vdeck ran $(lab_elapsed "$t") s, exit $rc"
lab_tap_results "$LAB_ROOT/out"
lab_check "vdeck exited 0" test "$rc" = 0
for c in clone1 clone2; do
	lab_check "qemu-img: $c-vda.qcow2 is backed by rvm.qcow2" sh -c \
		"timeout 10 qemu-img info -U --backing-chain '$IMG/$c-vda.qcow2' | grep -q '^backing file: $IMG/rvm.qcow2\$'"
done
lab_check "virsh: clone2 runs on dst" sh -c "timeout 10 virsh -q -c '$LAB_MIG_DST_URI' domstate clone2 | grep -qx running"
lab_check "libvirt's live XML of clone1 shows the backing chain" sh -c \
	"timeout 10 virsh -q -c '$LAB_MIG_SRC_URI' dumpxml clone1 | grep -A3 '<backingStore type=.file. index' | grep -q \"source file='$IMG/rvm.qcow2'\""
lab_check "clone1 has a uuid of its own" sh -c \
	"[ \"\$(virsh -q -c '$LAB_MIG_SRC_URI' domuuid clone1)\" != \"\$(virsh -q -c '$LAB_MIG_SRC_URI' domuuid rvm)\" ]"
lab_check "snapshot s1 still in libvirt" sh -c "timeout 10 virsh -q -c '$LAB_MIG_SRC_URI' snapshot-list --name rvm | grep -qx s1"
lab_check "virsh: mvm runs on dst" sh -c "timeout 10 virsh -q -c '$LAB_MIG_DST_URI' domstate mvm | grep -qx running"
lab_check "audit holds restore_to ok" grep -q '"operation":"restore_to".*"result":"ok"' "$XDG_STATE_HOME/vdeck/audit.jsonl"
lab_check "audit holds the dry run" grep -q '"operation":"restore_to".*"dry_run":true' "$XDG_STATE_HOME/vdeck/audit.jsonl"
lab_check "audit holds the refused delete" grep -q '"operation":"delete_snapshot".*"result":"refused"' "$XDG_STATE_HOME/vdeck/audit.jsonl"
echo "# total $(lab_elapsed "$T0") s"
lab_summary

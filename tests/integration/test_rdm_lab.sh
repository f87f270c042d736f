#!/bin/sh
# test_rdm_lab.sh — RDM for real: tgtd serves a file-backed LUN, vdeck
# attaches it live to a QEMU (TCG) VM as device='lun' over an iSCSI network
# source (d:attach_lun), sees it in vdeck.luns(), then live-migrates the VM
# with it between the two lab daemons (d:migrate) and detaches it there
# (d:detach_lun reaches QEMU; without a guest the device-removed event may
# not come, which vdeck reports).  Skips with a reason when the lab cannot run.
LAB_LIB=$(cd "$(dirname "$0")/../lib" && pwd)
. "$LAB_LIB/lab-libvirtd.sh"
. "$LAB_LIB/lab-tgtd.sh"
VDECK=${VDECK:-$(cd "$(dirname "$0")/../.." && pwd)/vdeck}

if ! why=$(lab_tgtd_available); then
	lab_skip "rdm lab: $why"
	lab_summary
	exit $?
fi
lab_pair_or_skip rdmlab "rdm lab"
lab_vm_define "$LAB_MIG_SRC_URI" rvm || { lab_fail "VM started"; lab_summary; exit 1; }
# the portal is the source namespace's address, reachable from both daemons
if lab_tgtd_start rlun "$LAB_MIG_SRC_ADDR" "$LAB_MIG_SRC"; then
	lab_pass "tgtd serves a LUN at $LAB_TGT_HOST_rlun:$LAB_TGT_PORT_rlun"
else
	lab_fail "tgtd up"
	lab_summary
	exit 1
fi
export XDG_STATE_HOME="$LAB_ROOT/state" PORTAL="$LAB_TGT_HOST_rlun:$LAB_TGT_PORT_rlun" IQN="$LAB_TGT_IQN_rlun" \
	LUN="$LAB_TGT_LUN_rlun"
cat >"$LAB_ROOT/cluster.lua" <<EOF
host { name = "src", transport = "none", libvirt = "$LAB_MIG_SRC_URI", interval = 1 }
host { name = "dst", transport = "none", libvirt = "$LAB_MIG_DST_URI", interval = 1 }
EOF
cat >"$LAB_ROOT/rdm.lua" <<'EOF'
local function ok(c, name, detail) print((c and "ok - " or "not ok - ") .. name .. ((not c and detail) and (": " .. tostring(detail)) or "")) end
local portal, iqn, lun = os.getenv("PORTAL"), os.getenv("IQN"), tonumber(os.getenv("LUN"))
local d = vdeck.domain("rvm")
ok(d.state == "running" and d.host == "src", "rvm runs on src")
local r = d:attach_lun { iscsi = { portal = portal, iqn = iqn, lun = lun }, target = "sda" }
ok(r.ok and r.call:find("<source protocol='iscsi' name='" .. iqn .. "/" .. lun .. "'>", 1, true), "attach_lun sent the iSCSI LUN", r.call)
local k
for _, x in ipairs(d:disks()) do if x.target == "sda" then k = x end end
ok(k and k.device == "lun" and k.type == "network", "the live XML holds sda as device='lun'", k and k.device)
local e = select(2, pcall(d.attach_lun, d, { iscsi = { portal = portal, iqn = iqn, lun = lun }, target = "sdb" }))
ok(type(e) == "table" and tostring(e.message):find("already reaches this LUN"), "the same LUN twice refused", e)
local entry
for _, l in ipairs(vdeck.luns()) do if l.id == "iscsi:" .. iqn .. "/" .. lun then entry = l end end
ok(entry and #entry.used_by == 1 and entry.used_by[1].domain == "rvm" and entry.used_by[1].host == "src",
   "vdeck.luns() maps the LUN to rvm on src", entry and #entry.used_by)
local m = d:migrate { to = "dst", unsafe = true }
ok(m.ok and d.host == "dst", "migrated to dst with the LUN", m.message)
k = nil
for _, x in ipairs(d:disks()) do if x.target == "sda" then k = x end end
ok(k and k.device == "lun", "the LUN came along (dst's XML)")
for _, l in ipairs(vdeck.luns()) do if l.id == "iscsi:" .. iqn .. "/" .. lun then entry = l end end
ok(entry and entry.used_by[1] and entry.used_by[1].host == "dst", "vdeck.luns() follows the VM to dst")
EOF
cat >"$LAB_ROOT/detach.lua" <<'EOF'
local function ok(c, name, detail) print((c and "ok - " or "not ok - ") .. name .. ((not c and detail) and (": " .. tostring(detail)) or "")) end
local d = vdeck.domain("rvm")
local e = select(2, pcall(d.detach_lun, d, "vda"))
ok(type(e) == "table" and tostring(e.message):find("not a raw LUN"), "detach_lun refuses a plain disk", e)
local good, derr = pcall(d.detach_lun, d, "sda", { timeout = 3 })
ok(good or tostring(derr):find("device%-removed") ~= nil, "detach_lun reached QEMU on dst", derr)
print("detach: " .. (good and "removed" or tostring(derr)))
EOF
t=$(lab_now)
timeout 120 "$VDECK" -c "$LAB_ROOT/cluster.lua" --no-lock --exec "$LAB_ROOT/rdm.lua" >"$LAB_ROOT/out" 2>&1
rc=$?
echo "# vdeck ran $(lab_elapsed "$t") s, exit $rc"
lab_tap_results "$LAB_ROOT/out"
lab_check "vdeck exited 0" test "$rc" = 0
lab_check "virsh agrees: rvm runs on dst" sh -c \
	"timeout 10 virsh -q -c '$LAB_MIG_DST_URI' domstate rvm | grep -qx running"
lab_check "the LUN was real SCSI passthrough on dst (scsi-block)" sh -c \
	"timeout 10 virsh -q -c '$LAB_MIG_DST_URI' qemu-monitor-command rvm --hmp 'info qtree' | grep -q 'scsi-block'"
timeout 60 "$VDECK" -c "$LAB_ROOT/cluster.lua" --no-lock --exec "$LAB_ROOT/detach.lua" >"$LAB_ROOT/out2" 2>&1
rc=$?
lab_tap_results "$LAB_ROOT/out2"
lab_check "second vdeck run exited 0" test "$rc" = 0
lab_check "audit holds attach_lun and migrate" sh -c \
	"grep -q '\"operation\":\"attach_lun\".*\"result\":\"ok\"' '$XDG_STATE_HOME/vdeck/audit.jsonl' && \
	 grep -q '\"operation\":\"migrate\".*\"result\":\"ok\"' '$XDG_STATE_HOME/vdeck/audit.jsonl'"
lab_tgtd_stop rlun
lab_migration_pair_stop
echo "# total $(lab_elapsed "$T0") s"
lab_summary

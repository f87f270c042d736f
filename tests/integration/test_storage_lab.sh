#!/bin/sh
# test_storage_lab.sh — clones, thin volumes and a shared datastore against
# real QEMU (TCG) behind two private libvirtd daemons that see one image
# directory (tests/lib/lab-libvirtd.sh):
#   - a dir pool on that directory, defined on both daemons with one UUID,
#     is one datastore with two hosts;
#   - a linked clone of a shut-off template boots as its own VM (new UUID and
#     MAC) on the other daemon, on a thin overlay whose backing file is the
#     template's disk (qemu-img info --backing-chain), and the template's
#     disk is then not deleted (the refusal names the clone);
#   - a linked clone from an external snapshot of a running VM, which keeps
#     running on its own overlay;
#   - a full clone (libvirt's volume copy) boots with no backing file and
#     the template's data;
#   - a thin volume's allocation grows when written; it grows by
#     resize_volume and is not shrunk;
#   - convert_disk turns a shut-off VM's disk thick and thin again
#     (qemu-img over the host's shell), and refuses a running VM.
# Skips with a reason where the machine cannot run it.
LAB_LIB=$(cd "$(dirname "$0")/../lib" && pwd)
. "$LAB_LIB/lab-libvirtd.sh"
VDECK=${VDECK:-$(cd "$(dirname "$0")/../.." && pwd)/vdeck}

lab_pair_or_skip stolab "storage lab"
IMG=$LAB_ROOT/images
export XDG_STATE_HOME="$LAB_ROOT/state"
# the shared directory as one pool, same UUID and path on both daemons
cat >"$LAB_ROOT/pool.xml" <<POOL
<pool type='dir'>
  <name>images</name>
  <uuid>7d000000-0000-4000-8000-000000000001</uuid>
  <target><path>$IMG</path></target>
</pool>
POOL
for uri in "$LAB_MIG_SRC_URI" "$LAB_MIG_DST_URI"; do
	timeout 20 virsh -q -c "$uri" pool-define "$LAB_ROOT/pool.xml" >/dev/null &&
		timeout 20 virsh -q -c "$uri" pool-start images >/dev/null ||
		{ lab_fail "pool images on $uri"; lab_summary; exit 1; }
done
# NAME: a shut-off VM with a NIC on a qcow2 disk holding 4 MiB of 0x5a
define_off() {
	timeout 30 qemu-img create -q -f qcow2 "$IMG/$1.qcow2" 64M &&
		timeout 30 qemu-io -c 'write -P 0x5a 0 4M' "$IMG/$1.qcow2" >/dev/null &&
		lab_vm_xml "$1" "$IMG/$1.qcow2" |
		sed "s|<memballoon|<interface type='user'><mac address='52:54:00:77:00:01'/><model type='virtio'/></interface>\n    <memballoon|" \
			>"$IMG/$1.xml" &&
		timeout 30 virsh -q -c "$LAB_MIG_SRC_URI" define "$IMG/$1.xml" >/dev/null
}
define_off tmpl && define_off conv && lab_vm_define "$LAB_MIG_SRC_URI" rvm ||
	{ lab_fail "lab VMs defined"; lab_summary; exit 1; }
for uri in "$LAB_MIG_SRC_URI" "$LAB_MIG_DST_URI"; do
	timeout 20 virsh -q -c "$uri" pool-refresh images >/dev/null
done
cat >"$LAB_ROOT/cluster.lua" <<INV
host { name = "src", transport = "local", libvirt = "$LAB_MIG_SRC_URI", interval = 1 }
host { name = "dst", transport = "local", libvirt = "$LAB_MIG_DST_URI", interval = 1 }
INV
cat >"$LAB_ROOT/clone.lua" <<'LUA'
local function ok(c, name, detail) print((c and "ok - " or "not ok - ") .. name .. ((not c and detail) and (": " .. tostring(detail)) or "")) end
local img = os.getenv("IMAGES")
local src = vdeck.host("src")
-- one datastore, two hosts
local ds
for _, d in ipairs(vdeck.datastores()) do if d.key:find(img, 1, true) then ds = d end end
ok(ds and #ds.hosts == 2 and ds.shared, "the shared dir pool is one datastore with two hosts",
   ds and table.concat(ds.hosts, ","))
-- linked clone of the shut-off template, on the other host
local t = vdeck.domain("tmpl")
local r = t:clone { name = "lc1", host = "dst", start = true }
ok(r.message and r.message:find("cloned and started lc1 on dst", 1, true), "linked clone started on dst", r.message)
local lc1 = vdeck.domain("lc1")
ok(lc1.state == "running" and lc1.host == "dst", "lc1 runs on dst", lc1.state)
ok(lc1.uuid ~= t.uuid, "lc1 has its own UUID")
ok(lc1:nics()[1] and lc1:nics()[1].mac ~= "52:54:00:77:00:01", "lc1 has its own MAC", lc1:nics()[1] and lc1:nics()[1].mac)
ok(lc1:disks()[1].source == img .. "/lc1-vda.qcow2", "lc1's disk is its overlay", lc1:disks()[1].source)
local good, err = pcall(src.delete_volume, src, { pool = "images", name = "tmpl.qcow2" })
ok(not good and tostring(err):find("lc1 (vda)", 1, true), "the template's disk is not deleted under lc1", err)
-- linked clone of a running VM from an external snapshot
local v = vdeck.domain("rvm")
good, err = pcall(v.clone, v, { name = "x" })
ok(not good and tostring(err):find("is running: its disks change under a clone", 1, true), "a running source is refused", err)
v:snapshot { name = "s1", disk_only = true }
r = v:clone { name = "lc2", snapshot = "s1", start = true }
ok(vdeck.domain("lc2").state == "running", "linked clone from the snapshot runs", r.message)
ok(v.state == "running", "the source still runs")
-- full clone
r = t:clone { name = "fc1", linked = false, start = true }
ok(r.call:find("virStorageVolCreateXMLFrom", 1, true) and vdeck.domain("fc1").state == "running", "full clone runs", r.message)
-- thin volume
r = src:create_volume { pool = "images", name = "thin.qcow2", size = "256M" }
ok(r.message and r.message:find("created"), "thin volume created", r.message)
src:refresh()
good, err = pcall(src.resize_volume, src, { pool = "images", name = "thin.qcow2", size = "128M" })
ok(not good and tostring(err):find("volumes only grow", 1, true), "shrinking refused", err)
r = src:resize_volume { pool = "images", name = "thin.qcow2", size = "512M" }
ok(r.message and r.message:find("resized to 536870912", 1, true), "volume grown", r.message)
-- convert_disk
local c = vdeck.domain("conv")
r = c:convert_disk { disk = "vda", preallocation = "full" }
ok(r.message and r.message:find("conv.qcow2: preallocation=full", 1, true), "converted to full preallocation", r.message)
good, err = pcall(v.convert_disk, v, { disk = "vda", preallocation = "full" })
ok(not good and tostring(err):find("is running", 1, true), "a running VM's disk is refused", err)
LUA
cat >"$LAB_ROOT/after.lua" <<'LUA'
local function ok(c, name, detail) print((c and "ok - " or "not ok - ") .. name .. ((not c and detail) and (": " .. tostring(detail)) or "")) end
local src = vdeck.host("src")
local alloc = tonumber(os.getenv("ALLOC_BEFORE"))
local seen
for _, p in ipairs(src:pools()) do
	for _, v in ipairs(p.volumes) do
		if v.name == "thin.qcow2" then
			seen = v
			ok(v.allocation > alloc + 16 * 2^20, "the thin volume's allocation grew when written",
			   alloc .. " -> " .. v.allocation)
			ok(v.capacity == 512 * 2^20, "its capacity is the grown one", v.capacity)
		end
	end
end
ok(seen ~= nil, "the thin volume is listed")
local r = vdeck.domain("conv"):convert_disk { disk = "vda", preallocation = "off" }
ok(r.message and r.message:find("conv.qcow2: preallocation=off", 1, true), "converted back to thin", r.message)
LUA
t=$(lab_now)
IMAGES=$IMG timeout 120 "$VDECK" -c "$LAB_ROOT/cluster.lua" --no-lock --exec "$LAB_ROOT/clone.lua" >"$LAB_ROOT/out" 2>&1
rc=$?
echo "# vdeck ran $(lab_elapsed "$t") s, exit $rc"
lab_tap_results "$LAB_ROOT/out"
lab_check "vdeck exited 0" test "$rc" = 0
[ "$rc" = 0 ] || sed 's/^/#   /' "$LAB_ROOT/out" | tail -20
lab_check "qemu-img: lc1's overlay is backed by the template's disk" sh -c \
	"timeout 10 qemu-img info -U --backing-chain '$IMG/lc1-vda.qcow2' | grep -q '^backing file: $IMG/tmpl.qcow2'"
lab_check "qemu-img: lc2's overlay is backed by the running VM's base" sh -c \
	"timeout 10 qemu-img info -U --backing-chain '$IMG/lc2-vda.qcow2' | grep -q '^backing file: $IMG/rvm.qcow2'"
lab_check "qemu-img: the full clone has no backing file" sh -c \
	"timeout 10 qemu-img info -U '$IMG/fc1-vda.qcow2' >'$LAB_ROOT/fc1.info' && ! grep -q '^backing file' '$LAB_ROOT/fc1.info'"
lab_check "the full clone holds the template's data" sh -c \
	"timeout 10 qemu-io -r -U -c 'read -P 0x5a 0 4M' '$IMG/fc1-vda.qcow2' | grep -q 'read 4194304'"
lab_check "virsh: lc1 runs on dst" sh -c "timeout 10 virsh -q -c '$LAB_MIG_DST_URI' domstate lc1 | grep -qx running"
lab_check "virsh: rvm still runs" sh -c "timeout 10 virsh -q -c '$LAB_MIG_SRC_URI' domstate rvm | grep -qx running"
lab_check "the template's disk is still there" test -f "$IMG/tmpl.qcow2"
lab_check "convert_disk: conv's disk fully allocated" sh -c "[ \$(du -k '$IMG/conv.qcow2' | cut -f1) -ge 60000 ]"
lab_check "convert_disk left no temporary file" test ! -e "$IMG/conv.qcow2.vdeck-convert"
# write into the thin volume: its allocation grows
timeout 20 virsh -q -c "$LAB_MIG_SRC_URI" pool-refresh images >/dev/null
before=$(timeout 10 virsh -q -c "$LAB_MIG_SRC_URI" vol-info --bytes --pool images thin.qcow2 |
	awk '/^Allocation/ {print $2}')
timeout 30 qemu-io -c 'write -P 0x11 0 64M' "$IMG/thin.qcow2" >/dev/null
timeout 20 virsh -q -c "$LAB_MIG_SRC_URI" pool-refresh images >/dev/null
ALLOC_BEFORE=${before:-0} timeout 60 "$VDECK" -c "$LAB_ROOT/cluster.lua" --no-lock --exec "$LAB_ROOT/after.lua" \
	>"$LAB_ROOT/after.out" 2>&1
lab_tap_results "$LAB_ROOT/after.out"
lab_check "convert_disk: conv's disk thin again" sh -c "[ \$(du -k '$IMG/conv.qcow2' | cut -f1) -lt 20000 ]"
lab_check "audit holds the three clones" test "$(grep '"record":"result"' "$XDG_STATE_HOME/vdeck/audit.jsonl" |
	grep '"operation":"clone"' | grep -c '"result":"ok"')" = 3
echo "# total $(lab_elapsed "$T0") s"
lab_summary

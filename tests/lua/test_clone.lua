-- vdeck-args: -c @FIXTURES@/inventory/storage.lua
-- Clones and volumes on test-driver hosts: a linked clone of the shut-off
-- template is a new VM on a thin qcow2 overlay whose backing file is the
-- template's disk (own name, UUID, MACs), a full clone is a libvirt volume
-- copy (vol-clone) with no backing file; the backing index then refuses
-- deleting the base naming the clone, and a clone's own volume is refused
-- while the clone uses it; a running source, a base the other host does
-- not see and shrinking a volume are refused.
local t = require "lib.t"
local a = vdeck.host("hv-a")
local tmpl = vdeck.domain("template")

local function pool_of(h, name)
	for _, p in ipairs(h:pools()) do if p.name == name then return p end end
end
local function volume(h, pool, name)
	for _, v in ipairs(pool_of(h, pool).volumes) do if v.name == name then return v end end
end

-- linked clone
local r = tmpl:clone { name = "web1" }
t.ok(r.message and r.message:find("cloned as web1 on hv%-a %(1 volume"), "linked clone made", r.message)
t.ok(r.notes and r.notes:find("stand on /mnt/nfs/base.qcow2", 1, true), "the note names the base", r.notes)
t.ok(r.call:find("virStorageVolCreateXML(pool \"nfs\", xml)", 1, true), "an overlay volume in the base's pool", r.call)
a:refresh()
local web1 = vdeck.domain("web1")
t.ok(web1 ~= nil, "the clone is a VM of its own")
t.ok(web1 and web1.uuid ~= tmpl.uuid, "with a new UUID", web1 and web1.uuid)
local d = web1:disks()[1]
t.eq(d.source, "/mnt/nfs/web1-vda.qcow2", "its disk is the overlay")
t.eq(d.chain[1] and d.chain[1].path, "/mnt/nfs/base.qcow2", "whose backing file is the template's disk")
local ov = volume(a, "nfs", "web1-vda.qcow2")
t.ok(ov ~= nil, "the overlay is a volume of the pool")
t.eq(ov and ov.allocation, 0, "thin: allocation 0")
t.eq(ov and ov.capacity, 40 * 2^30, "the template's size")
t.eq(ov and ov.backing, "/mnt/nfs/base.qcow2", "the volume names its base")
local nics = web1:nics()
t.ok(nics[1] and nics[1].mac ~= "52:54:00:5a:00:01" and nics[1].mac:find("^52:54:00:"), "a new MAC",
	nics[1] and nics[1].mac)

-- the base is refused while the clone stands on it, naming the clone
local ok, e = pcall(a.delete_volume, a, { pool = "nfs", name = "base.qcow2" })
t.ok(not ok and tostring(e):find("web1 %(vda%)"), "the base's refusal names the clone", tostring(e))
t.ok(not ok and tostring(e):find("volume /mnt/nfs/web1%-vda.qcow2"), "and its overlay volume", tostring(e))
t.raises(function() a:delete_volume { pool = "nfs", name = "web1-vda.qcow2" } end, "the clone's own disk",
	"web1 %(vda%)")
local used = {}
for _, u in ipairs(tmpl:disks()[1].used_by) do used[u.domain or u.volume] = true end
t.ok(used.web1, "the template's disk lists the clone among those standing on it")

-- full clone: a copy made by libvirt, standing on nothing
r = tmpl:clone { name = "web2", linked = false }
t.ok(r.call:find("virStorageVolCreateXMLFrom(pool \"nfs\", xml, volume \"/mnt/nfs/base.qcow2\")", 1, true),
	"a libvirt volume copy", r.call)
a:refresh()
local full = volume(a, "nfs", "web2-vda.qcow2")
t.ok(full ~= nil and full.backing == nil, "the copy has no backing file")
t.eq(#vdeck.domain("web2"):disks()[1].chain, 0, "the full clone's disk has no chain")

-- refusals
t.raises(function() vdeck.domain("clone1"):clone { name = "x" } end, "a running source",
	"running: its disks change under a clone")
t.raises(function() tmpl:clone { name = "x", host = "hv-b" } end, "a base the other host does not see",
	"host hv%-b has no volume at /mnt/nfs/base.qcow2")
t.raises(function() tmpl:clone { name = "web1" } end, "an existing name", "already exists")
t.raises(function() tmpl:clone { name = "x", snapshot = "none" } end, "an unknown snapshot", "no snapshot named")
t.raises(function() a:resize_volume { pool = "nfs", name = "base.qcow2", size = "1G" } end, "shrinking",
	"volumes only grow")
-- the test driver has no virStorageVolResize: the error is libvirt's, after validation passed
t.raises(function() a:resize_volume { pool = "nfs", name = "base.qcow2", size = "50G" } end, "grow reaches libvirt",
	"virStorageVolResize")
t.raises(function() tmpl:convert_disk { disk = "vda", preallocation = "full" } end, "no shell on the test driver",
	"no shell transport")
t.done()

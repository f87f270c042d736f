-- vdeck-args: -c @FIXTURES@/inventory/storage.lua
-- Storage on test-driver hosts: pools with their sources and volumes, the
-- NFS export and the dir pool both hosts declare merged into datastores
-- (local pools of one path kept apart), thin figures, backing chains and
-- who stands on each layer, a missing base reported.
local t = require "lib.t"
local a, b = vdeck.host("hv-a"), vdeck.host("hv-b")

local pools = {}
for _, p in ipairs(a:pools()) do pools[p.name] = p end
local nfs = pools.nfs
t.eq(nfs.type, "netfs", "pool type")
t.eq(nfs.state, "active", "pool state")
t.eq(nfs.source.hosts[1], "filer1", "NFS server")
t.eq(nfs.source.dir, "/export/vm", "NFS export")
t.eq(nfs.target, "/mnt/nfs", "mount point")
t.eq(nfs.capacity, 100 * 2^30, "pool capacity")
t.eq(nfs.datastore, "netfs:filer1:/export/vm", "datastore key")
t.eq(#nfs.volumes, 4, "volumes")
local vols = {}
for _, v in ipairs(nfs.volumes) do vols[v.name] = v end
t.eq(vols["clone1.qcow2"].backing, "/mnt/nfs/mid.qcow2", "volume backing file")
t.eq(vols["clone1.qcow2"].provisioning, "thin", "thin volume")
t.eq(vols["clone1.qcow2"].allocation, 300 * 2^20, "volume allocation")
t.eq(pools.default.volumes[1].provisioning, "preallocated", "preallocated volume")

local ds = {}
for _, d in ipairs(vdeck.datastores()) do ds[d.key] = d end
local export = ds["netfs:filer1:/export/vm"]
t.ok(export ~= nil, "the export is one datastore")
t.eq(#export.hosts, 2, "seen by both hosts")
t.eq(export.shared, true, "shared")
t.eq(export.virtual_size, (40 * 4 + 10) * 2^30, "sum of virtual sizes")
t.eq(#export.vms, 3, "template, clone1, clone2")
local gfs = ds["path:5c000000-0000-0000-0000-00000000cc01:/srv/gfs"]
t.ok(gfs and #gfs.hosts == 2 and gfs.shared, "a dir pool declared with one UUID on both hosts is one datastore")
t.eq(gfs and gfs.volumes, 1, "its volume counted once")
local locals = 0
for _, d in pairs(ds) do if d.name == "default" then locals = locals + 1; t.eq(#d.hosts, 1, "local pool: one host") end end
t.eq(locals, 2, "two local pools of one path stay two datastores")
local tight = vdeck.datastores { overcommit = 1.5, full_pct = 10 }
for _, d in ipairs(tight) do
	if d.key == export.key then
		t.eq(#d.alerts, 1, "overcommit alert")
		t.ok(d.alerts[1]:find("overcommit 1.70"), "overcommit ratio in the alert", d.alerts[1])
	elseif d.key == gfs.key then
		t.ok(d.alerts[1] and d.alerts[1]:find("20%% allocated"), "allocation alert", d.alerts[1])
	end
end

local disks = vdeck.domain("clone1"):disks()
local vda = disks[1]
t.eq(vda.provisioning, "thin", "thin disk")
t.eq(vda.thin, true, "thin flag")
t.eq(vda.capacity, 40 * 2^30, "what the guest sees")
t.eq(vda.allocation, 300 * 2^20, "what is used")
t.eq(#vda.chain, 2, "two layers below")
t.eq(vda.chain[1].path, "/mnt/nfs/mid.qcow2", "first layer")
t.eq(vda.chain[2].path, "/mnt/nfs/base.qcow2", "base")
t.eq(vda.chain[2].capacity, 40 * 2^30, "base size from its volume")
local users = {}
for _, u in ipairs(vda.chain[2].used_by) do users[u.domain or u.volume] = u end
t.ok(users.template and users.template.depth == 0, "the template's own disk is the base")
t.ok(users["/mnt/nfs/mid.qcow2"] ~= nil, "the mid volume stands on it")
t.eq(disks[2].provisioning, "preallocated", "raw data disk")
t.eq(#vdeck.domain("template"):disks()[1].used_by, 2, "clone1 and the mid volume stand on the template's disk")

-- host B mounts the export elsewhere: its clone's chain names B's path
t.eq(vdeck.domain("clone2"):disks()[1].chain[1].path, "/mnt/vm/base.qcow2", "clone2's base on B's mount path")

-- volumes: thin by default; a base others stand on is not deleted
local r = a:create_volume { pool = "nfs", name = "thin.qcow2", size = "10G" }
t.ok(r.message and r.message:find("thin.qcow2 created"), "volume created", r.message)
a:refresh()
local function pool_of(h, name)
	for _, p in ipairs(h:pools()) do if p.name == name then return p end end
end
local thin
for _, v in ipairs(pool_of(a, "nfs").volumes) do if v.name == "thin.qcow2" then thin = v end end
t.ok(thin ~= nil, "the new volume is listed")
t.eq(thin and thin.allocation, 0, "allocation 0")
t.eq(thin and thin.capacity, 10 * 2^30, "capacity as asked")
t.raises(function() a:create_volume { pool = "nfs", name = "thin.qcow2", size = "1G" } end,
	"an existing name", "already has a volume")
t.raises(function() a:create_volume { pool = "nope", name = "x", size = "1G" } end,
	"an unknown pool", "no storage pool 'nope' %(pools: ")
local ok, e = pcall(a.delete_volume, a, { pool = "nfs", name = "base.qcow2" })
t.ok(not ok and e.code == "refused", "a base in use is refused", tostring(e))
for _, who in ipairs { "clone1 %(vda%)", "template %(vda%)", "volume /mnt/nfs/mid.qcow2" } do
	t.ok(tostring(e):find(who), "the refusal names " .. who, tostring(e))
end
t.raises(function() a:delete_volume { pool = "nfs", name = "mid.qcow2" } end, "a middle layer in use", "clone1")
r = a:delete_volume { pool = "nfs", name = "thin.qcow2" }
t.ok(r.message and r.message:find("deleted"), "unused volume deleted", r.message)
a:refresh()
t.eq(#pool_of(a, "nfs").volumes, 4, "gone from the pool")
t.done()

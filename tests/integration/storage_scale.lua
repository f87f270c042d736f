-- vdeck-args: --demo=128x3000 --connect-timeout 60
-- (run by test_storage_scale.sh: not among the Lua tests, which also run
-- under ASan, where 128 hosts' first poll alone can take a minute)
-- Storage of the large demo cluster: thin volumes, dir pools shared by
-- groups of four hosts (one UUID, one path) merged into one datastore of
-- four hosts each, local pools per host, and linked clones whose backing
-- file is the group's golden template image, in the backing index.  Bounded
-- in time: once the hosts answered, the storage read side at 128 hosts and
-- 3000 VMs takes seconds.
local t = require "lib.t"
t.eq(#vdeck.domains(), 3000, "every host answered: 3000 VMs")
local started = vdeck.clock()

local list = vdeck.datastores()
local shared, local_pools, thin = {}, 0, 0
for _, d in ipairs(list) do
	if d.shared then shared[#shared + 1] = d else local_pools = local_pools + 1 end
	if d.virtual_size > d.allocation then thin = thin + 1 end
end
t.eq(#shared, 16, "16 shared datastores (every other group of 4 of 128 hosts)")
t.eq(local_pools, 128, "one local pool per host")
t.ok(thin >= 128, "thin: virtual sizes above allocation", thin)
local g0
for _, d in ipairs(shared) do
	t.eq(#d.hosts, 4, "a shared pool is seen by its four hosts: " .. d.key)
	if d.key:find("/shared/g0$") then g0 = d end
end
t.ok(g0 ~= nil, "group 0's datastore")
t.eq(g0 and g0.volumes, 1, "its golden image counted once")
t.eq(g0 and table.concat(g0.hosts, ","), "cna001,cna002,cna003,cna004", "the hosts of group 0")

-- linked clones: their first disk stands on the golden image of their group
local clones, golden_users = 0, nil
for i = 1, 4 do
	for _, d in ipairs(vdeck.host(g0.hosts[i]):domains()) do
		local k = d:disks()[1]
		if k.chain[1] then
			clones = clones + 1
			t.eq(k.chain[1].path, "/var/lib/libvirt/shared/g0/golden.qcow2", d.name .. " stands on the golden image")
			t.eq(k.thin, true, d.name .. "'s overlay is thin")
			golden_users = golden_users or #k.chain[1].used_by
		end
	end
end
t.ok(clones >= 3, "a few linked clones in group 0", clones)
-- seen from one clone, the base's users are the other clones' disks and
-- every clone's overlay volume
t.eq(golden_users, 2 * clones - 1, "the backing index lists the other clones and the overlays on the base")
local a = vdeck.host(g0.hosts[1])
local ok, e = pcall(a.delete_volume, a, { pool = "shared-g0", name = "golden.qcow2" })
t.ok(not ok and tostring(e):find("is in use"), "the golden image is not deleted under its clones", tostring(e))
t.ok(vdeck.clock() - started <= 10, "within 10 s", vdeck.clock() - started)
t.done()

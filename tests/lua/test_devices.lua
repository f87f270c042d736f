-- vdeck-args: -c @FIXTURES@/inventory/devices.lua
-- vGPU and RDM on test-driver hosts: inventory from libvirt node devices,
-- SAN pools and a sysfs tree under sysroot; every refusal of validation;
-- the libvirt call reached and its error returned (the test driver can
-- neither create mdevs nor attach devices).
local t = require "lib.t"
local a, b = vdeck.host("hv-a"), vdeck.host("hv-b")

-- GPUs: the sysfs tree of hv-a (no node devices in its libvirt file)
local gpus = a:gpus()
t.eq(#gpus, 2, "two GPUs under sysroot")
local g = gpus[1]
t.eq(g.name, "pci_0000_3b_00_0", "GPU node device name")
t.eq(g.address, "0000:3b:00.0", "GPU PCI address")
t.eq(g.numa_node, 1, "GPU NUMA node")
t.eq(g.source, "sysfs", "inventory source")
t.eq(#g.types, 2, "two vGPU types")
t.eq(g.types[1].id, "nvidia-63", "type id")
t.eq(g.types[1].available, 10, "available instances")
t.eq(g.types[1].device_api, "vfio-pci", "device_api")
t.eq(#g.mdevs, 2, "two mdevs on the GPU")
local used, spare
for _, m in ipairs(g.mdevs) do if m.domain then used = m else spare = m end end
t.eq(used.domain, "vdi1", "the mdev's VM from its hostdev")
t.ok(spare ~= nil, "an unassigned mdev")
t.eq(gpus[2].numa_node, nil, "numa_node -1 is nil")
t.eq(#b:gpus(), 0, "hv-b has no GPU")
local rows = vdeck.gpus()
t.eq(#rows, 3, "roll-up: one row per host and type")
t.eq(rows[1].host, "hv-a", "roll-up host")
t.eq(rows[1].type, "nvidia-63", "roll-up sorted by GPU address then type")
t.eq(rows[3].type, "i915-GVTg_V5_4", "second GPU last")
local free63
for _, r in ipairs(rows) do if r.type == "nvidia-63" then free63 = r.free end end
t.eq(free63, 10, "free nvidia-63 instances on hv-a")

-- vGPU operations: validation
t.raises(function() a:create_mdev { parent = "pci_0000_99_00_0", type = "nvidia-63" } end,
         "unknown GPU refused", "has no GPU 'pci_0000_99_00_0'")
t.raises(function() a:create_mdev { parent = "0000:3b:00.0", type = "nvidia-99" } end,
         "unknown type refused", "no vGPU type 'nvidia%-99'")
t.raises(function() a:create_mdev { parent = "0000:3b:00.0", type = "nvidia-64" } end,
         "no free instance refused", "no free instance of nvidia%-64")
t.raises(function() a:create_mdev { parent = "0000:3b:00.0", type = "nvidia-63", uuid = "nope" } end,
         "bad uuid refused", "not a UUID")
t.raises(function() a:create_mdev { parent = "0000:3b:00.0", type = "nvidia-63", uuid = used.uuid } end,
         "existing uuid refused", "already exists")
t.raises(function() b:create_mdev { parent = "0000:3b:00.0", type = "nvidia-63" } end,
         "GPU on another host refused", "hv%-b has no GPU")
-- the libvirt call is reached and its error comes back
local e = t.raises(function() a:create_mdev { parent = "0000:3b:00.0", type = "nvidia-63",
                                               uuid = "11111111-2222-4333-8444-555555555555" } end,
                   "test driver refuses mdev creation", "creating the mdev")
t.eq(e.code, "libvirt", "libvirt error code")
t.eq(e.host, "hv-a", "error names the host")
t.raises(function() a:remove_mdev(used.uuid) end, "removing a used mdev refused", "used by vdi1")
t.raises(function() a:remove_mdev("11111111-2222-4333-8444-555555555555") end, "unknown mdev", "has no mdev")
e = t.raises(function() a:remove_mdev(spare.uuid) end, "remove reaches libvirt", "libvirt has no mdev")

local vdi1, db2, off1 = vdeck.domain("vdi1"), vdeck.domain("db2"), vdeck.domain("off1")
t.raises(function() db2:attach_mdev(used.uuid) end, "mdev of another VM refused", "already assigned to vdi1")
t.raises(function() vdi1:attach_mdev(used.uuid) end, "mdev already on the VM", "already has mdev")
t.raises(function() vdeck.domain("rac2"):attach_mdev(spare.uuid) end, "mdev on another host refused",
         "is on hv%-a but rac2 runs on hv%-b")
t.raises(function() off1:attach_mdev(spare.uuid, { live = true }) end, "live attach to a shut-off VM", "live=true")
t.raises(function() db2:attach_mdev(spare.uuid) end, "attach reaches libvirt", "attaching the device")
t.raises(function() vdi1:detach_mdev(spare.uuid) end, "detach of an mdev the VM lacks", "has no mdev")
t.raises(function() vdi1:detach_mdev(used.uuid) end, "detach reaches libvirt", "detaching the device")
t.raises(function() vdi1:migrate { to = "hv-b" } end, "migration with an mdev refused", "holds vGPU mdev")

-- LUNs
local luns = a:luns()
t.eq(#luns, 4, "hv-a: 3 host LUNs and one pool-only volume")
local l1 = luns[1]
t.eq(l1.path, "/dev/disk/by-path/ip-10.0.0.5:3260-iscsi-iqn.2024-01.lab.vdeck:rdm-lun-1", "LUN path")
t.eq(l1.wwn, "60000000000000000e00000000010001", "LUN WWN")
t.eq(l1.size, 20971520 * 512, "LUN size")
t.eq(l1.vendor, "IET", "LUN vendor")
t.eq(l1.transport, "iscsi", "LUN transport")
t.eq(l1.pool, "san", "LUN pool")
t.eq(l1.volume, "unit:0:0:1", "LUN volume")
t.eq(#l1.used_by, 1, "LUN used by one VM")
t.eq(l1.used_by[1].domain, "db1", "LUN user")
t.eq(l1.used_by[1].shareable, true, "shareable")
t.eq(luns[4].volume, "unit:0:0:2", "pool-only volume listed")
local map = {}
for _, l in ipairs(vdeck.luns()) do map[l.id] = l end
t.eq(#map["wwn:60000000000000000e00000000010001"].hosts, 2, "LUN 1 visible on both hosts")
t.eq(#map["wwn:60000000000000000e00000000010002"].hosts, 1, "LUN 2 visible on one host")

t.raises(function() db2:attach_lun { path = l1.path } end, "LUN of another VM refused", "already attached to db1")
t.raises(function() db2:attach_lun { path = "/dev/sdz" } end, "unknown LUN refused", "does not see a LUN")
t.raises(function() db2:attach_lun { path = l1.path, pool = "san", volume = "unit:0:0:1" } end,
         "two sources refused", "exactly one source")
t.raises(function() db2:attach_lun { pool = "san", volume = "unit:0:0:9" } end, "unknown volume", "no SAN pool volume")
t.raises(function() db2:attach_lun { iscsi = { portal = "10.0.0.5", iqn = "iqn.2024-01.lab.vdeck:rdm", lun = 1 } } end,
         "the same LUN over iSCSI is the same LUN", "already attached to db1")
t.raises(function() db2:attach_lun { iscsi = { portal = "10.0.0.5:99999", iqn = "iqn.x:y" } } end, "bad portal", "not HOST")
t.raises(function() db2:attach_lun { iscsi = { portal = "10.0.0.5", iqn = "iqn.x:y", bogus = 1 } } end,
         "unknown nested option", "unknown argument 'iscsi.bogus'")
t.raises(function() db2:attach_lun { iscsi = { portal = "10.0.0.5", iqn = "iqn.x:y" }, sgio = "filtered" } end,
         "sgio with iSCSI refused", "applies to block LUNs")
t.raises(function() db2:attach_lun { path = l1.path, shareable = true, sgio = "unfiltered" } end,
         "unfiltered sgio refused on libvirt 9", "no longer supports sgio=unfiltered")
t.raises(function() db2:attach_lun { path = l1.path, shareable = true, target = "vdb" } end, "bad target", "not a SCSI disk name")
e = t.raises(function() db2:attach_lun { path = l1.path, shareable = true } end,
             "both shareable: reaches libvirt (controller first)", "attaching the controller")
t.raises(function() vdeck.domain("db1"):attach_lun { path = l1.path, shareable = true } end, "same VM twice", "already reaches this LUN")
t.raises(function() vdeck.domain("db1"):detach_lun("sdz") end, "detach of a missing target", "no disk sdz")
t.raises(function() vdeck.domain("db1"):detach_lun("sdb") end, "detach reaches libvirt", "detaching the device")
t.done()

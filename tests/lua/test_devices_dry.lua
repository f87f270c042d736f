-- vdeck-args: -c @FIXTURES@/inventory/devices.lua --dry-run
-- vGPU and RDM under --dry-run: the exact libvirt calls and XML, warnings
-- (a LUN not visible where the VM could migrate), and nothing changed.
local t = require "lib.t"
local a = vdeck.host("hv-a")
local db2 = vdeck.domain("db2")

local r = a:create_mdev { parent = "0000:3b:00.0", type = "nvidia-63", persistent = true }
t.eq(r.dry_run, true, "dry-run outcome")
t.eq(r.domain, nil, "host operation has no domain")
t.ok(r.created and #r.created == 36, "a UUID is chosen and returned", r.created)
t.ok(r.call:find("virNodeDeviceDefineXML(xml, 0) then virNodeDeviceCreate", 1, true), "persistent: define then create", r.call)
t.ok(r.call:find("<parent>pci_0000_3b_00_0</parent>", 1, true), "parent by node device name", r.call)
t.ok(r.call:find("<uuid>" .. r.created .. "</uuid>", 1, true), "uuid in the XML", r.call)
t.eq(#a:gpus()[1].mdevs, 2, "nothing created")

r = db2:attach_mdev(r.created)
t.ok(r.notes and r.notes:find("assumed created by an earlier step", 1, true), "dry-run chain of steps noted", r.notes)
t.ok(r.call:find("<address uuid='", 1, true), "hostdev XML", r.call)

r = db2:attach_lun { pool = "san", volume = "unit:0:0:2", sgio = "filtered" }
t.ok(r.notes and r.notes:find("not visible on hv-b", 1, true), "warning: LUN not visible on the other host", r.notes)
t.ok(r.notes:find("no virtio-scsi controller", 1, true), "controller added first, noted", r.notes)
local c1 = r.call:find("<controller type='scsi' model='virtio-scsi'/>", 1, true)
local c2 = r.call:find("<disk type='volume' device='lun' sgio='filtered'>", 1, true)
t.ok(c1 and c2 and c1 < c2, "controller attached before the LUN", r.call)
t.ok(r.call:find("<target dev='sda' bus='scsi'/>", 1, true), "first free sdX chosen", r.call)

r = db2:attach_lun { iscsi = { portal = "127.0.0.1:3260", iqn = "iqn.2024-01.lab.vdeck:other", lun = 3 }, target = "sdc" }
t.ok(r.call:find("<source protocol='iscsi' name='iqn.2024-01.lab.vdeck:other/3'>", 1, true), "iSCSI network source", r.call)
t.ok(r.call:find("<host name='127.0.0.1' port='3260'/>", 1, true), "portal host and port", r.call)

r = db2:attach_lun { path = "/dev/disk/by-path/ip-10.0.0.5:3260-iscsi-iqn.2024-01.lab.vdeck:rdm-lun-1",
                    shareable = true, target = "sdd" }
t.ok(r.notes:find("shared with db1 on hv-a", 1, true), "sharing with a shareable user noted", r.notes)
t.ok(not r.notes:find("not visible", 1, true), "LUN 1 is visible on hv-b: no warning", r.notes)
t.ok(r.call:find("<shareable/>", 1, true), "shareable element", r.call)
t.eq(#db2:disks(), 0, "nothing attached")
t.done()

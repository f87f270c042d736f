-- vdeck-args: -c @FIXTURES@/inventory/storage.lua --dry-run
-- d:clone and the volume operations under --dry-run: every volume's XML
-- (the overlay naming its base), the clone's definition with its new name,
-- UUID and MACs, and nothing made.
local t = require "lib.t"
local a = vdeck.host("hv-a")
local tmpl = vdeck.domain("template")

local r = tmpl:clone { name = "dry1", start = true }
t.eq(r.dry_run, true, "dry-run outcome")
t.ok(r.call:find("on \"hv-a\":\nvirStorageVolCreateXML(pool \"nfs\", xml)\n<volume>\n  <name>dry1-vda.qcow2</name>", 1, true),
	"the overlay volume's call and XML", r.call)
t.ok(r.call:find("<backingStore>\n    <path>/mnt/nfs/base.qcow2</path>\n    <format type='qcow2'/>", 1, true),
	"its backing file", r.call)
t.ok(r.call:find("virDomainDefineXML(conn of \"hv-a\", xml) then virDomainCreate;", 1, true), "define then start", r.call)
t.ok(r.call:find("<name>dry1</name>\n  <uuid>", 1, true), "the definition with a new UUID", r.call)
t.ok(not r.call:find("5a000000-0000-0000-0000-000000000001", 1, true), "not the template's UUID")
t.ok(r.call:find("<source file=\"/mnt/nfs/dry1-vda.qcow2\"/>", 1, true), "the disk on the overlay", r.call)
t.ok(r.call:find("<mac address=\"52:54:00:", 1, true) and not r.call:find("52:54:00:5a:00:01", 1, true),
	"a new MAC", r.call)
r = a:resize_volume { pool = "nfs", name = "base.qcow2", size = "50G" }
t.eq(r.call, "virStorageVolResize(pool \"nfs\" volume \"base.qcow2\", 53687091200)\n", "resize call")
a:refresh()
t.ok(not pcall(vdeck.domain, "dry1"), "no clone made")
local n = 0
for _, p in ipairs(a:pools()) do if p.name == "nfs" then n = #p.volumes end end
t.eq(n, 4, "no volume made")
t.done()

-- vdeck-args: -c @FIXTURES@/inventory/sriov.lua
-- What an SR-IOV VF forbids (issue 15): nfv-edge holds VF 0000:3b:02.1 of
-- ens1f0; migrating it or taking a memory snapshot is refused naming the VF
-- and its PF; force=true outside a dry-run says the VF NICs go first;
-- attach_nic{ vf = } takes only a free VF of the VM's host.
local t = require "lib.t"
local vd = require "vdeck"

local edge = vd.domain("nfv-edge")
local e = t.raises(function() edge:migrate { to = "hv-t" } end, "migrate refused", "a VF does not migrate")
t.ok(e.message:find("VF 0000:3b:02.1 of ens1f0", 1, true), "naming the VF and its PF", e.message)
t.eq(e.code, "refused", "a refusal")
e = t.raises(function() edge:migrate { to = "hv-t", force = true } end, "force outside dry-run",
             "detach the VF NICs first")
e = t.raises(function() edge:snapshot { name = "mem", memory = true } end, "memory snapshot refused",
             "cannot be saved in a memory snapshot")
t.ok(e.message:find("0000:3b:02.1 of ens1f0", 1, true), "naming the VF", e.message)
t.eq(#edge:snapshots(), 0, "nothing was taken")

-- attach_nic{ vf = }: held, host interface, unknown
local web = vd.domain("web-1")
t.raises(function() web:attach_nic { vf = "0000:3b:02.1" } end, "a held VF", "held by VM nfv%-edge")
t.raises(function() web:attach_nic { vf = "0000:3b:02.0" } end, "a host interface VF", "host interface ens1f0v0")
t.raises(function() web:attach_nic { vf = "0000:5e:00.1" } end, "no such VF", "has no SR%-IOV VF")
t.raises(function() web:attach_nic { vf = "0000:3b:02.2", network = "default" } end, "vf or network",
         "exactly one of")
-- a VM without VFs migrates as before (here: the test driver cannot, after validation)
local ok, err = pcall(web.migrate, web, { to = "hv-t" })
t.ok(not ok and not tostring(err.message):find("VF"), "web-1 is not refused for VFs", tostring(err.message))
-- d:set_coalesce: a VF or vhost-user NIC has no tap for libvirt to coalesce
t.raises(function() edge:set_coalesce("52:54:00:6b:3c:05", { rx_frames = 8 }) end, "not on a VF",
         "h:set_coalesce")
t.raises(function() edge:set_coalesce("52:54:00:6b:3c:06", { rx_frames = 8 }) end, "not on vhost%-user",
         "bridge, network or OVS NIC only")
t.done()

-- vdeck-args: -c @FIXTURES@/inventory/fixture-cluster.lua
-- resize_disk never shrinks a disk (QEMU would).  The test driver gives no
-- block statistics, so the current size comes from a pool volume (alpha's
-- vda: 20 GiB in hv-a's pool), else from virDomainGetBlockInfo, read before
-- validation when the model knows no size (test:///default's vda is in no
-- pool; the driver answers 1 TiB - 5 MiB).  A refusal names host, VM, disk
-- and both sizes, and changes nothing; a grow passes validation (then the
-- test driver cannot resize: libvirt's own error says so).
local t = require "lib.t"

-- Expects fn to raise an error whose text holds want (plain text).
local function refused(fn, name, want)
  local ok, err = pcall(fn)
  local msg = tostring(err)
  t.ok(not ok and msg:find(want, 1, true) ~= nil, name, ok and "did not raise" or ("raised " .. msg))
  return err
end

local a = vdeck.domain("alpha")
t.eq(a.state, "running", "alpha runs")
t.eq(a:disks()[1].capacity, 20 * 1024^3, "alpha's vda: 20G, from the pool volume")
local e = refused(function() a:resize_disk("vda", "10G") end, "a smaller size is refused",
  "refusing to shrink disk vda of VM alpha on host hv-a: 10G (10737418240 bytes) is not larger than its " ..
  "current size 20G (21474836480 bytes); disks only grow")
t.eq(type(e) == "table" and e.code, "refused", "the error's code is refused")
refused(function() a:resize_disk("vda", "20G") end, "the same size is refused",
  "20G (21474836480 bytes) is not larger than its current size 20G")
refused(function() a:resize_disk("vda", "30G") end, "a larger size passes validation (the driver cannot resize)",
  "virDomainBlockResize")

local d = vdeck.domain("test")
t.eq(d:disks()[1].capacity, 0, "test's vda is in no pool: the model knows no size")
refused(function() d:resize_disk("vda", "2G") end, "a smaller size is refused with the size libvirt gave",
  "refusing to shrink disk vda of VM test on host hv-b: 2.0G (2147483648 bytes) is not larger than its " ..
  "current size 1024G (1099506450432 bytes)")
refused(function() d:resize_disk("vda", "2T") end, "a larger one passes validation", "virDomainBlockResize")
refused(function() d:resize_disk("vdq", "2T") end, "an unknown disk is named", "the domain has no disk vdq")
t.done()

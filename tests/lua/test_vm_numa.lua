-- vdeck-args: -c @FIXTURES@/inventory/vmnuma.lua
-- Where a running VM's memory sits: /proc/PID/numa_maps of its QEMU,
-- found through /run/libvirt/qemu/NAME.pid under the host's sysroot.
local t = require "lib.t"
local d = vdeck.domain("alpha")
local numa = d:stats().numa_mem
t.eq(numa[0], (1650 + 10000 + 262144) * 4096, "node 0 bytes (4 KiB pages)")
t.eq(numa[1], (2510 + 33) * 4096 + 512 * 2048 * 1024, "node 1 bytes (2 MiB pages counted as such)")
t.eq(vdeck.domain("beta"):stats().numa_mem[0], nil, "a VM without a QEMU process has none")
t.done()

-- vdeck-args: -c @FIXTURES@/inventory/placement.lua
-- vdeck.overcommit(): the running VM alpha (4 GiB defined, balloon at 2 GiB)
-- on a 64 GiB host whose KSM shares 25600 pages (100 MiB) and whose swap
-- holds 261 MiB.
local t = require "lib.t"
local o = vdeck.overcommit()
local G, M = 1 << 30, 1 << 20
local h = o.hosts[1]
t.eq(h.host, "hv-p", "per host")
t.eq(h.physical, 64 * G, "physical memory")
t.eq(h.configured, 4 * G, "running VMs' configured memory")
t.eq(h.ballooned, 2 * G, "their balloons")
t.eq(h.balloon_reclaimed, 2 * G, "balloon reclaimed = configured - current")
t.eq(h.ksm_saved, 100 * M, "KSM saving = pages_sharing x page size")
t.eq(h.swap_used, 8388604 * 1024 - 8121340 * 1024, "swap in use")
t.eq(h.running, 1, "one running VM")
t.ok(math.abs(h.ratio - 1 / 16) < 1e-9, "ratio configured/physical", h.ratio)
t.ok(math.abs(h.density_gain - (4 * G / (4 * G - 2 * G - 100 * M) - 1)) < 1e-9, "density gain measured", h.density_gain)
t.eq(o.cluster.hosts, 1, "cluster: hosts counted")
t.eq(o.cluster.configured, h.configured, "cluster sums")
t.eq(o.cluster.density_gain, h.density_gain, "cluster gain from the sums")
t.done()

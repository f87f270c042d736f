-- vdeck-args: -c @FIXTURES@/inventory/placement.lua
-- memory-reclaim: the decision per VM on fixed balloon statistics (used +
-- headroom, the floor, the minimum gain, a guest without statistics), then
-- the runbook on the test driver, whose guests report no balloon
-- statistics: every running VM is listed as skipped with the reason, and
-- nothing is changed.
local t = require "lib.t"
local rb = dofile(os.getenv("VDECK_TEST_FIXTURES") .. "/../../lua/runbooks/memory-reclaim.lua")
local G, M = 1 << 30, 1 << 20
local p = { headroom = 512 * M, min = 25, min_gain = 256 * M }
local function vm(current, available, usable)
  return { state = "running", max_memory = 8 * G,
           balloon = { current = current, available = available, usable = usable } }
end

-- 8 GiB guest using 1 GiB: down to used + headroom
local r = rb.plan_vm(vm(8 * G, 8 * G, 7 * G), p)
t.eq(r.target, 1536 * M + 512 * M, "used 1G + headroom 512M, held at the 2G floor (25% of 8G)")
t.ok(r.why:find("floor 25%% of 8.0G") ~= nil, "why names the floor", r.why)
r = rb.plan_vm(vm(8 * G, 8 * G, 4 * G), p)
t.eq(r.target, 4 * G + 512 * M, "used 4G + headroom")
t.eq(r.current, 8 * G, "current kept for the report")
t.ok(r.why:find("guest uses 4.0G of 8.0G %(4.0G usable%), headroom 512M") ~= nil, "why says used, seen, usable", r.why)
-- a guest whose kernel keeps memory outside MemTotal (the lab's tiny guest:
-- 512M of balloon, 405M available, 380M usable): that memory counts as used
r = rb.plan_vm({ state = "running", max_memory = 512 * M,
                 balloon = { current = 512 * M, available = 405 * M, usable = 380 * M } },
               { headroom = 128 * M, min = 10, min_gain = 16 * M })
t.eq(r.target, 132 * M + 128 * M, "used is current - usable (132M), not available - usable (25M)")
-- little to gain: left alone
r = rb.plan_vm(vm(5 * G, 5 * G, 700 * M), p)
t.ok(r.skip and r.skip:find("at most") ~= nil, "under min_gain: skipped", r.skip)
-- unused instead of usable (older guests)
r = rb.plan_vm({ state = "running", max_memory = 4 * G, balloon = { current = 4 * G, unused = 3 * G } }, p)
t.eq(r.target, 1536 * M, "unused counts when usable is absent (1G used + 512M)")
-- no statistics, not running
r = rb.plan_vm({ state = "running", max_memory = 4 * G, balloon = { current = 4 * G } }, p)
t.ok(r.skip and r.skip:find("reports no balloon statistics") ~= nil, "no stats: said so", r.skip)
t.ok(rb.plan_vm({ state = "shutoff", max_memory = G }, p).skip ~= nil, "shut off: skipped")
-- odd sizes end on whole MiB
r = rb.plan_vm(vm(8 * G, 8 * G, 5 * G + 12345), { headroom = 300 * M + 7, min = 1, min_gain = M })
t.eq(r.target % M, 0, "target in whole MiB")
-- a floor that is no whole MiB (70% of 512M = 358.4M): the target is not under it
r = rb.plan_vm({ state = "running", max_memory = 512 * M,
                 balloon = { current = 512 * M, available = 405 * M, usable = 380 * M } },
               { headroom = 64 * M, min = 70, min_gain = 16 * M })
t.eq(r.target, 359 * M, "held at the floor, rounded up to 359M")

-- the runbook itself on the test driver (no balloon statistics there)
local before = vdeck.domain("alpha").memory
local out = rb.run({ dry_run = false, emit = function() end }, { headroom = 512 * M, min = 50, min_gain = 256 * M })
t.eq(#out.lowered, 0, "nothing lowered")
t.eq(#out.skipped, 1, "the running VM is listed")
t.eq(out.skipped[1] and out.skipped[1].vm, "alpha", "by name")
t.ok(out.skipped[1] and out.skipped[1].why:find("no balloon statistics") ~= nil, "with the reason")
t.eq(vdeck.domain("alpha").memory, before, "balloon unchanged")
t.done()

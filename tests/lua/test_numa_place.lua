-- vdeck-args: --demo=3x24:skewed --connect-timeout=60
-- numa-place applied for real on a skewed demo host (libvirt's test
-- driver): live pins are refused there, so the runbook stops at its first
-- VM with a report and the row failed; with neither live= nor config=
-- (libvirt's "current") every VM of the plan gets its vCPUs pinned to its
-- node's CPUs and a strict numatune on that node — read back from the
-- domain XML after a poll — and every published row ends "done".
local t = require "lib.t"
local rb = dofile(os.getenv("VDECK_TEST_FIXTURES") .. "/../../lua/runbooks/numa-place.lua")
local logs = {}
local ctx = { dry_run = false, name = "numa-place", emit = function() end, progress = function() end,
              log = function(s) logs[#logs + 1] = s end }
local host = "cna02"

local plan = vdeck.plan_numa { host = host }
local pins, others = {}, 0
for _, v in ipairs(plan.vms) do
  if v.action == "pin" then pins[#pins + 1] = v else others = others + 1 end
end
t.ok(#pins >= 3 and others >= 1, "the plan pins some VMs and leaves others", #pins .. " pins, " .. others .. " others")
local nodes = {}
for _, v in ipairs(pins) do nodes[v.nodeset] = true end
t.ok(nodes["0"] and nodes["1"], "onto both nodes")

-- live: the test driver refuses live vCPU pins
local err = t.raises(function() rb.run(ctx, { host = host, override_strict = false, live = true }) end,
                     "live pins: the run stops", "stopped at the first failure")
t.ok(tostring(err):find(pins[1].vm .. " on " .. host .. ": ", 1, true) and tostring(err):find("testDomainPinVcpuFlags")
     and tostring(err):find("(0 of " .. #pins .. " placed)", 1, true), "the report names VM, host and cause",
     tostring(err))
local b = vdeck.plan_board()
local first
for i, v in ipairs(plan.vms) do if v == pins[1] or v.vm == pins[1].vm then first = i end end
t.eq(b.rows[first].state, "failed", "its row failed")
t.ok((b.rows[first].note or ""):find("unsupported flags", 1, true), "with the cause", b.rows[first].note)
local planned = 0
for _, r in ipairs(b.rows) do if r.state == "planned" then planned = planned + 1 end end
t.eq(planned, #pins - 1, "the other pins were not started")
t.eq(#vdeck.domain(pins[1].vm):vcpu_pins(), 0, "nothing pinned")

-- current: applied
local out = rb.run(ctx, { host = host, override_strict = false })
t.eq(out.placed, #pins, "every planned VM placed")
vdeck.refresh()
for _, v in ipairs(pins) do
  local d = vdeck.domain(v.vm)
  local got, all = d:vcpu_pins(), true
  for _, p in ipairs(got) do all = all and p.cpuset == v.cpus end
  t.ok(#got == d.vcpus and all, v.vm .. ": every vCPU pinned to node " .. v.nodeset .. "'s CPUs " .. v.cpus,
       #got .. " pins of " .. d.vcpus .. (got[1] and (", first " .. got[1].cpuset) or ""))
  local nt = d:numatune()
  t.ok(nt and nt.mode == "strict" and nt.nodeset == v.nodeset, v.vm .. ": numatune strict on node " .. v.nodeset,
       nt and (tostring(nt.mode) .. " " .. tostring(nt.nodeset)))
end
b = vdeck.plan_board()
t.ok(b.title:find("plan_numa " .. host, 1, true), "the board shows the plan", b.title)
t.eq(#b.rows, #plan.vms, "one row per VM")
local states = {}
for _, r in ipairs(b.rows) do states[#states + 1] = r.state end
t.eq(table.concat(states, ","), string.rep("done", #plan.vms, ","), "every row ends done")

-- planned again: the pinned VMs are now inside their node
local again = vdeck.plan_numa { host = host }
local repins = 0
for _, v in ipairs(again.vms) do if v.action == "pin" then repins = repins + 1 end end
t.eq(repins, 0, "a second plan has nothing left to pin")
t.done()

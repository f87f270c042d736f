-- plan.lua — the planners on the skewed demo, for bench/plan.sh: prints one
-- JSON object (moves, imbalance before/after beside the greedy baseline,
-- NUMA locality of spanning VMs per host, planning time).
vdeck.domains()   -- every host answered once
-- plan_cpu_ms: the CPU time the planner took (model copy and planning) on
-- the console's thread; a wall clock would also count the 128 simulated
-- hosts' polls sharing the machine.
local function timed(f)
  local r = f()
  return r, math.floor(r.plan_cpu_ms * 10 + 0.5) / 10
end
local function summary(p, ms)
  return { moves = #p.moves, before = p.before, after = p.after, stop = p.stop, plan_cpu_ms = ms }
end
local out = { cluster = { hosts = #vdeck.hosts(), vms = #vdeck.domains() } }
local best, ms = timed(function() return vdeck.plan_balance { by = "memory" } end)
out.memory = { threshold = best.threshold, planner = summary(best, ms) }
-- the baseline moves while it helps at all (no margin), to the same threshold
local g, gms = timed(function() return vdeck.plan_balance { by = "memory", method = "greedy", margin = 0 } end)
out.memory.greedy = summary(g, gms)
local same = vdeck.plan_balance { by = "memory", threshold = g.after }
out.memory.planner_to_greedy_end = summary(same, nil)
local gx = vdeck.plan_balance { by = "memory", method = "greedy", threshold = 0, margin = 0 }
out.memory.greedy_while_it_helps = summary(gx, nil)
local bx = vdeck.plan_balance { by = "memory", threshold = gx.after, margin = 0 }
out.memory.planner_while_it_helps = summary(bx, nil)
for _, by in ipairs { "cpu", "both" } do
  local p, t = timed(function() return vdeck.plan_balance { by = by } end)
  local q = vdeck.plan_balance { by = by, method = "greedy", margin = 0 }
  out[by] = { planner = summary(p, t), greedy = summary(q, nil) }
end
local numa = { hosts = {}, hosts_with_spanning = 0, hosts_raised = 0 }
local all_b, all_a, all_k = 0, 0, 0
local numa_ms = 0
for _, h in ipairs(vdeck.hosts()) do
  local n = vdeck.plan_numa { host = h.name }
  numa_ms = numa_ms + n.plan_cpu_ms
  local sb, sa, k, pins = 0, 0, 0, 0
  for _, v in ipairs(n.vms) do
    if v.before and v.before < 0.999 then sb, sa, k = sb + v.before, sa + v.after, k + 1 end
    if v.action == "pin" then pins = pins + 1 end
  end
  if k > 0 then
    numa.hosts_with_spanning = numa.hosts_with_spanning + 1
    if sa > sb then numa.hosts_raised = numa.hosts_raised + 1 end
    all_b, all_a, all_k = all_b + sb, all_a + sa, all_k + k
    numa.hosts[#numa.hosts + 1] = { host = h.name, spanning = k, before = sb / k, after = sa / k, pins = pins }
  end
end
numa.plan_cpu_ms_all_hosts = math.floor(numa_ms * 10 + 0.5) / 10
numa.spanning_vms = all_k
numa.mean_before = all_k > 0 and all_b / all_k or nil
numa.mean_after = all_k > 0 and all_a / all_k or nil
out.numa = numa
print(vdeck.json(out))

-- vdeck-args: --demo=16x400:skewed --connect-timeout=60
-- The planners on the skewed demo (a crowded host, many VMs spanning
-- nodes): plan_balance brings the memory imbalance under its threshold
-- and needs no more moves than the greedy baseline for the same end; it
-- honours maintenance, rules and exclusions; plan_numa raises the mean
-- locality of the spanning VMs on every host that has some.
local t = require "lib.t"

local p = vdeck.plan_balance { by = "memory" }
t.ok(p.before > 0.3, "the skewed demo starts unbalanced", tostring(p.before))
t.ok(#p.moves > 0, "moves are planned")
t.ok(p.after <= p.threshold, "memory imbalance ends under the threshold",
     string.format("%.3f > %.3f: %s", p.after, p.threshold, p.stop))
local prev, down = p.before, true
for _, m in ipairs(p.moves) do
  down = down and m.imbalance < prev - 0.001 + 1e-12
  prev = m.imbalance
end
t.ok(down, "every move lowers the imbalance by the margin")
local m1 = p.moves[1]
t.ok(m1.vm and m1.from ~= m1.to and m1.node and m1.reason:find("memory"), "a move names VM, hosts, node and reason")

-- a migration under way counts as done: the plan goes on from there
local a = vdeck.plan_balance { by = "memory", assume = { { vm = m1.vm, to = m1.to, node = m1.node } } }
t.ok(math.abs(a.before - m1.imbalance) < 1e-9, "assuming the first move, the plan starts where it left the cluster",
     string.format("%.4f vs %.4f", a.before, m1.imbalance))
t.ok(a.moves[1] and p.moves[2] and a.moves[1].vm == p.moves[2].vm and a.moves[1].to == p.moves[2].to,
     "and goes on with the second move")
local again = false
for _, m in ipairs(a.moves) do again = again or m.vm == m1.vm end
t.ok(not again, "the moving VM is not moved again")
t.raises(function() vdeck.plan_balance { assume = { { vm = "no-such-vm", to = m1.to } } } end,
         "assume of an unknown VM", "no running VM named 'no%-such%-vm'")

local g = vdeck.plan_balance { by = "memory", method = "greedy", margin = 0 }
local b = vdeck.plan_balance { by = "memory", threshold = g.after }
t.ok(b.after <= g.after + 1e-9, "the planner reaches the greedy baseline's end",
     string.format("%.4f vs %.4f", b.after, g.after))
t.ok(#b.moves <= #g.moves, "with no more moves than greedy", string.format("%d vs %d", #b.moves, #g.moves))

-- already balanced enough: nothing to do
local none = vdeck.plan_balance { by = "memory", threshold = p.before }
t.eq(#none.moves, 0, "a cluster under the threshold gets an empty plan")

-- a host in maintenance takes nothing; its state is kept and audited
local target = vdeck.host(m1.to)
t.eq(target:set_maintenance(true), true, "set_maintenance changes the state")
t.eq(target:set_maintenance(true), false, "setting it again changes nothing")
t.eq(target.maintenance, true, "h.maintenance")
local pm = vdeck.plan_balance { by = "memory" }
local into = 0
for _, m in ipairs(pm.moves) do if m.to == m1.to then into = into + 1 end end
t.eq(into, 0, "no move goes to a host in maintenance")
local audit = io.open(os.getenv("XDG_STATE_HOME") .. "/vdeck/audit.jsonl"):read("a")
t.ok(audit:find('"operation":"set_maintenance"', 1, true), "set_maintenance is audited")
local state = io.open(os.getenv("XDG_STATE_HOME") .. "/vdeck/maintenance"):read("a")
t.eq(state, m1.to .. "\n", "the state dir keeps it")
local ev = vdeck.plan_balance { evacuate = m1.to }
t.ok(#ev.moves > 0, "evacuation plans moves off the host in maintenance")
local back = 0
for _, m in ipairs(ev.moves) do if m.to == m1.to or m.from ~= m1.to then back = back + 1 end end
t.eq(back, 0, "evacuation moves only off that host")
target:set_maintenance(false)
t.eq(target.maintenance, false, "maintenance off")

-- rules and exclusions
local pr = vdeck.plan_balance { by = "memory", rules = { { pin_to = { vm = m1.vm, hosts = m1.from } } } }
local ex = vdeck.plan_balance { by = "memory", exclude = m1.vm }
local function moves_vm(plan, vm)
  for _, m in ipairs(plan.moves) do if m.vm == vm then return true end end
  return false
end
t.ok(not moves_vm(pr, m1.vm), "pin_to keeps the VM on its host")
t.ok(not moves_vm(ex, m1.vm), "exclude keeps the VM where it is")
t.raises(function() vdeck.plan_balance { rules = { { keep_apart = "x" } } } end, "a bad rule", "two or more")
t.raises(function() vdeck.plan_balance { by = "disk" } end, "a bad by", "memory")

-- NUMA locality and placement
local known = 0
for _, d in ipairs(vdeck.domains { state = "running" }) do
  local l = d:stats().numa_locality
  if l then
    known = known + 1
    t.ok(l > 0 and l <= 1, "locality of " .. d.name .. " is a share")
    if known > 5 then break end
  end
end
t.ok(known > 0, "running VMs have a locality")
local hosts_with_span = 0
for _, h in ipairs(vdeck.hosts()) do
  t.ok(h:numa().imbalance ~= nil, h.name .. " has a NUMA imbalance")
  local n = vdeck.plan_numa { host = h.name }
  local sb, sa, k = 0, 0, 0
  for _, v in ipairs(n.vms) do
    if v.before and v.before < 0.999 then sb, sa, k = sb + v.before, sa + v.after, k + 1 end
  end
  if k > 0 then
    hosts_with_span = hosts_with_span + 1
    t.ok(sa / k > sb / k, string.format("%s: spanning VMs' locality rises (%.2f -> %.2f)", h.name, sb / k, sa / k))
  end
end
t.ok(hosts_with_span >= 12, "most skewed hosts have spanning VMs", tostring(hosts_with_span))
t.done()

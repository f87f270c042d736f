-- vdeck-args: --demo=4x40
-- vdeck.each: every item runs (as a coroutine, hosts in parallel), results
-- come back in item order, an error in one item does not stop the others.
local t = require "lib.t"
local doms = vdeck.domains()
t.eq(#doms, 40, "forty VMs")
local r = vdeck.each(doms, function(d)
  local out = d:snapshot { name = "each-1" }
  return out.ok and d.name
end, { per_host = 2 })
t.eq(#r, 40, "one result per item")
local ordered, all_ok = true, true
for i, x in ipairs(r) do
  all_ok = all_ok and x.ok
  ordered = ordered and x.value == doms[i].name
end
t.ok(all_ok, "every snapshot succeeded")
t.ok(ordered, "results in item order")
local with = 0
for _, d in ipairs(vdeck.domains()) do
  for _, s in ipairs(d:snapshots()) do if s.name == "each-1" then with = with + 1 end end
end
t.eq(with, 40, "every VM has the snapshot")

-- The second pass collides on the name: each item fails on its own.
r = vdeck.each(doms, function(d) return d:snapshot { name = "each-1" } end, { limit = 3 })
local failed = 0
for _, x in ipairs(r) do
  if not x.ok and tostring(x.error):find("each%-1") then failed = failed + 1 end
end
t.eq(failed, 40, "name taken: every item reports its own error")

-- Plain Lua values and functions that never block work too.
r = vdeck.each({ 1, 2, 3 }, function(x) if x == 2 then error("two") end return x * 10 end)
t.ok(r[1].ok and r[1].value == 10 and not r[2].ok and r[3].value == 30, "plain items, one error")
t.raises(function() vdeck.each({}, 5) end, "fn must be a function")
t.raises(function() vdeck.each({ 1 }, print, { per_host = 0 }) end, "per_host >= 1")

t.done()

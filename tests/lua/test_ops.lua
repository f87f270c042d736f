-- vdeck-args: --demo=3x18
-- Operations against libvirt's test driver: read state back after each
-- operation, check the audit trail, and that refusals change nothing.
local t = require "lib.t"

local function audit_lines()
  local path = os.getenv("XDG_STATE_HOME") .. "/vdeck/audit.jsonl"
  local f = io.open(path)
  if not f then return {} end
  local lines = {}
  for l in f:lines() do lines[#lines + 1] = l end
  f:close()
  return lines
end

local d
for _, x in ipairs(vdeck.domains()) do
  if x.state == "running" and x.max_vcpus >= 2 then d = x break end
end
t.ok(d ~= nil, "a running domain with 2+ vCPUs exists")

-- vCPUs
local n0 = d.vcpus
local r = d:set_vcpus(n0 - 1)
t.ok(r.ok and not r.dry_run, "set_vcpus returns ok")
t.eq(d.vcpus, n0 - 1, "vCPU count read back after set_vcpus")
t.ok(r.call:find('virDomainSetVcpusFlags("' .. d.name .. '", ' .. (n0 - 1) .. ', VIR_DOMAIN_AFFECT_LIVE)', 1, true),
     "call describes the API and flags", r.call)
local e = t.raises(function() d:set_vcpus(d.max_vcpus + 1) end, "vCPUs above maximum refused", "above the domain's maximum")
t.eq(type(e), "table", "error is a table")
t.eq(e.domain, d.name, "error names the domain")
t.eq(e.host, d.host, "error names the host")
t.eq(e.op, "set_vcpus", "error names the operation")
t.eq(d.vcpus, n0 - 1, "refused set_vcpus changed nothing")
t.raises(function() d:set_vcpus("four") end, "wrong argument text raises", "count: 'four' is not an integer")
t.raises(function() d:set_vcpus(true) end, "wrong argument type raises", "must be an integer, not a boolean")
t.raises(function() d:set_vcpus(2, { bogus = true }) end, "unknown option raises", "unknown argument 'bogus'")
-- the same strict parser and bounds as --exec k=v (ops/value.c), for text and numbers
t.raises(function() d:set_vcpus("2.5") end, "count '2.5' raises", "count: '2.5' is not an integer")
t.raises(function() d:set_vcpus("1e3") end, "count '1e3' raises", "count: '1e3' is not an integer")
t.raises(function() d:set_vcpus(2.5) end, "count 2.5 raises", "must be a whole number")
t.raises(function() d:set_vcpus(0) end, "count 0 is below the declared minimum", "count: 0 is below the minimum 1")
t.raises(function() d:set_vcpus(1e300) end, "a huge float count raises (no cast)", "must be a whole number")
t.raises(function() d:detach_disk("vdz", { timeout = 0 / 0 }) end, "timeout nan raises", "is not a finite number")
t.raises(function() d:detach_disk("vdz", { timeout = "inf" }) end, "timeout 'inf' raises", "is not a finite number")
t.raises(function() d:detach_disk("vdz", { timeout = math.huge }) end, "timeout inf raises", "is not a finite number")
t.raises(function() d:set_memory("0x10G") end, "size '0x10G' raises", "is not a size")
t.raises(function() d:set_memory("10000P") end, "size past 2^63 raises", "size: '10000P' is too large")
t.raises(function() d:set_memory(-1) end, "negative size raises", "is negative")
t.eq(d.vcpus, n0 - 1, "refused arguments changed nothing")

-- memory
r = d:set_memory("1G")
t.eq(d.memory, 1024 * 1024 * 1024, "memory read back after set_memory")
t.raises(function() d:set_memory(d.max_memory + 1024 * 1024 * 1024) end, "balloon above maximum refused",
         "above the domain's memory")
t.eq(d.memory, 1024 * 1024 * 1024, "refused set_memory changed nothing")

-- snapshots: create, tree, revert, delete
t.eq(#d:snapshots(), 0, "no snapshots at first")
d:snapshot { name = "base <&'\">", description = "first & foremost" }
d:snapshot("second")
d:snapshot { name = "third" }
local snaps = d:snapshots()
t.eq(#snaps, 3, "three snapshots listed")
local by = {}
for _, s in ipairs(snaps) do by[s.name] = s end
t.ok(by["base <&'\">"] ~= nil, "name with <&'\" kept as text")
t.eq(by["base <&'\">"].description, "first & foremost", "description kept")
t.eq(by["second"].parent, "base <&'\">", "second's parent is base")
t.eq(by["third"].parent, "second", "third's parent is second")
t.eq(by["third"].current, true, "third is current")
t.eq(by["second"].kind, "internal", "internal snapshot")
t.eq(by["second"].memory, true, "running snapshot includes memory")
t.eq(#by["base <&'\">"].children, 1, "base has one child")
t.raises(function() d:snapshot { name = "second" } end, "taken snapshot name refused", "already taken")
t.raises(function() d:snapshot { name = "ext", disk_only = true } end, "mixing internal and external refused",
         "refusing to mix")
t.eq(#d:snapshots(), 3, "refused snapshots changed nothing")
t.raises(function() d:revert("nope") end, "revert to unknown snapshot refused", "no snapshot named")

local cur = d.vcpus
d:set_vcpus(cur + 1 <= d.max_vcpus and cur + 1 or cur - 1)
r = d:revert("second")
t.ok(r.ok, "revert ok")
t.eq(d.vcpus, cur, "revert restored the vCPU count of the snapshot")
for _, s in ipairs(d:snapshots()) do
  if s.name == "second" then t.eq(s.current, true, "reverted snapshot is current") end
end
d:delete_snapshot("second")
snaps = d:snapshots()
t.eq(#snaps, 2, "delete removed one snapshot")
for _, s in ipairs(snaps) do
  if s.name == "third" then t.eq(s.parent, "base <&'\">", "child re-parented after delete") end
end
d:delete_snapshot("base <&'\">", { children = true })
t.eq(#d:snapshots(), 0, "children=true deleted the subtree")

-- stale and unknown
t.raises(function() vdeck.domain("no-such-vm") end, "unknown VM raises")

-- operations metadata
local ops = vdeck.operations()
local names = {}
for _, o in ipairs(ops) do names[o.name] = o end
for _, want in ipairs { "set_vcpus", "set_memory", "attach_memory", "detach_memory", "attach_disk",
                        "detach_disk", "resize_disk", "attach_nic", "detach_nic", "snapshot", "revert",
                        "delete_snapshot", "merge", "restore_to", "migrate", "abort_job" } do
  t.ok(names[want] ~= nil, "operation " .. want .. " listed")
  t.ok(type(d[want]) == "function", "d:" .. want .. " exists")
end
t.eq(names.set_vcpus.args[1].name, "count", "set_vcpus' first argument is count")
t.eq(names.set_vcpus.args[1].required, true, "count is required")
t.eq(names.migrate.flags.long, true, "migrate is a long operation")
t.eq(names.revert.flags.destructive, true, "revert is destructive")

-- audit: one result record per operation, refusals included; an operation
-- that was sent also has a started record before it, with the same id
local lines, started, sent, paired, lone = {}, {}, 0, 0, 0
for i, l in ipairs(audit_lines()) do
  local id = l:match('"id":"([^"]+)"')
  if l:find('"record":"started"', 1, true) then
    started[id] = i
  else
    lines[#lines + 1] = l
    local was_sent = l:find('"result":"ok"', 1, true) or l:find('"result":"failed"', 1, true)
    if was_sent then sent = sent + 1 end
    if was_sent and started[id] and started[id] < i then paired = paired + 1 end
    if not was_sent and not started[id] then lone = lone + 1 end
  end
end
-- 14 operations reached validation; the two argument-type errors did not
t.eq(#lines, 14, "audit has one result record per operation")
t.ok(sent >= 5 and paired == sent, "each operation sent has a started record first, same id", paired .. "/" .. sent)
t.eq(lone, 14 - sent, "refused operations have their result record only")
local first = lines[1]
local function has(s, sub) return s:find(sub, 1, true) ~= nil end
t.ok(has(first, '"operation":"set_vcpus"') and has(first, '"result":"ok"') and has(first, '"dry_run":false')
     and has(first, '"domain":"' .. d.name .. '"') and has(first, '"host":"' .. d.host .. '"')
     and has(first, '"user":') and has(first, '"arguments":{"count":'), "first audit record complete", first)
local refused = 0
for _, l in ipairs(lines) do
  if l:find('"result":"refused"') and l:find("above the domain's maximum") then refused = refused + 1 end
end
t.ok(refused >= 1, "refusal audited with its reason")
t.ok(lines[#lines]:find('"operation":"delete_snapshot"') and lines[#lines]:find('"children":true'),
     "last record is the delete with its arguments", lines[#lines])
t.done()

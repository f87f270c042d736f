-- clone-vms: N linked clones of a template VM, spread over the hosts that
-- see every disk of the template (the datastores holding its files), each
-- clone to the host with the most free memory left after the clones
-- already placed; the clones are made in parallel, per_host at a time on
-- one host and limit at a time in all (vdeck.each).  The template must be
-- shut off (or snapshot= names an external snapshot of it).
local function datastore_of(h, path)
  for _, p in ipairs(h:pools()) do
    for _, v in ipairs(p.volumes) do
      if v.path == path then return p.datastore end
    end
  end
end

-- Hosts that see every file disk of template t: hosts of the datastore
-- holding it that have it at the same path (a clone's definition names
-- the base by path; a host mounting the export elsewhere cannot use it).
local function visible_hosts(t)
  local byKey = {}
  for _, d in ipairs(vdeck.datastores()) do byKey[d.key] = d end
  local seen
  for _, k in ipairs(t:disks()) do
    if k.device == "disk" and k.type == "file" and k.source then
      local key = datastore_of(vdeck.host(t.host), k.source)
      local ds = key and byKey[key]
      if not ds then
        vdeck.error { code = "refused", message = string.format("%s's disk %s (%s) is in no storage pool of %s: "
          .. "clones are made as pool volumes", t.name, k.target, k.source, t.host) }
      end
      local here = {}
      for _, name in ipairs(ds.hosts) do
        if datastore_of(vdeck.host(name), k.source) == key then here[name] = true end
      end
      if seen then
        for name in pairs(seen) do if not here[name] then seen[name] = nil end end
      else
        seen = here
      end
    end
  end
  return seen or {}
end

-- Free memory of host h: what its metrics say is available, else its
-- memory less what its running VMs were given.
local function free_memory(h)
  local ok, m = pcall(h.mem, h)
  if ok and m.available and m.available > 0 then return m.available end
  local used = 0
  for _, d in ipairs(h:domains()) do
    if d.state == "running" then used = used + d.memory end
  end
  return math.max((h.memory or 0) - used, 0)
end

return vdeck.runbook {
  name = "clone-vms",
  description = "N linked clones of a template, spread by free memory over the hosts that see its disks",
  params = {
    { name = "template", type = "domain", required = true },
    { name = "count", type = "integer", required = true, min = 1, max = 1000 },
    { name = "prefix", type = "string", description = "clone names: PREFIX1, PREFIX2, ... (default TEMPLATE-)" },
    { name = "pool", type = "string", description = "pool of the overlays (default: beside each base)" },
    { name = "snapshot", type = "string", description = "external snapshot of a running template to clone from" },
    { name = "start", type = "boolean", default = false },
    { name = "per_host", type = "integer", default = 2, min = 1, max = 16 },
    { name = "limit", type = "integer", default = 8, min = 1, max = 64 },
  },
  run = function(ctx, p)
    local t = vdeck.domain(p.template)
    local prefix = p.prefix or (t.name .. "-")
    local free, candidates = {}, {}
    for name in pairs(visible_hosts(t)) do
      local h = vdeck.host(name)
      if h.state == "up" or h.state == "degraded" then
        candidates[#candidates + 1] = h
        free[name] = free_memory(h)
      end
    end
    if #candidates == 0 then
      vdeck.error { code = "refused", message = "no reachable host sees every disk of " .. t.name }
    end
    table.sort(candidates, function(a, b) return a.name < b.name end)
    -- placement: each clone to the host with the most memory left
    local items, queue = {}, {}
    for i = 1, p.count do
      local best
      for _, h in ipairs(candidates) do
        if not best or free[h.name] > free[best.name] then best = h end
      end
      free[best.name] = free[best.name] - t.memory
      local name = prefix .. i
      items[#items + 1] = best
      queue[best.name] = queue[best.name] or {}
      table.insert(queue[best.name], name)
      ctx.log(string.format("%s -> %s", name, best.name))
    end
    -- one clone per item; an item is its host, which takes the next name queued for it
    local results = vdeck.each(items, function(h)
      local name = table.remove(queue[h.name], 1)
      local r = t:clone { name = name, host = h.name, pool = p.pool, snapshot = p.snapshot, start = p.start or nil }
      return { name = name, host = h.name, dry_run = r.dry_run }
    end, { per_host = p.per_host, limit = p.limit })
    local made, failed, hosts = {}, {}, {}
    for i, r in ipairs(results) do
      if r.ok then
        made[#made + 1] = r.value.name
        hosts[r.value.host] = (hosts[r.value.host] or 0) + 1
      else
        failed[#failed + 1] = items[i].name .. ": " .. tostring(r.error)
        ctx.log("failed", items[i].name, tostring(r.error))
      end
    end
    table.sort(made)
    local summary = { template = t.name, clones = #made, failed = #failed, hosts = hosts, names = made,
                      errors = #failed > 0 and failed or nil }
    if #failed > 0 then
      ctx.emit(summary)
      vdeck.error { message = string.format("%d of %d clone(s) failed", #failed, p.count) }
    end
    return summary
  end,
}

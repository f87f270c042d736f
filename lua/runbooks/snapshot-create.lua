-- snapshot-create: snapshot one VM, every VM of a tag, or every VM of a
-- host; keep only the newest `keep` snapshots carrying the prefix.  A host
-- that does not answer is never "a host without VMs": with tag= the others
-- are snapshotted and the run then ends with exit 3 naming it; with host=
-- or vm= on such a host it ends so at once.
local function targets(p)
  local list, missing = {}, {}
  if p.vm then list[1] = vdeck.domain(p.vm) end
  if p.host then
    for _, d in ipairs(vdeck.host(p.host):domains()) do list[#list + 1] = d end
  end
  if p.tag then
    local doms
    doms, missing = vdeck.domains { tag = p.tag, partial = true }
    for _, d in ipairs(doms) do list[#list + 1] = d end
  end
  return list, missing
end

return vdeck.runbook {
  name = "snapshot-create",
  description = "snapshot a VM, a tag or a host, keeping the newest N",
  params = {
    { name = "vm", type = "domain" },
    { name = "tag", type = "string" },
    { name = "host", type = "host" },
    { name = "prefix", type = "string", default = "auto" },
    { name = "keep", type = "integer", default = 0, min = 0 },
    { name = "disk_only", type = "boolean", default = false },
    { name = "description", type = "string" },
    { name = "per_host", type = "integer", default = 2, min = 1, max = 16,
      description = "snapshots in flight per host (hosts always run in parallel)" },
  },
  run = function(ctx, p)
    local list, missing = targets(p)
    if #list == 0 and #missing == 0 then
      vdeck.error { code = "usage", message = "give vm=, tag= or host=" }
    end
    local stamp = os.date("!%Y%m%dT%H%M%S")
    local index = {}
    for i, d in ipairs(list) do index[d] = i end
    -- One snapshot (and its pruning) per VM; hosts in parallel, per_host at a time.
    local results = vdeck.each(list, function(d)
      local name = string.format("%s-%s-%d", p.prefix, stamp, index[d])
      d:snapshot { name = name, disk_only = p.disk_only or nil, description = p.description }
      local pruned = 0
      if p.keep > 0 then
        local mine = {}
        for _, s in ipairs(d:snapshots()) do
          if s.name:sub(1, #p.prefix + 1) == p.prefix .. "-" then mine[#mine + 1] = s end
        end
        for k = 1, #mine - p.keep do
          if pcall(d.delete_snapshot, d, mine[k].name) then pruned = pruned + 1 end
        end
      end
      return pruned
    end, { per_host = p.per_host })
    local ok, failed, pruned = 0, {}, 0
    for i, r in ipairs(results) do
      if r.ok then
        ok = ok + 1
        pruned = pruned + r.value
      else
        failed[#failed + 1] = list[i].name .. ": " .. tostring(r.error)
        ctx.log("failed", list[i].name, tostring(r.error))
      end
    end
    -- Coverage: every host the targets were on, and every host that did not answer.
    local unreachable = {}
    for _, h in ipairs(missing) do unreachable[#unreachable + 1] = h end
    for _, h in ipairs(results.unreachable) do unreachable[#unreachable + 1] = h end
    local r = { vms = #list, snapshots = ok, failed = #failed, pruned = pruned, errors = failed,
                hosts = results.coverage, unreachable = unreachable }
    if #unreachable > 0 then
      ctx.emit(r)
      vdeck.error { code = "unreachable", message = #unreachable .. " host(s) did not answer, their VMs have no "
                    .. "snapshot: " .. table.concat(unreachable, ", ") }
    end
    if #failed > 0 then
      ctx.emit(r)
      vdeck.error { message = #failed .. " snapshot(s) failed" }
    end
    return r
  end,
}

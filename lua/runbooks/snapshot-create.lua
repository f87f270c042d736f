-- snapshot-create: snapshot one VM, every VM of a tag, or every VM of a
-- host; keep only the newest `keep` snapshots carrying the prefix.
local function targets(p)
  local list = {}
  if p.vm then list[1] = vdeck.domain(p.vm) end
  if p.host then
    for _, d in ipairs(vdeck.host(p.host):domains()) do list[#list + 1] = d end
  end
  if p.tag then
    for _, h in ipairs(vdeck.hosts { tag = p.tag }) do
      for _, d in ipairs(h:domains()) do list[#list + 1] = d end
    end
  end
  return list
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
  },
  run = function(ctx, p)
    local list = targets(p)
    if #list == 0 then
      vdeck.error { code = "usage", message = "give vm=, tag= or host=" }
    end
    local stamp = os.date("!%Y%m%dT%H%M%S")
    local ok, failed, pruned = 0, {}, 0
    for i, d in ipairs(list) do
      local name = string.format("%s-%s-%d", p.prefix, stamp, i)
      local good, err = pcall(d.snapshot, d, { name = name, disk_only = p.disk_only or nil,
                                               description = p.description })
      if good then
        ok = ok + 1
        if p.keep > 0 then
          local mine = {}
          for _, s in ipairs(d:snapshots()) do
            if s.name:sub(1, #p.prefix + 1) == p.prefix .. "-" then mine[#mine + 1] = s end
          end
          for k = 1, #mine - p.keep do
            local dg = pcall(d.delete_snapshot, d, mine[k].name)
            if dg then pruned = pruned + 1 end
          end
        end
      else
        failed[#failed + 1] = d.name .. ": " .. tostring(err)
        ctx.log("failed", d.name, tostring(err))
      end
    end
    local r = { snapshots = ok, failed = #failed, pruned = pruned, errors = failed }
    if #failed > 0 then
      ctx.emit(r)
      vdeck.error { message = #failed .. " snapshot(s) failed" }
    end
    return r
  end,
}

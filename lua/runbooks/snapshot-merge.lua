-- snapshot-merge: live merge of external overlays (active commit + pivot),
-- one disk or every disk that has an overlay.
return vdeck.runbook {
  name = "snapshot-merge",
  description = "live-merge a VM's external snapshot overlays into their base",
  params = {
    { name = "vm", type = "domain", required = true },
    { name = "disk", type = "string" },
    { name = "bandwidth", type = "integer", min = 1 },
  },
  run = function(ctx, p)
    local d = vdeck.domain(p.vm)
    local disks = {}
    if p.disk then
      disks[1] = p.disk
    else
      local seen = {}
      for _, s in ipairs(d:snapshots()) do
        if s.kind == "external" then
          for _, k in ipairs(d:disks()) do
            if not seen[k.target] and k.source and k.source:find(s.name, 1, true) then
              seen[k.target] = true
              disks[#disks + 1] = k.target
            end
          end
        end
      end
      if #disks == 0 then disks[1] = nil end
    end
    local merged = {}
    for _, disk in ipairs(#disks > 0 and disks or { false }) do
      d:merge { disk = disk or nil, bandwidth = p.bandwidth,
                on_progress = function(pr) ctx.log(string.format("%s %.0f%%", pr.phase,
                                                   math.max(pr.fraction, 0) * 100)) end }
      merged[#merged + 1] = disk or "(default)"
    end
    return { vm = d.name, merged = merged }
  end,
}

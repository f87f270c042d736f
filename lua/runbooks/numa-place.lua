-- numa-place: keep each VM of a host inside one NUMA node where it fits
-- (vdeck.plan_numa: largest first, existing strict numatune respected
-- unless override_strict; a host with one node has nothing to place).
-- Under --dry-run it prints the plan; otherwise each VM to place gets its
-- vCPUs pinned to the node's CPUs (d:pin_vcpus) and a strict numatune on
-- the node (d:set_numatune), VM by VM, stopping at the first failure with a
-- report.  live= and config= as in d:pin_vcpus: neither is libvirt's
-- "current" (the running definition of a running VM).
local planlib = require "planlib"

return vdeck.runbook {
  name = "numa-place",
  description = "pin each VM of a host to one NUMA node where it fits",
  params = {
    { name = "host", type = "host", required = true },
    { name = "override_strict", type = "boolean", default = false },
    { name = "live", type = "boolean" },
    { name = "config", type = "boolean" },
  },
  run = function(ctx, p)
    local pl = vdeck.plan_numa { host = p.host, override_strict = p.override_strict }
    print(planlib.numa_table(pl))
    vdeck.plan_publish(pl)
    local todo = {}
    for i, v in ipairs(pl.vms) do
      if v.action == "pin" then todo[#todo + 1] = { row = i, v = v } end
    end
    if #todo == 0 then
      print(string.format("numa-place %s: nothing to place (%s)", p.host,
                          pl.vms[1] and pl.vms[1].reason or "no running VM"))
    end
    local summary = { host = p.host, vms = #pl.vms, to_place = #todo,
                      locality_before = pl.locality_before and string.format("%.3f", pl.locality_before),
                      locality_after = pl.locality_after and string.format("%.3f", pl.locality_after) }
    if ctx.dry_run then
      summary.dry_run = true
      return summary
    end
    -- rows with nothing to apply (keep, strict, spans) are final already
    for i, v in ipairs(pl.vms) do
      if v.action ~= "pin" then vdeck.plan_mark(i, "done", v.reason) end
    end
    local placed = {}
    for k, t in ipairs(todo) do
      local v = t.v
      vdeck.plan_mark(t.row, "running")
      local ok, err = pcall(function()
        local d = vdeck.domain(v.vm)
        local pins = { live = p.live, config = p.config }
        for i = 0, v.vcpus - 1 do pins[i] = v.cpus end
        d:pin_vcpus(pins)
        d:set_numatune { mode = "strict", nodeset = v.nodeset, live = p.live, config = p.config }
      end)
      if not ok then
        vdeck.plan_mark(t.row, "failed", tostring(err))
        summary.placed = #placed
        summary.failed = v.vm .. " on " .. p.host .. ": " .. tostring(err)
        ctx.emit(summary)
        vdeck.error { message = string.format("stopped at the first failure: %s (%d of %d placed)", summary.failed,
                                              #placed, #todo) }
      end
      vdeck.plan_mark(t.row, "done")
      placed[#placed + 1] = v.vm .. " -> node " .. v.nodeset
      ctx.progress(k / #todo, string.format("%d of %d placed", k, #todo))
    end
    summary.placed = #placed
    summary.details = placed
    return summary
  end,
}

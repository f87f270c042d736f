-- evacuate-host: live-migrate every running VM off a host, a few at a
-- time, each to the host with the most free memory that fits it in one
-- NUMA node; a summary at the end.
return vdeck.runbook {
  name = "evacuate-host",
  description = "live-migrate every running VM off a host (NUMA-fit targets)",
  params = {
    { name = "host", type = "host", required = true },
    { name = "concurrency", type = "integer", default = 2, min = 1, max = 16 },
    { name = "unsafe", type = "boolean", default = false },
  },
  run = function(ctx, p)
    vdeck.op_limit(p.concurrency)
    local queue = {}
    for _, d in ipairs(vdeck.host(p.host):domains()) do
      if d.state == "running" then queue[#queue + 1] = d end
    end
    local running, moved, failed = {}, {}, {}
    local function reap(i)
      local t = table.remove(running, i)
      local _, ok, err = t.task:done()
      if ok then
        moved[#moved + 1] = t.vm.name .. " -> " .. t.vm.host
      else
        failed[#failed + 1] = t.name .. ": " .. tostring(err)
      end
    end
    for _, d in ipairs(queue) do
      while #running >= p.concurrency do
        reap(vdeck.wait_any((function() local l = {} for k, r in ipairs(running) do l[k] = r.task end return l end)()))
      end
      local ok, res = pcall(d.migrate, d, { async = true, unsafe = p.unsafe or nil })
      if not ok then
        failed[#failed + 1] = d.name .. ": " .. tostring(res)
      elseif getmetatable(res) and tostring(res):find("^task") then
        running[#running + 1] = { task = res, vm = d, name = d.name }
      else
        moved[#moved + 1] = d.name .. " (dry-run)"
      end
    end
    while #running > 0 do
      reap(vdeck.wait_any((function() local l = {} for k, r in ipairs(running) do l[k] = r.task end return l end)()))
    end
    local summary = { host = p.host, vms = #queue, moved = #moved, failed = #failed,
                      details = moved, errors = failed }
    if #failed > 0 then
      ctx.emit(summary)
      vdeck.error { message = string.format("%d of %d VM(s) could not be moved", #failed, #queue) }
    end
    return summary
  end,
}

-- memory-reclaim: lowers the balloon of running VMs whose guest says much
-- of its memory is unused, to what it uses plus a headroom, never below a
-- floor (min, percent of the configured memory); one host at a time.
-- The guest's figures come from the virtio balloon statistics (bulk stats
-- balloon.available / usable / unused): a VM whose guest reports none (no
-- balloon driver, or no OS) is listed and left alone.

local function size(b)
  local units, u = { "B", "K", "M", "G", "T" }, 1
  while b >= 1024 and u < #units do b, u = b / 1024, u + 1 end
  return (u == 1 or b >= 100) and string.format("%d%s", math.floor(b + 0.5), units[u])
         or string.format("%.1f%s", b, units[u])
end

-- What to do with one VM: { target = bytes, why = text } or { skip = text }.
-- vm: { state, max_memory, balloon = { current, available, usable, unused } };
-- p: { headroom = bytes, min = percent, min_gain = bytes }.
local function plan_vm(vm, p)
  if vm.state ~= "running" then return { skip = "not running (" .. tostring(vm.state) .. ")" } end
  local b = vm.balloon or {}
  local current = b.current or vm.max_memory
  local free = b.usable or b.unused
  if not free then
    return { skip = "the guest reports no balloon statistics (no virtio balloon driver, no OS, "
                    .. "or the stats period is off): nothing to go by" }
  end
  -- Used is all the balloon holds but the guest could give back: what its
  -- kernel keeps outside MemTotal (available < current; ~100M on a small
  -- guest) is used too, or a guest ballooned to (available - usable) plus a
  -- small headroom runs out of memory and panics.
  local used = math.max(current - free, 0)
  local floor = vm.max_memory * p.min // 100
  local target = used + p.headroom
  local why = string.format("guest uses %s of %s (%s %s), headroom %s", size(used), size(current),
                            size(free), b.usable and "usable" or "unused", size(p.headroom))
  if target < floor then
    target = floor
    why = why .. string.format(", held at the floor %d%% of %s", p.min, size(vm.max_memory))
  end
  -- whole MiB, as the balloon takes it; rounded up, so never under the floor
  target = (target + (1 << 20) - 1) // (1 << 20) * (1 << 20)
  if target + p.min_gain > current then
    return { skip = string.format("%s: at most %s to gain (min_gain %s)", why,
                                  size(math.max(current - target, 0)), size(p.min_gain)) }
  end
  return { target = target, current = current, why = why }
end

return vdeck.runbook {
  name = "memory-reclaim",
  description = "lower the balloon of VMs with much unused guest memory (used + headroom, >= min % of configured)",
  params = {
    { name = "host", type = "host", doc = "only this host (default: every host, one after the other)" },
    { name = "headroom", type = "size", default = "512M", doc = "left above what the guest uses" },
    { name = "min", type = "integer", default = 50, min = 1, max = 100,
      doc = "floor, percent of the configured memory" },
    { name = "min_gain", type = "size", default = "256M", doc = "smaller reclaims are not worth a balloon change" },
  },
  plan_vm = plan_vm,
  run = function(ctx, p)
    local hosts = {}
    if p.host then hosts[1] = vdeck.host(p.host) else hosts = vdeck.hosts() end
    local lowered, skipped, failed, reclaimed = {}, {}, {}, 0
    for _, h in ipairs(hosts) do
      for _, d in ipairs(h:domains()) do
        local s = d.state == "running" and d:stats() or {}
        local plan = plan_vm({ state = d.state, max_memory = d.max_memory, balloon = s.balloon }, p)
        if plan.skip then
          if d.state == "running" then
            skipped[#skipped + 1] = { vm = d.name, host = h.name, why = plan.skip }
            print(string.format("skip  %s on %s: %s", d.name, h.name, plan.skip))
          end
        else
          print(string.format("lower %s on %s: %s -> %s (%s)", d.name, h.name, size(plan.current),
                              size(plan.target), plan.why))
          local ok, err = pcall(d.set_memory, d, plan.target, { live = true })
          if ok then
            lowered[#lowered + 1] = { vm = d.name, host = h.name, current = plan.current, target = plan.target,
                                      why = plan.why }
            reclaimed = reclaimed + plan.current - plan.target
          else
            failed[#failed + 1] = d.name .. ": " .. tostring(err)
          end
        end
      end
    end
    local summary = { lowered = lowered, skipped = skipped, errors = failed, reclaimed = reclaimed,
                      dry_run = ctx.dry_run }
    if #failed > 0 then
      ctx.emit(summary)
      vdeck.error { message = string.format("%d balloon change(s) failed", #failed) }
    end
    return summary
  end,
}

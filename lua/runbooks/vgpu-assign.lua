-- vgpu-assign: give a VM a vGPU of a type.  The host with a free instance
-- is the VM's own when it has one (a vGPU serves only VMs of its GPU's
-- host); else the host with the most free instances, and a running VM is
-- live-migrated there first.  On that host the GPU chosen is the one on the
-- NUMA node holding most of the VM's memory (numatune, else live placement),
-- then the one with most free instances.  Under --dry-run every step is
-- printed and nothing changes.
local function vm_node(d)
  local ok, s = pcall(d.stats, d)
  local best, bytes = nil, 0
  if ok and s and s.numa_mem then
    for node, b in pairs(s.numa_mem) do
      if b > bytes then best, bytes = tonumber(node), b end
    end
  end
  if best then return best end
  local nt = d:numatune()
  if nt and nt.nodeset then return tonumber(nt.nodeset:match("^(%d+)")) end
  return nil
end

return vdeck.runbook {
  name = "vgpu-assign",
  description = "create a vGPU (mdev) of a type on a host with a free instance and attach it to a VM",
  params = {
    { name = "vm", type = "domain", required = true },
    { name = "type", type = "string", required = true },
    { name = "persistent", type = "boolean", default = false },
    { name = "migrate", type = "boolean", default = true },
  },
  run = function(ctx, p)
    local d = vdeck.domain(p.vm)
    local home = d.host
    -- free instances of the type per host
    local best, best_free, home_free = nil, 0, 0
    for _, row in ipairs(vdeck.gpus()) do
      if row.type == p.type then
        if row.host == home then home_free = row.free end
        if row.free > best_free then best, best_free = row.host, row.free end
      end
    end
    local target = home_free > 0 and home or best
    if not target then
      vdeck.error { op = "vgpu-assign", domain = d.name,
                    message = "no host has a free instance of vGPU type " .. p.type }
    end
    ctx.log(string.format("vGPU %s: %d free on %s (the VM's host), %s chosen", p.type, home_free, home, target))
    if target ~= home then
      if not p.migrate then
        vdeck.error { op = "vgpu-assign", domain = d.name, message = string.format(
          "%s has no free %s; %s has %d (run with migrate=true to move the VM there)",
          home, p.type, target, best_free) }
      end
      if d.state == "running" then
        ctx.log("step: migrate " .. d.name .. " to " .. target)
        d:migrate { to = target }
      end
    end
    -- the GPU: NUMA-near the VM's memory, then most free
    local node = vm_node(d)
    local gpu, score = nil, -1
    for _, g in ipairs(vdeck.host(target):gpus()) do
      for _, t in ipairs(g.types) do
        if t.id == p.type and (t.available or 0) > 0 then
          local s = (t.available or 0) + ((node ~= nil and g.numa_node == node) and 100000 or 0)
          if s > score then gpu, score = g, s end
        end
      end
    end
    if not gpu then
      vdeck.error { op = "vgpu-assign", host = target, message = "no GPU of " .. target .. " has a free " .. p.type }
    end
    ctx.log(string.format("step: create a %s mdev on %s of %s (GPU NUMA node %s, VM memory on node %s)",
      p.type, gpu.name, target, tostring(gpu.numa_node), tostring(node)))
    local r = vdeck.host(target):create_mdev { parent = gpu.name, type = p.type, persistent = p.persistent }
    local uuid = r.created
    ctx.log("step: attach mdev " .. uuid .. " to " .. d.name)
    local a = d:attach_mdev(uuid)
    return { vm = d.name, host = target, gpu = gpu.name, type = p.type, mdev = uuid,
             numa_node = gpu.numa_node, dry_run = a.dry_run }
  end,
}

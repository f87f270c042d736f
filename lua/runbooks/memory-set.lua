-- memory-set: balloon target of one VM, or hot-add a DIMM with dimm=true.
return vdeck.runbook {
  name = "memory-set",
  description = "set a VM's balloon target, or add a DIMM (dimm=true)",
  params = {
    { name = "vm", type = "domain", required = true },
    { name = "size", type = "size", required = true },
    { name = "dimm", type = "boolean", default = false },
    { name = "node", type = "integer", default = 0, min = 0 },
    { name = "live", type = "boolean" },
    { name = "config", type = "boolean" },
  },
  run = function(ctx, p)
    local d = vdeck.domain(p.vm)
    local before = d.memory
    if p.dimm then
      d:attach_memory { size = p.size, node = p.node, live = p.live, config = p.config }
    else
      d:set_memory(p.size, { live = p.live, config = p.config })
    end
    return { vm = d.name, host = d.host, before = before, after = d.memory }
  end,
}

-- disk-grow: online expansion of one disk (grow only).
return vdeck.runbook {
  name = "disk-grow",
  description = "grow a VM's disk online to a new size",
  params = {
    { name = "vm", type = "domain", required = true },
    { name = "disk", type = "string", default = "vda" },
    { name = "size", type = "size", required = true },
  },
  run = function(ctx, p)
    local d = vdeck.domain(p.vm)
    local r = d:resize_disk(p.disk, p.size)
    return { vm = d.name, disk = p.disk, size = p.size, dry_run = r.dry_run }
  end,
}

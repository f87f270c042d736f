-- vcpu-set: hot add or remove vCPUs of one VM.
return vdeck.runbook {
  name = "vcpu-set",
  description = "set the vCPU count of a VM (live and/or persistent)",
  params = {
    { name = "vm", type = "domain", required = true },
    { name = "count", type = "integer", required = true, min = 1 },
    { name = "live", type = "boolean" },
    { name = "config", type = "boolean" },
  },
  run = function(ctx, p)
    local d = vdeck.domain(p.vm)
    local before = d.vcpus
    local r = d:set_vcpus(p.count, { live = p.live, config = p.config })
    return { vm = d.name, host = d.host, before = before, after = d.vcpus, dry_run = r.dry_run }
  end,
}

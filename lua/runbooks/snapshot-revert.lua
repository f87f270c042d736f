-- snapshot-revert: revert a VM to a named snapshot (refuses unsafe reverts).
return vdeck.runbook {
  name = "snapshot-revert",
  description = "revert a VM to one of its snapshots",
  params = {
    { name = "vm", type = "domain", required = true },
    { name = "snapshot", type = "string", required = true },
    { name = "running", type = "boolean" },
    { name = "force", type = "boolean", default = false },
  },
  run = function(ctx, p)
    local d = vdeck.domain(p.vm)
    d:revert(p.snapshot, { running = p.running, force = p.force or nil })
    return { vm = d.name, snapshot = p.snapshot, state = d.state }
  end,
}

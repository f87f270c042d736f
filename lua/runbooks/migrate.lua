-- migrate: live-migrate one VM; without `to` the target is chosen by free
-- memory and NUMA fit (the choice is explained on stderr).
return vdeck.runbook {
  name = "migrate",
  description = "live-migrate a VM (target chosen when to= is omitted)",
  params = {
    { name = "vm", type = "domain", required = true },
    { name = "to", type = "host" },
    { name = "bandwidth", type = "integer", min = 1 },
    { name = "max_downtime", type = "integer", min = 1 },
    { name = "unsafe", type = "boolean", default = false },
  },
  run = function(ctx, p)
    local d = vdeck.domain(p.vm)
    local from = d.host
    local r = d:migrate { to = p.to, bandwidth = p.bandwidth, max_downtime = p.max_downtime,
                          unsafe = p.unsafe or nil,
                          on_progress = function(pr)
                            ctx.log(string.format("%s %.0f%% remaining %d MiB, expected downtime %d ms",
                              pr.phase, math.max(pr.fraction, 0) * 100, pr.data_remaining // 1048576,
                              pr.expected_downtime_ms))
                          end }
    return { vm = d.name, from = from, to = r.dry_run and "(dry-run)" or d.host, message = r.message }
  end,
}

-- evacuate-host: live-migrate every running VM off a host, largest first,
-- each where it leaves the cluster most even and fits in one NUMA node
-- (vdeck.plan_balance{ evacuate = host }: rules and hosts in maintenance
-- honoured); VMs that cannot move are listed with the reason.  The moves
-- run a few at a time and stop at the first failure; a summary at the end.
local planlib = require "planlib"

return vdeck.runbook {
  name = "evacuate-host",
  description = "live-migrate every running VM off a host (planned targets)",
  params = {
    { name = "host", type = "host", required = true },
    { name = "concurrency", type = "integer", default = 2, min = 1, max = 16 },
    { name = "per_host", type = "integer", default = 2, min = 1, max = 8 },
    { name = "unsafe", type = "boolean", default = false },
  },
  run = function(ctx, p)
    -- A host that has not answered is not empty: its VMs are read first,
    -- which waits for its first answer and raises "unreachable" (exit 3).
    vdeck.host(p.host):domains()
    local pl = vdeck.plan_balance { evacuate = p.host }
    print(planlib.balance_table(pl))
    local summary = { host = p.host, vms = #pl.moves + #pl.skipped, planned = #pl.moves,
                      cannot_move = #pl.skipped, failed = 0 }
    if ctx.dry_run then
      vdeck.plan_publish(pl)
      summary.dry_run = true
      return summary
    end
    local r = planlib.apply(ctx, pl, { concurrency = p.concurrency, per_host = p.per_host, unsafe = p.unsafe })
    summary.moved, summary.details = r.moved, r.details
    if #pl.skipped > 0 then
      ctx.emit(summary)
      vdeck.error { message = string.format("%d VM(s) cannot leave %s (see the plan)", #pl.skipped, p.host) }
    end
    return summary
  end,
}

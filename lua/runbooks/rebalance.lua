-- rebalance: live-migrate VMs so that host usage evens out across the
-- cluster (vdeck.plan_balance: NUMA-node fit on the target, inventory
-- rules, hosts in maintenance, VMs that cannot migrate).  Under --dry-run
-- it prints the whole plan; otherwise it runs the moves with per-host and
-- cluster concurrency limits, plans again after each completed move when
-- the cluster changed, and stops at the first failure with a report.
local planlib = require "planlib"

local function globs(s)
  local l = {}
  for g in (s or ""):gmatch("[^,%s]+") do l[#l + 1] = g end
  return l
end

return vdeck.runbook {
  name = "rebalance",
  description = "even out host usage with live migrations (plan, then apply)",
  params = {
    { name = "by", type = "enum", values = { "memory", "cpu", "both" }, default = "memory" },
    { name = "threshold", type = "number", default = 0.1, min = 0, max = 10 },
    { name = "margin", type = "number", default = 0.001, min = 0, max = 10 },
    { name = "max_moves", type = "integer", default = 50, min = 1, max = 10000 },
    { name = "hosts", type = "string" },
    { name = "tag", type = "string" },
    { name = "exclude", type = "string" },
    { name = "concurrency", type = "integer", default = 2, min = 1, max = 16 },
    { name = "per_host", type = "integer", default = 1, min = 1, max = 8 },
    { name = "unsafe", type = "boolean", default = false },
  },
  run = function(ctx, p)
    local function plan(budget, assume)
      return vdeck.plan_balance { by = p.by, threshold = p.threshold, margin = p.margin,
                                  max_moves = budget or p.max_moves, hosts = p.hosts, tag = p.tag,
                                  exclude = globs(p.exclude), assume = assume }
    end
    local pl = plan()
    print(planlib.balance_table(pl))
    local summary = { by = p.by, before = string.format("%.3f", pl.before),
                      planned_after = string.format("%.3f", pl.after), moves = #pl.moves }
    if ctx.dry_run then
      vdeck.plan_publish(pl)
      summary.dry_run = true
      return summary
    end
    local r = planlib.apply(ctx, pl, { concurrency = p.concurrency, per_host = p.per_host, unsafe = p.unsafe,
                                       replan = plan })
    for k, v in pairs(r) do summary[k] = v end
    summary.after = string.format("%.3f", plan(1).before)
    return summary
  end,
}
